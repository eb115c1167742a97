"""Launching and retiring an Auto Scaling group's instances as AWS does, shared by the group's health check
(``autoscaling``) and the instance refresh (``autoscaling_refresh``). No patch here: the two extensions that
use it say what they change in moto and why.
"""

from __future__ import annotations

from typing import Any


def _deregister(backend: Any, group: Any, instance_ids: list[str]) -> None:
    for arn in group.target_group_arns:
        target_group = backend.elbv2_backend.target_groups.get(arn)
        registered = [i for i in instance_ids if target_group is not None and i in target_group.targets]
        if registered:
            backend.elbv2_backend.deregister_targets(target_group_arn=arn, instances=[{"Id": i} for i in registered])


def launch(group: Any, subnet_id: str, tags: dict[str, str]) -> Any:
    """Launch one instance of ``group`` into ``subnet_id``, from the launch template version the group names
    (moto 5.2 launches from the template's default version, into the first subnet)."""
    from moto.autoscaling.models import ASG_NAME_TAG, InstanceState

    template = group.ec2_launch_template
    version = template.get_version(group.launch_template_version).number
    reservation = group.autoscaling_backend.ec2_backend.run_instances(
        image_id=group.image_id, count=1, user_data=group.user_data, security_group_names=group.security_groups,
        instance_type=group.instance_type,
        tags={"instance": {**tags, ASG_NAME_TAG: group.name, **group.instance_tags}},
        launch_template={"LaunchTemplateId": template.id, "Version": str(version)},
        is_instance_type_default=False, subnet_id=subnet_id)
    instance = reservation.instances[0]
    instance.autoscaling_group = group
    state = InstanceState(instance=instance, protected_from_scale_in=group.new_instances_protected_from_scale_in)
    group.instance_states.append(state)
    return state


def retire(backend: Any, group: Any, states: list[Any]) -> None:
    """Take instances out of ``group`` as AWS does: out of its target groups, out of the group, terminated (those
    not terminated already)."""
    _deregister(backend, group, [s.instance.id for s in states])
    live = [s.instance.id for s in states if s.instance.state not in ("terminated", "shutting-down")]
    group.instance_states = [s for s in group.instance_states if s not in states]
    if live:
        backend.ec2_backend.terminate_instances(instance_ids=live)  # moto: notify_terminate_instances (see autoscaling)
