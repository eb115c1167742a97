"""EFS replication against the running emulator: Create/Describe/DeleteReplicationConfiguration,
UpdateFileSystemProtection, FileSystemProtection and DeleteFileSystem of a replicated file system, each as the
EFS API reference documents it, and the AWS provider's sequences (create in the source Region and wait for
ENABLED; delete in the destination Region, then in the source Region, waiting for not-found in each)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.unit.tooling.emulator.conftest import error_of

SOURCE, DESTINATION = "us-east-1", "eu-west-1"
UNKNOWN = "fs-0123456789abcdef0"


def _clients(aws_client):
    return aws_client("efs", SOURCE), aws_client("efs", DESTINATION)


def _source(efs, token="portal", **create):
    create.setdefault("Encrypted", True)
    return efs.create_file_system(CreationToken=token, **create)["FileSystemId"]


def _replicate(efs, fs_id, **destination):
    """Replicate to ``DESTINATION`` unless told otherwise (``Region=None``: no Region member)."""
    destination.setdefault("Region", DESTINATION)
    wanted = {key: value for key, value in destination.items() if value is not None}
    return efs.create_replication_configuration(SourceFileSystemId=fs_id, Destinations=[wanted])


def _file_systems(efs):
    return {fs["FileSystemId"]: fs for fs in efs.describe_file_systems()["FileSystems"]}


def _protection(efs, fs_id):
    return _file_systems(efs)[fs_id]["FileSystemProtection"]["ReplicationOverwriteProtection"]


def _code(call, *args, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return error_of(raised)[:2]


# --- CreateReplicationConfiguration ---------------------------------------------------------------------------

def test_create_makes_an_encrypted_read_only_destination_in_the_other_region(aws_client):
    east, west = _clients(aws_client)
    key = aws_client("kms", SOURCE).create_key()["KeyMetadata"]["Arn"]
    fs_id = _source(east, KmsKeyId=key, PerformanceMode="maxIO")
    source_arn = _file_systems(east)[fs_id]["FileSystemArn"]
    created = _replicate(east, fs_id)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert created["SourceFileSystemId"] == fs_id
    assert created["SourceFileSystemRegion"] == SOURCE
    assert created["SourceFileSystemArn"] == created["OriginalSourceFileSystemArn"] == source_arn
    assert source_arn == f"arn:aws:elasticfilesystem:{SOURCE}:123456789012:file-system/{fs_id}"
    assert created["SourceFileSystemOwnerId"] == "123456789012"
    [destination] = created["Destinations"]
    assert destination["Status"] == "ENABLING"
    assert destination["Region"] == DESTINATION
    replica = _file_systems(west)[destination["FileSystemId"]]
    assert destination["FileSystemId"] not in _file_systems(east)
    assert replica["Encrypted"] is True
    assert replica["KmsKeyId"].startswith(f"arn:aws:kms:{DESTINATION}:123456789012:key/")
    default_key = aws_client("kms", DESTINATION).describe_key(KeyId="alias/aws/elasticfilesystem")["KeyMetadata"]
    assert replica["KmsKeyId"] == default_key["Arn"]
    assert replica["PerformanceMode"] == "maxIO"
    assert replica["ThroughputMode"] == "bursting"
    assert replica["NumberOfMountTargets"] == 0
    assert replica["FileSystemProtection"] == {"ReplicationOverwriteProtection": "REPLICATING"}
    assert _protection(east, fs_id) == "ENABLED"
    assert _code(west.describe_backup_policy, FileSystemId=replica["FileSystemId"]) == ("PolicyNotFound", 404)


def test_describe_settles_to_enabled_with_stable_fields(aws_client):
    """The provider waits ENABLING -> ENABLED on exactly one configuration, and reads it back on every plan."""
    east, west = _clients(aws_client)
    fs_id = _source(east)
    created = _replicate(east, fs_id)
    first = east.describe_replication_configurations(FileSystemId=fs_id)
    again = east.describe_replication_configurations(FileSystemId=fs_id)
    assert "NextToken" not in first
    [described] = first["Replications"]
    assert described == again["Replications"][0]
    assert described["Destinations"][0]["Status"] == "ENABLED"
    assert described["CreationTime"] == created["CreationTime"]
    for key in ("SourceFileSystemId", "SourceFileSystemRegion", "SourceFileSystemArn",
                "OriginalSourceFileSystemArn"):
        assert described[key] == created[key]
    assert described["Destinations"][0]["FileSystemId"] == created["Destinations"][0]["FileSystemId"]
    assert described["Destinations"][0]["Region"] == DESTINATION


def test_destination_kms_key_by_alias_is_stored_as_its_arn(aws_client):
    east, west = _clients(aws_client)
    kms = aws_client("kms", DESTINATION)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/portal-replica", TargetKeyId=key["KeyId"])
    created = _replicate(east, _source(east), KmsKeyId="alias/portal-replica")
    assert _file_systems(west)[created["Destinations"][0]["FileSystemId"]]["KmsKeyId"] == key["Arn"]


def test_one_zone_destination(aws_client):
    east, west = _clients(aws_client)
    created = _replicate(east, _source(east, PerformanceMode="maxIO"), Region=None,
                         AvailabilityZoneName=f"{DESTINATION}a")
    destination = created["Destinations"][0]
    assert destination["Region"] == DESTINATION
    replica = _file_systems(west)[destination["FileSystemId"]]
    assert replica["AvailabilityZoneName"] == f"{DESTINATION}a"
    assert replica["PerformanceMode"] == "generalPurpose"
    assert west.describe_backup_policy(FileSystemId=replica["FileSystemId"])["BackupPolicy"] == {
        "Status": "ENABLED"}


@pytest.mark.parametrize("destinations", [[], [{"Region": DESTINATION}, {"Region": "eu-west-2"}], [{}],
                                          [{"Region": "xx-nowhere-1"}], [{"Region": "cn-north-1"}],
                                          [{"Region": DESTINATION, "AvailabilityZoneName": "us-east-1a"}],
                                          [{"Region": DESTINATION, "KmsKeyId": "not a key"}],
                                          [{"Region": DESTINATION, "KmsKeyId": "alias/none-such"}],
                                          [{"Region": DESTINATION, "KmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}],
                                          [{"Region": DESTINATION, "RoleArn": "arn:aws:s3:::bucket"}]])
def test_create_refuses_a_bad_destination(aws_client, destinations):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    assert _code(east.create_replication_configuration, SourceFileSystemId=fs_id,
                 Destinations=destinations) == ("BadRequest", 400)
    assert _file_systems(west) == {}
    assert _code(east.describe_replication_configurations, FileSystemId=fs_id) == ("ReplicationNotFound", 404)


def test_create_refuses_a_kms_key_that_is_not_enabled(aws_client):
    east, west = _clients(aws_client)
    kms = aws_client("kms", DESTINATION)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key)
    assert _code(_replicate, east, _source(east), KmsKeyId=key) == ("BadRequest", 400)
    assert _file_systems(west) == {}


def test_create_refuses_an_unknown_availability_zone(aws_client):
    east, west = _clients(aws_client)
    assert _code(_replicate, east, _source(east), Region=None, AvailabilityZoneName=f"{DESTINATION}z") == (
        "UnsupportedAvailabilityZone", 400)
    assert _file_systems(west) == {}


def test_create_of_an_unknown_source(aws_client):
    east, _ = _clients(aws_client)
    assert _code(_replicate, east, UNKNOWN) == ("FileSystemNotFound", 404)


def test_a_file_system_is_part_of_one_replication_only(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    assert _code(_replicate, east, fs_id, Region="eu-west-2") == ("ReplicationAlreadyExists", 409)
    assert _code(_replicate, west, replica, Region=SOURCE) == ("ReplicationAlreadyExists", 409)
    assert _file_systems(aws_client("efs", "eu-west-2")) == {}
    assert len(east.describe_replication_configurations()["Replications"]) == 1


# --- replicating to an existing file system -------------------------------------------------------------------

def test_replicate_to_an_existing_file_system_with_protection_disabled(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    target = _source(west, token="target")
    assert _code(_replicate, east, fs_id, FileSystemId=target) == ("BadRequest", 400)  # protection ENABLED
    answered = west.update_file_system_protection(FileSystemId=target, ReplicationOverwriteProtection="DISABLED")
    assert answered["ReplicationOverwriteProtection"] == "DISABLED"
    assert _protection(west, target) == "DISABLED"
    created = _replicate(east, fs_id, FileSystemId=target)
    assert created["Destinations"][0]["FileSystemId"] == target
    assert list(_file_systems(west)) == [target]
    assert _protection(west, target) == "REPLICATING"
    east.delete_replication_configuration(SourceFileSystemId=fs_id)
    assert _protection(west, target) == "ENABLED"


def test_existing_destination_by_arn_names_its_region(aws_client):
    east, west = _clients(aws_client)
    target = west.create_file_system(CreationToken="target", Encrypted=True)
    west.update_file_system_protection(FileSystemId=target["FileSystemId"], ReplicationOverwriteProtection="DISABLED")
    created = _replicate(east, _source(east), Region=None, FileSystemId=target["FileSystemArn"])
    assert created["Destinations"][0] == {"Status": "ENABLING", "FileSystemId": target["FileSystemId"],
                                          "Region": DESTINATION, "OwnerId": "123456789012"}


def test_existing_destination_errors(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    plain = _source(west, token="plain", Encrypted=False)
    west.update_file_system_protection(FileSystemId=plain, ReplicationOverwriteProtection="DISABLED")
    assert _code(_replicate, east, fs_id, FileSystemId=plain) == ("ConflictException", 409)
    assert _code(_replicate, east, fs_id, FileSystemId=UNKNOWN) == ("FileSystemNotFound", 404)
    east.update_file_system_protection(FileSystemId=fs_id, ReplicationOverwriteProtection="DISABLED")
    assert _code(_replicate, east, fs_id, Region=SOURCE, FileSystemId=fs_id) == ("BadRequest", 400)
    other = _source(east, token="other")
    replica = _replicate(east, other)["Destinations"][0]["FileSystemId"]
    assert _code(_replicate, east, fs_id, FileSystemId=replica) == ("ReplicationAlreadyExists", 409)
    assert _code(east.describe_replication_configurations, FileSystemId=fs_id) == ("ReplicationNotFound", 404)


# --- DescribeReplicationConfigurations ------------------------------------------------------------------------

def test_describe_by_source_or_destination_id_in_either_region(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    seen = [client.describe_replication_configurations(FileSystemId=name)["Replications"]
            for client in (east, west) for name in (fs_id, replica)]
    assert all(found == seen[0] and len(found) == 1 for found in seen)
    assert seen[0][0]["SourceFileSystemId"] == fs_id


def test_describe_errors(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    assert _code(east.describe_replication_configurations, FileSystemId=fs_id) == ("ReplicationNotFound", 404)
    assert _code(east.describe_replication_configurations, FileSystemId=UNKNOWN) == ("FileSystemNotFound", 404)
    assert _code(west.describe_replication_configurations, FileSystemId=fs_id) == ("FileSystemNotFound", 404)


def test_describe_without_an_id_lists_the_region_in_pages(aws_client):
    east, west = _clients(aws_client)
    assert east.describe_replication_configurations()["Replications"] == []
    sources = [_source(east, token=f"t{n}") for n in range(3)]
    for fs_id in sources:
        _replicate(east, fs_id)
    assert aws_client("efs", "eu-west-2").describe_replication_configurations()["Replications"] == []
    for client in (east, west):
        listed = client.describe_replication_configurations()
        assert [r["SourceFileSystemId"] for r in listed["Replications"]] == sources
        assert "NextToken" not in listed
    first = east.describe_replication_configurations(MaxResults=2)
    assert len(first["Replications"]) == 2
    rest = east.describe_replication_configurations(MaxResults=2, NextToken=first["NextToken"])
    assert [r["SourceFileSystemId"] for r in first["Replications"] + rest["Replications"]] == sources
    assert "NextToken" not in rest
    assert _code(east.describe_replication_configurations, NextToken="garbage") == ("BadRequest", 400)


# --- DeleteReplicationConfiguration ---------------------------------------------------------------------------

def test_the_providers_delete_sequence(aws_client):
    """Destination Region first (by source ID, waiting for two not-found answers), then the source Region,
    where ReplicationNotFound counts as done. The destination stays, writeable."""
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    deleted = west.delete_replication_configuration(SourceFileSystemId=fs_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for _ in range(2):
        assert _code(west.describe_replication_configurations, FileSystemId=fs_id) == ("FileSystemNotFound", 404)
    assert _code(east.delete_replication_configuration, SourceFileSystemId=fs_id) == ("ReplicationNotFound", 404)
    for _ in range(2):
        assert _code(east.describe_replication_configurations, FileSystemId=fs_id) == ("ReplicationNotFound", 404)
    assert _protection(west, replica) == "ENABLED"
    assert east.describe_replication_configurations()["Replications"] == []
    assert west.describe_replication_configurations()["Replications"] == []
    east.delete_file_system(FileSystemId=fs_id)
    assert list(_file_systems(west)) == [replica]


def test_delete_from_the_source_region_removes_both_sides(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    east.delete_replication_configuration(SourceFileSystemId=fs_id, DeletionMode="ALL_CONFIGURATIONS")
    assert _code(west.describe_replication_configurations, FileSystemId=replica) == ("ReplicationNotFound", 404)
    assert _code(west.delete_replication_configuration, SourceFileSystemId=fs_id) == ("FileSystemNotFound", 404)
    assert _protection(west, replica) == "ENABLED"
    west.update_file_system_protection(FileSystemId=replica, ReplicationOverwriteProtection="DISABLED")


def test_local_configuration_only_deletes_this_side(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    west.delete_replication_configuration(SourceFileSystemId=fs_id, DeletionMode="LOCAL_CONFIGURATION_ONLY")
    assert _code(west.describe_replication_configurations, FileSystemId=replica) == ("ReplicationNotFound", 404)
    assert _protection(west, replica) == "ENABLED"
    assert len(east.describe_replication_configurations(FileSystemId=fs_id)["Replications"]) == 1
    east.delete_replication_configuration(SourceFileSystemId=fs_id, DeletionMode="LOCAL_CONFIGURATION_ONLY")
    assert _code(east.describe_replication_configurations, FileSystemId=fs_id) == ("ReplicationNotFound", 404)


def test_same_region_replication(aws_client):
    east, _ = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id, Region=SOURCE)["Destinations"][0]["FileSystemId"]
    assert len(east.describe_replication_configurations()["Replications"]) == 1
    assert _protection(east, replica) == "REPLICATING"
    assert _code(east.delete_replication_configuration, SourceFileSystemId=fs_id,
                 DeletionMode="LOCAL_CONFIGURATION_ONLY") == ("BadRequest", 400)
    east.delete_replication_configuration(SourceFileSystemId=fs_id)
    assert _code(east.delete_replication_configuration, SourceFileSystemId=fs_id) == ("ReplicationNotFound", 404)
    assert _protection(east, replica) == "ENABLED"


def test_delete_errors(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    assert _code(east.delete_replication_configuration, SourceFileSystemId=UNKNOWN) == ("FileSystemNotFound", 404)
    assert _code(east.delete_replication_configuration, SourceFileSystemId=fs_id) == ("ReplicationNotFound", 404)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    assert _code(east.delete_replication_configuration, SourceFileSystemId=fs_id,
                 DeletionMode="EVERYTHING") == ("BadRequest", 400)
    assert _code(west.delete_replication_configuration, SourceFileSystemId=replica) == ("ReplicationNotFound", 404)
    assert len(west.describe_replication_configurations(FileSystemId=fs_id)["Replications"]) == 1


# --- UpdateFileSystemProtection, DeleteFileSystem --------------------------------------------------------------

def test_update_file_system_protection(aws_client):
    east, _ = _clients(aws_client)
    fs_id = _source(east)
    for value in ("DISABLED", "ENABLED"):
        answered = east.update_file_system_protection(FileSystemId=fs_id, ReplicationOverwriteProtection=value)
        assert answered["ReplicationOverwriteProtection"] == value
        assert answered["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert _protection(east, fs_id) == value
    for value in ("REPLICATING", "OFF"):
        assert _code(east.update_file_system_protection, FileSystemId=fs_id,
                     ReplicationOverwriteProtection=value) == ("BadRequest", 400)
    assert _code(east.update_file_system_protection, FileSystemId=fs_id) == ("BadRequest", 400)
    assert _protection(east, fs_id) == "ENABLED"
    assert _code(east.update_file_system_protection, FileSystemId=UNKNOWN,
                 ReplicationOverwriteProtection="ENABLED") == ("FileSystemNotFound", 404)


def test_protection_of_a_replicated_file_system_cannot_change(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    assert _code(west.update_file_system_protection, FileSystemId=replica,
                 ReplicationOverwriteProtection="DISABLED") == ("ReplicationAlreadyExists", 409)
    assert _code(east.update_file_system_protection, FileSystemId=fs_id,
                 ReplicationOverwriteProtection="DISABLED") == ("ReplicationAlreadyExists", 409)
    assert _protection(west, replica) == "REPLICATING"
    assert _protection(east, fs_id) == "ENABLED"


def test_a_file_system_in_a_replication_cannot_be_deleted(aws_client):
    east, west = _clients(aws_client)
    fs_id = _source(east)
    replica = _replicate(east, fs_id)["Destinations"][0]["FileSystemId"]
    assert _code(east.delete_file_system, FileSystemId=fs_id) == ("FileSystemInUse", 409)
    assert _code(west.delete_file_system, FileSystemId=replica) == ("FileSystemInUse", 409)
    assert fs_id in _file_systems(east) and replica in _file_systems(west)
    east.delete_replication_configuration(SourceFileSystemId=fs_id)
    east.delete_file_system(FileSystemId=fs_id)
    west.delete_file_system(FileSystemId=replica)
    assert _file_systems(east) == _file_systems(west) == {}
    assert _code(east.delete_file_system, FileSystemId=fs_id) == ("FileSystemNotFound", 404)
