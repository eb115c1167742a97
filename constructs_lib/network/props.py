"""The props of a datacenter's network: one region and one VPC with ``public``, ``dmz`` and ``internal``
subnets in each availability zone. Validated when made (every problem at once)."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from ..errors import Problem, Problems, Ref
from ..thresholds import MAX_AZS, MIN_AZS
from ..validation import check_name, check_region, parse_network

TIERS = ("public", "dmz", "internal")
MIN_VPC_PREFIX, MAX_VPC_PREFIX = 16, 24  # AWS: a VPC CIDR block is /16 to /28; /24 leaves room for 3 tiers
MAX_SUBNET_PREFIX = 28  # AWS: the smallest subnet is a /28
VALID_LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                            2557, 2922, 3288, 3653)


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
                Problem(f"{where}.cidr", self.cidr, f"has prefix /{vpc.prefixlen}: AWS VPCs here must be "
                        f"/{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}; use for example 10.0.0.0/16", literal=False),
            )
        az_count_ok = problems.check(
            isinstance(self.az_count, int) and MIN_AZS <= self.az_count <= MAX_AZS,
            Problem(f"{where}.az_count", self.az_count, f"is out of range: use {MIN_AZS} to {MAX_AZS} availability "
                    f"zones (HA needs at least {MIN_AZS})"),
        )
        if self.azs is not None:
            problems.check(
                len(self.azs) == self.az_count,
                Problem(f"{where}.azs", fix=f"lists {len(self.azs)} zone(s) but az_count is {self.az_count}: list "
                        "exactly az_count zones, or leave azs unset to read them from the region"),
            )
            problems.check(
                len(set(self.azs)) == len(self.azs),
                Problem(f"{where}.azs", list(self.azs), "repeats a zone: each subnet tier needs distinct zones"),
            )
            for i, az in enumerate(self.azs):
                problems.check(
                    isinstance(az, str) and az.startswith(self.region) and len(az) == len(self.region) + 1,
                    Problem(f"{where}.azs[{i}]", az, f"is not a zone of {self.region}: use names such as "
                            f"{self.region}a"),
                )
        problems.check(
            self.flow_log_retention_days in VALID_LOG_RETENTION_DAYS,
            Problem(f"{where}.flow_log_retention_days", self.flow_log_retention_days, "is not a CloudWatch Logs "
                    f"retention value: use one of {', '.join(map(str, VALID_LOG_RETENTION_DAYS))}"),
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
        Problem(f"{where}.cidr", vpc, f"is too small for {len(TIERS)} tiers x {az_count} AZs: each subnet would be "
                f"/{prefix} and AWS subnets are at least /{MAX_SUBNET_PREFIX}; use a larger VPC range or fewer AZs",
                literal=False),
    )


def _check_explicit_subnets(
    vpc: ipaddress.IPv4Network, cidrs: SubnetCidrs, az_count: int, where: str, problems: Problems
) -> None:
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for tier in TIERS:
        values = getattr(cidrs, tier)
        problems.check(
            len(values) == az_count,
            Problem(f"{where}.subnet_cidrs.{tier}", fix=f"has {len(values)} range(s) but az_count is {az_count}: "
                    "give one per AZ"),
        )
        for i, value in enumerate(values):
            label = f"{where}.subnet_cidrs.{tier}[{i}]"
            net = parse_network(value, label, problems)
            if net is None:
                continue
            if not problems.check(
                net.subnet_of(vpc), Problem(label, value, f"is outside the VPC range {vpc}: pick a range inside it",
                                            literal=False)
            ):
                continue
            problems.check(
                net.prefixlen <= MAX_SUBNET_PREFIX,
                Problem(label, value, f"is smaller than /{MAX_SUBNET_PREFIX}: AWS subnets are at least "
                        f"/{MAX_SUBNET_PREFIX}", literal=False),
            )
            for other_label, other in seen:
                problems.check(
                    not net.overlaps(other),
                    Problem(label, value, f"overlaps {{0}} {other}: give each subnet its own range",
                            refs=(Ref(other_label),), literal=False),
                )
            seen.append((label, net))
