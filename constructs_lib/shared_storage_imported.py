"""``ImportedFileSystem``: an existing EFS file system (``ExistingFileSystem``) adopted read-only, exposing
``IFileSystem`` like a built ``SharedFileSystem``; ``PortalDatacenter`` takes either as ``shared_file_system=``."""

from __future__ import annotations

from constructs import Construct

from .network.interface import IDatacenter
from .ports import NFS_PORT
from .service_ingress import AdmitsClients, ServiceIngress
from .shared_storage_existing import ExistingFileSystem


class ImportedFileSystem(Construct, AdmitsClients):
    """An existing file system in ``datacenter``'s VPC, with the attributes of ``IFileSystem`` as given.

    Creates no file system, mount target, access point, policy, backup or replication resource: only the NFS
    ingress rules that ``allow_clients_from`` and ``allow_clients_from_security_group`` add to
    ``file_system.security_group_id`` (ids ``nfs-from-...``, as on a built ``SharedFileSystem``).
    """

    CLIENT_GROUP_DESCRIPTION = "NFS from the API Portal instances"

    def __init__(self, scope: Construct, id: str, *, file_system: ExistingFileSystem, datacenter: IDatacenter) -> None:
        super().__init__(scope, id)
        self.props = file_system
        self.datacenter: IDatacenter = datacenter
        self.region: str = datacenter.region
        self.adopted: bool = True
        self.file_system_id: str = file_system.file_system_id
        self.file_system_dns_name: str = f"{file_system.file_system_id}.efs.{datacenter.region}.amazonaws.com"
        """EFS's standard name, ``<file_system_id>.efs.<region>.amazonaws.com``."""
        self.access_point_id: str = file_system.access_point_id
        self.security_group_id: str = file_system.security_group_id
        self._ingress = ServiceIngress(self, provider=datacenter.provider, security_group_id=self.security_group_id,
                                       port=NFS_PORT, label="nfs", field="file_system client cidr")
