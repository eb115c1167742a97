"""Typed, frozen settings for the deployable architectures, read from ``cdktf.json`` context and env.

This is the only module that reads configuration from outside (the ``cdktf.json`` file and environment
variables). Everything else receives the frozen result. Unknown keys and wrong types are errors, reported
all at once with the path of the offending key.

Environment:
- ``PORTAL_HA_CONFIG``: path of the ``cdktf.json`` to read. Default: ``./cdktf.json``.
- ``PORTAL_HA_PROFILE``: ``production`` (default), ``lab`` or ``local``; overrides the context's ``profile``.
- ``PORTAL_HA_STATE_DIR``: folder of local Terraform state files (see ``Settings.state_dir``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from constructs_lib.errors import ConfigError, Problems

from .architectures import ARCHITECTURES, NAMES, Architecture
from .schema import (
    ARCHITECTURE_KEYS,
    BACKEND_KEYS,
    DATACENTER_KEYS,
    PROFILES,
    REQUIRED_DATACENTER_KEYS,
    SECTIONS,
    TARGET_KEYS,
    TOP_LEVEL_KEYS,
)


@dataclass(frozen=True, kw_only=True)
class DatacenterSettings:
    """One datacenter of an architecture, as configured."""

    name: str
    region: str
    cidr: str
    az_count: int = 3
    azs: tuple[str, ...] | None = None
    single_nat_gateway: bool = False
    flow_log_retention_days: int = 90
    instance_count: int | None = None


@dataclass(frozen=True, kw_only=True)
class ArchitectureSettings:
    """One deployable architecture (one cdktf stack)."""

    name: str
    datacenters: tuple[DatacenterSettings, ...]
    primary: str
    """Datacenter holding the shared file system and the primary DB cluster. Default: the first one."""
    sections: Mapping[str, Mapping[str, Any]]
    """Per section (portal, load_balancer, ...): only the keys that were set, as props keyword arguments."""

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.sections.get(name, {}))

    @property
    def kind(self) -> Architecture:
        """What this architecture is (multi-datacenter, shared or local storage)."""
        return ARCHITECTURES[self.name]

    @property
    def others(self) -> tuple[DatacenterSettings, ...]:
        """Every datacenter but the primary, in configuration order."""
        return tuple(dc for dc in self.datacenters if dc.name != self.primary)

    @property
    def primary_datacenter(self) -> DatacenterSettings:
        return next(dc for dc in self.datacenters if dc.name == self.primary)


@dataclass(frozen=True, kw_only=True)
class BackendSettings:
    """Where Terraform keeps state. ``local``: a file per stack; ``s3``: a bucket, locked by an S3 lock file."""

    type: str = "local"
    bucket: str | None = None
    key_prefix: str = "portal-ha"
    """State of stack X is at ``<key_prefix>/<X>.tfstate``."""
    region: str | None = None
    use_lockfile: bool = True
    """S3-native state locking (Terraform >= 1.10), no DynamoDB table needed."""


@dataclass(frozen=True, kw_only=True)
class TargetSettings:
    """The project's failover and capacity targets, which ``portal-ha report`` holds each architecture to."""

    instance_failover_seconds: int = 20
    """Longest acceptable time for the NLB to notice a dead portal instance. Default: 20 s."""
    datacenter_failover_seconds: int = 60
    """Longest acceptable time for the global load balancer to notice a dead datacenter. Default: 60 s."""
    min_instances_for_full_load: int = 1
    """Portal instances needed to carry the whole load. The seed asks that each datacenter carry it alone.
    Default: 1 (the two-instance minimum then survives the loss of one instance or one AZ at full load)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the stacks need, validated."""

    name_prefix: str
    profile: str
    architectures: Mapping[str, ArchitectureSettings]
    source: str
    backend: BackendSettings = BackendSettings()
    targets: TargetSettings = TargetSettings()
    state_dir: str | None = None
    """Folder of local state files. Default: the project folder (cdktf's default) for AWS, and
    ``.portal-ha/emulator/state`` for the ``local`` profile, so emulator state never mixes with AWS state."""

    @property
    def is_lab(self) -> bool:
        """True for the ``lab`` and ``local`` profiles: teardown-friendly settings."""
        return self.profile in ("lab", "local")

    @property
    def is_local(self) -> bool:
        """True for the ``local`` profile: features the emulator cannot run are left out."""
        return self.profile == "local"


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """EC2 regions of every AWS partition, from botocore's bundled endpoint data (no network call)."""
    import botocore.session

    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return frozenset(regions)


def _type_name(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "an object"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _read_keys(
    raw: Any, schema: dict[str, tuple[tuple[type, ...], Any]], path: str, problems: Problems
) -> dict[str, Any]:
    """Type-check an object against a schema: unknown keys and wrong types are problems, defaults fill gaps."""
    if not isinstance(raw, dict):
        problems.add(f"{path} must be an object, got {type(raw).__name__}: see the README's configuration keys")
        return {}
    out: dict[str, Any] = {}
    for key in raw:
        if key not in schema:
            problems.add(
                f"{path}.{key} is not a known key: use one of {', '.join(sorted(schema))} (see README, Configuration)"
            )
    for key, (types, default) in schema.items():
        if key not in raw:
            out[key] = default
            continue
        value = raw[key]
        # bool is a subclass of int: `true` is not an integer here.
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            problems.add(f"{path}.{key} must be {_type_name(types)}, got {json.dumps(value)}")
            out[key] = default
        else:
            out[key] = value
    return out


def _datacenter(raw: Any, path: str, problems: Problems) -> DatacenterSettings | None:
    values = _read_keys(raw, DATACENTER_KEYS, path, problems)
    if not values:
        return None
    missing = [k for k in REQUIRED_DATACENTER_KEYS if values.get(k) is None]
    for key in missing:
        problems.add(f"{path}.{key} is missing: every datacenter needs name, region and cidr")
    if missing:
        return None
    if values["azs"] is not None:
        values["azs"] = tuple(values["azs"])
    region = values["region"]
    problems.check(
        region in known_regions(),
        f"{path}.region {region!r} is not an AWS region known to botocore: use one of "
        f"{', '.join(sorted(known_regions())[:6])}, ... (aws ec2 describe-regions lists yours)",
    )
    return DatacenterSettings(**values)


def _architecture(arch: str, raw: Any, problems: Problems) -> ArchitectureSettings | None:
    values = _read_keys(raw, ARCHITECTURE_KEYS, arch, problems)
    dcs_raw = values.get("datacenters")
    if not dcs_raw:
        problems.add(f"{arch}.datacenters is missing or empty: list at least one datacenter")
        return None
    dcs = [_datacenter(dc, f"{arch}.datacenters[{i}]", problems) for i, dc in enumerate(dcs_raw)]
    sections: dict[str, Mapping[str, Any]] = {}
    for section, schema in SECTIONS.items():
        if values.get(section) is not None:
            read = _read_keys(values[section], schema, f"{arch}.{section}", problems)
            set_keys = {k: (tuple(v) if isinstance(v, list) else v) for k, v in read.items() if k in values[section]}
            sections[section] = MappingProxyType(set_keys)
    if any(dc is None for dc in dcs):
        return None
    datacenters = tuple(dc for dc in dcs if dc is not None)
    names = [dc.name for dc in datacenters]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add(f"{arch}.datacenters: the name {name!r} is used twice: give each datacenter its own name")
    if ARCHITECTURES[arch].multi_datacenter:
        problems.check(
            len(datacenters) >= 2,
            f"{arch}.datacenters has {len(datacenters)} datacenter(s): a multi-datacenter architecture needs at "
            "least 2 (or use single-dc)",
        )
    else:
        problems.check(
            len(datacenters) == 1,
            f"{arch}.datacenters has {len(datacenters)} datacenters: single-dc takes exactly 1 (use multi-dc for more)",
        )
    regions = [dc.region for dc in datacenters]
    for region in sorted({r for r in regions if regions.count(r) > 1}):
        twins = [dc.name for dc in datacenters if dc.region == region]
        problems.add(
            f"{arch}.datacenters {' and '.join(twins)} are both in {region}: each datacenter needs its own region"
        )
    # Peered VPCs must not overlap: checked here, before any construct exists (the mesh checks it again).
    from constructs_lib.interconnect import check_no_overlap

    problems.extend(f"{arch}.{p}" for p in check_no_overlap([(dc.name, dc.cidr) for dc in datacenters]))
    primary = values.get("primary") or names[0]
    problems.check(
        primary in names,
        f"{arch}.primary {primary!r} is not one of the datacenters ({', '.join(names)}): name one of them",
    )
    return ArchitectureSettings(
        name=arch, datacenters=datacenters, primary=primary, sections=MappingProxyType(sections)
    )


def parse_settings(
    context: Any, *, profile: str | None = None, source: str = "<context>", state_dir: str | None = None
) -> Settings:
    """Validate a cdktf.json ``context`` object into Settings; raise ConfigError listing every problem."""
    problems = Problems()
    top = _read_keys(context, TOP_LEVEL_KEYS, "context", problems)
    chosen_profile = profile or top.get("profile") or "production"
    problems.check(
        chosen_profile in PROFILES,
        f"profile {chosen_profile!r} is unknown: use one of {', '.join(PROFILES)} "
        "(context.profile or PORTAL_HA_PROFILE)",
    )
    architectures: dict[str, ArchitectureSettings] = {}
    for arch in NAMES:
        if top.get(arch) is not None:
            parsed = _architecture(arch, top[arch], problems)
            if parsed is not None:
                architectures[arch] = parsed
    backend = _backend(top.get("backend"), problems)
    targets = _targets(top.get("targets"), problems)
    problems.raise_if_any()
    return Settings(
        name_prefix=top["name_prefix"], profile=chosen_profile, architectures=architectures, source=source,
        backend=backend, targets=targets, state_dir=state_dir,
    )


def _targets(raw: Any, problems: Problems) -> TargetSettings:
    if raw is None:
        return TargetSettings()
    values = _read_keys(raw, TARGET_KEYS, "context.targets", problems)
    if not values:
        return TargetSettings()
    for key, value in values.items():
        problems.check(value >= 1, f"context.targets.{key} is {value}: use a whole number of 1 or more")
    return TargetSettings(**values)


def _backend(raw: Any, problems: Problems) -> BackendSettings:
    if raw is None:
        return BackendSettings()
    values = _read_keys(raw, BACKEND_KEYS, "context.backend", problems)
    if not values:
        return BackendSettings()
    if values["type"] not in ("local", "s3"):
        problems.add(f"context.backend.type {values['type']!r} is unknown: use local or s3")
    elif values["type"] == "s3":
        for key in ("bucket", "region"):
            problems.check(values.get(key) is not None,
                           f"context.backend.{key} is missing: an s3 backend needs a bucket and its region")
        if values.get("region") is not None:
            problems.check(values["region"] in known_regions(),
                           f"context.backend.region {values['region']!r} is not an AWS region known to botocore")
    return BackendSettings(**values)


def config_path() -> Path:
    return Path(os.environ.get("PORTAL_HA_CONFIG", "cdktf.json"))


@cache
def _load(path: str, profile: str | None, state_dir: str | None = None) -> Settings:
    file = Path(path)
    try:
        document = json.loads(file.read_text())
    except FileNotFoundError:
        raise ConfigError([f"{file} not found: run from the project folder or set PORTAL_HA_CONFIG"]) from None
    except json.JSONDecodeError as exc:
        raise ConfigError([f"{file} is not valid JSON ({exc}): fix the syntax"]) from None
    if not isinstance(document, dict):
        raise ConfigError([f"{file} must hold a JSON object with a 'context' key"])
    return parse_settings(document.get("context", {}), profile=profile, source=str(file), state_dir=state_dir)


def load_settings() -> Settings:
    """Settings from ``$PORTAL_HA_CONFIG`` (default ``./cdktf.json``), ``$PORTAL_HA_PROFILE`` and
    ``$PORTAL_HA_STATE_DIR``."""
    return _load(str(config_path()), os.environ.get("PORTAL_HA_PROFILE") or None,
                 os.environ.get("PORTAL_HA_STATE_DIR") or None)
