"""The API Manager that API Portal connects to, and the only egress the portal instances get for it.

Axway's ``apim_installation/apiportal_install/connect_to_apimgr.md``: API Portal connects to API Manager over
TLS, on API Manager's port (8075 by default). The props name where it is (``host``), its port, and the ranges it
lives in: ``PortalFleet`` opens that port to exactly those ranges, and nothing else. Importing this module loads
no provider binding.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .errors import Problem, Problems
from .validation import OPEN_TO_THE_WORLD, dns_name_problems, is_int, known, parse_network

DEFAULT_API_MANAGER_PORT = 8075
"""API Manager's port (Axway, connect_to_apimgr.md)."""
WHERE = "fleet.api_manager"


@dataclass(frozen=True, kw_only=True)
class ApiManagerProps:
    """Where the portal's API Manager is. Every field is checked; the egress it opens is exactly ``cidrs``."""

    host: str
    """API Manager's host: a DNS name (``apimanager.example.com``) or an IPv4 address. Required."""
    port: int = DEFAULT_API_MANAGER_PORT
    """API Manager's port. Default: 8075, Axway's."""
    cidrs: tuple[str, ...]
    """The ranges API Manager lives in (its instances, or its load balancer's subnets): the portal instances
    may open ``port`` to these and to nothing else. Required, at least one; never 0.0.0.0/0."""

    def __post_init__(self) -> None:
        problems = Problems()
        self._check_host(problems)
        problems.check(is_int(self.port) and 1 <= self.port <= 65535,
                       Problem(f"{WHERE}.port", self.port, "is out of range: use a TCP port from 1 to 65535 "
                               f"(API Manager's default is {DEFAULT_API_MANAGER_PORT})"))
        cidrs = self.cidrs
        if not isinstance(cidrs, tuple) or not cidrs:
            problems.add(Problem(f"{WHERE}.cidrs", fix="is empty: list the ranges API Manager lives in (its "
                                 "instances or its load balancer's subnets), for example 10.50.0.0/24"))
        else:
            for i, cidr in enumerate(cidrs):
                self._check_range(cidr, f"{WHERE}.cidrs[{i}]", problems)
        problems.raise_if_any()

    @staticmethod
    def _check_range(cidr: str, field: str, problems: Problems) -> None:
        if not known(cidr):
            return
        net = parse_network(cidr, field, problems)
        problems.check(net != OPEN_TO_THE_WORLD, Problem(
            field, cidr, "would open API Manager's port to the whole internet: list the ranges API Manager lives "
            "in, never 0.0.0.0/0", literal=False))

    def _check_host(self, problems: Problems) -> None:
        host = self.host
        if not known(host):
            return
        if isinstance(host, str):
            try:
                ipaddress.IPv4Address(host)
                return
            except ValueError:
                pass
            if not dns_name_problems(host, f"{WHERE}.host"):
                return
        problems.add(Problem(f"{WHERE}.host", host, "is neither a DNS name nor an IPv4 address: use API "
                             "Manager's name, such as apimanager.example.com, or its address"))
