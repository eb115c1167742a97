"""The seed's database cluster of at least three nodes, as Aurora MySQL: ``DatabaseCluster`` (one datacenter)
and ``GlobalDatabase`` (every datacenter, secondaries forwarding writes). Modules: ``engine`` (versions),
``props`` (the settings both kinds share, and each kind's own), ``cluster``, ``global_database``, ``ephemeral``
(Terraform ephemeral blocks, for the global primary's password); ``interface`` (``IDatabaseCluster``, what a
built ``DatabaseCluster`` and an adopted ``ImportedDatabaseCluster`` both expose), ``existing``
(``ExistingDatabaseCluster``, what ``imported`` adopts). The props load no provider bindings; the constructs
do, when first used."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .engine import (
    DEFAULT_ENGINE_VERSION,
    ENGINE,
    parameter_group_family,
    parse_engine_version,
    supports_global_write_forwarding,
)
from .existing import ExistingDatabaseCluster
from .props import AuroraSettings, DatabaseClusterProps, GlobalDatabaseProps

if TYPE_CHECKING:
    from .cluster import DatabaseCluster, GlobalMembership
    from .global_database import DatabaseSite, GlobalDatabase
    from .imported import ImportedDatabaseCluster
    from .interface import IDatabaseCluster

_LAZY = {"DatabaseCluster": ".cluster", "GlobalMembership": ".cluster", "DatabaseSite": ".global_database",
         "GlobalDatabase": ".global_database", "IDatabaseCluster": ".interface",
         "ImportedDatabaseCluster": ".imported"}

__all__ = ["DEFAULT_ENGINE_VERSION", "ENGINE", "AuroraSettings", "DatabaseCluster", "DatabaseClusterProps",
           "DatabaseSite", "ExistingDatabaseCluster", "GlobalDatabase", "GlobalDatabaseProps", "GlobalMembership",
           "IDatabaseCluster", "ImportedDatabaseCluster", "parameter_group_family", "parse_engine_version",
           "supports_global_write_forwarding"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
