"""Adopting a shared file system that already exists: ``ExistingFileSystem`` describes it (ids, validated when
plain), and ``ImportedFileSystem`` (``shared_storage_imported.py``) exposes it as an ``IFileSystem``, creating no
file system resource (aws-cdk's ``FileSystem.fromFileSystemAttributes`` in spirit). Loads no provider binding."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Problems
from .validation import check_resource_id

WHERE = "existing_file_system"


@dataclass(frozen=True, kw_only=True)
class ExistingFileSystem:
    """An EFS file system that already exists, with a mount target in each internal subnet of the datacenter it
    is adopted in, adopted read-only: nothing of it is created or changed but the NFS ingress rules added to its
    mount targets' security group. Ids may be cdktf tokens (read with the ``aws_efs_file_system`` /
    ``aws_efs_access_point`` data sources, for example) and are validated only when plain."""

    file_system_id: str
    """The file system (``fs-...``). Its DNS name, ``<id>.efs.<region>.amazonaws.com``, is what the portal
    instances mount (amazon-efs-utils)."""
    access_point_id: str
    """The access point the portal instances mount through (``fsap-...``). Its root directory should belong to
    the web server user (``apache``, uid/gid 48 on Amazon Linux), as a built ``SharedFileSystem``'s does."""
    security_group_id: str
    """The security group of its mount targets (``sg-...``): the portal instances' security group is admitted
    there on NFS 2049 (``allow_clients_from_security_group``), and so are listed ranges (``allow_clients_from``)."""

    def __post_init__(self) -> None:
        problems = Problems()
        check_resource_id(self.file_system_id, "fs", f"{WHERE}.file_system_id", problems)
        check_resource_id(self.access_point_id, "fsap", f"{WHERE}.access_point_id", problems)
        check_resource_id(self.security_group_id, "sg", f"{WHERE}.security_group_id", problems)
        problems.raise_if_any()
