"""HA7: databases (clusters and global clusters) have deletion protection."""

from __future__ import annotations

from ..facts import StackFacts
from ..verdict import Verdict, Violation, verdict


def evaluate(facts: StackFacts) -> Verdict:
    found = [
        Violation(dc.name, f"DB cluster {cluster.name} has deletion protection off", cluster.path)
        for dc in facts.datacenters for cluster in dc.db_clusters if cluster.deletion_protection is not True
    ]
    found += [Violation("stack", f"global database {g.name} has deletion protection off", g.path)
              for g in facts.global_databases if g.deletion_protection is not True]
    return verdict(found)
