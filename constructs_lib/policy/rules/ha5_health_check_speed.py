"""HA5: load balancer health checks take a dead instance out within ``MAX_INSTANCE_DETECTION_SECONDS``."""

from __future__ import annotations

from ...thresholds import MAX_INSTANCE_DETECTION_SECONDS, nlb_health_check
from ..facts import StackFacts
from ..verdict import Verdict, Violation, verdict


def evaluate(facts: StackFacts) -> Verdict:
    found = []
    for dc in facts.network_datacenters:
        if (dc.instances or dc.groups) and not dc.target_groups:
            found.append(Violation(dc.name, "portal instances with no load balancer target group health check",
                                   dc.path))
        for tg in dc.target_groups:
            if tg.enabled is False:
                found.append(Violation(dc.name, f"target group {tg.name} has its health check disabled", tg.path))
                continue
            interval, threshold = nlb_health_check(tg.interval, tg.unhealthy_threshold)
            if interval * threshold > MAX_INSTANCE_DETECTION_SECONDS:
                found.append(Violation(
                    dc.name, f"target group {tg.name} detects a dead instance in {interval * threshold} s "
                    f"({interval} s x {threshold})", tg.path))
    return verdict(found)
