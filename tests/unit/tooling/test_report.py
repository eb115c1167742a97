"""``portal-ha report``: the failover budget comes from the synthesized stack and the context's targets."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from constructs_lib.synthesized import SynthesizedStack
from portal_ha.cli import main
from portal_ha.reports import budget as report
from stacks.app import synthesized_document
from stacks.loader import parse_settings
from stacks.settings import TargetSettings
from tests.conftest import REPO


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads((REPO / "cdktf.json").read_text())["context"]


def _rows(context: dict, arch: str) -> list[report.Row]:
    settings = parse_settings(context)
    document, _ = synthesized_document(settings, arch)
    return report.build(SynthesizedStack(arch, document), settings.targets)


def _row(rows: list[report.Row], failure: str, scope: str) -> report.Row:
    return next(r for r in rows if r.failure == failure and r.scope == scope)


def test_instance_detection_is_interval_times_threshold_of_each_target_group(synthesized):
    stack = SynthesizedStack("multi-dc", synthesized["multi-dc"])
    rows = report.instance_rows(stack, TargetSettings())
    groups = stack.resources("aws_lb_target_group")
    assert [r.scope for r in rows] == [stack.datacenter_of(g) for g in groups] == ["dc1", "dc2"]
    for row, group in zip(rows, groups, strict=True):
        check = group.get("health_check")
        assert row.seconds == check["interval"] * check["unhealthy_threshold"]
        assert row.status == report.MEETS


def test_changing_a_health_check_setting_changes_the_figure(context):
    changed = copy.deepcopy(context)
    changed["multi-dc"]["load_balancer"] = {"health_check_interval": 6, "unhealthy_threshold": 3}
    row = _row(_rows(changed, "multi-dc"), "instance", "dc1")
    assert (row.seconds, row.figure, row.status) == (18.0, "18 s", report.MEETS)
    assert "every 6 s, unhealthy after 3 failures" in row.basis


def test_a_broken_target_is_a_miss(context):
    broken = copy.deepcopy(context)
    broken["multi-dc"]["load_balancer"] = {"health_check_interval": 30, "unhealthy_threshold": 5}
    rows = _rows(broken, "multi-dc")
    assert [(r.scope, r.figure) for r in report.misses(rows)] == [("dc1", "150 s"), ("dc2", "150 s")]


def test_targets_are_configurable(context):
    strict = copy.deepcopy(context)
    strict["targets"] = {"instance_failover_seconds": 10, "datacenter_failover_seconds": 20,
                         "min_instances_for_full_load": 2}
    rows = _rows(strict, "multi-dc")
    missed = {(r.failure, r.scope) for r in report.misses(rows)}
    assert missed == {("instance", "dc1"), ("instance", "dc2"), ("datacenter", "dc1"), ("datacenter", "dc2"),
                      ("AZ", "dc1"), ("AZ", "dc2")}
    assert _row(rows, "capacity", "dc1").status == report.MEETS  # 2 instances carry a load needing 2
    assert _row(rows, "AZ", "dc1").figure == "1 of 2 instances left"


def test_datacenter_detection_reads_the_route53_health_checks(synthesized):
    stack = SynthesizedStack("multi-dc", synthesized["multi-dc"])
    rows = report.datacenter_rows(stack, TargetSettings())
    checks = stack.resources("aws_route53_health_check")
    assert sorted(r.seconds for r in rows) == sorted(
        c.get("request_interval") * c.get("failure_threshold") for c in checks)
    assert {r.scope for r in rows} == {"dc1", "dc2"}


def test_datacenter_detection_with_global_accelerator(context):
    ga = copy.deepcopy(context)
    ga["multi-dc"]["global_lb"] = {"kind": "global-accelerator", "domain": "portal.example.com"}
    rows = [r for r in _rows(ga, "multi-dc") if r.failure == "datacenter"]
    assert [(r.scope, r.figure) for r in rows] == [("us-east-1", "30 s"), ("eu-west-1", "30 s")]
    assert all("Global Accelerator" in r.basis for r in rows)


def test_single_dc_has_no_datacenter_failover_and_says_so(synthesized):
    rows = report.build(SynthesizedStack("single-dc", synthesized["single-dc"]), TargetSettings())
    row = _row(rows, "datacenter", "all")
    assert row.status == report.NOT_APPLICABLE and "outage" in row.basis
    assert report.misses(rows) == []


def test_local_storage_has_no_shared_file_replication_and_says_so(synthesized):
    rows = report.data_loss_rows(SynthesizedStack("multi-dc-local", synthesized["multi-dc-local"]))
    files = next(r for r in rows if r.failure == "region (shared files)")
    assert files.status == report.NOT_APPLICABLE and "not synchronised" in files.basis
    database = next(r for r in rows if r.failure == "region (database)")
    assert database.status == report.MEETS and "aurora-global-database" in database.basis


def test_az_loss_counts_instances_and_db_nodes_left(synthesized):
    rows = report.az_rows(SynthesizedStack("single-dc", synthesized["single-dc"]), TargetSettings())
    assert rows[0].figure == "1 of 2 instances left"
    assert "leaves 2 of 3 DB nodes" in rows[0].basis


def test_db_writer_row_needs_a_replica_in_another_az(synthesized):
    stack = SynthesizedStack("single-dc", synthesized["single-dc"])
    assert report.db_writer_rows(stack)[0].status == report.MEETS
    lonely = copy.deepcopy(synthesized["single-dc"])
    members = lonely["resource"]["aws_rds_cluster_instance"]
    for name in sorted(members)[1:]:
        del members[name]
    row = report.db_writer_rows(SynthesizedStack("single-dc", lonely))[0]
    assert row.status == report.MISSES and "1 nodes in 1 AZs" in row.basis


def test_report_check_exits_1_on_a_miss_and_names_it(context, tmp_path, monkeypatch):
    broken = copy.deepcopy(context)
    broken["multi-dc"]["load_balancer"] = {"health_check_interval": 30, "unhealthy_threshold": 5}
    config = tmp_path / "cdktf.json"
    config.write_text(json.dumps({"context": broken}))
    monkeypatch.setenv("PORTAL_HA_CONFIG", str(config))
    monkeypatch.delenv("PORTAL_HA_PROFILE", raising=False)
    result = CliRunner().invoke(main, ["report", "multi-dc", "--check"])
    assert result.exit_code == 1, result.output
    assert "misses: instance (dc1): 150 s, target <= 20 s" in result.output
    assert "the HA gate refuses this configuration" in result.output  # HA5 would stop synth and up
    plain = CliRunner().invoke(main, ["report", "multi-dc"])
    assert plain.exit_code == 0, "without --check a miss is reported, not fatal"


def test_report_json_and_markdown(monkeypatch):
    monkeypatch.setenv("PORTAL_HA_CONFIG", str(REPO / "cdktf.json"))
    monkeypatch.delenv("PORTAL_HA_PROFILE", raising=False)
    result = CliRunner().invoke(main, ["report", "multi-dc", "--json", "--check"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[result.output.index("["):])
    assert {r["failure"] for r in rows} == {"instance", "instance replaced", "AZ", "DB writer", "datacenter",
                                            "capacity", "region (database)", "region (shared files)"}
    both = CliRunner().invoke(main, ["report", "multi-dc", "--json", "--markdown"])
    assert both.exit_code == 2 and "choose one of --markdown and --json" in both.output


def test_readme_embeds_the_current_report_of_each_architecture(synthesized, repo_settings):
    readme = (REPO / "README.md").read_text()
    for arch in ("single-dc", "multi-dc", "multi-dc-local"):
        rows = report.build(SynthesizedStack(arch, synthesized[arch]), repo_settings.targets)
        block = f"<!-- report:{arch} -->\n{report.render_markdown(arch, rows)}<!-- /report:{arch} -->"
        assert block in readme, f"README's {arch} report is stale: run scripts/docs"


def test_an_auto_scaling_group_replaces_and_fixed_instances_do_not(synthesized):
    groups = report.replacement_rows(SynthesizedStack("multi-dc", synthesized["multi-dc"]))
    assert [(r.scope, r.status) for r in groups] == [("dc1", report.MEETS), ("dc2", report.MEETS)]
    assert all("after the 300 s grace period" in r.basis and "health-checks-overview" in r.basis for r in groups)
    fixed = report.replacement_rows(SynthesizedStack("multi-dc-local", synthesized["multi-dc-local"]))
    assert [(r.scope, r.figure, r.status) for r in fixed] == [("dc1", "not replaced", report.NOT_APPLICABLE),
                                                               ("dc2", "not replaced", report.NOT_APPLICABLE)]


def test_a_group_without_elb_health_checks_misses_and_its_min_size_counts_per_az():
    document = {"provider": {"aws": [{"alias": "dc1", "region": "us-east-1"}]}, "resource": {
        "aws_subnet": {f"s{i}": {"provider": "aws.dc1", "availability_zone": f"us-east-1{z}"}
                       for i, z in enumerate("ab")},
        "aws_autoscaling_group": {"g": {"provider": "aws.dc1", "name": "g", "min_size": 3,
                                        "vpc_zone_identifier": ["${aws_subnet.s0.id}", "${aws_subnet.s1.id}"]}}}}
    stack = SynthesizedStack("s", document)
    [row] = report.replacement_rows(stack)
    assert row.status == report.MISSES and "EC2 status checks" in row.basis
    [az] = report.az_rows(stack, TargetSettings())
    assert az.figure == "1 of 3 instances left"  # 2 in us-east-1a, 1 in us-east-1b
