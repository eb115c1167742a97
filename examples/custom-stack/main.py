"""A custom stack: the library's ``PortalFleet`` and ``DatacenterLoadBalancer`` mixed with your own resources.

Your own (raw provider resources, written here as a platform team would):
- a VPC over 2 AZs with public, DMZ and internal subnets, an internet gateway, a NAT gateway per AZ and route
  tables, wrapped in ``ExistingNetwork`` and adopted as an ``ImportedDatacenter`` (nothing is created
  twice: the library only reads the ids);
- an encrypted, private, versioned S3 bucket holding the API Portal installer;
- a Multi-AZ RDS for MySQL instance (password kept by RDS in Secrets Manager) whose security group admits the
  portal instances' security group.

From the library: ``DatacenterLoadBalancer`` (internet-facing NLB on 443) and ``PortalFleet`` (2 hardened
instances in the DMZ subnets that download and run the installer from your bucket, with the shared paths on
an encrypted local data volume), checked by ``apply_ha_checks``. Synthesizing needs no AWS access.

Run: ``python main.py`` (writes ``cdktf.out/stacks/custom-stack/cdk.tf.json``) or ``npx cdktf synth``.
"""

from __future__ import annotations

# Before the provider bindings: they then load only the resources used (README: Use the constructs in your own stack).
import constructs_lib  # noqa: F401

# isort: split
from pathlib import Path

from cdktf import App, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.instance import Instance
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from cdktf_cdktf_provider_aws.s3_object import S3Object
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from constructs_lib import (
    DatacenterLoadBalancer,
    DatacenterLoadBalancerProps,
    ExistingNetwork,
    ImportedDatacenter,
    PortalFleet,
    PortalFleetProps,
    apply_ha_checks,
)

STACK = "custom-stack"
REGION = "eu-central-1"
AZS = ("eu-central-1a", "eu-central-1b")
VPC_CIDR = "10.50.0.0/16"
SUBNETS: dict[str, tuple[str, ...]] = {
    "public": ("10.50.0.0/24", "10.50.1.0/24"),
    "dmz": ("10.50.10.0/24", "10.50.11.0/24"),
    "internal": ("10.50.20.0/24", "10.50.21.0/24"),
}
# Bucket names are global: use your own (a plain name keeps the instance role's S3 permission exact).
ARTIFACTS_BUCKET = "team-portal-artifacts-123456789012-eu-central-1"
INSTALLER_KEY = "apiportal/install.sh"


class MyNetwork(Construct):
    """Your own VPC, made with raw provider resources: three tiers over two AZs, a NAT gateway per AZ."""

    def __init__(self, scope: Construct, id: str, *, provider: AwsProvider) -> None:
        super().__init__(scope, id)
        vpc = Vpc(self, "vpc", provider=provider, cidr_block=VPC_CIDR, enable_dns_hostnames=True,
                  enable_dns_support=True, tags={"Name": "team-vpc"})
        subnets = {
            tier: [Subnet(self, f"{tier}-{i}", provider=provider, vpc_id=vpc.id, cidr_block=cidr,
                          availability_zone=AZS[i], tags={"Name": f"team-{tier}-{i}"})
                   for i, cidr in enumerate(ranges)]
            for tier, ranges in SUBNETS.items()
        }
        igw = InternetGateway(self, "igw", provider=provider, vpc_id=vpc.id)
        public_rt = RouteTable(self, "public-rt", provider=provider, vpc_id=vpc.id)
        Route(self, "public-default", provider=provider, route_table_id=public_rt.id,
              destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
        dmz_rts: list[str] = []
        for i, public in enumerate(subnets["public"]):
            RouteTableAssociation(self, f"public-rta-{i}", provider=provider, subnet_id=public.id,
                                  route_table_id=public_rt.id)
            eip = Eip(self, f"nat-eip-{i}", provider=provider, domain="vpc", depends_on=[igw])
            nat = NatGateway(self, f"nat-{i}", provider=provider, allocation_id=eip.id, subnet_id=public.id)
            rt = RouteTable(self, f"dmz-rt-{i}", provider=provider, vpc_id=vpc.id)
            Route(self, f"dmz-default-{i}", provider=provider, route_table_id=rt.id,
                  destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)
            RouteTableAssociation(self, f"dmz-rta-{i}", provider=provider, subnet_id=subnets["dmz"][i].id,
                                  route_table_id=rt.id)
            dmz_rts.append(rt.id)
        internal_rt = RouteTable(self, "internal-rt", provider=provider, vpc_id=vpc.id)  # no internet route
        for i, internal in enumerate(subnets["internal"]):
            RouteTableAssociation(self, f"internal-rta-{i}", provider=provider, subnet_id=internal.id,
                                  route_table_id=internal_rt.id)

        self.vpc_id: str = vpc.id
        self.internal_subnet_ids: list[str] = [s.id for s in subnets["internal"]]
        # What the library needs to know of it.
        self.existing = ExistingNetwork(
            name="team", region=REGION, vpc_id=self.vpc_id, vpc_cidr=VPC_CIDR, azs=AZS,
            public_subnet_ids=tuple(s.id for s in subnets["public"]),
            dmz_subnet_ids=tuple(s.id for s in subnets["dmz"]),
            internal_subnet_ids=tuple(self.internal_subnet_ids),
            dmz_route_table_ids=tuple(dmz_rts), internal_route_table_ids=(internal_rt.id,),
            public_cidrs=SUBNETS["public"], dmz_cidrs=SUBNETS["dmz"], internal_cidrs=SUBNETS["internal"],
        )


class CustomStack(TerraformStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        aws = AwsProvider(self, "aws", region=REGION,
                          default_tags=[AwsProviderDefaultTags(tags={"Project": "api-portal", "Stack": id})])

        # Your network, adopted by the library (read-only).
        network = MyNetwork(self, "network", provider=aws)
        datacenter = ImportedDatacenter(self, "datacenter", network=network.existing, provider=aws)

        # Your installer bucket: private, encrypted, versioned.
        bucket = S3Bucket(self, "artifacts", provider=aws, bucket=ARTIFACTS_BUCKET)
        S3BucketPublicAccessBlock(self, "artifacts-private", provider=aws, bucket=bucket.id, block_public_acls=True,
                                  block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
        S3BucketServerSideEncryptionConfigurationA(
            self, "artifacts-encryption", provider=aws, bucket=bucket.id,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms")))])
        S3BucketVersioningA(self, "artifacts-versioning", provider=aws, bucket=bucket.id,
                            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"))
        installer = S3Object(
            self, "installer", provider=aws, bucket=bucket.id, key=INSTALLER_KEY,
            content="#!/bin/sh\necho 'install API Portal here (the Axway installer, its answers file...)'\n")

        # The library: an NLB and the portal fleet behind it.
        lb = DatacenterLoadBalancer(self, "lb", datacenter=datacenter, props=DatacenterLoadBalancerProps(
            stickiness=True))
        fleet = PortalFleet(
            self, "fleet", datacenter=datacenter, lb_security_group_id=lb.security_group_id,
            props=PortalFleetProps(installer_s3_uri=f"s3://{ARTIFACTS_BUCKET}/{INSTALLER_KEY}", data_volume_gb=50),
        )
        fleet.serve(lb)  # fixed instances here (local data volume): registered one by one
        # Escape hatch: the instances run the installer once at first boot, so they wait for its upload.
        for child in fleet.node.children:
            if isinstance(child, Instance):
                child.depends_on = [f"{installer.terraform_resource_type}.{installer.friendly_unique_id}"]

        # Your database: RDS for MySQL, Multi-AZ, admitting only the portal instances.
        db_sg = SecurityGroup(self, "db-sg", provider=aws, name="team-portal-db", vpc_id=network.vpc_id,
                              description="MySQL for API Portal: from the portal instances only")
        VpcSecurityGroupIngressRule(self, "db-from-portal", provider=aws, security_group_id=db_sg.id,
                                    ip_protocol="tcp", from_port=3306, to_port=3306,
                                    referenced_security_group_id=fleet.security_group_id)
        subnet_group = DbSubnetGroup(self, "db-subnets", provider=aws, name="team-portal-db",
                                     subnet_ids=network.internal_subnet_ids)
        db = DbInstance(
            self, "db", provider=aws, identifier="team-portal-db", engine="mysql", engine_version="8.0",
            instance_class="db.t4g.medium", allocated_storage=50, storage_type="gp3", storage_encrypted=True,
            multi_az=True, username="portaladmin", manage_master_user_password=True,
            db_subnet_group_name=subnet_group.name, vpc_security_group_ids=[db_sg.id],
            backup_retention_period=7, deletion_protection=True, skip_final_snapshot=False,
            final_snapshot_identifier="team-portal-db-final", publicly_accessible=False,
        )
        apply_ha_checks(self)

        TerraformOutput(self, "portal_url", value=f"https://{lb.nlb_dns_name}")
        TerraformOutput(self, "db_endpoint", value=db.address)
        TerraformOutput(self, "installer_uri", value=f"s3://{ARTIFACTS_BUCKET}/{INSTALLER_KEY}")


def build(app: App) -> list[TerraformStack]:
    """Add this example's stacks to ``app``."""
    return [CustomStack(app, STACK)]


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
