"""PortalDatacenter: one datacenter of the seed composed from the library's pieces.

Network (``Datacenter``), the portal instances (``PortalFleet``) behind the datacenter's load balancer
(``DatacenterLoadBalancer``), and, where this datacenter owns them, the shared file system
(``SharedFileSystem``) and the three-node database cluster (``DatabaseCluster``). In multi-datacenter stacks
the file system and the database may live elsewhere: pass ``efs_mount`` to mount another datacenter's file
system, and leave ``database`` unset when a ``GlobalDatabase`` provides the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .database import DatabaseCluster, DatabaseClusterProps
from .datacenter import Datacenter, DatacenterProps
from .datacenter_lb import DatacenterLoadBalancer, DatacenterLoadBalancerProps
from .errors import Problems
from .portal_fleet import EfsMount, PortalFleet, PortalFleetProps
from .shared_storage import SharedFileSystem, SharedFileSystemProps


@dataclass(frozen=True, kw_only=True)
class PortalDatacenterProps:
    """The pieces of one datacenter. Storage and database are optional so that stacks can share them."""

    network: DatacenterProps
    """The VPC, subnets and routing of this datacenter."""
    fleet: PortalFleetProps = PortalFleetProps()
    """The portal instances. Default: 2 instances in distinct AZs."""
    load_balancer: DatacenterLoadBalancerProps = DatacenterLoadBalancerProps()
    """The datacenter's NLB. Default: TCP 443, health check every 10 s, 2/2 thresholds."""
    file_system: SharedFileSystemProps | None = None
    """Build a shared file system here and mount it on this datacenter's instances. Default: none (set
    ``efs_mount`` to mount another datacenter's, or ``fleet.data_volume_gb`` for local storage)."""
    efs_mount: EfsMount | None = None
    """Mount a file system that lives in another datacenter. Default: none."""
    database: DatabaseClusterProps | None = None
    """Build a database cluster here. Default: none (a ``GlobalDatabase`` or an existing cluster serves it)."""

    def __post_init__(self) -> None:
        problems = Problems()
        where = f"datacenters[{self.network.name}]"
        problems.check(
            not (self.file_system is not None and self.efs_mount is not None),
            f"{where}: file_system and efs_mount are both set: build a file system here or mount another "
            "datacenter's, not both",
        )
        has_shared = self.file_system is not None or self.efs_mount is not None
        problems.check(
            not (has_shared and self.fleet.data_volume_gb is not None),
            f"{where}: fleet.data_volume_gb (local storage) is set together with a shared file system: choose one",
        )
        problems.check(
            self.fleet.efs is None,
            f"{where}: fleet.efs is set by PortalDatacenter from file_system or efs_mount: leave it unset",
        )
        problems.raise_if_any()


class PortalDatacenter(Construct):
    """One API Portal datacenter: network, >= 2 portal instances behind an NLB, and optionally EFS and DB."""

    def __init__(self, scope: Construct, id: str, *, props: PortalDatacenterProps, provider: AwsProvider) -> None:
        super().__init__(scope, id)
        self.props = props
        self.name = props.network.name
        self.region = props.network.region
        self.network = Datacenter(self, "network", props=props.network, provider=provider)
        self.load_balancer = DatacenterLoadBalancer(self, "lb", props=props.load_balancer, datacenter=self.network)

        self.file_system: SharedFileSystem | None = None
        efs_mount = props.efs_mount
        if props.file_system is not None:
            self.file_system = SharedFileSystem(
                self, "efs", props=props.file_system, datacenter=self.network, client_security_group_id=None,
            )
            efs_mount = EfsMount(
                file_system_id=self.file_system.file_system_id,
                access_point_id=self.file_system.access_point_id,
                region=self.region,
            )
        fleet_props = props.fleet if efs_mount is None else replace(props.fleet, efs=efs_mount)
        self.fleet = PortalFleet(
            self, "fleet", props=fleet_props, datacenter=self.network,
            lb_security_group_id=self.load_balancer.security_group_id,
        )
        self.load_balancer.attach_instances(self.fleet.instance_ids)
        if self.file_system is not None:
            self.file_system.allow_clients_from_security_group(self.fleet.security_group_id)

        self.database: DatabaseCluster | None = None
        if props.database is not None:
            self.database = DatabaseCluster(
                self, "db", props=props.database, datacenter=self.network,
                client_security_group_id=self.fleet.security_group_id,
            )

    @property
    def portal_url(self) -> str:
        """The datacenter's own entry point (its NLB), for checks that bypass global load balancing."""
        return f"https://{self.load_balancer.nlb_dns_name}"
