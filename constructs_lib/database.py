"""DatabaseCluster and GlobalDatabase: the seed's database cluster of at least three nodes, as Aurora MySQL.

The seed asks for a database cluster of at least three nodes (per datacenter when there are several). On AWS:

- ``DatabaseCluster``: one Aurora MySQL cluster in a datacenter's internal subnets, with 3 instances (a writer
  and 2 readers) in 3 distinct AZs, encrypted, backed up, with logs in CloudWatch and a security group that
  admits MySQL (3306) only from the portal's security group and listed ranges.
- ``GlobalDatabase``: an Aurora Global Database: a primary cluster in one datacenter's region and a secondary
  cluster (3 instances as well) in every other datacenter's region. Secondaries forward writes to the primary
  (global write forwarding), so the portal in every datacenter can write: the seed's active-active model.

Engine: Axway supports MySQL 5.7 and MariaDB 10.4+ for API Portal's database. Aurora MySQL 3 is MySQL
8.0-compatible and is the default; Aurora MySQL 2 (MySQL 5.7-compatible) is past the end of standard support
and is accepted only with ``allow_extended_support_engine=True`` (AWS charges RDS Extended Support for it).

Credentials never appear in code, in the synthesized configuration, in the plan, in the state or in outputs:

- a standalone cluster lets RDS generate and keep the master password in Secrets Manager
  (``manage_master_user_password``);
- a global database cannot use that (RDS-managed master passwords are not supported for global clusters), so
  the primary gets its password through Terraform *ephemeral* resources and *write-only* arguments: an
  ephemeral ``aws_secretsmanager_random_password`` is written once into a Secrets Manager secret through
  ``secret_string_wo``, read back by an ephemeral ``aws_secretsmanager_secret_version`` and passed to the
  cluster through ``master_password_wo``. Neither ephemeral values nor write-only arguments are ever stored.
  cdktf 0.21 and the provider bindings have no ephemeral resource classes, so ``_EphemeralResource`` emits the
  ``ephemeral`` block itself (Terraform >= 1.10 and hashicorp/aws >= 5.83 understand it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

from cdktf import Fn, ITerraformDependable, TerraformElement, TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.rds_cluster import RdsCluster
from cdktf_cdktf_provider_aws.rds_cluster_instance import RdsClusterInstance
from cdktf_cdktf_provider_aws.rds_cluster_parameter_group import (
    RdsClusterParameterGroup,
    RdsClusterParameterGroupParameter,
)
from cdktf_cdktf_provider_aws.rds_global_cluster import RdsGlobalCluster
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret, SecretsmanagerSecretReplica
from cdktf_cdktf_provider_aws.secretsmanager_secret_version import SecretsmanagerSecretVersion
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from constructs import Construct

from .datacenter import Datacenter
from .errors import ConfigError, Problems
from .service_ingress import ServiceIngress, check_client_cidr
from .shared_storage import check_kms_key_arn, kms_key_region_problem

ENGINE = "aurora-mysql"
MYSQL_PORT = 3306
DEFAULT_ENGINE_VERSION = "8.0.mysql_aurora.3.08.2"
ENGINE_VERSION_PATTERN = re.compile(
    r"^(8\.0\.mysql_aurora\.3\.\d{2}\.\d+|5\.7\.mysql_aurora\.2\.\d{2}\.\d+)$"
)
# Global write forwarding: Aurora MySQL 3.04 and later on version 3, 2.08.1 and later on version 2.
MIN_WRITE_FORWARDING = {3: (4, 0), 2: (8, 1)}
HA_NODES = 3
MAX_INSTANCES = 16  # Aurora: one writer and up to 15 readers
INSTANCE_CLASS_PATTERN = re.compile(r"^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$")
MASTER_USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")  # Aurora MySQL: 1 to 16, letter first
RESERVED_USERNAMES = frozenset({"rdsadmin", "rdsrepladmin", "rdsproxyadmin", "root", "mysql", "admin_user"})
DATABASE_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
BACKUP_WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
MIN_BACKUP_RETENTION, MAX_BACKUP_RETENTION = 1, 35
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier
MASTER_PASSWORD_LENGTH = 32  # letters and digits only: safe in any client config or shell; RDS allows 41
LOG_EXPORTS = ["audit", "error", "slowquery"]
MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
ENHANCED_MONITORING_INTERVAL = 60  # seconds: OS metrics of every instance in CloudWatch Logs


def parse_engine_version(version: str) -> tuple[int, int, int] | None:
    """``8.0.mysql_aurora.3.08.2`` -> (3, 8, 2); None when the version is not an Aurora MySQL 2/3 version."""
    if not isinstance(version, str) or not ENGINE_VERSION_PATTERN.match(version):
        return None
    major, minor, patch = version.split(".")[-3:]
    return int(major), int(minor), int(patch)


def parameter_group_family(version: str) -> str:
    """The parameter group family of an Aurora MySQL version: ``aurora-mysql8.0`` or ``aurora-mysql5.7``."""
    return f"{ENGINE}{version.split('.mysql_aurora.')[0]}"


def supports_global_write_forwarding(version: str) -> bool:
    parsed = parse_engine_version(version)
    if parsed is None:
        return False
    major, minor, patch = parsed
    return (minor, patch) >= MIN_WRITE_FORWARDING[major]


def _write_forwarding_problem(version: str, where: str) -> str | None:
    if parse_engine_version(version) is None or supports_global_write_forwarding(version):
        return None
    return (
        f"{where}.engine_version {version} does not support global write forwarding, which lets every "
        "datacenter write to the global database: use Aurora MySQL 3.04 or later (for example "
        f"{DEFAULT_ENGINE_VERSION}), or 2.08.1 or later on Aurora MySQL 2"
    )


@dataclass(frozen=True, kw_only=True)
class DatabaseClusterProps:
    """What one Aurora MySQL cluster looks like. Every default is the HA and safety choice; lab options are
    explicit."""

    engine_version: str = DEFAULT_ENGINE_VERSION
    """Aurora MySQL version. Default: ``8.0.mysql_aurora.3.08.2`` (Aurora MySQL 3, MySQL 8.0-compatible).
    Axway supports MySQL 5.7 / MariaDB 10.4+ for API Portal; Aurora MySQL 2 (5.7) needs
    ``allow_extended_support_engine``."""
    allow_extended_support_engine: bool = False
    """Accept Aurora MySQL 2 (MySQL 5.7), which is past the end of standard support and runs on paid RDS
    Extended Support. Default: refused."""
    instance_count: int = HA_NODES
    """Number of DB instances: a writer and ``instance_count - 1`` readers, spread over the AZs. Default: 3,
    the seed's minimum for HA. Fewer needs ``allow_fewer_nodes``."""
    allow_fewer_nodes: bool = False
    """Lab opt-out: allow fewer than 3 instances, or a datacenter with fewer than 3 AZs. Default: refused,
    because the seed requires at least three database nodes (in distinct AZs here)."""
    instance_class: str = "db.r6g.large"
    """DB instance class of every instance. Default: ``db.r6g.large`` (Graviton, memory-optimized; supported
    for global databases and Performance Insights)."""
    client_cidrs: tuple[str, ...] = ()
    """Extra ranges admitted on MySQL 3306, such as peer datacenters' DMZ ranges (security groups do not cross
    regions). Default: none; the portal's security group is admitted by ``client_security_group_id``."""
    kms_key_arn: str | None = None
    """Customer-managed KMS key (ARN, in the datacenter's region) for storage and Performance Insights.
    Default: the AWS-managed ``aws/rds`` key (storage is encrypted either way)."""
    backup_retention_days: int = 7
    """Days of automated backups (point-in-time recovery), 1 to 35. Default: 7."""
    preferred_backup_window: str = "03:00-04:00"
    """Daily backup window, UTC, ``hh:mm-hh:mm``, at least 30 minutes. Default: 03:00-04:00."""
    deletion_protection: bool = True
    """Refuse to delete the cluster (and the global cluster). Default: on. The ``lab`` profile turns it off."""
    skip_final_snapshot: bool = False
    """Delete without a final snapshot. Default: off: destroying takes a final snapshot named
    ``<prefix>-<dc>-db-final`` (so a production destroy is possible, and safe). The ``lab`` profile skips it.
    A second destroy with the same name fails until that snapshot is deleted."""
    performance_insights: bool = True
    """Performance Insights on every instance (7 days, free tier). Default: on."""
    instance_parameters: bool = True
    """A DB parameter group on every instance (max_allowed_packet 64 MiB, sql_mode, slow query log). Default:
    on. The ``local`` profile turns it off: moto returns the parameters without their source, so every plan
    would re-apply them."""
    master_username: str = "portaladmin"
    """Master user name (1 to 16 letters, digits or '_', starting with a letter). Its password is never in code
    or state: see the module docstring. Default: ``portaladmin``."""
    database_name: str | None = "apiportal"
    """Empty schema created with the cluster, for the API Portal installer. Default: ``apiportal``. None
    creates none. (Ignored on global secondaries: they replicate the primary's.)"""

    def __post_init__(self) -> None:
        problems = Problems()
        where = "database"
        parsed = parse_engine_version(self.engine_version)
        if parsed is None:
            problems.add(
                f"{where}.engine_version {self.engine_version!r} is not an Aurora MySQL 3 or 2 version: use for "
                f"example {DEFAULT_ENGINE_VERSION} (Aurora MySQL 3.x is MySQL 8.0-compatible; 5.7.mysql_aurora.2.x "
                "is MySQL 5.7-compatible)"
            )
        elif parsed[0] == 2 and not self.allow_extended_support_engine:
            problems.add(
                f"{where}.engine_version {self.engine_version} is Aurora MySQL 2 (MySQL 5.7), past the end of "
                "standard support: Axway supports MySQL 5.7 / MariaDB 10.4+ for API Portal, and Aurora MySQL 3 is "
                f"MySQL 8.0-compatible; use {DEFAULT_ENGINE_VERSION}, or set allow_extended_support_engine=True "
                "to accept RDS Extended Support"
            )
        count = self.instance_count
        if not (isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= MAX_INSTANCES):
            problems.add(
                f"{where}.instance_count {count!r} is out of range: Aurora clusters have 1 to "
                f"{MAX_INSTANCES} instances; use {HA_NODES}"
            )
        elif count < HA_NODES and not self.allow_fewer_nodes:
            problems.add(
                f"{where}.instance_count {count} is below the HA minimum of {HA_NODES} database nodes: use "
                f"{HA_NODES} or more, or set allow_fewer_nodes=True for a lab"
            )
        problems.check(
            isinstance(self.instance_class, str) and bool(INSTANCE_CLASS_PATTERN.match(self.instance_class)),
            f"{where}.instance_class {self.instance_class!r} is not a DB instance class: use a name such as "
            "db.r6g.large (db.<family>.<size>)",
        )
        for i, cidr in enumerate(self.client_cidrs):
            check_client_cidr(cidr, f"{where}.client_cidrs[{i}]", problems)
        check_kms_key_arn(self.kms_key_arn, f"{where}.kms_key_arn", problems)
        days = self.backup_retention_days
        problems.check(
            isinstance(days, int)
            and not isinstance(days, bool)
            and MIN_BACKUP_RETENTION <= days <= MAX_BACKUP_RETENTION,
            f"{where}.backup_retention_days {days!r} is out of range: Aurora keeps automated backups "
            f"{MIN_BACKUP_RETENTION} to {MAX_BACKUP_RETENTION} days; use 7",
        )
        _check_backup_window(self.preferred_backup_window, f"{where}.preferred_backup_window", problems)
        user = self.master_username
        if not (isinstance(user, str) and MASTER_USERNAME_PATTERN.match(user)):
            problems.add(
                f"{where}.master_username {user!r} is not a valid Aurora MySQL master user name: use 1 to 16 "
                "letters, digits or '_', starting with a letter (for example portaladmin)"
            )
        elif user.lower() in RESERVED_USERNAMES:
            problems.add(
                f"{where}.master_username {user!r} is reserved by RDS or MySQL: pick another name, "
                "for example portaladmin"
            )
        if self.database_name is not None:
            problems.check(
                isinstance(self.database_name, str) and bool(DATABASE_NAME_PATTERN.match(self.database_name)),
                f"{where}.database_name {self.database_name!r} is not a valid database name: use 1 to 64 letters, "
                "digits or '_', starting with a letter (for example apiportal), or None",
            )
        problems.raise_if_any()

    @property
    def engine_major(self) -> int:
        parsed = parse_engine_version(self.engine_version)
        assert parsed is not None
        return parsed[0]


def _check_backup_window(window: str, field_path: str, problems: Problems) -> None:
    match = BACKUP_WINDOW_PATTERN.match(window) if isinstance(window, str) else None
    if match is None:
        problems.add(
            f"{field_path} {window!r} is not a window: use hh:mm-hh:mm in UTC, for example 03:00-04:00"
        )
        return
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    minutes = (h2 * 60 + m2 - h1 * 60 - m1) % (24 * 60)
    problems.check(
        minutes >= 30,
        f"{field_path} {window} lasts {minutes} minutes: AWS needs at least 30; use for example 03:00-04:00",
    )


@dataclass(frozen=True, kw_only=True)
class GlobalMembership:
    """How a ``DatabaseCluster`` joins an Aurora global database. ``GlobalDatabase`` builds these."""

    global_cluster_identifier: str
    """The ``aws_rds_global_cluster`` id (a token)."""
    role: Literal["primary", "secondary"]
    """``primary``: the writable cluster, which holds the master credentials. ``secondary``: a read-only
    cluster in another region that forwards writes to the primary."""
    primary_region: str
    """Region of the primary cluster (where the master secret lives)."""
    secret_replica_regions: tuple[str, ...] = ()
    """Primary only: regions the master secret is replicated to (the secondaries' regions)."""
    primary_secret_arn: str | None = None
    """Secondary only: ARN of the primary's master secret."""
    secret_replicated: bool = True
    """Secondary only: the primary's secret has a replica in this cluster's region."""
    depends_on: tuple[ITerraformDependable, ...] = ()
    """Secondary only: what must exist first (the primary's instances: AWS attaches a secondary region only to a
    primary cluster that has a writer)."""
    master_password_version: int = 1
    """Primary only: bump to generate a new master password and apply it to the cluster (rotation)."""
    secret_recovery_days: int = 30
    """Primary only: how long a deleted master secret can be restored (0, or 7 to 30)."""


class _EphemeralResource(TerraformElement):
    """A Terraform ``ephemeral`` block: a value that exists during one plan or apply and is never stored.

    cdktf 0.21 has no ephemeral construct and the provider bindings (hashicorp/aws 5.100.0) have no classes for
    the provider's ephemeral resources, so this element writes the block into the stack's JSON itself.
    Reference its attributes with ``interpolation(attr)``; only write-only arguments (``*_wo``) and other
    ephemeral blocks may use them (Terraform enforces it).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resource_type: str,
        provider: TerraformProvider,
        config: dict[str, Any],
    ) -> None:
        super().__init__(scope, id, "ephemeral")
        self._resource_type = resource_type
        alias = provider.alias
        self._provider_ref = (
            f"{provider.terraform_resource_type}.{alias}" if alias else provider.terraform_resource_type
        )
        self._config = config

    def to_terraform(self) -> Any:
        config = {**self._config, "provider": self._provider_ref}
        return {"ephemeral": {self._resource_type: {self.friendly_unique_id: config}}}

    def to_hcl_terraform(self) -> Any:
        raise NotImplementedError(
            "ephemeral blocks are emitted for JSON synthesis only: do not enable HCL output (hclOutput)"
        )

    def reference(self, attribute: str) -> str:
        """The bare expression, for use inside a larger ``${...}`` expression."""
        return f"ephemeral.{self._resource_type}.{self.friendly_unique_id}.{attribute}"

    def interpolation(self, attribute: str) -> str:
        return "${" + self.reference(attribute) + "}"


def _placement_problems(
    props: DatabaseClusterProps, datacenter: Datacenter, where: str, kms_field: str = "database.kms_key_arn"
) -> list[str]:
    """Problems that need the datacenter: the KMS key's region, and enough AZs for 3 distinct-AZ nodes."""
    problems = Problems()
    region_problem = kms_key_region_problem(props.kms_key_arn, kms_field, datacenter.region)
    if region_problem:
        problems.add(region_problem)
    az_count = datacenter.props.az_count
    if az_count < HA_NODES and not props.allow_fewer_nodes:
        problems.add(
            f"datacenters[{datacenter.name}].az_count {az_count} gives the database only {az_count} availability "
            f"zones: {HA_NODES} database nodes need {HA_NODES} distinct AZs; set az_count {HA_NODES} for "
            f"{datacenter.name}, or {where}.allow_fewer_nodes=True for a lab"
        )
    return problems.items


class DatabaseCluster(Construct):
    """Aurora MySQL in a datacenter's internal subnets: 3 instances in 3 AZs, encrypted, backed up, no secret
    in state. Standalone, or a member of a ``GlobalDatabase`` (``global_cluster``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: DatabaseClusterProps,
        datacenter: Datacenter,
        client_security_group_id: str | None,
        global_cluster: GlobalMembership | None = None,
    ) -> None:
        problems = Problems()
        problems.extend(_placement_problems(props, datacenter, "database"))
        if global_cluster is not None:
            wf = _write_forwarding_problem(props.engine_version, "database")
            if wf and global_cluster.role == "secondary":
                problems.add(wf)
            if global_cluster.role == "secondary" and global_cluster.primary_secret_arn is None:
                problems.add(
                    "database global membership of a secondary needs primary_secret_arn: build "
                    "global databases with GlobalDatabase"
                )
        problems.raise_if_any()
        super().__init__(scope, id)
        self.props = props
        self.datacenter = datacenter
        self.global_membership = global_cluster
        provider = datacenter.provider
        self._provider = provider
        base = datacenter.resource_name
        name = f"{base}-db"
        role = global_cluster.role if global_cluster is not None else "standalone"
        self.role: str = role
        family = parameter_group_family(props.engine_version)
        self.region: str = datacenter.region

        # Firewall: MySQL in from the portal's security group and listed ranges only; no egress rules (the
        # database never opens connections, and security groups are stateful).
        self.security_group = SecurityGroup(
            self,
            "security-group",
            provider=provider,
            name=name,
            vpc_id=datacenter.vpc_id,
            description=f"Aurora cluster {name}: MySQL from the API Portal instances only",
            tags={"Name": name},
        )
        self.security_group_id: str = self.security_group.id
        self._ingress = ServiceIngress(self, provider=provider, security_group_id=self.security_group_id,
                                       port=MYSQL_PORT, label="mysql", field="database client cidr")
        if client_security_group_id is not None:
            self.allow_clients_from_security_group(client_security_group_id)
        for cidr in props.client_cidrs:
            self.allow_clients_from(cidr, f"MySQL from {cidr} (listed client range)")

        subnet_group = DbSubnetGroup(
            self,
            "subnet-group",
            provider=provider,
            name=name,
            subnet_ids=datacenter.internal_subnet_ids,
            description=f"Internal subnets of {base} (one per AZ)",
            tags={"Name": name},
        )

        cluster_parameters = self._cluster_parameters(props, global_cluster is not None)
        cluster_pg = RdsClusterParameterGroup(
            self,
            "cluster-parameters",
            provider=provider,
            name=f"{name}-{family.replace('.', '-')}",
            family=family,
            description=f"API Portal settings for {name} (utf8mb4, TLS only)",
            parameter=[
                RdsClusterParameterGroupParameter(name=k, value=v) for k, v in cluster_parameters.items()
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        instance_pg_name: str | None = None
        if props.instance_parameters:
            instance_pg = DbParameterGroup(
                self,
                "instance-parameters",
                provider=provider,
                name=f"{name}-instances-{family.replace('.', '-')}",
                family=family,
                description=f"API Portal instance settings for {name}",
                parameter=[DbParameterGroupParameter(name=k, value=v) for k, v in _INSTANCE_PARAMETERS.items()],
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            instance_pg_name = instance_pg.name

        cluster_kwargs: dict[str, Any] = {}
        self.db_secret_arn: str
        if global_cluster is None:
            cluster_kwargs.update(
                master_username=props.master_username,
                manage_master_user_password=True,
                database_name=props.database_name,
            )
        elif global_cluster.role == "primary":
            cluster_kwargs.update(
                master_username=props.master_username,
                database_name=props.database_name,
                global_cluster_identifier=global_cluster.global_cluster_identifier,
                **self._write_only_master_password(props, global_cluster, base),
            )
        else:
            cluster_kwargs.update(
                global_cluster_identifier=global_cluster.global_cluster_identifier,
                enable_global_write_forwarding=True,
                depends_on=list(global_cluster.depends_on),
                # AWS sets it on secondaries; Terraform must not try to clear it.
                lifecycle=TerraformResourceLifecycle(ignore_changes=["replication_source_identifier"]),
            )
        if props.engine_major == 2:
            # Aurora MySQL 2 only runs on RDS Extended Support now: say so instead of enrolling silently.
            cluster_kwargs["engine_lifecycle_support"] = "open-source-rds-extended-support"

        self.cluster = RdsCluster(
            self,
            "cluster",
            provider=provider,
            cluster_identifier=name,
            engine=ENGINE,
            engine_version=props.engine_version,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group_id],
            db_cluster_parameter_group_name=cluster_pg.name,
            port=MYSQL_PORT,
            storage_encrypted=True,
            kms_key_id=props.kms_key_arn,
            backup_retention_period=props.backup_retention_days,
            preferred_backup_window=props.preferred_backup_window,
            copy_tags_to_snapshot=True,
            deletion_protection=props.deletion_protection,
            skip_final_snapshot=props.skip_final_snapshot,
            final_snapshot_identifier=None if props.skip_final_snapshot else f"{name}-final",
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            iam_database_authentication_enabled=True,
            tags={"Name": name, "Role": role},
            **cluster_kwargs,
        )
        if global_cluster is None:
            self.db_secret_arn = self.cluster.master_user_secret.get(0).secret_arn
        elif global_cluster.role == "secondary":
            assert global_cluster.primary_secret_arn is not None
            self.db_secret_arn = (
                Fn.replace(
                    global_cluster.primary_secret_arn,
                    f":{global_cluster.primary_region}:",
                    f":{self.region}:",
                )
                if global_cluster.secret_replicated
                else global_cluster.primary_secret_arn
            )
        self.cluster_identifier: str = self.cluster.cluster_identifier
        self.cluster_arn: str = self.cluster.arn
        self.db_writer_endpoint: str = self.cluster.endpoint
        self.db_reader_endpoint: str = self.cluster.reader_endpoint
        self.db_port: int = MYSQL_PORT
        self.deletion_protection: bool = props.deletion_protection

        # Instances: the first is the writer at creation; instance i goes to AZ i (mod the AZ count), so 3
        # instances sit in 3 distinct AZs. The cluster's own availability_zones stays unset (perpetual diffs).
        azs = datacenter.azs
        # Enhanced monitoring (OS metrics per instance) through a role RDS assumes.
        monitoring_role = IamRole(
            self, "monitoring-role", provider=provider, name=f"{name}-monitoring",
            assume_role_policy=Fn.jsonencode({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "monitoring.rds.amazonaws.com"}}]}),
        )
        monitoring_policy = IamRolePolicyAttachment(self, "monitoring-policy", provider=provider,
                                                    role=monitoring_role.name, policy_arn=MONITORING_POLICY)
        self.instances: list[RdsClusterInstance] = []
        self.instance_azs: list[str] = []
        for i in range(props.instance_count):
            az = azs[i % len(azs)]
            self.instance_azs.append(az)
            self.instances.append(
                RdsClusterInstance(
                    self,
                    f"instance-{i}",
                    provider=provider,
                    identifier=f"{name}-{i}",
                    cluster_identifier=self.cluster.id,
                    engine=ENGINE,
                    instance_class=props.instance_class,
                    availability_zone=az,
                    db_subnet_group_name=subnet_group.name,
                    db_parameter_group_name=instance_pg_name,
                    publicly_accessible=False,
                    auto_minor_version_upgrade=True,
                    copy_tags_to_snapshot=True,
                    performance_insights_enabled=props.performance_insights,
                    performance_insights_retention_period=(
                        PERFORMANCE_INSIGHTS_RETENTION_DAYS if props.performance_insights else None
                    ),
                    performance_insights_kms_key_id=props.kms_key_arn if props.performance_insights else None,
                    monitoring_interval=ENHANCED_MONITORING_INTERVAL, monitoring_role_arn=monitoring_role.arn,
                    depends_on=[monitoring_policy],
                    tags={"Name": f"{name}-{i}", "Role": role},
                )
            )
        self.instance_identifiers: list[str] = [instance.identifier for instance in self.instances]

    @staticmethod
    def _cluster_parameters(props: DatabaseClusterProps, global_member: bool) -> dict[str, str]:
        params = {
            # Joomla (API Portal) stores user content in every language: utf8mb4 end to end, one collation.
            "character_set_server": "utf8mb4",
            "character_set_client": "utf8mb4",
            "character_set_connection": "utf8mb4",
            "character_set_database": "utf8mb4",
            "character_set_results": "utf8mb4",
            "collation_server": "utf8mb4_unicode_ci",
            "collation_connection": "utf8mb4_unicode_ci",
            # Deadlocks between portal instances writing the same rows go to the error log (exported).
            "innodb_print_all_deadlocks": "1",
            # Audit log of connections and DDL/DCL statements (exported to CloudWatch Logs with "audit").
            "server_audit_logging": "1",
            "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL",
        }
        if props.engine_major == 3:
            # MySQL 8: refuse unencrypted connections (the portal connects with TLS).
            params["require_secure_transport"] = "ON"
        if global_member:
            # Needed for global write forwarding (without it Aurora does not forward writes). SESSION: a session
            # reads its own forwarded writes. Set on every member, so a cluster that becomes a secondary after a
            # failover keeps forwarding; it has no effect where write forwarding is off.
            params["aurora_replica_read_consistency"] = "SESSION"
        return params

    def _write_only_master_password(
        self, props: DatabaseClusterProps, membership: GlobalMembership, base: str
    ) -> dict[str, Any]:
        """A master password that never reaches the state: generated, stored and passed only ephemerally."""
        provider = self._provider
        secret = SecretsmanagerSecret(
            self,
            "master-secret",
            provider=provider,
            name_prefix=f"{base}-db-master-",
            description=f"Master credentials of the Aurora global database primary {base}-db (username, password)",
            recovery_window_in_days=membership.secret_recovery_days,
            replica=[SecretsmanagerSecretReplica(region=r) for r in membership.secret_replica_regions]
            or None,
            tags={"Name": f"{base}-db-master"},
        )
        password = _EphemeralResource(
            self,
            "master-password",
            resource_type="aws_secretsmanager_random_password",
            provider=provider,
            config={
                "password_length": MASTER_PASSWORD_LENGTH,
                "exclude_punctuation": True,
                "require_each_included_type": True,
            },
        )
        # The same JSON shape as RDS-managed secrets, so consumers read both alike.
        version = SecretsmanagerSecretVersion(
            self,
            "master-secret-value",
            provider=provider,
            secret_id=secret.id,
            secret_string_wo=(
                "${jsonencode({username = "
                + json.dumps(props.master_username)
                + ", password = "
                + password.reference("random_password")
                + "})}"
            ),
            secret_string_wo_version=membership.master_password_version,
        )
        # Read the stored value back (after the version exists), so the cluster always gets what the secret holds,
        # even if an apply failed between the two.
        stored = _EphemeralResource(
            self,
            "master-secret-read",
            resource_type="aws_secretsmanager_secret_version",
            provider=provider,
            config={"secret_id": secret.id, "version_id": version.version_id},
        )
        self.db_secret_arn = secret.arn
        self.master_secret_arn: str = secret.arn
        return {
            "master_password_wo": "${jsondecode(" + stored.reference("secret_string") + ").password}",
            "master_password_wo_version": membership.master_password_version,
        }

    def allow_clients_from(self, cidr: str, description: str) -> None:
        """Admit ``cidr`` on MySQL 3306 (for example a peer datacenter's DMZ range). Never 0.0.0.0/0."""
        self._ingress.allow_cidr(cidr, description)

    def allow_clients_from_security_group(
        self, security_group_id: str, description: str = "MySQL from the API Portal instances"
    ) -> None:
        """Admit a security group of the same VPC (the portal fleet's) on MySQL 3306."""
        self._ingress.allow_security_group(security_group_id, description)


# Instance-level settings (Aurora keeps these in DB parameter groups, not cluster ones).
_INSTANCE_PARAMETERS = {
    # Joomla and its extensions (EasyBlog, EasyDiscuss) write dates and GROUP BY queries that MySQL 8's strict
    # default modes reject; keep only the engine-substitution guard.
    "sql_mode": "NO_ENGINE_SUBSTITUTION",
    # 64 MiB: large articles, session rows and attachments metadata fit in one packet.
    "max_allowed_packet": "67108864",
    # The exported slowquery log is empty unless the slow query log is on.
    "slow_query_log": "1",
    "long_query_time": "2",
}


@dataclass(frozen=True, kw_only=True)
class DatabaseSite:
    """One datacenter's part of a global database: where its cluster goes and who may connect."""

    datacenter: Datacenter
    """The datacenter (its region, internal subnets and provider) that hosts this cluster."""
    client_security_group_id: str | None
    """The portal instances' security group in that datacenter (admitted on 3306)."""
    client_cidrs: tuple[str, ...] = ()
    """Extra client ranges, such as the other datacenters' DMZ ranges. Default: none."""
    kms_key_arn: str | None = None
    """KMS key in this site's region. Default: the primary uses ``GlobalDatabaseProps.kms_key_arn``; a
    secondary uses the AWS-managed ``aws/rds`` key of its region."""


@dataclass(frozen=True, kw_only=True)
class GlobalDatabaseProps:
    """An Aurora global database: the per-cluster settings (applied to every cluster) and the global ones."""

    engine_version: str = DEFAULT_ENGINE_VERSION
    """Aurora MySQL version of every cluster; it must support global write forwarding (3.04+, or 2.08.1+).
    Default: ``8.0.mysql_aurora.3.08.2``."""
    allow_extended_support_engine: bool = False
    """Accept Aurora MySQL 2 (MySQL 5.7) on paid RDS Extended Support. Default: refused."""
    instance_count: int = HA_NODES
    """Instances per cluster (per datacenter). Default: 3, the seed's minimum per datacenter."""
    allow_fewer_nodes: bool = False
    """Lab opt-out for fewer than 3 instances or AZs per datacenter. Default: refused."""
    instance_class: str = "db.r6g.large"
    """DB instance class of every instance. Default: ``db.r6g.large``."""
    kms_key_arn: str | None = None
    """KMS key of the primary cluster (in the primary's region). Default: AWS-managed ``aws/rds``. Secondaries
    use their ``DatabaseSite.kms_key_arn``."""
    backup_retention_days: int = 7
    """Days of automated backups of every cluster, 1 to 35. Default: 7."""
    preferred_backup_window: str = "03:00-04:00"
    """Daily backup window (UTC) of every cluster. Default: 03:00-04:00."""
    deletion_protection: bool = True
    """Deletion protection on the global cluster and every cluster. Default: on (the ``lab`` profile: off)."""
    skip_final_snapshot: bool = False
    """Delete clusters without final snapshots. Default: off (final snapshots); the ``lab`` profile skips."""
    performance_insights: bool = True
    """Performance Insights on every instance. Default: on."""
    instance_parameters: bool = True
    """A DB parameter group on every instance (max_allowed_packet 64 MiB, sql_mode, slow query log). Default:
    on. The ``local`` profile turns it off: moto returns the parameters without their source, so every plan
    would re-apply them."""
    master_username: str = "portaladmin"
    """Master user name. Default: ``portaladmin``. The password is generated ephemerally: never in state."""
    database_name: str | None = "apiportal"
    """Schema created on the primary (replicated everywhere). Default: ``apiportal``."""
    master_password_version: int = 1
    """Bump (2, 3, ...) to generate a new master password, store it and apply it to the primary (rotation).
    Default: 1."""
    replicate_secret: bool = True
    """Replicate the master secret into every secondary's region, so each datacenter reads it locally (and it
    survives the loss of the primary region). Default: on."""
    secret_recovery_days: int = 30
    """How long a deleted master secret can still be restored: 0 (delete at once, for labs) or 7 to 30.
    Default: 30."""

    def __post_init__(self) -> None:
        problems = Problems()
        try:
            self.cluster_props(
                client_cidrs=(), kms_key_arn=self.kms_key_arn, database_name=self.database_name
            )
        except ConfigError as err:
            problems.extend(err.problems)
        wf = _write_forwarding_problem(self.engine_version, "database")
        if wf:
            problems.add(wf)
        version = self.master_password_version
        problems.check(
            isinstance(version, int) and not isinstance(version, bool) and version >= 1,
            f"database.master_password_version {version!r} must be a whole number from 1: bump it by one to "
            "rotate the master password",
        )
        days = self.secret_recovery_days
        problems.check(
            isinstance(days, int) and not isinstance(days, bool) and (days == 0 or 7 <= days <= 30),
            f"database.secret_recovery_days {days!r} is not a Secrets Manager recovery window: use 0 (lab) or "
            "7 to 30",
        )
        problems.raise_if_any()

    def cluster_props(
        self, *, client_cidrs: tuple[str, ...], kms_key_arn: str | None, database_name: str | None = None
    ) -> DatabaseClusterProps:
        """The ``DatabaseClusterProps`` of one member cluster."""
        shared = {
            f.name: getattr(self, f.name)
            for f in fields(DatabaseClusterProps)
            if f.name not in ("client_cidrs", "kms_key_arn", "database_name")
        }
        return DatabaseClusterProps(
            **shared, client_cidrs=tuple(client_cidrs), kms_key_arn=kms_key_arn, database_name=database_name
        )


class GlobalDatabase(Construct):
    """An Aurora global database: a primary cluster and a secondary in every other datacenter's region.

    Every cluster has ``instance_count`` (3) instances in 3 AZs. Secondaries use global write forwarding with
    ``aurora_replica_read_consistency = SESSION``, so the portal in every datacenter reads locally and can write.
    Failover (promoting a secondary) is an operator action (``aws rds failover-global-cluster``); the local
    emulator (moto) does not emulate it, so a local deploy checks membership only.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: GlobalDatabaseProps,
        primary: DatabaseSite,
        secondaries: Sequence[DatabaseSite],
        global_cluster_provider: TerraformProvider | None = None,
    ) -> None:
        secondaries = list(secondaries)
        sites = [primary, *secondaries]
        problems = Problems()
        problems.check(
            len(secondaries) >= 1,
            "database.secondaries is empty: a global database needs at least one secondary datacenter in another "
            "region; use DatabaseCluster for a single datacenter",
        )
        for i, a in enumerate(sites):
            for b in sites[i + 1 :]:
                if a.datacenter.name == b.datacenter.name:
                    problems.add(
                        f"database sites list datacenter {a.datacenter.name} twice: give each datacenter once"
                    )
                elif a.datacenter.region == b.datacenter.region:
                    problems.add(
                        f"database sites {a.datacenter.name} and {b.datacenter.name} are both in region "
                        f"{a.datacenter.region}: an Aurora global database has one cluster per region; put each "
                        "datacenter in its own region"
                    )
        if primary.kms_key_arn and props.kms_key_arn and primary.kms_key_arn != props.kms_key_arn:
            problems.add(
                f"database.kms_key_arn {props.kms_key_arn} and the primary site's kms_key_arn "
                f"{primary.kms_key_arn} differ: set the primary's key once"
            )
        site_props: dict[str, DatabaseClusterProps] = {}
        for site in sites:
            is_primary = site is primary
            kms = (site.kms_key_arn or props.kms_key_arn) if is_primary else site.kms_key_arn
            try:
                cluster_props = props.cluster_props(
                    client_cidrs=site.client_cidrs,
                    kms_key_arn=kms,
                    database_name=props.database_name if is_primary else None,
                )
            except ConfigError as err:
                problems.extend(f"[{site.datacenter.name}] {p}" for p in err.problems)
                continue
            site_props[site.datacenter.name] = cluster_props
            kms_field = (
                "database.kms_key_arn"
                if is_primary and not site.kms_key_arn
                else f"database sites[{site.datacenter.name}].kms_key_arn"
            )
            problems.extend(_placement_problems(cluster_props, site.datacenter, "database", kms_field))
        problems.raise_if_any()
        super().__init__(scope, id)
        self.props = props
        primary_dc = primary.datacenter
        identifier = f"{primary_dc.props.name_prefix}-global-db"

        global_kwargs: dict[str, Any] = {}
        if parse_engine_version(props.engine_version)[0] == 2:  # type: ignore[index]
            global_kwargs["engine_lifecycle_support"] = "open-source-rds-extended-support"
        self.global_cluster = RdsGlobalCluster(
            self,
            "global-cluster",
            # The global cluster lives in the primary's region; a stack may pass another provider of that
            # region (the local profile: one without default tags, which moto does not store here).
            provider=global_cluster_provider or primary_dc.provider,
            global_cluster_identifier=identifier,
            engine=ENGINE,
            engine_version=props.engine_version,
            storage_encrypted=True,
            deletion_protection=props.deletion_protection,
            **global_kwargs,
        )
        self.global_cluster_identifier: str = self.global_cluster.id
        self.global_cluster_arn: str = self.global_cluster.arn

        replica_regions = tuple(s.datacenter.region for s in secondaries) if props.replicate_secret else ()
        self.primary = DatabaseCluster(
            self,
            primary_dc.name,
            props=site_props[primary_dc.name],
            datacenter=primary_dc,
            client_security_group_id=primary.client_security_group_id,
            global_cluster=GlobalMembership(
                global_cluster_identifier=self.global_cluster_identifier,
                role="primary",
                primary_region=primary_dc.region,
                secret_replica_regions=replica_regions,
                master_password_version=props.master_password_version,
                secret_recovery_days=props.secret_recovery_days,
            ),
        )
        self.db_secret_arn: str = self.primary.db_secret_arn
        self.clusters: dict[str, DatabaseCluster] = {primary_dc.name: self.primary}
        for site in secondaries:
            dc = site.datacenter
            self.clusters[dc.name] = DatabaseCluster(
                self,
                dc.name,
                props=site_props[dc.name],
                datacenter=dc,
                client_security_group_id=site.client_security_group_id,
                global_cluster=GlobalMembership(
                    global_cluster_identifier=self.global_cluster_identifier,
                    role="secondary",
                    primary_region=primary_dc.region,
                    primary_secret_arn=self.primary.db_secret_arn,
                    secret_replicated=props.replicate_secret,
                    depends_on=tuple(self.primary.instances),
                ),
            )
