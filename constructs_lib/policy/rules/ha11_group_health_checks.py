"""HA11: an Auto Scaling group of portal instances registers them in a load balancer's target group and takes
its health checks (``ELB``), so that an instance that runs but no longer serves is replaced."""

from __future__ import annotations

from ..facts import StackFacts
from ..verdict import Verdict, Violation, verdict


def evaluate(facts: StackFacts) -> Verdict:
    found = []
    for dc in facts.network_datacenters:
        for group in dc.groups:
            problems = []
            if group.target_groups == 0:
                problems.append("registers its instances in no target group")
            if group.health_check_type != "ELB":
                problems.append(f"health check type {group.health_check_type or 'EC2 (the default)'}, not ELB")
            if problems:
                found.append(Violation(dc.name, f"Auto Scaling group {group.name} " + " and ".join(problems),
                                       group.path))
    return verdict(found)
