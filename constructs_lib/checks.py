"""HA and security rules as a cdktf Aspect, in the style of cdk-nag.

Each rule is one pure function over plain Python facts about a stack (``StackFacts``: its datacenters,
storage, ingress rules and global load-balancer entries) and returns ``Finding``s. The facts are read from
what the stack really synthesizes (``TerraformStack.to_terraform()``, escape-hatch overrides included), not
from construct props, so a rule sees a hand-made resource or an override exactly as Terraform will.

A datacenter is one AWS provider alias (the stacks give each datacenter its own aliased provider); the
HA rules about AZs, instances, DB nodes, NAT and health checks apply to the aliases that hold a VPC.

Use::

    checks = apply_ha_checks(stack)                                   # production: every rule
    apply_ha_checks(stack, waive={"HA7": "lab profile: destroy must work"})  # an explicit lab opt-out

During synthesis the aspect annotates the offending constructs: ``error`` findings make cdktf fail the synth
(``App.synth()`` raises, and the cdktf CLI prints the errors and exits non-zero). A waived rule is never
silent: the stack gets a warning naming every waived rule id and its reason, and each waived finding stays
visible as an info annotation. ``enforce_ha_checks(app)`` evaluates the same rules before synthesis and
raises ``PolicyError`` (a ``ConfigError``), for entry points that want a readable error and no jsii
traceback (and because ``CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`` turns cdktf's own failure off).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import jsii
from cdktf import Annotations, Aspects, IAspect, TerraformStack
from constructs import IConstruct

from .errors import ConfigError

Level = Literal["error", "warning"]
WORLD_CIDRS = ("0.0.0.0/0", "::/0")
ALLOWED_WORLD_PORT = 443
MAX_DETECTION_SECONDS = 30
MIN_AZS = 2
MIN_INSTANCES = 2
DB_NODES = 3
# AWS defaults when a target group's health_check block leaves them out (NLB / TCP target groups).
DEFAULT_TG_INTERVAL = 30
DEFAULT_TG_UNHEALTHY_THRESHOLD = 3


class PolicyError(ConfigError):
    """Error-level HA/security findings, raised by ``enforce_ha_checks`` before anything is synthesized."""

    def __init__(self, problems: Iterable[str]) -> None:
        super().__init__(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        self.args = (f"{len(self.problems)} HA/security check(s) failed (fix them, or waive a rule with a "
                     f"reason for a lab: apply_ha_checks(stack, waive={{'HA7': 'lab profile'}})):\n{lines}",)


# ----------------------------------------------------------------------------------------------------------
# Facts: plain data, read from a synthesized stack by ``facts_from_terraform``.
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstanceFacts:
    """One EC2 instance: where it runs and how its metadata service is set."""

    name: str
    az: str | None
    """Its availability zone (explicit, or its subnet's); None when unknown."""
    http_tokens: str | None = "required"
    http_endpoint: str | None = "enabled"
    path: str | None = None


@dataclass(frozen=True)
class DbClusterFacts:
    """One Aurora/RDS cluster and the AZs of its instances (None: an instance with no explicit AZ)."""

    name: str
    node_azs: tuple[str | None, ...]
    deletion_protection: bool | None = True
    path: str | None = None


@dataclass(frozen=True)
class TargetGroupFacts:
    """A load balancer target group's health check (None: left to the AWS default)."""

    name: str
    enabled: bool | None = True
    interval: int | None = None
    unhealthy_threshold: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class LoadBalancerFacts:
    name: str
    ref: str
    """The Terraform logical id, as other resources reference it (``aws_lb.<ref>.dns_name``)."""
    internal: bool = False
    path: str | None = None


@dataclass(frozen=True)
class DatacenterFacts:
    """What one datacenter (one provider alias) synthesizes."""

    name: str
    region: str | None = None
    has_network: bool = True
    """True when the alias holds a VPC: the HA rules about AZs, instances, DB and NAT apply."""
    azs: tuple[str, ...] = ()
    """Distinct AZs of its subnets (as written: names or Terraform expressions)."""
    nat_azs: tuple[str | None, ...] = ()
    """AZ of each NAT gateway (its subnet's)."""
    instances: tuple[InstanceFacts, ...] = ()
    db_clusters: tuple[DbClusterFacts, ...] = ()
    target_groups: tuple[TargetGroupFacts, ...] = ()
    load_balancers: tuple[LoadBalancerFacts, ...] = ()
    path: str | None = None


@dataclass(frozen=True)
class StorageFacts:
    """Something storing data at rest: an EFS, an RDS cluster, an EBS volume (root, data or standalone)."""

    kind: str
    """``efs``, ``rds-cluster``, ``rds-global-cluster``, ``ebs-root``, ``ebs-data`` or ``ebs-volume``."""
    name: str
    datacenter: str
    encrypted: bool | None
    path: str | None = None


@dataclass(frozen=True)
class IngressFacts:
    """One ingress permission: a protocol and port range from one source range."""

    datacenter: str
    cidr: str
    protocol: str
    """``tcp``, ``udp``, ``icmp``, ``-1`` (all), or a protocol number."""
    from_port: int | None
    to_port: int | None
    description: str = ""
    path: str | None = None


@dataclass(frozen=True)
class GlobalEntryFacts:
    """A global load balancer's way to a datacenter's load balancer (a Route 53 record or a GA endpoint)."""

    kind: str
    """``route53`` (an alias record) or ``global-accelerator`` (an endpoint group endpoint)."""
    target_lb: str
    """The logical id of the ``aws_lb`` it sends users to."""
    health_checked: bool
    path: str | None = None


@dataclass(frozen=True)
class GlobalDatabaseFacts:
    name: str
    deletion_protection: bool | None
    encrypted: bool | None
    path: str | None = None


@dataclass(frozen=True)
class StackFacts:
    """Everything the rules read about one stack."""

    name: str
    datacenters: tuple[DatacenterFacts, ...] = ()
    storage: tuple[StorageFacts, ...] = ()
    ingress: tuple[IngressFacts, ...] = ()
    global_entries: tuple[GlobalEntryFacts, ...] = ()
    global_databases: tuple[GlobalDatabaseFacts, ...] = ()
    launch_templates: tuple[InstanceFacts, ...] = ()
    """Launch templates' metadata options (``az`` is None), for IMDSv2."""

    @property
    def network_datacenters(self) -> tuple[DatacenterFacts, ...]:
        return tuple(dc for dc in self.datacenters if dc.has_network)


# ----------------------------------------------------------------------------------------------------------
# Rules
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One rule violation. ``str(finding)`` is the annotation text."""

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


RuleCheck = Callable[[StackFacts], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    """The rule in one line."""
    why: str
    fix: str
    level: Level
    check: RuleCheck = field(compare=False, repr=False)

    def finding(self, subject: str, detail: str, path: str | None = None) -> Finding:
        return Finding(rule_id=self.id, level=self.level, subject=subject, detail=detail, why=self.why,
                       fix=self.fix, path=path)


RULES: dict[str, Rule] = {}
"""Every rule, by id (``HA1`` ...), in order."""


def _rule(
    rule_id: str, title: str, *, why: str, fix: str, level: Level = "error"
) -> Callable[[RuleCheck], RuleCheck]:
    def register(check: RuleCheck) -> RuleCheck:
        RULES[rule_id] = Rule(rule_id, title, why, fix, level, check)
        return check

    return register


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@_rule("HA1", "Every datacenter spans at least 2 availability zones",
       why="an AZ outage must leave every datacenter serving",
       fix="DatacenterProps.az_count 2 or more (default 3)")
def ha1_datacenter_azs(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA1"]
    return [
        rule.finding(dc.name, f"subnets span {_plural(len(dc.azs), 'availability zone')}", dc.path)
        for dc in facts.network_datacenters if len(dc.azs) < MIN_AZS
    ]


@_rule("HA2", "Every datacenter runs at least 2 portal instances in distinct AZs",
       why="the seed's minimum: the load balancer needs a second instance, in another AZ, to move traffic to",
       fix="PortalFleetProps.instance_count 2 or more over a datacenter of 2 or more AZs")
def ha2_portal_instances(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA2"]
    out = []
    for dc in facts.network_datacenters:
        azs = {i.az for i in dc.instances if i.az is not None}
        if len(dc.instances) < MIN_INSTANCES or len(azs) < MIN_INSTANCES:
            out.append(rule.finding(
                dc.name,
                f"{_plural(len(dc.instances), 'portal instance')} in {_plural(len(azs), 'distinct AZ')}",
                dc.instances[0].path if dc.instances else dc.path))
    return out


@_rule("HA3", "Every datacenter has 3 DB nodes in 3 distinct AZs",
       why="Aurora needs 3 nodes in 3 AZs so that a writer failover keeps a quorum and survives an AZ outage",
       fix="DatabaseClusterProps.instance_count 3 (no allow_fewer_nodes) in a datacenter of 3 AZs")
def ha3_database_nodes(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA3"]
    dcs = facts.network_datacenters
    if not any(dc.db_clusters for dc in dcs):
        return []  # no database in this stack: nothing to place
    out = []
    for dc in dcs:
        if not dc.db_clusters:
            out.append(rule.finding(dc.name, "0 DB nodes (no database cluster in this datacenter)", dc.path))
        for cluster in dc.db_clusters:
            azs = {az for az in cluster.node_azs if az is not None}
            if len(cluster.node_azs) < DB_NODES or len(azs) < DB_NODES:
                out.append(rule.finding(
                    dc.name, f"{_plural(len(cluster.node_azs), 'DB node')} in {_plural(len(azs), 'AZ')} "
                    f"(cluster {cluster.name})", cluster.path))
    return out


@_rule("HA4", "Every AZ of a datacenter has its own NAT gateway",
       why="with a shared NAT gateway, the loss of its AZ cuts the outbound traffic (updates, SSM) of every "
           "AZ",
       fix="DatacenterProps.single_nat_gateway False (the default)", level="warning")
def ha4_nat_per_az(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA4"]
    out = []
    for dc in facts.network_datacenters:
        if not dc.instances and not dc.nat_azs:
            continue  # nothing in this network needs egress
        nat_azs = {az for az in dc.nat_azs if az is not None}
        if len(nat_azs) < len(dc.azs):
            shared = " (shared)" if dc.nat_azs else ""
            out.append(rule.finding(
                dc.name,
                f"{_plural(len(dc.nat_azs), 'NAT gateway')}{shared} for {_plural(len(dc.azs), 'AZ')}",
                dc.path))
    return out


@_rule("HA5", f"Load balancer health checks take a dead instance out within {MAX_DETECTION_SECONDS} s",
       why=f"interval x unhealthy threshold must be at most {MAX_DETECTION_SECONDS} s, or users keep hitting "
           "a dead instance",
       fix="DatacenterLoadBalancerProps.health_check_interval x unhealthy_threshold <= 30 (default 10 x 2)")
def ha5_health_check_speed(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA5"]
    out = []
    for dc in facts.network_datacenters:
        if dc.instances and not dc.target_groups:
            out.append(rule.finding(
                dc.name, "portal instances with no load balancer target group health check", dc.path))
        for tg in dc.target_groups:
            if tg.enabled is False:
                out.append(rule.finding(
                    dc.name, f"target group {tg.name} has its health check disabled", tg.path))
                continue
            interval = DEFAULT_TG_INTERVAL if tg.interval is None else tg.interval
            threshold = (DEFAULT_TG_UNHEALTHY_THRESHOLD if tg.unhealthy_threshold is None
                         else tg.unhealthy_threshold)
            if interval * threshold > MAX_DETECTION_SECONDS:
                out.append(rule.finding(
                    dc.name, f"target group {tg.name} detects a dead instance in {interval * threshold} s "
                    f"({interval} s x {threshold})", tg.path))
    return out


@_rule("HA6", "In a multi-datacenter stack, the global load balancer health-checks every datacenter",
       why="without a health check the global load balancer keeps sending users to a datacenter that is down",
       fix="GlobalLoadBalancer with an endpoint for every datacenter (Route 53 records carry health checks; "
           "Global Accelerator endpoint groups always do)")
def ha6_global_health_checks(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA6"]
    serving = [dc for dc in facts.network_datacenters if any(not lb.internal for lb in dc.load_balancers)]
    if len(serving) < 2:
        return []
    checked = {entry.target_lb for entry in facts.global_entries if entry.health_checked}
    routed = {entry.target_lb for entry in facts.global_entries}
    out = []
    for dc in serving:
        for lb in dc.load_balancers:
            if lb.internal or lb.ref in checked:
                continue
            if lb.ref in routed:
                detail = f"load balancer {lb.name} is behind the global load balancer without a health check"
            else:
                detail = f"load balancer {lb.name} is not behind a health-checked global entry"
            out.append(rule.finding(dc.name, detail, lb.path))
    return out


@_rule("HA7", "Databases have deletion protection (outside lab profiles)",
       why="one mistaken destroy or console click must not delete the portal's database",
       fix="DatabaseClusterProps/GlobalDatabaseProps.deletion_protection True (the default); labs waive HA7")
def ha7_db_deletion_protection(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA7"]
    out = [
        rule.finding(dc.name, f"DB cluster {cluster.name} has deletion protection off", cluster.path)
        for dc in facts.datacenters for cluster in dc.db_clusters if cluster.deletion_protection is not True
    ]
    out += [rule.finding("stack", f"global database {g.name} has deletion protection off", g.path)
            for g in facts.global_databases if g.deletion_protection is not True]
    return out


STORAGE_LABELS = {
    "efs": "EFS file system", "rds-cluster": "DB cluster", "rds-global-cluster": "global database",
    "ebs-root": "root volume of instance", "ebs-data": "data volume of instance", "ebs-volume": "EBS volume",
}


@_rule("HA8", "EFS, databases and EBS volumes (root and data) are encrypted at rest",
       why="data at rest (portal files, database, instance disks and their snapshots) must be unreadable "
           "outside AWS KMS",
       fix="encrypted=True on EFS, storage_encrypted=True on RDS, encrypted=True on every EBS block device")
def ha8_encryption_at_rest(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA8"]
    out = [
        rule.finding(s.datacenter, f"{STORAGE_LABELS.get(s.kind, s.kind)} {s.name} is not encrypted", s.path)
        for s in facts.storage if s.encrypted is not True
    ]
    out += [rule.finding("stack", f"global database {g.name} is not encrypted", g.path)
            for g in facts.global_databases if g.encrypted is not True]
    return out


@_rule("HA9", "Instances require IMDSv2",
       why="IMDSv1 answers any request from the host, so an SSRF in the portal can read the instance's "
           "credentials",
       fix="metadata_options http_tokens = required (PortalFleet sets it)")
def ha9_imdsv2(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA9"]
    out = []
    for dc in facts.datacenters:
        for i in dc.instances:
            if i.http_tokens != "required" and i.http_endpoint != "disabled":
                out.append(rule.finding(
                    dc.name, f"instance {i.name} allows IMDSv1 (http_tokens {i.http_tokens!r})", i.path))
    for t in facts.launch_templates:
        if t.http_tokens != "required" and t.http_endpoint != "disabled":
            out.append(rule.finding(
                "stack", f"launch template {t.name} allows IMDSv1 (http_tokens {t.http_tokens!r})", t.path))
    return out


def _port_range(rule: IngressFacts) -> str:
    if rule.protocol in ("-1", "all"):
        return "all traffic"
    if rule.from_port == rule.to_port:
        return f"{rule.protocol} {rule.from_port}"
    return f"{rule.protocol} {rule.from_port}-{rule.to_port}"


@_rule("HA10", "Nothing but TCP 443 is open to the world",
       why="every other port open to 0.0.0.0/0 or ::/0 bypasses the design's only entry point (the NLB on "
           "443)",
       fix="ingress from the internet on TCP 443 only; SSH stays closed (SSM Session Manager); other ports "
           "only from security groups or private ranges")
def ha10_world_ingress(facts: StackFacts) -> list[Finding]:
    rule = RULES["HA10"]
    out = []
    for r in facts.ingress:
        if r.cidr not in WORLD_CIDRS:
            continue
        https_only = r.from_port == ALLOWED_WORLD_PORT and r.to_port == ALLOWED_WORLD_PORT
        if r.protocol in ("tcp", "6") and https_only:
            continue
        out.append(rule.finding(r.datacenter, f"{_port_range(r)} is open to {r.cidr}"
                                + (f" ({r.description})" if r.description else ""), r.path))
    return out


def run_rules(facts: StackFacts, waive: Mapping[str, str] | None = None) -> list[Finding]:
    """Every rule over ``facts``. Findings of waived rules are kept, marked with the waiver's reason."""
    waive = dict(waive or {})
    findings: list[Finding] = []
    for rule in RULES.values():
        for finding in rule.check(facts):
            findings.append(replace(finding, waived=waive[rule.id]) if rule.id in waive else finding)
    return findings


def check_waivers(waive: Mapping[str, str]) -> None:
    """A waiver names known rule ids, each with a reason; else ConfigError."""
    problems = []
    for rule_id, reason in dict(waive).items():
        if rule_id not in RULES:
            problems.append(f"ha_checks.waive {rule_id!r} is not a rule id: use one of {', '.join(RULES)}")
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(f"ha_checks.waive[{rule_id}] has no reason: say why the rule does not apply (for "
                            "example 'lab profile: destroy must work')")
    if problems:
        raise ConfigError(problems)


# ----------------------------------------------------------------------------------------------------------
# Facts from a synthesized stack (the cdk.tf.json document): pure, no jsii.
# ----------------------------------------------------------------------------------------------------------

_REF = re.compile(r"^\$\{(?P<type>[a-z0-9_]+)\.(?P<name>[A-Za-z0-9_-]+)\.(?P<attr>[a-z0-9_]+)\}$")


def _ref(value: Any, rtype: str | tuple[str, ...]) -> str | None:
    """The logical id in a plain reference ``${<rtype>.<id>.<attr>}``, else None."""
    if not isinstance(value, str):
        return None
    match = _REF.match(value)
    types = (rtype,) if isinstance(rtype, str) else rtype
    return match.group("name") if match and match.group("type") in types else None


def _block(value: Any) -> dict[str, Any]:
    """A nested block, which cdktf writes as an object or a one-element list."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _path(config: dict[str, Any]) -> str | None:
    path = _block(config.get("//")).get("metadata", {}).get("path")
    return path if isinstance(path, str) else None


def _name(config: dict[str, Any], logical_id: str, *keys: str) -> str:
    for key in keys:
        value = config.get(key)
        if isinstance(value, str) and value and "${" not in value:
            return value
    tags = config.get("tags")
    name = tags.get("Name") if isinstance(tags, dict) else None
    if isinstance(name, str) and "${" not in name:
        return name
    return logical_id


def facts_from_terraform(doc: Mapping[str, Any], stack_name: str = "stack") -> StackFacts:
    """Read ``StackFacts`` from a synthesized stack (``stack.to_terraform()`` or a parsed ``cdk.tf.json``)."""
    resources: Mapping[str, Mapping[str, dict[str, Any]]] = doc.get("resource", {}) or {}

    def of(rtype: str) -> dict[str, dict[str, Any]]:
        return dict(resources.get(rtype, {}) or {})

    regions: dict[str, str | None] = {}
    for provider in _blocks((doc.get("provider") or {}).get("aws")):
        regions[provider.get("alias") or "default"] = provider.get("region")

    def dc_of(config: dict[str, Any]) -> str:
        provider = config.get("provider")
        if isinstance(provider, str) and provider.startswith("aws."):
            return provider[len("aws."):]
        return "default"

    subnet_az = {lid: c.get("availability_zone") for lid, c in of("aws_subnet").items()}

    def az_via_subnet(config: dict[str, Any]) -> str | None:
        az = config.get("availability_zone")
        if isinstance(az, str):
            return az
        subnet = _ref(config.get("subnet_id"), "aws_subnet")
        return subnet_az.get(subnet) if subnet else None

    names: set[str] = set(regions)
    per_dc: dict[str, dict[str, list[Any]]] = {}

    def bucket(dc: str) -> dict[str, list[Any]]:
        names.add(dc)
        return per_dc.setdefault(dc, {k: [] for k in ("vpc", "azs", "nat", "inst", "db", "tg", "lb")})

    for lid, c in of("aws_vpc").items():
        bucket(dc_of(c))["vpc"].append(_path(c))
    for lid, c in of("aws_subnet").items():
        az = c.get("availability_zone")
        if isinstance(az, str):
            bucket(dc_of(c))["azs"].append(az)
    for lid, c in of("aws_nat_gateway").items():
        bucket(dc_of(c))["nat"].append(az_via_subnet(c))

    storage: list[StorageFacts] = []
    for lid, c in of("aws_instance").items():
        dc = dc_of(c)
        name = _name(c, lid)
        metadata = _block(c.get("metadata_options"))
        bucket(dc)["inst"].append(InstanceFacts(
            name=name, az=az_via_subnet(c), http_tokens=metadata.get("http_tokens"),
            http_endpoint=metadata.get("http_endpoint"), path=_path(c)))
        root = _block(c.get("root_block_device"))
        storage.append(StorageFacts("ebs-root", name, dc, _bool(root.get("encrypted")), _path(c)))
        for device in _blocks(c.get("ebs_block_device")):
            label = f"{name} {device.get('device_name', '')}".strip()
            storage.append(StorageFacts("ebs-data", label, dc, _bool(device.get("encrypted")), _path(c)))

    launch_templates = []
    for lid, c in of("aws_launch_template").items():
        metadata = _block(c.get("metadata_options"))
        launch_templates.append(InstanceFacts(
            name=_name(c, lid, "name"), az=None, http_tokens=metadata.get("http_tokens"),
            http_endpoint=metadata.get("http_endpoint"), path=_path(c)))
        for mapping in _blocks(c.get("block_device_mappings")):
            ebs = _block(mapping.get("ebs"))
            if ebs:
                label = f"{_name(c, lid, 'name')} {mapping.get('device_name', '')}"
                encrypted = _bool(ebs.get("encrypted"))
                storage.append(StorageFacts("ebs-volume", label, dc_of(c), encrypted, _path(c)))

    node_azs: dict[str, list[str | None]] = {}
    for lid, c in of("aws_rds_cluster_instance").items():
        cluster = _ref(c.get("cluster_identifier"), "aws_rds_cluster")
        if cluster is not None:
            az = c.get("availability_zone")
            node_azs.setdefault(cluster, []).append(az if isinstance(az, str) else None)
    for lid, c in of("aws_rds_cluster").items():
        dc = dc_of(c)
        name = _name(c, lid, "cluster_identifier")
        bucket(dc)["db"].append(DbClusterFacts(
            name=name, node_azs=tuple(node_azs.get(lid, ())),
            deletion_protection=_bool(c.get("deletion_protection")), path=_path(c)))
        storage.append(StorageFacts("rds-cluster", name, dc, _bool(c.get("storage_encrypted")), _path(c)))

    global_databases = []
    for lid, c in of("aws_rds_global_cluster").items():
        encrypted = _bool(c.get("storage_encrypted"))
        if encrypted is None and c.get("source_db_cluster_identifier"):
            encrypted = True  # a global cluster made from a cluster inherits its (checked) encryption
        global_databases.append(GlobalDatabaseFacts(
            name=_name(c, lid, "global_cluster_identifier"),
            deletion_protection=_bool(c.get("deletion_protection")), encrypted=encrypted, path=_path(c)))

    for lid, c in of("aws_efs_file_system").items():
        storage.append(StorageFacts(
            "efs", _name(c, lid, "creation_token"), dc_of(c), _bool(c.get("encrypted")), _path(c)))
    for lid, c in of("aws_ebs_volume").items():
        storage.append(StorageFacts(
            "ebs-volume", _name(c, lid), dc_of(c), _bool(c.get("encrypted")), _path(c)))

    for rtype in ("aws_lb_target_group", "aws_alb_target_group"):
        for lid, c in of(rtype).items():
            check = _block(c.get("health_check"))
            bucket(dc_of(c))["tg"].append(TargetGroupFacts(
                name=_name(c, lid, "name"),
                enabled=_bool(check.get("enabled")) if "enabled" in check else True,
                interval=_int(check.get("interval")),
                unhealthy_threshold=_int(check.get("unhealthy_threshold")), path=_path(c)))
    for rtype in ("aws_lb", "aws_alb"):
        for lid, c in of(rtype).items():
            bucket(dc_of(c))["lb"].append(LoadBalancerFacts(
                name=_name(c, lid, "name"), ref=lid, internal=_bool(c.get("internal")) is True,
                path=_path(c)))

    ingress: list[IngressFacts] = []
    for lid, c in of("aws_vpc_security_group_ingress_rule").items():
        for key in ("cidr_ipv4", "cidr_ipv6"):
            if isinstance(c.get(key), str):
                ingress.append(IngressFacts(
                    dc_of(c), c[key], str(c.get("ip_protocol", "")).lower(), _int(c.get("from_port")),
                    _int(c.get("to_port")), str(c.get("description", "")), _path(c)))
    for lid, c in of("aws_security_group_rule").items():
        if c.get("type") != "ingress":
            continue
        for cidr in [*(c.get("cidr_blocks") or []), *(c.get("ipv6_cidr_blocks") or [])]:
            ingress.append(IngressFacts(
                dc_of(c), cidr, str(c.get("protocol", "")).lower(), _int(c.get("from_port")),
                _int(c.get("to_port")), str(c.get("description", "")), _path(c)))
    for lid, c in of("aws_security_group").items():
        for block in _blocks(c.get("ingress")):
            for cidr in [*(block.get("cidr_blocks") or []), *(block.get("ipv6_cidr_blocks") or [])]:
                ingress.append(IngressFacts(
                    dc_of(c), cidr, str(block.get("protocol", "")).lower(), _int(block.get("from_port")),
                    _int(block.get("to_port")), str(block.get("description", "")), _path(c)))

    global_entries: list[GlobalEntryFacts] = []
    for lid, c in of("aws_route53_record").items():
        for alias in _blocks(c.get("alias")):
            target = _ref(alias.get("name"), ("aws_lb", "aws_alb"))
            if target is not None:
                global_entries.append(GlobalEntryFacts(
                    "route53", target, bool(c.get("health_check_id")), _path(c)))
    for lid, c in of("aws_globalaccelerator_endpoint_group").items():
        for endpoint in _blocks(c.get("endpoint_configuration")):
            target = _ref(endpoint.get("endpoint_id"), ("aws_lb", "aws_alb"))
            if target is not None:
                # Endpoint groups always health-check their endpoints (TCP by default).
                global_entries.append(GlobalEntryFacts("global-accelerator", target, True, _path(c)))

    datacenters = []
    for name in sorted(names):
        b = per_dc.get(name)
        if b is None:
            continue
        network_path = b["vpc"][0].rsplit("/", 1)[0] if b["vpc"] and b["vpc"][0] else None
        datacenters.append(DatacenterFacts(
            name=name, region=regions.get(name), has_network=bool(b["vpc"]),
            azs=tuple(dict.fromkeys(b["azs"])),
            nat_azs=tuple(b["nat"]), instances=tuple(b["inst"]), db_clusters=tuple(b["db"]),
            target_groups=tuple(b["tg"]), load_balancers=tuple(b["lb"]), path=network_path))
    return StackFacts(
        name=stack_name, datacenters=tuple(datacenters), storage=tuple(storage), ingress=tuple(ingress),
        global_entries=tuple(global_entries), global_databases=tuple(global_databases),
        launch_templates=tuple(launch_templates))


# ----------------------------------------------------------------------------------------------------------
# The aspect
# ----------------------------------------------------------------------------------------------------------


def _find(stack: TerraformStack, path: str | None) -> IConstruct:
    """The construct at ``path`` (a path from the app root), or the stack itself."""
    if not path:
        return stack
    prefix = stack.node.path + "/"
    if not path.startswith(prefix):
        return stack
    node: IConstruct = stack
    for part in path[len(prefix):].split("/"):
        child = node.node.try_find_child(part)
        if child is None:
            break
        node = child
    return node


@jsii.implements(IAspect)
class HaChecks:
    """The HA and security rules (``RULES``) as a cdktf Aspect: it annotates the offending constructs.

    ``waive`` maps rule ids to the reason they do not apply (a lab profile, for example). A waived rule's
    findings become info annotations, and the stack gets one warning naming every waived id and reason.
    Findings of the last evaluation are in ``findings`` (stack path -> findings).
    """

    def __init__(self, *, waive: Mapping[str, str] | None = None) -> None:
        waive = dict(waive or {})
        check_waivers(waive)
        self.waive: dict[str, str] = waive
        self.findings: dict[str, list[Finding]] = {}

    def evaluate(self, stack: TerraformStack) -> list[Finding]:
        """Run every rule on ``stack`` as it synthesizes now; annotate nothing."""
        facts = facts_from_terraform(stack.to_terraform(), stack.node.id)
        findings = run_rules(facts, self.waive)
        self.findings[stack.node.path] = findings
        return findings

    def visit(self, node: IConstruct) -> None:
        if not TerraformStack.is_stack(node):
            return
        stack: TerraformStack = node  # type: ignore[assignment]
        findings = self.evaluate(stack)
        if self.waive:
            waived = "; ".join(f"{rule_id} ({reason})" for rule_id, reason in self.waive.items())
            Annotations.of(stack).add_warning(
                f"[HA checks] waived for this stack: {waived}. Their findings are listed as info, "
                "not enforced")
        for finding in findings:
            target = Annotations.of(_find(stack, finding.path))
            if finding.waived is not None:
                target.add_info(str(finding))
            elif finding.level == "error":
                target.add_error(str(finding))
            else:
                target.add_warning(str(finding))


def apply_ha_checks(stack: TerraformStack, *, waive: Mapping[str, str] | None = None) -> HaChecks:
    """Add the HA checks to ``stack`` (they run during synthesis); ``waive``: rule id -> reason.

    Returns the aspect (its ``findings`` fill during synthesis)."""
    checks = HaChecks(waive=waive)
    Aspects.of(stack).add(checks)
    return checks


def check_stack(stack: TerraformStack, *, waive: Mapping[str, str] | None = None) -> list[Finding]:
    """Every rule's findings for ``stack`` now, without annotating it."""
    return HaChecks(waive=waive).evaluate(stack)


def _stacks(scope: IConstruct) -> list[TerraformStack]:
    if TerraformStack.is_stack(scope):
        return [scope]  # type: ignore[list-item]
    return [c for c in scope.node.find_all() if TerraformStack.is_stack(c)]  # type: ignore[misc]


def enforce_ha_checks(scope: IConstruct) -> list[Finding]:
    """Evaluate the ``HaChecks`` applied to every stack under ``scope`` (an App or a stack) now, and raise
    ``PolicyError`` listing every error that is not waived. Returns all findings when there is none.

    Call it before ``app.synth()`` in an entry point: the user then gets a readable list instead of cdktf's
    error, and the checks hold even when ``CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`` is set.
    """
    all_findings: list[Finding] = []
    errors: list[str] = []
    for stack in _stacks(scope):
        aspects = [a for node in _ancestry(stack) for a in Aspects.of(node).all if isinstance(a, HaChecks)]
        for checks in aspects:
            for finding in checks.evaluate(stack):
                all_findings.append(finding)
                if finding.level == "error" and finding.waived is None:
                    errors.append(f"{stack.node.id}: {finding}")
    if errors:
        raise PolicyError(errors)
    return all_findings


def _ancestry(node: IConstruct) -> Iterable[IConstruct]:
    return node.node.scopes
