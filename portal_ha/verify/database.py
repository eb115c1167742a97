"""Rules on the Aurora cluster of each datacenter: the cluster and its members, Performance Insights and the
instance parameter group on every instance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from constructs_lib.thresholds import DB_NODES
from stacks.manifest import DatacenterManifest, Manifest

from ..aws import Clients

if TYPE_CHECKING:
    from types_boto3_rds.type_defs import DBClusterTypeDef, DBInstanceTypeDef
from .core import SKIP, Result, Rules, turned_off, verdict

rules = Rules()


def _members(dc: DatacenterManifest, aws: Clients) -> tuple[DBClusterTypeDef, list[DBInstanceTypeDef]]:
    """The cluster of a datacenter and its instances, as RDS describes them."""
    rds = aws("rds", dc.region)
    cluster = rds.describe_db_clusters(DBClusterIdentifier=dc.database.cluster_identifier)["DBClusters"][0]
    members = [rds.describe_db_instances(DBInstanceIdentifier=m["DBInstanceIdentifier"])["DBInstances"][0]
               for m in cluster.get("DBClusterMembers", [])]
    return cluster, members


@rules("database")
def check_database(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """DB cluster available and encrypted, 3 members in distinct AZs; global membership for multi-DC."""
    global_members: set[str] = set()
    global_id = manifest.joined.db_global_cluster_identifier if manifest.joined is not None else None
    if global_id:
        primary_region = manifest.datacenter(manifest.primary).region
        found = aws("rds", primary_region).describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
        global_members = {m["DBClusterArn"] for g in found for m in g.get("GlobalClusterMembers", [])}
    for dc in manifest.datacenters:
        cluster, members = _members(dc, aws)
        problems = []
        if cluster.get("Status") != "available":
            problems.append(f"status {cluster.get('Status')}")
        if not cluster.get("StorageEncrypted"):
            problems.append("storage not encrypted")
        azs = {m.get("AvailabilityZone") for m in members}
        if len(members) < DB_NODES or len(azs) < DB_NODES:
            problems.append(f"{len(members)} member(s) in {len(azs)} AZ(s); need {DB_NODES} in {DB_NODES}")
        if global_id and cluster["DBClusterArn"] not in global_members:
            problems.append(f"not a member of global cluster {global_id}")
        yield verdict("database", dc.name, problems,
                      f"available, encrypted, {len(members)} members in {len(azs)} AZs"
                      + (f", member of global cluster {global_id}" if global_id else ""))


@rules("db-writer")
def check_writer(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """Multi-DC: the global database's writer is the primary datacenter's cluster (the configuration's
    ``primary``: ``portal-ha failover`` moves both), and every other member forwards writes."""
    if manifest.joined is None:
        yield Result("db-writer", "all", SKIP, "one datacenter: its cluster is the writer (no global database)")
        return
    global_id = manifest.joined.db_global_cluster_identifier
    by_arn = {_members(dc, aws)[0]["DBClusterArn"]: dc for dc in manifest.datacenters}
    primary = manifest.datacenter(manifest.primary)
    found = aws("rds", primary.region).describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
    members = [m for g in found for m in g.get("GlobalClusterMembers", [])]
    problems = []
    status = found[0].get("Status") if found else "missing"
    if status != "available":
        problems.append(f"global cluster {global_id} is {status}")
    writer = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
    if writer is None or by_arn.get(writer) is not primary:
        where = by_arn[writer].name if writer in by_arn else (writer or "none")
        problems.append(f"the writer is {where}'s cluster, but the configuration's primary is {primary.name} "
                        f"(run portal-ha failover {manifest.architecture} --to <writer>, or fail back)")
    forwarding = []
    for member in members:
        dc = by_arn.get(member["DBClusterArn"])
        if member.get("IsWriter") or dc is None:
            continue
        state = member.get("GlobalWriteForwardingStatus")
        forwarding.append(dc.name)
        if state != "enabled":
            problems.append(f"{dc.name} does not forward writes ({state})")
    yield verdict("db-writer", primary.name, problems,
                  f"writer {primary.database.cluster_identifier} in {primary.name}, global cluster available; "
                  f"{', '.join(forwarding) or 'no other member'} forward writes")


@rules("db-performance-insights")
def check_performance_insights(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """Performance Insights on every DB instance, kept as long as the stack asked, where the stack turned it on."""
    for dc in manifest.datacenters:
        wanted = dc.database.performance_insights_retention_days
        if not wanted:
            yield turned_off("db-performance-insights", manifest, dc, "database.performance_insights")
            continue
        _, members = _members(dc, aws)
        problems = []
        for m in members:
            if not m.get("PerformanceInsightsEnabled"):
                problems.append(f"{m['DBInstanceIdentifier']} has Performance Insights off")
            elif m.get("PerformanceInsightsRetentionPeriod") != wanted:
                problems.append(f"{m['DBInstanceIdentifier']} keeps it {m.get('PerformanceInsightsRetentionPeriod')} "
                                f"days, not {wanted}")
        yield verdict("db-performance-insights", dc.name, problems,
                      f"on for all {len(members)} instances, {wanted} days")


def _group_of(instance: DBInstanceTypeDef) -> tuple[str | None, str | None]:
    groups = instance.get("DBParameterGroups", [])
    if not groups:
        return None, None
    return groups[0].get("DBParameterGroupName"), groups[0].get("ParameterApplyStatus")


@rules("db-parameter-group")
def check_parameter_group(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """Every DB instance uses the stack's instance parameter group, in sync, holding the stack's values."""
    for dc in manifest.datacenters:
        group = dc.database.instance_parameter_group
        if not group:
            yield turned_off("db-parameter-group", manifest, dc, "database.instance_parameters")
            continue
        _, members = _members(dc, aws)
        problems = []
        for m in members:
            name, status = _group_of(m)
            if name != group:
                problems.append(f"{m['DBInstanceIdentifier']} uses parameter group {name}, not {group}")
            elif status not in (None, "in-sync"):
                problems.append(f"{m['DBInstanceIdentifier']}: parameter group {status}")
        pages = aws("rds", dc.region).get_paginator("describe_db_parameters").paginate(
            DBParameterGroupName=group, Source="user")
        values = {p["ParameterName"]: p.get("ParameterValue") for page in pages for p in page["Parameters"]}
        for key, wanted in sorted(dc.database.instance_parameters.items()):
            if values.get(key) != wanted:
                problems.append(f"{group}: {key} is {values.get(key)!r}, not {wanted!r}")
        yield verdict("db-parameter-group", dc.name, problems,
                      f"{group} on all {len(members)} instances, {len(dc.database.instance_parameters)} "
                      "settings as configured")
