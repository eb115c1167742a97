"""Problems are records: the Python text a library user sees and the JSON text a cdktf.json user sees are both
rendered from the record's fields (path, value, fix, refs); ``locate`` maps the fields and never reads the text."""

from __future__ import annotations

import inspect

from constructs_lib.errors import ConfigError, Problem, Ref
from stacks import locate as locate_module
from stacks.assembly import ordered
from stacks.locate import Origin, locate

FLEET = Origin({"fleet": "single-dc.portal"}, {"fleet.instance_count": "single-dc.datacenters[0].instance_count"})
BELOW_MINIMUM = Problem("fleet.instance_count", 1, "is below the HA minimum of 2: use 2 or more, or set {0} for a lab",
                        refs=(Ref("fleet.allow_single_instance", True),))


def test_a_problem_renders_the_python_form_and_its_located_json_form():
    assert str(BELOW_MINIMUM) == ("fleet.instance_count 1 is below the HA minimum of 2: use 2 or more, or set "
                                  "allow_single_instance=True for a lab")
    assert str(locate(BELOW_MINIMUM, FLEET)) == (
        'single-dc.datacenters[0].instance_count 1 is below the HA minimum of 2: use 2 or more, or set '
        '"allow_single_instance": true in single-dc.portal for a lab')


def test_values_refs_labels_and_notes_are_spelled_from_the_fields():
    origin = Origin({"database": "multi-dc.database", "datacenters[dc1]": "multi-dc.datacenters[0]"},
                    note=" (profile lab)")
    problem = Problem("datacenters[dc1].azs", ("us-east-1a", None), "repeats {0}; or set {1} (see {2})",
                      refs=(Ref("datacenters[dc1].az_count"), Ref("database.allow_fewer_nodes", True, qualified=True),
                            Ref("mesh.name_prefix")), label="dc1")
    assert str(problem) == ("[dc1] datacenters[dc1].azs ('us-east-1a', None) repeats datacenters[dc1].az_count; or "
                            "set database.allow_fewer_nodes=True (see mesh.name_prefix)")
    located = locate(problem, origin)
    assert located.path == "multi-dc.datacenters[0].azs" and located.spelling == "json"
    assert str(located) == ('multi-dc.datacenters[0].azs ["us-east-1a", null] repeats '
                            'multi-dc.datacenters[0].az_count; or set "allow_fewer_nodes": true in multi-dc.database '
                            '(see mesh.name_prefix) (profile lab)')


def test_locate_reads_no_text_what_looks_like_a_path_or_a_setting_but_is_no_ref_is_left_alone():
    problem = Problem("fleet.name", "x'y", "clashes with fleet.instance_count 'z' and datacenters[dc1].cidr; set "
                                           "allow_single_instance=True or fleet.detailed_monitoring=False")
    assert str(locate(problem, FLEET)) == (
        "single-dc.portal.name \"x'y\" clashes with fleet.instance_count 'z' and datacenters[dc1].cidr; set "
        "allow_single_instance=True or fleet.detailed_monitoring=False")
    assert "import re" not in inspect.getsource(locate_module)


def test_a_value_shown_as_text_and_a_problem_of_other_props_stay_as_they_are():
    plain = Problem("fleet.instance_type", "m6g.large", "is an arm64 type", literal=False)
    assert str(locate(plain, FLEET)) == "single-dc.portal.instance_type m6g.large is an arm64 type"
    other = Problem("load_balancer.name", "x", fix="is too long", sep=": ")
    assert locate(other, FLEET) == other and str(other) == "load_balancer.name 'x': is too long"
    assert locate("a file-wide message", Origin({}, note="!")) == "a file-wide message!"


def test_config_error_keeps_the_records_and_the_same_text():
    error = ConfigError([BELOW_MINIMUM, "cdktf.json not found"])
    assert error.records == [BELOW_MINIMUM, "cdktf.json not found"]
    assert error.problems == [str(BELOW_MINIMUM), "cdktf.json not found"]
    assert str(error) == f"2 configuration problem(s):\n  - {BELOW_MINIMUM}\n  - cdktf.json not found"


def test_problems_are_sorted_by_the_record_path_indexes_as_numbers_and_said_once():
    at = [Problem(f"multi-dc.datacenters[{i}].cidr", fix="is bad", spelling="json") for i in (10, 2)]
    found = ordered([at[0], Problem("name_prefix", fix="is bad", spelling="json"), at[1], at[0]])
    assert [p.path for p in found if isinstance(p, Problem)] == [
        "multi-dc.datacenters[2].cidr", "multi-dc.datacenters[10].cidr", "name_prefix"]
