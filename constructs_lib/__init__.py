"""portal-ha constructs: Axway API Portal in high availability on AWS, for CDK for Terraform (Python).

Names are imported lazily, so ``constructs_lib.errors`` (and config validation) stays cheap: loading the
provider bindings costs about 10 s per process and happens only when a construct is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .database import DatabaseCluster, DatabaseClusterProps, DatabaseSite, GlobalDatabase, GlobalDatabaseProps
    from .datacenter import Datacenter, DatacenterProps, SubnetCidrs
    from .datacenter_lb import DatacenterLoadBalancer, DatacenterLoadBalancerProps
    from .global_lb import GlobalEndpoint, GlobalLoadBalancer, GlobalLoadBalancerProps
    from .interconnect import DatacenterMesh, DatacenterMeshProps
    from .portal_datacenter import PortalDatacenter, PortalDatacenterProps
    from .portal_fleet import EfsMount, PortalFleet, PortalFleetProps
    from .shared_storage import SharedFileSystem, SharedFileSystemProps

_EXPORTS = {
    "Datacenter": ".datacenter",
    "DatacenterProps": ".datacenter",
    "SubnetCidrs": ".datacenter",
    "PortalFleet": ".portal_fleet",
    "PortalFleetProps": ".portal_fleet",
    "EfsMount": ".portal_fleet",
    "DatacenterLoadBalancer": ".datacenter_lb",
    "DatacenterLoadBalancerProps": ".datacenter_lb",
    "SharedFileSystem": ".shared_storage",
    "SharedFileSystemProps": ".shared_storage",
    "DatabaseCluster": ".database",
    "DatabaseClusterProps": ".database",
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
}

__all__ = ["ConfigError", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
