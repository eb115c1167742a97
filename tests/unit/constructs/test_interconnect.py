"""DatacenterMesh: peering per pair across regions, routes both ways, peer NACL rules; one test per rule."""

from __future__ import annotations

import ipaddress

import pytest

from constructs_lib.errors import ConfigError
from constructs_lib.interconnect import DatacenterMesh, DatacenterMeshProps, check_no_overlap, merge_cidrs
from tests.unit.helpers import ref, resources, synth_construct

# name, region, cidr
DCS = (("dc1", "us-east-1", "10.1.0.0/16"), ("dc2", "eu-west-1", "10.2.0.0/16"),
       ("dc3", "ap-southeast-2", "10.3.0.0/16"))


def _datacenters(scope, specs, az_count=3):
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.network import Datacenter, DatacenterProps

    dcs = []
    for name, region, cidr in specs:
        provider = AwsProvider(scope, f"aws-{name}", region=region, alias=name)
        props = DatacenterProps(name=name, region=region, cidr=cidr, az_count=az_count,
                                azs=tuple(f"{region}{z}" for z in "abc"[:az_count]), flow_logs=False)
        dcs.append(Datacenter(scope, name, props=props, provider=provider))
    return dcs


def _synth_mesh(specs, props=None):
    built = {}

    def build(stack):
        built["dcs"] = _datacenters(stack, specs)
        built["mesh"] = DatacenterMesh(stack, "mesh", datacenters=built["dcs"], props=props or DatacenterMeshProps())

    doc = synth_construct(build)
    return doc, built["mesh"], built["dcs"]


@pytest.fixture(scope="module")
def two():
    return _synth_mesh(DCS[:2])


@pytest.fixture(scope="module")
def three():
    return _synth_mesh(DCS, DatacenterMeshProps(name_prefix="ha"))


def _logical_id(doc, rtype, predicate):
    (found,) = [k for k, v in resources(doc, rtype).items() if predicate(v)]
    return found


def _route_tables(doc, dc_name, tier):
    """Logical ids of one datacenter's route tables of a tier (tables are tagged Name={prefix}-{dc}-...)."""
    return {k for k, t in resources(doc, "aws_route_table").items()
            if t["tags"]["Tier"] == tier and t["provider"] == f"aws.{dc_name}"}


def _dmz_cidrs(doc, dc_name):
    return [s["cidr_block"] for s in resources(doc, "aws_subnet").values()
            if s["tags"]["Tier"] == "dmz" and s["provider"] == f"aws.{dc_name}"]


@pytest.mark.parametrize("fixture", ["two", "three"])
def test_one_peering_and_accepter_per_pair_with_the_right_providers(fixture, request):
    doc, mesh, dcs = request.getfixturevalue(fixture)
    expected_pairs = [(a.name, b.name) for i, a in enumerate(dcs) for b in dcs[i + 1:]]
    assert mesh.pairs == expected_pairs
    peerings = resources(doc, "aws_vpc_peering_connection")
    accepters = resources(doc, "aws_vpc_peering_connection_accepter")
    assert len(peerings) == len(accepters) == len(expected_pairs)
    regions = {name: region for name, region, _ in DCS}
    vpcs = {name: ref("aws_vpc", _logical_id(doc, "aws_vpc", lambda v, n=name: v["provider"] == f"aws.{n}"))
            for name, _, _ in DCS[:len(dcs)]}
    prefix = "portal" if fixture == "two" else "ha"
    for requester, accepter in expected_pairs:
        name = f"{prefix}-{requester}-to-{accepter}"
        pid = _logical_id(doc, "aws_vpc_peering_connection", lambda v, n=name: v["tags"]["Name"] == n)
        peering = peerings[pid]
        assert peering["provider"] == f"aws.{requester}"
        assert peering["vpc_id"] == vpcs[requester] and peering["peer_vpc_id"] == vpcs[accepter]
        assert peering["peer_region"] == regions[accepter]
        assert peering["auto_accept"] is False
        acceptance = accepters[_logical_id(doc, "aws_vpc_peering_connection_accepter",
                                           lambda v, n=name: v["tags"]["Name"] == n)]
        assert acceptance["provider"] == f"aws.{accepter}"
        assert acceptance["auto_accept"] is True
        assert acceptance["vpc_peering_connection_id"] == ref("aws_vpc_peering_connection", pid)
        assert mesh.peering_connection_ids[(requester, accepter)].startswith("${TfToken[")


@pytest.mark.parametrize("fixture", ["two", "three"])
def test_routes_to_each_peer_in_every_dmz_and_internal_table_after_acceptance(fixture, request):
    doc, mesh, dcs = request.getfixturevalue(fixture)
    routes = [r for r in resources(doc, "aws_route").values() if "vpc_peering_connection_id" in r]
    accepter_ids = set(resources(doc, "aws_vpc_peering_connection_accepter"))
    for near in dcs:
        tables = _route_tables(doc, near.name, "dmz") | _route_tables(doc, near.name, "internal")
        assert len(tables) == 4  # 3 DMZ (one per AZ) + 1 internal
        for far in dcs:
            if far is near:
                continue
            pair = (near.name, far.name) if (near.name, far.name) in mesh.pairs else (far.name, near.name)
            requester_pid = _logical_id(doc, "aws_vpc_peering_connection",
                                        lambda v, p=pair: v["tags"]["Name"].endswith(f"-{p[0]}-to-{p[1]}"))
            mine = [r for r in routes if r["destination_cidr_block"] == far.vpc_cidr
                    and r["provider"] == f"aws.{near.name}"]
            assert {r["route_table_id"] for r in mine} == {ref("aws_route_table", t) for t in tables}
            assert all(r["vpc_peering_connection_id"] == ref("aws_vpc_peering_connection", requester_pid)
                       for r in mine)
            for r in mine:
                assert len(r["depends_on"]) == 1
                assert r["depends_on"][0].removeprefix("aws_vpc_peering_connection_accepter.") in accepter_ids
    assert len(routes) == len(dcs) * (len(dcs) - 1) * 4


@pytest.mark.parametrize("fixture", ["two", "three"])
def test_internal_nacl_admits_peers_dmz_on_nfs_and_mysql(fixture, request):
    doc, mesh, dcs = request.getfixturevalue(fixture)
    rules = list(resources(doc, "aws_network_acl_rule").values())
    for dc in dcs:
        nacl = ref("aws_network_acl", _logical_id(doc, "aws_network_acl",
                                                  lambda v, n=dc.name: v["provider"] == f"aws.{n}"))
        mine = [r for r in rules if r["network_acl_id"] == nacl]
        peer_dmz = [c for other in dcs if other is not dc for c in _dmz_cidrs(doc, other.name)]
        expected = merge_cidrs(peer_dmz)
        assert mesh.peer_dmz_cidrs(dc.name) == expected
        covered = {ipaddress.ip_network(c) for c in expected}
        assert set(ipaddress.collapse_addresses(ipaddress.ip_network(c) for c in peer_dmz)) == covered
        ingress = {(r["cidr_block"], r["from_port"]) for r in mine if r["egress"] is False}
        egress = {r["cidr_block"] for r in mine if r["egress"] is True}
        own = set(_dmz_cidrs(doc, dc.name))
        assert ingress == {(c, p) for c in own | set(expected) for p in (2049, 3306)}
        assert egress == own | set(expected)
        numbers = [(r["egress"], r["rule_number"]) for r in mine]
        assert len(numbers) == len(set(numbers))
        assert all(r["provider"] == f"aws.{dc.name}" for r in mine)


def test_peer_dmz_cidrs_of_an_unknown_datacenter(two):
    _, mesh, _ = two
    with pytest.raises(KeyError, match="'dc9' is not a datacenter of this mesh: use one of dc1, dc2"):
        mesh.peer_dmz_cidrs("dc9")


def test_peer_rules_can_be_left_out():
    doc, _, _ = _synth_mesh(DCS[:2], DatacenterMeshProps(allow_peers_into_internal_tier=False))
    cidrs = {r["cidr_block"] for r in resources(doc, "aws_network_acl_rule").values()}
    assert cidrs == set(_dmz_cidrs(doc, "dc1")) | set(_dmz_cidrs(doc, "dc2"))


# Validation: every rule, with its message. Datacenters are real; the mesh refuses before creating anything.
def _mesh_error(specs, props=None, az_count=3):
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "test")
    dcs = _datacenters(stack, specs, az_count=az_count)
    with pytest.raises(ConfigError) as err:
        DatacenterMesh(stack, "mesh", datacenters=dcs, props=props or DatacenterMeshProps())
    assert stack.node.try_find_child("mesh") is None, "the mesh must not exist after a refused configuration"
    return str(err.value), err.value.problems


def test_overlapping_cidrs_name_both_datacenters():
    _, problems = _mesh_error([("dc1", "us-east-1", "10.0.0.0/16"), ("dc2", "eu-west-1", "10.0.0.0/16")])
    assert problems == [("datacenters[1].cidr 10.0.0.0/16 (dc2) overlaps datacenters[0].cidr 10.0.0.0/16 (dc1): "
                        "give each datacenter its own range")]


def test_same_region_names_both_datacenters_and_the_region():
    _, problems = _mesh_error([("dc1", "us-east-1", "10.1.0.0/16"), ("dc2", "us-east-1", "10.2.0.0/16")])
    assert problems == [("datacenters[1] (dc2) and datacenters[0] (dc1) are both in region us-east-1: the mesh uses "
                        "inter-region VPC peering; put each datacenter in its own region")]


def test_fewer_than_two_datacenters():
    message, _ = _mesh_error([DCS[0]])
    assert "datacenters has 1 datacenter(s): a mesh connects at least 2" in message


def test_duplicate_datacenter_names():
    from cdktf import TerraformStack, Testing
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.network import Datacenter, DatacenterProps

    stack = TerraformStack(Testing.app(), "test")
    dcs = []
    for i, (region, cidr) in enumerate((("us-east-1", "10.1.0.0/16"), ("eu-west-1", "10.2.0.0/16"))):
        provider = AwsProvider(stack, f"aws{i}", region=region, alias=f"p{i}")
        props = DatacenterProps(name="dc1", region=region, cidr=cidr, azs=tuple(f"{region}{z}" for z in "abc"))
        dcs.append(Datacenter(stack, f"dc{i}", props=props, provider=provider))
    with pytest.raises(ConfigError) as err:
        DatacenterMesh(stack, "mesh", datacenters=dcs)
    assert err.value.problems == [("datacenters[1].name 'dc1' repeats datacenters[0].name: give each datacenter "
                                  "its own name")]


def test_all_mesh_problems_at_once():
    _, problems = _mesh_error([("dc1", "us-east-1", "10.0.0.0/16"), ("dc2", "us-east-1", "10.0.128.0/17")])
    assert len(problems) == 2


def test_nacl_quota_is_checked_before_apply():
    specs = [("dc1", "us-east-1", "10.1.0.0/16"), ("dc2", "eu-west-1", "10.2.0.0/16")]
    message, _ = _mesh_error(specs, DatacenterMeshProps(max_nacl_rules_per_direction=8))
    assert "datacenters[dc1] internal NACL would need 10 inbound rules (3 own and 2 peer DMZ range(s) x 2 ports), " \
           "above mesh.max_nacl_rules_per_direction 8" in message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"name_prefix": "Bad_Prefix"}, "mesh.name_prefix 'Bad_Prefix' must be lower-case", id="prefix"),
        pytest.param({"max_nacl_rules_per_direction": 41}, "mesh.max_nacl_rules_per_direction 41 is out of range",
                     id="nacl-quota"),
    ],
)
def test_props_validation(overrides, expected):
    with pytest.raises(ConfigError, match=expected):
        DatacenterMeshProps(**overrides)


def test_check_no_overlap_is_pure_and_lists_every_pair():
    assert check_no_overlap([("a", "10.0.0.0/16"), ("b", "10.1.0.0/16")]) == []
    found = check_no_overlap([("a", "10.0.0.0/8"), ("b", "10.1.0.0/16"), ("c", "10.2.0.0/16"), ("d", "bad")])
    assert [str(p) for p in found] == [
        ("datacenters[1].cidr 10.1.0.0/16 (b) overlaps datacenters[0].cidr 10.0.0.0/8 (a): give each datacenter its "
        "own range"),
        ("datacenters[2].cidr 10.2.0.0/16 (c) overlaps datacenters[0].cidr 10.0.0.0/8 (a): give each datacenter its "
        "own range"),
    ]
