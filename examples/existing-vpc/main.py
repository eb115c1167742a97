"""Add an API Portal datacenter to a VPC that already exists (nothing of the network is created).

The VPC and its subnets are found at plan time with the ``aws_vpc`` / ``aws_subnet`` / ``aws_route_table``
data sources: the VPC by its ``Name`` tag, each subnet by its range. Only the ranges are written here; they
must be plain values (they name the security-group rules). ``ExistingNetwork`` wraps what was found, and
``PortalDatacenter`` builds the portal in it: 2 instances in the DMZ subnets behind an NLB in the public
subnets, an encrypted EFS and a 3-node Aurora cluster in the internal subnets. Synthesizing needs no AWS
access; ``cdktf plan`` / ``deploy`` need a VPC laid out like ``SUBNETS``.

Run: ``python main.py`` (writes ``cdktf.out/stacks/existing-vpc/cdk.tf.json``) or ``npx cdktf synth``.
"""

from __future__ import annotations

# Before the provider bindings: they then load only the resources used (README: Use the constructs in your own stack).
import constructs_lib  # noqa: F401

# isort: split
from pathlib import Path

from cdktf import App, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_route_table import DataAwsRouteTable
from cdktf_cdktf_provider_aws.data_aws_subnet import DataAwsSubnet
from cdktf_cdktf_provider_aws.data_aws_vpc import DataAwsVpc
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from constructs_lib import (
    DatabaseClusterProps,
    ExistingNetwork,
    PortalDatacenter,
    PortalDatacenterProps,
    SharedFileSystemProps,
)

STACK = "existing-vpc"
REGION = "eu-west-1"
# Your VPC: its Name tag and range, the AZs used, and per tier one subnet range per AZ (in the order of AZS).
VPC_NAME = "corp-shared-vpc"
VPC_CIDR = "10.20.0.0/16"
AZS = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
SUBNETS: dict[str, tuple[str, ...]] = {
    "public": ("10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24"),  # route to an internet gateway: the NLB
    "dmz": ("10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24"),  # egress through NAT: the portal instances
    "internal": ("10.20.20.0/24", "10.20.21.0/24", "10.20.22.0/24"),  # no internet route: EFS and Aurora
}


def lookup_network(scope: Construct, provider: AwsProvider) -> ExistingNetwork:
    """The existing VPC, read with data sources (ids are tokens, resolved at plan time)."""
    vpc = DataAwsVpc(scope, "vpc", provider=provider, tags={"Name": VPC_NAME})
    subnets = {
        tier: [DataAwsSubnet(scope, f"{tier}-{i}", provider=provider, vpc_id=vpc.id, cidr_block=cidr,
                             availability_zone=AZS[i]) for i, cidr in enumerate(ranges)]
        for tier, ranges in SUBNETS.items()
    }

    def ids(tier: str) -> tuple[str, ...]:
        return tuple(s.id for s in subnets[tier])

    def route_tables(tier: str) -> tuple[str, ...]:
        return tuple(DataAwsRouteTable(scope, f"{tier}-rt-{i}", provider=provider, subnet_id=s.id).id
                     for i, s in enumerate(subnets[tier]))

    return ExistingNetwork(
        name="dc1", region=REGION, vpc_id=vpc.id, vpc_cidr=VPC_CIDR, azs=AZS,
        public_subnet_ids=ids("public"), dmz_subnet_ids=ids("dmz"), internal_subnet_ids=ids("internal"),
        # Only a DatacenterMesh adds routes to these; a single datacenter leaves them alone.
        dmz_route_table_ids=route_tables("dmz"), internal_route_table_ids=route_tables("internal"),
        public_cidrs=SUBNETS["public"], dmz_cidrs=SUBNETS["dmz"], internal_cidrs=SUBNETS["internal"],
        # No internal_nacl_id: your network ACLs must admit the DMZ ranges into the internal subnets on
        # 2049 (NFS) and 3306 (MySQL). Give the ACL's id to let the library add those rules.
    )


class ExistingVpcStack(TerraformStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        aws = AwsProvider(self, "aws", region=REGION,
                          default_tags=[AwsProviderDefaultTags(tags={"Project": "api-portal", "Stack": id})])
        portal = PortalDatacenter(self, "dc1", provider=aws, props=PortalDatacenterProps(
            network=lookup_network(self, aws),
            file_system=SharedFileSystemProps(),
            database=DatabaseClusterProps(),
        ))
        database = portal.database
        if database is None:  # props.database was given, so PortalDatacenter built one
            raise RuntimeError("PortalDatacenter built no database")
        TerraformOutput(self, "portal_url", value=portal.portal_url)
        TerraformOutput(self, "db_writer_endpoint", value=database.db_writer_endpoint)
        TerraformOutput(self, "db_secret_arn", value=database.db_secret_arn)


def build(app: App) -> list[TerraformStack]:
    """Add this example's stacks to ``app``."""
    return [ExistingVpcStack(app, STACK)]


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
