"""Rules on the portal fleet of each datacenter: instances, their hardening and monitoring, the NLB."""

from __future__ import annotations

from collections.abc import Iterator

from constructs_lib.thresholds import (
    MAX_INSTANCE_DETECTION_SECONDS,
    MIN_PORTAL_INSTANCES,
    PORTAL_PORT,
    nlb_health_check,
)
from stacks.manifest import Manifest

from ..aws import Clients
from .core import FAIL, PASS, SKIP, Result, Rules, group, instance_ids, instances, turned_off, verdict

rules = Rules()


@rules("portal-instances")
def check_portal_instances(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """``MIN_PORTAL_INSTANCES`` running portal instances per DC, in distinct AZs, in the DMZ subnets."""
    for dc in manifest.datacenters:
        found = instances(dc, aws)
        running = [i for i in found if i["State"]["Name"] == "running"]
        azs = {i["Placement"]["AvailabilityZone"] for i in running}
        outside = [i["InstanceId"] for i in running if i.get("SubnetId") not in dc.dmz_subnet_ids]
        stopped = [f"{i['InstanceId']} ({i['State']['Name']})" for i in found if i not in running]
        ok = len(running) >= MIN_PORTAL_INSTANCES and len(azs) >= MIN_PORTAL_INSTANCES and not outside
        detail = f"{len(running)} running in {len(azs)} AZ(s) ({', '.join(sorted(azs))})"
        if stopped:
            detail += f"; not running: {', '.join(stopped)}"
        if outside:
            detail += f"; outside the DMZ subnets: {', '.join(outside)}"
        yield Result("portal-instances", dc.name, PASS if ok else FAIL, detail)


@rules("portal-group")
def check_portal_group(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """The Auto Scaling group keeps ``instance_count`` (>= ``MIN_PORTAL_INSTANCES``) instances in service over
    >= ``MIN_PORTAL_INSTANCES`` AZs, replaces on ELB health checks, and every instance in service is healthy in
    the load balancer's target group."""
    for dc in manifest.datacenters:
        if not dc.autoscaling_group_name:
            yield Result("portal-group", dc.name, SKIP,
                         f"fixed instances ({manifest.architecture}.portal.auto_scaling is off)")
            continue
        found = group(dc, aws)
        if found is None:
            yield Result("portal-group", dc.name, FAIL, f"no Auto Scaling group {dc.autoscaling_group_name}")
            continue
        problems = []
        desired, wanted = found["DesiredCapacity"], max(dc.instance_count, MIN_PORTAL_INSTANCES)
        if found["MinSize"] < wanted or desired < wanted:
            problems.append(f"min {found['MinSize']} / desired {desired}, below {wanted}")
        in_service = [i for i in found["Instances"] if i["LifecycleState"] == "InService"]
        azs = {i["AvailabilityZone"] for i in in_service}
        if len(in_service) < desired:
            problems.append(f"{len(in_service)} of {desired} in service")
        if len(azs) < MIN_PORTAL_INSTANCES:
            problems.append(f"in service in {len(azs)} AZ(s)")
        if found.get("HealthCheckType") != "ELB":
            problems.append(f"health check type {found.get('HealthCheckType')}, not ELB")
        grace = dc.health_check_grace_seconds
        if grace is not None and found.get("HealthCheckGracePeriod") != grace:
            problems.append(f"health check grace period {found.get('HealthCheckGracePeriod')} s, not the "
                            f"configured {grace} s")
        if dc.target_group_arn not in found.get("TargetGroupARNs", []):
            problems.append("not attached to the load balancer's target group")
        health = {t["Target"]["Id"]: t["TargetHealth"]["State"] for t in aws("elbv2", dc.region)
                  .describe_target_health(TargetGroupArn=dc.target_group_arn)["TargetHealthDescriptions"]}
        unhealthy = [f"{i['InstanceId']} {health.get(i['InstanceId'], 'not registered')}" for i in in_service
                     if health.get(i["InstanceId"]) != "healthy"]
        if unhealthy:
            problems.append(f"not healthy in the target group: {', '.join(unhealthy)}")
        yield verdict("portal-group", dc.name, problems,
                      f"{found['AutoScalingGroupName']}: {len(in_service)} of {desired} in service in "
                      f"{len(azs)} AZs, ELB health checks (grace {found.get('HealthCheckGracePeriod')} s), "
                      "all healthy in the target group")


@rules("instance-hardening")
def check_instance_hardening(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """IMDSv2 required and no public IP on every portal instance."""
    for dc in manifest.datacenters:
        bad = []
        for i in instances(dc, aws):
            if i.get("MetadataOptions", {}).get("HttpTokens") != "required":
                bad.append(f"{i['InstanceId']} IMDSv1 allowed")
            if i.get("PublicIpAddress"):
                bad.append(f"{i['InstanceId']} has public IP {i['PublicIpAddress']}")
        yield verdict("instance-hardening", dc.name, bad, "IMDSv2 required, no public IPs")


@rules("detailed-monitoring")
def check_detailed_monitoring(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """EC2 detailed (1-minute) monitoring on every portal instance, where the stack turned it on."""
    for dc in manifest.datacenters:
        if not dc.detailed_monitoring:
            yield turned_off("detailed-monitoring", manifest, dc, "portal.detailed_monitoring")
            continue
        found = instances(dc, aws)
        off = [f"{i['InstanceId']} monitoring {i.get('Monitoring', {}).get('State')}" for i in found
               if i.get("Monitoring", {}).get("State") not in ("enabled", "pending")]
        yield verdict("detailed-monitoring", dc.name, off, f"1-minute metrics on all {len(found)} instances")


@rules("load-balancer")
def check_load_balancer(manifest: Manifest, aws: Clients) -> Iterator[Result]:
    """NLB active, of type network, a 443 listener, a TCP health check that notices a dead instance within
    ``MAX_INSTANCE_DETECTION_SECONDS`` (the HA rule HA5, checked live), every instance registered."""
    for dc in manifest.datacenters:
        elb = aws("elbv2", dc.region)
        problems = []
        lbs = elb.describe_load_balancers(LoadBalancerArns=[dc.nlb_arn])["LoadBalancers"]
        lb = lbs[0] if lbs else {}
        if lb.get("Type") != "network":
            problems.append(f"type {lb.get('Type')}")
        if lb.get("State", {}).get("Code") != "active":
            problems.append(f"state {lb.get('State', {}).get('Code')}")
        ports = {listener["Port"] for listener in elb.describe_listeners(LoadBalancerArn=dc.nlb_arn)["Listeners"]}
        if PORTAL_PORT not in ports:
            problems.append(f"no 443 listener (ports {sorted(ports)})")
        tg = elb.describe_target_groups(TargetGroupArns=[dc.target_group_arn])["TargetGroups"][0]
        interval = tg.get("HealthCheckIntervalSeconds")
        every, threshold = nlb_health_check(interval, tg.get("UnhealthyThresholdCount"))
        if tg.get("HealthCheckProtocol") != "TCP" or every * threshold > MAX_INSTANCE_DETECTION_SECONDS:
            problems.append(f"health check {tg.get('HealthCheckProtocol')} every {interval} s")
        registered = {t["Target"]["Id"] for t in
                      elb.describe_target_health(TargetGroupArn=dc.target_group_arn)["TargetHealthDescriptions"]}
        missing = sorted(set(instance_ids(dc, aws)) - registered)
        if missing:
            problems.append(f"not registered: {', '.join(missing)}")
        yield verdict("load-balancer", dc.name, problems,
                      f"active network LB, listener 443, TCP check every {interval} s "
                      f"(unhealthy after {tg.get('UnhealthyThresholdCount')}), {len(registered)} targets registered")
