"""The HA rule pack: each rule's id, level, title, why and fix, and the pure function that evaluates it.

Rules (``rules/``) only answer compliant / non-compliant (with violations) / not applicable; the pack turns
violations into ``Finding``s carrying the pack's metadata, and applies waivers (a waiver names a rule id and
gives a reason; the findings stay, marked waived).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from ..errors import ConfigError, Problem
from ..thresholds import MAX_INSTANCE_DETECTION_SECONDS
from .facts import StackFacts
from .rules import (
    ha1_datacenter_azs,
    ha2_portal_instances,
    ha3_database_nodes,
    ha4_nat_per_az,
    ha5_health_check_speed,
    ha6_global_health_checks,
    ha7_db_deletion_protection,
    ha8_encryption_at_rest,
    ha9_imdsv2,
    ha10_world_ingress,
    ha11_group_health_checks,
)
from .verdict import Verdict

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One rule violation with the pack's metadata. ``str(finding)`` is the annotation text."""

    rule_id: str
    level: Level
    subject: str
    """The datacenter (or ``stack``) it is about."""
    detail: str
    """What was found, in one line."""
    why: str
    fix: str
    path: str | None = None
    """Construct path of the offending resource (the annotation goes there)."""
    waived: str | None = None
    """The reason given when the rule was waived for this stack."""

    @property
    def message(self) -> str:
        return f"[{self.rule_id}] {self.subject}: {self.detail}: {self.why} (fix: {self.fix})"

    def __str__(self) -> str:
        if self.waived is not None:
            return f"{self.message} [waived: {self.waived}]"
        return self.message


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    """The rule in one line."""
    why: str
    fix: str
    level: Level
    evaluate: Callable[[StackFacts], Verdict] = field(compare=False, repr=False)

    def findings(self, facts: StackFacts) -> list[Finding]:
        """This rule's findings for ``facts`` (empty when compliant or not applicable)."""
        return [Finding(rule_id=self.id, level=self.level, subject=v.subject, detail=v.detail, why=self.why,
                        fix=self.fix, path=v.path)
                for v in self.evaluate(facts).violations]


PACK: tuple[Rule, ...] = (
    Rule("HA1", "Every datacenter spans at least 2 availability zones",
         why="an AZ outage must leave every datacenter serving",
         fix="DatacenterProps.az_count 2 or more (default 3)", level="error",
         evaluate=ha1_datacenter_azs.evaluate),
    Rule("HA2", "Every datacenter runs at least 2 portal instances in distinct AZs",
         why="the seed's minimum: the load balancer needs a second instance, in another AZ, to move traffic to",
         fix="PortalFleetProps.instance_count 2 or more over a datacenter of 2 or more AZs", level="error",
         evaluate=ha2_portal_instances.evaluate),
    Rule("HA3", "Every datacenter has 3 DB nodes in 3 distinct AZs",
         why="Aurora needs 3 nodes in 3 AZs so that a writer failover keeps a quorum and survives an AZ outage",
         fix="DatabaseClusterProps.instance_count 3 (no allow_fewer_nodes) in a datacenter of 3 AZs", level="error",
         evaluate=ha3_database_nodes.evaluate),
    Rule("HA4", "Every AZ of a datacenter has its own NAT gateway",
         why="with a shared NAT gateway, the loss of its AZ cuts the outbound traffic (updates, SSM) of every "
             "AZ",
         fix="DatacenterProps.single_nat_gateway False (the default)", level="warning",
         evaluate=ha4_nat_per_az.evaluate),
    Rule("HA5", f"Load balancer health checks take a dead instance out within {MAX_INSTANCE_DETECTION_SECONDS} s",
         why=f"interval x unhealthy threshold must be at most {MAX_INSTANCE_DETECTION_SECONDS} s, or users keep "
             "hitting a dead instance",
         fix=f"DatacenterLoadBalancerProps.health_check_interval x unhealthy_threshold <= "
             f"{MAX_INSTANCE_DETECTION_SECONDS} (default 10 x 2)", level="error",
         evaluate=ha5_health_check_speed.evaluate),
    Rule("HA6", "In a multi-datacenter stack, the global load balancer health-checks every datacenter",
         why="without a health check the global load balancer keeps sending users to a datacenter that is down",
         fix="GlobalLoadBalancer with an endpoint for every datacenter (Route 53 records carry health checks; "
             "Global Accelerator endpoint groups always do)", level="error",
         evaluate=ha6_global_health_checks.evaluate),
    Rule("HA7", "Databases have deletion protection (outside lab profiles)",
         why="one mistaken destroy or console click must not delete the portal's database",
         fix="DatabaseClusterProps/GlobalDatabaseProps.deletion_protection True (the default); labs waive HA7",
         level="error", evaluate=ha7_db_deletion_protection.evaluate),
    Rule("HA8", "EFS, databases and EBS volumes (root and data) are encrypted at rest",
         why="data at rest (portal files, database, instance disks and their snapshots) must be unreadable "
             "outside AWS KMS",
         fix="encrypted=True on EFS, storage_encrypted=True on RDS, encrypted=True on every EBS block device",
         level="error", evaluate=ha8_encryption_at_rest.evaluate),
    Rule("HA9", "Instances require IMDSv2",
         why="IMDSv1 answers any request from the host, so an SSRF in the portal can read the instance's "
             "credentials",
         fix="metadata_options http_tokens = required (PortalFleet sets it)", level="error",
         evaluate=ha9_imdsv2.evaluate),
    Rule("HA10", "Nothing but TCP 443 is open to the world",
         why="every other port open to 0.0.0.0/0 or ::/0 bypasses the design's only entry point (the NLB on "
             "443)",
         fix="ingress from the internet on TCP 443 only; SSH stays closed (SSM Session Manager); other ports "
             "only from security groups or private ranges", level="error",
         evaluate=ha10_world_ingress.evaluate),
    Rule("HA11", "Auto Scaling groups of portal instances replace what their load balancer finds unhealthy",
         why="with EC2 health checks only, an instance that runs but no longer answers on 443 stays in the group "
             "(and out of service) for good",
         fix="health_check_type ELB and the group attached to the load balancer's target group (PortalFleet "
             "does both; serve(load_balancer) attaches it)", level="error",
         evaluate=ha11_group_health_checks.evaluate),
)
RULES: dict[str, Rule] = {rule.id: rule for rule in PACK}
"""Every rule, by id (``HA1`` ...), in order."""


def run_rules(facts: StackFacts, waive: Mapping[str, str] | None = None) -> list[Finding]:
    """Every rule over ``facts``. Findings of waived rules are kept, marked with the waiver's reason."""
    waive = dict(waive or {})
    findings: list[Finding] = []
    for rule in PACK:
        for finding in rule.findings(facts):
            findings.append(replace(finding, waived=waive[rule.id]) if rule.id in waive else finding)
    return findings


def check_waivers(waive: Mapping[str, str]) -> None:
    """A waiver names known rule ids, each with a reason; else ConfigError."""
    problems: list[Problem] = []
    for rule_id, reason in dict(waive).items():
        if rule_id not in RULES:
            problems.append(Problem("ha_checks.waive", rule_id, f"is not a rule id: use one of {', '.join(RULES)}"))
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(Problem(f"ha_checks.waive[{rule_id}]", fix="has no reason: say why the rule does not "
                                    "apply (for example 'lab profile: destroy must work')"))
    if problems:
        raise ConfigError(problems)


def errors_of(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that fail a synth: error level, not waived."""
    return [f for f in findings if f.level == "error" and f.waived is None]
