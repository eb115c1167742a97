"""``DatabaseCluster``: the seed's database cluster of at least three nodes, as one Aurora MySQL cluster in a
datacenter's internal subnets: 3 instances (a writer and 2 readers) in 3 distinct AZs, encrypted, backed up,
logs in CloudWatch, and a security group that admits MySQL (3306) only from the portal's security group and
listed ranges. Standalone, or a member of a ``GlobalDatabase`` (``global_cluster``).

Credentials never appear in code, in the synthesized configuration, in the plan, in the state or in outputs:

- a standalone cluster lets RDS generate and keep the master password in Secrets Manager
  (``manage_master_user_password``);
- a global primary cannot use that (RDS-managed master passwords are not supported for global clusters), so
  it gets its password through Terraform *ephemeral* resources and *write-only* arguments: an ephemeral
  ``aws_secretsmanager_random_password`` is written once into a Secrets Manager secret through
  ``secret_string_wo``, read back by an ephemeral ``aws_secretsmanager_secret_version`` and passed to the
  cluster through ``master_password_wo``. Neither ephemeral values nor write-only arguments are ever stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from cdktf import Fn, ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.rds_cluster import RdsCluster
from cdktf_cdktf_provider_aws.rds_cluster_instance import RdsClusterInstance
from cdktf_cdktf_provider_aws.rds_cluster_parameter_group import (
    RdsClusterParameterGroup,
    RdsClusterParameterGroupParameter,
)
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret, SecretsmanagerSecretReplica
from cdktf_cdktf_provider_aws.secretsmanager_secret_version import SecretsmanagerSecretVersion
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from constructs import Construct

from ..errors import ConfigError, Problem, Problems, Ref
from ..iam import assume_role_policy
from ..network.interface import IDatacenter
from ..ports import MYSQL_PORT
from ..service_ingress import AdmitsClients, ServiceIngress
from ..thresholds import DB_NODES
from ..validation import kms_key_region_problem
from .engine import ENGINE, EXTENDED_SUPPORT, parameter_group_family, write_forwarding_problem
from .ephemeral import EphemeralResource
from .props import WHERE, DatabaseClusterProps

PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7  # the free tier
MASTER_PASSWORD_LENGTH = 32  # letters and digits only: safe in any client config or shell; RDS allows 41
LOG_EXPORTS = ["audit", "error", "slowquery"]
MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
ENHANCED_MONITORING_INTERVAL = 60  # seconds: OS metrics of every instance in CloudWatch Logs

# Instance-level settings (Aurora keeps these in DB parameter groups, not cluster ones).
INSTANCE_PARAMETERS = {
    # Joomla and its extensions (EasyBlog, EasyDiscuss) write dates and GROUP BY queries that MySQL 8's strict
    # default modes reject; keep only the engine-substitution guard.
    "sql_mode": "NO_ENGINE_SUBSTITUTION",
    # 64 MiB: large articles, session rows and attachments metadata fit in one packet.
    "max_allowed_packet": "67108864",
    # The exported slowquery log is empty unless the slow query log is on.
    "slow_query_log": "1",
    "long_query_time": "2",
}
SECONDARY_WITHOUT_SECRET = Problem("database", fix="global membership of a secondary needs primary_secret_arn: "
                                   "build global databases with GlobalDatabase")


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


def placement_problems(
    props: DatabaseClusterProps, datacenter: IDatacenter, kms_field: str = f"{WHERE}.kms_key_arn", kms_detail: str = ""
) -> list[Problem]:
    """Problems that need the datacenter: the KMS key's region, and enough AZs for 3 distinct-AZ nodes
    (``kms_detail``: what narrows ``kms_field``, such as ``sites[dc2].kms_key_arn``)."""
    problems = Problems()
    region_problem = kms_key_region_problem(props.kms_key_arn, kms_field, datacenter.region, kms_detail)
    if region_problem:
        problems.add(region_problem)
    az_count = datacenter.az_count
    if az_count < DB_NODES and not props.allow_fewer_nodes:
        problems.add(Problem(
            f"datacenters[{datacenter.name}].az_count", az_count, f"gives the database only {az_count} availability "
            f"zones: {DB_NODES} database nodes need {DB_NODES} distinct AZs; set az_count {DB_NODES} for "
            f"{datacenter.name}, or {{0}} for a lab", refs=(Ref(f"{WHERE}.allow_fewer_nodes", True, qualified=True),)
        ))
    return problems.items


def cluster_parameters(props: DatabaseClusterProps, global_member: bool) -> dict[str, str]:
    """The cluster parameter group's settings."""
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


class DatabaseCluster(Construct, AdmitsClients):
    """Aurora MySQL in a datacenter's internal subnets: 3 instances in 3 AZs, encrypted, backed up, no secret
    in state. Standalone, or a member of a ``GlobalDatabase`` (``global_cluster``).

    Attributes: cluster_identifier, cluster_arn, db_writer_endpoint, db_reader_endpoint, db_port,
    db_secret_arn, security_group_id, instances, instance_identifiers, instance_azs, role, region.
    """

    CLIENT_GROUP_DESCRIPTION = "MySQL from the API Portal instances"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: DatabaseClusterProps,
        datacenter: IDatacenter,
        client_security_group_id: str | None,
        global_cluster: GlobalMembership | None = None,
    ) -> None:
        problems = Problems()
        problems.extend(placement_problems(props, datacenter))
        if global_cluster is not None and global_cluster.role == "secondary":
            wf = write_forwarding_problem(props.engine_version, WHERE)
            if wf:
                problems.add(wf)
            if global_cluster.primary_secret_arn is None:
                problems.add(SECONDARY_WITHOUT_SECRET)
        problems.raise_if_any()
        super().__init__(scope, id)
        self.props = props
        self.datacenter = datacenter
        self.adopted: bool = False
        self.global_membership = global_cluster
        self._provider = datacenter.provider
        self.role: str = global_cluster.role if global_cluster is not None else "standalone"
        # The Role tag names the part a cluster was created for, never the writer (a failover moves the writer;
        # DescribeGlobalClusters says which member it is): the home keeps the credentials.
        role_tag = {"primary": "global-home", "secondary": "global-member"}.get(self.role, self.role)
        self._role_tag = role_tag
        self.region: str = datacenter.region
        name = f"{datacenter.resource_name}-db"

        self._firewall(name, client_security_group_id)
        subnet_group = DbSubnetGroup(
            self, "subnet-group", provider=self._provider, name=name, subnet_ids=datacenter.internal_subnet_ids,
            description=f"Internal subnets of {datacenter.resource_name} (one per AZ)", tags={"Name": name},
        )
        cluster_pg_name, instance_pg_name = self._parameter_groups(name, global_cluster is not None)
        self.cluster = RdsCluster(
            self, "cluster", provider=self._provider, cluster_identifier=name, engine=ENGINE,
            engine_version=props.engine_version, db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group_id], db_cluster_parameter_group_name=cluster_pg_name,
            port=MYSQL_PORT, storage_encrypted=True, kms_key_id=props.kms_key_arn,
            backup_retention_period=props.backup_retention_days,
            preferred_backup_window=props.preferred_backup_window, copy_tags_to_snapshot=True,
            deletion_protection=props.deletion_protection, skip_final_snapshot=props.skip_final_snapshot,
            final_snapshot_identifier=None if props.skip_final_snapshot else f"{name}-final",
            enabled_cloudwatch_logs_exports=LOG_EXPORTS, iam_database_authentication_enabled=True,
            tags={"Name": name, "Role": role_tag}, **self._membership(props, global_cluster),
        )
        self.db_secret_arn: str = self._secret_arn(global_cluster)
        self.cluster_identifier: str = self.cluster.cluster_identifier
        self.cluster_arn: str = self.cluster.arn
        self.db_writer_endpoint: str = self.cluster.endpoint
        self.db_reader_endpoint: str = self.cluster.reader_endpoint
        self.db_port: int = MYSQL_PORT
        self.deletion_protection: bool = props.deletion_protection
        self.instance_parameter_group_name: str | None = instance_pg_name
        """The instances' DB parameter group (None when ``instance_parameters`` is off)."""
        self.instance_parameters: dict[str, str] = dict(INSTANCE_PARAMETERS) if instance_pg_name else {}
        """The settings that group holds."""
        self.performance_insights_retention_days: int | None = (
            PERFORMANCE_INSIGHTS_RETENTION_DAYS if props.performance_insights else None)
        """How long Performance Insights keeps data on every instance (None when it is off)."""
        self._instances(name, subnet_group.name, instance_pg_name)

    def _firewall(self, name: str, client_security_group_id: str | None) -> None:
        """MySQL in from the portal's security group and listed ranges only; no egress rules (the database
        never opens connections, and security groups are stateful)."""
        self.security_group = SecurityGroup(
            self, "security-group", provider=self._provider, name=name, vpc_id=self.datacenter.vpc_id,
            description=f"Aurora cluster {name}: MySQL from the API Portal instances only", tags={"Name": name},
        )
        self.security_group_id: str = self.security_group.id
        self._ingress = ServiceIngress(self, provider=self._provider, security_group_id=self.security_group_id,
                                       port=MYSQL_PORT, label="mysql", field="database client cidr")
        if client_security_group_id is not None:
            self.allow_clients_from_security_group(client_security_group_id)
        for cidr in self.props.client_cidrs:
            self.allow_clients_from(cidr, f"MySQL from {cidr} (listed client range)")

    def _parameter_groups(self, name: str, global_member: bool) -> tuple[str, str | None]:
        """The cluster parameter group, and the instance one unless turned off; their names."""
        family = parameter_group_family(self.props.engine_version)
        cluster_pg = RdsClusterParameterGroup(
            self, "cluster-parameters", provider=self._provider, name=f"{name}-{family.replace('.', '-')}",
            family=family, description=f"API Portal settings for {name} (utf8mb4, TLS only)",
            parameter=[RdsClusterParameterGroupParameter(name=k, value=v)
                       for k, v in cluster_parameters(self.props, global_member).items()],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        if not self.props.instance_parameters:
            return cluster_pg.name, None
        instance_pg = DbParameterGroup(
            self, "instance-parameters", provider=self._provider,
            name=f"{name}-instances-{family.replace('.', '-')}", family=family,
            description=f"API Portal instance settings for {name}",
            parameter=[DbParameterGroupParameter(name=k, value=v) for k, v in INSTANCE_PARAMETERS.items()],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        return cluster_pg.name, instance_pg.name

    def _membership(self, props: DatabaseClusterProps, membership: GlobalMembership | None) -> dict[str, Any]:
        """The cluster arguments of its role: credentials (standalone, primary) or write forwarding."""
        kwargs: dict[str, Any] = {}
        if membership is None:
            kwargs.update(master_username=props.master_username, manage_master_user_password=True,
                          database_name=props.database_name)
        elif membership.role == "primary":
            # Write forwarding on the primary too: "for the primary DB cluster of an Aurora global database, this
            # value is used immediately if the primary is demoted by a global cluster API operation" (RDS API,
            # CreateDBCluster EnableGlobalWriteForwarding), so after a switchover it forwards at once.
            kwargs.update(master_username=props.master_username, database_name=props.database_name,
                          global_cluster_identifier=membership.global_cluster_identifier,
                          enable_global_write_forwarding=True,
                          # Once demoted, AWS sets it; Terraform must not try to clear it.
                          lifecycle=TerraformResourceLifecycle(ignore_changes=["replication_source_identifier"]),
                          **self._write_only_master_password(props, membership))
        else:
            kwargs.update(
                global_cluster_identifier=membership.global_cluster_identifier,
                enable_global_write_forwarding=True, depends_on=list(membership.depends_on),
                # AWS sets it on secondaries; Terraform must not try to clear it.
                lifecycle=TerraformResourceLifecycle(ignore_changes=["replication_source_identifier"]),
            )
        if props.engine_major == 2:
            # Aurora MySQL 2 only runs on RDS Extended Support now: say so instead of enrolling silently.
            kwargs["engine_lifecycle_support"] = EXTENDED_SUPPORT
        return kwargs

    def _secret_arn(self, membership: GlobalMembership | None) -> str:
        """Where the master credentials are: RDS's own secret, the primary's secret, or its regional replica."""
        if membership is None:
            return str(self.cluster.master_user_secret.get(0).secret_arn)
        if membership.role == "primary":
            return self.master_secret_arn
        if membership.primary_secret_arn is None:  # refused by __init__ already: the same ConfigError
            raise ConfigError([SECONDARY_WITHOUT_SECRET])
        if not membership.secret_replicated:
            return membership.primary_secret_arn
        return str(Fn.replace(membership.primary_secret_arn, f":{membership.primary_region}:",
                              f":{self.region}:"))

    def _instances(self, name: str, subnet_group_name: str, parameter_group_name: str | None) -> None:
        """The first instance is the writer at creation; instance i goes to AZ i (mod the AZ count), so 3
        instances sit in 3 distinct AZs. The cluster's own availability_zones stays unset (perpetual diffs).
        Enhanced monitoring (OS metrics per instance) goes through a role RDS assumes."""
        props, provider, azs = self.props, self._provider, self.datacenter.azs
        monitoring_role = IamRole(self, "monitoring-role", provider=provider, name=f"{name}-monitoring",
                                  assume_role_policy=assume_role_policy("monitoring.rds.amazonaws.com"))
        monitoring_policy = IamRolePolicyAttachment(self, "monitoring-policy", provider=provider,
                                                    role=monitoring_role.name, policy_arn=MONITORING_POLICY)
        self.instances: list[RdsClusterInstance] = []
        self.instance_azs: list[str] = []
        for i in range(props.instance_count):
            az = azs[i % len(azs)]
            self.instance_azs.append(az)
            self.instances.append(RdsClusterInstance(
                self, f"instance-{i}", provider=provider, identifier=f"{name}-{i}", cluster_identifier=self.cluster.id,
                engine=ENGINE, instance_class=props.instance_class, availability_zone=az,
                db_subnet_group_name=subnet_group_name, db_parameter_group_name=parameter_group_name,
                publicly_accessible=False, auto_minor_version_upgrade=True, copy_tags_to_snapshot=True,
                performance_insights_enabled=props.performance_insights,
                performance_insights_retention_period=(
                    PERFORMANCE_INSIGHTS_RETENTION_DAYS if props.performance_insights else None),
                performance_insights_kms_key_id=props.kms_key_arn if props.performance_insights else None,
                monitoring_interval=ENHANCED_MONITORING_INTERVAL, monitoring_role_arn=monitoring_role.arn,
                depends_on=[monitoring_policy], tags={"Name": f"{name}-{i}", "Role": self._role_tag},
            ))
        self.instance_identifiers: list[str] = [instance.identifier for instance in self.instances]

    def _write_only_master_password(self, props: DatabaseClusterProps, membership: GlobalMembership) -> dict[str, Any]:
        """A master password that never reaches the state: generated, stored and passed only ephemerally."""
        provider, base = self._provider, self.datacenter.resource_name
        secret = SecretsmanagerSecret(
            self, "master-secret", provider=provider, name_prefix=f"{base}-db-master-",
            description=f"Master credentials of the Aurora global database primary {base}-db (username, password)",
            recovery_window_in_days=membership.secret_recovery_days,
            replica=[SecretsmanagerSecretReplica(region=r) for r in membership.secret_replica_regions] or None,
            tags={"Name": f"{base}-db-master"},
        )
        password = EphemeralResource(
            self, "master-password", resource_type="aws_secretsmanager_random_password", provider=provider,
            config={"password_length": MASTER_PASSWORD_LENGTH, "exclude_punctuation": True,
                    "require_each_included_type": True},
        )
        # The same JSON shape as RDS-managed secrets, so consumers read both alike.
        version = SecretsmanagerSecretVersion(
            self, "master-secret-value", provider=provider, secret_id=secret.id,
            secret_string_wo=("${jsonencode({username = " + json.dumps(props.master_username) + ", password = "
                              + password.reference("random_password") + "})}"),
            secret_string_wo_version=membership.master_password_version,
        )
        # Read the stored value back (after the version exists), so the cluster always gets what the secret holds,
        # even if an apply failed between the two.
        stored = EphemeralResource(
            self, "master-secret-read", resource_type="aws_secretsmanager_secret_version", provider=provider,
            config={"secret_id": secret.id, "version_id": version.version_id},
        )
        self.master_secret_arn: str = secret.arn
        return {
            "master_password_wo": "${jsondecode(" + stored.reference("secret_string") + ").password}",
            "master_password_wo_version": membership.master_password_version,
        }
