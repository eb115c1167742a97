"""EFS extensions against the running emulator: backup policy, DeleteFileSystemPolicy (and the file system
policy's errors), and what DescribeFileSystems reports, each as the EFS API reference documents it."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.unit.tooling.emulator.conftest import error_of

UNKNOWN = "fs-0123456789abcdef0"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def _efs(aws_client, **create):
    efs = aws_client("efs", "us-east-1")
    fs_id = efs.create_file_system(CreationToken="portal", Encrypted=True, **create)["FileSystemId"]
    return efs, fs_id


def _raw_bodies(client, operation):
    """The raw HTTP bodies the client receives for ``operation`` (botocore drops members the model lacks)."""
    bodies = []
    client.meta.events.register(f"after-call.efs.{operation}",
                                lambda http_response, **_: bodies.append(http_response.content))
    return bodies


def _wait(describe, pending, target):
    """The provider's StateChangeConf: pending states poll again, anything else but the target fails."""
    for _ in range(5):
        state = describe()
        if state == target:
            return state
        assert state in pending, f"unexpected state {state!r}, wanted {target!r}"
    raise AssertionError(f"still not {target!r}")


# --- PutBackupPolicy / DescribeBackupPolicy ---------------------------------------------------------------

def test_no_backup_policy_before_any_put(aws_client):
    efs, fs_id = _efs(aws_client)
    with pytest.raises(ClientError) as raised:
        efs.describe_backup_policy(FileSystemId=fs_id)
    assert error_of(raised)[:2] == ("PolicyNotFound", 404)


def test_put_answers_the_transition_and_describe_the_settled_status(aws_client):
    efs, fs_id = _efs(aws_client)
    put = efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "ENABLED"})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["BackupPolicy"] == {"Status": "ENABLING"}
    assert efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "ENABLED"}
    assert efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "ENABLED"})["BackupPolicy"] == {
        "Status": "ENABLED"}  # nothing to turn on
    assert efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "DISABLED"})["BackupPolicy"] == {
        "Status": "DISABLING"}
    assert efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "DISABLED"}


def test_disabled_put_on_a_fresh_file_system_is_a_policy(aws_client):
    efs, fs_id = _efs(aws_client)
    assert efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "DISABLED"})["BackupPolicy"] == {
        "Status": "DISABLED"}
    assert efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "DISABLED"}


def test_backup_requested_at_creation_is_an_enabled_policy(aws_client):
    efs, fs_id = _efs(aws_client, Backup=True)
    assert efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "ENABLED"}
    assert efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "DISABLED"})["BackupPolicy"] == {
        "Status": "DISABLING"}
    assert efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "DISABLED"}


def test_the_providers_backup_policy_sequence(aws_client):
    """Create puts ENABLED and waits ENABLING -> ENABLED; destroy puts DISABLED and waits DISABLING -> DISABLED."""
    efs, fs_id = _efs(aws_client)

    def status():
        return efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"]["Status"]

    efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "ENABLED"})
    assert _wait(status, ["ENABLING"], "ENABLED") == "ENABLED"
    efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "DISABLED"})
    assert _wait(status, ["DISABLING"], "DISABLED") == "DISABLED"


@pytest.mark.parametrize("status", ["ENABLING", "DISABLING", "PAUSED", "enabled"])
def test_backup_policy_status_must_be_enabled_or_disabled(aws_client, status):
    efs, fs_id = _efs(aws_client)
    with pytest.raises(ClientError) as raised:
        efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": status})
    assert error_of(raised)[:2] == ("BadRequest", 400)
    with pytest.raises(ClientError) as still_none:
        efs.describe_backup_policy(FileSystemId=fs_id)
    assert error_of(still_none)[:2] == ("PolicyNotFound", 404)


def test_backup_policy_of_an_unknown_file_system(aws_client):
    efs = aws_client("efs", "us-east-1")
    with pytest.raises(ClientError) as put:
        efs.put_backup_policy(FileSystemId=UNKNOWN, BackupPolicy={"Status": "ENABLED"})
    with pytest.raises(ClientError) as described:
        efs.describe_backup_policy(FileSystemId=UNKNOWN)
    assert error_of(put)[:2] == error_of(described)[:2] == ("FileSystemNotFound", 404)


def test_backup_policy_is_per_file_system(aws_client):
    efs, fs_id = _efs(aws_client)
    other = efs.create_file_system(CreationToken="other")["FileSystemId"]
    efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "ENABLED"})
    with pytest.raises(ClientError) as raised:
        efs.describe_backup_policy(FileSystemId=other)
    assert error_of(raised)[:2] == ("PolicyNotFound", 404)


# --- DeleteFileSystemPolicy (and Describe/PutFileSystemPolicy) ----------------------------------------------

def test_delete_file_system_policy_restores_the_default(aws_client):
    efs, fs_id = _efs(aws_client)
    efs.put_file_system_policy(FileSystemId=fs_id, Policy=POLICY)
    assert json.loads(efs.describe_file_system_policy(FileSystemId=fs_id)["Policy"]) == json.loads(POLICY)
    bodies = _raw_bodies(efs, "DeleteFileSystemPolicy")
    deleted = efs.delete_file_system_policy(FileSystemId=fs_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert bodies == [b""]
    with pytest.raises(ClientError) as raised:
        efs.describe_file_system_policy(FileSystemId=fs_id)
    assert error_of(raised)[:2] == ("PolicyNotFound", 404)


def test_delete_without_a_policy_succeeds(aws_client):
    """The provider's delete is not waited on; PolicyNotFound is not a documented DeleteFileSystemPolicy error."""
    efs, fs_id = _efs(aws_client)
    assert efs.delete_file_system_policy(FileSystemId=fs_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    efs.put_file_system_policy(FileSystemId=fs_id, Policy=POLICY)
    efs.delete_file_system_policy(FileSystemId=fs_id)
    assert efs.delete_file_system_policy(FileSystemId=fs_id)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_file_system_policy_calls_on_an_unknown_file_system(aws_client):
    efs = aws_client("efs", "us-east-1")
    calls = [lambda: efs.delete_file_system_policy(FileSystemId=UNKNOWN),
             lambda: efs.describe_file_system_policy(FileSystemId=UNKNOWN),
             lambda: efs.put_file_system_policy(FileSystemId=UNKNOWN, Policy=POLICY)]
    for call in calls:
        with pytest.raises(ClientError) as raised:
            call()
        assert error_of(raised)[:2] == ("FileSystemNotFound", 404)


@pytest.mark.parametrize("policy", ["not json", "[]", json.dumps({"Version": "2012-10-17"}),
                                    json.dumps({"Statement": [], "Sid": "x" * 20_000})])
def test_put_file_system_policy_refuses_what_is_no_policy(aws_client, policy):
    efs, fs_id = _efs(aws_client)
    with pytest.raises(ClientError) as raised:
        efs.put_file_system_policy(FileSystemId=fs_id, Policy=policy)
    assert error_of(raised)[:2] == ("InvalidPolicyException", 400)
    with pytest.raises(ClientError) as still_default:
        efs.describe_file_system_policy(FileSystemId=fs_id)
    assert error_of(still_default)[:2] == ("PolicyNotFound", 404)


# --- DescribeFileSystems ------------------------------------------------------------------------------------

def test_describe_file_systems_reports_protection_and_not_the_policy(aws_client):
    efs = aws_client("efs", "us-east-1")
    created = efs.create_file_system(CreationToken="portal", Encrypted=True)
    assert created["FileSystemProtection"] == {"ReplicationOverwriteProtection": "ENABLED"}
    efs.put_file_system_policy(FileSystemId=created["FileSystemId"], Policy=POLICY)
    bodies = _raw_bodies(efs, "DescribeFileSystems")
    described = efs.describe_file_systems(FileSystemId=created["FileSystemId"])["FileSystems"][0]
    assert described["FileSystemProtection"] == {"ReplicationOverwriteProtection": "ENABLED"}
    raw = json.loads(bodies[0])["FileSystems"][0]
    assert "FileSystemPolicy" not in raw
    assert raw["FileSystemProtection"] == {"ReplicationOverwriteProtection": "ENABLED"}
    assert described["CreationTime"] == efs.describe_file_systems()["FileSystems"][0]["CreationTime"]


# --- UpdateFileSystem --------------------------------------------------------------------------------------

def test_update_file_system_changes_the_throughput_mode_and_answers_202(aws_client):
    efs, fs_id = _efs(aws_client)  # bursting, EFS's default (a replica's too)
    answered = efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
    assert answered["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert answered["ThroughputMode"] == "elastic" and answered["FileSystemId"] == fs_id
    assert efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]["ThroughputMode"] == "elastic"


def test_update_file_system_refuses_a_second_mode_change_within_a_day(aws_client):
    efs, fs_id = _efs(aws_client)
    efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
    efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")  # no change: accepted
    with pytest.raises(ClientError) as raised:
        efs.update_file_system(FileSystemId=fs_id, ThroughputMode="bursting")
    code, status, message = error_of(raised)
    assert (code, status) == ("TooManyRequests", 429) and "24 hours" in message


@pytest.mark.parametrize(("request_", "expected"), [
    ({}, (400, "BadRequest", "Give ThroughputMode or ProvisionedThroughputInMibps.")),
    ({"ThroughputMode": "fast"}, (400, "BadRequest", "ThroughputMode must be one of bursting, provisioned, elastic")),
    ({"ThroughputMode": "provisioned"},
     (400, "BadRequest", "ProvisionedThroughputInMibps is required with ThroughputMode provisioned.")),
    ({"ThroughputMode": "elastic", "ProvisionedThroughputInMibps": 10.0},
     (400, "BadRequest", "ProvisionedThroughputInMibps applies to ThroughputMode provisioned only.")),
])
def test_update_file_system_refuses_bad_requests(aws_client, request_, expected):
    efs, fs_id = _efs(aws_client)
    with pytest.raises(ClientError) as raised:
        efs.update_file_system(FileSystemId=fs_id, **request_)
    code, status, message = error_of(raised)
    assert (status, code) == expected[:2] and expected[2] in message


def test_update_of_an_unknown_file_system(aws_client):
    efs = aws_client("efs", "us-east-1")
    with pytest.raises(ClientError) as raised:
        efs.update_file_system(FileSystemId=UNKNOWN, ThroughputMode="elastic")
    assert error_of(raised)[:2] == ("FileSystemNotFound", 404)
