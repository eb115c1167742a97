"""The props of the global load balancer (``GlobalLoadBalancerProps``) and of each datacenter's entry point
behind it (``GlobalEndpoint``), with their validation. Plain Python: no provider bindings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import Problem, Problems, Ref
from .thresholds import PORTAL_PORT
from .validation import check_name, check_region, dns_name_problems, known

GLOBAL_ACCELERATOR_REGION = "us-west-2"
"""The only region serving the Global Accelerator API: the provider passed for ``global-accelerator``."""
KINDS = ("route53", "global-accelerator")
ROUTINGS = ("latency", "failover")
ROUTE53_INTERVALS = (10, 30)  # Route 53 health checks: standard (30 s) or fast (10 s) only
GA_INTERVALS = (10, 30)  # Global Accelerator endpoint group health checks: 10 or 30 s only
THRESHOLD_RANGE = (1, 10)
CLIENT_AFFINITIES = ("NONE", "SOURCE_IP")
HOSTED_ZONE_ID_PATTERN = re.compile(r"^Z[A-Z0-9]{1,31}$")


@dataclass(frozen=True, kw_only=True)
class GlobalEndpoint:
    """One datacenter's entry point (its internet-facing NLB). Values other than ``name`` may be tokens."""

    name: str
    """Datacenter name: the record's set identifier and part of resource names."""
    region: str
    """Datacenter region: latency routing region, or Global Accelerator endpoint group region."""
    nlb_arn: str
    """NLB ARN (the Global Accelerator endpoint id)."""
    nlb_dns_name: str
    """NLB DNS name (Route 53 alias target and health-checked name)."""
    nlb_zone_id: str
    """NLB canonical hosted zone id (Route 53 alias target zone)."""


@dataclass(frozen=True, kw_only=True)
class GlobalLoadBalancerProps:
    """How traffic is spread over datacenters. Every default is the production choice."""

    kind: str = "route53"
    """``route53`` or ``global-accelerator``. Default: Route 53 records with health checks (runs on moto)."""
    domain: str | None = None
    """The portal's DNS name, e.g. ``portal.example.com``. Required for ``route53``; optional for
    ``global-accelerator``. Default: none (only valid with ``global-accelerator``: no DNS record, clients use
    the accelerator's DNS name or static IPs)."""
    hosted_zone_id: str | None = None
    """Existing hosted zone for the records (``Z...``): no zone resource is created, the records go in it.
    Default: a new public zone named ``zone_name`` is created."""
    zone_name: str | None = None
    """Name of the new public zone (or, with ``hosted_zone_id``, of the existing one, used to check that the
    domain lies in it). Default: the domain's parent (``example.com`` for ``portal.example.com``), or the
    domain itself when it has only two labels."""
    zone_force_destroy: bool = False
    """Lab teardown: let ``destroy`` delete a created zone that still holds records made outside Terraform.
    Default: off, so such records are never deleted by accident. A ``ConfigError`` with ``hosted_zone_id``:
    an existing zone is never created nor destroyed here."""
    routing: str = "latency"
    """Route 53 routing: ``latency`` (every healthy datacenter serves its nearest users) or ``failover``
    (exactly 2 endpoints, the first primary). Default: latency, active-active as the seed requires."""
    health_check_interval: int = 10
    """Route 53 health check request interval in seconds, 10 or 30. Default: 10 (fast checks)."""
    failure_threshold: int = 3
    """Consecutive failed Route 53 checks before an endpoint is unhealthy, 1 to 10. Default: 3."""
    health_check_port: int = PORTAL_PORT
    """TCP port checked on each NLB (Route 53 and Global Accelerator). Default: 443, the NLB listener."""
    client_affinity: str = "SOURCE_IP"
    """Global Accelerator client affinity, ``NONE`` or ``SOURCE_IP``. Default: SOURCE_IP, so a user keeps
    reaching the same datacenter (the seed's local-storage layout relies on stickiness)."""
    ga_health_check_interval: int = 10
    """Global Accelerator health check interval in seconds, 10 or 30. Default: 10."""
    ga_threshold_count: int = 3
    """Global Accelerator consecutive checks to change an endpoint's health, 1 to 10. Default: 3."""
    ga_flow_logs_bucket: str | None = None
    """S3 bucket for Global Accelerator flow logs. Default: none, flow logs off."""
    name_prefix: str = "portal"
    """Prefix of resource names and Name tags. Default: ``portal``."""
    evacuated: tuple[str, ...] = ()
    """Datacenters taken out of the global load balancer for maintenance, by name: nothing of theirs is
    destroyed. Route 53: their record is removed (their health check stays, so they are still watched);
    Global Accelerator: their endpoint group's traffic dial goes to 0. At least one datacenter keeps serving.
    Default: none, every datacenter serves (``portal-ha evacuate`` / ``restore`` edit this list)."""

    def __post_init__(self) -> None:
        problems = Problems()
        problems.check(
            self.kind in KINDS,
            Problem("global_lb.kind", self.kind,
                    "is not a global load balancer kind: use 'route53' or 'global-accelerator'"),
        )
        problems.check(
            self.routing in ROUTINGS,
            Problem("global_lb.routing", self.routing, "is not a routing policy: use 'latency' or 'failover'"),
        )
        if self.kind == "global-accelerator" and self.routing == "failover":
            problems.add(Problem(
                "global_lb.routing", "failover", "applies to kind 'route53' only: Global Accelerator always sends "
                "users to the nearest healthy region; leave routing at 'latency' or use kind 'route53'"
            ))
        check_name(self.name_prefix, "global_lb.name_prefix", 16, problems)
        self._check_dns(problems)
        problems.check(
            self.health_check_interval in ROUTE53_INTERVALS,
            Problem("global_lb.health_check_interval", self.health_check_interval,
                    "is not allowed by Route 53: use 10 (fast) or 30 (standard)"),
        )
        problems.check(
            self.ga_health_check_interval in GA_INTERVALS,
            Problem("global_lb.ga_health_check_interval", self.ga_health_check_interval,
                    "is not allowed by Global Accelerator: use 10 or 30"),
        )
        for field in ("failure_threshold", "ga_threshold_count"):
            value = getattr(self, field)
            problems.check(
                isinstance(value, int) and THRESHOLD_RANGE[0] <= value <= THRESHOLD_RANGE[1],
                Problem(f"global_lb.{field}", value,
                        f"is out of range: use {THRESHOLD_RANGE[0]} to {THRESHOLD_RANGE[1]} consecutive checks"),
            )
        problems.check(
            isinstance(self.health_check_port, int) and 1 <= self.health_check_port <= 65535,
            Problem("global_lb.health_check_port", self.health_check_port,
                    f"is not a TCP port: use 1 to 65535 (the NLB listens on {PORTAL_PORT})"),
        )
        problems.check(
            self.client_affinity in CLIENT_AFFINITIES,
            Problem("global_lb.client_affinity", self.client_affinity,
                    "is not a Global Accelerator affinity: use 'NONE' or 'SOURCE_IP'"),
        )
        evacuated = self.evacuated
        if not (isinstance(evacuated, tuple) and all(isinstance(n, str) and n for n in evacuated)):
            problems.add(Problem("global_lb.evacuated", evacuated, "is not a list of datacenter names: use for "
                                 "example ['dc2'], or [] when every datacenter serves"))
        elif len(set(evacuated)) < len(evacuated):
            problems.add(Problem("global_lb.evacuated", list(evacuated), "names a datacenter twice: name each once"))
        problems.raise_if_any()

    def _check_dns(self, problems: Problems) -> None:
        if self.domain is None:
            problems.check(
                self.kind != "route53",
                Problem("global_lb.domain", fix="is missing: kind 'route53' publishes the portal under a DNS name; "
                        "set domain, e.g. portal.example.com"),
            )
            if self.hosted_zone_id is not None or self.zone_name is not None:
                problems.add(Problem("global_lb.hosted_zone_id", sep="/",
                                     fix="zone_name are set without a domain: set domain, or remove them"))
            return
        domain_ok = True
        if known(self.domain):
            domain_problems = dns_name_problems(self.domain, "global_lb.domain")
            problems.extend(domain_problems)
            domain_ok = not domain_problems
        elif self.zone_name is None and self.hosted_zone_id is None:
            problems.add(Problem(
                "global_lb.domain", fix="is an unresolved token, so its parent zone cannot be derived: set zone_name "
                "or hosted_zone_id"
            ))
        if self.hosted_zone_id is not None and self.zone_force_destroy:
            problems.add(Problem(
                "global_lb.hosted_zone_id", fix="(an existing zone) and zone_force_destroy (applies to a zone this "
                "construct creates) are both set: an existing zone is never created nor destroyed here; remove "
                "zone_force_destroy, or hosted_zone_id to create the zone"
            ))
        if self.hosted_zone_id is not None and known(self.hosted_zone_id):
            problems.check(
                bool(HOSTED_ZONE_ID_PATTERN.match(str(self.hosted_zone_id))),
                Problem("global_lb.hosted_zone_id", self.hosted_zone_id, "is not a hosted zone id: use the zone's "
                        "id, 'Z' followed by upper-case letters and digits (e.g. Z0123456789ABCDEFGHIJ)"),
            )
        zone_ok = True
        if self.zone_name is not None and known(self.zone_name):
            zone_problems = dns_name_problems(str(self.zone_name), "global_lb.zone_name")
            problems.extend(zone_problems)
            zone_ok = not zone_problems
        zone = self.effective_zone_name
        if (domain_ok and zone_ok and known(self.domain) and zone is not None
                and (self.zone_name is None or known(self.zone_name))):
            problems.check(
                self.domain == zone or self.domain.endswith("." + zone),
                Problem("global_lb.domain", self.domain,
                        f"is outside {{0}} {zone!r}: records can only be made inside their zone; use a domain ending "
                        f"in .{zone}, or a zone_name that contains the domain", refs=(Ref("global_lb.zone_name"),)),
            )

    @property
    def effective_zone_name(self) -> str | None:
        """The zone the records go in: ``zone_name``, else the domain's parent (or the domain if 2 labels)."""
        if self.zone_name is not None:
            return self.zone_name
        if self.domain is None:
            return None
        labels = self.domain.split(".")
        return ".".join(labels[1:]) if len(labels) > 2 else self.domain


def endpoint_problems(props: GlobalLoadBalancerProps, endpoints: Sequence[GlobalEndpoint]) -> list[Problem]:
    problems = Problems()
    problems.check(len(endpoints) >= 1, Problem("endpoints", fix="is empty: give each datacenter's NLB as a "
                                                                 "GlobalEndpoint"))
    seen_names: dict[str, int] = {}
    seen_regions: dict[str, int] = {}
    for j, endpoint in enumerate(endpoints):
        if not problems.check(
            isinstance(endpoint.name, str) and bool(endpoint.name) and known(endpoint.name),
            Problem(f"endpoints[{j}].name", endpoint.name, "must be a plain, non-empty datacenter name"),
        ):
            continue
        if endpoint.name in seen_names:
            problems.add(Problem(
                f"endpoints[{j}].name", endpoint.name, "repeats {0}: each datacenter is one endpoint; give each its "
                "own name", refs=(Ref(f"endpoints[{seen_names[endpoint.name]}].name"),)
            ))
        seen_names.setdefault(endpoint.name, j)
        if known(endpoint.region):
            check_region(endpoint.region, f"endpoints[{j}].region", problems)
            if props.kind == "global-accelerator" and endpoint.region in seen_regions:
                i = seen_regions[endpoint.region]
                problems.add(Problem(
                    f"endpoints[{j}]", fix=f"({endpoint.name}) and {{0}} ({endpoints[i].name}) are both in region "
                    f"{endpoint.region}: Global Accelerator takes one endpoint group per region; use one "
                    "datacenter per region", refs=(Ref(f"endpoints[{i}]"),)
                ))
            seen_regions.setdefault(endpoint.region, j)
    problems.extend(evacuation_problems(props.evacuated, [e.name for e in endpoints]))
    if props.kind == "route53" and props.routing == "failover":
        fix = ("use routing 'latency' to spread over more than 2 datacenters" if len(endpoints) > 2
               else "add the secondary datacenter's endpoint, or use routing 'latency'")
        problems.check(
            len(endpoints) == 2,
            Problem("global_lb.routing", "failover", f"needs exactly 2 endpoints (primary first, then secondary), "
                    f"got {len(endpoints)}: {fix}"),
        )
    return problems.items


def evacuation_problems(evacuated: Sequence[str], names: Sequence[str]) -> list[Problem]:
    """``global_lb.evacuated`` against the datacenters: each one known, and at least one left serving."""
    problems = Problems()
    for name in evacuated:
        problems.check(name in names, Problem("global_lb.evacuated", name,
                                              f"is not a datacenter: use one of {', '.join(names)}"))
    if names and set(names) <= set(evacuated):
        problems.add(Problem("global_lb.evacuated", fix=f"lists every datacenter ({', '.join(names)}): the portal "
                             "would serve no one; at least one datacenter must keep serving (restore one first)"))
    return problems.items
