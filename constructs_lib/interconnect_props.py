"""The inter-region mesh's props and pure checks (``interconnect`` builds it). Importing this module loads no
provider binding: settings check the datacenters' ranges with it before any construct exists."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import Problem, Problems, Ref
from .validation import check_name

DEFAULT_NACL_RULES_PER_DIRECTION = 20
MAX_NACL_RULES_PER_DIRECTION = 40
MIN_DATACENTERS = 2


def check_no_overlap(named_cidrs: Sequence[tuple[str, str]]) -> list[Problem]:
    """Problems for every pair of datacenter VPC ranges that overlap, in input order (``datacenters[i]``).

    ``named_cidrs`` is ``[(datacenter name, VPC CIDR), ...]``. Pure: no jsii, usable by settings before any
    construct exists. Ranges that do not parse are skipped: ``DatacenterProps`` reports those itself.
    """
    parsed: list[tuple[int, str, str, ipaddress.IPv4Network]] = []
    for index, (name, cidr) in enumerate(named_cidrs):
        try:
            parsed.append((index, name, cidr, ipaddress.IPv4Network(cidr, strict=True)))
        except (ValueError, TypeError):
            continue
    problems: list[Problem] = []
    for later, (j, name_j, cidr_j, net_j) in enumerate(parsed):
        for i, name_i, cidr_i, net_i in parsed[:later]:
            if net_j.overlaps(net_i):
                problems.append(Problem(
                    f"datacenters[{j}].cidr", cidr_j, f"({name_j}) overlaps {{0}} {cidr_i} ({name_i}): give each "
                    "datacenter its own range", refs=(Ref(f"datacenters[{i}].cidr"),), literal=False
                ))
    return problems


def check_mesh_members(members: Sequence[tuple[str, str, str]]) -> list[Problem]:
    """Every mesh rule over ``[(name, region, cidr), ...]``: at least 2 members, distinct names, one datacenter
    per region (the mesh peers across regions), no overlapping ranges. Pure, like :func:`check_no_overlap`."""
    problems: list[Problem] = []
    if len(members) < MIN_DATACENTERS:
        problems.append(Problem(
            "datacenters", fix=f"has {len(members)} datacenter(s): a mesh connects at least {MIN_DATACENTERS}; "
            "add a datacenter, or build a single-datacenter stack without a mesh"
        ))
    first_by_name: dict[str, int] = {}
    first_by_region: dict[str, int] = {}
    for j, (name, region, _cidr) in enumerate(members):
        if name in first_by_name:
            problems.append(Problem(
                f"datacenters[{j}].name", name, "repeats {0}: give each datacenter its own name",
                refs=(Ref(f"datacenters[{first_by_name[name]}].name"),)
            ))
        else:
            first_by_name[name] = j
        if region in first_by_region:
            i = first_by_region[region]
            problems.append(Problem(
                f"datacenters[{j}]", fix=f"({name}) and {{0}} ({members[i][0]}) are both in region {region}: the "
                "mesh uses inter-region VPC peering; put each datacenter in its own region",
                refs=(Ref(f"datacenters[{i}]"),)
            ))
        else:
            first_by_region[region] = j
    problems.extend(check_no_overlap([(name, cidr) for name, _region, cidr in members]))
    return problems


def merge_cidrs(cidrs: Sequence[str]) -> list[str]:
    """The same addresses as ``cidrs`` in as few ranges as possible (adjacent subnets merged), sorted."""
    networks = [ipaddress.IPv4Network(c, strict=True) for c in cidrs]
    return [str(n) for n in ipaddress.collapse_addresses(networks)]


@dataclass(frozen=True, kw_only=True)
class DatacenterMeshProps:
    """How the datacenters are connected. Every default is the production choice."""

    name_prefix: str | None = None
    """Prefix of the peering connections' Name tags (``{prefix}-{dc_a}-to-{dc_b}``). Default: the first
    datacenter's ``name_prefix``."""
    allow_peers_into_internal_tier: bool = True
    """Add NACL rules admitting every peer's DMZ ranges into each internal tier on NFS (2049) and MySQL (3306),
    and the replies back out. Default: on, because portal instances in every datacenter mount the primary
    datacenter's shared file system and reach its database across the peering."""
    max_nacl_rules_per_direction: int = DEFAULT_NACL_RULES_PER_DIRECTION
    """Network ACL rules AWS lets this account put in one direction of a NACL. Default: 20, the AWS default
    quota; the mesh fails fast instead of failing at apply when the rules would exceed it. Raise it (up to 40)
    only after raising the quota."""

    def __post_init__(self) -> None:
        problems = Problems()
        if self.name_prefix is not None:
            check_name(self.name_prefix, "mesh.name_prefix", 16, problems)
        problems.check(
            isinstance(self.max_nacl_rules_per_direction, int)
            and 1 <= self.max_nacl_rules_per_direction <= MAX_NACL_RULES_PER_DIRECTION,
            Problem("mesh.max_nacl_rules_per_direction", self.max_nacl_rules_per_direction,
                    f"is out of range: AWS allows 1 to {MAX_NACL_RULES_PER_DIRECTION} rules per NACL direction; use "
                    f"the account's quota (default {DEFAULT_NACL_RULES_PER_DIRECTION})"),
        )
        problems.raise_if_any()
