"""RDS global database failover and switchover: what the emulator adds to moto 5.2 (which implements neither),
each as the RDS API reference documents it (API_FailoverGlobalCluster, API_SwitchoverGlobalCluster,
API_FailoverState).

- FailoverGlobalCluster(``GlobalClusterIdentifier``, ``TargetDbClusterIdentifier``, ``AllowDataLoss``,
  ``Switchover``): with ``AllowDataLoss`` a failover, otherwise ("defaults to a switchover") a switchover.
  SwitchoverGlobalCluster(``GlobalClusterIdentifier``, ``TargetDbClusterIdentifier``): a switchover. The
  global cluster identifier is case-insensitive; the target is the secondary's ARN ("Use the Amazon Resource
  Name (ARN) for the identifier so that Aurora can locate the cluster in its Amazon Web Services Region"); a
  plain identifier is looked up in the called region (inferred).
- The answer is the global cluster as the AWS CLI examples show it at that moment: ``Status``
  ``failing-over`` / ``switching-over``, ``FailoverState {Status: pending, FromDbClusterArn, ToDbClusterArn,
  IsDataLossAllowed}``, members unchanged. The operation completes on the next DescribeGlobalClusters (see
  ``rds_global``): the target is ``IsWriter: true`` and lists the other members as ``Readers``; the former
  primary is a secondary (``IsWriter: false``, ``Readers: []``, ``GlobalWriteForwardingStatus``); in
  DescribeDBClusters the promoted cluster has a writer instance again and the demoted one none; ``Status`` is
  ``available`` and ``FailoverState`` is gone. A failover is modelled like a switchover (no data is lost,
  every member stays ``connected``).
- Errors (codes from the API reference): unknown global cluster -> ``GlobalClusterNotFoundFault`` (404); unknown
  target -> ``DBClusterNotFoundFault`` (404); a global cluster that is not ``available`` (another failover or
  switchover still pending) -> ``InvalidGlobalClusterStateFault`` (400); a target that is not a member, is
  already the primary, or is not available (e.g. stopped) -> ``InvalidDBClusterStateFault`` (400; which
  error AWS picks for the first two is inferred). ``AllowDataLoss`` together with ``Switchover`` ("Can't be
  specified together") -> ``InvalidParameterCombination`` (code inferred).
"""

from __future__ import annotations

from typing import Any

from .patch import Addition, Patch
from .rds_global import (
    AVAILABLE,
    begin_role_change,
    find_cluster,
    find_global_cluster,
    global_cluster_not_found,
    rds_error,
)

# moto reports a new cluster "creating" once, on its first read, then "available": both can be promoted.
PROMOTABLE_CLUSTER_STATES = ("available", "creating")


def _role_change(response: Any, *, data_loss: bool) -> Any:
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import DBClusterNotFoundError

    identifier = str(response.params.get("GlobalClusterIdentifier") or "")
    target_reference = str(response.params.get("TargetDbClusterIdentifier") or "")
    global_cluster = find_global_cluster(response.current_account, identifier)
    if global_cluster is None:
        raise global_cluster_not_found(identifier)
    target = find_cluster(response.current_account, target_reference, response.region)
    if target is None:
        raise DBClusterNotFoundError(target_reference)
    if global_cluster.status != AVAILABLE or global_cluster.portal_ha_role_change is not None:
        raise rds_error("InvalidGlobalClusterStateFault",
                        f"Global cluster {global_cluster.global_cluster_identifier} is in {global_cluster.status} "
                        "state and can't fail over or switch over now.")
    if target not in global_cluster.members:
        raise rds_error("InvalidDBClusterStateFault",
                        f"DB cluster {target.db_cluster_arn} is not a member of global cluster "
                        f"{global_cluster.global_cluster_identifier}.")
    if target.is_writer:
        raise rds_error("InvalidDBClusterStateFault",
                        f"DB cluster {target.db_cluster_arn} is already the primary cluster of global cluster "
                        f"{global_cluster.global_cluster_identifier}.")
    state = getattr(target, "_status", AVAILABLE)
    if state not in PROMOTABLE_CLUSTER_STATES:
        raise rds_error("InvalidDBClusterStateFault", f"DB cluster {target.db_cluster_arn} is in {state} state.")
    primary = next((member for member in global_cluster.members if member.is_writer), None)
    if primary is None:
        raise rds_error("InvalidGlobalClusterStateFault",
                        f"Global cluster {global_cluster.global_cluster_identifier} has no primary cluster.")
    begin_role_change(global_cluster, primary, target, data_loss=data_loss)
    return ActionResult({"GlobalCluster": global_cluster})


def failover_global_cluster(self: Any) -> Any:
    allow_data_loss, switchover = self.params.get("AllowDataLoss"), self.params.get("Switchover")
    if allow_data_loss is not None and switchover is not None:
        raise rds_error("InvalidParameterCombination", "AllowDataLoss and Switchover can't be specified together.")
    return _role_change(self, data_loss=bool(allow_data_loss))


def switchover_global_cluster(self: Any) -> Any:
    return _role_change(self, data_loss=False)


def patches() -> list[Patch]:
    from moto.rds.responses import RDSResponse

    return [
        Addition(RDSResponse, "failover_global_cluster", failover_global_cluster),
        Addition(RDSResponse, "switchover_global_cluster", switchover_global_cluster),
    ]
