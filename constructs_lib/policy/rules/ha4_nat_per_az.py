"""HA4: every AZ of a datacenter has its own NAT gateway (where something in the network needs egress)."""

from __future__ import annotations

from ..facts import StackFacts
from ..verdict import Verdict, Violation, plural, verdict


def evaluate(facts: StackFacts) -> Verdict:
    found = []
    for dc in facts.network_datacenters:
        if not dc.instances and not dc.groups and not dc.nat_azs:
            continue  # nothing in this network needs egress
        nat_azs = {az for az in dc.nat_azs if az is not None}
        if len(nat_azs) < len(dc.azs):
            shared = " (shared)" if dc.nat_azs else ""
            found.append(Violation(
                dc.name, f"{plural(len(dc.nat_azs), 'NAT gateway')}{shared} for {plural(len(dc.azs), 'AZ')}",
                dc.path))
    return verdict(found)
