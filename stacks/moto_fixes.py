"""Corrections to moto 5.2 bugs that would otherwise make a correct local deploy hang, applied to the
emulator that ``portal-ha`` starts (``python -m stacks.moto_fixes`` runs moto's server with them).

Each fix makes moto behave as AWS documents; none of them makes a check pass that AWS would fail.

- Aurora global database membership across regions. AWS: deleting a cluster (or RemoveFromGlobalCluster)
  takes it out of its global cluster, wherever the global cluster is homed. moto 5.2 looks for the global
  cluster only in the cluster's own region, so a secondary in another region stays a member forever,
  DeleteGlobalCluster then fails, and the AWS provider retries it for many minutes.
"""

from __future__ import annotations

import sys
from typing import Any


def _global_cluster_everywhere(backend: Any, identifier: str) -> Any:
    from moto.rds.models import rds_backends

    regions = rds_backends[backend.account_id]
    for region in regions:
        found = regions[region].global_clusters.get(identifier)
        if found is not None:
            return found
    return None


def _leave_global_cluster(backend: Any, cluster_identifier: str) -> None:
    cluster = backend.clusters.get(cluster_identifier)
    if cluster is None or not cluster.global_cluster_identifier:
        return
    global_cluster = _global_cluster_everywhere(backend, cluster.global_cluster_identifier)
    if global_cluster is not None and cluster in global_cluster.members:
        global_cluster.members.remove(cluster)


def apply() -> None:
    """Patch moto's RDS backend in this process (idempotent)."""
    from moto.rds.models import RDSBackend

    if getattr(RDSBackend, "_portal_ha_fixed", False):
        return
    original_delete = RDSBackend.delete_db_cluster
    original_remove = RDSBackend.remove_from_global_cluster

    def delete_db_cluster(self: Any, cluster_identifier: str, snapshot_name: str | None = None) -> Any:
        cluster = self.clusters.get(cluster_identifier)
        if cluster is not None and not cluster.deletion_protection and not cluster.members:
            _leave_global_cluster(self, cluster_identifier)
        return original_delete(self, cluster_identifier, snapshot_name)

    def remove_from_global_cluster(self: Any, global_cluster_identifier: str, db_cluster_identifier: str) -> Any:
        result = original_remove(self, global_cluster_identifier, db_cluster_identifier)
        identifier = db_cluster_identifier.split(":")[-1]  # the provider passes the cluster ARN
        global_cluster = _global_cluster_everywhere(self, global_cluster_identifier.split(":")[-1])
        if global_cluster is None:
            return result
        for member in list(global_cluster.members):
            if identifier in (member.db_cluster_identifier, getattr(member, "db_cluster_arn", None)):
                global_cluster.members.remove(member)
        return global_cluster

    RDSBackend.delete_db_cluster = delete_db_cluster  # type: ignore[method-assign]
    RDSBackend.remove_from_global_cluster = remove_from_global_cluster  # type: ignore[method-assign]
    RDSBackend._portal_ha_fixed = True  # type: ignore[attr-defined]


def main() -> None:
    """``python -m stacks.moto_fixes [moto server args]``: moto's server with the fixes applied."""
    apply()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
