"""Datacenter: one region and one VPC with public, DMZ and internal subnets per availability zone.

The seed's datacenter becomes:
- ``public`` subnets: the internet-facing load balancer and the NAT gateways;
- ``dmz`` subnets: private, egress through NAT; they hold the portal (Apache) instances;
- ``internal`` subnets: no route to the internet; they hold the shared file system and the database.
A network ACL on the internal tier admits only the DMZ ranges (and peer datacenters' DMZ ranges) on NFS and
MySQL, plus the return traffic.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from typing import Literal

from cdktf import Fn
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
    dmz: tuple[str, ...]
    internal: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DatacenterProps:
    """What one datacenter's network looks like. Every default is the HA choice; lab options are explicit."""

    name: str
    """Datacenter name, used in resource names and tags (for example ``dc1``). Lower-case, at most 12 characters."""
    region: str
    """AWS region of this datacenter, for example ``eu-west-1``. It must match the provider passed in."""
    cidr: str = "10.0.0.0/16"
    """VPC range, /16 to /24. Datacenters that are peered must not overlap."""
    az_count: int = 3
    """Number of availability zones used (2 to 6). Each tier gets one subnet per AZ."""
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


def _id(cidr: str) -> str:
    """A CIDR as a construct id fragment (ids may not hold '/')."""
    return cidr.replace("/", "_")


@dataclass
class _NaclRuleNumbers:
    """Network ACL rule numbers are unique per direction; hand them out in order."""

    ingress: int = 100
    egress: int = 100
    used: set[tuple[str, str]] = field(default_factory=set)


class Datacenter(Construct):
    """One region's VPC: three subnet tiers over ``az_count`` AZs, IGW, NAT, routes, internal NACL, flow logs."""

    def __init__(self, scope: Construct, id: str, *, props: DatacenterProps, provider: AwsProvider) -> None:
        super().__init__(scope, id)
        self.props = props
        self.provider = provider
        self.name = props.name
        self.region = props.region
        base = f"{props.name_prefix}-{props.name}"
        self.resource_name = base
        n = props.az_count

        self.vpc = Vpc(
            self, "vpc", provider=provider, cidr_block=props.cidr,
            enable_dns_hostnames=True, enable_dns_support=True, tags={"Name": f"{base}-vpc"},
        )
        self.vpc_id: str = self.vpc.id
        self.vpc_cidr: str = props.cidr

        if props.azs is not None:
            self.azs: list[str] = list(props.azs)
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
        self.public_subnet_ids: list[str] = [s.id for s in subnets["public"]]
        self.dmz_subnet_ids: list[str] = [s.id for s in subnets["dmz"]]
        self.internal_subnet_ids: list[str] = [s.id for s in subnets["internal"]]

        # Public tier: one route table, default route to the internet gateway.
        igw = InternetGateway(self, "igw", provider=provider, vpc_id=self.vpc_id, tags={"Name": f"{base}-igw"})
        public_rt = RouteTable(self, "public-rt", provider=provider, vpc_id=self.vpc_id,
                               tags={"Name": f"{base}-public", "Tier": "public"})
        Route(self, "public-default", provider=provider, route_table_id=public_rt.id,
              destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
        for i, subnet_id in enumerate(self.public_subnet_ids):
            RouteTableAssociation(self, f"public-rta-{i}", provider=provider, subnet_id=subnet_id,
                                  route_table_id=public_rt.id)
        self.public_route_table_id: str = public_rt.id

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
        self.nat_gateway_ids: list[str] = nat_ids

        # DMZ tier: a route table per AZ, default route through that AZ's NAT.
        self.dmz_route_table_ids: list[str] = []
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
        self.internal_route_table_ids: list[str] = [internal_rt.id]

        # Internal firewall (stateless layer): only DMZ ranges on NFS/MySQL in, return traffic out.
        self.internal_nacl = NetworkAcl(self, "internal-nacl", provider=provider, vpc_id=self.vpc_id,
                                        subnet_ids=self.internal_subnet_ids,
                                        tags={"Name": f"{base}-internal", "Tier": "internal"})
        self.internal_nacl_id: str = self.internal_nacl.id
        self._rule_numbers = _NaclRuleNumbers()
        for cidr in self.dmz_cidrs:
            self.allow_into_internal_tier(cidr)

        if props.flow_logs:
            self._flow_logs(base, provider)

    def allow_into_internal_tier(self, cidr: str) -> None:
        """Admit ``cidr`` into the internal subnets on NFS and MySQL, and let the replies back out.

        Used for this datacenter's DMZ ranges and, in multi-DC stacks, for peer datacenters' DMZ ranges.
        """
        numbers = self._rule_numbers
        for port in INTERNAL_SERVICE_PORTS:
            if ("in", f"{cidr}:{port}") in numbers.used:
                continue
            numbers.used.add(("in", f"{cidr}:{port}"))
            NetworkAclRule(
                self, f"internal-in-{_id(cidr)}-{port}", provider=self.provider, network_acl_id=self.internal_nacl_id,
                rule_number=numbers.ingress, egress=False, protocol="tcp", rule_action="allow",
                cidr_block=cidr, from_port=port, to_port=port,
            )
            numbers.ingress += 10
        if ("out", cidr) not in numbers.used:
            numbers.used.add(("out", cidr))
            NetworkAclRule(
                self, f"internal-out-{_id(cidr)}", provider=self.provider, network_acl_id=self.internal_nacl_id,
                rule_number=numbers.egress, egress=True, protocol="tcp", rule_action="allow",
                cidr_block=cidr, from_port=EPHEMERAL_PORTS[0], to_port=EPHEMERAL_PORTS[1],
            )
            numbers.egress += 10

    def _flow_logs(self, base: str, provider: AwsProvider) -> None:
        log_group = CloudwatchLogGroup(
            self, "flow-log-group", provider=provider, name=f"/{self.props.name_prefix}/{self.props.name}/vpc-flow-logs",
            retention_in_days=self.props.flow_log_retention_days,
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
