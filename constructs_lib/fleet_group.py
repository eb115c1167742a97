"""The self-healing shape of a portal fleet: a launch template and an EC2 Auto Scaling group.

- The launch template holds what each instance is: the AMI, the instance type, the instance profile, the
  fleet's security group, IMDSv2 only, encrypted gp3 volumes (root, and the data volume for local storage),
  detailed monitoring and the user data. No public IP: the DMZ subnets never map one.
- The group keeps ``min = desired = instance_count`` instances over every DMZ subnet (AWS balances them over
  the AZs), replaces an instance that stops running or that the load balancer finds unhealthy once the grace
  period is over (ELB health checks), and rolls every new launch template version (a new AMI, instance type
  or user data) with an instance refresh that keeps ``min_healthy_percentage`` of it in service.
- The load balancer's target group is attached with ``attach_target_group`` (an ``aws_autoscaling_attachment``):
  the group registers the instances it launches and deregisters those it terminates.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformLocal, TerraformResourceLifecycle, Token
from cdktf_cdktf_provider_aws.autoscaling_attachment import AutoscalingAttachment
from cdktf_cdktf_provider_aws.autoscaling_group import (
    AutoscalingGroup,
    AutoscalingGroupInstanceRefresh,
    AutoscalingGroupInstanceRefreshPreferences,
    AutoscalingGroupLaunchTemplate,
    AutoscalingGroupTag,
)
from cdktf_cdktf_provider_aws.data_aws_ami import DataAwsAmi, DataAwsAmiFilter
from cdktf_cdktf_provider_aws.launch_template import (
    LaunchTemplate,
    LaunchTemplateBlockDeviceMappings,
    LaunchTemplateBlockDeviceMappingsEbs,
    LaunchTemplateIamInstanceProfile,
    LaunchTemplateMetadataOptions,
    LaunchTemplateMonitoring,
    LaunchTemplateTagSpecifications,
)
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .portal_fleet_props import PortalFleetProps
from .user_data import DATA_DEVICE

ELB_HEALTH_CHECK = "ELB"
"""The group replaces an instance its target group reports unhealthy, not only one EC2 reports impaired."""


@dataclass(frozen=True)
class InstanceSpec:
    """What every portal instance is, whichever shape the fleet takes."""

    base: str
    ami: str
    ami_from_ssm: bool
    """The AMI comes from the SSM parameter (kept at first launch unless ``follow_latest_ami``)."""
    security_group_id: str
    instance_profile_name: str
    user_data: str
    subnet_ids: tuple[str, ...]


class PortalGroup(Construct):
    """A launch template and the Auto Scaling group that keeps the portal instances of one datacenter."""

    def __init__(self, scope: Construct, id: str, *, props: PortalFleetProps, spec: InstanceSpec,
                 provider: AwsProvider) -> None:
        super().__init__(scope, id)
        self._provider = provider
        # The root volume is the AMI's root device: its name comes from the image (AL2023: /dev/xvda).
        image = DataAwsAmi(self, "image", provider=provider, owners=["self", "amazon", "aws-marketplace"],
                           filter=[DataAwsAmiFilter(name="image-id", values=[spec.ami])])
        volumes = [LaunchTemplateBlockDeviceMappings(
            device_name=image.root_device_name,
            ebs=LaunchTemplateBlockDeviceMappingsEbs(
                volume_type="gp3", volume_size=props.root_volume_size_gb, encrypted="true",
                delete_on_termination="true"),
        )]
        if props.data_volume_gb is not None:
            volumes.append(LaunchTemplateBlockDeviceMappings(
                device_name=DATA_DEVICE,
                ebs=LaunchTemplateBlockDeviceMappingsEbs(
                    volume_type="gp3", volume_size=props.data_volume_gb, encrypted="true",
                    delete_on_termination="true"),
            ))
        follow = not spec.ami_from_ssm or props.follow_latest_ami
        template = LaunchTemplate(
            self, "template", provider=provider, name=spec.base,
            description=f"API Portal instances ({spec.base})",
            image_id=spec.ami, instance_type=props.instance_type, ebs_optimized="true",
            iam_instance_profile=LaunchTemplateIamInstanceProfile(name=spec.instance_profile_name),
            vpc_security_group_ids=[spec.security_group_id],
            metadata_options=LaunchTemplateMetadataOptions(
                http_tokens="required", http_endpoint="enabled", http_put_response_hop_limit=1),
            monitoring=LaunchTemplateMonitoring(enabled=props.detailed_monitoring),
            block_device_mappings=volumes,
            # A launch template takes its user data base64-encoded. Terraform encodes it (the text holds the
            # tokens of other resources); the local keeps the text a template, as aws_instance.user_data is.
            user_data=Fn.base64encode(TerraformLocal(self, "user-data", spec.user_data).as_string),
            tag_specifications=[LaunchTemplateTagSpecifications(resource_type=kind, tags={"Name": spec.base})
                                for kind in ("instance", "volume")],
            update_default_version=True,
            lifecycle=None if follow else TerraformResourceLifecycle(ignore_changes=["image_id"]),
        )
        self.launch_template_id: str = template.id
        group = AutoscalingGroup(
            self, "group", provider=provider, name=spec.base,
            vpc_zone_identifier=list(spec.subnet_ids),
            min_size=props.instance_count, desired_capacity=props.instance_count, max_size=props.max_size,
            health_check_type=ELB_HEALTH_CHECK, health_check_grace_period=props.health_check_grace_seconds,
            # Each new template version (AMI, instance type, user data) changes the group: an instance refresh.
            launch_template=AutoscalingGroupLaunchTemplate(id=template.id,
                                                           version=Token.as_string(template.latest_version)),
            instance_refresh=AutoscalingGroupInstanceRefresh(
                strategy="Rolling",
                preferences=AutoscalingGroupInstanceRefreshPreferences(
                    min_healthy_percentage=props.min_healthy_percentage,
                    instance_warmup=str(props.health_check_grace_seconds)),
            ),
            tag=[AutoscalingGroupTag(key="Name", value=spec.base, propagate_at_launch=True)],
            # The target group is attached by attach_target_group (aws_autoscaling_attachment), as the
            # provider documents: the group itself must then not manage the attachment too.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["load_balancers", "target_group_arns"]),
        )
        self.group_name: str = group.name
        self.group_arn: str = group.arn
        self._attached = 0

    def attach_target_group(self, target_group_arn: str) -> None:
        """Register the group's instances in ``target_group_arn`` (it keeps the registration current)."""
        AutoscalingAttachment(self, f"target-group-{self._attached}", provider=self._provider,
                              autoscaling_group_name=self.group_name, lb_target_group_arn=target_group_arn)
        self._attached += 1
