"""HA1: every datacenter spans at least ``MIN_AZS`` availability zones."""

from __future__ import annotations

from ...thresholds import MIN_AZS
from ..facts import StackFacts
from ..verdict import Verdict, Violation, plural, verdict


def evaluate(facts: StackFacts) -> Verdict:
    return verdict(
        Violation(dc.name, f"subnets span {plural(len(dc.azs), 'availability zone')}", dc.path)
        for dc in facts.network_datacenters if len(dc.azs) < MIN_AZS
    )
