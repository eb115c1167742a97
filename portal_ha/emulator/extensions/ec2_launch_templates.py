"""EC2 launch templates: what the emulator adds to moto 5.2, as the EC2 API reference documents RunInstances.

RunInstances (API_RunInstances, ``LaunchTemplate``): "Any additional parameters that you specify for the new
instance overwrite the corresponding parameters included in the launch template." moto 5.2 takes only the
image, instance type, key pair, security groups, user data, tags and block devices from the template, and
adds its own 8 GiB unencrypted root volume at /dev/sda1 next to the template's volumes. An instance an Auto
Scaling group launches (always from its template) therefore came out with IMDSv1 allowed, basic monitoring,
no instance profile and an unencrypted root volume: what the template said was lost. Here, for a field the
request leaves out, the template's value is used:

- ``MetadataOptions`` (IMDSv2 ``HttpTokens``, ``HttpEndpoint``, hop limit);
- ``Monitoring.Enabled`` (detailed monitoring), ``EbsOptimized``;
- ``IamInstanceProfile`` (``Name`` or ``Arn``; associated as RunInstances does; an unknown profile fails the
  launch as RunInstances would);
- ``BlockDeviceMappings``: the template's volumes are the instance's volumes; the AMI's root device gets a
  default volume only when the template has no mapping for it (a mapping for the root device replaces it).

CreateLaunchTemplate (API_CreateLaunchTemplate, ``TagSpecifications``): "The tags to apply to the launch template
on creation. To tag the launch template, the resource type must be ``launch-template``" - they tag the template
itself. moto 5.2 also copies them into the version's ``LaunchTemplateData.TagSpecifications`` (whose resource
types are only ``instance``, ``volume``, ``network-interface`` and ``spot-instances-request``), so the AWS
provider read an extra tag specification back and planned a new template version after every apply. Here they
tag the template only.

CreateLaunchTemplateVersion (API_CreateLaunchTemplateVersion): moto 5.2 stores the version's ``UserData`` without
decoding it as CreateLaunchTemplate does, so launching from that version fails (HTTP 500), and it ignores
``SourceVersion``. Here the user data is kept as CreateLaunchTemplate keeps it, and with ``SourceVersion`` the
new version "inherits the same launch parameters as the source version, except for parameters that you
specify in LaunchTemplateData" (at the level of the top-level parameters; an unknown source version is
``InvalidLaunchTemplateId.VersionNotFound``, moto's own error).

Inferred: moto's request parser cannot tell an explicit ``Monitoring.Enabled=false`` or ``EbsOptimized=false``
in the request from one left out, so only an Auto Scaling launch (which passes neither) and a request that
leaves them out take the template's value; a request that sets them to false keeps false.
"""

from __future__ import annotations

from typing import Any

from .patch import Patch

TEMPLATE_RESOURCE_TYPE = "launch-template"
DEFAULT_ROOT_GB = 8  # moto's (and a typical AMI's) root volume size when nothing else is said


def _from_template(backend: Any, image_id: str | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` completed with the launch template's values for what the request left out."""
    data: dict[str, Any] = backend._get_template_from_args(kwargs["launch_template"]).data
    kwargs = dict(kwargs)
    if not kwargs.get("metadata_options") and data.get("MetadataOptions"):
        kwargs["metadata_options"] = dict(data["MetadataOptions"])
    if kwargs.get("monitoring_state") is None and (data.get("Monitoring") or {}).get("Enabled") in (True, "true"):
        kwargs["monitoring_state"] = "enabled"
    if kwargs.get("ebs_optimized") is None and data.get("EbsOptimized") in (True, "true"):
        kwargs["ebs_optimized"] = True
    profile = data.get("IamInstanceProfile") or {}
    if not kwargs.get("iam_instance_profile_name") and not kwargs.get("iam_instance_profile_arn") and profile:
        kwargs["_portal_ha_profile"] = profile
    mappings = data.get("BlockDeviceMappings")
    if "block_device_mappings" not in kwargs and mappings:
        root = _root_device(backend, image_id or data.get("ImageId"))
        if not any(m.get("DeviceName") == root for m in mappings):
            mappings = [{"DeviceName": root, "Ebs": {"VolumeSize": DEFAULT_ROOT_GB, "DeleteOnTermination": True}},
                        *mappings]
        kwargs["block_device_mappings"] = [{**m, "Ebs": dict(m.get("Ebs") or {})} for m in mappings]
    return kwargs


def _root_device(backend: Any, image_id: str | None) -> str:
    if image_id:
        images = backend.describe_images(ami_ids=[image_id])
        if images and getattr(images[0], "root_device_name", None):
            return str(images[0].root_device_name)
    return "/dev/sda1"


def patches() -> list[Patch]:
    from moto.ec2.models.instances import InstanceBackend
    from moto.ec2.responses.launch_templates import LaunchTemplates
    from moto.ec2.utils import filter_iam_instance_profiles

    own_run_instances = InstanceBackend.run_instances
    own_create_template = LaunchTemplates.create_launch_template

    def run_instances(self: Any, image_id: str, count: int, user_data: Any, security_group_names: list[str],
                      **kwargs: Any) -> Any:
        if not kwargs.get("launch_template"):
            return own_run_instances(self, image_id=image_id, count=count, user_data=user_data,
                                     security_group_names=security_group_names, **kwargs)
        kwargs = _from_template(self, image_id, kwargs)
        profile = kwargs.pop("_portal_ha_profile", None)
        if profile:  # an unknown profile fails the launch before any instance exists, as RunInstances does
            filter_iam_instance_profiles(self.account_id, partition=self.partition,
                                         iam_instance_profile_arn=profile.get("Arn"),
                                         iam_instance_profile_name=profile.get("Name"))
        reservation = own_run_instances(self, image_id=image_id, count=count, user_data=user_data,
                                     security_group_names=security_group_names, **kwargs)
        if profile:
            for instance in reservation.instances:
                self.associate_iam_instance_profile(instance_id=instance.id,
                                                    iam_instance_profile_name=profile.get("Name"),
                                                    iam_instance_profile_arn=profile.get("Arn"))
        return reservation

    def create_launch_template(self: Any) -> Any:
        given = self._get_param("LaunchTemplateData", {}).get("TagSpecifications")
        result = own_create_template(self)
        template = self.ec2_backend.get_launch_template_by_name(name=self._get_param("LaunchTemplateName"))
        for version in template.versions:
            specs = version.data.get("TagSpecifications")
            if specs is not None:
                kept = [s for s in specs if s.get("ResourceType") != TEMPLATE_RESOURCE_TYPE]
                if kept or given is not None:
                    version.data["TagSpecifications"] = kept
                else:
                    del version.data["TagSpecifications"]
        return result

    def create_launch_template_version(self: Any) -> Any:
        from moto.core.responses import ActionResult
        from moto.ec2.utils import parse_user_data

        name, template_id = self._get_param("LaunchTemplateName"), self._get_param("LaunchTemplateId")
        template = (self.ec2_backend.get_launch_template(template_id=template_id) if template_id
                    else self.ec2_backend.get_launch_template_by_name(name=name))
        data = dict(self._get_param("LaunchTemplateData", {}))
        if "UserData" in data:
            data["UserData"] = parse_user_data(data["UserData"])
        source = self._get_param("SourceVersion")
        if source:
            data = {**template.get_version(source).data, **data}
        self.error_on_dryrun()
        version = template.create_version(data, self._get_param("VersionDescription"))
        return ActionResult({"LaunchTemplateVersion": {
            "CreateTime": version.create_time,
            "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
            "DefaultVersion": template.is_default(version), "LaunchTemplateData": version.data,
            "LaunchTemplateId": template.id, "LaunchTemplateName": template.name,
            "VersionDescription": version.description, "VersionNumber": version.number,
        }})

    return [Patch(InstanceBackend, "run_instances", run_instances),
            Patch(LaunchTemplates, "create_launch_template_version", create_launch_template_version),
            Patch(LaunchTemplates, "create_launch_template", create_launch_template)]
