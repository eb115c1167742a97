"""PortalFleet: the API Portal (Apache) instances of one datacenter, in its DMZ subnets.

The seed's "at least two API Portal instances behind a load balancer, inside the external firewall" becomes:
- ``instance_count`` EC2 instances (default 2, fewer is a config error unless ``allow_single_instance``),
  placed round robin over the datacenter's DMZ subnets so that the first ``az_count`` land in distinct AZs;
- a security group (the external firewall) that admits only 443 from the load balancer's security group and
  lets the instances reach HTTPS (packages, SSM) and the internal tier (NFS 2049, MySQL 3306);
- an IAM role and instance profile for SSM Session Manager (SSH stays closed, there is no key pair);
- IMDSv2 only, encrypted gp3 volumes, no public IP;
- user data that installs Apache with TLS on 443 and a ``/healthz`` page, creates the portal's data
  directories, puts the shared paths (``SHARED_PATHS``) on the shared file system (EFS, bind-mounted) or on a
  local encrypted data volume, and then runs an optional install hook.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from cdktf import Fn, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.instance import (
    Instance,
    InstanceEbsBlockDevice,
    InstanceMetadataOptions,
    InstanceRootBlockDevice,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .errors import Problems
from .iam import assume_role_policy, policy_document
from .network.interface import IDatacenter
from .thresholds import MIN_PORTAL_INSTANCES, PORTAL_PORT
from .user_data import DATA_DEVICE, EfsMount, render_user_data
from .validation import check_name, construct_id, is_int, known

AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SSM_MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
HTTPS, NFS, MYSQL = PORTAL_PORT, 2049, 3306
MIN_INSTANCES, MAX_INSTANCES = MIN_PORTAL_INSTANCES, 20
MIN_ROOT_GB, MAX_VOLUME_GB = 8, 16384  # AL2023 images need 8 GiB; gp3 volumes go up to 16 TiB
MAX_USER_DATA_BYTES = 16384  # EC2 limit on user data before base64 encoding
MAX_IAM_ROLE_NAME = 64

AMI_PATTERN = re.compile(r"^ami-[0-9a-f]{8,17}$")
INSTANCE_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
# Graviton (arm64) families: a digit then "g" (m6g, c7gn, t4g, x2gd, im4gn, is4gen, g5g) and a1.
ARM64_FAMILY_PATTERN = re.compile(r"^([a-z]+\d+g[a-z]*|a1)\.")
SSM_PARAMETER_PATTERN = re.compile(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")
S3_URI_PATTERN = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$")


@dataclass(frozen=True, kw_only=True)
class PortalFleetProps:
    """The portal instances of one datacenter. Every default is the HA and security choice; lab options are
    explicit."""

    instance_count: int = 2
    """Number of portal instances, placed round robin over the AZs. Default: 2, the seed's HA minimum."""
    allow_single_instance: bool = False
    """Lab opt-out: allow ``instance_count=1`` (no HA). Default: fewer than 2 instances is a config error."""
    instance_type: str = "m6i.large"
    """EC2 instance type (``family.size``). Default: m6i.large (2 vCPU, 8 GiB, x86_64)."""
    ami_id: str | None = None
    """Explicit AMI id (``ami-...``). Default: None, the AMI is read from ``ami_ssm_parameter``."""
    ami_ssm_parameter: str = AL2023_AMI_PARAMETER
    """SSM parameter holding the AMI id. Default: AWS's public parameter for the latest Amazon Linux 2023
    (x86_64)."""
    follow_latest_ami: bool = False
    """Default: the AMI read from SSM at first launch is kept (``ignore_changes = [ami]``), so a new Amazon
    Linux release never replaces every instance in one apply. True: each apply follows the parameter and
    replaces the instances when it moves."""
    root_volume_size_gb: int = 30
    """Size of the encrypted gp3 root volume in GiB (at least 8). Default: 30."""
    data_volume_gb: int | None = None
    """Local data storage (multi-dc-local): an encrypted gp3 volume of this size at /dev/sdf per instance,
    holding the shared paths. Default: None, no data volume."""
    efs: EfsMount | None = None
    """Shared file system: mount it and bind the shared paths onto it. Default: None, no shared file
    system."""
    detailed_monitoring: bool = True
    """EC2 detailed (1-minute) monitoring: instance metrics every minute instead of every five, so an alarm on
    a sick instance fires sooner. Default: on."""
    install_script: str | None = None
    """Shell text run once as root after host preparation (output in /var/log/portal-install.log). It travels
    base64-encoded; when it holds cdktf tokens, Terraform encodes it, so a literal dollar-brace must be
    written with a doubled dollar. Default: None, no install script."""
    installer_s3_uri: str | None = None
    """``s3://bucket/key`` of an installer downloaded with ``aws s3 cp`` and run once as root; the role gets
    s3:GetObject on that object only. Default: None, nothing is downloaded."""
    name: str | None = None
    """Base of the fleet's resource names (role, instance profile, security group, instances). Default: None,
    meaning ``{datacenter.resource_name}-portal``."""

    def __post_init__(self) -> None:
        problems = Problems()
        count_ok = isinstance(self.instance_count, int) and not isinstance(self.instance_count, bool)
        if not count_ok:
            problems.add(f"fleet.instance_count {self.instance_count!r} is not an integer: use 2 or more")
        elif self.instance_count < 1:
            problems.add(f"fleet.instance_count {self.instance_count} is below 1: use 2 or more")
        elif self.instance_count < MIN_INSTANCES and not self.allow_single_instance:
            problems.add(
                f"fleet.instance_count {self.instance_count} is below the HA minimum of {MIN_INSTANCES}: use "
                f"{MIN_INSTANCES} or more, or set allow_single_instance=True for a lab"
            )
        elif self.instance_count > MAX_INSTANCES:
            problems.add(
                f"fleet.instance_count {self.instance_count} is above {MAX_INSTANCES}: a datacenter's portal "
                f"fleet is meant to be small; use at most {MAX_INSTANCES}"
            )
        type_ok = problems.check(
            isinstance(self.instance_type, str) and bool(INSTANCE_TYPE_PATTERN.match(self.instance_type)),
            f"fleet.instance_type {self.instance_type!r} is not an EC2 instance type: use family.size, "
            "such as m6i.large",
        )
        if self.ami_id is not None and known(self.ami_id):
            problems.check(
                isinstance(self.ami_id, str) and bool(AMI_PATTERN.match(self.ami_id)),
                f"fleet.ami_id {self.ami_id!r} is not an AMI id: use ami- followed by 8 to 17 hex digits, or "
                "leave it unset to use ami_ssm_parameter",
            )
        if self.ami_id is None:
            param_ok = problems.check(
                isinstance(self.ami_ssm_parameter, str)
                and bool(SSM_PARAMETER_PATTERN.match(self.ami_ssm_parameter)),
                f"fleet.ami_ssm_parameter {self.ami_ssm_parameter!r} is not an SSM parameter name: use a "
                f"path such as {AL2023_AMI_PARAMETER}",
            )
            if type_ok and param_ok and self.ami_ssm_parameter.endswith("x86_64"):
                problems.check(
                    not ARM64_FAMILY_PATTERN.match(self.instance_type),
                    f"fleet.instance_type {self.instance_type} is an arm64 (Graviton) type but "
                    f"fleet.ami_ssm_parameter {self.ami_ssm_parameter} names an x86_64 image: use an x86_64 "
                    "type such as m6i.large, or the parameter ending in arm64",
                )
        problems.check(
            is_int(self.root_volume_size_gb) and MIN_ROOT_GB <= self.root_volume_size_gb <= MAX_VOLUME_GB,
            f"fleet.root_volume_size_gb {self.root_volume_size_gb!r} is out of range: use {MIN_ROOT_GB} to "
            f"{MAX_VOLUME_GB} GiB",
        )
        if self.data_volume_gb is not None:
            problems.check(
                is_int(self.data_volume_gb) and 1 <= self.data_volume_gb <= MAX_VOLUME_GB,
                f"fleet.data_volume_gb {self.data_volume_gb!r} is out of range: use 1 to {MAX_VOLUME_GB} "
                "GiB, or None for no data volume",
            )
        if self.efs is not None and self.data_volume_gb is not None:
            problems.add(
                "fleet.efs and fleet.data_volume_gb are both set: the shared paths live either on the shared "
                "file system (efs) or on a local data volume (data_volume_gb); set only one"
            )
        if self.install_script is not None and self.installer_s3_uri is not None:
            problems.add(
                "fleet.install_script and fleet.installer_s3_uri are both set: the install hook is one or "
                "the other; set only one"
            )
        if self.install_script is not None and known(self.install_script):
            problems.check(
                isinstance(self.install_script, str) and self.install_script.strip() != "",
                "fleet.install_script is empty: give the shell text to run, or leave it None",
            )
        if self.installer_s3_uri is not None and known(self.installer_s3_uri):
            problems.check(
                isinstance(self.installer_s3_uri, str) and bool(S3_URI_PATTERN.match(self.installer_s3_uri)),
                f"fleet.installer_s3_uri {self.installer_s3_uri!r} is not an S3 object URI: use "
                "s3://bucket/key, such as s3://my-artifacts/apiportal/install.sh",
            )
        if self.name is not None:
            check_name(self.name, "fleet.name", MAX_IAM_ROLE_NAME, problems)
        if not problems.items and (self.install_script is None or known(self.install_script)):
            size = len(render_user_data(
                efs=self.efs, data_volume=self.data_volume_gb is not None,
                install_script=self.install_script, installer_s3_uri=self.installer_s3_uri,
            ).encode())
            problems.check(
                size <= MAX_USER_DATA_BYTES,
                f"fleet.install_script makes the user data {size} bytes, above the EC2 limit of "
                f"{MAX_USER_DATA_BYTES}: upload the installer to S3 and set installer_s3_uri instead",
            )
        problems.raise_if_any()


class PortalFleet(Construct):
    """The portal instances of one datacenter, their security group (the external firewall) and IAM role.

    ``lb_security_group_id`` is the load balancer's security group: the only source admitted, on 443.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: PortalFleetProps,
        datacenter: IDatacenter,
        lb_security_group_id: str,
    ) -> None:
        super().__init__(scope, id)
        self.props = props
        self._provider = datacenter.provider
        provider = datacenter.provider
        # The default base is at most 36 characters (name_prefix <= 16, datacenter name <= 12): IAM allows 64.
        base = props.name or f"{datacenter.resource_name}-portal"
        subnet_ids = list(datacenter.dmz_subnet_ids)
        az_count = len(subnet_ids)

        # Checks that need the datacenter, all before any resource exists.
        problems = Problems()
        problems.check(
            props.instance_count < 2 or az_count >= 2,
            f"fleet.instance_count {props.instance_count} needs distinct AZs but datacenter "
            f"{datacenter.name} has {az_count} DMZ subnet(s): use a datacenter with at least 2 AZs",
        )
        problems.raise_if_any()

        # External firewall: in from the load balancer on 443 only; out to HTTPS and the internal tier.
        sg = SecurityGroup(
            self, "sg", provider=provider, name=base, vpc_id=datacenter.vpc_id,
            description=f"API Portal instances of {datacenter.resource_name}: 443 from the load balancer",
            tags={"Name": base},
        )
        self.security_group_id: str = sg.id
        VpcSecurityGroupIngressRule(
            self, "in-https-from-lb", provider=provider, security_group_id=self.security_group_id,
            tags={"Name": "HTTPS and health checks from the load balancer"}, ip_protocol="tcp",
            from_port=HTTPS, to_port=HTTPS, referenced_security_group_id=lb_security_group_id,
        )  # rules that reference a group carry their description as a Name tag: see service_ingress.SG_REFERENCE_NOTE
        self._egress: set[str] = set()
        self.allow_egress("0.0.0.0/0", HTTPS, "HTTPS out through NAT: package repositories, SSM, S3")
        for cidr in datacenter.internal_cidrs:
            self.allow_egress(cidr, NFS, "NFS to the shared file system in the internal tier")
            self.allow_egress(cidr, MYSQL, "MySQL to the database cluster in the internal tier")

        # IAM: SSM Session Manager (no SSH), plus read access to the installer and the EFS client actions.
        role = IamRole(
            self, "role", provider=provider, name=base,
            description=f"API Portal instances of {datacenter.resource_name}",
            assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
        )
        self.role_name: str = role.name
        self.role_arn: str = role.arn
        IamRolePolicyAttachment(self, "ssm-core", provider=provider, role=self.role_name,
                                policy_arn=SSM_MANAGED_POLICY)
        partition = ""  # read below only where it was set: the aws_partition data source exists only if needed
        if props.installer_s3_uri is not None or props.efs is not None:
            partition = DataAwsPartition(self, "partition", provider=provider).partition
        if props.installer_s3_uri is not None:
            IamRolePolicy(
                self, "installer-read", provider=provider, name="read-installer", role=role.id,
                policy=policy_document({"Effect": "Allow", "Action": "s3:GetObject",
                                        "Resource": _s3_object_arn(props.installer_s3_uri, partition)}),
            )
        if props.efs is not None:
            efs = props.efs
            arn_base = f"arn:{partition}:elasticfilesystem:{efs.region}:*"
            IamRolePolicy(
                self, "efs-client", provider=provider, name="efs-client", role=role.id,
                policy=policy_document({
                    "Effect": "Allow",
                    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    "Resource": f"{arn_base}:file-system/{efs.file_system_id}",
                    "Condition": {"ArnLike": {"elasticfilesystem:AccessPointArn":
                                              f"{arn_base}:access-point/{efs.access_point_id}"}},
                }),
            )
        profile = IamInstanceProfile(self, "profile", provider=provider, name=base, role=self.role_name)
        self.instance_profile_name: str = profile.name

        # AMI: explicit, or the SSM public parameter (kept at first launch unless follow_latest_ami).
        lifecycle = None
        if props.ami_id is not None:
            ami = props.ami_id
        else:
            parameter = DataAwsSsmParameter(self, "ami", provider=provider, name=props.ami_ssm_parameter)
            ami = parameter.insecure_value
            if not props.follow_latest_ami:
                lifecycle = TerraformResourceLifecycle(ignore_changes=["ami"])

        user_data = render_user_data(
            efs=props.efs, data_volume=props.data_volume_gb is not None,
            install_script=props.install_script, installer_s3_uri=props.installer_s3_uri,
        )
        data_volumes = None
        if props.data_volume_gb is not None:
            data_volumes = [InstanceEbsBlockDevice(
                device_name=DATA_DEVICE, volume_type="gp3", volume_size=props.data_volume_gb, encrypted=True,
                delete_on_termination=True,
            )]

        self.instance_ids: list[str] = []
        self.instance_private_ips: list[str] = []
        self.instance_azs: list[str] = []
        # No public IP: the DMZ subnets never map one (map_public_ip_on_launch=False) and have no internet
        # gateway route. associate_public_ip_address is left unset on purpose: setting it makes the provider
        # launch through a network-interface spec, which moto 5.2 mishandles (it drops the security groups and
        # reports a public IP, so every plan replaces the instances).
        for i in range(props.instance_count):
            slot = i % az_count
            instance = Instance(
                self, f"instance-{i}", provider=provider, ami=ami, instance_type=props.instance_type,
                subnet_id=subnet_ids[slot], vpc_security_group_ids=[self.security_group_id],
                iam_instance_profile=self.instance_profile_name,
                ebs_optimized=True, monitoring=props.detailed_monitoring,
                metadata_options=InstanceMetadataOptions(
                    http_tokens="required", http_endpoint="enabled", http_put_response_hop_limit=1),
                root_block_device=InstanceRootBlockDevice(
                    volume_type="gp3", volume_size=props.root_volume_size_gb, encrypted=True,
                    delete_on_termination=True),
                ebs_block_device=data_volumes,
                user_data=user_data, user_data_replace_on_change=True,
                tags={"Name": f"{base}-{i}"}, volume_tags={"Name": f"{base}-{i}"},
                lifecycle=lifecycle,
            )
            self.instance_ids.append(instance.id)
            self.instance_private_ips.append(instance.private_ip)
            self.instance_azs.append(datacenter.azs[slot])

    def allow_egress(self, cidr: str, port: int, description: str) -> None:
        """Let the instances open TCP ``port`` to ``cidr`` (e.g. NFS to the primary DC's internal ranges).

        Calling it again with the same cidr string and port adds nothing. ``cidr`` may be a token (pass the
        same token string to deduplicate: each read of a cdktf attribute makes a new token).
        """
        problems = Problems()
        if known(cidr):
            try:
                ipaddress.IPv4Network(cidr, strict=True)
            except (ValueError, TypeError) as exc:
                problems.add(f"fleet.allow_egress cidr {cidr!r} is not a valid IPv4 CIDR ({exc}): use a "
                             "network address such as 10.1.0.0/16")
        problems.check(is_int(port) and 1 <= port <= 65535,
                       f"fleet.allow_egress port {port!r} is out of range: use a TCP port from 1 to 65535")
        problems.check(isinstance(description, str) and description.strip() != "",
                       "fleet.allow_egress description is empty: say what the rule is for")
        problems.raise_if_any()
        key = f"{construct_id(cidr)}-{port}"
        if key in self._egress:
            return
        self._egress.add(key)
        VpcSecurityGroupEgressRule(
            self, f"out-{key}", provider=self._provider, security_group_id=self.security_group_id,
            description=description, ip_protocol="tcp", from_port=port, to_port=port, cidr_ipv4=cidr,
        )


def _s3_object_arn(uri: str, partition: str) -> str:
    match = S3_URI_PATTERN.match(uri) if known(uri) else None
    if match is not None:
        return f"arn:{partition}:s3:::{match.group(1)}/{match.group(2)}"
    return Fn.replace(uri, "s3://", f"arn:{partition}:s3:::")
