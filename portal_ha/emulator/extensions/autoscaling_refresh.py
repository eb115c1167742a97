"""EC2 Auto Scaling instance refresh: what the emulator adds to moto 5.2 (which has none of these calls: HTTP
500, so a Terraform apply that changes a group's launch template version fails there), as the API reference
(API_StartInstanceRefresh, API_DescribeInstanceRefreshes, API_CancelInstanceRefresh, API_RefreshPreferences,
API_InstanceRefresh) and the user guide (asg-instance-refresh) document them.

- ``StartInstanceRefresh`` answers an ``InstanceRefreshId``; the refresh is ``Pending``. Only the ``Rolling``
  strategy exists. ``Preferences.MinHealthyPercentage`` (default 90) and ``MaxHealthyPercentage`` (default 100,
  100 to 200, at least ``MinHealthyPercentage``; inferred code for a bad value: ``ValidationError``) are kept.
  Errors: an unknown group -> ``ValidationError`` (inferred); a refresh already ``Pending``, ``InProgress`` or
  ``Cancelling`` -> ``InstanceRefreshInProgress`` (documented).
- The refresh runs at the next ``DescribeInstanceRefreshes`` (or ``DescribeAutoScalingGroups``, through
  ``autoscaling``): every
  instance launched from another launch template version than the group's (all of them unless
  ``SkipMatching``) is replaced, in batches that keep ``MinHealthyPercentage`` of the desired capacity in
  service (rounded up, as documented) and never exceed ``MaxHealthyPercentage``: a batch launches its
  replacements first when the maximum leaves room, else takes its instances out of the target groups,
  terminates them and launches. It ends ``Successful`` with ``PercentageComplete`` 100. AWS takes minutes per
  batch (warm-up); here it is immediate, and there are no checkpoints, alarms or rollback.
- ``DescribeInstanceRefreshes`` lists the group's refreshes, newest first (``InstanceRefreshIds`` filter,
  ``MaxRecords``/``NextToken`` paging).
- ``CancelInstanceRefresh``: ``Cancelled`` for a refresh not yet run; none in progress ->
  ``ActiveInstanceRefreshNotFound`` (documented).
"""

from __future__ import annotations

import datetime
import math
import uuid
from typing import Any

from .autoscaling_instances import launch, retire
from .patch import Addition, Patch

ACTIVE = ("Pending", "InProgress", "Cancelling")
DEFAULT_MIN_HEALTHY, DEFAULT_MAX_HEALTHY = 90, 100


def _error(code: str, message: str) -> Exception:
    from moto.autoscaling.exceptions import AutoscalingClientError

    return AutoscalingClientError(code, message)


def _refreshes(group: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = group.__dict__.setdefault("_portal_ha_refreshes", [])
    return found


def _version_of(state: Any) -> str | None:
    """The launch template version an instance was launched from (EC2's own tag on it)."""
    tags = {t["key"]: t["value"] for t in state.instance.get_tags()}
    return tags.get("aws:ec2launchtemplate:version")


def run_refresh(backend: Any, group: Any, refresh: dict[str, Any]) -> None:
    """Carry ``refresh`` out on ``group`` (see the module docstring)."""
    wanted = str(group.ec2_launch_template.get_version(group.launch_template_version).number)
    skip = refresh["Preferences"].get("SkipMatching", False)
    old = [s for s in group.instance_states if not skip or _version_of(s) != wanted]
    desired = group.desired_capacity or len(group.instance_states)
    floor = math.ceil(desired * refresh["Preferences"]["MinHealthyPercentage"] / 100)
    ceiling = math.floor(desired * refresh["Preferences"]["MaxHealthyPercentage"] / 100)
    subnets = [s for s in (group.vpc_zone_identifier or "").split(",") if s]
    refresh["InstancesToUpdate"] = len(old)
    while old:
        room = ceiling - len(group.instance_states)
        batch = old[: max(1, room if room > 0 else len(group.instance_states) - floor)]
        old = old[len(batch):]
        zones = [s.instance.availability_zone for s in batch]
        if room <= 0:  # take the batch out first, then launch its replacements
            retire(backend, group, batch)
        for zone in zones:
            subnet = next((s for s in subnets if backend.ec2_backend.get_subnet(subnet_id=s).availability_zone == zone),
                          subnets[0])
            launch(group, subnet, group.get_propagated_tags())
        if room > 0:
            retire(backend, group, batch)
        backend.update_attached_target_groups(group_name=group.name)
    refresh.update(Status="Successful", PercentageComplete=100, InstancesToUpdate=0,
                   EndTime=datetime.datetime.now(datetime.UTC))


def settle(backend: Any, group: Any) -> None:
    for refresh in _refreshes(group):
        if refresh["Status"] == "Pending":
            refresh["Status"] = "InProgress"
            try:
                run_refresh(backend, group, refresh)
            except Exception as exc:  # an emulator defect: the refresh fails (visibly), it never hangs
                refresh.update(Status="Failed", StatusReason=f"emulator error: {exc!r}")
                raise


def patches() -> list[Patch]:
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult

    def group_named(response: Any) -> Any:
        name = response._get_param("AutoScalingGroupName")
        group = response.autoscaling_backend.autoscaling_groups.get(name)
        if group is None:
            raise _error("ValidationError", f"AutoScalingGroup name not found - {name}")
        return group

    def start_instance_refresh(self: Any) -> Any:
        group = group_named(self)
        strategy = self._get_param("Strategy") or "Rolling"
        if strategy != "Rolling":
            raise _error("ValidationError", f"Strategy {strategy} is not supported: use Rolling")
        if any(r["Status"] in ACTIVE for r in _refreshes(group)):
            raise _error("InstanceRefreshInProgress",
                         f"An Instance Refresh is already in progress and blocks the execution of this one "
                         f"for {group.name}.")
        given = self._get_param("Preferences") or {}
        low = int(given.get("MinHealthyPercentage", DEFAULT_MIN_HEALTHY))
        high = int(given.get("MaxHealthyPercentage", DEFAULT_MAX_HEALTHY))
        if not (0 <= low <= 100 and 100 <= high <= 200 and high - low <= 100):
            raise _error("ValidationError", f"MinHealthyPercentage {low} and MaxHealthyPercentage {high} are not "
                         "a valid pair: 0 to 100, 100 to 200, at most 100 apart")
        preferences = {**given, "MinHealthyPercentage": low, "MaxHealthyPercentage": high,
                       "SkipMatching": str(given.get("SkipMatching", "false")).lower() == "true"}
        refresh = {"InstanceRefreshId": str(uuid.uuid4()), "AutoScalingGroupName": group.name,
                   "Status": "Pending", "PercentageComplete": 0, "InstancesToUpdate": len(group.instance_states),
                   "StartTime": datetime.datetime.now(datetime.UTC), "Preferences": preferences}
        _refreshes(group).insert(0, refresh)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self: Any) -> Any:
        group = group_named(self)
        settle(self.autoscaling_backend, group)
        wanted = self._get_param("InstanceRefreshIds") or []
        found = [r for r in _refreshes(group) if not wanted or r["InstanceRefreshId"] in wanted]
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxRecords") or 50)
        page = found[start:start + size]
        result: dict[str, Any] = {"InstanceRefreshes": page}
        if start + size < len(found):
            result["NextToken"] = str(start + size)
        return ActionResult(result)

    def cancel_instance_refresh(self: Any) -> Any:
        group = group_named(self)
        active = next((r for r in _refreshes(group) if r["Status"] in ACTIVE), None)
        if active is None:
            raise _error("ActiveInstanceRefreshNotFound",
                         f"No in progress or pending Instance Refresh found for Auto Scaling group {group.name}")
        active["Status"] = "Cancelled"
        active["EndTime"] = datetime.datetime.now(datetime.UTC)
        return ActionResult({"InstanceRefreshId": active["InstanceRefreshId"]})

    return [
        Addition(AutoScalingResponse, "start_instance_refresh", start_instance_refresh),
        Addition(AutoScalingResponse, "describe_instance_refreshes", describe_instance_refreshes),
        Addition(AutoScalingResponse, "cancel_instance_refresh", cancel_instance_refresh),
    ]
