"""EC2 Auto Scaling and launch-template extensions against the running emulator: what an instance gets from
its launch template, the spread over the AZs, and the health check that replaces an unhealthy instance."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from constructs_lib.portal_fleet_props import AL2023_AMI_PARAMETER

from .conftest import error_of

REGION = "eu-west-1"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")


@pytest.fixture
def fleet(aws_client):
    """A VPC with a subnet per zone, a target group, an instance profile and a launch template as PortalFleet
    makes them (IMDSv2, detailed monitoring, an encrypted gp3 root at the AMI's root device)."""
    ec2, iam, elb = aws_client("ec2", REGION), aws_client("iam", REGION), aws_client("elbv2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for i, zone in enumerate(ZONES)]
    group_id = ec2.create_security_group(GroupName="portal", Description="portal", VpcId=vpc)["GroupId"]
    iam.create_instance_profile(InstanceProfileName="portal")
    # The image PortalFleet boots, found as it finds it (its SSM parameter), not by listing every Amazon AMI.
    image_id = aws_client("ssm", REGION).get_parameter(Name=AL2023_AMI_PARAMETER)["Parameter"]["Value"]
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    template = ec2.create_launch_template(LaunchTemplateName="portal", LaunchTemplateData={
        "ImageId": image["ImageId"], "InstanceType": "m6i.large", "EbsOptimized": True,
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
        "Monitoring": {"Enabled": True}, "SecurityGroupIds": [group_id], "IamInstanceProfile": {"Name": "portal"},
        "BlockDeviceMappings": [{"DeviceName": image["RootDeviceName"],
                                 "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True}}],
        "UserData": base64.b64encode(b"#!/bin/bash\necho portal").decode(),
    })["LaunchTemplate"]
    target_group = elb.create_target_group(Name="portal", Protocol="TCP", Port=443, VpcId=vpc,
                                           TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    return {"subnets": subnets, "template": template["LaunchTemplateId"], "image": image,
            "target_group": target_group, "security_group": group_id}


def _group(aws_client, fleet, count=2, grace=300, name="portal"):
    scaling = aws_client("autoscaling", REGION)
    scaling.create_auto_scaling_group(
        AutoScalingGroupName=name, MinSize=count, MaxSize=count, DesiredCapacity=count,
        VPCZoneIdentifier=",".join(fleet["subnets"]), HealthCheckType="ELB", HealthCheckGracePeriod=grace,
        LaunchTemplate={"LaunchTemplateId": fleet["template"], "Version": "$Latest"},
        TargetGroupARNs=[fleet["target_group"]])
    return scaling


def _members(scaling, name="portal"):
    group = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    return {i["InstanceId"]: i for i in group["Instances"]}


def _described(ec2, ids):
    return {i["InstanceId"]: i for r in ec2.describe_instances(InstanceIds=list(ids))["Reservations"]
            for i in r["Instances"]}


def _registered(aws_client, fleet):
    health = aws_client("elbv2", REGION).describe_target_health(TargetGroupArn=fleet["target_group"])
    return {t["Target"]["Id"]: t["TargetHealth"]["State"] for t in health["TargetHealthDescriptions"]}


def test_a_group_instance_has_what_its_launch_template_says(aws_client, fleet):
    scaling, ec2 = _group(aws_client, fleet), aws_client("ec2", REGION)
    instances = _described(ec2, _members(scaling))
    assert len(instances) == 2
    for instance in instances.values():
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
        assert instance["Monitoring"]["State"] == "enabled"
        assert instance["IamInstanceProfile"]["Arn"].endswith(":instance-profile/portal")
        assert [g["GroupId"] for g in instance["SecurityGroups"]] == [fleet["security_group"]]
        assert instance["InstanceType"] == "m6i.large"
        devices = {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]}
        assert list(devices) == [fleet["image"]["RootDeviceName"]]  # the template's root replaced the default
        volume = ec2.describe_volumes(VolumeIds=list(devices.values()))["Volumes"][0]
        assert (volume["Size"], volume["VolumeType"], volume["Encrypted"]) == (30, "gp3", True)


def test_a_template_without_a_root_mapping_keeps_the_amis_root_volume(aws_client, fleet):
    ec2 = aws_client("ec2", REGION)
    template = ec2.create_launch_template(LaunchTemplateName="data-only", LaunchTemplateData={
        "ImageId": fleet["image"]["ImageId"],
        "BlockDeviceMappings": [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 50, "Encrypted": True}}]})
    reservation = ec2.run_instances(MinCount=1, MaxCount=1,
                                    LaunchTemplate={"LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"]})
    devices = {m["DeviceName"] for m in reservation["Instances"][0]["BlockDeviceMappings"]}
    assert devices == {fleet["image"]["RootDeviceName"], "/dev/sdf"}


def test_a_template_naming_an_unknown_instance_profile_fails_the_launch(aws_client, fleet):
    ec2 = aws_client("ec2", REGION)
    template = ec2.create_launch_template(LaunchTemplateName="no-profile", LaunchTemplateData={
        "ImageId": fleet["image"]["ImageId"], "IamInstanceProfile": {"Name": "missing"}})
    with pytest.raises(ClientError) as raised:
        ec2.run_instances(MinCount=1, MaxCount=1,
                          LaunchTemplate={"LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"]})
    assert error_of(raised)[0] == "NoSuchEntity"
    assert ec2.describe_instances()["Reservations"] == []


def test_request_parameters_override_the_template(aws_client, fleet):
    ec2 = aws_client("ec2", REGION)
    reservation = ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={"LaunchTemplateId": fleet["template"]},
                                    MetadataOptions={"HttpTokens": "optional"}, InstanceType="t3.micro")
    instance = reservation["Instances"][0]
    assert instance["MetadataOptions"]["HttpTokens"] == "optional"
    assert instance["InstanceType"] == "t3.micro"


def test_instances_spread_evenly_over_the_zones(aws_client, fleet):
    scaling = _group(aws_client, fleet, count=5)
    zones = sorted(i["AvailabilityZone"] for i in _members(scaling).values())
    assert zones == sorted([*ZONES, ZONES[0], ZONES[1]])
    subnets = {i["SubnetId"] for i in _described(aws_client("ec2", REGION), _members(scaling)).values()}
    assert subnets == set(fleet["subnets"])


@pytest.mark.parametrize("fault", ["terminate", "stop"])
def test_an_instance_that_stops_running_is_replaced_in_its_zone(aws_client, fleet, fault):
    scaling, ec2 = _group(aws_client, fleet), aws_client("ec2", REGION)
    before = _members(scaling)
    victim = sorted(before)[0]
    getattr(ec2, f"{fault}_instances")(InstanceIds=[victim])
    after = _members(scaling)
    assert victim not in after and len(after) == 2
    new = (set(after) - set(before)).pop()
    assert after[new]["AvailabilityZone"] == before[victim]["AvailabilityZone"]
    assert after[new]["LifecycleState"] == "InService"
    registered = _registered(aws_client, fleet)
    assert registered.get(new) == "healthy" and victim not in registered
    state = _described(ec2, [victim])[victim]["State"]["Name"]
    assert state in ("terminated", "shutting-down")  # the group terminates the stopped one


def test_set_instance_health_unhealthy_replaces_the_instance(aws_client, fleet):
    scaling = _group(aws_client, fleet, grace=0)
    victim = sorted(_members(scaling))[0]
    scaling.set_instance_health(InstanceId=victim, HealthStatus="Unhealthy")
    after = _members(scaling)
    assert victim not in after and len(after) == 2


def test_set_instance_health_respects_the_grace_period_unless_told_not_to(aws_client, fleet):
    scaling = _group(aws_client, fleet, grace=3600)
    victim = sorted(_members(scaling))[0]
    scaling.set_instance_health(InstanceId=victim, HealthStatus="Unhealthy")
    assert victim in _members(scaling)  # launched seconds ago: within the grace period
    scaling.set_instance_health(InstanceId=victim, HealthStatus="Unhealthy", ShouldRespectGracePeriod=False)
    assert victim not in _members(scaling)


def test_a_suspended_replace_unhealthy_process_replaces_nothing(aws_client, fleet):
    scaling, ec2 = _group(aws_client, fleet), aws_client("ec2", REGION)
    scaling.suspend_processes(AutoScalingGroupName="portal", ScalingProcesses=["ReplaceUnhealthy"])
    victim = sorted(_members(scaling))[0]
    ec2.stop_instances(InstanceIds=[victim])
    assert victim in _members(scaling)
    scaling.resume_processes(AutoScalingGroupName="portal", ScalingProcesses=["ReplaceUnhealthy"])
    assert victim not in _members(scaling)


def _new_version(ec2, fleet, instance_type="m6i.xlarge"):
    ec2.create_launch_template_version(LaunchTemplateId=fleet["template"], SourceVersion="1",
                                       LaunchTemplateData={"InstanceType": instance_type})


def _refreshes(scaling, name="portal"):
    return scaling.describe_instance_refreshes(AutoScalingGroupName=name)["InstanceRefreshes"]


def test_an_instance_refresh_replaces_every_instance_with_the_new_version(aws_client, fleet):
    scaling, ec2 = _group(aws_client, fleet, count=4), aws_client("ec2", REGION)
    before = _members(scaling)
    _new_version(ec2, fleet)
    started = scaling.start_instance_refresh(AutoScalingGroupName="portal", Strategy="Rolling",
                                             Preferences={"MinHealthyPercentage": 50})
    [refresh] = _refreshes(scaling)
    assert refresh["InstanceRefreshId"] == started["InstanceRefreshId"]
    assert (refresh["Status"], refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == ("Successful", 100, 0)
    after = _members(scaling)
    assert len(after) == 4 and not set(after) & set(before)
    assert {i["InstanceType"] for i in _described(ec2, after).values()} == {"m6i.xlarge"}
    assert sorted(i["AvailabilityZone"] for i in after.values()) == sorted(i["AvailabilityZone"]
                                                                          for i in before.values())
    assert set(_registered(aws_client, fleet)) == set(after)


def test_skip_matching_leaves_instances_of_the_current_version(aws_client, fleet):
    scaling = _group(aws_client, fleet)
    before = _members(scaling)
    scaling.start_instance_refresh(AutoScalingGroupName="portal", Preferences={"SkipMatching": True})
    assert _refreshes(scaling)[0]["Status"] == "Successful"
    assert set(_members(scaling)) == set(before)


def test_a_second_refresh_while_one_is_pending_is_refused(aws_client, fleet):
    scaling = _group(aws_client, fleet)
    scaling.start_instance_refresh(AutoScalingGroupName="portal")
    with pytest.raises(ClientError) as raised:
        scaling.start_instance_refresh(AutoScalingGroupName="portal")
    assert error_of(raised)[0] == "InstanceRefreshInProgress"


def test_cancel_a_pending_refresh_then_nothing_to_cancel(aws_client, fleet):
    scaling = _group(aws_client, fleet)
    before = _members(scaling)
    started = scaling.start_instance_refresh(AutoScalingGroupName="portal")
    assert scaling.cancel_instance_refresh(AutoScalingGroupName="portal")["InstanceRefreshId"] == \
        started["InstanceRefreshId"]
    assert _refreshes(scaling)[0]["Status"] == "Cancelled"
    assert set(_members(scaling)) == set(before)
    with pytest.raises(ClientError) as raised:
        scaling.cancel_instance_refresh(AutoScalingGroupName="portal")
    assert error_of(raised)[0] == "ActiveInstanceRefreshNotFound"


@pytest.mark.parametrize("preferences", [
    {"MinHealthyPercentage": 101},
    {"MinHealthyPercentage": 50, "MaxHealthyPercentage": 160},
    {"MinHealthyPercentage": 10, "MaxHealthyPercentage": 150},
])
def test_an_invalid_healthy_percentage_pair_is_refused(aws_client, fleet, preferences):
    scaling = _group(aws_client, fleet)
    with pytest.raises(ClientError) as raised:
        scaling.start_instance_refresh(AutoScalingGroupName="portal", Preferences=preferences)
    assert error_of(raised)[0] == "ValidationError"


def test_a_refresh_of_an_unknown_group_is_refused(aws_client, fleet):
    scaling = aws_client("autoscaling", REGION)
    with pytest.raises(ClientError) as raised:
        scaling.start_instance_refresh(AutoScalingGroupName="nope")
    assert error_of(raised)[0] == "ValidationError"


def test_grace_period_left_out_is_zero(aws_client, fleet):
    scaling = aws_client("autoscaling", REGION)
    scaling.create_auto_scaling_group(AutoScalingGroupName="bare", MinSize=1, MaxSize=1,
                                      VPCZoneIdentifier=fleet["subnets"][0],
                                      LaunchTemplate={"LaunchTemplateId": fleet["template"]})
    group = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=["bare"])["AutoScalingGroups"][0]
    assert group["HealthCheckGracePeriod"] == 0


def test_a_launch_templates_own_tags_tag_the_template_not_its_instances(aws_client):
    ec2 = aws_client("ec2", REGION)
    created = ec2.create_launch_template(
        LaunchTemplateName="tagged",
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Project", "Value": "portal"}]}],
        LaunchTemplateData={"InstanceType": "m6i.large", "TagSpecifications": [
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "portal"}]}]})["LaunchTemplate"]
    assert created["Tags"] == [{"Key": "Project", "Value": "portal"}]
    [version] = ec2.describe_launch_template_versions(LaunchTemplateId=created["LaunchTemplateId"])[
        "LaunchTemplateVersions"]
    assert version["LaunchTemplateData"]["TagSpecifications"] == [
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "portal"}]}]
    untagged = ec2.create_launch_template(
        LaunchTemplateName="only-template-tags", LaunchTemplateData={"InstanceType": "m6i.large"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Project", "Value": "portal"}]}])
    [version] = ec2.describe_launch_template_versions(
        LaunchTemplateId=untagged["LaunchTemplate"]["LaunchTemplateId"])["LaunchTemplateVersions"]
    assert "TagSpecifications" not in version["LaunchTemplateData"]


def test_capacity_reservation_preference_is_default_unless_given(aws_client, fleet):
    scaling = _group(aws_client, fleet)
    group = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=["portal"])["AutoScalingGroups"][0]
    assert group["CapacityReservationSpecification"] == {"CapacityReservationPreference": "default"}
    scaling.update_auto_scaling_group(AutoScalingGroupName="portal", CapacityReservationSpecification={
        "CapacityReservationPreference": "none"})
    group = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=["portal"])["AutoScalingGroups"][0]
    assert group["CapacityReservationSpecification"] == {"CapacityReservationPreference": "none"}


def test_a_new_template_version_keeps_its_user_data_and_inherits_from_its_source(aws_client, fleet):
    ec2 = aws_client("ec2", REGION)
    ec2.create_launch_template_version(LaunchTemplateId=fleet["template"], LaunchTemplateData={
        "ImageId": fleet["image"]["ImageId"], "InstanceType": "m6i.xlarge",
        "UserData": base64.b64encode(b"#!/bin/bash\necho v2").decode()})
    ec2.create_launch_template_version(LaunchTemplateId=fleet["template"], SourceVersion="1",
                                       LaunchTemplateData={"InstanceType": "m6i.2xlarge"})
    versions = {v["VersionNumber"]: v["LaunchTemplateData"] for v in ec2.describe_launch_template_versions(
        LaunchTemplateId=fleet["template"])["LaunchTemplateVersions"]}
    assert base64.b64decode(versions[2]["UserData"]) == b"#!/bin/bash\necho v2"
    assert versions[3]["InstanceType"] == "m6i.2xlarge"
    assert versions[3]["MetadataOptions"]["HttpTokens"] == "required"  # inherited from version 1
    reservation = ec2.run_instances(MinCount=1, MaxCount=1,
                                    LaunchTemplate={"LaunchTemplateId": fleet["template"], "Version": "2"})
    assert reservation["Instances"][0]["InstanceType"] == "m6i.xlarge"
