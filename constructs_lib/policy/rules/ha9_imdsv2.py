"""HA9: instances and launch templates require IMDSv2 (or turn the metadata service off)."""

from __future__ import annotations

from ..facts import InstanceFacts, StackFacts
from ..verdict import Verdict, Violation, verdict


def _allows_imdsv1(instance: InstanceFacts) -> bool:
    return instance.http_tokens != "required" and instance.http_endpoint != "disabled"


def evaluate(facts: StackFacts) -> Verdict:
    found = [
        Violation(dc.name, f"instance {i.name} allows IMDSv1 (http_tokens {i.http_tokens!r})", i.path)
        for dc in facts.datacenters for i in dc.instances if _allows_imdsv1(i)
    ]
    found += [Violation("stack", f"launch template {t.name} allows IMDSv1 (http_tokens {t.http_tokens!r})", t.path)
              for t in facts.launch_templates if _allows_imdsv1(t)]
    return verdict(found)
