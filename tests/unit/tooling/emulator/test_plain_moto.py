"""The emulator's moto fixes: each one makes moto answer as AWS does, and each moto bug is shown unfixed too
(those tests fail once moto fixes the bug upstream, which says the fix can go)."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from portal_ha.emulator import moto_fixes
from tests.conftest import REPO


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _clusters():
    east, west = boto3.client("rds", region_name="us-east-1"), boto3.client("rds", region_name="eu-west-1")
    east.create_global_cluster(GlobalClusterIdentifier="g", Engine="aurora-mysql")
    common = dict(Engine="aurora-mysql", GlobalClusterIdentifier="g")
    east.create_db_cluster(DBClusterIdentifier="primary", MasterUsername="admin", MasterUserPassword="x" * 12,
                           **common)
    west.create_db_cluster(DBClusterIdentifier="secondary", **common)
    return east, west


def _acl_with_one_entry():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow",
                                 Egress=False, CidrBlock="10.1.0.0/16", PortRange={"From": 3306, "To": 3306})
    return ec2, acl


def test_unfixed_moto_keeps_a_deleted_secondary_as_member(aws):
    east, west = _clusters()
    west.delete_db_cluster(DBClusterIdentifier="secondary", SkipFinalSnapshot=True)
    members = east.describe_global_clusters(GlobalClusterIdentifier="g")["GlobalClusters"][0]["GlobalClusterMembers"]
    assert len(members) == 2


def test_fixed_moto_lets_the_global_cluster_go(aws):
    with moto_fixes.applied():
        east, west = _clusters()
        west.delete_db_cluster(DBClusterIdentifier="secondary", SkipFinalSnapshot=True)
        east.delete_db_cluster(DBClusterIdentifier="primary", SkipFinalSnapshot=True)
        east.delete_global_cluster(GlobalClusterIdentifier="g")
        assert east.describe_global_clusters()["GlobalClusters"] == []


def test_unfixed_moto_fails_on_a_missing_nacl_entry(aws):
    ec2, acl = _acl_with_one_entry()
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    with pytest.raises(Exception) as raised:  # StopIteration inside moto: HTTP 500 from its server
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    assert not isinstance(raised.value, ClientError)


def test_fixed_moto_answers_not_found_for_a_missing_nacl_entry(aws):
    with moto_fixes.applied():
        ec2, acl = _acl_with_one_entry()
        with pytest.raises(ClientError) as wrong_direction:  # the entry is ingress, not egress
            ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=True)
        assert wrong_direction.value.response["Error"]["Code"] == "InvalidNetworkAclEntry.NotFound"
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
        entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
        assert [e for e in entries if e["RuleNumber"] == 100] == []
        with pytest.raises(ClientError) as again:
            ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
        assert again.value.response["Error"]["Code"] == "InvalidNetworkAclEntry.NotFound"
        assert again.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(ClientError) as unknown_acl:
            ec2.delete_network_acl_entry(NetworkAclId="acl-00000000", RuleNumber=100, Egress=False)
        assert unknown_acl.value.response["Error"]["Code"] == "InvalidNetworkAclID.NotFound"


def test_applied_restores_moto_afterwards(aws):
    from moto.ec2.models.network_acls import NetworkAclBackend

    own = NetworkAclBackend.delete_network_acl_entry
    with moto_fixes.applied():
        assert NetworkAclBackend.delete_network_acl_entry is not own
    assert NetworkAclBackend.delete_network_acl_entry is own


def test_apply_is_permanent_and_idempotent():
    """The server entry point's patching, in a child process so this one keeps moto unpatched."""
    code = ("from portal_ha.emulator import moto_fixes\n"
            "from moto.ec2.models.network_acls import NetworkAclBackend as N\n"
            "own = N.delete_network_acl_entry\n"
            "moto_fixes.apply(); first = N.delete_network_acl_entry\n"
            "moto_fixes.apply(); assert N.delete_network_acl_entry is first is not own\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)
