"""Plain moto 5.2, in this process and without the extensions: each gap an extension closes, shown as moto
has it (such a test fails once moto fixes the gap upstream, which says the extension can go), and the
patching itself (exactly undone, permanent in the server)."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from portal_ha.emulator import extensions
from tests.conftest import REPO


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


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
