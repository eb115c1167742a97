"""portal-ha constructs: Axway API Portal in high availability on AWS, for CDK for Terraform (Python).

The public API is ``__all__``: the constructs, their props, the interfaces a built and an adopted resource both
expose (``IDatacenter``, ``IFileSystem``, ``IDatabaseCluster``), the imported classes and what they adopt
(``ExistingNetwork`` -> ``ImportedDatacenter``, ``ExistingFileSystem`` -> ``ImportedFileSystem``,
``ExistingDatabaseCluster`` -> ``ImportedDatabaseCluster``), the HA policy checks and ``ConfigError``. Every
construct takes either props to build a resource or an existing resource, never both (that is a
``ConfigError``). The package is typed (``py.typed``) and mypy-clean in strict mode.

Names are imported lazily, so ``constructs_lib.errors`` (and config validation) stays cheap: loading the
provider bindings happens only when a construct is first used. Importing this package also puts a loader in front
of the provider bindings' top-level package (``provider_import``), so that using a construct imports the few
resource modules it needs rather than all 2,135 of them (about 6 s per process instead of 24 s, measured).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import provider_import
from .errors import ConfigError

provider_import.install()

if TYPE_CHECKING:
    from .api_manager import ApiManagerProps
    from .database import (
        DatabaseCluster,
        DatabaseClusterProps,
        DatabaseSite,
        ExistingDatabaseCluster,
        GlobalDatabase,
        GlobalDatabaseProps,
        IDatabaseCluster,
        ImportedDatabaseCluster,
    )
    from .datacenter_lb import DatacenterLoadBalancer, DatacenterLoadBalancerProps
    from .global_lb import GlobalEndpoint, GlobalLoadBalancer, GlobalLoadBalancerProps
    from .interconnect import DatacenterMesh, DatacenterMeshProps
    from .network import (
        Datacenter,
        DatacenterProps,
        ExistingNetwork,
        IDatacenter,
        ImportedDatacenter,
        SubnetCidrs,
    )
    from .policy import PolicyError, apply_ha_checks, enforce_ha_checks
    from .portal_datacenter import PortalDatacenter, PortalDatacenterProps
    from .portal_fleet import PortalFleet, PortalFleetProps
    from .shared_storage import SharedFileSystem
    from .shared_storage_existing import ExistingFileSystem
    from .shared_storage_imported import ImportedFileSystem
    from .shared_storage_interface import IFileSystem
    from .shared_storage_props import SharedFileSystemProps
    from .user_data import EfsMount

_EXPORTS = {
    "Datacenter": ".network",
    "DatacenterProps": ".network",
    "ExistingNetwork": ".network",
    "IDatacenter": ".network",
    "ImportedDatacenter": ".network",
    "SubnetCidrs": ".network",
    "PortalFleet": ".portal_fleet",
    "PortalFleetProps": ".portal_fleet",
    "ApiManagerProps": ".api_manager",
    "EfsMount": ".user_data",
    "DatacenterLoadBalancer": ".datacenter_lb",
    "DatacenterLoadBalancerProps": ".datacenter_lb",
    "SharedFileSystem": ".shared_storage",
    "SharedFileSystemProps": ".shared_storage_props",
    "ExistingFileSystem": ".shared_storage_existing",
    "IFileSystem": ".shared_storage_interface",
    "ImportedFileSystem": ".shared_storage_imported",
    "DatabaseCluster": ".database",
    "DatabaseClusterProps": ".database",
    "ExistingDatabaseCluster": ".database",
    "IDatabaseCluster": ".database",
    "ImportedDatabaseCluster": ".database",
    "DatabaseSite": ".database",
    "GlobalDatabase": ".database",
    "GlobalDatabaseProps": ".database",
    "DatacenterMesh": ".interconnect",
    "DatacenterMeshProps": ".interconnect",
    "GlobalLoadBalancer": ".global_lb",
    "GlobalLoadBalancerProps": ".global_lb",
    "GlobalEndpoint": ".global_lb",
    "PortalDatacenter": ".portal_datacenter",
    "PortalDatacenterProps": ".portal_datacenter",
    "apply_ha_checks": ".policy",
    "enforce_ha_checks": ".policy",
    "PolicyError": ".policy",
}

__all__ = [  # a literal list: type checkers read it to know what the package exports
    "ApiManagerProps",
    "ConfigError",
    "Datacenter",
    "DatacenterProps",
    "ExistingNetwork",
    "IDatacenter",
    "ImportedDatacenter",
    "SubnetCidrs",
    "PortalFleet",
    "PortalFleetProps",
    "EfsMount",
    "DatacenterLoadBalancer",
    "DatacenterLoadBalancerProps",
    "SharedFileSystem",
    "SharedFileSystemProps",
    "ExistingFileSystem",
    "IFileSystem",
    "ImportedFileSystem",
    "DatabaseCluster",
    "DatabaseClusterProps",
    "ExistingDatabaseCluster",
    "IDatabaseCluster",
    "ImportedDatabaseCluster",
    "DatabaseSite",
    "GlobalDatabase",
    "GlobalDatabaseProps",
    "DatacenterMesh",
    "DatacenterMeshProps",
    "GlobalLoadBalancer",
    "GlobalLoadBalancerProps",
    "GlobalEndpoint",
    "PortalDatacenter",
    "PortalDatacenterProps",
    "apply_ha_checks",
    "enforce_ha_checks",
    "PolicyError",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
