"""RDS global databases (Aurora): what the emulator adds to moto 5.2, each as the RDS API reference documents it.

moto keeps every global cluster in its us-east-1 backend, whatever region is called; so does the emulator.

- Membership across regions. AWS: deleting a cluster (or RemoveFromGlobalCluster) takes it out of its global
  cluster, wherever the global cluster is homed. moto 5.2 looks for the global cluster only in the cluster's
  own region, so a secondary in another region stays a member forever, DeleteGlobalCluster then fails, and
  the AWS provider retries it for many minutes.
- CreateGlobalCluster (API_CreateGlobalCluster). ``Tags`` are kept and answered as ``TagList`` (moto 5.2 drops
  them; the AWS provider reads tags from ``TagList`` and re-adds them on every plan), and so is
  ``EngineLifecycleSupport`` when given (moto 5.2 drops it; the AWS provider reads it back); the identifier is stored
  lowercase ("stored as a lowercase string"); the ``SourceDBClusterIdentifier`` cluster (an ARN, in any region)
  becomes the primary, ``IsWriter: true`` (moto 5.2: no writer, and only us-east-1 clusters are found).
  Errors: an identifier in use -> ``GlobalClusterAlreadyExistsFault`` (moto 5.2 accepts it); unknown source ->
  ``DBClusterNotFoundFault`` (404); ``Engine`` with a source -> ``InvalidParameterCombination``; neither, or a
  source that is not an ARN -> ``InvalidParameterValue``. Inferred: a source already in a global cluster ->
  ``InvalidDBClusterStateFault``.
- CreateDBCluster with ``GlobalClusterIdentifier`` (API_CreateDBCluster): an unknown global cluster ->
  ``GlobalClusterNotFoundFault`` (404); moto 5.2 creates a standalone cluster instead (and ignores the ARN form).
- AddTagsToResource / ListTagsForResource / RemoveTagsFromResource accept the region-less global cluster ARN
  ``arn:aws:rds::ACCOUNT:global-cluster:ID`` (moto 5.2: ``InvalidParameterValue: Invalid resource name``).
  Inferred: an unknown global cluster there -> ``GlobalClusterNotFoundFault`` (404).
- DescribeGlobalClusters (API_DescribeGlobalClusters). moto 5.2 ignores ``GlobalClusterIdentifier`` and
  ``Filters`` and answers every global cluster (the AWS provider then fails with "too many results"). Here:
  the identifier (any case) selects one, unknown -> ``GlobalClusterNotFoundFault`` (404); filter ``region``
  (global clusters with a member in those regions, as documented now) and ``db-cluster-id`` (cluster ARNs, or
  identifiers of clusters in the called region, as earlier revisions documented; the AWS provider finds a
  cluster's global cluster with it). Inferred: another filter name -> ``InvalidParameterValue``.
- DeleteGlobalCluster of an unknown identifier -> ``GlobalClusterNotFoundFault`` (404; moto 5.2: HTTP 500).
- ``GlobalClusterMembers`` (API_GlobalClusterMember): every member reports ``SynchronizationStatus:
  connected``; a secondary reports ``GlobalWriteForwardingStatus`` ``enabled`` if it asked for write
  forwarding (``EnableGlobalWriteForwarding``), else ``disabled`` (moto 5.2: always ``disabled``).
- DescribeDBClusters of a secondary reports no instance with ``IsClusterWriter: true`` (a secondary is
  read-only, "demotes ... to a secondary (read-only) cluster"; inferred for the flag). moto keeps its choice of
  writer instance, which becomes the writer again when its cluster is promoted.
- Failover and switchover (the calls are in ``rds_failover``) complete on the next DescribeGlobalClusters
  call: the target becomes the primary, the former primary a secondary, ``Status`` is back to ``available``
  and ``FailoverState`` is gone. Until then the global cluster is ``failing-over`` / ``switching-over``.
"""

from __future__ import annotations

import re
from typing import Any

from .patch import Addition, Patch

GLOBAL_ARN = re.compile(r"^arn:[^:]+:rds::(?P<account>\d{12}):global-cluster:(?P<id>.+)$")
CLUSTER_ARN = re.compile(r"^arn:[^:]+:rds:(?P<region>[^:]+):(?P<account>\d{12}):cluster:(?P<id>.+)$")
AVAILABLE = "available"


def rds_error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


def global_cluster_not_found(reference: str) -> Exception:
    return rds_error("GlobalClusterNotFoundFault", f"Global cluster {reference} not found.")


def find_global_cluster(account_id: str, reference: str) -> Any:
    """The global cluster of that identifier (any case) or ARN, wherever it is kept; None if there is none."""
    from moto.rds.models import rds_backends

    arn = GLOBAL_ARN.match(reference)
    account, wanted = (arn["account"], arn["id"]) if arn else (account_id, reference)
    if account not in rds_backends:
        return None
    regions = rds_backends[account]
    for region in list(regions):
        for global_cluster in regions[region].global_clusters.values():
            if global_cluster.global_cluster_identifier == wanted.lower():
                return global_cluster
    return None


def find_cluster(account_id: str, reference: str, region: str) -> Any:
    """The DB cluster of that ARN (in its region) or identifier (in ``region``); None if there is none."""
    from moto.rds.models import rds_backends

    arn = CLUSTER_ARN.match(reference)
    account, region, wanted = (arn["account"], arn["region"], arn["id"]) if arn else (account_id, region, reference)
    if account not in rds_backends or region not in rds_backends[account]:
        return None
    clusters = rds_backends[account][region].clusters.values()
    return next((c for c in clusters if c.db_cluster_identifier == wanted.lower()), None)


def global_cluster_of(cluster: Any) -> Any:
    """The global cluster that ``cluster`` is a member of, or None."""
    reference = getattr(cluster, "global_cluster_identifier", None)
    if not reference:
        return None
    global_cluster = find_global_cluster(cluster.account_id, reference)
    return global_cluster if global_cluster is not None and cluster in global_cluster.members else None


def is_secondary(cluster: Any) -> bool:
    return global_cluster_of(cluster) is not None and not cluster.is_writer


def begin_role_change(global_cluster: Any, primary: Any, target: Any, *, data_loss: bool) -> None:
    """Start a failover (``data_loss``) or switchover from ``primary`` to ``target``; ``settle`` ends it."""
    global_cluster.status = "failing-over" if data_loss else "switching-over"
    global_cluster.failover_state = {"Status": "pending", "FromDbClusterArn": primary.db_cluster_arn,
                                     "ToDbClusterArn": target.db_cluster_arn, "IsDataLossAllowed": data_loss}
    global_cluster.portal_ha_role_change = (primary, target)


def settle(global_cluster: Any) -> None:
    """Complete a pending failover or switchover: the target is the primary, the former primary a secondary."""
    change = global_cluster.portal_ha_role_change
    if change is None:
        return
    primary, target = change
    if target in global_cluster.members:
        primary.is_writer = False
        target.is_writer = True
    global_cluster.status = AVAILABLE
    global_cluster.failover_state = None
    global_cluster.portal_ha_role_change = None


def _members(global_cluster: Any) -> list[dict[str, Any]]:
    secondaries = [m.db_cluster_arn for m in global_cluster.members if not m.is_writer]
    answered = []
    for member in global_cluster.members:
        entry: dict[str, Any] = {"DBClusterArn": member.db_cluster_arn, "IsWriter": bool(member.is_writer),
                                 "Readers": secondaries if member.is_writer else [],
                                 "SynchronizationStatus": "connected"}
        if not member.is_writer:
            forwarding = getattr(member, "_global_write_forwarding_requested", None)
            entry["GlobalWriteForwardingStatus"] = "enabled" if forwarding else "disabled"
        answered.append(entry)
    return answered


def _filtered(response: Any, global_clusters: list[Any]) -> list[Any]:
    for item in response.params.get("Filters") or []:
        name, values = item["Name"], [str(value) for value in item.get("Values") or []]
        if name == "region":
            global_clusters = [g for g in global_clusters if any(m.region in values for m in g.members)]
        elif name == "db-cluster-id":
            wanted = {value.lower() for value in values}
            global_clusters = [g for g in global_clusters if any(
                m.db_cluster_arn in values or (m.region == response.region and m.db_cluster_identifier in wanted)
                for m in g.members)]
        else:
            raise rds_error("InvalidParameterValue", f"Unrecognized filter name: {name}")
    return global_clusters


def describe_global_clusters(self: Any) -> Any:
    from moto.core.responses import ActionResult

    for global_cluster in self.global_backend.global_clusters.values():
        settle(global_cluster)
    identifier = self.params.get("GlobalClusterIdentifier")
    if identifier:
        found = find_global_cluster(self.current_account, identifier)
        if found is None:
            raise global_cluster_not_found(identifier)
        global_clusters = [found]
    else:
        global_clusters = list(self.global_backend.global_clusters.values())
    return ActionResult({"GlobalClusters": _filtered(self, global_clusters)})


def _source_cluster(response: Any, reference: str) -> Any:
    from moto.rds.exceptions import DBClusterNotFoundError

    if not CLUSTER_ARN.match(reference):
        raise rds_error("InvalidParameterValue", f"SourceDBClusterIdentifier must be a DB cluster ARN: {reference}")
    source = find_cluster(response.current_account, reference, response.region)
    if source is None:
        raise DBClusterNotFoundError(reference)
    if global_cluster_of(source) is not None:
        raise rds_error("InvalidDBClusterStateFault",
                        f"DB cluster {reference} is already a member of a global cluster.")
    return source


def create_global_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.rds.models import GlobalCluster

    params = self.params
    identifier = str(params["GlobalClusterIdentifier"]).lower()
    if find_global_cluster(self.current_account, identifier) is not None:
        raise rds_error("GlobalClusterAlreadyExistsFault", f"Global cluster {identifier} already exists.")
    source, engine = None, params.get("Engine")
    if params.get("SourceDBClusterIdentifier"):
        if engine is not None:
            raise rds_error("InvalidParameterCombination",
                            "When creating global cluster from existing db cluster, value for engineName should "
                            "not be specified since it will be inherited from source cluster")
        source = _source_cluster(self, str(params["SourceDBClusterIdentifier"]))
    elif engine is None:
        raise rds_error("InvalidParameterValue",
                        "When creating standalone global cluster, value for engineName should be specified")
    global_cluster: Any = GlobalCluster(
        backend=self.global_backend, global_cluster_identifier=identifier,
        engine=source.engine if source else engine,
        engine_version=source.engine_version if source else params.get("EngineVersion"),
        storage_encrypted=source.storage_encrypted if source else params.get("StorageEncrypted"),
        deletion_protection=params.get("DeletionProtection"))
    global_cluster.tags = params.get("Tags") or []
    global_cluster.engine_lifecycle_support = params.get("EngineLifecycleSupport")
    self.global_backend.global_clusters[identifier] = global_cluster
    if source is not None:
        source.global_cluster_identifier = identifier
        source.is_writer = True
        global_cluster.members.append(source)
    return ActionResult({"GlobalCluster": global_cluster})


def _leave_global_cluster(backend: Any, cluster_identifier: str) -> None:
    cluster = backend.clusters.get(cluster_identifier)
    global_cluster = global_cluster_of(cluster) if cluster is not None else None
    if global_cluster is not None:
        global_cluster.members.remove(cluster)


def patches() -> list[Patch]:
    from moto.rds.models import DBCluster, GlobalCluster, RDSBackend
    from moto.rds.responses import RDSResponse

    own_delete = RDSBackend.delete_db_cluster
    own_remove = RDSBackend.remove_from_global_cluster
    own_create_cluster = RDSBackend.create_db_cluster
    own_delete_global = RDSBackend.delete_global_cluster
    own_for_tagging = RDSBackend._get_resource_for_tagging
    own_cluster_members = DBCluster.__dict__["db_cluster_members"]

    def delete_db_cluster(self: Any, cluster_identifier: str, snapshot_name: str | None = None) -> Any:
        cluster = self.clusters.get(cluster_identifier)
        if cluster is not None and not cluster.deletion_protection and not cluster.members:
            _leave_global_cluster(self, cluster_identifier)
        return own_delete(self, cluster_identifier=cluster_identifier, snapshot_name=snapshot_name)

    def remove_from_global_cluster(self: Any, global_cluster_identifier: str, db_cluster_identifier: str) -> Any:
        result = own_remove(self, global_cluster_identifier=global_cluster_identifier,
                            db_cluster_identifier=db_cluster_identifier)
        identifier = db_cluster_identifier.split(":")[-1]  # the provider passes the cluster ARN
        global_cluster = find_global_cluster(self.account_id, global_cluster_identifier)
        if global_cluster is None:
            return result
        for member in list(global_cluster.members):
            if identifier in (member.db_cluster_identifier, getattr(member, "db_cluster_arn", None)):
                global_cluster.members.remove(member)
        return global_cluster

    def create_db_cluster(self: Any, kwargs: Any) -> Any:
        reference = kwargs.get("global_cluster_identifier")
        if reference:
            global_cluster = find_global_cluster(self.account_id, str(reference))
            if global_cluster is None:
                raise global_cluster_not_found(str(reference))
            kwargs["global_cluster_identifier"] = global_cluster.global_cluster_identifier
        return own_create_cluster(self, kwargs=kwargs)

    def delete_global_cluster(self: Any, global_cluster_identifier: str) -> Any:
        wanted = global_cluster_identifier.lower()
        key = next((k for k, g in self.global_clusters.items() if g.global_cluster_identifier == wanted), None)
        if key is None:
            raise global_cluster_not_found(global_cluster_identifier)
        return own_delete_global(self, global_cluster_identifier=key)

    def get_resource_for_tagging(self: Any, arn: str) -> Any:
        if GLOBAL_ARN.match(arn):
            global_cluster = find_global_cluster(self.account_id, arn)
            if global_cluster is None:
                raise global_cluster_not_found(arn)
            return global_cluster
        return own_for_tagging(self, arn=arn)

    def db_cluster_members(self: Any) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = own_cluster_members.fget(self)
        if is_secondary(self):
            for member in members:
                member["IsClusterWriter"] = False
        return members

    return [
        Patch(RDSBackend, "delete_db_cluster", delete_db_cluster),
        Patch(RDSBackend, "remove_from_global_cluster", remove_from_global_cluster),
        Patch(RDSBackend, "create_db_cluster", create_db_cluster),
        Patch(RDSBackend, "delete_global_cluster", delete_global_cluster),
        Patch(RDSBackend, "_get_resource_for_tagging", get_resource_for_tagging),
        Patch(RDSResponse, "create_global_cluster", create_global_cluster),
        Patch(RDSResponse, "describe_global_clusters", describe_global_clusters),
        Patch(GlobalCluster, "global_cluster_members", property(_members)),
        Addition(GlobalCluster, "failover_state", None),
        Addition(GlobalCluster, "portal_ha_role_change", None),
        Patch(DBCluster, "db_cluster_members", property(db_cluster_members)),
    ]
