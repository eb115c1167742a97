"""What every architecture's stack shares: one aliased AWS provider per datacenter with default tags, the
backend, the HA rules, and outputs with descriptions. The props come validated from ``assembly``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdktf import Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from constructs_lib.errors import required

from . import profiles
from .assembly import ArchitecturePlan
from .manifest import DatabaseManifest, DatacenterManifest, FileSystemManifest, Manifest
from .settings import Settings

if TYPE_CHECKING:
    from constructs_lib.database import DatabaseCluster
    from constructs_lib.portal_datacenter import PortalDatacenter, PortalDatacenterProps

class PortalStack(TerraformStack):
    """A cdktf stack for one architecture. Subclasses add the datacenters and what joins them."""

    def __init__(self, scope: Construct, settings: Settings, plan: ArchitecturePlan) -> None:
        super().__init__(scope, plan.arch.name)
        self.settings = settings
        self.plan = plan
        self.arch = plan.arch
        arch = plan.arch
        self.providers: dict[str, AwsProvider] = {dc.name: self.provider_for(dc.name, dc.region)
                                                  for dc in arch.datacenters}
        self._backend()
        from constructs_lib.policy import apply_ha_checks

        # The HA rules run on every synth; the lab profiles waive only DB deletion protection, by name.
        apply_ha_checks(self, waive=profiles.waivers(settings))

    def _backend(self) -> None:
        """Local state by default (one file per stack); an S3 bucket with S3-native locking when configured."""
        backend, name = self.settings.backend, self.arch.name
        if backend.type == "s3":
            S3Backend(self, bucket=required(backend.bucket, "an s3 backend has a bucket (settings)"),
                      key=f"{backend.key_prefix}/{name}.tfstate",
                      region=required(backend.region, "an s3 backend has a region (settings)"), encrypt=True)
            if backend.use_lockfile:
                # cdktf 0.21's S3BackendConfig predates use_lockfile (Terraform >= 1.10): set it directly.
                self.add_override("terraform.backend.s3.use_lockfile", True)
            return
        state_dir = profiles.state_dir(self.settings)
        if state_dir is not None:
            LocalBackend(self, path=str((state_dir / f"terraform.{name}.tfstate").resolve()))

    def provider_for(self, alias: str, region: str) -> AwsProvider:
        return AwsProvider(
            self, f"aws-{alias}", region=region, alias=alias,
            default_tags=[AwsProviderDefaultTags(tags={
                "Project": self.settings.name_prefix,
                "Architecture": self.arch.name,
                "Datacenter": alias,
                "ManagedBy": "portal-ha/cdktf",
            })],
        )

    def replica_provider(self, props: PortalDatacenterProps) -> AwsProvider | None:
        """The provider of the region the datacenter's file system replicates into, where the stack builds the
        replica: the datacenter's of that region, else one of its own (``aws.efs-replica``); None when there is no
        replica to build."""
        fs = props.file_system
        if fs is None or fs.replication_region is None or fs.replica_file_system_id is not None:
            return None
        region = fs.replication_region
        found = next((self.providers[dc.name] for dc in self.arch.datacenters if dc.region == region), None)
        return found or self.provider_for("efs-replica", region)

    def output(self, name: str, value: object, description: str, *, sensitive: bool = False) -> None:
        """A stack output named ``<thing>_<attr>``, always with a description."""
        TerraformOutput(self, name, value=value, description=description, sensitive=sensitive)

    def datacenter_outputs(self, pdc: PortalDatacenter, cluster: DatabaseCluster) -> DatacenterManifest:
        """The outputs every datacenter has (its ``cluster``'s last), and its part of the verify manifest."""
        name = pdc.name
        self.output(f"{name}_portal_url", pdc.portal_url, f"Entry point of datacenter {name} ({pdc.region}): its NLB")
        self.output(f"{name}_nlb_dns_name", pdc.load_balancer.nlb_dns_name, f"DNS name of the NLB of {name}")
        self.output(f"{name}_vpc_id", pdc.network.vpc_id, f"VPC id of datacenter {name}")
        fleet = pdc.fleet
        group = fleet.group
        if group is None:
            self.output(f"{name}_instance_ids", fleet.instance_ids, f"Portal instance ids of {name}")
        else:
            self.output(f"{name}_autoscaling_group_name", group.group_name,
                        f"Auto Scaling group keeping the portal instances of {name}")
        network = pdc.network
        file_system = self._file_system_outputs(pdc)
        return DatacenterManifest(
            name=name, region=pdc.region, vpc_id=network.vpc_id, vpc_cidr=network.vpc_cidr, azs=tuple(network.azs),
            dmz_subnet_ids=tuple(network.dmz_subnet_ids), internal_subnet_ids=tuple(network.internal_subnet_ids),
            dmz_route_table_ids=tuple(network.dmz_route_table_ids),
            internal_route_table_ids=tuple(network.internal_route_table_ids), instance_ids=tuple(fleet.instance_ids),
            instance_count=fleet.props.instance_count,
            autoscaling_group_name=group.group_name if group is not None else None,
            health_check_grace_seconds=fleet.props.health_check_grace_seconds if group is not None else None,
            portal_security_group_id=fleet.security_group_id, nlb_arn=pdc.load_balancer.nlb_arn,
            target_group_arn=pdc.load_balancer.target_group_arn,
            lb_security_group_id=pdc.load_balancer.security_group_id,
            detailed_monitoring=fleet.props.detailed_monitoring, file_system=file_system,
            database=self.database_outputs(name, cluster))

    def _file_system_outputs(self, pdc: PortalDatacenter) -> FileSystemManifest | None:
        fs = pdc.file_system
        if fs is None:
            return None
        self.output("efs_file_system_id", fs.file_system_id, f"Id of the shared EFS file system (in {pdc.name})")
        if fs.replication_file_system_id is not None:
            self.output("efs_replica_file_system_id", fs.replication_file_system_id,
                        f"Id of the read-only EFS replica in {fs.props.replication_region} (disaster recovery)")
        return FileSystemManifest(
            file_system_id=fs.file_system_id, security_group_id=fs.security_group_id,
            dns_name=fs.file_system_dns_name, backup_policy=fs.props.backup_policy, tls_policy=fs.props.tls_policy,
            replication_region=fs.props.replication_region,
            private_zones=dict(fs.private_zone_ids),  # filled by expose_to, called before the outputs
            replica_file_system_id=fs.replication_file_system_id)

    def database_outputs(self, name: str, cluster: DatabaseCluster) -> DatabaseManifest:
        self.output(f"{name}_db_writer_endpoint", cluster.db_writer_endpoint,
                    f"Aurora writer endpoint in {name} (secondaries forward writes to the primary)")
        self.output(f"{name}_db_reader_endpoint", cluster.db_reader_endpoint, f"Aurora reader endpoint in {name}")
        self.output(f"{name}_db_secret_arn", cluster.db_secret_arn,
                    "Secrets Manager secret holding the DB master credentials (read it with "
                    "aws secretsmanager get-secret-value); the password itself is never an output")
        return DatabaseManifest(
            cluster_identifier=cluster.cluster_identifier, security_group_id=cluster.security_group_id,
            performance_insights_retention_days=cluster.performance_insights_retention_days,
            instance_parameter_group=cluster.instance_parameter_group_name,
            instance_parameters=dict(cluster.instance_parameters))

    def manifest_output(self, manifest: Manifest) -> None:
        self.output("verify_manifest", Fn.jsonencode(manifest.to_json()),
                    "What portal-ha verify reads: the ids of every HA-relevant resource, per datacenter")
