"""PortalDatacenter: one datacenter of the seed composed from the library's pieces.

Network (``Datacenter``), the portal instances (``PortalFleet``) behind the datacenter's load balancer
(``DatacenterLoadBalancer``), and, where this datacenter owns them, the shared file system
(``SharedFileSystem``) and the three-node database cluster (``DatabaseCluster``). In multi-datacenter stacks
the file system and the database may live elsewhere: pass ``efs_mount`` to mount another datacenter's file
system, and leave ``database`` unset when a ``GlobalDatabase`` provides the cluster.

Each piece is either built from props or given as an existing resource, never both (a ``ConfigError``):

- network: ``props.network`` as ``DatacenterProps`` (build a VPC) or ``ExistingNetwork`` (adopt one), or an
  existing ``IDatacenter`` construct as ``datacenter=`` (a ``Datacenter``, or an ``ImportedDatacenter`` that
  your own resources also use);
- shared file system: ``props.file_system`` (build one here), ``props.efs_mount`` (mount another VPC's), or an
  existing ``SharedFileSystem`` in this datacenter's VPC as ``shared_file_system=``;
- database: ``props.database`` (build a cluster here), or an existing ``DatabaseCluster`` in this datacenter's
  VPC as ``database_cluster=`` (for example a ``GlobalDatabase`` member), or none.

An existing file system or cluster must have been built on the ``datacenter=`` passed here (same VPC): its
security group then admits the portal instances' security group (NFS 2049, MySQL 3306), and the instances
mount the file system.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .build_or_adopt import Source, conflicts
from .database import DatabaseClusterProps
from .database.cluster import DatabaseCluster
from .datacenter_lb import DatacenterLoadBalancer, DatacenterLoadBalancerProps
from .errors import ConfigError, Problems
from .network import DatacenterProps, ExistingNetwork
from .network.datacenter import Datacenter
from .network.imported import ImportedDatacenter
from .network.interface import IDatacenter
from .portal_fleet import PortalFleet, PortalFleetProps
from .shared_storage import SharedFileSystem
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
        where = _where(self.network.name if self.network is not None else None)
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


def _where(name: str | None) -> str:
    return f"datacenters[{name}]" if name is not None else "portal_datacenter"


def _name_of(datacenter: IDatacenter | None) -> str:
    return "none" if datacenter is None else datacenter.name


def _existing_resource_problems(
    props: PortalDatacenterProps,
    provider: AwsProvider | None,
    datacenter: IDatacenter | None,
    shared_file_system: SharedFileSystem | None,
    database_cluster: DatabaseCluster | None,
) -> list[str]:
    """Every conflict between props that build a piece and an existing resource given for it."""
    problems = Problems()
    name = props.network.name if props.network is not None else datacenter.name if datacenter else None
    where = _where(name)
    existing_network = Source("datacenter", f"an existing Datacenter {_name_of(datacenter)}", datacenter)
    problems.extend(conflicts(where, existing_network, Source("network", "props to build or adopt a network",
                                                               props.network)))
    if props.network is None and datacenter is None:
        problems.add(
            f"{where}: network is missing: set props.network (DatacenterProps to build a VPC, ExistingNetwork "
            "to adopt one) or pass an existing Datacenter as datacenter="
        )
    if props.network is not None and provider is None:
        problems.add(f"{where}: provider is missing: pass the AwsProvider of {props.network.region} as provider=")
    if datacenter is not None and provider is not None and provider is not datacenter.provider:
        problems.add(
            f"{where}: provider is not the provider of datacenter {datacenter.name}: leave provider unset, the "
            "datacenter's provider is used"
        )
    problems.extend(conflicts(
        where, Source("shared_file_system", "an existing SharedFileSystem", shared_file_system),
        Source("file_system", "props to build a file system", props.file_system),
        Source("efs_mount", "another datacenter's file system", props.efs_mount)))
    if shared_file_system is not None:
        if props.fleet.data_volume_gb is not None:
            problems.add(
                f"{where}: fleet.data_volume_gb (local storage) is set together with shared_file_system: "
                "choose one"
            )
        if shared_file_system.datacenter is not datacenter:
            problems.add(
                f"{where}: shared_file_system is in datacenter {shared_file_system.datacenter.name}, which is "
                f"not the datacenter= passed here ({_name_of(datacenter)}): the instances mount it in its own "
                "VPC; pass its Datacenter as datacenter=, or mount another VPC's file system with efs_mount"
            )
    problems.extend(conflicts(
        where, Source("database_cluster", "an existing DatabaseCluster", database_cluster),
        Source("database", "props to build a database cluster", props.database)))
    if database_cluster is not None:
        if database_cluster.datacenter is not datacenter:
            problems.add(
                f"{where}: database_cluster is in datacenter {database_cluster.datacenter.name}, which is not "
                f"the datacenter= passed here ({_name_of(datacenter)}): its security group admits the instances "
                "of its own VPC only; pass its Datacenter as datacenter="
            )
    return problems.items


class PortalDatacenter(Construct):
    """One API Portal datacenter: network, >= 2 portal instances behind an NLB, and optionally EFS and DB.

    ``provider`` is the datacenter region's ``AwsProvider`` (required when ``props.network`` is set; with
    ``datacenter=`` the datacenter's own provider is used). ``datacenter``, ``shared_file_system`` and
    ``database_cluster`` are existing resources used instead of building them (see the module docstring).
    ``replica_provider`` is the provider of ``props.file_system.replication_region``, where the file system's
    replica is built (required with that region, unless ``replica_file_system_id`` names an existing replica).

    Attributes:
        name, region: the datacenter's. network: its ``Datacenter`` (built, adopted, or the one passed).
        load_balancer, fleet: the NLB and the portal instances built here.
        file_system: the ``SharedFileSystem`` built here or passed in; None when none is in this datacenter.
        database: the ``DatabaseCluster`` built here or passed in; None otherwise.
        portal_url: ``https://`` + the NLB's DNS name.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: PortalDatacenterProps,
        provider: AwsProvider | None = None,
        datacenter: IDatacenter | None = None,
        shared_file_system: SharedFileSystem | None = None,
        database_cluster: DatabaseCluster | None = None,
        replica_provider: TerraformProvider | None = None,
    ) -> None:
        problems = _existing_resource_problems(props, provider, datacenter, shared_file_system, database_cluster)
        if problems:
            raise ConfigError(problems)
        super().__init__(scope, id)
        self.props = props
        if datacenter is not None:
            self.network: IDatacenter = datacenter
        else:
            if props.network is None or provider is None:
                raise RuntimeError("internal error: props.network and provider are set when no datacenter= is "
                                   "(checked above)")
            self.network = self._network(props.network, provider)
        self.name: str = self.network.name
        self.region: str = self.network.region
        self.load_balancer = DatacenterLoadBalancer(self, "lb", props=props.load_balancer, datacenter=self.network)

        self.file_system: SharedFileSystem | None = shared_file_system
        efs_mount = props.efs_mount
        if props.file_system is not None:
            self.file_system = SharedFileSystem(
                self, "efs", props=props.file_system, datacenter=self.network, client_security_group_id=None,
                replica_provider=replica_provider,
            )
        if self.file_system is not None:
            efs_mount = EfsMount(
                file_system_id=self.file_system.file_system_id,
                access_point_id=self.file_system.access_point_id,
                region=self.file_system.region,
            )
        fleet_props = props.fleet if efs_mount is None else replace(props.fleet, efs=efs_mount)
        self.fleet = PortalFleet(
            self, "fleet", props=fleet_props, datacenter=self.network,
            lb_security_group_id=self.load_balancer.security_group_id,
        )
        self.fleet.serve(self.load_balancer)
        if self.file_system is not None:
            self.file_system.allow_clients_from_security_group(self.fleet.security_group_id)

        self.database: DatabaseCluster | None = database_cluster
        if props.database is not None:
            self.database = DatabaseCluster(
                self, "db", props=props.database, datacenter=self.network,
                client_security_group_id=self.fleet.security_group_id,
            )
        elif database_cluster is not None:
            database_cluster.allow_clients_from_security_group(self.fleet.security_group_id)

    def _network(self, network: DatacenterProps | ExistingNetwork, provider: AwsProvider) -> IDatacenter:
        """The datacenter's network: built from ``DatacenterProps``, or adopted from an ``ExistingNetwork``."""
        if isinstance(network, ExistingNetwork):
            return ImportedDatacenter(self, "network", network=network, provider=provider)
        return Datacenter(self, "network", props=network, provider=provider)

    @property
    def portal_url(self) -> str:
        """The datacenter's own entry point (its NLB), for checks that bypass global load balancing."""
        return f"https://{self.load_balancer.nlb_dns_name}"
