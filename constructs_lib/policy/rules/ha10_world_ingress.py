"""HA10: nothing but TCP 443 is open to the world."""

from __future__ import annotations

from ...thresholds import PORTAL_PORT, WORLD_CIDRS
from ..facts import IngressFacts, StackFacts
from ..verdict import Verdict, Violation, verdict


def _port_range(rule: IngressFacts) -> str:
    if rule.protocol in ("-1", "all"):
        return "all traffic"
    if rule.from_port == rule.to_port:
        return f"{rule.protocol} {rule.from_port}"
    return f"{rule.protocol} {rule.from_port}-{rule.to_port}"


def evaluate(facts: StackFacts) -> Verdict:
    found = []
    for rule in facts.ingress:
        if rule.cidr not in WORLD_CIDRS:
            continue
        https_only = rule.from_port == PORTAL_PORT and rule.to_port == PORTAL_PORT
        if rule.protocol in ("tcp", "6") and https_only:
            continue
        found.append(Violation(rule.datacenter, f"{_port_range(rule)} is open to {rule.cidr}"
                               + (f" ({rule.description})" if rule.description else ""), rule.path))
    return verdict(found)
