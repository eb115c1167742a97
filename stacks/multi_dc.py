"""``multi-dc`` and ``multi-dc-local``: the seed's multi-datacenter architectures, active-active.

Every datacenter (one AWS region each) has its own VPC, >= 2 portal instances behind its own NLB, and 3
Aurora nodes of one Aurora Global Database (secondaries forward writes, so every datacenter can write). The
VPCs are joined by an inter-region peering mesh, and a global load balancer (Route 53 latency records with
health checks, or Global Accelerator) spreads users over the datacenters.

- ``multi-dc`` (shared file system, the seed's recommended option): one EFS in the primary datacenter,
  mounted by every datacenter over the mesh by its standard name, which a private zone in each other VPC
  resolves to the mount-target IPs; replicated to a second region for disaster recovery.
- ``multi-dc-local`` (local storage): no EFS; each instance keeps the portal's files on its own encrypted
  EBS volume, and NLB source-IP stickiness keeps a user on one instance.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from constructs import Construct

from constructs_lib.errors import required

from .assembly import ArchitecturePlan
from .base import PortalStack
from .manifest import GlobalLbManifest, Manifest, MultiDatacenterManifest, PeeringManifest
from .settings import DatacenterSettings, Settings

if TYPE_CHECKING:
    from constructs_lib.database import GlobalDatabase, GlobalDatabaseProps
    from constructs_lib.global_lb import GlobalLoadBalancer, GlobalLoadBalancerProps
    from constructs_lib.interconnect import DatacenterMesh
    from constructs_lib.portal_datacenter import PortalDatacenter, PortalDatacenterProps

class MultiDcStack(PortalStack):
    """Several active-active datacenters with a shared (``multi-dc``) or local (``multi-dc-local``) file store."""

    def __init__(self, scope: Construct, settings: Settings, plan: ArchitecturePlan) -> None:
        super().__init__(scope, settings, plan)
        arch = plan.arch
        self.shared = arch.kind.shared_storage
        self.ordered: list[DatacenterSettings] = [arch.primary_datacenter, *arch.others]
        valid = "a multi-datacenter plan has a global database and load balancer"
        datacenters = self._datacenters(dict(plan.datacenters))
        mesh = self._mesh(datacenters)
        database = self._database(datacenters, mesh, required(plan.database, valid))
        global_lb = self._global_lb(datacenters, required(plan.global_lb, valid))
        self._outputs(datacenters, mesh, database, global_lb)

    def _datacenters(self, all_props: dict[str, PortalDatacenterProps]) -> dict[str, PortalDatacenter]:
        """Datacenters, primary first: the others mount the primary's file system."""
        from constructs_lib.portal_datacenter import PortalDatacenter
        from constructs_lib.user_data import EfsMount

        datacenters: dict[str, PortalDatacenter] = {}
        primary = self.arch.primary
        for dc in self.ordered:
            props = all_props[dc.name]
            if self.shared and dc.name != primary:
                efs = required(datacenters[primary].file_system, "the shared primary builds the file system")
                props = replace(props, efs_mount=EfsMount(
                    file_system_id=efs.file_system_id, access_point_id=efs.access_point_id,
                    region=self.arch.primary_datacenter.region))
            datacenters[dc.name] = PortalDatacenter(self, dc.name, props=props, provider=self.providers[dc.name],
                                                    replica_provider=self.replica_provider(props))
        return datacenters

    def _mesh(self, datacenters: dict[str, PortalDatacenter]) -> DatacenterMesh:
        """The peering mesh; with a shared file system, each other DC reaches the primary's EFS over it.
        Security groups do not cross regions: peers are admitted by their DMZ ranges."""
        from constructs_lib.interconnect import DatacenterMesh

        # Configuration order, not primary first: a failover changes the primary, never who requests a peering.
        mesh = DatacenterMesh(self, "mesh", datacenters=[datacenters[dc.name].network for dc in self.arch.datacenters])
        primary = datacenters[self.arch.primary]
        if self.shared:
            efs = required(primary.file_system, "the shared primary builds the file system")
            for dc in self.arch.others:
                efs.expose_to(datacenters[dc.name].network)
                for cidr in primary.network.internal_cidrs:
                    datacenters[dc.name].fleet.allow_egress(cidr, 2049, f"NFS to the shared EFS in {primary.name}")
        return mesh

    def _database(self, datacenters: dict[str, PortalDatacenter], mesh: DatacenterMesh,
                  props: GlobalDatabaseProps) -> GlobalDatabase:
        from constructs_lib.database import DatabaseSite, GlobalDatabase

        # The database home first: it was created as the primary and keeps the master credentials when a
        # failover moves the writer elsewhere (AWS moves the writer; Terraform keeps what it created).
        home = self.arch.home
        home_first = [self.arch.datacenter(home), *(dc for dc in self.arch.datacenters if dc.name != home)]
        sites = [
            DatabaseSite(datacenter=datacenters[dc.name].network,
                         client_security_group_id=datacenters[dc.name].fleet.security_group_id,
                         client_cidrs=tuple(mesh.peer_dmz_cidrs(dc.name)))
            for dc in home_first
        ]
        return GlobalDatabase(self, "db", props=props, primary=sites[0], secondaries=sites[1:])

    def _global_lb(self, datacenters: dict[str, PortalDatacenter],
                   props: GlobalLoadBalancerProps) -> GlobalLoadBalancer:
        from constructs_lib.global_lb import GLOBAL_ACCELERATOR_REGION, GlobalEndpoint, GlobalLoadBalancer

        ga = props.kind == "global-accelerator"
        # Route 53 is global: managed through the database home's provider, which a failover never changes.
        provider = self.provider_for("global", GLOBAL_ACCELERATOR_REGION) if ga else self.providers[self.arch.home]
        return GlobalLoadBalancer(
            self, "global-lb", props=props, provider=provider,
            endpoints=[
                GlobalEndpoint(name=name, region=d.region, nlb_arn=d.load_balancer.nlb_arn,
                               nlb_dns_name=d.load_balancer.nlb_dns_name, nlb_zone_id=d.load_balancer.nlb_zone_id)
                for name, d in datacenters.items()
            ],
        )

    def _outputs(self, datacenters: dict[str, PortalDatacenter], mesh: DatacenterMesh, database: GlobalDatabase,
                 global_lb: GlobalLoadBalancer) -> None:
        manifests = tuple(self.datacenter_outputs(d, database.clusters[name]) for name, d in datacenters.items())
        portal_url = (f"https://{global_lb.domain}" if global_lb.domain
                      else f"https://{global_lb.accelerator_dns_name}")
        self.output("portal_url", portal_url, "URL of API Portal behind the global load balancer")
        if global_lb.zone_name_servers is not None:
            self.output("global_lb_zone_name_servers", global_lb.zone_name_servers,
                        "Name servers of the created public zone: delegate your domain to them")
        self.output("db_global_cluster_identifier", database.global_cluster_identifier,
                    "Aurora global database joining the clusters of every datacenter")
        joined = MultiDatacenterManifest(
            primary=self.arch.primary,
            peering=tuple(PeeringManifest(requester=a, accepter=b, id=mesh.peering_connection_ids[(a, b)])
                          for a, b in mesh.pairs),
            global_lb=GlobalLbManifest(kind=global_lb.kind, zone_id=global_lb.zone_id, domain=global_lb.domain,
                                       health_check_ids=dict(global_lb.health_check_ids),
                                       evacuated=tuple(global_lb.evacuated)),
            database_home=self.arch.home, db_global_cluster_identifier=database.global_cluster_identifier)
        self.manifest_output(Manifest(architecture=self.arch.name, datacenters=manifests, joined=joined))
