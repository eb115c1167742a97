"""EC2: what the emulator adds to moto 5.2, each as the EC2 API reference documents it.

- ``MonitorInstances`` / ``UnmonitorInstances`` (moto: not implemented, HTTP 500, which the AWS provider
  retries for minutes; it calls MonitorInstances right after RunInstances when ``monitoring = true``).
  AWS: the answer lists each instance with its monitoring state, ``pending`` (enable) or ``disabling``
  (disable); DescribeInstances then shows ``enabled`` / ``disabled``. An unknown instance is
  ``InvalidInstanceID.NotFound`` (nothing changes); ``DryRun`` answers ``DryRunOperation``.
- ``EnclaveOptions`` on every instance (moto: never reported). AWS reports ``{"Enabled": false}`` unless
  RunInstances asked for enclaves; the provider reads it back after every apply.
- ``DeleteNetworkAclEntry`` of an entry that is not there (moto: an uncaught ``StopIteration``, HTTP 500 with
  no XML, retried 25 times by the provider). AWS: ``InvalidNetworkAclEntry.NotFound`` (HTTP 400), which the
  provider takes as "already gone".
"""

from __future__ import annotations

from typing import Any

from .patch import Addition, Patch

MONITORING_STARTED = "pending"
MONITORING_STOPPING = "disabling"


def _set_monitoring(response: Any, state_after: str, state_answered: str) -> Any:
    from moto.core.responses import ActionResult

    response.error_on_dryrun()
    ids = response._get_param("InstanceIds", [])
    # InvalidInstanceID.NotFound before any change
    instances = response.ec2_backend.get_multi_instances_by_id(instance_ids=ids)
    for instance in instances:
        instance.monitoring_state = state_after
    return ActionResult({"InstanceMonitorings": [
        {"InstanceId": instance.id, "Monitoring": {"State": state_answered}} for instance in instances]})


def monitor_instances(self: Any) -> Any:
    return _set_monitoring(self, "enabled", MONITORING_STARTED)


def unmonitor_instances(self: Any) -> Any:
    return _set_monitoring(self, "disabled", MONITORING_STOPPING)


def _enclave_options(instance: Any) -> dict[str, bool]:
    return {"Enabled": bool(getattr(instance, "_portal_ha_enclaves", False))}


def _nacl_entry_not_found(rule_number: int) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError("InvalidNetworkAclEntry.NotFound",
                          f"The network acl entry identified by {rule_number} does not exist.")


def patches() -> list[Patch]:
    from moto.ec2.models.instances import Instance
    from moto.ec2.models.network_acls import NetworkAclBackend
    from moto.ec2.responses.instances import InstanceResponse
    from moto.ec2.responses.monitoring import Monitoring

    own_run_instances = InstanceResponse.run_instances
    own_delete_entry = NetworkAclBackend.delete_network_acl_entry

    def run_instances(self: Any) -> Any:
        result = own_run_instances(self)
        reservation: Any = result.result
        if self._get_param("EnclaveOptions.Enabled"):
            for instance in reservation.instances:
                instance._portal_ha_enclaves = True
        return result

    def delete_network_acl_entry(self: Any, network_acl_id: str, rule_number: int, egress: bool) -> Any:
        acl = self.get_network_acl(network_acl_id=network_acl_id)  # an unknown ACL keeps moto's own NotFound error
        if not any(e.egress == egress and e.rule_number == rule_number for e in acl.network_acl_entries):
            raise _nacl_entry_not_found(rule_number)
        return own_delete_entry(self, network_acl_id=network_acl_id, rule_number=rule_number, egress=egress)

    return [
        Patch(Monitoring, "monitor_instances", monitor_instances),
        Patch(Monitoring, "unmonitor_instances", unmonitor_instances),
        Patch(InstanceResponse, "run_instances", run_instances),
        Addition(Instance, "enclave_options", property(_enclave_options)),
        Patch(NetworkAclBackend, "delete_network_acl_entry", delete_network_acl_entry),
    ]
