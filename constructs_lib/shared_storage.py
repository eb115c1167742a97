"""SharedFileSystem: the seed's shared file system, as an encrypted EFS in the internal tier.

The portal instances of every datacenter keep the files the seed lists (images, attachments, languages,
templates...) on one shared file system, so that a file uploaded through one instance is visible through all.
On AWS this is one EFS file system with:

- a mount target in each internal subnet (one per AZ), behind a security group that admits NFS (2049) only
  from the portal's security group and from listed ranges (peer datacenters' DMZ ranges);
- an access point rooted at ``/apiportal``, owned by the web server user (``apache``, uid/gid 48);
- a file system policy that denies any access without TLS and allows clients only through a mount target;
- AWS Backup of the file system, and optionally replication to a second region for disaster recovery.

Multi-datacenter: ``expose_to(other_datacenter)`` lets another datacenter's VPC resolve the standard EFS name
(``<fs-id>.efs.<region>.amazonaws.com``) to the mount-target IP addresses, through a private hosted zone in that
VPC. amazon-efs-utils then mounts the file system over the inter-datacenter network (the peering, its routes
and the internal NACL entries are the mesh's job: ``DatacenterMesh``).
"""

from __future__ import annotations

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.efs_access_point import (
    EfsAccessPoint,
    EfsAccessPointPosixUser,
    EfsAccessPointRootDirectory,
    EfsAccessPointRootDirectoryCreationInfo,
)
from cdktf_cdktf_provider_aws.efs_backup_policy import EfsBackupPolicy, EfsBackupPolicyBackupPolicy
from cdktf_cdktf_provider_aws.efs_file_system import (
    EfsFileSystem,
    EfsFileSystemLifecyclePolicy,
    EfsFileSystemProtection,
)
from cdktf_cdktf_provider_aws.efs_file_system_policy import EfsFileSystemPolicy
from cdktf_cdktf_provider_aws.efs_mount_target import EfsMountTarget
from cdktf_cdktf_provider_aws.efs_replication_configuration import (
    EfsReplicationConfiguration,
    EfsReplicationConfigurationDestination,
)
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone, Route53ZoneVpc
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from constructs import Construct

from .errors import ConfigError, Problem, Problems, Ref
from .iam import policy_document
from .network.interface import IDatacenter
from .ports import NFS_PORT
from .service_ingress import AdmitsClients, ServiceIngress
from .shared_storage_props import SharedFileSystemProps
from .validation import kms_key_region_problem, known

__all__ = ["NFS_PORT", "SharedFileSystem", "SharedFileSystemProps"]  # the props live in shared_storage_props


class SharedFileSystem(Construct, AdmitsClients):
    """Encrypted EFS with a mount target per AZ, an access point, TLS-only policy, backups and replication.

    ``client_security_group_id`` is the portal instances' security group (admitted on NFS 2049). It may be
    None when the fleet is built after the file system; then call ``allow_clients_from_security_group``.

    Replication (``props.replication_region``): EFS keeps a read-only copy in the other region. To fail over,
    delete the replication configuration: the destination becomes writable, and the portal mounts it there.
    """

    CLIENT_GROUP_DESCRIPTION = "NFS from the API Portal instances"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: SharedFileSystemProps,
        datacenter: IDatacenter,
        client_security_group_id: str | None,
        replica_provider: TerraformProvider | None = None,
    ) -> None:
        problems = [*_replica_problems(props, replica_provider), *_placement_problems(props, datacenter)]
        if problems:
            raise ConfigError(problems)
        super().__init__(scope, id)
        self.props = props
        self.datacenter = datacenter
        self.adopted: bool = False
        self._provider = datacenter.provider
        self.region: str = datacenter.region
        self.private_zone_ids: dict[str, str] = {}
        self._exposed_to: set[str] = set()

        creation_token = f"{datacenter.resource_name}-efs"  # at most 33 characters with validated names (EFS: 64)
        lifecycle = [EfsFileSystemLifecyclePolicy(transition_to_primary_storage_class="AFTER_1_ACCESS")]
        if props.transition_to_ia is not None:
            # AWS wants each transition in its own lifecycle_policy block.
            lifecycle.insert(0, EfsFileSystemLifecyclePolicy(transition_to_ia=props.transition_to_ia))
        self._file_system(creation_token, lifecycle)
        self._firewall(client_security_group_id)
        self._mount_targets()
        self._access_point()
        self._policies()
        self.replica: EfsFileSystem | None = None
        """The read-only copy in ``replication_region`` this stack builds (None with ``replica_file_system_id``
        or without replication)."""
        self.replication_file_system_id: str | None = None
        if props.replication_region is not None:
            self._replication(props.replication_region, creation_token, lifecycle, replica_provider)

    def _file_system(self, creation_token: str, lifecycle: list[EfsFileSystemLifecyclePolicy]) -> None:
        """The encrypted file system itself."""
        self.file_system = EfsFileSystem(
            self,
            "file-system",
            provider=self._provider,
            creation_token=creation_token,
            encrypted=True,
            kms_key_id=self.props.kms_key_arn,
            performance_mode="generalPurpose",
            throughput_mode="elastic",
            lifecycle_policy=lifecycle,
            tags={"Name": creation_token},
            # A file system promoted from a replica by a failover has a token AWS chose: adopting it must not
            # replace it (the token only makes the first CreateFileSystem idempotent).
            lifecycle=TerraformResourceLifecycle(ignore_changes=["creation_token"]),
        )
        self.file_system_id: str = self.file_system.id
        self.file_system_arn: str = self.file_system.arn
        self.file_system_dns_name: str = self.file_system.dns_name

    def _firewall(self, client_security_group_id: str | None) -> None:
        """The EFS firewall: NFS in from the portal's security group and listed ranges only. No egress rules:
        the mount targets only answer, and security groups are stateful."""
        base = self.datacenter.resource_name
        self.security_group = SecurityGroup(
            self,
            "security-group",
            provider=self._provider,
            name=f"{base}-efs",
            vpc_id=self.datacenter.vpc_id,
            description=f"EFS mount targets of {base}: NFS from the API Portal instances only",
            tags={"Name": f"{base}-efs"},
        )
        self.security_group_id: str = self.security_group.id
        self._ingress = ServiceIngress(self, provider=self._provider, security_group_id=self.security_group_id,
                                       port=NFS_PORT, label="nfs", field="file_system client cidr")
        if client_security_group_id is not None:
            self.allow_clients_from_security_group(client_security_group_id)
        for cidr in self.props.client_cidrs:
            self.allow_clients_from(cidr, f"NFS from {cidr} (listed client range)")

    def _mount_targets(self) -> None:
        """A mount target in each internal subnet (one per AZ), behind the EFS security group."""
        self.mount_targets = [
            EfsMountTarget(
                self,
                f"mount-target-{i}",
                provider=self._provider,
                file_system_id=self.file_system_id,
                subnet_id=subnet_id,
                security_groups=[self.security_group_id],
            )
            for i, subnet_id in enumerate(self.datacenter.internal_subnet_ids)
        ]
        self.mount_target_ids: list[str] = [mt.id for mt in self.mount_targets]
        self.mount_target_ips: list[str] = [mt.ip_address for mt in self.mount_targets]

    def _access_point(self) -> None:
        """The portal's directory: created on first mount, owned by apache, and every access through the access
        point runs as that user (so root on a client cannot write files apache could not read)."""
        props = self.props
        self.access_point = EfsAccessPoint(
            self,
            "access-point",
            provider=self._provider,
            file_system_id=self.file_system_id,
            root_directory=EfsAccessPointRootDirectory(
                path=props.access_point_path,
                creation_info=EfsAccessPointRootDirectoryCreationInfo(
                    owner_uid=props.posix_uid, owner_gid=props.posix_gid, permissions="0755"
                ),
            ),
            posix_user=EfsAccessPointPosixUser(uid=props.posix_uid, gid=props.posix_gid),
            tags={"Name": f"{self.datacenter.resource_name}-apiportal"},
        )
        self.access_point_id: str = self.access_point.id

    def _policies(self) -> None:
        """The TLS-only file system policy and the AWS Backup policy, unless turned off."""
        if self.props.tls_policy:
            EfsFileSystemPolicy(
                self,
                "tls-policy",
                provider=self._provider,
                file_system_id=self.file_system_id,
                policy=_tls_only_policy(self.file_system_arn),
            )
        if self.props.backup_policy:
            EfsBackupPolicy(
                self,
                "backup-policy",
                provider=self._provider,
                file_system_id=self.file_system_id,
                backup_policy=EfsBackupPolicyBackupPolicy(status="ENABLED"),
            )

    def _replication(self, region: str, creation_token: str, lifecycle: list[EfsFileSystemLifecyclePolicy],
                     replica_provider: TerraformProvider | None) -> None:
        """Replication into ``region``: into the replica built here with ``replica_provider``, or into
        ``replica_file_system_id``."""
        destination_id = self.props.replica_file_system_id
        if destination_id is None and replica_provider is not None:
            self.replica = EfsFileSystem(
                self,
                "replica",
                provider=replica_provider,
                creation_token=f"{creation_token}-replica",
                encrypted=True,  # with the region's aws/elasticfilesystem key
                performance_mode="generalPurpose",
                throughput_mode="elastic",
                lifecycle_policy=lifecycle,
                # EFS replicates only into a file system whose overwrite protection is off; once it does, it
                # reports REPLICATING, which no API call may set or change (the provider would try: v5.100.0
                # has no diff suppression for it), hence ignore_changes. A failover adopts the former
                # primary here, whose token differs.
                protection=EfsFileSystemProtection(replication_overwrite="DISABLED"),
                tags={"Name": f"{creation_token}-replica"},
                lifecycle=TerraformResourceLifecycle(ignore_changes=["creation_token", "protection"]),
            )
            destination_id = self.replica.id
        EfsReplicationConfiguration(
            self,
            "replication",
            provider=self._provider,
            source_file_system_id=self.file_system_id,
            destination=EfsReplicationConfigurationDestination(region=region, file_system_id=destination_id),
        )
        self.replication_file_system_id = destination_id

    def expose_to(self, datacenter: IDatacenter) -> str:
        """Let ``datacenter`` (another VPC) mount this file system by its standard DNS name.

        In that datacenter's VPC (with its provider) this creates a private hosted zone named like the file
        system's DNS name, with an A record at the apex listing every mount-target IP (TTL 60), and admits that
        datacenter's DMZ ranges on NFS. One zone per VPC: Route 53 allows one private zone of a name per VPC,
        and the zones of the other datacenters are separate zones of the same name. Returns the zone id, also
        kept in ``private_zone_ids[datacenter.name]``.
        """
        if datacenter is self.datacenter or datacenter.name == self.datacenter.name:
            raise ConfigError([Problem(
                f"file_system.expose_to({datacenter.name})", sep=": ", fix=f"{datacenter.name} is the file system's "
                "own datacenter, whose VPC already resolves the EFS name: expose it only to other datacenters"
            )])
        if datacenter.name in self._exposed_to:
            raise ConfigError([Problem(f"file_system.expose_to({datacenter.name})",
                                       fix="was called twice: one private zone per VPC is enough")])
        self._exposed_to.add(datacenter.name)
        for cidr in datacenter.dmz_cidrs:
            self.allow_clients_from(cidr, f"NFS from {datacenter.name} DMZ {cidr} (portal instances over peering)")
        zone_name = f"{self.file_system_id}.efs.{self.region}.amazonaws.com"
        zone = Route53Zone(
            self,
            f"zone-{datacenter.name}",
            provider=datacenter.provider,
            name=zone_name,
            comment=f"EFS {self.datacenter.resource_name}-efs mount targets, resolved from {datacenter.resource_name}",
            vpc=[Route53ZoneVpc(vpc_id=datacenter.vpc_id, vpc_region=datacenter.region)],
            tags={"Name": f"{datacenter.resource_name}-efs-{self.datacenter.name}"},
        )
        Route53Record(
            self,
            f"mount-targets-{datacenter.name}",
            provider=datacenter.provider,
            zone_id=zone.zone_id,
            name=zone_name,
            type="A",
            ttl=60,
            records=self.mount_target_ips,
        )
        zone_id: str = zone.zone_id
        self.private_zone_ids[datacenter.name] = zone_id
        return zone_id


def _placement_problems(props: SharedFileSystemProps, datacenter: IDatacenter) -> list[Problem]:
    """Problems that need the datacenter: the KMS key's region, and a replica in another region."""
    problems = Problems()
    region_problem = kms_key_region_problem(props.kms_key_arn, "file_system.kms_key_arn", datacenter.region)
    if region_problem:
        problems.add(region_problem)
    if props.replication_region is not None and props.replication_region == datacenter.region:
        problems.add(Problem(
            "file_system.replication_region", props.replication_region, f"is the file system's own region "
            f"({datacenter.name} is in {datacenter.region}): replicate to another region, or leave it unset",
            literal=False
        ))
    return problems.items


def _replica_problems(props: SharedFileSystemProps, replica_provider: TerraformProvider | None) -> list[Problem]:
    """A replica needs the provider of its region, unless it is an existing file system."""
    problems: list[Problem] = []
    region = props.replication_region
    if region is not None and props.replica_file_system_id is None and replica_provider is None:
        problems.append(Problem(
            "file_system.replication_region", fix=f"is {region}, but no replica_provider was passed: pass the "
            f"AwsProvider of {region} as replica_provider= (the stack then builds the replica, and destroys it with "
            "the rest), or name an existing replica with {0}", refs=(Ref("file_system.replica_file_system_id"),)
        ))
    if replica_provider is not None and (region is None or props.replica_file_system_id is not None):
        problems.append(Problem(
            "replica_provider", fix="is passed, but there is no replica to build: set {0} (without "
            "replica_file_system_id), or leave replica_provider unset", refs=(Ref("file_system.replication_region"),)
        ))
    provider_region = getattr(replica_provider, "region", None)
    if region is not None and isinstance(provider_region, str) and known(provider_region) \
            and provider_region != region:
        problems.append(Problem(
            "replica_provider", fix=f"is the provider of {provider_region}, not of {{0}} {region}: pass the "
            f"AwsProvider of {region}", refs=(Ref("file_system.replication_region"),)
        ))
    return problems


def _tls_only_policy(file_system_arn: str) -> str:
    """Deny every request without TLS; allow mount, write and root access only through a mount target."""
    return policy_document(
        {
            "Sid": "DenyWithoutTls",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": file_system_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "AllowClientsThroughMountTargets",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "elasticfilesystem:ClientMount",
                "elasticfilesystem:ClientWrite",
                "elasticfilesystem:ClientRootAccess",
            ],
            "Resource": file_system_arn,
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
        },
    )
