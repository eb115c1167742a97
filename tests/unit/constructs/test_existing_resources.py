"""Existing resources: an adopted VPC (ExistingNetwork), an existing hosted zone, an existing SharedFileSystem or
DatabaseCluster in PortalDatacenter; never both an existing resource and props to build one."""

from __future__ import annotations

import pytest

from constructs_lib import (
    ConfigError,
    Datacenter,
    DatacenterProps,
    ExistingNetwork,
    ImportedDatacenter,
    PortalDatacenterProps,
    PortalFleetProps,
    SharedFileSystemProps,
)
from constructs_lib.database import DatabaseClusterProps
from constructs_lib.user_data import EfsMount
from tests.unit.helpers import only, ref, resources, synth_construct

REGION = "eu-west-1"
AZS = (f"{REGION}a", f"{REGION}b", f"{REGION}c")
# Resource types a built Datacenter makes; an adopted one must make none of them.
NETWORK_TYPES = (
    "aws_vpc", "aws_subnet", "aws_route_table", "aws_route", "aws_route_table_association", "aws_nat_gateway",
    "aws_eip", "aws_internet_gateway", "aws_network_acl", "aws_default_security_group", "aws_flow_log",
    "aws_cloudwatch_log_group",
)


def _aws_id(kind: str, n: int) -> str:
    return f"{kind}-{n:017x}"


VPC_ID = _aws_id("vpc", 0xABC)
PUBLIC = tuple(_aws_id("subnet", 0x100 + i) for i in range(3))
DMZ = tuple(_aws_id("subnet", 0x200 + i) for i in range(3))
INTERNAL = tuple(_aws_id("subnet", 0x300 + i) for i in range(3))
DMZ_RTBS = tuple(_aws_id("rtb", 0x200 + i) for i in range(3))
INTERNAL_RTB = _aws_id("rtb", 0x300)
NACL = _aws_id("acl", 0x300)


def _network(**overrides: object) -> ExistingNetwork:
    fields: dict[str, object] = dict(
        name="dc1", region=REGION, vpc_id=VPC_ID, vpc_cidr="10.20.0.0/16", azs=AZS,
        public_subnet_ids=PUBLIC, dmz_subnet_ids=DMZ, internal_subnet_ids=INTERNAL,
        dmz_route_table_ids=DMZ_RTBS, internal_route_table_ids=(INTERNAL_RTB,),
        dmz_cidrs=("10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24"),
        internal_cidrs=("10.20.20.0/24", "10.20.21.0/24", "10.20.22.0/24"),
    )
    return ExistingNetwork(**(fields | overrides))


def _provider(scope, region=REGION, alias=None):
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    return AwsProvider(scope, f"aws-{alias or 'default'}", region=region, alias=alias)


def _by_name(doc, rtype, name):
    (found,) = [k for k, v in resources(doc, rtype).items() if v.get("name") == name]
    return found


def _sg_rules_referencing(doc, target_sg, source_sg, port):
    return [
        r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref("aws_security_group", target_sg)
        and r.get("referenced_security_group_id") == ref("aws_security_group", source_sg)
        and r["from_port"] == port == r["to_port"]
    ]


# --- A whole datacenter in an existing VPC, in one call (props.network = ExistingNetwork) -------------------


@pytest.fixture(scope="module")
def adopted():
    from constructs_lib import PortalDatacenter

    built = {}

    def build(stack):
        built["pdc"] = PortalDatacenter(stack, "dc1", provider=_provider(stack), props=PortalDatacenterProps(
            network=_network(), file_system=SharedFileSystemProps(), database=DatabaseClusterProps(),
        ))

    return synth_construct(build), built["pdc"]


def test_adopting_a_vpc_creates_no_network_resource(adopted):
    doc, _ = adopted
    made = {rtype for rtype in NETWORK_TYPES if resources(doc, rtype)}
    assert made == set(), f"an adopted network must not create {sorted(made)}"
    assert "aws_availability_zones" not in doc.get("data", {})
    assert not resources(doc, "aws_network_acl_rule"), "no internal_nacl_id: no NACL rule may be created"
    # The datacenter's own pieces are still there.
    assert only(doc, "aws_autoscaling_group")["min_size"] == 2 and only(doc, "aws_lb") and only(doc, "aws_rds_cluster")


def test_adopted_network_places_every_tier_in_the_given_subnets(adopted):
    doc, pdc = adopted
    assert only(doc, "aws_autoscaling_group")["vpc_zone_identifier"] == list(DMZ)
    assert only(doc, "aws_lb")["subnets"] == list(PUBLIC)
    assert sorted(m["subnet_id"] for m in resources(doc, "aws_efs_mount_target").values()) == sorted(INTERNAL)
    assert only(doc, "aws_db_subnet_group")["subnet_ids"] == list(INTERNAL)
    assert {sg["vpc_id"] for sg in resources(doc, "aws_security_group").values()} == {VPC_ID}
    assert {tg["vpc_id"] for tg in resources(doc, "aws_lb_target_group").values()} == {VPC_ID}
    # NLB egress goes to the given DMZ ranges; the fleet may reach the given internal ranges.
    nlb_egress = {r["cidr_ipv4"] for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
                  if r["from_port"] == 443 and r["cidr_ipv4"] != "0.0.0.0/0"}
    assert nlb_egress == {"10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24"}
    nfs_egress = {r["cidr_ipv4"] for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
                  if r["from_port"] == 2049}
    assert nfs_egress == {"10.20.20.0/24", "10.20.21.0/24", "10.20.22.0/24"}
    assert pdc.network.adopted is True and pdc.network.vpc is None and pdc.network.internal_nacl_id is None


def test_adopted_datacenter_exposes_the_same_attributes_as_a_built_one():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "attrs")
    provider = _provider(stack)
    built = Datacenter(stack, "built", provider=provider, props=DatacenterProps(
        name="dc2", region=REGION, cidr="10.30.0.0/16", azs=AZS, flow_logs=False))
    adopted = ImportedDatacenter(stack, "adopted", network=_network(), provider=provider)

    def public(dc: Datacenter) -> set[str]:
        return {k for k in vars(dc) if not k.startswith("_")}

    assert public(adopted) == public(built)
    assert adopted.vpc_id == VPC_ID and adopted.vpc_cidr == "10.20.0.0/16" and adopted.azs == list(AZS)
    assert adopted.dmz_route_table_ids == list(DMZ_RTBS) and adopted.internal_route_table_ids == [INTERNAL_RTB]
    assert adopted.resource_name == "portal-dc1" and adopted.props.az_count == 3
    assert adopted.nat_gateway_ids == [] and adopted.public_route_table_id is None and adopted.public_cidrs == []
    assert built.adopted is False and isinstance(built.public_route_table_id, str)


# --- Adopted network with a NACL, in a mesh with a built datacenter --------------------------------------


@pytest.fixture(scope="module")
def adopted_mesh():
    from constructs_lib import DatacenterMesh

    built = {}

    def build(stack):
        adopted = ImportedDatacenter(
            stack, "dc1", provider=_provider(stack, REGION, "dc1"),
            network=_network(internal_nacl_id=NACL, internal_nacl_first_rule_number=500))
        other = Datacenter(stack, "dc2", provider=_provider(stack, "us-east-1", "dc2"), props=DatacenterProps(
            name="dc2", region="us-east-1", cidr="10.30.0.0/16", azs=("us-east-1a", "us-east-1b", "us-east-1c"),
            flow_logs=False))
        built["mesh"] = DatacenterMesh(stack, "mesh", datacenters=[adopted, other])

    return synth_construct(build), built["mesh"]


def test_internal_nacl_id_gets_own_and_peer_dmz_rules_from_the_first_rule_number(adopted_mesh):
    doc, mesh = adopted_mesh
    rules = [r for r in resources(doc, "aws_network_acl_rule").values() if r["network_acl_id"] == NACL]
    own = {"10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24"}
    peers = set(mesh.peer_dmz_cidrs("dc1"))
    assert peers and not peers & own
    ingress = {(r["cidr_block"], r["from_port"]) for r in rules if r["egress"] is False}
    assert ingress == {(c, p) for c in own | peers for p in (2049, 3306)}
    assert {r["cidr_block"] for r in rules if r["egress"] is True} == own | peers
    assert min(r["rule_number"] for r in rules) == 500
    numbers = [(r["egress"], r["rule_number"]) for r in rules]
    assert len(numbers) == len(set(numbers)), "NACL rule numbers must be unique per direction"


def test_mesh_routes_through_the_adopted_route_tables(adopted_mesh):
    doc, _ = adopted_mesh
    routes = [r for r in resources(doc, "aws_route").values() if "vpc_peering_connection_id" in r]
    adopted_tables = {r["route_table_id"] for r in routes if r["destination_cidr_block"] == "10.30.0.0/16"}
    assert adopted_tables == {*DMZ_RTBS, INTERNAL_RTB}
    assert only(doc, "aws_vpc_peering_connection")["vpc_id"] == VPC_ID
    assert len(resources(doc, "aws_vpc")) == 1, "only the built datacenter has a VPC resource"


# --- Existing SharedFileSystem and DatabaseCluster passed to PortalDatacenter ---------------------------


@pytest.fixture(scope="module")
def existing_storage():
    from constructs_lib import DatabaseCluster, PortalDatacenter, SharedFileSystem

    built = {}

    def build(stack):
        network = ImportedDatacenter(stack, "network", network=_network(), provider=_provider(stack))
        efs = SharedFileSystem(stack, "efs", props=SharedFileSystemProps(), datacenter=network,
                               client_security_group_id=None)
        db = DatabaseCluster(stack, "db", props=DatabaseClusterProps(), datacenter=network,
                             client_security_group_id=None)
        built["pdc"] = PortalDatacenter(stack, "dc1", props=PortalDatacenterProps(), datacenter=network,
                                        shared_file_system=efs, database_cluster=db)
        built["efs"], built["db"] = efs, db

    return synth_construct(build), built


def test_existing_file_system_is_mounted_and_admits_the_fleet(existing_storage):
    doc, built = existing_storage
    (fs_id,) = resources(doc, "aws_efs_file_system")
    assert built["pdc"].shared_file_system is built["efs"] and built["pdc"].file_system is None
    efs_sg = _by_name(doc, "aws_security_group", "portal-dc1-efs")
    fleet_sg = _by_name(doc, "aws_security_group", "portal-dc1-portal")
    assert len(_sg_rules_referencing(doc, efs_sg, fleet_sg, 2049)) == 1
    for instance in resources(doc, "aws_instance").values():
        assert ref("aws_efs_file_system", fs_id) in instance["user_data"]
        assert "aws_efs_access_point" in instance["user_data"]


def test_existing_database_cluster_admits_the_fleet(existing_storage):
    doc, built = existing_storage
    assert len(resources(doc, "aws_rds_cluster")) == 1, "no second cluster may be built"
    assert built["pdc"].database_cluster is built["db"] and built["pdc"].database is None
    db_sg = _by_name(doc, "aws_security_group", "portal-dc1-db")
    fleet_sg = _by_name(doc, "aws_security_group", "portal-dc1-portal")
    assert len(_sg_rules_referencing(doc, db_sg, fleet_sg, 3306)) == 1


# --- Existing hosted zone in GlobalLoadBalancer --------------------------------------------------------


def test_global_lb_with_an_existing_zone_creates_no_zone():
    from constructs_lib import GlobalEndpoint, GlobalLoadBalancer, GlobalLoadBalancerProps

    zone = "Z0123456789ABCDEFGHIJ"
    built = {}

    def build(stack):
        built["glb"] = GlobalLoadBalancer(
            stack, "glb", provider=_provider(stack, "us-east-1"),
            props=GlobalLoadBalancerProps(domain="portal.example.com", hosted_zone_id=zone),
            endpoints=[GlobalEndpoint(name=f"dc{i}", region=r, nlb_arn=f"arn-{i}", nlb_dns_name=f"nlb{i}.example.net",
                                      nlb_zone_id="Z2IFOLAFXWLO4F") for i, r in enumerate(("eu-west-1", "us-east-1"))],
        )

    doc = synth_construct(build)
    assert not resources(doc, "aws_route53_zone")
    records = resources(doc, "aws_route53_record").values()
    assert len(records) == 2 and {r["zone_id"] for r in records} == {zone}
    assert built["glb"].zone_id == zone and built["glb"].zone_name_servers is None


def test_global_lb_existing_zone_and_zone_force_destroy_conflict():
    from constructs_lib import GlobalLoadBalancerProps

    with pytest.raises(ConfigError) as err:
        GlobalLoadBalancerProps(domain="portal.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ",
                                zone_force_destroy=True)
    assert "global_lb.hosted_zone_id (an existing zone) and zone_force_destroy" in str(err.value)


# --- Existing resource and props to build it: one test per rule --------------------------------------------


def _portal_datacenter(stack, *, props, with_network=True, with_efs=False, with_db=False, other_dc=False,
                       provider="none"):
    """Build the existing pieces a case needs, then the PortalDatacenter under test."""
    from constructs_lib import DatabaseCluster, PortalDatacenter, SharedFileSystem

    aws = _provider(stack)
    network = ImportedDatacenter(stack, "network", network=_network(), provider=aws)
    home = network
    if other_dc:
        home = ImportedDatacenter(stack, "other", provider=aws, network=_network(
            name="dc9", vpc_id=_aws_id("vpc", 0xDEF)))
    efs = (SharedFileSystem(stack, "efs", props=SharedFileSystemProps(), datacenter=home,
                            client_security_group_id=None) if with_efs else None)
    db = (DatabaseCluster(stack, "db", props=DatabaseClusterProps(), datacenter=home, client_security_group_id=None)
          if with_db else None)
    chosen_provider = {"none": None, "same": aws, "other": _provider(stack, alias="x")}[provider]
    PortalDatacenter(stack, "pdc", props=props, provider=chosen_provider,
                     datacenter=network if with_network else None, shared_file_system=efs, database_cluster=db)


NET = DatacenterProps(name="dc1", region=REGION, azs=AZS)
MOUNT = EfsMount(file_system_id="fs-0123456789abcdef0", access_point_id="fsap-0123456789abcdef0", region=REGION)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param(dict(props=PortalDatacenterProps(file_system=SharedFileSystemProps()), with_efs=True),
                     ["datacenters[dc1]: file_system (props to build a file system) and shared_file_system (an "
                      "existing SharedFileSystem) are both set: pass one"], id="file-system-both"),
        pytest.param(dict(props=PortalDatacenterProps(database=DatabaseClusterProps()), with_db=True),
                     ["datacenters[dc1]: database (props to build a database cluster) and database_cluster (an "
                      "existing DatabaseCluster) are both set: pass one"], id="database-both"),
        pytest.param(dict(props=PortalDatacenterProps(efs_mount=MOUNT), with_efs=True),
                     ["efs_mount (another datacenter's file system) and shared_file_system"], id="efs-mount-both"),
        pytest.param(dict(props=PortalDatacenterProps(fleet=PortalFleetProps(data_volume_gb=50)),
                          with_efs=True),
                     ["fleet.data_volume_gb (local storage) is set together with shared_file_system"],
                     id="local-volume-and-existing-efs"),
        pytest.param(dict(props=PortalDatacenterProps(network=NET), provider="same"),
                     ["network (props to build or adopt a network) and datacenter (an existing Datacenter dc1) "
                      "are both set"], id="network-both"),
        pytest.param(dict(props=PortalDatacenterProps(), with_network=False),
                     ["portal_datacenter: network is missing"], id="network-missing"),
        pytest.param(dict(props=PortalDatacenterProps(network=NET), with_network=False),
                     ["datacenters[dc1]: provider is missing: pass the AwsProvider of eu-west-1"],
                     id="provider-missing"),
        pytest.param(dict(props=PortalDatacenterProps(), provider="other"),
                     ["provider is not the provider of datacenter dc1"], id="provider-mismatch"),
        pytest.param(dict(props=PortalDatacenterProps(), with_efs=True, other_dc=True),
                     ["shared_file_system is in datacenter dc9, which is not the datacenter= passed here"],
                     id="file-system-elsewhere"),
        pytest.param(dict(props=PortalDatacenterProps(), with_db=True, other_dc=True),
                     ["database_cluster is in datacenter dc9, which is not the datacenter= passed here"],
                     id="database-elsewhere"),
        pytest.param(dict(props=PortalDatacenterProps(network=NET), with_network=False, with_efs=True,
                          provider="same"),
                     ["shared_file_system is in datacenter dc1, which is not the datacenter= passed here (none)",
                      "pass its Datacenter as datacenter="], id="file-system-without-its-datacenter"),
    ],
)
def test_existing_resource_rule(kwargs, expected):
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "rule")
    with pytest.raises(ConfigError) as err:
        _portal_datacenter(stack, **kwargs)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


# --- ExistingNetwork validation: one test per rule ---------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"azs": (f"{REGION}a",), "public_subnet_ids": PUBLIC[:1], "dmz_subnet_ids": DMZ[:1],
                      "internal_subnet_ids": INTERNAL[:1], "dmz_route_table_ids": DMZ_RTBS[:1],
                      "dmz_cidrs": ("10.20.10.0/24",), "internal_cidrs": ("10.20.20.0/24",)},
                     ["existing_network[dc1].azs lists 1 zone(s): an HA datacenter spans 2 to 6"], id="one-az"),
        pytest.param({"dmz_subnet_ids": DMZ[:2]},
                     ["existing_network[dc1].dmz_subnet_ids has 2 entries but azs lists 3 zone(s): give one per AZ"],
                     id="per-az-length-subnets"),
        pytest.param({"internal_cidrs": ("10.20.20.0/24",)},
                     ["existing_network[dc1].internal_cidrs has 1 entries but azs lists 3"], id="per-az-length-cidrs"),
        pytest.param({"dmz_route_table_ids": DMZ_RTBS[:2]},
                     ["existing_network[dc1].dmz_route_table_ids has 2 entries: give the one route table these "
                      "subnets share, or one per AZ (3)"], id="route-table-count"),
        pytest.param({"public_cidrs": ("10.20.0.0/24",)},
                     ["existing_network[dc1].public_cidrs has 1 entries but azs lists 3"], id="public-cidrs-length"),
        pytest.param({"vpc_cidr": "10.20.0.0/33"},
                     ["existing_network[dc1].vpc_cidr '10.20.0.0/33' is not a valid IPv4 CIDR"], id="vpc-cidr-syntax"),
        pytest.param({"dmz_cidrs": ("10.20.10.0/24", "10.20.11.1/24", "10.20.12.0/24")},
                     ["existing_network[dc1].dmz_cidrs[1] '10.20.11.1/24' is not a valid IPv4 CIDR"],
                     id="subnet-cidr-syntax"),
        pytest.param({"internal_cidrs": ("10.20.20.0/24", "10.20.21.0/24", "10.99.0.0/24")},
                     ["existing_network[dc1].internal_cidrs[2] 10.99.0.0/24 is outside vpc_cidr 10.20.0.0/16"],
                     id="cidr-outside-vpc"),
        pytest.param({"internal_cidrs": ("10.20.10.0/24", "10.20.21.0/24", "10.20.22.0/24")},
                     ["existing_network[dc1].internal_cidrs[0] 10.20.10.0/24 overlaps "
                      "existing_network[dc1].dmz_cidrs[0]"], id="cidrs-overlap"),
        pytest.param({"azs": (f"{REGION}a", f"{REGION}a", f"{REGION}b")}, ["repeats a zone"], id="azs-repeated"),
        pytest.param({"azs": ("us-east-1a", f"{REGION}b", f"{REGION}c")},
                     ["existing_network[dc1].azs[0] 'us-east-1a' is not a zone of eu-west-1"], id="az-region"),
        pytest.param({"vpc_id": "vpc-12"}, ["existing_network[dc1].vpc_id 'vpc-12' is not a vpc id"], id="vpc-id"),
        pytest.param({"dmz_subnet_ids": (DMZ[0], DMZ[1], "rtb-0123456789abcdef0")},
                     ["existing_network[dc1].dmz_subnet_ids[2] 'rtb-0123456789abcdef0' is not a subnet id"],
                     id="subnet-id"),
        pytest.param({"internal_route_table_ids": (DMZ[0],)},
                     [f"existing_network[dc1].internal_route_table_ids[0] '{DMZ[0]}' is not a rtb id"],
                     id="route-table-id"),
        pytest.param({"internal_nacl_id": "nacl-1"},
                     ["existing_network[dc1].internal_nacl_id 'nacl-1' is not a acl id"], id="nacl-id"),
        pytest.param({"internal_subnet_ids": (DMZ[0], INTERNAL[1], INTERNAL[2])},
                     [f"existing_network[dc1].internal_subnet_ids[0] '{DMZ[0]}' repeats "
                      "existing_network[dc1].dmz_subnet_ids[0]"], id="subnet-reused"),
        pytest.param({"dmz_cidrs": "10.20.10.0/24"},
                     ["existing_network[dc1].dmz_cidrs '10.20.10.0/24' is not a tuple"], id="string-not-tuple"),
        pytest.param({"internal_nacl_first_rule_number": 0},
                     ["existing_network[dc1].internal_nacl_first_rule_number 0 is out of range"], id="nacl-rule-start"),
        pytest.param({"region": "europe"}, ["existing_network[dc1].region 'europe' is not a well-formed AWS region"],
                     id="region"),
        pytest.param({"name": "DC1"}, ["datacenter.name 'DC1' must be lower-case"], id="name"),
    ],
)
def test_existing_network_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        _network(**overrides)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_existing_network_accepts_token_ids_but_not_token_ranges():
    from cdktf import TerraformStack, Testing, Token
    from cdktf_cdktf_provider_aws.data_aws_subnet import DataAwsSubnet
    from cdktf_cdktf_provider_aws.data_aws_vpc import DataAwsVpc

    stack = TerraformStack(Testing.app(), "tokens")
    vpc = DataAwsVpc(stack, "vpc", tags={"Name": "shared"})
    dmz = [DataAwsSubnet(stack, f"dmz-{i}", vpc_id=vpc.id, availability_zone=az) for i, az in enumerate(AZS)]
    network = _network(vpc_id=vpc.id, dmz_subnet_ids=tuple(s.id for s in dmz),
                       azs=tuple(s.availability_zone for s in dmz))
    assert Token.is_unresolved(network.vpc_id) and network.az_count == 3
    with pytest.raises(ConfigError) as err:
        _network(vpc_cidr=vpc.cidr_block)
    assert "existing_network[dc1].vpc_cidr is a cdktf token: give the range as a plain CIDR" in str(err.value)


def test_existing_network_reports_every_problem_at_once():
    with pytest.raises(ConfigError) as err:
        _network(vpc_id="v", vpc_cidr="nope", dmz_subnet_ids=DMZ[:1])
    assert len(err.value.problems) == 3


def test_building_the_network_without_its_provider_is_a_config_error(adopted):
    """The network step repeats the upfront refusal as a ConfigError (it cannot be reached through __init__)."""
    _, pdc = adopted
    with pytest.raises(ConfigError) as err:
        pdc._network(None)
    assert err.value.problems == ["datacenters[dc1]: provider is missing: pass the AwsProvider of eu-west-1 as "
                                  "provider="]
