"""Datacenter: one region and one VPC with public, DMZ and internal subnets per availability zone.

The seed's datacenter becomes:
- ``public`` subnets: the internet-facing load balancer and the NAT gateways;
- ``dmz`` subnets: private, egress through NAT; they hold the portal (Apache) instances;
- ``internal`` subnets: no route to the internet; they hold the shared file system and the database.
A network ACL on the internal tier admits only the DMZ ranges (and peer datacenters' DMZ ranges) on NFS and
MySQL, plus the return traffic.

A datacenter can also adopt a network that already exists (aws-cdk's ``Vpc.fromVpcAttributes`` in spirit):
``Datacenter.from_existing(scope, id, network=ExistingNetwork(...), provider=...)`` exposes the same
attributes as a built datacenter and creates no VPC, subnet, route, NAT, internet gateway, flow log or
default-security-group resource. It adds network ACL rules only to an ``internal_nacl_id`` it is given.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field

from cdktf import Fn, Token
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_availability_zones import (
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
)
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.network_acl import NetworkAcl
from cdktf_cdktf_provider_aws.network_acl_rule import NetworkAclRule
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from .errors import Problems, check_name, check_region, parse_network
from .service_ingress import cidr_id

TIERS = ("public", "dmz", "internal")
MIN_AZS, MAX_AZS = 2, 6
MIN_VPC_PREFIX, MAX_VPC_PREFIX = 16, 24  # AWS: a VPC CIDR block is /16 to /28; /24 leaves room for 3 tiers
MAX_SUBNET_PREFIX = 28  # AWS: the smallest subnet is a /28
VALID_LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                            2557, 2922, 3288, 3653)
# Ports the internal tier serves to the DMZ: NFS (EFS) and MySQL (Aurora).
INTERNAL_SERVICE_PORTS = (2049, 3306)
EPHEMERAL_PORTS = (1024, 65535)


@dataclass(frozen=True, kw_only=True)
class SubnetCidrs:
    """Explicit subnet ranges, one per AZ in each tier, in AZ order. They must lie inside the VPC CIDR."""

    public: tuple[str, ...]
    """Ranges of the public subnets (NLB, NAT gateways), one per AZ. Required: no default."""
    dmz: tuple[str, ...]
    """Ranges of the DMZ subnets (portal instances), one per AZ. Required: no default."""
    internal: tuple[str, ...]
    """Ranges of the internal subnets (EFS, database), one per AZ. Required: no default."""


@dataclass(frozen=True, kw_only=True)
class DatacenterProps:
    """What one datacenter's network looks like. Every default is the HA choice; lab options are explicit."""

    name: str
    """Datacenter name, used in resource names and tags (for example ``dc1``). Lower-case, at most 12 characters."""
    region: str
    """AWS region of this datacenter, for example ``eu-west-1``. It must match the provider passed in."""
    cidr: str = "10.0.0.0/16"
    """VPC range, /16 to /24. Datacenters that are peered must not overlap. Default: ``10.0.0.0/16`` (give each
    datacenter of a mesh its own range)."""
    az_count: int = 3
    """Number of availability zones used (2 to 6). Each tier gets one subnet per AZ. Default: 3 (the database's
    3 nodes need 3 AZs)."""
    azs: tuple[str, ...] | None = None
    """Explicit AZ names. Default: the first ``az_count`` available AZs of the region, read at plan time."""
    subnet_cidrs: SubnetCidrs | None = None
    """Explicit subnet ranges. Default: the VPC is split into 3 x ``az_count`` equal subnets, tier by tier."""
    single_nat_gateway: bool = False
    """Cost/lab option: one shared NAT gateway instead of one per AZ. Default: a NAT per AZ, so losing an AZ
    never cuts the other AZs' egress."""
    flow_logs: bool = True
    """VPC flow logs (all traffic) to CloudWatch Logs. Default: on."""
    flow_log_retention_days: int = 90
    """How long flow logs are kept, in days (a CloudWatch Logs retention value). Default: 90."""
    name_prefix: str = "portal"
    """Prefix of every resource name. Default: ``portal``."""

    def __post_init__(self) -> None:
        problems = Problems()
        check_name(self.name, "datacenter.name", 12, problems)
        check_name(self.name_prefix, "name_prefix", 16, problems)
        check_region(self.region, f"datacenters[{self.name}].region", problems)
        where = f"datacenters[{self.name}]"
        vpc = parse_network(self.cidr, f"{where}.cidr", problems)
        if vpc is not None:
            problems.check(
                MIN_VPC_PREFIX <= vpc.prefixlen <= MAX_VPC_PREFIX,
                f"{where}.cidr {self.cidr} has prefix /{vpc.prefixlen}: AWS VPCs here must be /{MIN_VPC_PREFIX} "
                f"to /{MAX_VPC_PREFIX}; use for example 10.0.0.0/16",
            )
        az_count_ok = problems.check(
            isinstance(self.az_count, int) and MIN_AZS <= self.az_count <= MAX_AZS,
            f"{where}.az_count {self.az_count!r} is out of range: use {MIN_AZS} to {MAX_AZS} availability zones "
            f"(HA needs at least {MIN_AZS})",
        )
        if self.azs is not None:
            problems.check(
                len(self.azs) == self.az_count,
                f"{where}.azs lists {len(self.azs)} zone(s) but az_count is {self.az_count}: list exactly "
                "az_count zones, or leave azs unset to read them from the region",
            )
            problems.check(
                len(set(self.azs)) == len(self.azs),
                f"{where}.azs {list(self.azs)} repeats a zone: each subnet tier needs distinct zones",
            )
            for i, az in enumerate(self.azs):
                problems.check(
                    isinstance(az, str) and az.startswith(self.region) and len(az) == len(self.region) + 1,
                    f"{where}.azs[{i}] {az!r} is not a zone of {self.region}: use names such as {self.region}a",
                )
        problems.check(
            self.flow_log_retention_days in VALID_LOG_RETENTION_DAYS,
            f"{where}.flow_log_retention_days {self.flow_log_retention_days!r} is not a CloudWatch Logs "
            f"retention value: use one of {', '.join(map(str, VALID_LOG_RETENTION_DAYS))}",
        )
        if vpc is not None and az_count_ok:
            if self.subnet_cidrs is None:
                _check_room(vpc, self.az_count, where, problems)
            else:
                _check_explicit_subnets(vpc, self.subnet_cidrs, self.az_count, where, problems)
        problems.raise_if_any()

    def tier_cidrs(self) -> dict[str, list[str]]:
        """Subnet ranges per tier, in AZ order: the explicit ones, or the VPC split evenly, tier by tier."""
        if self.subnet_cidrs is not None:
            return {t: list(getattr(self.subnet_cidrs, t)) for t in TIERS}
        vpc = ipaddress.IPv4Network(self.cidr)
        new_prefix = vpc.prefixlen + _extra_bits(self.az_count)
        subnets = [str(s) for s in vpc.subnets(new_prefix=new_prefix)]
        n = self.az_count
        return {tier: subnets[i * n:(i + 1) * n] for i, tier in enumerate(TIERS)}


def _extra_bits(az_count: int) -> int:
    return math.ceil(math.log2(len(TIERS) * az_count))


def _check_room(vpc: ipaddress.IPv4Network, az_count: int, where: str, problems: Problems) -> None:
    prefix = vpc.prefixlen + _extra_bits(az_count)
    problems.check(
        prefix <= MAX_SUBNET_PREFIX,
        f"{where}.cidr {vpc} is too small for {len(TIERS)} tiers x {az_count} AZs: each subnet would be /{prefix} "
        f"and AWS subnets are at least /{MAX_SUBNET_PREFIX}; use a larger VPC range or fewer AZs",
    )


def _check_explicit_subnets(
    vpc: ipaddress.IPv4Network, cidrs: SubnetCidrs, az_count: int, where: str, problems: Problems
) -> None:
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for tier in TIERS:
        values = getattr(cidrs, tier)
        problems.check(
            len(values) == az_count,
            f"{where}.subnet_cidrs.{tier} has {len(values)} range(s) but az_count is {az_count}: give one per AZ",
        )
        for i, value in enumerate(values):
            label = f"{where}.subnet_cidrs.{tier}[{i}]"
            net = parse_network(value, label, problems)
            if net is None:
                continue
            if not problems.check(
                net.subnet_of(vpc), f"{label} {value} is outside the VPC range {vpc}: pick a range inside it"
            ):
                continue
            problems.check(
                net.prefixlen <= MAX_SUBNET_PREFIX,
                f"{label} {value} is smaller than /{MAX_SUBNET_PREFIX}: AWS subnets are at least /{MAX_SUBNET_PREFIX}",
            )
            for other_label, other in seen:
                problems.check(
                    not net.overlaps(other),
                    f"{label} {value} overlaps {other_label} {other}: give each subnet its own range",
                )
            seen.append((label, net))


ID_PATTERNS = {
    "vpc": re.compile(r"^vpc-[0-9a-f]{8,17}$"),
    "subnet": re.compile(r"^subnet-[0-9a-f]{8,17}$"),
    "rtb": re.compile(r"^rtb-[0-9a-f]{8,17}$"),
    "acl": re.compile(r"^acl-[0-9a-f]{8,17}$"),
}
MAX_NACL_RULE_NUMBER = 32766  # AWS: network ACL rule numbers are 1 to 32766


def _known(value: object) -> bool:
    """A plain value that can be checked now (a cdktf token is only known at plan time)."""
    return not (isinstance(value, str) and Token.is_unresolved(value))


@dataclass(frozen=True, kw_only=True)
class ExistingNetwork:
    """A datacenter network that already exists, adopted read-only: nothing of it is created or changed.

    The same three tiers as a built :class:`Datacenter`, given as ids and ranges in AZ order (entry ``i`` of
    every per-AZ field is in ``azs[i]``): ``public`` subnets for the load balancer, ``dmz`` subnets (egress to
    the internet through NAT) for the portal instances, ``internal`` subnets (no internet route) for EFS and
    the database. Ids and zone names may be cdktf tokens (for example read with the ``aws_vpc`` /
    ``aws_subnet`` / ``aws_route_table`` data sources) and are validated only when plain. The ranges
    (``vpc_cidr`` and the ``*_cidrs``) must be plain CIDRs: they name security-group and network ACL rules
    (a token would make those names change from one synth to the next), and the mesh checks them for overlaps.
    """

    name: str
    """Datacenter name, used in resource names and tags (for example ``dc1``). Lower-case, at most 12
    characters."""
    region: str
    """AWS region of the VPC, for example ``eu-west-1``. It must match the provider passed in."""
    vpc_id: str
    """The VPC (``vpc-...``)."""
    vpc_cidr: str
    """The VPC's IPv4 range, for example ``10.20.0.0/16`` (peering routes and overlap checks use it)."""
    azs: tuple[str, ...]
    """Availability zones, at least 2, in the order of every per-AZ field below."""
    public_subnet_ids: tuple[str, ...]
    """One public subnet per AZ (route to an internet gateway): the internet-facing NLB goes there."""
    dmz_subnet_ids: tuple[str, ...]
    """One DMZ subnet per AZ (private, egress through NAT): the portal instances go there."""
    internal_subnet_ids: tuple[str, ...]
    """One internal subnet per AZ (no internet route): EFS mount targets and the database go there."""
    dmz_route_table_ids: tuple[str, ...]
    """Route tables of the DMZ subnets: one shared, or one per AZ. ``DatacenterMesh`` adds peer routes here."""
    internal_route_table_ids: tuple[str, ...]
    """Route tables of the internal subnets: one shared, or one per AZ. ``DatacenterMesh`` adds peer routes."""
    dmz_cidrs: tuple[str, ...]
    """IPv4 ranges of the DMZ subnets, in AZ order: admitted by the NLB egress, EFS and database rules."""
    internal_cidrs: tuple[str, ...]
    """IPv4 ranges of the internal subnets, in AZ order: the portal instances may reach NFS/MySQL there."""
    public_cidrs: tuple[str, ...] = ()
    """IPv4 ranges of the public subnets, in AZ order. Default: none given (nothing in the library needs
    them; ``Datacenter.public_cidrs`` is then empty)."""
    internal_nacl_id: str | None = None
    """Network ACL of the internal subnets (``acl-...``) that the library may add rules to: this datacenter's
    DMZ ranges and, in a mesh, the peers' DMZ ranges on NFS 2049 and MySQL 3306 in, ephemeral ports out.
    Default: None, no network ACL rule is ever created: the existing ACLs must already admit the DMZ (and peer
    DMZ) ranges into the internal tier, and ``allow_into_internal_tier`` does nothing."""
    internal_nacl_first_rule_number: int = 100
    """First rule number used in ``internal_nacl_id`` (each direction, steps of 10). Default: 100; pick a range
    the ACL's own rules do not use (numbers are unique per direction)."""
    name_prefix: str = "portal"
    """Prefix of every resource name made in this network. Default: ``portal``."""

    def __post_init__(self) -> None:
        problems = Problems()
        check_name(self.name, "datacenter.name", 12, problems)
        check_name(self.name_prefix, "name_prefix", 16, problems)
        check_region(self.region, f"existing_network[{self.name}].region", problems)
        where = f"existing_network[{self.name}]"
        _check_id(self.vpc_id, "vpc", f"{where}.vpc_id", problems)
        vpc = _parse_plain_cidr(self.vpc_cidr, f"{where}.vpc_cidr", problems)

        azs = self.azs
        azs_ok = _check_sequence(azs, f"{where}.azs", problems)
        if azs_ok:
            problems.check(
                MIN_AZS <= len(azs) <= MAX_AZS,
                f"{where}.azs lists {len(azs)} zone(s): an HA datacenter spans {MIN_AZS} to {MAX_AZS} availability "
                "zones; list at least 2, one per subnet of each tier",
            )
            known_azs = [az for az in azs if _known(az)]
            problems.check(
                len(set(known_azs)) == len(known_azs),
                f"{where}.azs {list(azs)} repeats a zone: each subnet tier needs distinct zones",
            )
            for i, az in enumerate(azs):
                if _known(az):
                    problems.check(
                        isinstance(az, str) and az.startswith(self.region) and len(az) == len(self.region) + 1,
                        f"{where}.azs[{i}] {az!r} is not a zone of {self.region}: use names such as {self.region}a",
                    )
        n = len(azs) if azs_ok else None

        def per_az(field_name: str, values: tuple[str, ...], allow_empty: bool = False) -> bool:
            label = f"{where}.{field_name}"
            if not _check_sequence(values, label, problems):
                return False
            if allow_empty and not values:
                return True
            return n is None or problems.check(
                len(values) == n,
                f"{label} has {len(values)} entries but azs lists {n} zone(s): give one per AZ, in the order of azs",
            )

        subnet_ids: list[tuple[str, str]] = []
        for tier in ("public", "dmz", "internal"):
            field_name = f"{tier}_subnet_ids"
            values = getattr(self, field_name)
            if per_az(field_name, values):
                for i, value in enumerate(values):
                    _check_id(value, "subnet", f"{where}.{field_name}[{i}]", problems)
                    subnet_ids.append((f"{where}.{field_name}[{i}]", value))
        first: dict[str, str] = {}
        for label, value in subnet_ids:
            if _known(value) and value in first:
                problems.add(f"{label} {value!r} repeats {first[value]}: each tier needs its own subnet in each AZ")
            first.setdefault(value, label)

        for field_name in ("dmz_route_table_ids", "internal_route_table_ids"):
            values = getattr(self, field_name)
            label = f"{where}.{field_name}"
            if _check_sequence(values, label, problems):
                problems.check(
                    len(values) == 1 or (n is not None and len(values) == n),
                    f"{label} has {len(values)} entries: give the one route table these subnets share, or one "
                    f"per AZ ({n if n is not None else 'len(azs)'})",
                )
                for i, value in enumerate(values):
                    _check_id(value, "rtb", f"{label}[{i}]", problems)

        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for field_name in ("public_cidrs", "dmz_cidrs", "internal_cidrs"):
            values = getattr(self, field_name)
            if not per_az(field_name, values, allow_empty=field_name == "public_cidrs"):
                continue
            for i, value in enumerate(values):
                label = f"{where}.{field_name}[{i}]"
                net = _parse_plain_cidr(value, label, problems)
                if net is None:
                    continue
                if vpc is not None and not problems.check(
                    net.subnet_of(vpc), f"{label} {value} is outside vpc_cidr {vpc}: give the subnet's own range"
                ):
                    continue
                for other_label, other in seen:
                    problems.check(
                        not net.overlaps(other),
                        f"{label} {value} overlaps {other_label} {other}: each subnet has its own range",
                    )
                seen.append((label, net))

        if self.internal_nacl_id is not None:
            _check_id(self.internal_nacl_id, "acl", f"{where}.internal_nacl_id", problems)
        first_rule = self.internal_nacl_first_rule_number
        problems.check(
            isinstance(first_rule, int) and not isinstance(first_rule, bool)
            and 1 <= first_rule <= MAX_NACL_RULE_NUMBER - 1000,
            f"{where}.internal_nacl_first_rule_number {first_rule!r} is out of range: network ACL rules are "
            f"numbered 1 to {MAX_NACL_RULE_NUMBER}; use a start such as 100 that leaves room for 100 rules",
        )
        problems.raise_if_any()

    @property
    def az_count(self) -> int:
        """Number of availability zones: ``len(azs)``."""
        return len(self.azs)


def _parse_plain_cidr(value: str, label: str, problems: Problems) -> ipaddress.IPv4Network | None:
    if not _known(value):
        problems.add(
            f"{label} is a cdktf token: give the range as a plain CIDR such as 10.0.0.0/24 (ranges name security "
            "group and network ACL rules, so they must be known at synth)"
        )
        return None
    return parse_network(value, label, problems)


def _check_sequence(values: object, label: str, problems: Problems) -> bool:
    return problems.check(
        isinstance(values, (tuple, list)),
        f"{label} {values!r} is not a tuple: give a tuple of strings, one per AZ, e.g. ('a', 'b')",
    )


def _check_id(value: object, kind: str, label: str, problems: Problems) -> None:
    """An AWS resource id of ``kind`` (``vpc-...``, ``subnet-...``, ``rtb-...``, ``acl-...``), when plain."""
    if not _known(value):
        return
    problems.check(
        isinstance(value, str) and bool(ID_PATTERNS[kind].match(value)),
        f"{label} {value!r} is not a {kind} id: use {kind}- followed by 8 to 17 hex digits, such as "
        f"{kind}-0123456789abcdef0",
    )


@dataclass
class _NaclRuleNumbers:
    """Network ACL rule numbers are unique per direction; hand them out in order."""

    ingress: int = 100
    egress: int = 100
    used: set[tuple[str, str]] = field(default_factory=set)


class Datacenter(Construct):
    """One region's VPC: three subnet tiers over ``az_count`` AZs, IGW, NAT, routes, internal NACL, flow logs.

    ``props`` is a :class:`DatacenterProps` (build the network) or an :class:`ExistingNetwork` (adopt one:
    see :meth:`from_existing`). Either way the datacenter exposes the same attributes:

    Attributes:
        provider, name, region, props: as given; ``resource_name`` is ``{name_prefix}-{name}``.
        adopted: True for an existing network (nothing of the network is created).
        vpc_id, vpc_cidr, azs: the VPC, its range and the AZs used (AZ names may be tokens when read from
            the region).
        public_subnet_ids, dmz_subnet_ids, internal_subnet_ids, public_cidrs, dmz_cidrs, internal_cidrs:
            per tier, in AZ order (``public_cidrs`` is empty for an existing network that did not list them).
        dmz_route_table_ids (one per AZ when built), internal_route_table_ids (one when built).
        public_route_table_id, vpc, internal_nacl: the built resources; None for an existing network.
        internal_nacl_id: the internal tier's network ACL that rules are added to; None for an existing
            network given without ``internal_nacl_id``.
        nat_gateway_ids: the NAT gateways made here (empty for an existing network).
    """

    props: DatacenterProps | ExistingNetwork
    provider: AwsProvider
    name: str
    region: str
    resource_name: str
    adopted: bool
    vpc: Vpc | None
    vpc_id: str
    vpc_cidr: str
    azs: list[str]
    public_subnet_ids: list[str]
    dmz_subnet_ids: list[str]
    internal_subnet_ids: list[str]
    public_cidrs: list[str]
    dmz_cidrs: list[str]
    internal_cidrs: list[str]
    public_route_table_id: str | None
    nat_gateway_ids: list[str]
    dmz_route_table_ids: list[str]
    internal_route_table_ids: list[str]
    internal_nacl: NetworkAcl | None
    internal_nacl_id: str | None

    def __init__(
        self, scope: Construct, id: str, *, props: DatacenterProps | ExistingNetwork, provider: AwsProvider
    ) -> None:
        super().__init__(scope, id)
        self.props = props
        self.provider = provider
        self.name = props.name
        self.region = props.region
        self.resource_name = f"{props.name_prefix}-{props.name}"
        if isinstance(props, ExistingNetwork):
            self._adopt(props)
        else:
            self._build(props, provider)

    @classmethod
    def from_existing(
        cls, scope: Construct, id: str, *, network: ExistingNetwork, provider: AwsProvider
    ) -> Datacenter:
        """Adopt an existing VPC and its subnets (read-only), like aws-cdk's ``Vpc.fromVpcAttributes``.

        Creates no VPC, subnet, route table, route, NAT or internet gateway, flow log or default security group
        resource: only network ACL rules, and only in ``network.internal_nacl_id`` when it is given (this
        datacenter's DMZ ranges now, peers' through ``allow_into_internal_tier``). ``provider`` is the
        ``AwsProvider`` of ``network.region``, used by every construct built on this datacenter.
        """
        return cls(scope, id, props=network, provider=provider)

    def _adopt(self, network: ExistingNetwork) -> None:
        self.adopted = True
        self.vpc = None
        self.vpc_id = network.vpc_id
        self.vpc_cidr = network.vpc_cidr
        self.azs = list(network.azs)
        self.public_subnet_ids = list(network.public_subnet_ids)
        self.dmz_subnet_ids = list(network.dmz_subnet_ids)
        self.internal_subnet_ids = list(network.internal_subnet_ids)
        self.public_cidrs = list(network.public_cidrs)
        self.dmz_cidrs = list(network.dmz_cidrs)
        self.internal_cidrs = list(network.internal_cidrs)
        self.public_route_table_id = None
        self.nat_gateway_ids = []
        self.dmz_route_table_ids = list(network.dmz_route_table_ids)
        self.internal_route_table_ids = list(network.internal_route_table_ids)
        self.internal_nacl = None
        self.internal_nacl_id = network.internal_nacl_id
        first = network.internal_nacl_first_rule_number
        self._rule_numbers = _NaclRuleNumbers(ingress=first, egress=first)
        for cidr in self.dmz_cidrs:
            self.allow_into_internal_tier(cidr)

    def _build(self, props: DatacenterProps, provider: AwsProvider) -> None:
        self.adopted = False
        base = self.resource_name
        n = props.az_count

        self.vpc = Vpc(
            self, "vpc", provider=provider, cidr_block=props.cidr,
            enable_dns_hostnames=True, enable_dns_support=True, tags={"Name": f"{base}-vpc"},
        )
        self.vpc_id = self.vpc.id
        self.vpc_cidr = props.cidr

        if props.azs is not None:
            self.azs = list(props.azs)
        else:
            zones = DataAwsAvailabilityZones(
                self, "azs", provider=provider, state="available",
                filter=[DataAwsAvailabilityZonesFilter(name="opt-in-status", values=["opt-in-not-required"])],
            )
            self.azs = [Fn.element(zones.names, i) for i in range(n)]

        # Strip the default security group: nothing may rely on it.
        DefaultSecurityGroup(self, "default-sg", provider=provider, vpc_id=self.vpc_id,
                             tags={"Name": f"{base}-default-closed"})

        cidrs = props.tier_cidrs()
        self.public_cidrs, self.dmz_cidrs, self.internal_cidrs = cidrs["public"], cidrs["dmz"], cidrs["internal"]
        subnets: dict[str, list[Subnet]] = {}
        for tier in TIERS:
            subnets[tier] = [
                Subnet(
                    self, f"{tier}-{i}", provider=provider, vpc_id=self.vpc_id, cidr_block=cidrs[tier][i],
                    availability_zone=self.azs[i], map_public_ip_on_launch=False,
                    tags={"Name": f"{base}-{tier}-{i}", "Tier": tier},
                )
                for i in range(n)
            ]
        self.public_subnet_ids = [s.id for s in subnets["public"]]
        self.dmz_subnet_ids = [s.id for s in subnets["dmz"]]
        self.internal_subnet_ids = [s.id for s in subnets["internal"]]

        # Public tier: one route table, default route to the internet gateway.
        igw = InternetGateway(self, "igw", provider=provider, vpc_id=self.vpc_id, tags={"Name": f"{base}-igw"})
        public_rt = RouteTable(self, "public-rt", provider=provider, vpc_id=self.vpc_id,
                               tags={"Name": f"{base}-public", "Tier": "public"})
        Route(self, "public-default", provider=provider, route_table_id=public_rt.id,
              destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
        for i, subnet_id in enumerate(self.public_subnet_ids):
            RouteTableAssociation(self, f"public-rta-{i}", provider=provider, subnet_id=subnet_id,
                                  route_table_id=public_rt.id)
        self.public_route_table_id = public_rt.id

        # NAT: one per AZ by default, so an AZ outage never takes the other AZs' egress with it.
        nat_count = 1 if props.single_nat_gateway else n
        nat_ids: list[str] = []
        for i in range(nat_count):
            eip = Eip(self, f"nat-eip-{i}", provider=provider, domain="vpc", tags={"Name": f"{base}-nat-{i}"},
                      depends_on=[igw])
            nat = NatGateway(self, f"nat-{i}", provider=provider, allocation_id=eip.id,
                             subnet_id=self.public_subnet_ids[i], tags={"Name": f"{base}-nat-{i}"},
                             depends_on=[igw])
            nat_ids.append(nat.id)
        self.nat_gateway_ids = nat_ids

        # DMZ tier: a route table per AZ, default route through that AZ's NAT.
        self.dmz_route_table_ids = []
        for i, subnet_id in enumerate(self.dmz_subnet_ids):
            rt = RouteTable(self, f"dmz-rt-{i}", provider=provider, vpc_id=self.vpc_id,
                            tags={"Name": f"{base}-dmz-{i}", "Tier": "dmz"})
            Route(self, f"dmz-default-{i}", provider=provider, route_table_id=rt.id,
                  destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat_ids[i % nat_count])
            RouteTableAssociation(self, f"dmz-rta-{i}", provider=provider, subnet_id=subnet_id, route_table_id=rt.id)
            self.dmz_route_table_ids.append(rt.id)

        # Internal tier: one route table with only the local route. No path to the internet, by design.
        internal_rt = RouteTable(self, "internal-rt", provider=provider, vpc_id=self.vpc_id,
                                 tags={"Name": f"{base}-internal", "Tier": "internal"})
        for i, subnet_id in enumerate(self.internal_subnet_ids):
            RouteTableAssociation(self, f"internal-rta-{i}", provider=provider, subnet_id=subnet_id,
                                  route_table_id=internal_rt.id)
        self.internal_route_table_ids = [internal_rt.id]

        # Internal firewall (stateless layer): only DMZ ranges on NFS/MySQL in, return traffic out.
        self.internal_nacl = NetworkAcl(self, "internal-nacl", provider=provider, vpc_id=self.vpc_id,
                                        subnet_ids=self.internal_subnet_ids,
                                        tags={"Name": f"{base}-internal", "Tier": "internal"})
        self.internal_nacl_id = self.internal_nacl.id
        self._rule_numbers = _NaclRuleNumbers()
        for cidr in self.dmz_cidrs:
            self.allow_into_internal_tier(cidr)

        if props.flow_logs:
            self._flow_logs(props, base, provider)

    def allow_into_internal_tier(self, cidr: str) -> None:
        """Admit ``cidr`` into the internal subnets on NFS and MySQL, and let the replies back out.

        Used for this datacenter's DMZ ranges and, in multi-DC stacks, for peer datacenters' DMZ ranges.
        An existing network given without ``internal_nacl_id`` gets no rule: this does nothing, and its own
        network ACLs must admit ``cidr``.
        """
        nacl_id = self.internal_nacl_id
        if nacl_id is None:
            return
        numbers = self._rule_numbers
        for port in INTERNAL_SERVICE_PORTS:
            if ("in", f"{cidr}:{port}") in numbers.used:
                continue
            numbers.used.add(("in", f"{cidr}:{port}"))
            NetworkAclRule(
                self, f"internal-in-{cidr_id(cidr)}-{port}", provider=self.provider, network_acl_id=nacl_id,
                rule_number=numbers.ingress, egress=False, protocol="tcp", rule_action="allow",
                cidr_block=cidr, from_port=port, to_port=port,
            )
            numbers.ingress += 10
        if ("out", cidr) not in numbers.used:
            numbers.used.add(("out", cidr))
            NetworkAclRule(
                self, f"internal-out-{cidr_id(cidr)}", provider=self.provider, network_acl_id=nacl_id,
                rule_number=numbers.egress, egress=True, protocol="tcp", rule_action="allow",
                cidr_block=cidr, from_port=EPHEMERAL_PORTS[0], to_port=EPHEMERAL_PORTS[1],
            )
            numbers.egress += 10

    def _flow_logs(self, props: DatacenterProps, base: str, provider: AwsProvider) -> None:
        log_group = CloudwatchLogGroup(
            self, "flow-log-group", provider=provider, name=f"/{props.name_prefix}/{props.name}/vpc-flow-logs",
            retention_in_days=props.flow_log_retention_days,
        )
        role = IamRole(
            self, "flow-log-role", provider=provider, name=f"{base}-flow-logs",
            assume_role_policy=Fn.jsonencode({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}],
            }),
        )
        IamRolePolicy(
            self, "flow-log-policy", provider=provider, name="write-flow-logs", role=role.id,
            policy=Fn.jsonencode({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": f"{log_group.arn}:*",
                }],
            }),
        )
        self.flow_log = FlowLog(
            self, "flow-log", provider=provider, vpc_id=self.vpc_id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=log_group.arn, iam_role_arn=role.arn,
            max_aggregation_interval=60, tags={"Name": f"{base}-flow-log"},
        )
        self.flow_log_group_name: str = log_group.name
