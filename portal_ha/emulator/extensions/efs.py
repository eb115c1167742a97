"""EFS: what the emulator adds to moto 5.2, each as the Amazon EFS API reference documents it (replication:
``efs_replication``).

- ``PutBackupPolicy`` (moto: not implemented, HTTP 500, which the AWS provider retries for minutes) and
  ``DescribeBackupPolicy`` (moto: only ``ENABLED`` from CreateFileSystem ``Backup``, never ``DISABLED``; a
  ``KeyError``, HTTP 500, for an unknown file system). AWS (API_PutBackupPolicy, API_DescribeBackupPolicy,
  API_BackupPolicy): the status is stored per file system, ``ENABLED`` or ``DISABLED``; while EFS turns backups
  on or off it reports ``ENABLING`` / ``DISABLING``. Here the answer to a Put that changes the status shows that
  transition, and the change is then complete: DescribeBackupPolicy answers the settled status (the provider
  waits ENABLING -> ENABLED and DISABLING -> DISABLED). Before any Put (and without CreateFileSystem
  ``Backup``): ``PolicyNotFound`` (404). An unknown file system: ``FileSystemNotFound`` (404). A status other
  than ``ENABLED`` / ``DISABLED``, or no ``BackupPolicy``: ``BadRequest`` (400, "an invalid parameter value or a
  missing required parameter"; inferred for ``ENABLING`` / ``DISABLING``, which name transitions EFS makes).
- ``DeleteFileSystemPolicy`` (moto: not implemented, HTTP 500). AWS (API_DeleteFileSystemPolicy): HTTP 200 with
  no body; the default policy is in effect again, so DescribeFileSystemPolicy answers ``PolicyNotFound`` (404).
  Deleting when no policy is set succeeds (``PolicyNotFound`` is not among its documented errors).
- ``DescribeFileSystemPolicy`` / ``PutFileSystemPolicy`` on an unknown file system (moto: ``KeyError``, HTTP
  500): ``FileSystemNotFound`` (404). PutFileSystemPolicy of a policy that is not a JSON policy document
  (an object with ``Statement``) or longer than 20,000 characters: ``InvalidPolicyException`` (400; moto
  accepted anything).
- ``UpdateFileSystem`` (moto: not implemented, HTTP 500, which the AWS provider retries for many minutes: seen
  when Terraform adopts a file system promoted from a replica, which EFS created with bursting throughput).
  AWS (API_UpdateFileSystem): ``ThroughputMode`` ``bursting`` / ``provisioned`` / ``elastic`` and
  ``ProvisionedThroughputInMibps``; HTTP 202 with the file system's description. ``provisioned`` without a
  throughput, a throughput with another mode, another mode name, or neither field: ``BadRequest`` (400). A
  second change of the throughput mode within 24 hours: ``TooManyRequests`` (429, "if you don't wait at least
  24 hours before either changing the throughput mode, or decreasing the Provisioned Throughput value"; only
  changes made through this call are counted). Unknown file system: ``FileSystemNotFound`` (404).
- DescribeFileSystems / CreateFileSystem answers (moto: the policy string leaks as ``FileSystemPolicy``, and no
  ``FileSystemProtection``): ``FileSystemPolicy`` is dropped (not in ``FileSystemDescription``);
  ``FileSystemProtection.ReplicationOverwriteProtection`` is ``ENABLED`` by default (replication-overwrite
  page), ``REPLICATING`` for a replication destination, or what UpdateFileSystemProtection set.

A file system may be named by ID or by ARN where the API reference allows both and the name travels in the
request body or query string (an ARN of another Region or account: ``FileSystemNotFound``). An ARN in the URI
path never reaches these handlers: moto's server decodes its ``%2F`` and finds no route (HTTP 404).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote

from .patch import Addition, Patch

PROTECTION = "_portal_ha_protection"
"""Attribute of a moto FileSystem: its replication overwrite protection (absent: ``ENABLED``)."""
BACKUP = "_portal_ha_backup"
"""Attribute of a moto FileSystem: the backup policy status last put (absent: none put)."""
BACKUP_STATES = ("ENABLED", "DISABLED")
POLICY_MAX_CHARS = 20_000


def error(code: str, status: int, message: str) -> Exception:
    """An EFS error answer: ``x-amzn-ErrorType: code``, HTTP ``status``, JSON body with the message."""
    from moto.efs.exceptions import EFSError

    raised = EFSError(code, message)
    raised.code = status
    return raised


def bad_request(message: str) -> Exception:
    return error("BadRequest", 400, message)


def not_found(file_system_id: str | None) -> Exception:
    from moto.efs.exceptions import FileSystemNotFound

    return FileSystemNotFound(file_system_id or "")


def plain_id(given: str) -> str:
    """The ``fs-...`` ID of an ID or file-system ARN."""
    return given.rsplit("file-system/", 1)[-1] if given.startswith("arn:") else given


def file_system(backend: Any, given: str | None) -> Any:
    """The file system named by ID or ARN in this backend's account and Region; ``FileSystemNotFound`` else."""
    wanted = given or ""
    if wanted.startswith("arn:"):
        parts = wanted.split(":", 5)
        if (len(parts) != 6 or parts[2] != "elasticfilesystem" or parts[3] != backend.region_name
                or parts[4] != backend.account_id or not parts[5].startswith("file-system/")):
            raise not_found(given)
    found = backend.file_systems_by_id.get(plain_id(wanted))
    if found is None:
        raise not_found(given)
    return found


def uri_param(response: Any, name: str) -> str:
    """A member bound to the request URI (as the SDK sent it, percent-decoded)."""
    return unquote(str(response.uri_match.get(name) or ""))


def query_param(response: Any, name: str) -> str | None:
    values = response.querystring.get(name)
    return str(values[0]) if values else None


def body(response: Any) -> dict[str, Any]:
    """The JSON request body (empty when there is none); ``BadRequest`` when it is not a JSON object."""
    try:
        parsed = json.loads(response.body or "{}")
    except ValueError:
        raise bad_request("The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise bad_request("The request body must be a JSON object.")
    return parsed


def answer(content: dict[str, Any] | None, status: int = 200) -> tuple[str, dict[str, Any]]:
    return ("" if content is None else json.dumps(content)), {"status": status, "Content-Type": "application/json"}


def _backup_status(fs: Any) -> str | None:
    put: str | None = getattr(fs, BACKUP, None)
    return put or ("ENABLED" if fs._backup else None)


def put_backup_policy(self: Any) -> tuple[str, dict[str, Any]]:
    fs = file_system(self.efs_backend, uri_param(self, "FileSystemId"))
    policy = body(self).get("BackupPolicy")
    status = policy.get("Status") if isinstance(policy, dict) else None
    if status not in BACKUP_STATES:
        raise bad_request(f"BackupPolicy.Status must be one of {', '.join(BACKUP_STATES)}, not {status!r}.")
    before = _backup_status(fs)
    setattr(fs, BACKUP, status)
    fs._backup = status == "ENABLED"
    shown = status
    if status == "ENABLED" and before != "ENABLED":
        shown = "ENABLING"
    elif status == "DISABLED" and before == "ENABLED":
        shown = "DISABLING"
    return answer({"BackupPolicy": {"Status": shown}})


def describe_backup_policy(self: Any, file_system_id: str) -> dict[str, str]:
    from moto.efs.exceptions import PolicyNotFound

    status = _backup_status(file_system(self, file_system_id))
    if status is None:
        raise PolicyNotFound("None")
    return {"Status": status}


def delete_file_system_policy(self: Any) -> tuple[str, dict[str, Any]]:
    fs = file_system(self.efs_backend, uri_param(self, "FileSystemId"))
    fs.file_system_policy = None
    return answer(None)


def describe_file_system_policy(self: Any, file_system_id: str) -> str:
    from moto.efs.exceptions import PolicyNotFound

    policy: str | None = file_system(self, file_system_id).file_system_policy
    if not policy:
        raise PolicyNotFound("None")
    return policy


def _invalid_policy(policy: Any) -> str | None:
    """Why ``policy`` is not an acceptable file system policy, or None."""
    if not isinstance(policy, str) or not policy.strip():
        return "The policy is missing."
    if len(policy) > POLICY_MAX_CHARS:
        return f"The policy is longer than {POLICY_MAX_CHARS} characters."
    try:
        document = json.loads(policy)
    except ValueError:
        return "The policy is not valid JSON."
    if not isinstance(document, dict) or "Statement" not in document:
        return "The policy is not a policy document with a Statement."
    return None


def put_file_system_policy(self: Any, file_system_id: str, policy: str,
                           bypass_policy_lockout_safety_check: bool) -> None:
    fs = file_system(self, file_system_id)
    problem = _invalid_policy(policy)
    if problem is not None:
        raise error("InvalidPolicyException", 400, problem)
    fs.file_system_policy = policy


THROUGHPUT_MODES = ("bursting", "provisioned", "elastic")
THROUGHPUT_CHANGED = "_portal_ha_throughput_changed"
"""Attribute of a moto FileSystem: when UpdateFileSystem last changed its throughput mode (epoch seconds)."""
DAY_SECONDS = 24 * 3600


def update_file_system(self: Any) -> tuple[str, dict[str, Any]]:
    fs = file_system(self.efs_backend, uri_param(self, "FileSystemId"))
    wanted = body(self)
    mode, mibps = wanted.get("ThroughputMode"), wanted.get("ProvisionedThroughputInMibps")
    if mode is None and mibps is None:
        raise bad_request("Give ThroughputMode or ProvisionedThroughputInMibps.")
    if mode is not None and mode not in THROUGHPUT_MODES:
        raise bad_request(f"ThroughputMode must be one of {', '.join(THROUGHPUT_MODES)}, not {mode!r}.")
    effective = mode or fs.throughput_mode
    if effective == "provisioned" and not (mibps or fs.provisioned_throughput_in_mibps):
        raise bad_request("ProvisionedThroughputInMibps is required with ThroughputMode provisioned.")
    if mibps is not None and effective != "provisioned":
        raise bad_request("ProvisionedThroughputInMibps applies to ThroughputMode provisioned only.")
    now = time.time()
    if mode is not None and mode != fs.throughput_mode:
        if now - getattr(fs, THROUGHPUT_CHANGED, -DAY_SECONDS) < DAY_SECONDS:
            raise error("TooManyRequests", 429, "Wait at least 24 hours after changing the throughput mode before "
                                                "changing it again.")
        setattr(fs, THROUGHPUT_CHANGED, now)
        fs.throughput_mode = mode
    if mibps is not None:
        fs.provisioned_throughput_in_mibps = mibps
    return answer(fs.info_json(), status=202)


def patches() -> list[Patch]:
    from moto.efs.models import EFSBackend, FileSystem
    from moto.efs.responses import EFSResponse

    own_info_json = FileSystem.info_json

    def info_json(self: Any) -> dict[str, Any]:
        described: dict[str, Any] = own_info_json(self)
        described.pop("FileSystemPolicy", None)
        described["FileSystemProtection"] = {"ReplicationOverwriteProtection": getattr(self, PROTECTION, "ENABLED")}
        return described

    return [
        Addition(EFSResponse, "put_backup_policy", put_backup_policy),
        Patch(EFSBackend, "describe_backup_policy", describe_backup_policy),
        Addition(EFSResponse, "delete_file_system_policy", delete_file_system_policy),
        Patch(EFSBackend, "describe_file_system_policy", describe_file_system_policy),
        Patch(EFSBackend, "put_file_system_policy", put_file_system_policy),
        Patch(FileSystem, "info_json", info_json),
        Addition(EFSResponse, "update_file_system", update_file_system),
    ]
