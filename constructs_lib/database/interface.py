"""``IDatabaseCluster``: what ``PortalDatacenter`` and a stack's outputs read from a database cluster, whether it
was built here (``DatabaseCluster``, standalone or a ``GlobalDatabase`` member) or adopted
(``ImportedDatabaseCluster``), in the manner of aws-cdk's ``rds.IDatabaseCluster``."""

from __future__ import annotations

from typing import Protocol

from ..network.interface import IDatacenter


class IDatabaseCluster(Protocol):
    """One Aurora MySQL cluster in one datacenter's VPC. Identifiers and endpoints may be cdktf tokens."""

    @property
    def datacenter(self) -> IDatacenter:
        """The datacenter whose internal subnets hold the cluster."""
        ...

    @property
    def region(self) -> str: ...

    @property
    def adopted(self) -> bool:
        """True for an existing cluster (nothing of it was created)."""
        ...

    @property
    def cluster_identifier(self) -> str: ...

    @property
    def db_writer_endpoint(self) -> str: ...

    @property
    def db_reader_endpoint(self) -> str: ...

    @property
    def db_port(self) -> int: ...

    @property
    def db_secret_arn(self) -> str | None:
        """The Secrets Manager secret of the master credentials; None when an adopted cluster names none."""
        ...

    @property
    def security_group_id(self) -> str:
        """The cluster's security group, where clients are admitted on ``db_port``."""
        ...

    def allow_clients_from(self, cidr: str, description: str) -> None:
        """Admit ``cidr`` on the cluster's port (for example a peer datacenter's DMZ range). Never 0.0.0.0/0."""
        ...

    def allow_clients_from_security_group(self, security_group_id: str, description: str = ...) -> None:
        """Admit a security group of the same VPC (the portal fleet's) on the cluster's port."""
        ...
