"""SharedFileSystemProps: what the shared file system looks like, validated as it is made."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Problem, Problems, Ref
from .validation import check_client_cidr, check_kms_key_arn, check_region, known

# AWS EFS lifecycle values for moving files to Infrequent Access (TransitionToIARules).
TRANSITION_TO_IA_VALUES = (
    "AFTER_1_DAY",
    "AFTER_7_DAYS",
    "AFTER_14_DAYS",
    "AFTER_30_DAYS",
    "AFTER_60_DAYS",
    "AFTER_90_DAYS",
    "AFTER_180_DAYS",
    "AFTER_270_DAYS",
    "AFTER_365_DAYS",
)
# POSIX ids EFS accepts for access points (0 to 2^32 - 1).
MAX_POSIX_ID = 4294967295


@dataclass(frozen=True, kw_only=True)
class SharedFileSystemProps:
    """What the shared file system looks like. Every default is the HA and security choice."""

    kms_key_arn: str | None = None
    """Customer-managed KMS key (ARN, same region as the datacenter) for encryption at rest. Default: the
    AWS-managed ``aws/elasticfilesystem`` key (the file system is encrypted either way)."""
    transition_to_ia: str | None = "AFTER_30_DAYS"
    """When files not read for that long move to Infrequent Access (an AWS value such as ``AFTER_30_DAYS``);
    they come back to Standard on first access. Default: after 30 days. None keeps every file in Standard."""
    client_cidrs: tuple[str, ...] = ()
    """Extra ranges admitted on NFS 2049, for clients in other VPCs (peer datacenters' DMZ ranges). Default:
    none; the portal's security group is admitted by ``client_security_group_id``. Never 0.0.0.0/0."""
    access_point_path: str = "/apiportal"
    """Root directory of the portal's access point. Default: ``/apiportal``, created on first mount."""
    posix_uid: int = 48
    """Owner uid of the access point's directory, and the uid every access through it uses. Default: 48,
    ``apache`` on Amazon Linux, the user that writes the portal's files."""
    posix_gid: int = 48
    """Owner gid of the access point's directory, and the gid every access through it uses. Default: 48."""
    tls_policy: bool = True
    """File system policy that denies access without TLS and allows clients only through mount targets.
    Default: on. Turning it off allows unencrypted NFS in transit."""
    backup_policy: bool = True
    """AWS Backup of the file system (EFS backup policy ENABLED: daily backups, 35-day retention). Default: on."""
    replication_region: str | None = None
    """Region of a read-only replica for disaster recovery (EFS replication). Default: none. The replica stays
    read-only until the replication configuration is deleted (failover). The construct then needs
    ``replica_provider``, the provider of that region: the replica is a file system of the stack there, so
    ``terraform destroy`` removes it (a replica EFS creates by itself is managed by nobody, and kept)."""
    replica_file_system_id: str | None = None
    """An existing file system in ``replication_region`` to replicate into, managed outside this stack (its
    replication overwrite protection must be ``DISABLED``; EFS overwrites it). Default: none, the stack builds
    the replica. ``portal-ha failover`` keeps this key pointing at the current replica when it is set."""

    def __post_init__(self) -> None:
        problems = Problems()
        where = "file_system"
        check_kms_key_arn(self.kms_key_arn, f"{where}.kms_key_arn", problems)
        if self.transition_to_ia is not None:
            problems.check(
                self.transition_to_ia in TRANSITION_TO_IA_VALUES,
                Problem(f"{where}.transition_to_ia", self.transition_to_ia, f"is not an EFS lifecycle value: use "
                        f"one of {', '.join(TRANSITION_TO_IA_VALUES)}, or None to keep files in Standard"),
            )
        for i, cidr in enumerate(self.client_cidrs):
            check_client_cidr(cidr, f"{where}.client_cidrs[{i}]", problems)
        path = self.access_point_path
        problems.check(
            isinstance(path, str) and bool(re.fullmatch(r"(/[A-Za-z0-9._-]+)+", path)) and len(path) <= 100,
            Problem(f"{where}.access_point_path", path, "is not an absolute directory path: use for example "
                    "/apiportal (letters, digits, '.', '_', '-' and '/', at most 100 characters, no trailing '/')"),
        )
        for name in ("posix_uid", "posix_gid"):
            value = getattr(self, name)
            problems.check(
                isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_POSIX_ID,
                Problem(f"{where}.{name}", value, f"is not a POSIX id: use 0 to {MAX_POSIX_ID} (48 is apache on "
                        "Amazon Linux)"),
            )
        if self.replication_region is not None:
            check_region(self.replication_region, f"{where}.replication_region", problems)
        if self.replica_file_system_id is not None:
            problems.check(
                self.replication_region is not None,
                Problem(f"{where}.replica_file_system_id", fix="is set without {0}: name the region of that file "
                        "system, or remove replica_file_system_id", refs=(Ref(f"{where}.replication_region"),)),
            )
            problems.check(
                not known(self.replica_file_system_id)
                or bool(re.fullmatch(r"fs-[0-9a-f]{8,40}", str(self.replica_file_system_id))),
                Problem(f"{where}.replica_file_system_id", self.replica_file_system_id, "is not a file system id: "
                        "use the id of an EFS file system in replication_region, e.g. fs-0123456789abcdef0"),
            )
        problems.raise_if_any()
