"""Typed, frozen settings for the deployable architectures: the values ``loader`` reads from ``cdktf.json`` and
the environment (``parse`` turns the context into them). Only types live here; no file or variable is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from constructs_lib.errors import ConfigError
from constructs_lib.network.props import DatacenterProps

from .architectures import ARCHITECTURES, Architecture


@dataclass(frozen=True, kw_only=True)
class DatacenterSettings:
    """One datacenter of an architecture, as configured."""

    name: str
    region: str
    cidr: str
    # The network's defaults are DatacenterProps' own (one place: the construct documents what each does).
    az_count: int = DatacenterProps.az_count
    azs: tuple[str, ...] | None = DatacenterProps.azs
    single_nat_gateway: bool = DatacenterProps.single_nat_gateway
    flow_log_retention_days: int = DatacenterProps.flow_log_retention_days
    instance_count: int | None = None
    """Overrides the architecture's ``portal.instance_count`` here. Default: the portal section's."""


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
