"""The HA / failover budget of an architecture (``portal-ha report``), computed from its synthesized stack.

Every figure that the configuration decides is read from ``cdk.tf.json``: health-check intervals and
thresholds, where instances and DB nodes sit, what replicates where. The figures that AWS decides (Aurora
failover, replication lag) are AWS's published ones, each row naming its source. Each row says whether it
meets the project's targets (:class:`~stacks.settings.TargetSettings`); ``--check`` fails on any miss.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

from constructs_lib.synthesized import Resource, SynthesizedStack, az_label, group_placement
from constructs_lib.thresholds import (
    GA_DEFAULT_INTERVAL_SECONDS,
    GA_DEFAULT_THRESHOLD_COUNT,
    ROUTE53_DEFAULT_FAILURE_THRESHOLD,
    ROUTE53_DEFAULT_INTERVAL_SECONDS,
    nlb_health_check,
)
from stacks.settings import TargetSettings

MEETS, MISSES, NOT_APPLICABLE = "meets", "misses", "n/a"

# AWS's published figures: the only constants in the report, each with its source.
AURORA_FAILOVER_SECONDS = 30
AURORA_FAILOVER_SOURCE = ("Aurora FAQ: with an Aurora Replica, failover typically completes within 30 s "
                          "(https://aws.amazon.com/rds/aurora/faqs/)")
AURORA_GLOBAL_RPO = "typically < 1 s"
AURORA_GLOBAL_SOURCE = ("Aurora User Guide, Aurora Global Database: storage-level replication to secondary "
                        "regions with typical lag under 1 s (https://docs.aws.amazon.com/AmazonRDS/latest/"
                        "AuroraUserGuide/aurora-global-database.html)")
EFS_REPLICATION_RPO = "15 min for most file systems"
EFS_REPLICATION_SOURCE = ("EFS User Guide, Replicating file systems: an RPO of 15 minutes for most file systems "
                          "(https://docs.aws.amazon.com/efs/latest/ug/efs-replication.html)")

ASG_REPLACEMENT_SOURCE = ("EC2 Auto Scaling User Guide, health checks: an instance no longer running is replaced "
                          "immediately, even in the grace period; others 'within a few minutes' "
                          "(https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-checks-overview.html). "
                          "AWS publishes no launch time: 'it can take a few minutes for the instance to be ready' "
                          "(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/openssh.html)")


@dataclass(frozen=True)
class Row:
    """One failure and what the configuration does about it."""

    failure: str
    scope: str
    figure: str
    target: str
    status: str
    basis: str
    """How the figure was obtained: the settings it came from, or the AWS source it cites."""
    seconds: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _by_dc(stack: SynthesizedStack, rtype: str) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {dc: [] for dc in stack.datacenters}
    for resource in stack.resources(rtype):
        found.setdefault(stack.datacenter_of(resource), []).append(resource)
    return found


def _instance_az(stack: SynthesizedStack, instance: Resource) -> str:
    subnet = stack.referenced(instance.get("subnet_id"))
    return az_label(subnet.get("availability_zone")) if subnet is not None else "unknown AZ"


def _portal_slots(stack: SynthesizedStack) -> dict[str, list[str]]:
    """The AZ of each portal instance a datacenter keeps: its fixed instances, and the ``min_size`` of each Auto
    Scaling group, which AWS spreads evenly over the group's subnets."""
    found: dict[str, list[str]] = {dc: [] for dc in stack.datacenters}
    for instance in stack.resources("aws_instance"):
        found.setdefault(stack.datacenter_of(instance), []).append(_instance_az(stack, instance))
    for group in stack.resources("aws_autoscaling_group"):
        zones = []
        for ref in group.get("vpc_zone_identifier") or []:
            subnet = stack.referenced(ref)
            zones.append(az_label(subnet.get("availability_zone")) if subnet is not None else "unknown AZ")
        found.setdefault(stack.datacenter_of(group), []).extend(
            group_placement(zones, int(group.get("min_size") or 0)))
    return found


def replacement_rows(stack: SynthesizedStack) -> list[Row]:
    """A failed portal instance replaced: by its Auto Scaling group, or by nobody (fixed instances)."""
    rows = []
    grouped = set()
    for group in stack.resources("aws_autoscaling_group"):
        dc = stack.datacenter_of(group)
        grouped.add(dc)
        grace = int(group.get("health_check_grace_period") or 0)
        elb = group.get("health_check_type") == "ELB"
        rows.append(Row(
            "instance replaced", dc, "launch time (minutes)", "automatic", MEETS if elb else MISSES,
            f"Auto Scaling group {group.get('name')} replaces an instance that stops running at once, and one "
            f"its {'NLB finds unhealthy' if elb else 'EC2 status checks find impaired (ELB health checks off)'} "
            f"after the {grace} s grace period; the NLB sends the new one traffic once it is healthy. "
            f"{ASG_REPLACEMENT_SOURCE}"))
    for dc, slots in _portal_slots(stack).items():
        if slots and dc not in grouped:
            rows.append(Row(
                "instance replaced", dc, "not replaced", "automatic", NOT_APPLICABLE,
                "fixed instances (local storage: a replacement would start with an empty data volume, the seed's "
                "trade-off); the others carry the load until an operator replaces it"))
    return rows


def instance_rows(stack: SynthesizedStack, targets: TargetSettings) -> list[Row]:
    """NLB detection of a dead portal instance: interval x unhealthy threshold, per target group."""
    rows = []
    limit = targets.instance_failover_seconds
    for dc, groups in _by_dc(stack, "aws_lb_target_group").items():
        for group in groups:
            check = group.block("health_check")
            interval, threshold = nlb_health_check(check.get("interval"), check.get("unhealthy_threshold"))
            detection = interval * threshold
            rows.append(Row(
                "instance", dc, _seconds(detection), f"<= {limit} s", MEETS if detection <= limit else MISSES,
                f"NLB {check.get('protocol', 'TCP')} health check every {interval} s, unhealthy after {threshold} "
                f"failures (target group {group.get('name')}); the NLB then stops sending new connections there",
                float(detection)))
    return rows


def az_rows(stack: SynthesizedStack, targets: TargetSettings) -> list[Row]:
    """Losing the AZ that holds the most portal instances: what each datacenter has left."""
    rows = []
    needed = targets.min_instances_for_full_load
    db_by_dc = _by_dc(stack, "aws_rds_cluster_instance")
    for dc, instances in _portal_slots(stack).items():
        if not instances:
            continue
        per_az = Counter(instances)
        worst_az, lost = per_az.most_common(1)[0]
        left = len(instances) - lost
        db_zones = Counter(az_label(n.get("availability_zone")) for n in db_by_dc.get(dc, []))
        db_left = sum(db_zones.values()) - db_zones.get(worst_az, 0)
        rows.append(Row(
            "AZ", dc, f"{left} of {len(instances)} instances left", f">= {needed} (full load)",
            MEETS if left >= needed else MISSES,
            f"instances per AZ: {', '.join(f'{az} {n}' for az, n in sorted(per_az.items()))}; losing {worst_az} "
            f"also leaves {db_left} of "
            f"{sum(db_zones.values())} DB nodes"))
    return rows


def db_writer_rows(stack: SynthesizedStack) -> list[Row]:
    """Aurora promotes a replica when the writer fails: possible only with a replica in another AZ."""
    rows = []
    members_of: dict[str, list[Resource]] = {}
    for member in stack.resources("aws_rds_cluster_instance"):
        cluster = stack.referenced(member.get("cluster_identifier"))
        if cluster is not None:
            members_of.setdefault(cluster.address, []).append(member)
    for cluster in stack.resources("aws_rds_cluster"):
        members = members_of.get(cluster.address, [])
        zones = {az_label(m.get("availability_zone")) for m in members}
        ok = len(members) >= 2 and len(zones) >= 2
        rows.append(Row(
            "DB writer", stack.datacenter_of(cluster), f"~{AURORA_FAILOVER_SECONDS} s (AWS figure)",
            "a replica in another AZ", MEETS if ok else MISSES,
            f"{cluster.get('cluster_identifier')}: {len(members)} nodes in {len(zones)} AZs. "
            f"{AURORA_FAILOVER_SOURCE}",
            float(AURORA_FAILOVER_SECONDS) if ok else None))
    return rows


def datacenter_rows(stack: SynthesizedStack, targets: TargetSettings) -> list[Row]:
    """The global load balancer noticing a dead datacenter: Route 53 or Global Accelerator health checks."""
    limit = targets.datacenter_failover_seconds
    if len(stack.datacenters) < 2:
        return [Row("datacenter", "all", "no failover", f"<= {limit} s", NOT_APPLICABLE,
                    "one datacenter: losing it is an outage (the seed's single-datacenter trade-off)")]
    rows = []
    for check in stack.resources("aws_route53_health_check"):
        interval = check.get("request_interval", ROUTE53_DEFAULT_INTERVAL_SECONDS)
        threshold = check.get("failure_threshold", ROUTE53_DEFAULT_FAILURE_THRESHOLD)
        detection = interval * threshold
        target = stack.referenced(check.get("fqdn"))
        scope = stack.datacenter_of(target) if target is not None else str(check.tag("Name"))
        rows.append(Row(
            "datacenter", scope, _seconds(detection), f"<= {limit} s", MEETS if detection <= limit else MISSES,
            f"Route 53 {check.get('type')} health check every {interval} s, unhealthy after {threshold} "
            "failures; the record then leaves DNS answers (resolvers may hold the old answer for the alias "
            "TTL of 60 s)", float(detection)))
    for group in stack.resources("aws_globalaccelerator_endpoint_group"):
        interval = group.get("health_check_interval_seconds", GA_DEFAULT_INTERVAL_SECONDS)
        threshold = group.get("threshold_count", GA_DEFAULT_THRESHOLD_COUNT)
        detection = interval * threshold
        rows.append(Row(
            "datacenter", str(group.get("endpoint_group_region")), _seconds(detection), f"<= {limit} s",
            MEETS if detection <= limit else MISSES,
            f"Global Accelerator health check every {interval} s, unhealthy after {threshold} failures; "
            "traffic moves at the anycast edge, without DNS caching", float(detection)))
    if not rows:
        rows.append(Row("datacenter", "all", "not detected", f"<= {limit} s", MISSES,
                        "no global load balancer health check in the stack"))
    return rows


def capacity_rows(stack: SynthesizedStack, targets: TargetSettings) -> list[Row]:
    """Each datacenter must carry the whole load alone (the seed)."""
    needed = targets.min_instances_for_full_load
    return [
        Row("capacity", dc, f"{len(instances)} instances", f">= {needed} (full load alone)",
            MEETS if len(instances) >= needed else MISSES,
            f"min_instances_for_full_load = {needed} (context.targets)")
        for dc, instances in _portal_slots(stack).items() if instances
    ]


def data_loss_rows(stack: SynthesizedStack) -> list[Row]:
    """What a lost region costs in data: the database and the shared files."""
    rows = []
    if stack.resources("aws_rds_global_cluster"):
        rows.append(Row("region (database)", "all", f"RPO {AURORA_GLOBAL_RPO}", "a copy in another region",
                        MEETS, f"Aurora global database across {len(stack.datacenters)} regions. "
                        f"{AURORA_GLOBAL_SOURCE}"))
    else:
        retention = ", ".join(f"{c.get('cluster_identifier')} {c.get('backup_retention_period', 1)} days"
                              for c in stack.resources("aws_rds_cluster"))
        rows.append(Row("region (database)", "all", "RPO: last backup copied out of the region, if any",
                        "a copy in another region", NOT_APPLICABLE if len(stack.datacenters) < 2 else MISSES,
                        f"no global database; automated backups stay in the region ({retention})"))
    replications = stack.resources("aws_efs_replication_configuration")
    file_systems = stack.resources("aws_efs_file_system")
    if replications:
        destinations = ", ".join(str(r.block("destination").get("region")) for r in replications)
        rows.append(Row("region (shared files)", "all", f"RPO {EFS_REPLICATION_RPO}", "a copy in another region",
                        MEETS, f"EFS replication to {destinations} (read-only until failover). "
                        f"{EFS_REPLICATION_SOURCE}"))
    elif file_systems:
        rows.append(Row("region (shared files)", "all", "all files since the last backup",
                        "a copy in another region", NOT_APPLICABLE if len(stack.datacenters) < 2 else MISSES,
                        "EFS without replication: backups stay in the region"))
    else:
        rows.append(Row("region (shared files)", "all", "uploads of the lost DC", "a copy in another region",
                        NOT_APPLICABLE, "local storage: uploads live on the instance that took them and are "
                        "not synchronised between datacenters (the seed's local-storage trade-off)"))
    return rows


def build(stack: SynthesizedStack, targets: TargetSettings) -> list[Row]:
    """Every row of the failover budget, in the order an operator reads it."""
    return [*instance_rows(stack, targets), *replacement_rows(stack), *az_rows(stack, targets), *db_writer_rows(stack),
            *datacenter_rows(stack, targets), *capacity_rows(stack, targets), *data_loss_rows(stack)]


def misses(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.status == MISSES]


def render_markdown(arch: str, rows: list[Row]) -> str:
    lines = ["| failure | scope | figure | target | status | basis |", "|---|---|---|---|---|---|"]
    for row in rows:
        status = {MEETS: "meets", MISSES: "**misses**", NOT_APPLICABLE: "n/a"}[row.status]
        basis = row.basis.replace("|", "\\|")
        lines.append(f"| {row.failure} | {row.scope} | {row.figure} | {row.target} | {status} | {basis} |")
    return "\n".join(lines) + "\n"


def render_text(arch: str, rows: list[Row]) -> str:
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("failure", "scope", "figure", "target")]
    header = ["FAILURE", "SCOPE", "FIGURE", "TARGET"]
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  STATUS"]
    for row in rows:
        cells = [row.failure, row.scope, row.figure, row.target]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + f"  {row.status}")
    found = misses(rows)
    lines.append(f"report {arch}: {sum(r.status == MEETS for r in rows)} meet, {len(found)} miss, "
                 f"{sum(r.status == NOT_APPLICABLE for r in rows)} n/a")
    return "\n".join(lines) + "\n"


def render_json(rows: list[Row]) -> str:
    return json.dumps([row.as_dict() for row in rows], indent=2)
