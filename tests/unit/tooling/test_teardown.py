"""After ``down``: what counts as left over, with and without the deployment's outputs (in-process moto)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from portal_ha.aws import Clients
from portal_ha.teardown import footprint, leftovers

TAGS = [{"Key": "Project", "Value": "portal"}, {"Key": "Architecture", "Value": "multi-dc"}]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield Clients()


def test_the_footprint_has_the_stack_regions_and_what_the_state_holds() -> None:
    state = [
        {"type": "aws_vpc", "values": {"arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1"}},
        {"type": "aws_autoscaling_group",
         "values": {"name": "portal-dc1", "arn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"}},
        {"type": "aws_route53_zone", "values": {"arn": "arn:aws:route53:::hostedzone/Z1"}},
    ]
    where = footprint("multi-dc", "portal", ["us-east-1"], state, None)
    assert where.regions == ("us-east-1", "eu-west-1")
    assert where.groups == (("us-east-1", "portal-dc1"),)


def test_without_outputs_a_tagged_resource_and_a_group_instance_are_found(aws: Clients) -> None:
    west = boto3.client("ec2", "eu-west-1")
    vpc = west.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": TAGS}])["Vpc"]
    east = boto3.client("ec2", "us-east-1")
    image = east.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    east.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "portal-dc1"}]}])
    where = footprint("multi-dc", "portal", ["us-east-1", "eu-west-1"],
                      [{"type": "aws_autoscaling_group", "values": {
                          "name": "portal-dc1", "arn": "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x"}}])
    left = leftovers(where, None, aws)
    assert any(item.startswith("eu-west-1: tagged ") and vpc["VpcId"] in item for item in left), left
    assert any(item.startswith("us-east-1: instance i-") and "(running)" in item for item in left), left
    other = footprint("single-dc", "portal", ["eu-west-1"], [])
    assert leftovers(other, None, aws) == [], "another architecture's tags are not this one's"
