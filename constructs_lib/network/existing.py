"""Adopting a network that already exists: ``ExistingNetwork`` describes it (ids and ranges, validated), and
``ImportedDatacenter`` (in ``imported.py``) exposes it with the same attributes as a built ``Datacenter``,
creating no network resource (aws-cdk's ``Vpc.fromVpcAttributes`` in spirit)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..errors import Problem, Problems, Ref
from ..thresholds import MAX_AZS, MIN_AZS
from ..validation import check_name, check_region, check_resource_id, known, parse_network

MAX_NACL_RULE_NUMBER = 32766  # AWS: network ACL rule numbers are 1 to 32766


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
        check_resource_id(self.vpc_id, "vpc", f"{where}.vpc_id", problems)
        vpc = _parse_plain_cidr(self.vpc_cidr, f"{where}.vpc_cidr", problems)
        n = self._check_azs(where, problems)
        self._check_subnet_ids(where, n, problems)
        self._check_route_tables(where, n, problems)
        self._check_ranges(where, n, vpc, problems)
        self._check_nacl(where, problems)
        problems.raise_if_any()

    def _check_azs(self, where: str, problems: Problems) -> int | None:
        """2 to 6 distinct zones of the region; their count (None when ``azs`` is not a tuple)."""
        azs = self.azs
        azs_ok = _check_sequence(azs, f"{where}.azs", problems)
        if azs_ok:
            problems.check(
                MIN_AZS <= len(azs) <= MAX_AZS,
                Problem(f"{where}.azs", fix=f"lists {len(azs)} zone(s): an HA datacenter spans {MIN_AZS} to "
                        f"{MAX_AZS} availability zones; list at least 2, one per subnet of each tier"),
            )
            known_azs = [az for az in azs if known(az)]
            problems.check(
                len(set(known_azs)) == len(known_azs),
                Problem(f"{where}.azs", list(azs), "repeats a zone: each subnet tier needs distinct zones"),
            )
            for i, az in enumerate(azs):
                if known(az):
                    problems.check(
                        isinstance(az, str) and az.startswith(self.region) and len(az) == len(self.region) + 1,
                        Problem(f"{where}.azs[{i}]", az, f"is not a zone of {self.region}: use names such as "
                                f"{self.region}a"),
                    )
        return len(azs) if azs_ok else None

    def _check_subnet_ids(self, where: str, n: int | None, problems: Problems) -> None:
        """One subnet id per AZ in each tier, none used twice."""
        subnet_ids: list[tuple[str, str]] = []
        for tier in ("public", "dmz", "internal"):
            field_name = f"{tier}_subnet_ids"
            values = getattr(self, field_name)
            if _check_per_az(values, f"{where}.{field_name}", n, problems):
                for i, value in enumerate(values):
                    check_resource_id(value, "subnet", f"{where}.{field_name}[{i}]", problems)
                    subnet_ids.append((f"{where}.{field_name}[{i}]", value))
        first: dict[str, str] = {}
        for label, value in subnet_ids:
            if known(value) and value in first:
                problems.add(Problem(label, value, "repeats {0}: each tier needs its own subnet in each AZ",
                                     refs=(Ref(first[value]),)))
            first.setdefault(value, label)

    def _check_route_tables(self, where: str, n: int | None, problems: Problems) -> None:
        """The DMZ and internal route tables: one shared, or one per AZ."""
        for field_name in ("dmz_route_table_ids", "internal_route_table_ids"):
            values = getattr(self, field_name)
            label = f"{where}.{field_name}"
            if _check_sequence(values, label, problems):
                problems.check(
                    len(values) == 1 or (n is not None and len(values) == n),
                    Problem(label, fix=f"has {len(values)} entries: give the one route table these subnets share, "
                            f"or one per AZ ({n if n is not None else 'len(azs)'})"),
                )
                for i, value in enumerate(values):
                    check_resource_id(value, "rtb", f"{label}[{i}]", problems)

    def _check_ranges(self, where: str, n: int | None, vpc: ipaddress.IPv4Network | None, problems: Problems) -> None:
        """The subnet ranges: one per AZ (none at all allowed for public), plain, inside the VPC, no overlaps."""
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for field_name in ("public_cidrs", "dmz_cidrs", "internal_cidrs"):
            values = getattr(self, field_name)
            if not _check_per_az(values, f"{where}.{field_name}", n, problems,
                                 allow_empty=field_name == "public_cidrs"):
                continue
            for i, value in enumerate(values):
                label = f"{where}.{field_name}[{i}]"
                net = _parse_plain_cidr(value, label, problems)
                if net is None:
                    continue
                if vpc is not None and not problems.check(
                    net.subnet_of(vpc), Problem(label, value, f"is outside vpc_cidr {vpc}: give the subnet's own "
                                                "range", literal=False)
                ):
                    continue
                for other_label, other in seen:
                    problems.check(
                        not net.overlaps(other),
                        Problem(label, value, f"overlaps {{0}} {other}: each subnet has its own range",
                                refs=(Ref(other_label),), literal=False),
                    )
                seen.append((label, net))

    def _check_nacl(self, where: str, problems: Problems) -> None:
        """The internal network ACL's id, and a first rule number that leaves room for the rules."""
        if self.internal_nacl_id is not None:
            check_resource_id(self.internal_nacl_id, "acl", f"{where}.internal_nacl_id", problems)
        first_rule = self.internal_nacl_first_rule_number
        problems.check(
            isinstance(first_rule, int) and not isinstance(first_rule, bool)
            and 1 <= first_rule <= MAX_NACL_RULE_NUMBER - 1000,
            Problem(f"{where}.internal_nacl_first_rule_number", first_rule, "is out of range: network ACL rules "
                    f"are numbered 1 to {MAX_NACL_RULE_NUMBER}; use a start such as 100 that leaves room for 100 "
                    "rules"),
        )

    @property
    def az_count(self) -> int:
        """Number of availability zones: ``len(azs)``."""
        return len(self.azs)


def _parse_plain_cidr(value: str, label: str, problems: Problems) -> ipaddress.IPv4Network | None:
    if not known(value):
        problems.add(Problem(
            label, fix="is a cdktf token: give the range as a plain CIDR such as 10.0.0.0/24 (ranges name security "
            "group and network ACL rules, so they must be known at synth)"
        ))
        return None
    return parse_network(value, label, problems)


def _check_per_az(values: tuple[str, ...], label: str, n: int | None, problems: Problems,
                  allow_empty: bool = False) -> bool:
    """A tuple with one entry per AZ (or empty, with ``allow_empty``); the AZ count is unknown when None."""
    if not _check_sequence(values, label, problems):
        return False
    if allow_empty and not values:
        return True
    return n is None or problems.check(
        len(values) == n,
        Problem(label, fix=f"has {len(values)} entries but azs lists {n} zone(s): give one per AZ, in the order of "
                "azs"),
    )


def _check_sequence(values: object, label: str, problems: Problems) -> bool:
    return problems.check(
        isinstance(values, (tuple, list)),
        Problem(label, values, "is not a tuple: give a tuple of strings, one per AZ, e.g. ('a', 'b')"),
    )
