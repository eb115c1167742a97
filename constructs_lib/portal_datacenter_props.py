"""The props of ``PortalDatacenter`` (``portal_datacenter``): the pieces of one datacenter, and the rules that
join them. Importing this module loads no provider binding, so a configuration is checked before any construct
exists."""

from __future__ import annotations

from dataclasses import dataclass

from .database.props import DatabaseClusterProps
from .datacenter_lb_props import DatacenterLoadBalancerProps
from .errors import Problem, Problems, Ref
from .network.existing import ExistingNetwork
from .network.props import DatacenterProps
from .portal_fleet_props import PortalFleetProps
from .shared_storage_props import SharedFileSystemProps
from .user_data import EfsMount


@dataclass(frozen=True, kw_only=True)
class PortalDatacenterProps:
    """The pieces of one datacenter. Storage and database are optional so that stacks can share them."""

    network: DatacenterProps | ExistingNetwork | None = None
    """The datacenter's network: ``DatacenterProps`` builds a VPC with three subnet tiers; ``ExistingNetwork``
    adopts an existing VPC and subnets without creating any network resource. Default: None, valid only when
    an existing ``Datacenter`` is passed to ``PortalDatacenter(datacenter=...)``."""
    fleet: PortalFleetProps = PortalFleetProps()
    """The portal instances. Default: 2 instances in distinct AZs."""
    load_balancer: DatacenterLoadBalancerProps = DatacenterLoadBalancerProps()
    """The datacenter's NLB. Default: TCP 443, health check every 10 s, 2/2 thresholds."""
    file_system: SharedFileSystemProps | None = None
    """Build a shared file system here and mount it on this datacenter's instances. Default: none (set
    ``efs_mount`` to mount another datacenter's, pass ``shared_file_system=`` to mount an existing one, or set
    ``fleet.data_volume_gb`` for local storage)."""
    efs_mount: EfsMount | None = None
    """Mount a file system that lives in another datacenter. Default: none."""
    database: DatabaseClusterProps | None = None
    """Build a database cluster here. Default: none (a ``GlobalDatabase`` or an existing cluster, passed as
    ``database_cluster=``, serves it)."""

    def __post_init__(self) -> None:
        problems = Problems()
        where = where_of(self.network.name if self.network is not None else None)
        problems.check(
            not (self.file_system is not None and self.efs_mount is not None),
            Problem(where, sep=": ", fix="file_system and efs_mount are both set: build a file system here or mount "
                    "another datacenter's, not both"),
        )
        has_shared = self.file_system is not None or self.efs_mount is not None
        problems.check(
            not (has_shared and self.fleet.data_volume_gb is not None),
            Problem(where, sep=": ", fix="{0} (local storage) is set together with a shared file system: choose one",
                    refs=(Ref("fleet.data_volume_gb"),)),
        )
        problems.check(
            self.fleet.efs is None,
            Problem(where, sep=": ", fix="{0} is set by PortalDatacenter from file_system or efs_mount: leave it "
                    "unset", refs=(Ref("fleet.efs"),)),
        )
        problems.raise_if_any()


def where_of(name: str | None) -> str:
    return f"datacenters[{name}]" if name is not None else "portal_datacenter"
