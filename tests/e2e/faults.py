"""Faults injected into a live local deployment through boto3, one per ``verify`` row of a production feature:
each turns its feature off the way an operator (or an accident) would, and says how to turn it back on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from portal_ha.verify.core import instance_ids
from stacks.manifest import Manifest

Clients = Callable[[str, str], Any]
Restore = Callable[[], object]


def clients(endpoint: str) -> Clients:
    def client(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="test",
                            aws_secret_access_key="test")

    return client


@dataclass(frozen=True)
class Fault:
    """Turn a feature off in one datacenter; ``verify`` must FAIL exactly ``(rule, scope)``."""

    rule: str
    applies: Callable[[dict[str, Any]], dict[str, Any] | None]
    inject: Callable[[Clients, dict[str, Any], dict[str, Any]], Restore | None]
    """(clients, manifest, datacenter) -> how to restore it (None: left off; such a fault runs last)."""


def _first(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["datacenters"][0]


def _efs_owner(manifest: dict[str, Any]) -> dict[str, Any] | None:
    return next((dc for dc in manifest["datacenters"] if "efs_file_system_id" in dc), None)


def _replicated(manifest: dict[str, Any]) -> dict[str, Any] | None:
    owner = _efs_owner(manifest)
    return owner if owner and owner.get("efs_replication_region") else None


def _other_than_efs(manifest: dict[str, Any]) -> dict[str, Any] | None:
    owner = _efs_owner(manifest)
    return next((dc for dc in manifest["datacenters"] if owner and dc["name"] != owner["name"]), None)


def portal_instance_ids(aws: Clients, dc: dict[str, Any]) -> list[str]:
    """The datacenter's portal instances now (verify's own reading: the fixed ones, or the group's), sorted."""
    typed = Manifest.from_json({"architecture": "any", "datacenters": [dc]}).datacenters[0]
    return sorted(instance_ids(typed, aws))


def _grouped(manifest: dict[str, Any]) -> dict[str, Any] | None:
    return next((dc for dc in manifest["datacenters"] if dc.get("autoscaling_group_name")), None)


def _ec2_health_checks(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    scaling, group = aws("autoscaling", dc["region"]), dc["autoscaling_group_name"]
    scaling.update_auto_scaling_group(AutoScalingGroupName=group, HealthCheckType="EC2")
    return lambda: scaling.update_auto_scaling_group(AutoScalingGroupName=group, HealthCheckType="ELB")


def _monitoring_off(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    ec2, victim = aws("ec2", dc["region"]), portal_instance_ids(aws, dc)[0]
    ec2.unmonitor_instances(InstanceIds=[victim])
    return lambda: ec2.monitor_instances(InstanceIds=[victim])


def _first_db_instance(aws: Clients, dc: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    rds = aws("rds", dc["region"])
    cluster = rds.describe_db_clusters(DBClusterIdentifier=dc["db_cluster_identifier"])["DBClusters"][0]
    member = cluster["DBClusterMembers"][0]["DBInstanceIdentifier"]
    return rds, rds.describe_db_instances(DBInstanceIdentifier=member)["DBInstances"][0]


def _performance_insights_off(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    rds, instance = _first_db_instance(aws, dc)
    name = instance["DBInstanceIdentifier"]
    rds.modify_db_instance(DBInstanceIdentifier=name, EnablePerformanceInsights=False, ApplyImmediately=True)
    return lambda: rds.modify_db_instance(
        DBInstanceIdentifier=name, EnablePerformanceInsights=True, ApplyImmediately=True,
        PerformanceInsightsKMSKeyId=instance["PerformanceInsightsKMSKeyId"],
        PerformanceInsightsRetentionPeriod=instance["PerformanceInsightsRetentionPeriod"])


def _parameter_changed(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    rds, group = aws("rds", dc["region"]), dc["db_instance_parameter_group"]
    key, value = sorted(dc["db_instance_parameters"].items())[0]

    def set_to(v: str) -> None:
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": key, "ParameterValue": v, "ApplyMethod": "pending-reboot"}])

    set_to("1" if value != "1" else "0")
    return lambda: set_to(value)


def _backup_off(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    efs, fs = aws("efs", dc["region"]), dc["efs_file_system_id"]
    efs.put_backup_policy(FileSystemId=fs, BackupPolicy={"Status": "DISABLED"})
    return lambda: efs.put_backup_policy(FileSystemId=fs, BackupPolicy={"Status": "ENABLED"})


def _tls_policy_deleted(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    efs, fs = aws("efs", dc["region"]), dc["efs_file_system_id"]
    policy = efs.describe_file_system_policy(FileSystemId=fs)["Policy"]
    efs.delete_file_system_policy(FileSystemId=fs)
    return lambda: efs.put_file_system_policy(FileSystemId=fs, Policy=policy)


def _zone_record_deleted(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    owner = _efs_owner(manifest) or {}
    route53, zone = aws("route53", "us-east-1"), owner["efs_private_zones"][dc["name"]]
    name = owner["efs_dns_name"].rstrip(".") + "."
    record = next(r for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
                  if r["Name"] == name and r["Type"] == "A")

    def change(action: str) -> None:
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
            "Changes": [{"Action": action, "ResourceRecordSet": record}]})

    change("DELETE")
    return lambda: change("CREATE")


def _global_primary(manifest: dict[str, Any]) -> dict[str, Any] | None:
    if not manifest.get("db_global_cluster_identifier"):
        return None
    return next(dc for dc in manifest["datacenters"] if dc["name"] == manifest["primary"])


def _writer_moved(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> Restore:
    """An operator switches the global database over by hand, behind the configuration's back."""
    gid, rds = manifest["db_global_cluster_identifier"], aws("rds", dc["region"])
    other = next(d for d in manifest["datacenters"] if d["name"] != dc["name"])

    def switch_to(target: dict[str, Any]) -> None:
        arn = aws("rds", target["region"]).describe_db_clusters(
            DBClusterIdentifier=target["db_cluster_identifier"])["DBClusters"][0]["DBClusterArn"]
        rds.switchover_global_cluster(GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=arn)
        rds.describe_global_clusters(GlobalClusterIdentifier=gid)  # the emulator completes it at a describe

    switch_to(other)
    return lambda: switch_to(dc)


def _replication_deleted(aws: Clients, manifest: dict[str, Any], dc: dict[str, Any]) -> None:
    aws("efs", dc["region"]).delete_replication_configuration(SourceFileSystemId=dc["efs_file_system_id"])


FAULTS = [
    Fault("portal-group", _grouped, _ec2_health_checks),
    Fault("detailed-monitoring", _first, _monitoring_off),
    Fault("db-performance-insights", _first, _performance_insights_off),
    Fault("db-parameter-group", _first, _parameter_changed),
    Fault("db-writer", _global_primary, _writer_moved),
    Fault("efs-backup", _efs_owner, _backup_off),
    Fault("efs-tls-policy", _efs_owner, _tls_policy_deleted),
    Fault("efs-private-zone", _other_than_efs, _zone_record_deleted),
    Fault("efs-replication", _replicated, _replication_deleted),  # cannot be restored as it was: last
]
