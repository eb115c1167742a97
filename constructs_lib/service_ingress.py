"""Ingress of one service port (NFS 2049, MySQL 3306) on a data-tier security group.

Shared by ``SharedFileSystem`` and ``DatabaseCluster``: clients are admitted by security group (the portal
fleet's, same VPC) or by CIDR (peer datacenters' DMZ ranges: groups cannot be referenced across regions),
each CIDR once, and never the whole internet.
"""

from __future__ import annotations

from typing import ClassVar

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .errors import Problems
from .validation import check_client_cidr, construct_id

# Security-group rules that reference another group carry their purpose as a ``Name`` tag rather than a
# ``description``: moto 5.2 drops the description of such rules, which would show as drift on every plan.
SG_REFERENCE_NOTE = "rules referencing a security group are described by their Name tag"


class ServiceIngress:
    """Adds the ingress rules of one port to one security group; rule construct ids are ``<label>-from-...``."""

    def __init__(self, scope: Construct, *, provider: TerraformProvider, security_group_id: str, port: int,
                 label: str, field: str) -> None:
        self._scope, self._provider = scope, provider
        self._security_group_id, self._port, self._label, self._field = security_group_id, port, label, field
        self._cidrs: set[str] = set()
        self._groups = 0

    def allow_cidr(self, cidr: str, description: str) -> None:
        """Admit ``cidr`` once (a repeated CIDR adds nothing); 0.0.0.0/0 is a ConfigError."""
        problems = Problems()
        check_client_cidr(cidr, self._field, problems)
        problems.raise_if_any()
        if cidr in self._cidrs:
            return
        self._cidrs.add(cidr)
        VpcSecurityGroupIngressRule(
            self._scope, f"{self._label}-from-{construct_id(cidr)}", provider=self._provider,
            security_group_id=self._security_group_id, ip_protocol="tcp", from_port=self._port,
            to_port=self._port, cidr_ipv4=cidr, description=description,
        )

    def allow_security_group(self, security_group_id: str, description: str) -> None:
        """Admit a security group of the same VPC. Its purpose goes in a Name tag (SG_REFERENCE_NOTE)."""
        n = self._groups
        self._groups += 1
        VpcSecurityGroupIngressRule(
            self._scope, f"{self._label}-from-sg-{n}", provider=self._provider,
            security_group_id=self._security_group_id, ip_protocol="tcp", from_port=self._port,
            to_port=self._port, referenced_security_group_id=security_group_id, tags={"Name": description},
        )


class AdmitsClients:
    """The public half of a data-tier service's ingress, the same whether the service was built here or adopted
    (``SharedFileSystem``/``ImportedFileSystem``, ``DatabaseCluster``/``ImportedDatabaseCluster``): the class sets
    ``_ingress`` and says what its port serves in ``CLIENT_GROUP_DESCRIPTION``."""

    _ingress: ServiceIngress
    CLIENT_GROUP_DESCRIPTION: ClassVar[str]
    """The Name tag of a rule admitting a security group when the caller gives none (``NFS from ...``)."""

    def allow_clients_from(self, cidr: str, description: str) -> None:
        """Admit ``cidr`` on the service's port (for example a peer datacenter's DMZ range). Never 0.0.0.0/0."""
        self._ingress.allow_cidr(cidr, description)

    def allow_clients_from_security_group(self, security_group_id: str, description: str | None = None) -> None:
        """Admit a security group of the same VPC (the portal fleet's) on the service's port; ``description``
        defaults to ``CLIENT_GROUP_DESCRIPTION``."""
        self._ingress.allow_security_group(security_group_id, description or self.CLIENT_GROUP_DESCRIPTION)
