"""``IFileSystem``: what a datacenter's instances and ``PortalDatacenter`` read from a shared file system, whether
it was built here (``SharedFileSystem``) or adopted (``ImportedFileSystem``), in the manner of aws-cdk's
``efs.IFileSystem``."""

from __future__ import annotations

from typing import Protocol

from .network.interface import IDatacenter


class IFileSystem(Protocol):
    """One EFS file system in one datacenter's VPC, mounted through an access point. Ids may be cdktf tokens."""

    @property
    def datacenter(self) -> IDatacenter:
        """The datacenter whose internal subnets hold the mount targets."""
        ...

    @property
    def region(self) -> str:
        """The datacenter's region: amazon-efs-utils resolves ``<file_system_id>.efs.<region>.amazonaws.com``."""
        ...

    @property
    def adopted(self) -> bool:
        """True for an existing file system (nothing of it was created)."""
        ...

    @property
    def file_system_id(self) -> str: ...

    @property
    def file_system_dns_name(self) -> str: ...

    @property
    def access_point_id(self) -> str:
        """The access point the portal instances mount through."""
        ...

    @property
    def security_group_id(self) -> str:
        """The mount targets' security group, where clients are admitted on NFS 2049."""
        ...

    def allow_clients_from(self, cidr: str, description: str) -> None:
        """Admit ``cidr`` on NFS 2049 (for example a peer datacenter's DMZ range). Never 0.0.0.0/0."""
        ...

    def allow_clients_from_security_group(self, security_group_id: str, description: str = ...) -> None:
        """Admit a security group in the same VPC (the portal fleet's) on NFS 2049."""
        ...
