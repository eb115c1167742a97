"""``portal-ha verify``: check a live deployment against the seed's HA rules, through boto3.

It reads the stack's ``verify_manifest`` output (the ids of every HA-relevant resource) and asks AWS (or
the emulator, through ``AWS_ENDPOINT_URL``) what is really there. Each rule is one function that yields
one result per datacenter (or per pair, or once); a rule that cannot be checked says SKIP with the reason,
and is never counted as a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from constructs_lib.thresholds import (
    DB_NODES,
    MAX_INSTANCE_DETECTION_SECONDS,
    MIN_PORTAL_INSTANCES,
    PORTAL_PORT,
    SENSITIVE_PORTS,
    WORLD_CIDRS,
    nlb_health_check,
)
from stacks.architectures import ARCHITECTURES

from .aws import Clients

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass(frozen=True)
class Result:
    rule: str
    scope: str
    status: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


Rule = Callable[[dict[str, Any], Clients], Iterator[Result]]
RULES: list[tuple[str, Rule]] = []


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES.append((rule_id, func))
        return func

    return register


def _instances(dc: dict[str, Any], aws: Clients) -> list[dict[str, Any]]:
    ec2 = aws("ec2", dc["region"])
    found = ec2.describe_instances(InstanceIds=dc["instance_ids"])["Reservations"]
    return [i for r in found for i in r["Instances"]]


@rule("portal-instances")
def check_portal_instances(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """``MIN_PORTAL_INSTANCES`` running portal instances per DC, in distinct AZs, in the DMZ subnets."""
    for dc in manifest["datacenters"]:
        instances = _instances(dc, aws)
        running = [i for i in instances if i["State"]["Name"] == "running"]
        azs = {i["Placement"]["AvailabilityZone"] for i in running}
        outside = [i["InstanceId"] for i in running if i.get("SubnetId") not in dc["dmz_subnet_ids"]]
        stopped = [f"{i['InstanceId']} ({i['State']['Name']})" for i in instances if i not in running]
        ok = len(running) >= MIN_PORTAL_INSTANCES and len(azs) >= MIN_PORTAL_INSTANCES and not outside
        detail = f"{len(running)} running in {len(azs)} AZ(s) ({', '.join(sorted(azs))})"
        if stopped:
            detail += f"; not running: {', '.join(stopped)}"
        if outside:
            detail += f"; outside the DMZ subnets: {', '.join(outside)}"
        yield Result("portal-instances", dc["name"], PASS if ok else FAIL, detail)


@rule("instance-hardening")
def check_instance_hardening(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """IMDSv2 required and no public IP on every portal instance."""
    for dc in manifest["datacenters"]:
        bad = []
        for i in _instances(dc, aws):
            if i.get("MetadataOptions", {}).get("HttpTokens") != "required":
                bad.append(f"{i['InstanceId']} IMDSv1 allowed")
            if i.get("PublicIpAddress"):
                bad.append(f"{i['InstanceId']} has public IP {i['PublicIpAddress']}")
        yield Result("instance-hardening", dc["name"], FAIL if bad else PASS,
                     "; ".join(bad) if bad else "IMDSv2 required, no public IPs")


@rule("load-balancer")
def check_load_balancer(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """NLB active, of type network, a 443 listener, a TCP health check that notices a dead instance within
    ``MAX_INSTANCE_DETECTION_SECONDS`` (the HA rule HA5, checked live), every instance registered."""
    for dc in manifest["datacenters"]:
        elb = aws("elbv2", dc["region"])
        problems = []
        lbs = elb.describe_load_balancers(LoadBalancerArns=[dc["nlb_arn"]])["LoadBalancers"]
        lb = lbs[0] if lbs else {}
        if lb.get("Type") != "network":
            problems.append(f"type {lb.get('Type')}")
        if lb.get("State", {}).get("Code") != "active":
            problems.append(f"state {lb.get('State', {}).get('Code')}")
        ports = {listener["Port"] for listener in elb.describe_listeners(LoadBalancerArn=dc["nlb_arn"])["Listeners"]}
        if PORTAL_PORT not in ports:
            problems.append(f"no 443 listener (ports {sorted(ports)})")
        tg = elb.describe_target_groups(TargetGroupArns=[dc["target_group_arn"]])["TargetGroups"][0]
        interval = tg.get("HealthCheckIntervalSeconds")
        every, threshold = nlb_health_check(interval, tg.get("UnhealthyThresholdCount"))
        if tg.get("HealthCheckProtocol") != "TCP" or every * threshold > MAX_INSTANCE_DETECTION_SECONDS:
            problems.append(f"health check {tg.get('HealthCheckProtocol')} every {interval} s")
        registered = {t["Target"]["Id"] for t in
                      elb.describe_target_health(TargetGroupArn=dc["target_group_arn"])["TargetHealthDescriptions"]}
        missing = sorted(set(dc["instance_ids"]) - registered)
        if missing:
            problems.append(f"not registered: {', '.join(missing)}")
        detail = "; ".join(problems) if problems else (
            f"active network LB, listener 443, TCP check every {interval} s "
            f"(unhealthy after {tg.get('UnhealthyThresholdCount')}), {len(registered)} targets registered")
        yield Result("load-balancer", dc["name"], FAIL if problems else PASS, detail)


@rule("database")
def check_database(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """DB cluster available and encrypted, 3 members in distinct AZs; global membership for multi-DC."""
    global_members: set[str] = set()
    global_id = manifest.get("db_global_cluster_identifier")
    if global_id:
        primary_region = next(dc["region"] for dc in manifest["datacenters"] if dc["name"] == manifest["primary"])
        found = aws("rds", primary_region).describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
        global_members = {m["DBClusterArn"] for g in found for m in g.get("GlobalClusterMembers", [])}
    for dc in manifest["datacenters"]:
        rds = aws("rds", dc["region"])
        cluster = rds.describe_db_clusters(DBClusterIdentifier=dc["db_cluster_identifier"])["DBClusters"][0]
        problems = []
        if cluster.get("Status") != "available":
            problems.append(f"status {cluster.get('Status')}")
        if not cluster.get("StorageEncrypted"):
            problems.append("storage not encrypted")
        members = [m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", [])]
        azs = set()
        for member in members:
            instance = rds.describe_db_instances(DBInstanceIdentifier=member)["DBInstances"][0]
            azs.add(instance.get("AvailabilityZone"))
        if len(members) < DB_NODES or len(azs) < DB_NODES:
            problems.append(f"{len(members)} member(s) in {len(azs)} AZ(s); need {DB_NODES} in {DB_NODES}")
        if global_id and cluster["DBClusterArn"] not in global_members:
            problems.append(f"not a member of global cluster {global_id}")
        detail = "; ".join(problems) if problems else (
            f"available, encrypted, {len(members)} members in {len(azs)} AZs"
            + (f", member of global cluster {global_id}" if global_id else ""))
        yield Result("database", dc["name"], FAIL if problems else PASS, detail)


@rule("shared-file-system")
def check_file_system(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """EFS available and encrypted, with a mount target in every internal AZ (not for -local)."""
    if not ARCHITECTURES[manifest["architecture"]].shared_storage:
        yield Result("shared-file-system", "all", SKIP,
                     f"{manifest['architecture']} keeps files on each instance's own volume")
        return
    for dc in manifest["datacenters"]:
        if "efs_file_system_id" not in dc:
            continue
        efs = aws("efs", dc["region"])
        fs = efs.describe_file_systems(FileSystemId=dc["efs_file_system_id"])["FileSystems"][0]
        targets = efs.describe_mount_targets(FileSystemId=dc["efs_file_system_id"])["MountTargets"]
        covered = {t["SubnetId"] for t in targets}
        problems = []
        if fs.get("LifeCycleState") != "available":
            problems.append(f"state {fs.get('LifeCycleState')}")
        if not fs.get("Encrypted"):
            problems.append("not encrypted")
        missing = sorted(set(dc["internal_subnet_ids"]) - covered)
        if missing:
            problems.append(f"no mount target in {', '.join(missing)}")
        detail = "; ".join(problems) if problems else (
            f"available, encrypted, {len(targets)} mount targets covering every internal subnet")
        yield Result("shared-file-system", dc["name"], FAIL if problems else PASS, detail)


@rule("peering")
def check_peering(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """Peering active between each pair of datacenters, with routes to the peer in dmz and internal tables."""
    by_name = {dc["name"]: dc for dc in manifest["datacenters"]}
    for pair in manifest.get("peering_connection_ids", []):
        a, b, pcx = by_name[pair["requester"]], by_name[pair["accepter"]], pair["id"]
        found = aws("ec2", a["region"]).describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])
        status = found["VpcPeeringConnections"][0]["Status"]["Code"] if found["VpcPeeringConnections"] else "missing"
        problems = [] if status == "active" else [f"{pcx} is {status}"]
        for side, peer in ((a, b), (b, a)):
            tables = side["dmz_route_table_ids"] + side["internal_route_table_ids"]
            described = aws("ec2", side["region"]).describe_route_tables(RouteTableIds=tables)["RouteTables"]
            for table in described:
                if not any(r.get("DestinationCidrBlock") == peer["vpc_cidr"] and r.get("VpcPeeringConnectionId") == pcx
                           for r in table["Routes"]):
                    problems.append(f"{table['RouteTableId']} ({side['name']}) has no route to {peer['vpc_cidr']}")
        yield Result("peering", f"{a['name']}<->{b['name']}", FAIL if problems else PASS,
                     "; ".join(problems) if problems else f"{pcx} active, routes in every dmz/internal table")


@rule("global-load-balancer")
def check_global_lb(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """A health-checked DNS record for each datacenter (route53), or GA endpoint groups."""
    glb = manifest.get("global_lb")
    if not glb:
        return
    if glb["kind"] != "route53":
        yield Result("global-load-balancer", "all", SKIP, f"{glb['kind']}: not checked by this version")
        return
    route53 = aws("route53", "us-east-1")
    name = glb["domain"].rstrip(".") + "."
    records = route53.list_resource_record_sets(HostedZoneId=glb["zone_id"])["ResourceRecordSets"]
    by_identifier = {r.get("SetIdentifier"): r for r in records if r["Name"] == name}
    for dc in manifest["datacenters"]:
        record = by_identifier.get(dc["name"])
        check_id = glb["health_check_ids"].get(dc["name"])
        problems = []
        if record is None:
            problems.append(f"no record {name} with set identifier {dc['name']}")
        elif record.get("HealthCheckId") != check_id:
            problems.append(f"record not tied to health check {check_id}")
        interval = None
        if check_id:
            config = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]
            interval = config.get("RequestInterval")
            if config.get("Type") != "TCP" or config.get("Port") != PORTAL_PORT:
                problems.append(f"health check {config.get('Type')}:{config.get('Port')}")
        else:
            problems.append("no health check")
        yield Result("global-load-balancer", dc["name"], FAIL if problems else PASS,
                     "; ".join(problems) if problems else
                     f"record {name} ({dc['name']}) with TCP 443 health check every {interval} s")


@rule("internal-isolation")
def check_internal_routes(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """Internal route tables have no route to the internet."""
    for dc in manifest["datacenters"]:
        tables = aws("ec2", dc["region"]).describe_route_tables(
            RouteTableIds=dc["internal_route_table_ids"])["RouteTables"]
        bad = [
            f"{t['RouteTableId']}: {r.get('DestinationCidrBlock') or r.get('DestinationIpv6CidrBlock')} -> "
            f"{r.get('GatewayId') or r.get('NatGatewayId')}"
            for t in tables for r in t["Routes"]
            if (r.get("DestinationCidrBlock") in WORLD_CIDRS or r.get("DestinationIpv6CidrBlock") in WORLD_CIDRS)
        ]
        yield Result("internal-isolation", dc["name"], FAIL if bad else PASS,
                     "; ".join(bad) if bad else f"{len(tables)} internal route table(s), no internet route")


def _world_open_ports(permission: dict[str, Any]) -> list[int]:
    world = any(r.get("CidrIp") in WORLD_CIDRS for r in permission.get("IpRanges", [])) or any(
        r.get("CidrIpv6") in WORLD_CIDRS for r in permission.get("Ipv6Ranges", []))
    if not world:
        return []
    if permission.get("IpProtocol") == "-1":
        return list(SENSITIVE_PORTS)
    low, high = permission.get("FromPort", 0), permission.get("ToPort", 65535)
    return [p for p in SENSITIVE_PORTS if low <= p <= high]


@rule("security-groups")
def check_security_groups(manifest: dict[str, Any], aws: Clients) -> Iterator[Result]:
    """No security group in the VPC opens 22, 2049 or 3306 to the world."""
    for dc in manifest["datacenters"]:
        groups = aws("ec2", dc["region"]).describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [dc["vpc_id"]]}])["SecurityGroups"]
        bad = [f"{g['GroupId']} opens {port} to the world"
               for g in groups for p in g.get("IpPermissions", []) for port in _world_open_ports(p)]
        yield Result("security-groups", dc["name"], FAIL if bad else PASS,
                     "; ".join(bad) if bad else f"{len(groups)} groups, none opens 22/2049/3306 to the world")


def verify(manifest: dict[str, Any], aws: Clients | None = None) -> list[Result]:
    """Run every rule; an exception inside a rule becomes a FAIL row naming it, not a crash."""
    aws = aws or Clients()
    results: list[Result] = []
    for rule_id, func in RULES:
        try:
            results.extend(func(manifest, aws))
        except Exception as exc:  # noqa: BLE001 - a failed AWS call is a failed check
            results.append(Result(rule_id, "all", FAIL, f"{type(exc).__name__}: {exc}"))
    return results


def render_table(results: list[Result]) -> str:
    widths = [max([len(f)] + [len(getattr(r, f)) for r in results]) for f in ("rule", "scope", "status")]
    header = f"{'RULE':<{widths[0]}}  {'SCOPE':<{widths[1]}}  {'STATUS':<6}  DETAIL"
    lines = [header, "-" * len(header)]
    lines += [f"{r.rule:<{widths[0]}}  {r.scope:<{widths[1]}}  {r.status:<6}  {r.detail}" for r in results]
    counts = {s: sum(1 for r in results if r.status == s) for s in (PASS, FAIL, SKIP)}
    lines.append(f"verify: {counts[PASS]} PASS, {counts[FAIL]} FAIL, {counts[SKIP]} SKIP")
    return "\n".join(lines)

