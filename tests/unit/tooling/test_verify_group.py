"""verify's portal-group row on an in-process moto with the emulator's extensions: PASS for a healthy group,
one FAIL message per broken property, SKIP for fixed instances."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from portal_ha.aws import Clients
from portal_ha.emulator import extensions
from portal_ha.verify.fleet import check_portal_group
from tests.unit.tooling.manifests import complete

REGION = "eu-west-1"


@pytest.fixture
def deployed(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), extensions.applied():
        ec2, elb = boto3.client("ec2", REGION), boto3.client("elbv2", REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")
                   ["Subnet"]["SubnetId"] for i, z in enumerate("abc")]
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        template = ec2.create_launch_template(LaunchTemplateName="portal", LaunchTemplateData={"ImageId": image})
        target_group = elb.create_target_group(Name="portal", Protocol="TCP", Port=443, VpcId=vpc)[
            "TargetGroups"][0]["TargetGroupArn"]
        scaling = boto3.client("autoscaling", REGION)
        scaling.create_auto_scaling_group(
            AutoScalingGroupName="portal", MinSize=2, MaxSize=2, DesiredCapacity=2,
            VPCZoneIdentifier=",".join(subnets), HealthCheckType="ELB", HealthCheckGracePeriod=300,
            LaunchTemplate={"LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"]},
            TargetGroupARNs=[target_group])
        dc = {"name": "dc1", "region": REGION, "autoscaling_group_name": "portal", "instance_count": 2,
              "health_check_grace_seconds": 300, "target_group_arn": target_group}
        yield {"architecture": "multi-dc", "datacenters": [dc]}, scaling


def _row(manifest):
    [row] = check_portal_group(complete(manifest), Clients())
    return row


def test_a_healthy_group_passes(deployed):
    manifest, _ = deployed
    row = _row(manifest)
    assert (row.status, row.scope) == ("PASS", "dc1")
    assert row.detail.startswith("portal: 2 of 2 in service in 2 AZs, ELB health checks (grace 300 s)")


@pytest.mark.parametrize(("change", "expected"), [
    ({"HealthCheckType": "EC2"}, "health check type EC2, not ELB"),
    ({"HealthCheckGracePeriod": 30}, "health check grace period 30 s, not the configured 300 s"),
    ({"MinSize": 1, "DesiredCapacity": 1}, "min 1 / desired 1, below 2"),
])
def test_each_broken_property_fails_the_row(deployed, change, expected):
    manifest, scaling = deployed
    scaling.update_auto_scaling_group(AutoScalingGroupName="portal", **change)
    row = _row(manifest)
    assert row.status == "FAIL" and expected in row.detail


def test_a_group_out_of_its_target_group_fails(deployed):
    manifest, scaling = deployed
    scaling.detach_load_balancer_target_groups(AutoScalingGroupName="portal",
                                               TargetGroupARNs=[manifest["datacenters"][0]["target_group_arn"]])
    row = _row(manifest)
    assert row.status == "FAIL" and "not attached to the load balancer's target group" in row.detail
    assert "not healthy in the target group" in row.detail


def test_a_missing_group_fails_and_fixed_instances_skip(deployed):
    manifest, scaling = deployed
    scaling.delete_auto_scaling_group(AutoScalingGroupName="portal", ForceDelete=True)
    assert _row(manifest).detail == "no Auto Scaling group portal"
    manifest["datacenters"][0]["autoscaling_group_name"] = None
    row = _row(manifest)
    assert row.status == "SKIP" and "multi-dc.portal.auto_scaling is off" in row.detail
