"""Plain moto 5.2, in this process and without the extensions: each gap an extension closes, shown as moto
has it (such a test fails once moto fixes the gap upstream, which says the extension can go), and the
patching itself (exactly undone, permanent in the server)."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError

from portal_ha.emulator import extensions
from tests.conftest import REPO


def test_plain_moto_keeps_a_deleted_secondary_as_member(aws):
    east, west = boto3.client("rds", region_name="us-east-1"), boto3.client("rds", region_name="eu-west-1")
    east.create_global_cluster(GlobalClusterIdentifier="g", Engine="aurora-mysql")
    common = dict(Engine="aurora-mysql", GlobalClusterIdentifier="g")
    east.create_db_cluster(DBClusterIdentifier="primary", MasterUsername="admin", MasterUserPassword="x" * 12,
                           **common)
    west.create_db_cluster(DBClusterIdentifier="secondary", **common)
    west.delete_db_cluster(DBClusterIdentifier="secondary", SkipFinalSnapshot=True)
    members = east.describe_global_clusters(GlobalClusterIdentifier="g")["GlobalClusters"][0]["GlobalClusterMembers"]
    assert len(members) == 2


def test_plain_moto_fails_on_a_missing_nacl_entry(aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    with pytest.raises(Exception) as raised:  # StopIteration inside moto: HTTP 500 from its server
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    assert not isinstance(raised.value, ClientError)


def test_plain_moto_has_no_detailed_monitoring_calls(aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    assert "EnclaveOptions" not in instance
    with pytest.raises(NotImplementedError):  # HTTP 500 from moto's server: the provider retries for minutes
        ec2.monitor_instances(InstanceIds=[instance["InstanceId"]])


def test_plain_moto_makes_a_zone_with_a_vpc_public(aws):
    vpc = boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    route53 = boto3.client("route53", region_name="us-east-1")
    zone = route53.create_hosted_zone(Name="a.internal", CallerReference="a",
                                      VPC={"VPCRegion": "us-east-1", "VPCId": vpc})["HostedZone"]
    assert zone["Config"]["PrivateZone"] is False
    assert "VPCs" not in route53.get_hosted_zone(Id=zone["Id"])


def test_applied_restores_moto_exactly():
    from moto.ec2.models.instances import Instance
    from moto.ec2.models.network_acls import NetworkAclBackend

    own = NetworkAclBackend.delete_network_acl_entry
    with extensions.applied():
        assert NetworkAclBackend.delete_network_acl_entry is not own
        assert "enclave_options" in Instance.__dict__  # an added attribute ...
    assert NetworkAclBackend.delete_network_acl_entry is own
    assert "enclave_options" not in Instance.__dict__  # ... is removed again


def test_apply_is_permanent_and_idempotent():
    """The server entry point's patching, in a child process so this one keeps moto plain."""
    code = ("from portal_ha.emulator import extensions\n"
            "from moto.ec2.models.network_acls import NetworkAclBackend as N\n"
            "own = N.delete_network_acl_entry\n"
            "extensions.apply(); first = N.delete_network_acl_entry\n"
            "extensions.apply(); assert N.delete_network_acl_entry is first is not own\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_plain_moto_refuses_to_create_a_deleted_record_again(aws):
    route53 = boto3.client("route53", region_name="us-east-1")
    zone = route53.create_hosted_zone(Name="a.example.com", CallerReference="a")["HostedZone"]["Id"]
    # At the apex, as the EFS name in its private zone.
    record = {"Name": "a.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.0.4"}]}
    for action in ("CREATE", "DELETE"):
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
            "Changes": [{"Action": action, "ResourceRecordSet": dict(record)}]})
    with pytest.raises(ClientError) as raised:
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
            "Changes": [{"Action": "CREATE", "ResourceRecordSet": dict(record)}]})
    assert "already exists" in raised.value.response["Error"]["Message"]


def _plain_group():
    ec2, scaling = boto3.client("ec2", "us-east-1"), boto3.client("autoscaling", "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    template = ec2.create_launch_template(LaunchTemplateName="portal", LaunchTemplateData={
        "ImageId": image, "MetadataOptions": {"HttpTokens": "required"}, "Monitoring": {"Enabled": True}})
    scaling.create_auto_scaling_group(
        AutoScalingGroupName="portal", MinSize=2, MaxSize=2, DesiredCapacity=2, VPCZoneIdentifier=",".join(subnets),
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplate"]["LaunchTemplateId"]})
    ids = [i["InstanceId"] for i in
           scaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]]
    return ec2, scaling, [i for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]]


def test_plain_moto_drops_the_launch_templates_settings_and_stacks_a_group_in_one_zone(aws):
    ec2, scaling, instances = _plain_group()
    assert {i["MetadataOptions"]["HttpTokens"] for i in instances} == {"optional"}
    assert {i["Monitoring"]["State"] for i in instances} == {"disabled"}
    assert len({i["Placement"]["AvailabilityZone"] for i in instances}) == 1


def test_plain_moto_never_replaces_a_stopped_group_instance(aws):
    ec2, scaling, instances = _plain_group()
    victim = instances[0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[victim])
    members = scaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]
    assert victim in {i["InstanceId"] for i in members}


def test_plain_moto_copies_a_launch_templates_own_tags_into_its_data(aws):
    ec2 = boto3.client("ec2", "us-east-1")
    created = ec2.create_launch_template(
        LaunchTemplateName="tagged", LaunchTemplateData={"InstanceType": "m6i.large"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Project", "Value": "portal"}]}])
    [version] = ec2.describe_launch_template_versions(
        LaunchTemplateId=created["LaunchTemplate"]["LaunchTemplateId"])["LaunchTemplateVersions"]
    assert [s["ResourceType"] for s in version["LaunchTemplateData"]["TagSpecifications"]] == ["launch-template"]


def test_plain_moto_cannot_launch_from_a_new_template_version_with_user_data(aws):
    ec2 = boto3.client("ec2", "us-east-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    template = ec2.create_launch_template(LaunchTemplateName="two-versions", LaunchTemplateData={"ImageId": image})
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={
        "ImageId": image, "UserData": "IyEvYmluL2Jhc2g="})
    from moto.ec2.models import ec2_backends

    version = ec2_backends["123456789012"]["us-east-1"].get_launch_template(template_id).get_version(2)
    with pytest.raises(AssertionError):  # moto's own check on the undecoded user data: an Auto Scaling launch
        _ = version.user_data


def test_plain_moto_has_no_update_file_system(aws):
    efs = boto3.client("efs", region_name="us-east-1")
    fs_id = efs.create_file_system(CreationToken="portal")["FileSystemId"]
    with pytest.raises(NotImplementedError, match="update_file_system"):
        efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
