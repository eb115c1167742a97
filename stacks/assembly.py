"""From settings to the props of every construct of every architecture, in one pass: each problem is named at the
key the user wrote in ``cdktf.json`` (``locate``), the problems of every architecture are collected together
with the file's key and type problems, sorted by path, and raised once. No construct exists yet.

The stacks build from these plans, so the props checked here are the props deployed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from constructs_lib.errors import ConfigError, Problem, path_of

from . import profiles
from .locate import Origin, locate
from .settings import ArchitectureSettings, DatacenterSettings, Settings

if TYPE_CHECKING:
    from constructs_lib.database import GlobalDatabaseProps
    from constructs_lib.global_lb_props import GlobalLoadBalancerProps
    from constructs_lib.portal_datacenter_props import PortalDatacenterProps

T = TypeVar("T")
DEFAULT_LOCAL_DATA_VOLUME_GB = 50
"""Each instance's data volume when the files stay local (``multi-dc-local``), unless ``portal`` sets one."""


@dataclass(frozen=True)
class ArchitecturePlan:
    """The validated props of one architecture's constructs."""

    arch: ArchitectureSettings
    datacenters: Mapping[str, PortalDatacenterProps]
    """By datacenter name, the primary first."""
    database: GlobalDatabaseProps | None = None
    """The global database of a multi-datacenter architecture (single-dc builds its cluster in the DC)."""
    global_lb: GlobalLoadBalancerProps | None = None
    origin: Origin = field(default_factory=lambda: Origin({}))
    """Every props prefix of this architecture -> its JSON path, to name problems the constructs find."""


def _build(problems: list[Problem | str], origin: Origin, factory: Callable[..., T], **kwargs: Any) -> T | None:
    """``factory(**kwargs)``, or None with its problems named at their JSON keys."""
    try:
        return factory(**kwargs)
    except ConfigError as exc:
        problems.extend(locate(p, origin) for p in exc.records)
        return None


def _section(arch: ArchitectureSettings, section: str, defaults: Mapping[str, Any],
             overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A props' keyword arguments: the architecture's defaults, under the user's values, under the profile's."""
    return {**defaults, **arch.section(section), **overrides}


class _Planner:
    """Builds the props of one architecture, datacenter by datacenter, then what joins them."""

    def __init__(self, settings: Settings, arch: ArchitectureSettings, problems: list[Problem | str]) -> None:
        self.settings, self.arch, self.problems = settings, arch, problems
        self.name = arch.name
        self.index = {dc.name: i for i, dc in enumerate(arch.datacenters)}

    def dc_path(self, dc: DatacenterSettings) -> str:
        return f"{self.name}.datacenters[{self.index[dc.name]}]"

    def section_origin(self, library: str, section: str, **moved: str) -> Origin:
        return Origin({library: f"{self.name}.{section}"}, moved)

    def datacenter(self, dc: DatacenterSettings, *, file_system: bool, database: bool) -> PortalDatacenterProps | None:
        # The props modules only: importing them loads no provider binding (tests/unit/stacks/test_loader.py).
        from constructs_lib.api_manager import ApiManagerProps
        from constructs_lib.database import DatabaseClusterProps
        from constructs_lib.datacenter_lb_props import DatacenterLoadBalancerProps
        from constructs_lib.network import DatacenterProps
        from constructs_lib.portal_datacenter_props import PortalDatacenterProps
        from constructs_lib.portal_fleet_props import PortalFleetProps
        from constructs_lib.shared_storage_props import SharedFileSystemProps

        settings, arch, problems = self.settings, self.arch, self.problems
        here = Origin({f"datacenters[{dc.name}]": self.dc_path(dc), "datacenter": self.dc_path(dc)},
                      {"name_prefix": "name_prefix"})
        network = _build(problems, here, DatacenterProps, name=dc.name, region=dc.region, cidr=dc.cidr,
                         az_count=dc.az_count, azs=dc.azs, single_nat_gateway=dc.single_nat_gateway,
                         flow_log_retention_days=dc.flow_log_retention_days, name_prefix=settings.name_prefix)
        local_files = not arch.kind.shared_storage
        fleet_kwargs = _section(arch, "portal", {"data_volume_gb": DEFAULT_LOCAL_DATA_VOLUME_GB} if local_files
                                else {}, {})
        moved = {}
        if dc.instance_count is not None:
            fleet_kwargs["instance_count"] = dc.instance_count
            moved["fleet.instance_count"] = f"{self.dc_path(dc)}.instance_count"
        fleet_origin = self.section_origin("fleet", "portal", **moved)
        fleet = None
        manager = fleet_kwargs.get("api_manager")
        if isinstance(manager, Mapping):  # an object of cdktf.json: its own props, checked first
            fleet_kwargs["api_manager"] = _build(problems, fleet_origin, ApiManagerProps, **manager)
        if fleet_kwargs.get("api_manager", True) is not None:
            fleet = _build(problems, fleet_origin, PortalFleetProps, **fleet_kwargs)
        lb = _build(problems, self.section_origin("load_balancer", "load_balancer"), DatacenterLoadBalancerProps,
                    **_section(arch, "load_balancer", {"stickiness": True} if local_files else {},
                               profiles.load_balancer_overrides(settings)))
        fs = None
        if file_system:
            others = arch.others
            replication = {"replication_region": others[0].region} if others else {}
            fs = _build(problems, self.section_origin("file_system", "file_system"), SharedFileSystemProps,
                        **_section(arch, "file_system", replication, {}))
        db = None
        if database:
            db = _build(problems, self.section_origin("database", "database"), DatabaseClusterProps,
                        **_section(arch, "database", {}, profiles.database_overrides(settings)))
        if network is None or fleet is None or lb is None or (file_system and fs is None) or (database and db is None):
            return None
        return _build(problems, here, PortalDatacenterProps, network=network, fleet=fleet, load_balancer=lb,
                      file_system=fs, database=db)

    def global_database(self) -> GlobalDatabaseProps | None:
        from constructs_lib.database import GlobalDatabaseProps

        lab_secret = {"secret_recovery_days": 0} if self.settings.is_lab else {}  # recreate a lab at once
        return _build(self.problems, self.section_origin("database", "database"), GlobalDatabaseProps,
                      **_section(self.arch, "database", {}, {**profiles.database_overrides(self.settings),
                                                             **lab_secret}))

    def global_lb(self) -> GlobalLoadBalancerProps | None:
        from constructs_lib.global_lb_props import GlobalLoadBalancerProps

        overrides = profiles.global_lb_overrides(self.settings, self.arch)
        origin = Origin({"global_lb": f"{self.name}.global_lb"}, {"global_lb.name_prefix": "name_prefix"},
                        note=profiles.substitution_note(self.settings, self.arch, "global_lb"))
        return _build(self.problems, origin, GlobalLoadBalancerProps,
                      **_section(self.arch, "global_lb", {"name_prefix": self.settings.name_prefix}, overrides))

    def plan(self) -> ArchitecturePlan | None:
        arch = self.arch
        multi = arch.kind.multi_datacenter
        ordered = [arch.primary_datacenter, *arch.others]
        datacenters = {dc.name: self.datacenter(dc, file_system=arch.kind.shared_storage and dc.name == arch.primary,
                                                database=not multi) for dc in ordered}
        database = self.global_database() if multi else None
        global_lb = self.global_lb() if multi else None
        if any(p is None for p in datacenters.values()) or (multi and (database is None or global_lb is None)):
            return None
        prefixes = {"fleet": f"{self.name}.portal", "load_balancer": f"{self.name}.load_balancer",
                    "file_system": f"{self.name}.file_system", "database": f"{self.name}.database",
                    "global_lb": f"{self.name}.global_lb",
                    **{f"datacenters[{dc.name}]": self.dc_path(dc) for dc in arch.datacenters}}
        return ArchitecturePlan(arch=arch, datacenters={k: v for k, v in datacenters.items() if v is not None},
                                database=database, global_lb=global_lb, origin=Origin(prefixes))


def _path_key(problem: Problem | str) -> tuple[object, ...]:
    """Sort key: the problem's path, with indexes compared as numbers (``[10]`` after ``[2]``)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path_of(problem)))


def ordered(problems: Iterable[Problem | str]) -> list[Problem | str]:
    """Every problem once (the same text is the same problem), sorted by path."""
    once: dict[str, Problem | str] = {}
    for problem in problems:
        once.setdefault(str(problem), problem)
    return sorted(once.values(), key=_path_key)


def relevant(problems: Iterable[Problem | str], settings: Settings, only: tuple[str, ...] | None
             ) -> list[Problem | str]:
    """The problems that concern the architectures in ``only`` (all when None): theirs and the file-wide ones."""
    others = tuple(f"{name}." for name in settings.architectures if only is not None and name not in only)
    return [p for p in problems if not (others and path_of(p).startswith(others))]


def plan_all(settings: Settings, problems: Iterable[Problem | str] = (), *, only: tuple[str, ...] | None = None
             ) -> dict[str, ArchitecturePlan]:
    """The plans of every configured architecture (or those in ``only``); ConfigError lists every problem of the
    file (``problems``: the key and type problems already found; with ``only``, those of other architectures
    are left to them) and of every architecture, sorted by path."""
    found = relevant(problems, settings, only)
    plans: dict[str, ArchitecturePlan] = {}
    for name, arch in settings.architectures.items():
        if only is not None and name not in only:
            continue
        plan = _Planner(settings, arch, found).plan()
        if plan is not None:
            plans[name] = plan
    if found:
        raise ConfigError(ordered(found))
    return plans
