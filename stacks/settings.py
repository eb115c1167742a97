"""Typed, frozen settings for the deployable architectures, read from ``cdktf.json`` context and env.

This is the only module that reads configuration from outside (the ``cdktf.json`` file and environment
variables). Everything else receives the frozen result. Unknown keys and wrong types are errors, reported
all at once with the path of the offending key.

Environment:
- ``PORTAL_HA_CONFIG``: path of the ``cdktf.json`` to read. Default: ``./cdktf.json``.
- ``PORTAL_HA_PROFILE``: ``production`` (default), ``lab`` or ``local``; overrides the context's ``profile``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from constructs_lib.errors import ConfigError, Problems

ARCHITECTURES = ("single-dc", "multi-dc", "multi-dc-local")
PROFILES = ("production", "lab", "local")
PROFILE_HELP = {
    "production": "every HA and safety default on (deletion protection, final snapshots)",
    "lab": "teardown-friendly: deletion protection off, no final snapshots",
    "local": "lab, plus the features the local emulator (moto) cannot run left out",
}

# key -> (accepted python types, default). A default of None means "let the construct decide".
DATACENTER_KEYS: dict[str, tuple[tuple[type, ...], Any]] = {
    "name": ((str,), None),
    "region": ((str,), None),
    "cidr": ((str,), None),
    "az_count": ((int,), 3),
    "azs": ((list,), None),
    "single_nat_gateway": ((bool,), False),
    "flow_log_retention_days": ((int,), 90),
}
REQUIRED_DATACENTER_KEYS = ("name", "region", "cidr")
ARCHITECTURE_KEYS: dict[str, tuple[tuple[type, ...], Any]] = {
    "datacenters": ((list,), None),
}
TOP_LEVEL_KEYS: dict[str, tuple[tuple[type, ...], Any]] = {
    "name_prefix": ((str,), "portal"),
    "profile": ((str,), "production"),
    **{arch: ((dict,), None) for arch in ARCHITECTURES},
}


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


@dataclass(frozen=True, kw_only=True)
class ArchitectureSettings:
    """One deployable architecture (one cdktf stack)."""

    name: str
    datacenters: tuple[DatacenterSettings, ...]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the stacks need, validated."""

    name_prefix: str
    profile: str
    architectures: Mapping[str, ArchitectureSettings]
    source: str

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
    if any(dc is None for dc in dcs):
        return None
    return ArchitectureSettings(name=arch, datacenters=tuple(dc for dc in dcs if dc is not None))


def parse_settings(context: Any, *, profile: str | None = None, source: str = "<context>") -> Settings:
    """Validate a cdktf.json ``context`` object into Settings; raise ConfigError listing every problem."""
    problems = Problems()
    top = _read_keys(context, TOP_LEVEL_KEYS, "context", problems)
    chosen_profile = profile or top.get("profile") or "production"
    problems.check(
        chosen_profile in PROFILES,
        f"profile {chosen_profile!r} is unknown: use one of {', '.join(PROFILES)} (context.profile or PORTAL_HA_PROFILE)",
    )
    architectures: dict[str, ArchitectureSettings] = {}
    for arch in ARCHITECTURES:
        if top.get(arch) is not None:
            parsed = _architecture(arch, top[arch], problems)
            if parsed is not None:
                architectures[arch] = parsed
    problems.raise_if_any()
    return Settings(
        name_prefix=top["name_prefix"], profile=chosen_profile, architectures=architectures, source=source
    )


def config_path() -> Path:
    return Path(os.environ.get("PORTAL_HA_CONFIG", "cdktf.json"))


@lru_cache(maxsize=None)
def _load(path: str, profile: str | None) -> Settings:
    file = Path(path)
    try:
        document = json.loads(file.read_text())
    except FileNotFoundError:
        raise ConfigError([f"{file} not found: run from the project folder or set PORTAL_HA_CONFIG"]) from None
    except json.JSONDecodeError as exc:
        raise ConfigError([f"{file} is not valid JSON ({exc}): fix the syntax"]) from None
    if not isinstance(document, dict):
        raise ConfigError([f"{file} must hold a JSON object with a 'context' key"])
    return parse_settings(document.get("context", {}), profile=profile, source=str(file))


def load_settings() -> Settings:
    """Settings from ``$PORTAL_HA_CONFIG`` (default ``./cdktf.json``) and ``$PORTAL_HA_PROFILE``."""
    return _load(str(config_path()), os.environ.get("PORTAL_HA_PROFILE") or None)
