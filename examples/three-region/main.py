"""A three-region, active-active API Portal built from the library's constructs directly (no portal-ha CLI).

- three ``PortalDatacenter``s, one per region (us-east-1, eu-west-1, ap-southeast-1), each with its own VPC,
  2 portal instances and an NLB;
- one shared EFS in the primary datacenter, replicated to eu-west-1 for disaster recovery, mounted by every
  datacenter: the others reach it over the peering by its standard name (``SharedFileSystem.expose_to``);
- a ``DatacenterMesh`` (inter-region VPC peering, routes, network ACL rules between the three VPCs);
- a ``GlobalDatabase`` (Aurora global database: 3 nodes per region, secondaries forward writes);
- a ``GlobalLoadBalancer`` (Route 53 latency records with a health check per datacenter) for
  ``portal.example.com``, in a new public zone ``example.com``;
- the library's HA policy checks (``apply_ha_checks``) on the whole stack.

Every default is the production one (deletion protection, final snapshots, backups). Synthesizing needs no
AWS access.

Run: ``python main.py`` (writes ``cdktf.out/stacks/three-region/cdk.tf.json``) or ``npx cdktf synth``.
"""

from __future__ import annotations

# Before the provider bindings: they then load only the resources used (README: Use the constructs in your own stack).
import constructs_lib  # noqa: F401

# isort: split
from pathlib import Path
from typing import NamedTuple

from cdktf import App, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from constructs_lib import (
    DatabaseSite,
    DatacenterMesh,
    DatacenterProps,
    EfsMount,
    GlobalDatabase,
    GlobalDatabaseProps,
    GlobalEndpoint,
    GlobalLoadBalancer,
    GlobalLoadBalancerProps,
    PortalDatacenter,
    PortalDatacenterProps,
    SharedFileSystemProps,
    apply_ha_checks,
)

STACK = "three-region"
DOMAIN = "portal.example.com"


class Site(NamedTuple):
    name: str
    region: str
    cidr: str


# The primary first: it holds the shared file system and the primary database cluster.
SITES = (
    Site("use1", "us-east-1", "10.10.0.0/16"),
    Site("euw1", "eu-west-1", "10.20.0.0/16"),
    Site("apse1", "ap-southeast-1", "10.30.0.0/16"),
)


class ThreeRegionStack(TerraformStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        primary, *others = SITES
        providers = {
            site.name: AwsProvider(
                self, f"aws-{site.name}", region=site.region, alias=site.name,
                default_tags=[AwsProviderDefaultTags(tags={"Project": "api-portal", "Datacenter": site.name})],
            )
            for site in SITES
        }

        def network(site: Site) -> DatacenterProps:
            return DatacenterProps(name=site.name, region=site.region, cidr=site.cidr)

        # The primary builds the shared file system (with a read-only replica in the second region).
        # The replica is a file system of this stack in that region: its provider builds it (and destroys it).
        main = PortalDatacenter(self, primary.name, provider=providers[primary.name], props=PortalDatacenterProps(
            network=network(primary),
            file_system=SharedFileSystemProps(replication_region=others[0].region),
        ), replica_provider=providers[others[0].name])
        efs = main.file_system
        if efs is None:  # props.file_system was given, so PortalDatacenter built one
            raise RuntimeError("PortalDatacenter built no file system")
        datacenters = {primary.name: main}
        for site in others:
            datacenters[site.name] = PortalDatacenter(
                self, site.name, provider=providers[site.name], props=PortalDatacenterProps(
                    network=network(site),
                    efs_mount=EfsMount(file_system_id=efs.file_system_id, access_point_id=efs.access_point_id,
                                       region=primary.region),
                ))

        mesh = DatacenterMesh(self, "mesh", datacenters=[d.network for d in datacenters.values()])

        # The other datacenters mount the primary's EFS over the peering: a private zone in their VPC resolves
        # its name, its security group admits their DMZ ranges, and their instances may open NFS to it.
        for site in others:
            efs.expose_to(datacenters[site.name].network)
            for cidr in main.network.internal_cidrs:
                datacenters[site.name].fleet.allow_egress(cidr, 2049, f"NFS to the shared EFS in {primary.name}")

        sites = [
            DatabaseSite(
                datacenter=d.network, client_security_group_id=d.fleet.security_group_id,
                client_cidrs=tuple(mesh.peer_dmz_cidrs(name)),
            )
            for name, d in datacenters.items()
        ]
        database = GlobalDatabase(self, "db", props=GlobalDatabaseProps(), primary=sites[0], secondaries=sites[1:])

        global_lb = GlobalLoadBalancer(
            self, "global-lb", provider=providers[primary.name], props=GlobalLoadBalancerProps(domain=DOMAIN),
            endpoints=[
                GlobalEndpoint(name=name, region=d.region, nlb_arn=d.load_balancer.nlb_arn,
                               nlb_dns_name=d.load_balancer.nlb_dns_name, nlb_zone_id=d.load_balancer.nlb_zone_id)
                for name, d in datacenters.items()
            ],
        )
        apply_ha_checks(self)

        TerraformOutput(self, "portal_url", value=f"https://{DOMAIN}")
        if global_lb.zone_name_servers is not None:
            TerraformOutput(self, "zone_name_servers", value=global_lb.zone_name_servers,
                            description="Delegate example.com to these name servers")
        TerraformOutput(self, "db_secret_arn", value=database.db_secret_arn)
        for name, d in datacenters.items():
            TerraformOutput(self, f"{name}_nlb_url", value=d.portal_url)


def build(app: App) -> list[TerraformStack]:
    """Add this example's stacks to ``app``."""
    return [ThreeRegionStack(app, STACK)]


def synth(outdir: str | Path) -> Path:
    """Synthesize into ``outdir`` (created if needed); return the stack's folder (it holds ``cdk.tf.json``)."""
    Path(outdir).mkdir(parents=True, exist_ok=True)
    app = App(outdir=str(outdir))
    build(app)
    app.synth()
    return Path(outdir) / "stacks" / STACK


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
