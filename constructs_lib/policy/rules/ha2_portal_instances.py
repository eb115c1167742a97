"""HA2: every datacenter runs at least ``MIN_PORTAL_INSTANCES`` portal instances, in as many distinct AZs."""

from __future__ import annotations

from ...thresholds import MIN_PORTAL_INSTANCES
from ..facts import StackFacts
from ..verdict import Verdict, Violation, plural, verdict


def evaluate(facts: StackFacts) -> Verdict:
    found = []
    for dc in facts.network_datacenters:
        azs = {i.az for i in dc.instances if i.az is not None}
        if len(dc.instances) < MIN_PORTAL_INSTANCES or len(azs) < MIN_PORTAL_INSTANCES:
            found.append(Violation(
                dc.name, f"{plural(len(dc.instances), 'portal instance')} in {plural(len(azs), 'distinct AZ')}",
                dc.instances[0].path if dc.instances else dc.path))
    return verdict(found)
