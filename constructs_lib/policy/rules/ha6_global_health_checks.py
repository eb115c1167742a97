"""HA6: in a stack of several serving datacenters, the global load balancer health-checks every one. An
evacuated datacenter (taken out for maintenance, ``global_lb.evacuated``) keeps its health check and is
compliant; at least one datacenter must keep serving."""

from __future__ import annotations

from ..facts import StackFacts
from ..verdict import NOT_APPLICABLE, Verdict, Violation, verdict


def evaluate(facts: StackFacts) -> Verdict:
    serving = [dc for dc in facts.network_datacenters if any(not lb.internal for lb in dc.load_balancers)]
    if len(serving) < 2:
        return NOT_APPLICABLE
    checked = {entry.target_lb for entry in facts.global_entries if entry.health_checked}
    routed = {entry.target_lb for entry in facts.global_entries}
    found = []
    for dc in serving:
        for lb in dc.load_balancers:
            if lb.internal or lb.ref in checked:
                continue
            if lb.ref in routed:
                detail = f"load balancer {lb.name} is behind the global load balancer without a health check"
            else:
                detail = f"load balancer {lb.name} is not behind a health-checked global entry"
            found.append(Violation(dc.name, detail, lb.path))
    if facts.global_entries and not any(entry.serving for entry in facts.global_entries):
        found.append(Violation("stack", "every datacenter is evacuated: the global load balancer serves no one",
                               None))
    return verdict(found)
