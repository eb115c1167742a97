"""Ingress of one service port (NFS 2049, MySQL 3306) on a data-tier security group.

Shared by ``SharedFileSystem`` and ``DatabaseCluster``: clients are admitted by security group (the portal
fleet's, same VPC) or by CIDR (peer datacenters' DMZ ranges: groups cannot be referenced across regions),
each CIDR once, and never the whole internet.
"""

from __future__ import annotations

import ipaddress

from cdktf import TerraformProvider, Token
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .errors import Problems, parse_network

OPEN_TO_THE_WORLD = ipaddress.IPv4Network("0.0.0.0/0")


def check_client_cidr(cidr: str, field: str, problems: Problems) -> None:
    """A client range: a valid IPv4 CIDR and never the whole internet."""
    if Token.is_unresolved(cidr):
        return
    net = parse_network(cidr, field, problems)
    if net is not None:
        problems.check(
            net != OPEN_TO_THE_WORLD,
            f"{field} {cidr} opens the port to the whole internet: list the client ranges (for example the "
            "DMZ subnets of peer datacenters), never 0.0.0.0/0",
        )


def cidr_id(cidr: str) -> str:
    """A CIDR as a construct id fragment (ids may not hold '/')."""
    return cidr.replace("/", "_")


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
            self._scope, f"{self._label}-from-{cidr_id(cidr)}", provider=self._provider,
            security_group_id=self._security_group_id, ip_protocol="tcp", from_port=self._port,
            to_port=self._port, cidr_ipv4=cidr, description=description,
        )

    def allow_security_group(self, security_group_id: str, description: str) -> None:
        """Admit a security group of the same VPC. Its purpose goes in a Name tag (errors.SG_REFERENCE_NOTE)."""
        n = self._groups
        self._groups += 1
        VpcSecurityGroupIngressRule(
            self._scope, f"{self._label}-from-sg-{n}", provider=self._provider,
            security_group_id=self._security_group_id, ip_protocol="tcp", from_port=self._port,
            to_port=self._port, referenced_security_group_id=security_group_id, tags={"Name": description},
        )
