"""HA2: every datacenter runs at least ``MIN_PORTAL_INSTANCES`` portal instances, in as many distinct AZs:
fixed instances, plus the ``min_size`` of each Auto Scaling group (spread evenly over its subnets' AZs)."""

from __future__ import annotations

from ...thresholds import MIN_PORTAL_INSTANCES
from ..facts import StackFacts
from ..verdict import Verdict, Violation, plural, verdict


def evaluate(facts: StackFacts) -> Verdict:
    found = []
    for dc in facts.network_datacenters:
        count = len(dc.instances) + sum(g.min_size or 0 for g in dc.groups)
        azs = {i.az for i in dc.instances if i.az is not None} | {az for g in dc.groups for az in g.azs}
        if count < MIN_PORTAL_INSTANCES or len(azs) < MIN_PORTAL_INSTANCES:
            first = dc.instances[0].path if dc.instances else dc.groups[0].path if dc.groups else dc.path
            found.append(Violation(
                dc.name, f"{plural(count, 'portal instance')} in {plural(len(azs), 'distinct AZ')}", first))
    return verdict(found)
