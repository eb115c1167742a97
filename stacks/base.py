"""What every architecture's stack shares: one aliased AWS provider per datacenter with default tags, the
props of each datacenter built from settings and profile, and outputs with descriptions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from cdktf import LocalBackend, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from constructs_lib.errors import ConfigError, Problems, required

from . import profiles
from .settings import ArchitectureSettings, DatacenterSettings, Settings

if TYPE_CHECKING:
    from constructs_lib.database import DatabaseCluster
    from constructs_lib.portal_datacenter import PortalDatacenter, PortalDatacenterProps

T = TypeVar("T")


def build_props(problems: Problems, where: str, factory: Callable[..., T], **kwargs: Any) -> T | None:
    """``factory(**kwargs)``, or None with its problems recorded under ``where`` (the settings path)."""
    try:
        return factory(**kwargs)
    except ConfigError as exc:
        problems.extend(f"{where}: {p}" for p in exc.problems)
        return None


@dataclass(frozen=True)
class Pieces:
    """What one datacenter builds, and the architecture's defaults for its sections (under the user's values
    and the profile's overrides)."""

    file_system: bool = False
    """Build the shared file system here."""
    database: bool = False
    """Build a standalone database cluster here (multi-datacenter stacks use a global database instead)."""
    fleet_defaults: Mapping[str, Any] = field(default_factory=dict)
    load_balancer_defaults: Mapping[str, Any] = field(default_factory=dict)
    file_system_defaults: Mapping[str, Any] = field(default_factory=dict)


class PortalStack(TerraformStack):
    """A cdktf stack for one architecture. Subclasses add the datacenters and what joins them."""

    def __init__(self, scope: Construct, settings: Settings, arch: ArchitectureSettings) -> None:
        super().__init__(scope, arch.name)
        self.settings = settings
        self.arch = arch
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

    def datacenter_props(self, dc: DatacenterSettings, problems: Problems,
                         pieces: Pieces = Pieces()) -> PortalDatacenterProps | None:
        """PortalDatacenterProps for one datacenter, with the profile's overrides applied; None (problems
        recorded under their settings path) when a section is invalid."""
        from constructs_lib.database import DatabaseClusterProps
        from constructs_lib.datacenter_lb import DatacenterLoadBalancerProps
        from constructs_lib.network import DatacenterProps
        from constructs_lib.portal_datacenter import PortalDatacenterProps
        from constructs_lib.portal_fleet import PortalFleetProps
        from constructs_lib.shared_storage import SharedFileSystemProps

        arch, settings = self.arch, self.settings
        where = f"{arch.name}.datacenters[{dc.name}]"
        network = build_props(
            problems, where, DatacenterProps, name=dc.name, region=dc.region, cidr=dc.cidr, az_count=dc.az_count,
            azs=dc.azs, single_nat_gateway=dc.single_nat_gateway,
            flow_log_retention_days=dc.flow_log_retention_days, name_prefix=settings.name_prefix,
        )
        fleet_kwargs = {**pieces.fleet_defaults, **arch.section("portal"), **profiles.fleet_overrides(settings)}
        if dc.instance_count is not None:
            fleet_kwargs["instance_count"] = dc.instance_count
        fleet = build_props(problems, f"{arch.name}.portal", PortalFleetProps, **fleet_kwargs)
        lb = build_props(problems, f"{arch.name}.load_balancer", DatacenterLoadBalancerProps,
                         **{**pieces.load_balancer_defaults, **arch.section("load_balancer"),
                            **profiles.load_balancer_overrides(settings)})
        file_system = None
        if pieces.file_system:
            file_system = build_props(problems, f"{arch.name}.file_system", SharedFileSystemProps,
                                      **{**pieces.file_system_defaults, **arch.section("file_system"),
                                         **profiles.file_system_overrides(settings)})
        database = None
        if pieces.database:
            database = build_props(problems, f"{arch.name}.database", DatabaseClusterProps,
                                   **(arch.section("database") | profiles.database_overrides(settings)))
        if network is None or fleet is None or lb is None:
            return None
        return build_props(problems, where, PortalDatacenterProps, network=network, fleet=fleet,
                           load_balancer=lb, file_system=file_system, database=database)

    def output(self, name: str, value: object, description: str, *, sensitive: bool = False) -> None:
        """A stack output named ``<thing>_<attr>``, always with a description."""
        TerraformOutput(self, name, value=value, description=description, sensitive=sensitive)

    def datacenter_outputs(self, pdc: PortalDatacenter) -> dict[str, Any]:
        """The outputs every datacenter has, and its part of the verify manifest."""
        name = pdc.name
        self.output(f"{name}_portal_url", pdc.portal_url, f"Entry point of datacenter {name} ({pdc.region}): its NLB")
        self.output(f"{name}_nlb_dns_name", pdc.load_balancer.nlb_dns_name, f"DNS name of the NLB of {name}")
        self.output(f"{name}_vpc_id", pdc.network.vpc_id, f"VPC id of datacenter {name}")
        self.output(f"{name}_instance_ids", pdc.fleet.instance_ids, f"Portal instance ids of {name}")
        manifest: dict[str, Any] = {
            "name": name,
            "region": pdc.region,
            "vpc_id": pdc.network.vpc_id,
            "vpc_cidr": pdc.network.vpc_cidr,
            "azs": pdc.network.azs,
            "dmz_subnet_ids": pdc.network.dmz_subnet_ids,
            "internal_subnet_ids": pdc.network.internal_subnet_ids,
            "dmz_route_table_ids": pdc.network.dmz_route_table_ids,
            "internal_route_table_ids": pdc.network.internal_route_table_ids,
            "instance_ids": pdc.fleet.instance_ids,
            "portal_security_group_id": pdc.fleet.security_group_id,
            "nlb_arn": pdc.load_balancer.nlb_arn,
            "target_group_arn": pdc.load_balancer.target_group_arn,
            "lb_security_group_id": pdc.load_balancer.security_group_id,
        }
        if pdc.file_system is not None:
            self.output("efs_file_system_id", pdc.file_system.file_system_id,
                        f"Id of the shared EFS file system (in {name})")
            manifest["efs_file_system_id"] = pdc.file_system.file_system_id
            manifest["efs_security_group_id"] = pdc.file_system.security_group_id
        return manifest

    def database_outputs(self, name: str, cluster: DatabaseCluster) -> dict[str, Any]:
        self.output(f"{name}_db_writer_endpoint", cluster.db_writer_endpoint,
                    f"Aurora writer endpoint in {name} (secondaries forward writes to the primary)")
        self.output(f"{name}_db_reader_endpoint", cluster.db_reader_endpoint, f"Aurora reader endpoint in {name}")
        self.output(f"{name}_db_secret_arn", cluster.db_secret_arn,
                    "Secrets Manager secret holding the DB master credentials (read it with "
                    "aws secretsmanager get-secret-value); the password itself is never an output")
        return {"db_cluster_identifier": cluster.cluster_identifier, "db_security_group_id": cluster.security_group_id}
