"""HA6: in a stack of several serving datacenters, the global load balancer health-checks every one."""

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
    return verdict(found)
