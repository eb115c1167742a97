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
  existing ``IFileSystem`` in this datacenter's VPC as ``shared_file_system=``: a ``SharedFileSystem`` built
  elsewhere in the stack, or an ``ImportedFileSystem`` (an ``ExistingFileSystem`` adopted);
- database: ``props.database`` (build a cluster here), or an existing ``IDatabaseCluster`` in this datacenter's
  VPC as ``database_cluster=`` (a ``DatabaseCluster``, for example a ``GlobalDatabase`` member, or an
  ``ImportedDatabaseCluster``), or none.

An existing file system or cluster must be in the ``datacenter=`` passed here (same VPC): its security group
then admits the portal instances' security group (NFS 2049, MySQL 3306), and the instances mount the file
system.
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .build_or_adopt import Source, conflicts
from .database.cluster import DatabaseCluster
from .database.interface import IDatabaseCluster
from .datacenter_lb import DatacenterLoadBalancer
from .errors import ConfigError, Problem, Problems, Ref
from .network import ExistingNetwork
from .network.datacenter import Datacenter
from .network.imported import ImportedDatacenter
from .network.interface import IDatacenter
from .portal_datacenter_props import PortalDatacenterProps, where_of
from .portal_fleet import PortalFleet
from .shared_storage import SharedFileSystem
from .shared_storage_interface import IFileSystem
from .user_data import EfsMount

__all__ = ["PortalDatacenter", "PortalDatacenterProps"]


def _name_of(datacenter: IDatacenter | None) -> str:
    return "none" if datacenter is None else datacenter.name


def _existing_resource_problems(
    props: PortalDatacenterProps,
    provider: AwsProvider | None,
    datacenter: IDatacenter | None,
    shared_file_system: IFileSystem | None,
    database_cluster: IDatabaseCluster | None,
) -> list[Problem]:
    """Every conflict between props that build a piece and an existing resource given for it."""
    name = props.network.name if props.network is not None else datacenter.name if datacenter else None
    where = where_of(name)
    return [*_network_problems(where, props, provider, datacenter),
            *_file_system_problems(where, props, datacenter, shared_file_system),
            *_database_problems(where, props, datacenter, database_cluster)]


def _network_problems(
    where: str, props: PortalDatacenterProps, provider: AwsProvider | None, datacenter: IDatacenter | None
) -> list[Problem]:
    """The network comes from props (with the provider of its region) or is an existing datacenter= (with its own
    provider)."""
    problems = Problems()
    existing_network = Source("datacenter", f"an existing Datacenter {_name_of(datacenter)}", datacenter)
    problems.extend(conflicts(where, existing_network, Source("network", "props to build or adopt a network",
                                                               props.network)))
    if props.network is None and datacenter is None:
        problems.add(Problem(
            where, sep=": ", fix="network is missing: set props.network (DatacenterProps to build a VPC, "
            "ExistingNetwork to adopt one) or pass an existing Datacenter as datacenter="
        ))
    if props.network is not None and provider is None:
        problems.add(Problem(where, sep=": ", fix=f"provider is missing: pass the AwsProvider of "
                                                  f"{props.network.region} as provider="))
    if datacenter is not None and provider is not None and provider is not datacenter.provider:
        problems.add(Problem(
            where, sep=": ", fix=f"provider is not the provider of datacenter {datacenter.name}: leave provider "
            "unset, the datacenter's provider is used"
        ))
    return problems.items


def _elsewhere(where: str, field: str, home: IDatacenter, datacenter: IDatacenter | None, why: str) -> list[Problem]:
    """The problem of an existing resource given as ``field`` whose datacenter (``home``) is not the one passed."""
    if home is datacenter:
        return []
    return [Problem(where, sep=": ", fix=f"{field} is in datacenter {home.name}, which is not the datacenter= "
                                         f"passed here ({_name_of(datacenter)}): {why}")]


def _file_system_problems(
    where: str, props: PortalDatacenterProps, datacenter: IDatacenter | None, shared_file_system: IFileSystem | None
) -> list[Problem]:
    """An existing file system replaces the props that build or mount one, and is in the datacenter= passed."""
    problems = Problems()
    problems.extend(conflicts(
        where, Source("shared_file_system", "an existing SharedFileSystem", shared_file_system),
        Source("file_system", "props to build a file system", props.file_system),
        Source("efs_mount", "another datacenter's file system", props.efs_mount)))
    if shared_file_system is not None:
        if props.fleet.data_volume_gb is not None:
            problems.add(Problem(
                where, sep=": ", fix="{0} (local storage) is set together with shared_file_system: choose one",
                refs=(Ref("fleet.data_volume_gb"),)
            ))
        problems.extend(_elsewhere(where, "shared_file_system", shared_file_system.datacenter, datacenter,
                                   "the instances mount it in its own VPC; pass its Datacenter as datacenter=, or "
                                   "mount another VPC's file system with efs_mount"))
    return problems.items


def _database_problems(
    where: str, props: PortalDatacenterProps, datacenter: IDatacenter | None, database_cluster: IDatabaseCluster | None
) -> list[Problem]:
    """An existing cluster replaces the props that build one, and is in the datacenter= passed."""
    problems = Problems()
    problems.extend(conflicts(
        where, Source("database_cluster", "an existing DatabaseCluster", database_cluster),
        Source("database", "props to build a database cluster", props.database)))
    if database_cluster is not None:
        problems.extend(_elsewhere(where, "database_cluster", database_cluster.datacenter, datacenter,
                                   "its security group admits the instances of its own VPC only; pass its "
                                   "Datacenter as datacenter="))
    return problems.items


class PortalDatacenter(Construct):
    """One API Portal datacenter: network, >= 2 portal instances behind an NLB, and optionally EFS and DB.

    ``provider`` is the datacenter region's ``AwsProvider`` (required when ``props.network`` is set; with
    ``datacenter=`` the datacenter's own provider is used). ``datacenter`` (an ``IDatacenter``),
    ``shared_file_system`` (an ``IFileSystem``: a ``SharedFileSystem`` or an ``ImportedFileSystem``) and
    ``database_cluster`` (an ``IDatabaseCluster``: a ``DatabaseCluster`` or an ``ImportedDatabaseCluster``) are
    existing resources used instead of building them (see the module docstring). ``replica_provider`` is the
    provider of ``props.file_system.replication_region``, where the file system's replica is built (required with
    that region, unless ``replica_file_system_id`` names an existing replica).

    Attributes:
        name, region: the datacenter's. network: its ``IDatacenter`` (built, adopted, or the one passed).
        load_balancer, fleet: the NLB and the portal instances built here.
        file_system: the ``SharedFileSystem`` built here from ``props.file_system``; None otherwise.
        shared_file_system: the ``IFileSystem`` the instances mount: the one built here or the one passed in;
        None when none is in this datacenter.
        database: the ``DatabaseCluster`` built here from ``props.database``; None otherwise.
        database_cluster: the ``IDatabaseCluster`` that admits the instances: built here or passed in; None
        otherwise.
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
        shared_file_system: IFileSystem | None = None,
        database_cluster: IDatabaseCluster | None = None,
        replica_provider: TerraformProvider | None = None,
    ) -> None:
        problems = _existing_resource_problems(props, provider, datacenter, shared_file_system, database_cluster)
        if problems:
            raise ConfigError(problems)
        super().__init__(scope, id)
        self.props = props
        self.network: IDatacenter = datacenter if datacenter is not None else self._network(provider)
        self.name: str = self.network.name
        self.region: str = self.network.region
        self.load_balancer = DatacenterLoadBalancer(self, "lb", props=props.load_balancer, datacenter=self.network)
        self.file_system: SharedFileSystem | None = self._file_system(replica_provider)
        self.shared_file_system: IFileSystem | None = (
            self.file_system if self.file_system is not None else shared_file_system)
        self.fleet = self._fleet()
        if self.shared_file_system is not None:
            self.shared_file_system.allow_clients_from_security_group(self.fleet.security_group_id)
        self.database: DatabaseCluster | None = self._database()
        self.database_cluster: IDatabaseCluster | None = (
            self.database if self.database is not None else database_cluster)
        if self.database is None and database_cluster is not None:
            database_cluster.allow_clients_from_security_group(self.fleet.security_group_id)

    def _network(self, provider: AwsProvider | None) -> IDatacenter:
        """The datacenter's network: built from ``DatacenterProps``, or adopted from an ``ExistingNetwork``."""
        network = self.props.network
        if network is None or provider is None:  # reported before anything is built: say it again, never build
            raise ConfigError(_network_problems(where_of(None if network is None else network.name), self.props,
                                                provider, None))
        if isinstance(network, ExistingNetwork):
            return ImportedDatacenter(self, "network", network=network, provider=provider)
        return Datacenter(self, "network", props=network, provider=provider)

    def _file_system(self, replica_provider: TerraformProvider | None) -> SharedFileSystem | None:
        """The shared file system ``props.file_system`` builds here (the fleet is admitted once it exists)."""
        if self.props.file_system is None:
            return None
        return SharedFileSystem(self, "efs", props=self.props.file_system, datacenter=self.network,
                                client_security_group_id=None, replica_provider=replica_provider)

    def _fleet(self) -> PortalFleet:
        """The portal instances, mounting this datacenter's file system or ``props.efs_mount``, behind the NLB."""
        efs_mount = self.props.efs_mount
        fs = self.shared_file_system
        if fs is not None:
            efs_mount = EfsMount(file_system_id=fs.file_system_id, access_point_id=fs.access_point_id,
                                 region=fs.region)
        fleet_props = self.props.fleet if efs_mount is None else replace(self.props.fleet, efs=efs_mount)
        fleet = PortalFleet(self, "fleet", props=fleet_props, datacenter=self.network,
                            lb_security_group_id=self.load_balancer.security_group_id)
        fleet.serve(self.load_balancer)
        return fleet

    def _database(self) -> DatabaseCluster | None:
        """The cluster ``props.database`` builds here, admitting the fleet."""
        if self.props.database is None:
            return None
        return DatabaseCluster(self, "db", props=self.props.database, datacenter=self.network,
                               client_security_group_id=self.fleet.security_group_id)

    @property
    def portal_url(self) -> str:
        """The datacenter's own entry point (its NLB), for checks that bypass global load balancing."""
        return f"https://{self.load_balancer.nlb_dns_name}"
