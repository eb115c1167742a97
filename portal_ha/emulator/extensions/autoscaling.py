"""EC2 Auto Scaling: what the emulator adds to moto 5.2, each as the Amazon EC2 Auto Scaling user guide and
API reference document it. (What an instance gets from its launch template is in ``ec2_launch_templates``.)

- Instances spread over the group's Availability Zones (ec2-auto-scaling-benefits, "Instance distribution":
  the group "attempts to distribute instances evenly between the Availability Zones that are enabled", and
  launches into the zone with the fewest instances). moto 5.2 launches every instance into the first subnet of
  ``VPCZoneIdentifier``. Here each instance goes to the subnet of the zone holding the fewest of the group's
  instances (ties: the order of ``VPCZoneIdentifier``), launched from the template version the group names
  (moto: the template's default version).
- Health checks and replacement (ec2-auto-scaling-health-checks, replace-unhealthy-instance). An instance in
  any state other than ``running`` is unhealthy (the EC2 health check, always on); so is one marked with
  ``SetInstanceHealth`` ``Unhealthy``. The group terminates an unhealthy instance, takes it out of its
  target groups and launches a replacement. moto 5.2 replaces a terminated instance at once (and leaves it
  registered in the target group) and never replaces a stopped one. Here the check runs when the group is
  described (DescribeAutoScalingGroups, DescribeAutoScalingInstances): AWS runs it periodically, so the
  emulator replaces sooner than AWS would; the outcome is AWS's. With the ``HealthCheck`` or
  ``ReplaceUnhealthy`` process suspended, nothing is replaced. ``SetInstanceHealth`` with
  ``ShouldRespectGracePeriod`` (the default) is not acted on while the instance is within the group's health
  check grace period (API_SetInstanceHealth).
- ``HealthCheckGracePeriod`` (API_CreateAutoScalingGroup: "Default: 0 seconds"): moto 5.2 stores 300 when it
  is 0 or left out; here it is what the request said, 0 when left out.
- ``CapacityReservationSpecification`` (API_AutoScalingGroup, API_CapacityReservationSpecification): moto 5.2
  never reports it; AWS reports what the group was created or updated with, ``CapacityReservationPreference``
  ``default`` when nothing was given (the AWS provider reads it back; without it every plan proposes a
  change). Here it is kept and reported so.
- moto's target groups report every registered running instance ``healthy`` (there is no traffic), so an
  ELB health check never fails here by itself; ``SetInstanceHealth`` stands in for it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from .autoscaling_instances import launch, retire
from .autoscaling_refresh import settle
from .patch import Patch, signature

RUNNING_STATES = ("pending", "running")
"""EC2 states the EC2 health check accepts (a launching instance is not yet judged)."""
SUSPENDING = ("HealthCheck", "ReplaceUnhealthy")
DEFAULT_CAPACITY_RESERVATION = {"CapacityReservationPreference": "default"}


def _zone_of(group: Any, subnet_id: str) -> str:
    return str(group.autoscaling_backend.ec2_backend.get_subnet(subnet_id=subnet_id).availability_zone)


def _within_grace(group: Any, state: Any) -> bool:
    launched = getattr(state.instance, "launch_time", None)
    grace = int(group.health_check_grace_period or 0)
    if not isinstance(launched, datetime.datetime) or not grace:
        return False
    now = datetime.datetime.now(datetime.UTC)
    if launched.tzinfo is None:  # moto keeps naive UTC times
        now = now.replace(tzinfo=None)
    return now < launched + datetime.timedelta(seconds=grace)


def _unhealthy(group: Any) -> list[Any]:
    found = []
    for state in group.instance_states:
        if state.instance.state not in RUNNING_STATES:
            found.append(state)
        elif state.health_status == "Unhealthy":
            respect = getattr(state, "_portal_ha_respect_grace", True)
            if not (respect and _within_grace(group, state)):
                found.append(state)
    return found


def check_health(backend: Any, group: Any) -> None:
    """The group's health check: replace every unhealthy instance (see the module docstring)."""
    suspended = {p["ProcessName"] for p in group.suspended_processes}
    if suspended & set(SUSPENDING):
        return
    unhealthy = _unhealthy(group)
    if not unhealthy:
        return
    retire(backend, group, unhealthy)
    missing = (group.desired_capacity or 0) - len(group.instance_states)
    if missing > 0:
        group.replace_autoscaling_group_instances(missing, group.get_propagated_tags())
    backend.update_attached_target_groups(group_name=group.name)


def _catch_up(backend: Any) -> None:
    """What AWS would have done by now: health checks, then pending instance refreshes."""
    for group in list(backend.autoscaling_groups.values()):
        check_health(backend, group)
        settle(backend, group)


def patches() -> list[Patch]:
    from moto.autoscaling.models import AutoScalingBackend, FakeAutoScalingGroup
    from moto.autoscaling.responses import AutoScalingResponse

    own_replace = FakeAutoScalingGroup.replace_autoscaling_group_instances
    own_describe_groups = AutoScalingBackend.describe_auto_scaling_groups
    own_describe_instances = AutoScalingBackend.describe_auto_scaling_instances
    own_set_health = AutoScalingBackend.set_instance_health
    own_create = AutoScalingBackend.create_auto_scaling_group
    own_create_response = AutoScalingResponse.create_auto_scaling_group
    own_update_response = AutoScalingResponse.update_auto_scaling_group

    create_signature = signature(own_create, "name", "health_check_period")

    def create_auto_scaling_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        # API_CreateAutoScalingGroup: HealthCheckGracePeriod "Default: 0 seconds" (moto: 0 or none became 300).
        result = own_create(self, *args, **kwargs)
        given = create_signature.bind(self, *args, **kwargs).arguments
        period = given["health_check_period"]
        self.autoscaling_groups[given["name"]].health_check_grace_period = int(period) if period is not None else 0
        return result

    def replace_autoscaling_group_instances(self: Any, count_needed: int, propagated_tags: dict[str, str]) -> None:
        subnets = [s for s in (self.vpc_zone_identifier or "").split(",") if s]
        if self.ec2_launch_template is None or not subnets:
            own_replace(self, count_needed=count_needed, propagated_tags=propagated_tags)
            return
        zones = {s: _zone_of(self, s) for s in subnets}
        for _ in range(count_needed):
            counts = Counter(s.instance.availability_zone for s in self.instance_states)
            launch(self, min(subnets, key=lambda s: (counts[zones[s]], subnets.index(s))), dict(propagated_tags))

    def describe_auto_scaling_groups(self: Any, *args: Any, **kwargs: Any) -> Any:
        _catch_up(self)
        return own_describe_groups(self, *args, **kwargs)

    def describe_auto_scaling_instances(self: Any, *args: Any, **kwargs: Any) -> Any:
        _catch_up(self)
        return own_describe_instances(self, *args, **kwargs)

    def notify_terminate_instances(self: Any, instance_ids: list[str]) -> None:
        # An instance terminated outside the group is unhealthy; the group acts at its next health check.
        return None

    def create_group_response(self: Any) -> Any:
        result = own_create_response(self)
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        group.capacity_reservation_specification = (self._get_param("CapacityReservationSpecification")
                                                    or dict(DEFAULT_CAPACITY_RESERVATION))
        return result

    def update_group_response(self: Any) -> Any:
        result = own_update_response(self)
        given = self._get_param("CapacityReservationSpecification")
        if given:
            group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
            group.capacity_reservation_specification = given
        return result

    def set_instance_health(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        instance_id = self._get_param("InstanceId")
        status = self._get_param("HealthStatus")
        own_set_health(self.autoscaling_backend, instance_id=instance_id, health_status=status)
        respect = self._get_bool_param("ShouldRespectGracePeriod", True)  # API_SetInstanceHealth: default true
        for group in self.autoscaling_backend.autoscaling_groups.values():
            for state in group.instance_states:
                if state.instance.id == instance_id:
                    state._portal_ha_respect_grace = respect
        return EmptyResult()

    return [
        Patch(FakeAutoScalingGroup, "replace_autoscaling_group_instances", replace_autoscaling_group_instances),
        Patch(AutoScalingBackend, "create_auto_scaling_group", create_auto_scaling_group),
        Patch(AutoScalingBackend, "describe_auto_scaling_groups", describe_auto_scaling_groups),
        Patch(AutoScalingBackend, "describe_auto_scaling_instances", describe_auto_scaling_instances),
        Patch(AutoScalingBackend, "notify_terminate_instances", notify_terminate_instances),
        Patch(AutoScalingResponse, "set_instance_health", set_instance_health),
        Patch(AutoScalingResponse, "create_auto_scaling_group", create_group_response),
        Patch(AutoScalingResponse, "update_auto_scaling_group", update_group_response),
    ]
