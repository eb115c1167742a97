"""HA3: every datacenter has ``DB_NODES`` database nodes in as many distinct AZs (when the stack has a DB)."""

from __future__ import annotations

from ...thresholds import DB_NODES
from ..facts import StackFacts
from ..verdict import NOT_APPLICABLE, Verdict, Violation, plural, verdict


def evaluate(facts: StackFacts) -> Verdict:
    dcs = facts.network_datacenters
    if not any(dc.db_clusters for dc in dcs):
        return NOT_APPLICABLE  # no database in this stack: nothing to place
    found = []
    for dc in dcs:
        if not dc.db_clusters:
            found.append(Violation(dc.name, "0 DB nodes (no database cluster in this datacenter)", dc.path))
        for cluster in dc.db_clusters:
            azs = {az for az in cluster.node_azs if az is not None}
            if len(cluster.node_azs) < DB_NODES or len(azs) < DB_NODES:
                found.append(Violation(
                    dc.name, f"{plural(len(cluster.node_azs), 'DB node')} in {plural(len(azs), 'AZ')} "
                    f"(cluster {cluster.name})", cluster.path))
    return verdict(found)
