"""After ``portal-ha down``: prove that nothing of the stack is left in AWS (or in the emulator).

Looks: every resource named in the stack's verify manifest (when the deployment got that far) must be gone (or
terminated/deleted, where AWS keeps a tombstone); every Auto Scaling group Terraform's state held, and its
instances, too; and a sweep of the tagging API in every region of the stack and of its state must find nothing
still tagged with the stack's ``Project`` and ``Architecture`` default tags. The last two need no outputs, so
they also judge the teardown of an ``up`` that failed or was interrupted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from stacks.manifest import DatacenterManifest, Manifest

from .aws import Clients
from .json_value import JSON, obj

if TYPE_CHECKING:
    from types_boto3_resourcegroupstaggingapi.type_defs import TagFilterTypeDef

# States in which AWS (and moto) keep listing a resource that is in fact gone.
GONE_STATES = {"terminated", "shutting-down", "deleted", "deleting"}
# Automated DB backups ("rds:<cluster>-<date>") are AWS-managed and expire with their retention period; they
# are reported, never counted as resources of the stack. Final snapshots (production) are counted.
AUTOMATED_BACKUP_MARKERS = (":cluster-snapshot:rds:", ":snapshot:rds:")


def _gone(describe: Callable[[], Mapping[str, object]], key: str | None = None) -> bool:
    """True if ``describe()`` says the resource does not exist: a NotFound-style error, or an empty ``key`` list
    in its answer (with no ``key``: any answer means it exists)."""
    try:
        found = describe()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if "NotFound" in code or "NoSuch" in code or code in ("InvalidParameterValue",):
            return True
        raise
    return not (found[key] if key is not None else found)


@dataclass(frozen=True)
class Footprint:
    """Where a deployment can have left something, known with or without its outputs: the regions of the stack's
    providers and of what Terraform's state holds, and the Auto Scaling groups in that state (their instances
    carry AWS's own group tag, not the stack's default tags)."""

    architecture: str
    project: str
    regions: tuple[str, ...]
    groups: tuple[tuple[str, str], ...] = ()
    """(region, group name) of every ``aws_autoscaling_group`` in the state."""


def _region_of(arn: object) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[3] if len(parts) > 3 and parts[0] == "arn" and parts[3] else None


def footprint(architecture: str, project: str, stack_regions: list[str], state: list[dict[str, JSON]],
              manifest: Manifest | None = None) -> Footprint:
    """The footprint of a deployment from the synthesized stack's regions, the state's resources (``terraform
    show -json``) and, when there is one, the verify manifest."""
    regions = [*stack_regions, *(dc.region for dc in (manifest.datacenters if manifest is not None else ()))]
    groups = []
    for resource in state:
        values = obj(resource.get("values"))
        region = _region_of(values.get("arn"))
        if region is not None:
            regions.append(region)
        if resource.get("type") == "aws_autoscaling_group" and region is not None and values.get("name"):
            groups.append((region, str(values["name"])))
    return Footprint(architecture, project, tuple(dict.fromkeys(regions)), tuple(dict.fromkeys(groups)))


def leftovers(where: Footprint, manifest: Manifest | None, aws: Clients | None = None) -> list[str]:
    """What is still there of the deployment; empty when the teardown is complete. With the verify manifest,
    every resource it names is looked up; in any case every Auto Scaling group of the footprint and its
    instances, and a sweep of the tagging API in every region of it."""
    aws = aws or Clients()
    left: list[str] = []
    for dc in manifest.datacenters if manifest is not None else ():
        left += _named(aws, dc)
    for region, group in where.groups:
        left += _group(aws, region, group, region)
    for region in where.regions:
        left += _tagged(aws, region, where.project, where.architecture)
    glb = manifest.joined.global_lb if manifest is not None and manifest.joined is not None else None
    if glb is not None and glb.zone_id:
        route53, zone_id = aws("route53", "us-east-1"), glb.zone_id
        if not _gone(lambda: route53.get_hosted_zone(Id=zone_id)):
            left.append(f"global: hosted zone {zone_id}")
        for name, check_id in glb.health_check_ids.items():
            if not _gone(functools.partial(route53.get_health_check, HealthCheckId=check_id)):
                left.append(f"global: health check {check_id} ({name})")
    return list(dict.fromkeys(left))


def _group(aws: Clients, region: str, group: str, label: str) -> list[str]:
    """An Auto Scaling group still there, and its instances not terminated."""
    scaling, ec2 = aws("autoscaling", region), aws("ec2", region)
    left = []
    if scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]:
        left.append(f"{label}: Auto Scaling group {group}")
    reservations = ec2.describe_instances(Filters=[{"Name": "tag:aws:autoscaling:groupName", "Values": [group]}]
                                          )["Reservations"]
    return left + [f"{label}: instance {i['InstanceId']} ({i['State']['Name']})" for r in reservations
                   for i in r["Instances"] if i["State"]["Name"] not in GONE_STATES]


def _named(aws: Clients, dc: DatacenterManifest) -> list[str]:
    """What the manifest names in one datacenter and is still there."""
    region, name = dc.region, dc.name
    ec2, elb, rds, efs = aws("ec2", region), aws("elbv2", region), aws("rds", region), aws("efs", region)
    left: list[str] = []
    if dc.autoscaling_group_name:
        left += _group(aws, region, dc.autoscaling_group_name, name)
    else:
        reservations = ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": list(dc.instance_ids)}])
        left += [f"{name}: instance {i['InstanceId']} ({i['State']['Name']})"
                 for r in reservations["Reservations"] for i in r["Instances"] if i["State"]["Name"] not in GONE_STATES]
    if not _gone(lambda: ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [dc.vpc_id]}]), "Vpcs"):
        left.append(f"{name}: VPC {dc.vpc_id}")
    if not _gone(lambda: elb.describe_load_balancers(LoadBalancerArns=[dc.nlb_arn]), "LoadBalancers"):
        left.append(f"{name}: NLB {dc.nlb_arn}")
    cluster = dc.database.cluster_identifier
    if not _gone(lambda: rds.describe_db_clusters(DBClusterIdentifier=cluster), "DBClusters"):
        left.append(f"{name}: DB cluster {cluster}")
    shared = dc.file_system
    if shared is None:
        return left
    if not _gone(lambda: efs.describe_file_systems(FileSystemId=shared.file_system_id), "FileSystems"):
        left.append(f"{name}: EFS {shared.file_system_id}")
    replica, replica_region = shared.replica_file_system_id, shared.replication_region
    replicas = aws("efs", replica_region) if replica_region else efs
    if replica and replica_region and not _gone(lambda: replicas.describe_file_systems(FileSystemId=replica),
                                                "FileSystems"):
        left.append(f"{replica_region}: EFS replica {replica}")
    return left


def _stack_tags(project: str, architecture: str) -> list[TagFilterTypeDef]:
    """The stack's default tags, as a tagging API filter."""
    return [{"Key": "Project", "Values": [project]}, {"Key": "Architecture", "Values": [architecture]}]


def _tagged(aws: Clients, region: str, project: str, architecture: str) -> list[str]:
    """Resources in ``region`` still carrying the stack's default tags, tombstones excepted."""
    tagging = aws("resourcegroupstaggingapi", region)
    arns = [m["ResourceARN"] for page in tagging.get_paginator("get_resources").paginate(
            TagFilters=_stack_tags(project, architecture)) for m in page["ResourceTagMappingList"]]
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


def automated_backups(where: Footprint, aws: Clients | None = None) -> list[str]:
    """Automated DB backups still listed after teardown: AWS-managed, they expire with their retention."""
    aws = aws or Clients()
    found = []
    for region in where.regions:
        tagging = aws("resourcegroupstaggingapi", region)
        for page in tagging.get_paginator("get_resources").paginate(
                TagFilters=_stack_tags(where.project, where.architecture)):
            found += [m["ResourceARN"] for m in page["ResourceTagMappingList"]
                      if any(marker in m["ResourceARN"] for marker in AUTOMATED_BACKUP_MARKERS)]
    return found
