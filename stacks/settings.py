"""Typed, frozen settings for the deployable architectures, read from ``cdktf.json`` context and env.

This is the only module that reads configuration from outside (the ``cdktf.json`` file and environment
variables; ``parse`` reads the context). Everything else receives the frozen result. Unknown keys and wrong
types are errors, reported all at once with the path of the offending key; the synthesizing commands add the
value problems of every architecture (``assembly``) and report both together.

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
from functools import cache
from pathlib import Path
from typing import Any

from constructs_lib.errors import ConfigError

from .architectures import ARCHITECTURES, Architecture


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
    """Datacenter holding the writable shared file system and the writer DB cluster. Default: the first one.
    ``portal-ha failover`` changes it (with the user's consent)."""
    database_home: str = ""
    """Datacenter where the global database was created: its cluster holds the master credentials (a secret in
    its region). Default: ``primary``. It stays put when the writer moves: ``portal-ha failover`` pins it the
    first time ``primary`` changes, so Terraform never recreates a cluster or its credentials."""
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
        return self.datacenter(self.primary)

    @property
    def home(self) -> str:
        """The database home: ``database_home``, else ``primary``."""
        return self.database_home or self.primary

    def datacenter(self, name: str) -> DatacenterSettings:
        found = next((dc for dc in self.datacenters if dc.name == name), None)
        if found is None:
            raise ConfigError([f"{self.name} has no datacenter {name!r}"])
        return found


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
        """True for the ``local`` profile: ``lab`` against the local emulator (state beside it; Global Accelerator
        becomes Route 53)."""
        return self.profile == "local"


def parse_settings(
    context: Any, *, profile: str | None = None, source: str = "<context>", state_dir: str | None = None
) -> Settings:
    """Read a cdktf.json ``context`` into Settings; raise ConfigError listing every key and type problem (the
    value problems are ``assembly``'s, which needs the construct props)."""
    from .parse import read_context

    settings, problems = read_context(context, profile=profile, source=source, state_dir=state_dir)
    if problems:
        raise ConfigError(problems)
    return settings


def config_path() -> Path:
    return Path(os.environ.get("PORTAL_HA_CONFIG", "cdktf.json"))


@cache
def read_file(path: str, profile: str | None, state_dir: str | None = None) -> tuple[Settings, tuple[str, ...]]:
    """The settings of a cdktf.json file and every key and type problem in it (lenient: see ``parse``)."""
    from .parse import read_context

    file = Path(path)
    try:
        document = json.loads(file.read_text())
    except FileNotFoundError:
        raise ConfigError([f"{file} not found: run from the project folder or set PORTAL_HA_CONFIG"]) from None
    except json.JSONDecodeError as exc:
        raise ConfigError([f"{file} is not valid JSON ({exc}): fix the syntax"]) from None
    if not isinstance(document, dict):
        raise ConfigError([f"{file} must hold a JSON object with a 'context' key"])
    settings, problems = read_context(document.get("context", {}), profile=profile, source=str(file),
                                      state_dir=state_dir)
    return settings, tuple(problems)


def _load(path: str, profile: str | None, state_dir: str | None = None) -> Settings:
    settings, problems = read_file(path, profile, state_dir)
    if problems:
        raise ConfigError(problems)
    return settings


def read_settings() -> tuple[Settings, tuple[str, ...]]:
    """What ``load_settings`` reads, with its key and type problems returned instead of raised (for the
    synthesizing commands, which check every value too and report both together)."""
    return read_file(str(config_path()), os.environ.get("PORTAL_HA_PROFILE") or None,
                     os.environ.get("PORTAL_HA_STATE_DIR") or None)


def load_settings() -> Settings:
    """Settings from ``$PORTAL_HA_CONFIG`` (default ``./cdktf.json``), ``$PORTAL_HA_PROFILE`` and
    ``$PORTAL_HA_STATE_DIR``; ConfigError lists every key and type problem."""
    settings, problems = read_settings()
    if problems:
        raise ConfigError(problems)
    return settings
