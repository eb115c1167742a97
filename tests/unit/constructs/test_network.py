"""Datacenter: what the synthesized network holds, and one test per validation rule."""

from __future__ import annotations

import ipaddress
import json

import pytest
from cdktf import Testing as CdktfTesting

from constructs_lib import ConfigError, Datacenter, DatacenterProps, SubnetCidrs
from tests.unit.helpers import only, resources, synth_construct


@pytest.fixture(scope="module")
def single_dc(synthesized):
    return synthesized["single-dc"]


def _subnets_by_tier(doc):
    by_tier: dict[str, list[dict]] = {}
    for subnet in resources(doc, "aws_subnet").values():
        by_tier.setdefault(subnet["tags"]["Tier"], []).append(subnet)
    return by_tier


def test_one_vpc_with_dns(single_dc):
    vpc = only(single_dc, "aws_vpc")
    assert vpc["cidr_block"] == "10.10.0.0/16"
    assert vpc["enable_dns_hostnames"] is True and vpc["enable_dns_support"] is True


def test_three_tiers_over_distinct_azs_without_overlap(single_dc):
    by_tier = _subnets_by_tier(single_dc)
    assert sorted(by_tier) == ["dmz", "internal", "public"]
    for tier, subnets in by_tier.items():
        assert len(subnets) == 3, tier
        assert len({s["availability_zone"] for s in subnets}) == 3, f"{tier} subnets share an AZ"
        assert all(s["map_public_ip_on_launch"] is False for s in subnets)
    networks = [ipaddress.ip_network(s["cidr_block"]) for subs in by_tier.values() for s in subs]
    vpc = ipaddress.ip_network("10.10.0.0/16")
    assert all(n.subnet_of(vpc) for n in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1:])


def test_nat_gateway_per_az_in_public_subnets(single_dc):
    nats = resources(single_dc, "aws_nat_gateway")
    assert len(nats) == 3
    public_ids = {f"${{aws_subnet.{k}.id}}" for k, s in resources(single_dc, "aws_subnet").items()
                  if s["tags"]["Tier"] == "public"}
    assert {n["subnet_id"] for n in nats.values()} == public_ids


def test_dmz_route_tables_per_az_each_through_its_own_nat(single_dc):
    routes = [r for r in resources(single_dc, "aws_route").values() if "nat_gateway_id" in r]
    assert len(routes) == 3
    assert len({r["nat_gateway_id"] for r in routes}) == 3
    assert all(r["destination_cidr_block"] == "0.0.0.0/0" for r in routes)


def test_internal_route_table_has_no_internet_route(single_dc):
    tables = {k: t for k, t in resources(single_dc, "aws_route_table").items() if t["tags"]["Tier"] == "internal"}
    assert len(tables) == 1
    (internal_id,) = tables
    assert "route" not in tables[internal_id]
    internal_ref = f"${{aws_route_table.{internal_id}.id}}"
    assert not [r for r in resources(single_dc, "aws_route").values() if r["route_table_id"] == internal_ref]


def test_internal_nacl_admits_only_dmz_on_nfs_and_mysql(single_dc):
    rules = list(resources(single_dc, "aws_network_acl_rule").values())
    dmz = {s["cidr_block"] for s in _subnets_by_tier(single_dc)["dmz"]}
    ingress = [r for r in rules if r["egress"] is False]
    assert {(r["cidr_block"], r["from_port"]) for r in ingress} == {(c, p) for c in dmz for p in (2049, 3306)}
    assert all(r["rule_action"] == "allow" and r["from_port"] == r["to_port"] for r in ingress)
    egress = [r for r in rules if r["egress"] is True]
    assert {r["cidr_block"] for r in egress} == dmz
    assert all((r["from_port"], r["to_port"]) == (1024, 65535) for r in egress)
    numbers = [(r["egress"], r["rule_number"]) for r in rules]
    assert len(numbers) == len(set(numbers)), "NACL rule numbers must be unique per direction"
    nacl = only(single_dc, "aws_network_acl")
    assert len(nacl["subnet_ids"]) == 3


def test_flow_logs_to_cloudwatch_with_retention(single_dc):
    flow = only(single_dc, "aws_flow_log")
    assert flow["traffic_type"] == "ALL" and flow["log_destination_type"] == "cloud-watch-logs"
    assert only(single_dc, "aws_cloudwatch_log_group")["retention_in_days"] == 90


def test_default_security_group_is_stripped(single_dc):
    sg = only(single_dc, "aws_default_security_group")
    assert "ingress" not in sg and "egress" not in sg


def test_azs_come_from_the_region_by_default(single_dc):
    assert "aws_availability_zones" in single_dc["data"]
    zones = {s["availability_zone"] for s in resources(single_dc, "aws_subnet").values()}
    assert all("data.aws_availability_zones" in z for z in zones)


def _synth(props: DatacenterProps) -> dict:
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    def build(scope):
        provider = AwsProvider(scope, "aws", region=props.region)
        Datacenter(scope, "dc", props=props, provider=provider)

    return synth_construct(build)


def test_explicit_azs_single_nat_and_explicit_subnets():
    props = DatacenterProps(
        name="lab", region="eu-west-1", cidr="10.1.0.0/24", az_count=2, azs=("eu-west-1a", "eu-west-1b"),
        single_nat_gateway=True, flow_logs=False,
        subnet_cidrs=SubnetCidrs(public=("10.1.0.0/28", "10.1.0.16/28"), dmz=("10.1.0.64/26", "10.1.0.128/26"),
                                 internal=("10.1.0.32/28", "10.1.0.48/28")),
    )
    doc = _synth(props)
    assert "data" not in doc or "aws_availability_zones" not in doc["data"]
    assert {s["availability_zone"] for s in resources(doc, "aws_subnet").values()} == {"eu-west-1a", "eu-west-1b"}
    assert len(resources(doc, "aws_nat_gateway")) == 1
    assert {s["cidr_block"] for s in resources(doc, "aws_subnet").values() if s["tags"]["Tier"] == "dmz"} == {
        "10.1.0.64/26", "10.1.0.128/26"}
    assert not resources(doc, "aws_flow_log")
    assert CdktfTesting.to_have_resource_with_properties(
        json.dumps(doc), "aws_vpc", {"cidr_block": "10.1.0.0/24", "enable_dns_hostnames": True})


def test_derived_cidrs_are_even_and_tier_major():
    props = DatacenterProps(name="dc1", region="us-east-1", cidr="10.0.0.0/16", az_count=2)
    assert props.tier_cidrs() == {
        "public": ["10.0.0.0/19", "10.0.32.0/19"],
        "dmz": ["10.0.64.0/19", "10.0.96.0/19"],
        "internal": ["10.0.128.0/19", "10.0.160.0/19"],
    }


# One test per validation rule: the message names the field, the bad value and the fix.
BASE = dict(name="dc1", region="us-east-1")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"cidr": "10.0.0.0/33"}, ["datacenters[dc1].cidr '10.0.0.0/33' is not a valid IPv4 CIDR",
                                                "use a network address"], id="cidr-syntax"),
        pytest.param({"cidr": "10.0.0.1/16"}, ["datacenters[dc1].cidr '10.0.0.1/16' is not a valid IPv4 CIDR"],
                     id="cidr-host-bits"),
        pytest.param({"cidr": "10.0.0.0/8"}, ["datacenters[dc1].cidr 10.0.0.0/8 has prefix /8", "/16 to /24"],
                     id="vpc-prefix-too-large"),
        pytest.param({"cidr": "10.0.0.0/26"}, ["has prefix /26", "/16 to /24"], id="vpc-prefix-too-small"),
        pytest.param({"cidr": "10.0.0.0/24", "az_count": 6},
                     ["too small for 3 tiers x 6 AZs", "/29", "use a larger VPC range or fewer AZs"],
                     id="no-room-for-tiers"),
        pytest.param({"az_count": 1}, ["datacenters[dc1].az_count 1 is out of range", "use 2 to 6"], id="az-count-low"),
        pytest.param({"az_count": 7}, ["datacenters[dc1].az_count 7 is out of range"], id="az-count-high"),
        pytest.param({"region": "useast1"}, ["datacenters[dc1].region 'useast1' is not a well-formed AWS region",
                                              "such as us-east-1"], id="region-malformed"),
        pytest.param({"name_prefix": "Portal_X"}, ["name_prefix 'Portal_X' must be lower-case letters"],
                     id="prefix-characters"),
        pytest.param({"name_prefix": "a" * 17}, ["name_prefix", "is 17 characters: use at most 16"],
                     id="prefix-length"),
        pytest.param({"name": "DC-1"}, ["datacenter.name 'DC-1' must be lower-case"], id="dc-name-characters"),
        pytest.param({"name": "d" * 13}, ["datacenter.name", "is 13 characters: use at most 12"], id="dc-name-length"),
        pytest.param({"azs": ("us-east-1a", "us-east-1b")}, ["azs lists 2 zone(s) but az_count is 3"],
                     id="azs-count"),
        pytest.param({"azs": ("us-east-1a", "us-east-1a", "us-east-1b")}, ["repeats a zone"], id="azs-repeated"),
        pytest.param({"azs": ("eu-west-1a", "us-east-1b", "us-east-1c")},
                     ["azs[0] 'eu-west-1a' is not a zone of us-east-1"], id="azs-wrong-region"),
        pytest.param({"flow_log_retention_days": 10}, ["flow_log_retention_days 10 is not a CloudWatch Logs retention"],
                     id="log-retention"),
        pytest.param({"az_count": 2, "subnet_cidrs": SubnetCidrs(
            public=("10.0.0.0/24", "10.0.1.0/24"), dmz=("10.0.1.0/24", "10.0.2.0/24"),
            internal=("10.0.3.0/24", "10.1.0.0/24"))},
            ["subnet_cidrs.dmz[0] 10.0.1.0/24 overlaps datacenters[dc1].subnet_cidrs.public[1]",
             "subnet_cidrs.internal[1] 10.1.0.0/24 is outside the VPC range 10.0.0.0/16"], id="explicit-subnets"),
        pytest.param({"az_count": 2, "subnet_cidrs": SubnetCidrs(
            public=("10.0.0.0/24",), dmz=("10.0.1.0/24", "10.0.2.0/24"), internal=("10.0.3.0/24", "10.0.4.0/29"))},
            ["subnet_cidrs.public has 1 range(s) but az_count is 2", "10.0.4.0/29 is smaller than /28"],
            id="explicit-subnets-count-and-size"),
    ],
)
def test_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        DatacenterProps(**(BASE | overrides))
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        DatacenterProps(name="dc1", region="nowhere", cidr="300.0.0.0/16", az_count=9)
    assert len(err.value.problems) == 3
