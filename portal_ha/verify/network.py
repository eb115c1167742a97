"""Rules on the network: peering between datacenters, the global load balancer, the internal tier's
isolation, and security groups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from constructs_lib.errors import required
from constructs_lib.thresholds import PORTAL_PORT, SENSITIVE_PORTS, WORLD_CIDRS
from stacks.manifest import DatacenterManifest, Manifest

from ..aws import Clients

if TYPE_CHECKING:
    from types_boto3_ec2.type_defs import IpPermissionOutputTypeDef
    from types_boto3_route53 import Route53Client
    from types_boto3_route53.type_defs import ResourceRecordSetOutputTypeDef
from .core import FAIL, PASS, SKIP, Result, Rules

rules = Rules()


@rules("peering")
def check_peering(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """Peering active between each pair of datacenters, with routes to the peer in dmz and internal tables."""
    if manifest.joined is None:
        return
    for pair in manifest.joined.peering:
        a, b, pcx = manifest.datacenter(pair.requester), manifest.datacenter(pair.accepter), pair.id
        found = aws("ec2", a.region).describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])
        status = found["VpcPeeringConnections"][0]["Status"]["Code"] if found["VpcPeeringConnections"] else "missing"
        problems = [] if status == "active" else [f"{pcx} is {status}"]
        for side, peer in ((a, b), (b, a)):
            tables = [*side.dmz_route_table_ids, *side.internal_route_table_ids]
            described = aws("ec2", side.region).describe_route_tables(RouteTableIds=tables)["RouteTables"]
            for table in described:
                if not any(r.get("DestinationCidrBlock") == peer.vpc_cidr and r.get("VpcPeeringConnectionId") == pcx
                           for r in table["Routes"]):
                    problems.append(f"{table['RouteTableId']} ({side.name}) has no route to {peer.vpc_cidr}")
        yield Result("peering", f"{a.name}<->{b.name}", FAIL if problems else PASS,
                     "; ".join(problems) if problems else f"{pcx} active, routes in every dmz/internal table")


@rules("global-load-balancer")
def check_global_lb(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """A health-checked DNS record for each datacenter (route53), or GA endpoint groups."""
    if manifest.joined is None:
        return
    glb = manifest.joined.global_lb
    if glb.kind != "route53":
        yield Result("global-load-balancer", "all", SKIP, f"{glb.kind}: not checked by this version")
        return
    route53 = aws("route53", "us-east-1")
    name = required(glb.domain, "a route53 global load balancer has a domain").rstrip(".") + "."
    zone_id = required(glb.zone_id, "a route53 global load balancer has a zone")
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    by_identifier = {r.get("SetIdentifier"): r for r in records if r["Name"] == name}
    evacuated = set(glb.evacuated)
    for dc in manifest.datacenters:
        record = by_identifier.get(dc.name)
        check_id = glb.health_check_ids.get(dc.name)
        problems = []
        if dc.name in evacuated:
            yield _evacuated(manifest, dc, record, check_id, route53)
            continue
        if record is None:
            problems.append(f"no record {name} with set identifier {dc.name}")
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
        yield Result("global-load-balancer", dc.name, FAIL if problems else PASS,
                     "; ".join(problems) if problems else
                     f"record {name} ({dc.name}) with TCP 443 health check every {interval} s")


def _evacuated(manifest: Manifest, dc: DatacenterManifest, record: ResourceRecordSetOutputTypeDef | None,
               check_id: str | None, route53: Route53Client) -> Result:
    """An evacuated datacenter: SKIP when no record serves it and its health check still watches it, else FAIL."""
    key = f"{manifest.architecture}.global_lb.evacuated"
    problems = []
    if record is not None:
        problems.append(f"evacuated in the configuration ({key}) but a record still sends users to it")
    if not check_id:
        problems.append("no health check watches it")
    else:
        route53.get_health_check(HealthCheckId=check_id)
    if problems:
        return Result("global-load-balancer", dc.name, FAIL, "; ".join(problems))
    return Result("global-load-balancer", dc.name, SKIP,
                  f"evacuated ({key}): no record serves it; health check {check_id} still watches its NLB "
                  f"(portal-ha restore {manifest.architecture} {dc.name} puts it back)")


@rules("internal-isolation")
def check_internal_routes(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """Internal route tables have no route to the internet."""
    for dc in manifest.datacenters:
        tables = aws("ec2", dc.region).describe_route_tables(
            RouteTableIds=list(dc.internal_route_table_ids))["RouteTables"]
        bad = [
            f"{t['RouteTableId']}: {r.get('DestinationCidrBlock') or r.get('DestinationIpv6CidrBlock')} -> "
            f"{r.get('GatewayId') or r.get('NatGatewayId')}"
            for t in tables for r in t["Routes"]
            if (r.get("DestinationCidrBlock") in WORLD_CIDRS or r.get("DestinationIpv6CidrBlock") in WORLD_CIDRS)
        ]
        yield Result("internal-isolation", dc.name, FAIL if bad else PASS,
                     "; ".join(bad) if bad else f"{len(tables)} internal route table(s), no internet route")


def _world_open_ports(permission: IpPermissionOutputTypeDef) -> list[int]:
    world = any(r.get("CidrIp") in WORLD_CIDRS for r in permission.get("IpRanges", [])) or any(
        r.get("CidrIpv6") in WORLD_CIDRS for r in permission.get("Ipv6Ranges", []))
    if not world:
        return []
    if permission.get("IpProtocol") == "-1":
        return list(SENSITIVE_PORTS)
    low, high = permission.get("FromPort", 0), permission.get("ToPort", 65535)
    return [p for p in SENSITIVE_PORTS if low <= p <= high]


@rules("security-groups")
def check_security_groups(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """No security group in the VPC opens 22, 2049 or 3306 to the world."""
    for dc in manifest.datacenters:
        groups = aws("ec2", dc.region).describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [dc.vpc_id]}])["SecurityGroups"]
        bad = [f"{g['GroupId']} opens {port} to the world"
               for g in groups for p in g.get("IpPermissions", []) for port in _world_open_ports(p)]
        yield Result("security-groups", dc.name, FAIL if bad else PASS,
                     "; ".join(bad) if bad else f"{len(groups)} groups, none opens 22/2049/3306 to the world")
