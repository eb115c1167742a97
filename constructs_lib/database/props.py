"""The props of Aurora clusters: the settings every cluster has (``AuroraSettings``), one standalone cluster
(``DatabaseClusterProps``) and an Aurora global database (``GlobalDatabaseProps``). Every default is the HA and
safety choice; lab options are explicit. Every problem is reported at once (``ConfigError``), named under
``database.``."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from ..errors import Problem, Problems, Ref
from ..thresholds import DB_NODES
from ..validation import check_client_cidr, check_kms_key_arn, is_int
from .engine import (
    DEFAULT_ENGINE_VERSION,
    engine_major,
    parse_engine_version,
    unknown_version_problem,
    write_forwarding_problem,
)

WHERE = "database"
MAX_INSTANCES = 16  # Aurora: one writer and up to 15 readers
INSTANCE_CLASS_PATTERN = re.compile(r"^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$")
MASTER_USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")  # Aurora MySQL: 1 to 16, letter first
RESERVED_USERNAMES = frozenset({"rdsadmin", "rdsrepladmin", "rdsproxyadmin", "root", "mysql", "admin_user"})
DATABASE_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
BACKUP_WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
MIN_BACKUP_RETENTION, MAX_BACKUP_RETENTION = 1, 35


@dataclass(frozen=True, kw_only=True)
class AuroraSettings:
    """What every Aurora cluster of this library has, standalone or in a global database (one per region)."""

    engine_version: str = DEFAULT_ENGINE_VERSION
    """Aurora MySQL version. Default: ``8.0.mysql_aurora.3.08.2`` (Aurora MySQL 3, MySQL 8.0-compatible).
    Axway supports MySQL 5.7 / MariaDB 10.4+ for API Portal; Aurora MySQL 2 (5.7) needs
    ``allow_extended_support_engine``. A global database needs a version with global write forwarding
    (3.04+, or 2.08.1+)."""
    allow_extended_support_engine: bool = False
    """Accept Aurora MySQL 2 (MySQL 5.7), which is past the end of standard support and runs on paid RDS
    Extended Support. Default: refused."""
    instance_count: int = DB_NODES
    """DB instances per cluster (per datacenter): a writer and ``instance_count - 1`` readers, spread over the
    AZs. Default: 3, the seed's minimum for HA. Fewer needs ``allow_fewer_nodes``."""
    allow_fewer_nodes: bool = False
    """Lab opt-out: allow fewer than 3 instances, or a datacenter with fewer than 3 AZs. Default: refused,
    because the seed requires at least three database nodes (in distinct AZs here)."""
    instance_class: str = "db.r6g.large"
    """DB instance class of every instance. Default: ``db.r6g.large`` (Graviton, memory-optimized; supported
    for global databases and Performance Insights)."""
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
    on."""
    master_username: str = "portaladmin"
    """Master user name (1 to 16 letters, digits or '_', starting with a letter). Its password is never in code
    or state (see ``DatabaseCluster``). Default: ``portaladmin``."""

    @property
    def engine_major(self) -> int:
        return engine_major(self.engine_version, WHERE)

    def _check_engine_and_nodes(self, problems: Problems) -> None:
        parsed = parse_engine_version(self.engine_version)
        if parsed is None:
            problems.add(unknown_version_problem(self.engine_version, WHERE))
        elif parsed[0] == 2 and not self.allow_extended_support_engine:
            problems.add(Problem(
                f"{WHERE}.engine_version", self.engine_version, "is Aurora MySQL 2 (MySQL 5.7), past the end of "
                "standard support: Axway supports MySQL 5.7 / MariaDB 10.4+ for API Portal, and Aurora MySQL 3 is "
                f"MySQL 8.0-compatible; use {DEFAULT_ENGINE_VERSION}, or set {{0}} to accept RDS Extended Support",
                refs=(Ref(f"{WHERE}.allow_extended_support_engine", True),), literal=False,
            ))
        count = self.instance_count
        if not (is_int(count) and 1 <= count <= MAX_INSTANCES):
            problems.add(Problem(
                f"{WHERE}.instance_count", count,
                f"is out of range: Aurora clusters have 1 to {MAX_INSTANCES} instances; use {DB_NODES}"
            ))
        elif count < DB_NODES and not self.allow_fewer_nodes:
            problems.add(Problem(
                f"{WHERE}.instance_count", count, f"is below the HA minimum of {DB_NODES} database nodes: use "
                f"{DB_NODES} or more, or set {{0}} for a lab", refs=(Ref(f"{WHERE}.allow_fewer_nodes", True),)
            ))
        problems.check(
            isinstance(self.instance_class, str) and bool(INSTANCE_CLASS_PATTERN.match(self.instance_class)),
            Problem(f"{WHERE}.instance_class", self.instance_class, "is not a DB instance class: use a name such as "
                    "db.r6g.large (db.<family>.<size>)"),
        )

    def _check_backups_and_user(self, problems: Problems) -> None:
        days = self.backup_retention_days
        problems.check(
            is_int(days) and MIN_BACKUP_RETENTION <= days <= MAX_BACKUP_RETENTION,
            Problem(f"{WHERE}.backup_retention_days", days, "is out of range: Aurora keeps automated backups "
                    f"{MIN_BACKUP_RETENTION} to {MAX_BACKUP_RETENTION} days; use 7"),
        )
        _check_backup_window(self.preferred_backup_window, f"{WHERE}.preferred_backup_window", problems)
        user = self.master_username
        if not (isinstance(user, str) and MASTER_USERNAME_PATTERN.match(user)):
            problems.add(Problem(
                f"{WHERE}.master_username", user, "is not a valid Aurora MySQL master user name: use 1 to 16 "
                "letters, digits or '_', starting with a letter (for example portaladmin)"
            ))
        elif user.lower() in RESERVED_USERNAMES:
            problems.add(Problem(
                f"{WHERE}.master_username", user, "is reserved by RDS or MySQL: pick another name, for example "
                "portaladmin"
            ))


def _check_backup_window(window: str, field_path: str, problems: Problems) -> None:
    match = BACKUP_WINDOW_PATTERN.match(window) if isinstance(window, str) else None
    if match is None:
        problems.add(Problem(
            field_path, window, "is not a window: use hh:mm-hh:mm in UTC, for example 03:00-04:00"
        ))
        return
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    minutes = (h2 * 60 + m2 - h1 * 60 - m1) % (24 * 60)
    problems.check(
        minutes >= 30,
        Problem(field_path, window, f"lasts {minutes} minutes: AWS needs at least 30; use for example 03:00-04:00",
                literal=False),
    )


def _check_database_name(name: str | None, problems: Problems) -> None:
    if name is not None:
        problems.check(
            isinstance(name, str) and bool(DATABASE_NAME_PATTERN.match(name)),
            Problem(f"{WHERE}.database_name", name, "is not a valid database name: use 1 to 64 letters, digits or "
                    "'_', starting with a letter (for example apiportal), or None"),
        )


@dataclass(frozen=True, kw_only=True)
class DatabaseClusterProps(AuroraSettings):
    """One Aurora MySQL cluster in one datacenter."""

    client_cidrs: tuple[str, ...] = ()
    """Extra ranges admitted on MySQL 3306, such as peer datacenters' DMZ ranges (security groups do not cross
    regions). Default: none; the portal's security group is admitted by ``client_security_group_id``."""
    kms_key_arn: str | None = None
    """Customer-managed KMS key (ARN, in the datacenter's region) for storage and Performance Insights.
    Default: the AWS-managed ``aws/rds`` key (storage is encrypted either way)."""
    database_name: str | None = "apiportal"
    """Empty schema created with the cluster, for the API Portal installer. Default: ``apiportal``. None
    creates none. (Ignored on global secondaries: they replicate the primary's.)"""

    def __post_init__(self) -> None:
        problems = Problems()
        self._check_engine_and_nodes(problems)
        for i, cidr in enumerate(self.client_cidrs):
            check_client_cidr(cidr, f"{WHERE}.client_cidrs[{i}]", problems)
        check_kms_key_arn(self.kms_key_arn, f"{WHERE}.kms_key_arn", problems)
        self._check_backups_and_user(problems)
        _check_database_name(self.database_name, problems)
        problems.raise_if_any()


@dataclass(frozen=True, kw_only=True)
class GlobalDatabaseProps(AuroraSettings):
    """An Aurora global database: the settings applied to every member cluster, and the global ones."""

    kms_key_arn: str | None = None
    """KMS key of the primary cluster (in the primary's region). Default: AWS-managed ``aws/rds``. Secondaries
    use their ``DatabaseSite.kms_key_arn``."""
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
        self._check_engine_and_nodes(problems)
        check_kms_key_arn(self.kms_key_arn, f"{WHERE}.kms_key_arn", problems)
        self._check_backups_and_user(problems)
        _check_database_name(self.database_name, problems)
        wf = write_forwarding_problem(self.engine_version, WHERE)
        if wf:
            problems.add(wf)
        version = self.master_password_version
        problems.check(
            is_int(version) and version >= 1,
            Problem(f"{WHERE}.master_password_version", version, "must be a whole number from 1: bump it by one "
                    "to rotate the master password"),
        )
        days = self.secret_recovery_days
        problems.check(
            is_int(days) and (days == 0 or 7 <= days <= 30),
            Problem(f"{WHERE}.secret_recovery_days", days, "is not a Secrets Manager recovery window: use 0 (lab) "
                    "or 7 to 30"),
        )
        problems.raise_if_any()

    def cluster_props(
        self, *, client_cidrs: tuple[str, ...], kms_key_arn: str | None, database_name: str | None = None
    ) -> DatabaseClusterProps:
        """The ``DatabaseClusterProps`` of one member cluster: the shared settings, plus what is per site."""
        shared = {f.name: getattr(self, f.name) for f in fields(AuroraSettings)}
        return DatabaseClusterProps(
            **shared, client_cidrs=tuple(client_cidrs), kms_key_arn=kms_key_arn, database_name=database_name
        )
