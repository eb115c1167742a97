"""After ``portal-ha down``: prove that nothing of the stack is left in AWS (or in the emulator).

Two looks: every resource named in the stack's verify manifest must be gone (or terminated/deleted, where AWS
keeps a tombstone), and a sweep of the tagging API in each region must find nothing still tagged with the
stack's ``Project`` and ``Architecture`` default tags.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from .aws import Clients

# States in which AWS (and moto) keep listing a resource that is in fact gone.
GONE_STATES = {"terminated", "shutting-down", "deleted", "deleting"}
# Automated DB backups ("rds:<cluster>-<date>") are AWS-managed and expire with their retention period; they
# are reported, never counted as resources of the stack. Final snapshots (production) are counted.
AUTOMATED_BACKUP_MARKERS = (":cluster-snapshot:rds:", ":snapshot:rds:")


def _gone(describe: Callable[..., Any], key: str | None = None, **arguments: Any) -> bool:
    """True if ``describe(**arguments)`` says the resource does not exist: a NotFound-style error, or an empty
    ``key`` list in its answer (with no ``key``: any answer means it exists)."""
    try:
        found = describe(**arguments)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if "NotFound" in code or "NoSuch" in code or code in ("InvalidParameterValue",):
            return True
        raise
    return not (found[key] if key is not None else found)


def leftovers(manifest: dict[str, Any], project: str, aws: Clients | None = None) -> list[str]:
    """What is still there of the deployment described by ``manifest``; empty when the teardown is complete."""
    aws = aws or Clients()
    left: list[str] = []
    for dc in manifest["datacenters"]:
        region = dc["region"]
        ec2, elb, rds, efs = aws("ec2", region), aws("elbv2", region), aws("rds", region), aws("efs", region)
        group = dc.get("autoscaling_group_name")
        if group:
            # The group's instances carry AWS's own tag (the provider's default tags do not reach them).
            scaling = aws("autoscaling", region)
            if scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]:
                left.append(f"{dc['name']}: Auto Scaling group {group}")
            instance_filter = {"Name": "tag:aws:autoscaling:groupName", "Values": [group]}
        else:
            instance_filter = {"Name": "instance-id", "Values": dc["instance_ids"]}
        reservations = ec2.describe_instances(Filters=[instance_filter])["Reservations"]
        left += [f"{dc['name']}: instance {i['InstanceId']} ({i['State']['Name']})"
                 for r in reservations for i in r["Instances"] if i["State"]["Name"] not in GONE_STATES]
        if not _gone(ec2.describe_vpcs, "Vpcs", Filters=[{"Name": "vpc-id", "Values": [dc["vpc_id"]]}]):
            left.append(f"{dc['name']}: VPC {dc['vpc_id']}")
        if not _gone(elb.describe_load_balancers, "LoadBalancers", LoadBalancerArns=[dc["nlb_arn"]]):
            left.append(f"{dc['name']}: NLB {dc['nlb_arn']}")
        if "db_cluster_identifier" in dc and not _gone(rds.describe_db_clusters, "DBClusters",
                                                       DBClusterIdentifier=dc["db_cluster_identifier"]):
            left.append(f"{dc['name']}: DB cluster {dc['db_cluster_identifier']}")
        if "efs_file_system_id" in dc and not _gone(efs.describe_file_systems, "FileSystems",
                                                    FileSystemId=dc["efs_file_system_id"]):
            left.append(f"{dc['name']}: EFS {dc['efs_file_system_id']}")
        replica = dc.get("efs_replica_file_system_id")
        if replica and not _gone(aws("efs", dc["efs_replication_region"]).describe_file_systems, "FileSystems",
                                 FileSystemId=replica):
            left.append(f"{dc['efs_replication_region']}: EFS replica {replica}")
        left += _tagged(aws, region, project, manifest["architecture"])
    glb = manifest.get("global_lb") or {}
    if glb.get("zone_id"):
        route53 = aws("route53", "us-east-1")
        if not _gone(route53.get_hosted_zone, Id=glb["zone_id"]):
            left.append(f"global: hosted zone {glb['zone_id']}")
        for name, check_id in (glb.get("health_check_ids") or {}).items():
            if not _gone(route53.get_health_check, HealthCheckId=check_id):
                left.append(f"global: health check {check_id} ({name})")
    return left


def release_replicas(manifest: dict[str, Any], aws: Clients | None = None) -> list[str]:
    """Delete the file systems EFS replication left behind. Deleting a replication configuration (as
    ``terraform destroy`` does) turns its destination into an ordinary, writable file system that Terraform does
    not manage and AWS keeps (and bills). One still replicating (protection ``REPLICATING``) is left alone.
    Returns what was deleted, one line each."""
    aws = aws or Clients()
    released = []
    for dc in manifest["datacenters"]:
        replica, region = dc.get("efs_replica_file_system_id"), dc.get("efs_replication_region")
        if not replica or not region:
            continue
        efs = aws("efs", region)
        try:
            found = efs.describe_file_systems(FileSystemId=replica)["FileSystems"]
        except efs.exceptions.FileSystemNotFound:
            continue
        protection = found[0].get("FileSystemProtection", {}).get("ReplicationOverwriteProtection") if found else None
        if not found or protection == "REPLICATING":
            continue
        efs.delete_file_system(FileSystemId=replica)
        released.append(f"{region}: EFS {replica}, the former replica of {dc['efs_file_system_id']}")
    return released


def _tagged(aws: Clients, region: str, project: str, architecture: str) -> list[str]:
    """Resources in ``region`` still carrying the stack's default tags, tombstones excepted."""
    tagging = aws("resourcegroupstaggingapi", region)
    filters = [{"Key": "Project", "Values": [project]}, {"Key": "Architecture", "Values": [architecture]}]
    arns = [m["ResourceARN"] for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters)
            for m in page["ResourceTagMappingList"]]
    ec2 = aws("ec2", region)
    left = []
    for arn in arns:
        kind, _, ident = arn.split(":")[-1].partition("/")
        if kind == "instance":
            state = ec2.describe_instances(InstanceIds=[ident])["Reservations"][0]["Instances"][0]["State"]["Name"]
            if state in GONE_STATES:
                continue
        if kind == "natgateway":
            gateways = ec2.describe_nat_gateways(NatGatewayIds=[ident])["NatGateways"]
            if not gateways or gateways[0]["State"] in GONE_STATES:
                continue
        if kind == "vpc-peering-connection":
            # AWS (and moto) keep a deleted peering connection visible for a while, in state "deleted".
            peerings = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[ident])["VpcPeeringConnections"]
            if not peerings or peerings[0]["Status"]["Code"] in GONE_STATES:
                continue
        if any(marker in arn for marker in AUTOMATED_BACKUP_MARKERS):
            continue
        left.append(f"{region}: tagged {arn}")
    return left


def automated_backups(manifest: dict[str, Any], project: str, aws: Clients | None = None) -> list[str]:
    """Automated DB backups still listed after teardown: AWS-managed, they expire with their retention."""
    aws = aws or Clients()
    found = []
    for region in sorted({dc["region"] for dc in manifest["datacenters"]}):
        tagging = aws("resourcegroupstaggingapi", region)
        filters = [{"Key": "Project", "Values": [project]},
                   {"Key": "Architecture", "Values": [manifest["architecture"]]}]
        for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
            found += [m["ResourceARN"] for m in page["ResourceTagMappingList"]
                      if any(marker in m["ResourceARN"] for marker in AUTOMATED_BACKUP_MARKERS)]
    return found
