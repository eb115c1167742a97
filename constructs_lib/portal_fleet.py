"""PortalFleet: the API Portal (Apache) instances of one datacenter, in its DMZ subnets.

The seed's "at least two API Portal instances behind a load balancer, inside the external firewall" becomes:
- ``instance_count`` EC2 instances (default 2, fewer is a config error unless ``allow_single_instance``) in
  an Auto Scaling group over every DMZ subnet that replaces a failed instance and rolls updates
  (``fleet_group``); or, for local storage by default, fixed instances placed round robin over the DMZ
  subnets so that the first ``az_count`` land in distinct AZs;
- a security group (the external firewall) that admits only 443 from the load balancer's security group and
  lets the instances reach HTTPS (packages, SSM) and the internal tier (NFS 2049, MySQL 3306);
- an IAM role and instance profile for SSM Session Manager (SSH stays closed, there is no key pair);
- IMDSv2 only, encrypted gp3 volumes, no public IP;
- user data that installs Apache with TLS on 443 and a ``/healthz`` page, creates the portal's data
  directories, puts the shared paths (``SHARED_PATHS``) on the shared file system (EFS, bind-mounted) or on a
  local encrypted data volume, and then runs an optional install hook.

The props and their validation are in ``portal_fleet_props``; ``serve`` puts the fleet behind a load balancer.
"""

from __future__ import annotations

import ipaddress

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

from .datacenter_lb import DatacenterLoadBalancer
from .errors import Problem, Problems
from .fleet_group import InstanceSpec, PortalGroup
from .iam import assume_role_policy, policy_document
from .network.interface import IDatacenter
from .portal_fleet_props import (
    AL2023_AMI_PARAMETER,
    HTTPS,
    MYSQL,
    NFS,
    S3_URI_PATTERN,
    SSM_MANAGED_POLICY,
    PortalFleetProps,
)
from .user_data import DATA_DEVICE, EfsMount, render_user_data
from .validation import construct_id, is_int, known

__all__ = ["AL2023_AMI_PARAMETER", "SSM_MANAGED_POLICY", "PortalFleet", "PortalFleetProps"]


def _check_placement(props: PortalFleetProps, datacenter: IDatacenter) -> None:
    """More than one instance needs distinct AZs: at least 2 DMZ subnets."""
    az_count = len(datacenter.dmz_subnet_ids)
    problems = Problems()
    problems.check(
        props.instance_count < 2 or az_count >= 2,
        Problem("fleet.instance_count", props.instance_count, f"needs distinct AZs but datacenter {datacenter.name} "
                f"has {az_count} DMZ subnet(s): use a datacenter with at least 2 AZs"),
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
        # The default base is at most 36 characters (name_prefix <= 16, datacenter name <= 12): IAM allows 64.
        base = props.name or f"{datacenter.resource_name}-portal"
        _check_placement(props, datacenter)  # checks that need the datacenter, all before any resource exists
        self._firewall(base, datacenter, lb_security_group_id)
        self._role(base, datacenter)
        spec = self._instance_spec(base, datacenter)
        self.instance_ids: list[str] = []
        """The fixed instances' ids (empty for an Auto Scaling group, whose instances come and go)."""
        self.instance_private_ips: list[str] = []
        self.instance_azs: list[str] = []
        self.group: PortalGroup | None = None
        """The Auto Scaling group (``props.uses_auto_scaling``), else None."""
        if props.uses_auto_scaling:
            self.group = PortalGroup(self, "asg", props=props, spec=spec, provider=self._provider)
        else:
            self._fixed_instances(spec, datacenter)

    def _firewall(self, base: str, datacenter: IDatacenter, lb_security_group_id: str) -> None:
        """External firewall: in from the load balancer on 443 only; out to HTTPS and the internal tier."""
        provider = self._provider
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
        manager = self.props.api_manager
        if manager is not None:
            for cidr in manager.cidrs:
                self.allow_egress(cidr, manager.port, f"API Manager {manager.host} over TLS: the portal connects to it")

    def _role(self, base: str, datacenter: IDatacenter) -> None:
        """IAM: SSM Session Manager (no SSH), plus read access to the installer and the EFS client actions."""
        props, provider = self.props, self._provider
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
            self._efs_client_policy(props.efs, partition, role.id)
        profile = IamInstanceProfile(self, "profile", provider=provider, name=base, role=self.role_name)
        self.instance_profile_name: str = profile.name

    def _efs_client_policy(self, efs: EfsMount, partition: str, role_id: str) -> None:
        """Mount and write the file system, only through its access point."""
        arn_base = f"arn:{partition}:elasticfilesystem:{efs.region}:*"
        IamRolePolicy(
            self, "efs-client", provider=self._provider, name="efs-client", role=role_id,
            policy=policy_document({
                "Effect": "Allow",
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": f"{arn_base}:file-system/{efs.file_system_id}",
                "Condition": {"ArnLike": {"elasticfilesystem:AccessPointArn":
                                          f"{arn_base}:access-point/{efs.access_point_id}"}},
            }),
        )

    def _instance_spec(self, base: str, datacenter: IDatacenter) -> InstanceSpec:
        """What every instance runs: the AMI (explicit, or the SSM public parameter, kept at first launch unless
        follow_latest_ami), the security group, the profile, the DMZ subnets and the user data."""
        props = self.props
        if props.ami_id is not None:
            ami = props.ami_id
        else:
            ami = DataAwsSsmParameter(self, "ami", provider=self._provider,
                                      name=props.ami_ssm_parameter).insecure_value
        return InstanceSpec(
            base=base, ami=ami, ami_from_ssm=props.ami_id is None, security_group_id=self.security_group_id,
            instance_profile_name=self.instance_profile_name, subnet_ids=tuple(datacenter.dmz_subnet_ids),
            user_data=render_user_data(
                efs=props.efs, data_volume=props.data_volume_gb is not None,
                install_script=props.install_script, installer_s3_uri=props.installer_s3_uri),
        )

    @property
    def auto_scaling_group_name(self) -> str | None:
        """The Auto Scaling group's name (None for fixed instances)."""
        return self.group.group_name if self.group is not None else None

    def serve(self, load_balancer: DatacenterLoadBalancer) -> None:
        """Put the portal instances behind ``load_balancer``'s target group (443): the fixed instances, or the
        group, which then registers every instance it launches and deregisters every one it terminates."""
        if self.group is not None:
            self.group.attach_target_group(load_balancer.target_group_arn)
        else:
            load_balancer.attach_instances(self.instance_ids)

    def _fixed_instances(self, spec: InstanceSpec, datacenter: IDatacenter) -> None:
        props = self.props
        lifecycle = None
        if spec.ami_from_ssm and not props.follow_latest_ami:
            lifecycle = TerraformResourceLifecycle(ignore_changes=["ami"])
        data_volumes = None
        if props.data_volume_gb is not None:
            data_volumes = [InstanceEbsBlockDevice(
                device_name=DATA_DEVICE, volume_type="gp3", volume_size=props.data_volume_gb, encrypted=True,
                delete_on_termination=True,
            )]
        # No public IP: the DMZ subnets never map one (map_public_ip_on_launch=False) and have no internet
        # gateway route. associate_public_ip_address is left unset on purpose: setting it makes the provider
        # launch through a network-interface spec, which moto 5.2 mishandles (it drops the security groups and
        # reports a public IP, so every plan replaces the instances).
        for i in range(props.instance_count):
            slot = i % len(spec.subnet_ids)
            instance = Instance(
                self, f"instance-{i}", provider=self._provider, ami=spec.ami, instance_type=props.instance_type,
                subnet_id=spec.subnet_ids[slot], vpc_security_group_ids=[self.security_group_id],
                iam_instance_profile=self.instance_profile_name,
                ebs_optimized=True, monitoring=props.detailed_monitoring,
                metadata_options=InstanceMetadataOptions(
                    http_tokens="required", http_endpoint="enabled", http_put_response_hop_limit=1),
                root_block_device=InstanceRootBlockDevice(
                    volume_type="gp3", volume_size=props.root_volume_size_gb, encrypted=True,
                    delete_on_termination=True),
                ebs_block_device=data_volumes,
                user_data=spec.user_data, user_data_replace_on_change=True,
                tags={"Name": f"{spec.base}-{i}"}, volume_tags={"Name": f"{spec.base}-{i}"},
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
                problems.add(Problem("fleet.allow_egress", cidr, f"is not a valid IPv4 CIDR ({exc}): use a "
                                     "network address such as 10.1.0.0/16", detail="cidr"))
        problems.check(is_int(port) and 1 <= port <= 65535,
                       Problem("fleet.allow_egress", port, "is out of range: use a TCP port from 1 to 65535",
                               detail="port"))
        problems.check(isinstance(description, str) and description.strip() != "",
                       Problem("fleet.allow_egress", detail="description", fix="is empty: say what the rule is for"))
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
