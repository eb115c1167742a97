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
from typing import Any

from cdktf import Fn
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from constructs_lib.errors import Problems

from . import profiles
from .base import PortalStack, build_props
from .settings import ArchitectureSettings, Settings

DEFAULT_LOCAL_DATA_VOLUME_GB = 50


class MultiDcStack(PortalStack):
    """Several active-active datacenters with a shared (``multi-dc``) or local (``multi-dc-local``) file store."""

    def __init__(self, scope: Construct, settings: Settings, arch: ArchitectureSettings) -> None:
        super().__init__(scope, settings, arch)
        from constructs_lib.database import DatabaseSite, GlobalDatabase, GlobalDatabaseProps
        from constructs_lib.global_lb import (
            GLOBAL_ACCELERATOR_REGION,
            GlobalEndpoint,
            GlobalLoadBalancer,
            GlobalLoadBalancerProps,
        )
        from constructs_lib.interconnect import DatacenterMesh
        from constructs_lib.portal_datacenter import PortalDatacenter
        from constructs_lib.portal_fleet import EfsMount

        shared = arch.name == "multi-dc"
        primary = arch.primary_datacenter
        others = [dc for dc in arch.datacenters if dc.name != primary.name]
        ordered = [primary, *others]
        problems = Problems()

        fs_extra: dict[str, Any] = {}
        if shared and len(others) > 0:
            # Disaster recovery copy of the shared file system in the first other datacenter's region.
            fs_extra = {"replication_region": arch.section("file_system").get("replication_region", others[0].region)}
        local_storage: dict[str, Any] = {}
        if not shared:
            local_storage = {
                "fleet": {"data_volume_gb": arch.section("portal").get("data_volume_gb", DEFAULT_LOCAL_DATA_VOLUME_GB)},
                "load_balancer": {"stickiness": arch.section("load_balancer").get("stickiness", True)},
            }
        all_props = {
            dc.name: self.datacenter_props(
                dc, problems, with_file_system=shared and dc is primary, file_system=fs_extra,
                **{k: dict(v) for k, v in local_storage.items()},
            )
            for dc in ordered
        }
        lab_secret = {"secret_recovery_days": 0} if settings.is_lab else {}  # recreate a lab at once
        db_props = build_props(problems, f"{arch.name}.database", GlobalDatabaseProps,
                               **(arch.section("database") | profiles.database_overrides(settings) | lab_secret))
        glb_settings = arch.section("global_lb") | profiles.global_lb_overrides(settings)
        glb_props = build_props(problems, f"{arch.name}.global_lb", GlobalLoadBalancerProps, **glb_settings)
        problems.raise_if_any()

        # Datacenters, primary first: the others mount the primary's file system.
        datacenters: dict[str, PortalDatacenter] = {}
        for dc in ordered:
            props = all_props[dc.name]
            if shared and dc is not primary:
                efs = datacenters[primary.name].file_system
                assert efs is not None
                props = replace(props, efs_mount=EfsMount(
                    file_system_id=efs.file_system_id, access_point_id=efs.access_point_id, region=primary.region))
            datacenters[dc.name] = PortalDatacenter(self, dc.name, props=props, provider=self.providers[dc.name])

        mesh = DatacenterMesh(self, "mesh", datacenters=[d.network for d in datacenters.values()])

        # Security groups do not cross regions: admit peers by their DMZ ranges.
        primary_dc = datacenters[primary.name]
        if shared:
            efs = primary_dc.file_system
            assert efs is not None
            for dc in others:
                efs.expose_to(datacenters[dc.name].network, private_zone=not settings.is_local)
                for cidr in primary_dc.network.internal_cidrs:
                    datacenters[dc.name].fleet.allow_egress(cidr, 2049, f"NFS to the shared EFS in {primary.name}")

        sites = [
            DatabaseSite(
                datacenter=datacenters[dc.name].network,
                client_security_group_id=datacenters[dc.name].fleet.security_group_id,
                client_cidrs=tuple(mesh.peer_dmz_cidrs(dc.name)),
            )
            for dc in ordered
        ]
        global_cluster_provider = None
        if settings.is_local:
            # moto does not store tags on a global cluster: give it a provider without default tags.
            global_cluster_provider = AwsProvider(self, "aws-global-db", region=primary.region, alias="global-db")
        database = GlobalDatabase(self, "db", props=db_props, primary=sites[0], secondaries=sites[1:],
                                  global_cluster_provider=global_cluster_provider)

        ga = glb_props.kind == "global-accelerator"
        glb_provider = (self.provider_for("global", GLOBAL_ACCELERATOR_REGION) if ga
                        else self.providers[primary.name])
        global_lb = GlobalLoadBalancer(
            self, "global-lb", props=glb_props, provider=glb_provider,
            endpoints=[
                GlobalEndpoint(name=name, region=d.region, nlb_arn=d.load_balancer.nlb_arn,
                               nlb_dns_name=d.load_balancer.nlb_dns_name, nlb_zone_id=d.load_balancer.nlb_zone_id)
                for name, d in datacenters.items()
            ],
        )

        manifests = []
        for name, d in datacenters.items():
            manifest = self.datacenter_outputs(d)
            manifest |= self.database_outputs(name, database.clusters[name])
            manifests.append(manifest)
        portal_url = (f"https://{global_lb.domain}" if global_lb.domain
                      else f"https://{global_lb.accelerator_dns_name}")
        self.output("portal_url", portal_url, "URL of API Portal behind the global load balancer")
        if global_lb.zone_name_servers is not None:
            self.output("global_lb_zone_name_servers", global_lb.zone_name_servers,
                        "Name servers of the created public zone: delegate your domain to them")
        self.output("db_global_cluster_identifier", database.global_cluster_identifier,
                    "Aurora global database joining the clusters of every datacenter")
        self.output("verify_manifest", Fn.jsonencode({
            "architecture": arch.name,
            "primary": primary.name,
            "datacenters": manifests,
            "peering_connection_ids": [
                {"requester": a, "accepter": b, "id": mesh.peering_connection_ids[(a, b)]} for a, b in mesh.pairs
            ],
            "global_lb": {
                "kind": global_lb.kind,
                "zone_id": global_lb.zone_id,
                "domain": global_lb.domain,
                "health_check_ids": global_lb.health_check_ids,
            },
            "db_global_cluster_identifier": database.global_cluster_identifier,
        }), "What portal-ha verify reads: the ids of every HA-relevant resource, per datacenter")
