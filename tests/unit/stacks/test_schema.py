"""cdktf.json's schema and the props agree: every section key is a field of the props class it configures, of
a type the JSON value can become, and every default of the schema is the dataclass default it stands for (so
no default exists in two places)."""

from __future__ import annotations

from dataclasses import MISSING, fields

import pytest

from constructs_lib.api_manager import ApiManagerProps
from constructs_lib.database.props import DatabaseClusterProps
from constructs_lib.datacenter_lb_props import DatacenterLoadBalancerProps
from constructs_lib.global_lb_props import GlobalLoadBalancerProps
from constructs_lib.network.props import DatacenterProps
from constructs_lib.portal_fleet_props import PortalFleetProps
from constructs_lib.shared_storage_props import SharedFileSystemProps
from stacks.schema import BACKEND_KEYS, DATACENTER_KEYS, NESTED, REQUIRED, SECTIONS, TARGET_KEYS, TOP_LEVEL_KEYS
from stacks.settings import BackendSettings, DatacenterSettings, TargetSettings

PROPS = {"portal": PortalFleetProps, "load_balancer": DatacenterLoadBalancerProps,
         "database": DatabaseClusterProps, "file_system": SharedFileSystemProps, "global_lb": GlobalLoadBalancerProps}
# What a JSON value of each accepted type becomes in the props (lists become tuples), as the annotation says it.
ANNOTATED = {str: ("str",), int: ("int",), bool: ("bool",), list: ("tuple[", "Sequence["), dict: ("Props",)}


def _annotations(cls: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(cls)}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_every_section_key_is_a_field_of_its_props_of_a_matching_type(section):
    annotations = _annotations(PROPS[section])
    assert set(SECTIONS) == set(PROPS)
    for key, (accepted, default) in SECTIONS[section].items():
        assert key in annotations, f"{section}.{key} is not a field of {PROPS[section].__name__}"
        assert any(word in annotations[key] for t in accepted for word in ANNOTATED[t]), (
            f"{section}.{key} accepts {accepted} but {PROPS[section].__name__}.{key} is {annotations[key]}")
        assert default is None, f"{section}.{key}: a section's default is its props' own, never the schema's"


def test_the_datacenter_keys_are_the_network_fields_and_their_defaults_are_its_own():
    network = {f.name: f for f in fields(DatacenterProps)}
    for key, (_, default) in DATACENTER_KEYS.items():
        if key == "instance_count":  # a per-datacenter override of portal.instance_count
            assert "instance_count" in _annotations(PortalFleetProps)
            continue
        assert key in network, f"datacenters[].{key} is not a DatacenterProps field"
        if key not in ("name", "region", "cidr"):  # required in cdktf.json: each datacenter names its own
            assert default == network[key].default, key
    assert {f.name for f in fields(DatacenterSettings)} == set(DATACENTER_KEYS)
    assert TOP_LEVEL_KEYS["name_prefix"][1] == network["name_prefix"].default


@pytest.mark.parametrize(("schema", "settings"), [(BACKEND_KEYS, BackendSettings), (TARGET_KEYS, TargetSettings)])
def test_backend_and_target_defaults_are_the_settings_dataclasses(schema, settings):
    defaults = {f.name: None if f.default is MISSING else f.default for f in fields(settings)}
    assert set(schema) == set(defaults)
    assert {key: default for key, (_, default) in schema.items()} == defaults


def test_an_object_inside_a_section_has_its_props_keys_and_requires_what_has_no_default():
    assert set(NESTED) == {"portal"} and set(NESTED["portal"]) == {"api_manager"}
    keys = NESTED["portal"]["api_manager"]
    props = {f.name: f for f in fields(ApiManagerProps)}
    assert set(keys) == set(props)
    assert "ApiManagerProps" in _annotations(PortalFleetProps)["api_manager"]
    for key, (accepted, default) in keys.items():
        assert any(word in str(props[key].type) for t in accepted for word in ANNOTATED[t]), key
        assert (default is REQUIRED) == (props[key].default is MISSING), key
