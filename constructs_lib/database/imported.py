"""``ImportedDatabaseCluster``: an existing Aurora MySQL cluster (``ExistingDatabaseCluster``) adopted read-only,
exposing ``IDatabaseCluster`` like a built ``DatabaseCluster``; ``PortalDatacenter`` takes either as
``database_cluster=``."""

from __future__ import annotations

from constructs import Construct

from ..network.interface import IDatacenter
from ..service_ingress import AdmitsClients, ServiceIngress
from .existing import ExistingDatabaseCluster


class ImportedDatabaseCluster(Construct, AdmitsClients):
    """An existing cluster in ``datacenter``'s VPC, with the attributes of ``IDatabaseCluster`` as given.

    Creates no cluster, instance, subnet group, parameter group, secret or role: only the ingress rules that
    ``allow_clients_from`` and ``allow_clients_from_security_group`` add to ``cluster.security_group_id`` on
    ``cluster.db_port`` (ids ``mysql-from-...``, as on a built ``DatabaseCluster``).
    """

    CLIENT_GROUP_DESCRIPTION = "MySQL from the API Portal instances"

    def __init__(self, scope: Construct, id: str, *, cluster: ExistingDatabaseCluster, datacenter: IDatacenter) -> None:
        super().__init__(scope, id)
        self.props = cluster
        self.datacenter: IDatacenter = datacenter
        self.region: str = datacenter.region
        self.adopted: bool = True
        self.cluster_identifier: str = cluster.cluster_identifier
        self.db_writer_endpoint: str = cluster.db_writer_endpoint
        self.db_reader_endpoint: str = cluster.db_reader_endpoint
        self.db_port: int = cluster.db_port
        self.db_secret_arn: str | None = cluster.db_secret_arn
        self.security_group_id: str = cluster.security_group_id
        self._ingress = ServiceIngress(self, provider=datacenter.provider, security_group_id=self.security_group_id,
                                       port=cluster.db_port, label="mysql", field="database client cidr")
