"""HA8: EFS, databases and EBS volumes (root and data) are encrypted at rest."""

from __future__ import annotations

from ..facts import StackFacts
from ..verdict import Verdict, Violation, verdict

STORAGE_LABELS = {
    "efs": "EFS file system", "rds-cluster": "DB cluster", "rds-global-cluster": "global database",
    "ebs-root": "root volume of instance", "ebs-data": "data volume of instance", "ebs-volume": "EBS volume",
}


def evaluate(facts: StackFacts) -> Verdict:
    found = [
        Violation(s.datacenter, f"{STORAGE_LABELS.get(s.kind, s.kind)} {s.name} is not encrypted", s.path)
        for s in facts.storage if s.encrypted is not True
    ]
    found += [Violation("stack", f"global database {g.name} is not encrypted", g.path)
              for g in facts.global_databases if g.encrypted is not True]
    return verdict(found)
