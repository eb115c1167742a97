"""EC2 extensions against the running emulator: detailed monitoring, enclave options, NACL entry deletion."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of

AMI = "ami-12c6146b"  # one of moto's built-in images


def _instances(ec2, count=2, **extra):
    reservation = ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, InstanceType="t3.micro", **extra)
    return [i["InstanceId"] for i in reservation["Instances"]]


def _monitoring(ec2, ids):
    reservations = ec2.describe_instances(InstanceIds=ids)["Reservations"]
    return {i["InstanceId"]: i["Monitoring"]["State"] for r in reservations for i in r["Instances"]}


def test_monitor_instances_answers_pending_then_describe_shows_enabled(aws_client):
    ec2 = aws_client("ec2", "eu-west-1")
    ids = _instances(ec2)
    answer = ec2.monitor_instances(InstanceIds=ids)["InstanceMonitorings"]
    assert answer == [{"InstanceId": i, "Monitoring": {"State": "pending"}} for i in ids]
    assert _monitoring(ec2, ids) == dict.fromkeys(ids, "enabled")


def test_unmonitor_instances_answers_disabling_then_describe_shows_disabled(aws_client):
    ec2 = aws_client("ec2", "eu-west-1")
    ids = _instances(ec2, Monitoring={"Enabled": True})
    assert _monitoring(ec2, ids) == dict.fromkeys(ids, "enabled")
    answer = ec2.unmonitor_instances(InstanceIds=ids[:1])["InstanceMonitorings"]
    assert answer == [{"InstanceId": ids[0], "Monitoring": {"State": "disabling"}}]
    assert _monitoring(ec2, ids) == {ids[0]: "disabled", ids[1]: "enabled"}


@pytest.mark.parametrize("call", ["monitor_instances", "unmonitor_instances"])
def test_monitoring_an_unknown_instance_is_not_found_and_changes_nothing(aws_client, call):
    ec2 = aws_client("ec2", "eu-west-1")
    ids = _instances(ec2, count=1)
    before = _monitoring(ec2, ids)
    with pytest.raises(ClientError) as raised:
        getattr(ec2, call)(InstanceIds=[*ids, "i-0123456789abcdef0"])
    code, status, message = error_of(raised)
    assert (code, status) == ("InvalidInstanceID.NotFound", 400)
    assert "i-0123456789abcdef0" in message
    assert _monitoring(ec2, ids) == before


def test_monitoring_dry_run_answers_dry_run_operation(aws_client):
    ec2 = aws_client("ec2", "eu-west-1")
    ids = _instances(ec2, count=1)
    with pytest.raises(ClientError) as raised:
        ec2.monitor_instances(InstanceIds=ids, DryRun=True)
    assert error_of(raised)[0] == "DryRunOperation"
    assert _monitoring(ec2, ids) == dict.fromkeys(ids, "disabled")


def test_instances_report_enclave_options(aws_client):
    ec2 = aws_client("ec2", "eu-west-1")
    plain = _instances(ec2, count=1)[0]
    enclave = _instances(ec2, count=1, EnclaveOptions={"Enabled": True})[0]
    reservations = ec2.describe_instances(InstanceIds=[plain, enclave])["Reservations"]
    reported = {i["InstanceId"]: i["EnclaveOptions"] for r in reservations for i in r["Instances"]}
    assert reported == {plain: {"Enabled": False}, enclave: {"Enabled": True}}


def _acl_with_one_entry(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow",
                                 Egress=False, CidrBlock="10.1.0.0/16", PortRange={"From": 3306, "To": 3306})
    return acl


def test_deleting_a_missing_nacl_entry_is_not_found(aws_client):
    ec2 = aws_client("ec2", "eu-west-1")
    acl = _acl_with_one_entry(ec2)
    with pytest.raises(ClientError) as wrong_direction:  # the entry is ingress, not egress
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=True)
    assert error_of(wrong_direction)[:2] == ("InvalidNetworkAclEntry.NotFound", 400)
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    assert [e for e in entries if e["RuleNumber"] == 100] == []
    with pytest.raises(ClientError) as again:
        ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    assert error_of(again)[:2] == ("InvalidNetworkAclEntry.NotFound", 400)
    with pytest.raises(ClientError) as unknown_acl:
        ec2.delete_network_acl_entry(NetworkAclId="acl-00000000", RuleNumber=100, Egress=False)
    assert error_of(unknown_acl)[0] == "InvalidNetworkAclID.NotFound"
