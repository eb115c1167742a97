"""EFS replication: what the emulator adds to moto 5.2 (which has no replication at all: Create, Delete and
UpdateFileSystemProtection have no URL rule in its server, HTTP 404 HTML; Describe is HTTP 500), each as the
Amazon EFS API reference and user guide document it.

- ``CreateReplicationConfiguration`` (API_CreateReplicationConfiguration, API_DestinationToCreate,
  create-replication page). Exactly one destination (else ``BadRequest``). Without ``FileSystemId`` EFS creates
  a new file system in the destination Region (``Region``, or the Region of ``AvailabilityZoneName`` for One
  Zone): always encrypted (``KmsKeyId``, resolved in that Region's KMS to the key ARN, else the EFS service key
  ``alias/aws/elasticfilesystem``), the source's performance mode (General Purpose for One Zone), bursting
  throughput, no mount targets, read-only: ``ReplicationOverwriteProtection`` ``REPLICATING``. With
  ``FileSystemId`` (ID or ARN) that existing file system becomes the destination; its protection must be
  ``DISABLED``. The answer shows the destination ``ENABLING``; the replication is then in place, and
  DescribeReplicationConfigurations shows ``ENABLED`` (the provider waits ENABLING -> ENABLED).
  ``LastReplicatedTimestamp`` is not reported (no data is copied). Errors: unknown source or destination
  ``FileSystemNotFound`` (404); missing/unknown/other-partition Region, an AZ outside the Region, a malformed or
  unknown or not enabled KMS key, a malformed ``RoleArn``, source = destination, a destination whose protection
  is ``ENABLED``: ``BadRequest`` (400); an unknown AZ: ``UnsupportedAvailabilityZone`` (400); an encrypted
  source with an unencrypted destination: ``ConflictException`` (409, as its error doc says). A source or
  destination already in a replication ("A file system can be part of only one replication configuration"):
  ``ReplicationAlreadyExists`` (409), the EFS error documented as "the file system is already included in a
  replication configuration" (AWS lists it for UpdateFileSystemProtection, not for this call; chosen over the
  generic BadRequest because it names the condition). For an existing destination, ``KmsKeyId`` is not used.
- ``DescribeReplicationConfigurations`` (API_DescribeReplicationConfigurations): in either Region of the
  replication, by the source's or the destination's ID (the provider describes by the source ID in the
  destination Region while it deletes); without ``FileSystemId``, every configuration of the Region
  (``MaxResults``, ``NextToken``). A file system here without one: ``ReplicationNotFound`` (404); an ID that is
  neither a file system here nor part of a configuration known here: ``FileSystemNotFound`` (404).
- ``DeleteReplicationConfiguration`` (API_DeleteReplicationConfiguration, delete-replications page): HTTP 204,
  from the source's or the destination's Region, by the source ID. ``ALL_CONFIGURATIONS`` (default) removes it
  in both Regions, ``LOCAL_CONFIGURATION_ONLY`` only here (``BadRequest`` for a same-Region replication). The
  destination file system stays, writeable, its protection re-enabled (``ENABLED``). No configuration:
  ``ReplicationNotFound`` (also for the destination's ID: the call names the source); unknown file system:
  ``FileSystemNotFound``; another ``deletionMode``: ``BadRequest``.
  Deletion is immediate (AWS: ``DELETING`` for a while).
- ``UpdateFileSystemProtection`` (API_UpdateFileSystemProtection, replication-overwrite page): ``ENABLED`` or
  ``DISABLED``, answered back. ``REPLICATING`` (set by EFS only), another value or none: ``BadRequest``. A file
  system in a replication: ``ReplicationAlreadyExists`` (409; AWS answers so for a destination, and its error
  doc says "already included in a replication configuration").
- ``DeleteFileSystem`` of a file system in a replication (API_DeleteFileSystem: "You cannot delete a file system
  that is part of an EFS replication configuration"; moto deleted it): ``FileSystemInUse`` (409), the documented
  DeleteFileSystem error for a file system something still depends on (chosen over the generic BadRequest).

A configuration is known in the source's and the destination's Region (cross-account replication is not
modelled: an ARN of another account is ``FileSystemNotFound``).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from .efs import PROTECTION, answer, bad_request, body, error, file_system, plain_id, query_param, uri_param
from .patch import Addition, Patch

REGISTRY = "_portal_ha_replications"
"""Attribute of a moto EFSBackend: the replication configurations known in its Region, by source ID."""
DELETION_MODES = ("ALL_CONFIGURATIONS", "LOCAL_CONFIGURATION_ONLY")
SETTABLE_PROTECTION = ("ENABLED", "DISABLED")
DEFAULT_KMS_KEY = "alias/aws/elasticfilesystem"
MAX_RESULTS_DEFAULT = 100
REGION_PATTERN = re.compile(r"^[a-z]{2}-((iso[a-z]?-)|(gov-))?[a-z]+-?[0-9]?$")
KMS_KEY_PATTERN = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_-]+"
    r"|(arn:aws[-a-z]*:kms:[a-z0-9-]+:\d{12}:((key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|(key/mrk-[0-9a-f]{32})|(alias/[a-zA-Z0-9/_-]+))))$")
ROLE_ARN_PATTERN = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")


@dataclass
class Replication:
    source_id: str
    source_region: str
    source_arn: str
    owner: str
    creation_time: float
    destination_id: str
    destination_region: str
    role_arn: str | None = None
    status: str = "ENABLED"

    def describe(self, status: str | None = None) -> dict[str, Any]:
        """A ``ReplicationConfigurationDescription``."""
        destination: dict[str, Any] = {"Status": status or self.status, "FileSystemId": self.destination_id,
                                       "Region": self.destination_region, "OwnerId": self.owner}
        if self.role_arn:
            destination["RoleArn"] = self.role_arn
        return {"SourceFileSystemId": self.source_id, "SourceFileSystemRegion": self.source_region,
                "SourceFileSystemArn": self.source_arn, "OriginalSourceFileSystemArn": self.source_arn,
                "CreationTime": self.creation_time, "SourceFileSystemOwnerId": self.owner,
                "Destinations": [destination]}


def registry(backend: Any) -> dict[str, Replication]:
    found: dict[str, Replication] = backend.__dict__.setdefault(REGISTRY, {})
    return found


def involving(backend: Any, file_system_id: str) -> Replication | None:
    """The configuration known in this backend's Region that has the file system as source or destination."""
    return next((r for r in registry(backend).values() if file_system_id in (r.source_id, r.destination_id)), None)


def backend_of(account: str, region: str) -> Any:
    from moto.efs.models import efs_backends

    return efs_backends[account][region]


def already_exists(file_system_id: str) -> Exception:
    return error("ReplicationAlreadyExists", 409,
                 f"File system '{file_system_id}' is already included in a replication configuration.")


def replication_not_found(file_system_id: str) -> Exception:
    return error("ReplicationNotFound", 404,
                 f"File system '{file_system_id}' does not have a replication configuration.")


def _checked_region(source_backend: Any, region: str) -> str:
    from moto.efs.models import efs_backends
    from moto.utilities.utils import get_partition

    known = efs_backends[source_backend.account_id].regions
    if not REGION_PATTERN.match(region) or region not in known:
        raise bad_request(f"Region '{region}' is not a valid AWS Region.")
    if get_partition(region) != get_partition(source_backend.region_name):
        raise bad_request(f"Region '{region}' is not in the source file system's partition.")
    return region


def _zone_region(source_backend: Any, zone: str) -> str:
    from moto.ec2.models import ec2_backends
    from moto.efs.models import efs_backends

    region = zone[:-1]
    if region in efs_backends[source_backend.account_id].regions:
        zones = ec2_backends[source_backend.account_id][region].describe_availability_zones()
        if zone in {z.name for z in zones}:
            return _checked_region(source_backend, region)
    raise error("UnsupportedAvailabilityZone", 400, f"Availability Zone '{zone}' is not supported.")


def destination_region(source_backend: Any, wanted: dict[str, Any]) -> str:
    """The Region of the destination: ``Region``, that of ``AvailabilityZoneName`` or of a ``FileSystemId`` ARN
    (all that are given must agree); for an existing file system named by plain ID alone, the source's."""
    regions: set[str] = set()
    if wanted.get("Region") is not None:
        regions.add(_checked_region(source_backend, str(wanted["Region"])))
    if wanted.get("AvailabilityZoneName") is not None:
        regions.add(_zone_region(source_backend, str(wanted["AvailabilityZoneName"])))
    given_id = str(wanted.get("FileSystemId") or "")
    if given_id.startswith("arn:") and len(given_id.split(":")) > 3:
        regions.add(_checked_region(source_backend, given_id.split(":")[3]))
    if len(regions) > 1:
        raise bad_request(f"The destination names more than one Region: {', '.join(sorted(regions))}.")
    if regions:
        return regions.pop()
    if given_id:
        return str(source_backend.region_name)
    raise bad_request("The destination needs a Region or an AvailabilityZoneName.")


def kms_key_arn(account: str, region: str, given: str | None) -> str:
    """The ARN of the enabled KMS key ``given`` names in ``region`` (default: the EFS service key)."""
    from moto.kms.models import kms_backends

    if given is not None and not KMS_KEY_PATTERN.match(given):
        raise bad_request(f"KmsKeyId '{given}' is not a key ID, key ARN, alias or alias ARN.")
    if given is not None and given.startswith("arn:") and given.split(":")[3] != region:
        raise bad_request(f"KMS key '{given}' is not in the destination Region {region}.")
    try:
        key = kms_backends[account][region].describe_key(given or DEFAULT_KMS_KEY)
    except Exception:  # moto: NotFoundException, or KeyError/AttributeError for an unknown ID or alias
        raise bad_request(f"KMS key '{given}' does not exist in {region}.") from None
    if key.key_state != "Enabled":
        raise bad_request(f"KMS key '{given}' is not enabled.")
    return str(key.arn)


def _existing_destination(target: Any, source: Any, given_id: str) -> Any:
    destination = file_system(target, given_id)
    if destination is source:
        raise bad_request("The destination file system must not be the source file system.")
    if involving(target, destination.file_system_id) is not None:
        raise already_exists(destination.file_system_id)
    if getattr(destination, PROTECTION, "ENABLED") != "DISABLED":
        raise bad_request(f"The replication overwrite protection of destination file system "
                          f"'{destination.file_system_id}' must be DISABLED.")
    if source.encrypted and not destination.encrypted:
        raise error("ConflictException", 409, "The source file system is encrypted but the destination file "
                                              "system is unencrypted.")
    return destination


def _new_destination(target: Any, source: Any, wanted: dict[str, Any]) -> Any:
    zone = wanted.get("AvailabilityZoneName")
    kms_key = kms_key_arn(target.account_id, target.region_name, wanted.get("KmsKeyId"))
    return target.create_file_system(
        creation_token=f"replication-{uuid.uuid4()}", performance_mode="generalPurpose" if zone else
        source.performance_mode, encrypted=True, kms_key_id=kms_key, throughput_mode="bursting",
        provisioned_throughput_in_mibps=None, availability_zone_name=zone, backup=False, tags=[])


def create_replication_configuration(self: Any) -> tuple[str, dict[str, Any]]:
    backend = self.efs_backend
    source = file_system(backend, uri_param(self, "SourceFileSystemId"))
    destinations = body(self).get("Destinations")
    if not isinstance(destinations, list) or len(destinations) != 1 or not isinstance(destinations[0], dict):
        raise bad_request("Destinations must hold exactly one destination.")
    wanted: dict[str, Any] = destinations[0]
    if involving(backend, source.file_system_id) is not None:
        raise already_exists(source.file_system_id)
    role_arn = wanted.get("RoleArn")
    if role_arn is not None and not ROLE_ARN_PATTERN.match(str(role_arn)):
        raise bad_request(f"RoleArn '{role_arn}' is not an IAM role ARN.")
    target = backend_of(backend.account_id, destination_region(backend, wanted))
    if wanted.get("FileSystemId"):
        destination = _existing_destination(target, source, str(wanted["FileSystemId"]))
    else:
        destination = _new_destination(target, source, wanted)
    replication = Replication(
        source_id=source.file_system_id, source_region=backend.region_name, source_arn=source.file_system_arn,
        owner=backend.account_id, creation_time=time.time(), destination_id=destination.file_system_id,
        destination_region=target.region_name, role_arn=role_arn)
    registry(backend)[replication.source_id] = replication
    registry(target)[replication.source_id] = replication
    setattr(destination, PROTECTION, "REPLICATING")
    return answer(replication.describe(status="ENABLING"))


def _page(replications: list[Replication], token: str | None, limit: str | None) -> dict[str, Any]:
    try:
        start = int(token) if token is not None else 0
        size = int(limit) if limit is not None else MAX_RESULTS_DEFAULT
    except ValueError:
        raise bad_request("NextToken or MaxResults is not valid.") from None
    if start < 0 or start > len(replications) or size < 1:
        raise bad_request("NextToken or MaxResults is not valid.")
    page: dict[str, Any] = {"Replications": [r.describe() for r in replications[start:start + size]]}
    if start + size < len(replications):
        page["NextToken"] = str(start + size)
    return page


def describe_replication_configurations(self: Any) -> tuple[str, dict[str, Any]]:
    backend = self.efs_backend
    given = query_param(self, "FileSystemId")
    if given is None:
        known = sorted(registry(backend).values(), key=lambda r: r.creation_time)
        return answer(_page(known, query_param(self, "NextToken"), query_param(self, "MaxResults")))
    replication = involving(backend, plain_id(given))
    if replication is None:
        file_system(backend, given)  # FileSystemNotFound when it is no file system here
        raise replication_not_found(given)
    return answer({"Replications": [replication.describe()]})


def delete_replication_configuration(self: Any) -> tuple[str, dict[str, Any]]:
    backend = self.efs_backend
    given = uri_param(self, "SourceFileSystemId")
    mode = query_param(self, "deletionMode") or "ALL_CONFIGURATIONS"
    if mode not in DELETION_MODES:
        raise bad_request(f"deletionMode must be one of {', '.join(DELETION_MODES)}.")
    replication = registry(backend).get(plain_id(given))
    if replication is None:
        file_system(backend, given)
        raise replication_not_found(given)
    same_region = replication.source_region == replication.destination_region
    if mode == "LOCAL_CONFIGURATION_ONLY" and same_region:
        raise bad_request("LOCAL_CONFIGURATION_ONLY is not for a same-account, same-Region replication.")
    sides = [backend.region_name] if mode == "LOCAL_CONFIGURATION_ONLY" else [
        replication.source_region, replication.destination_region]
    for region in sides:
        side = backend_of(backend.account_id, region)
        registry(side).pop(replication.source_id, None)
        if region == replication.destination_region:
            destination = side.file_systems_by_id.get(replication.destination_id)
            if destination is not None:
                setattr(destination, PROTECTION, "ENABLED")
    return answer(None, status=204)


def update_file_system_protection(self: Any) -> tuple[str, dict[str, Any]]:
    backend = self.efs_backend
    fs = file_system(backend, uri_param(self, "FileSystemId"))
    value = body(self).get("ReplicationOverwriteProtection")
    if value not in SETTABLE_PROTECTION:
        raise bad_request(f"ReplicationOverwriteProtection must be one of {', '.join(SETTABLE_PROTECTION)}, "
                          f"not {value!r}.")
    if involving(backend, fs.file_system_id) is not None:
        raise error("ReplicationAlreadyExists", 409, "ReplicationOverwriteProtection cannot be changed while the "
                                                     "file system is part of a replication configuration.")
    setattr(fs, PROTECTION, value)
    return answer({"ReplicationOverwriteProtection": value})


def patches() -> list[Patch]:
    from moto.efs import urls
    from moto.efs.models import EFSBackend
    from moto.efs.responses import EFSResponse

    own_delete_file_system = EFSBackend.delete_file_system

    def delete_file_system(self: Any, file_system_id: str) -> None:
        fs = file_system(self, file_system_id)
        if involving(self, fs.file_system_id) is not None:
            raise error("FileSystemInUse", 409, f"File system '{fs.file_system_id}' is part of a replication "
                                                "configuration: delete the replication configuration first.")
        own_delete_file_system(self, file_system_id=fs.file_system_id)

    rules = ["/2015-02-01/file-systems/<file_system_id>/replication-configuration",
             "/2015-02-01/file-systems/<file_system_id>/protection",
             "/2015-02-01/file-systems/replication-configurations"]
    return [
        *(Addition(urls.url_paths, rule, EFSResponse.dispatch, where="moto.efs.urls.url_paths") for rule in rules),
        Addition(EFSResponse, "create_replication_configuration", create_replication_configuration),
        Addition(EFSResponse, "describe_replication_configurations", describe_replication_configurations),
        Addition(EFSResponse, "delete_replication_configuration", delete_replication_configuration),
        Addition(EFSResponse, "update_file_system_protection", update_file_system_protection),
        Patch(EFSBackend, "delete_file_system", delete_file_system),
    ]
