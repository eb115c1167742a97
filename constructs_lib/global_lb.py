"""GlobalLoadBalancer: the seed's external load balancer across datacenters.

Two kinds:
- ``route53`` (default): per datacenter a Route 53 TCP health check on its NLB, and an alias A record for the
  portal's domain with latency routing (every healthy datacenter serves its nearest users) or failover routing
  (the first datacenter is primary, the second takes over when the primary's check fails). Records live in a
  new public hosted zone, or in an existing one (``hosted_zone_id``).
- ``global-accelerator``: an AWS Global Accelerator (two static anycast IPs), a TCP listener on 443 with client
  affinity, and one endpoint group per datacenter region holding its NLB, with TCP health checks. With a
  ``domain``, an alias A record points it at the accelerator.

Route 53 and Global Accelerator are global services; ``provider`` is the provider for these resources. Global
Accelerator's API lives only in us-west-2 (:data:`GLOBAL_ACCELERATOR_REGION`): for ``global-accelerator`` the
stack must pass a provider configured for us-west-2 (nothing here can check a provider's region).

The local emulator (moto) has no Global Accelerator: the ``local`` profile must use ``kind="route53"``
(moto runs the public zone, the TCP health checks and latency alias records). Nothing is faked.

Props validation is plain Python; the provider bindings (about 10 s a process) load only when the construct
is built.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdktf import Token
from constructs import Construct

from .errors import Problems, check_name, check_region

if TYPE_CHECKING:
    from cdktf_cdktf_provider_aws.provider import AwsProvider

GLOBAL_ACCELERATOR_REGION = "us-west-2"
"""The only region serving the Global Accelerator API: the provider passed for ``global-accelerator``."""
KINDS = ("route53", "global-accelerator")
ROUTINGS = ("latency", "failover")
ROUTE53_INTERVALS = (10, 30)  # Route 53 health checks: standard (30 s) or fast (10 s) only
GA_INTERVALS = (10, 30)  # Global Accelerator endpoint group health checks: 10 or 30 s only
THRESHOLD_RANGE = (1, 10)
CLIENT_AFFINITIES = ("NONE", "SOURCE_IP")
PORTAL_PORT = 443  # what each datacenter's NLB listens on
HOSTED_ZONE_ID_PATTERN = re.compile(r"^Z[A-Z0-9]{1,31}$")
DNS_LABEL_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_DNS_NAME = 253


def dns_name_problems(value: str, field: str, *, min_labels: int = 2) -> list[str]:
    """Why ``value`` is not a lower-case DNS name (labels of 1-63 of [a-z0-9-], no leading/trailing '-',
    at most 253 characters, at least ``min_labels`` labels, no trailing dot). Empty when it is one."""
    example = "portal.example.com"
    if not isinstance(value, str) or not value:
        return [f"{field} {value!r} is not a DNS name: use a name such as {example}"]
    problems: list[str] = []
    if value != value.lower():
        problems.append(f"{field} {value!r} has upper-case letters: write DNS names in lower case ({value.lower()})")
    if value.endswith("."):
        problems.append(f"{field} {value!r} ends with a dot: write it without the trailing dot")
    if len(value) > MAX_DNS_NAME:
        problems.append(f"{field} {value!r} is {len(value)} characters: DNS names hold at most {MAX_DNS_NAME}")
    labels = value.lower().rstrip(".").split(".")
    bad = [label for label in labels if not DNS_LABEL_PATTERN.match(label)]
    if bad:
        problems.append(
            f"{field} {value!r} has invalid label(s) {bad}: each label is 1 to 63 letters, digits or hyphens, "
            f"not starting or ending with a hyphen (e.g. {example})"
        )
    if len(labels) < min_labels:
        problems.append(f"{field} {value!r} has {len(labels)} label(s): use at least {min_labels}, e.g. {example}")
    return problems


def _known(value: object) -> bool:
    """A plain value that can be checked now (not None, not a cdktf token)."""
    return value is not None and not (isinstance(value, str) and Token.is_unresolved(value))


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

    def __post_init__(self) -> None:
        problems = Problems()
        problems.check(
            self.kind in KINDS,
            f"global_lb.kind {self.kind!r} is not a global load balancer kind: use 'route53' or 'global-accelerator'",
        )
        problems.check(
            self.routing in ROUTINGS,
            f"global_lb.routing {self.routing!r} is not a routing policy: use 'latency' or 'failover'",
        )
        if self.kind == "global-accelerator" and self.routing == "failover":
            problems.add(
                "global_lb.routing 'failover' applies to kind 'route53' only: Global Accelerator always sends users "
                "to the nearest healthy region; leave routing at 'latency' or use kind 'route53'"
            )
        check_name(self.name_prefix, "global_lb.name_prefix", 16, problems)
        self._check_dns(problems)
        problems.check(
            self.health_check_interval in ROUTE53_INTERVALS,
            f"global_lb.health_check_interval {self.health_check_interval!r} is not allowed by Route 53: use 10 "
            "(fast) or 30 (standard)",
        )
        problems.check(
            self.ga_health_check_interval in GA_INTERVALS,
            f"global_lb.ga_health_check_interval {self.ga_health_check_interval!r} is not allowed by Global "
            "Accelerator: use 10 or 30",
        )
        for field in ("failure_threshold", "ga_threshold_count"):
            value = getattr(self, field)
            problems.check(
                isinstance(value, int) and THRESHOLD_RANGE[0] <= value <= THRESHOLD_RANGE[1],
                f"global_lb.{field} {value!r} is out of range: use {THRESHOLD_RANGE[0]} to {THRESHOLD_RANGE[1]} "
                "consecutive checks",
            )
        problems.check(
            isinstance(self.health_check_port, int) and 1 <= self.health_check_port <= 65535,
            f"global_lb.health_check_port {self.health_check_port!r} is not a TCP port: use 1 to 65535 "
            f"(the NLB listens on {PORTAL_PORT})",
        )
        problems.check(
            self.client_affinity in CLIENT_AFFINITIES,
            f"global_lb.client_affinity {self.client_affinity!r} is not a Global Accelerator affinity: use 'NONE' "
            "or 'SOURCE_IP'",
        )
        problems.raise_if_any()

    def _check_dns(self, problems: Problems) -> None:
        if self.domain is None:
            problems.check(
                self.kind != "route53",
                "global_lb.domain is missing: kind 'route53' publishes the portal under a DNS name; set domain, "
                "e.g. portal.example.com",
            )
            if self.hosted_zone_id is not None or self.zone_name is not None:
                problems.add("global_lb.hosted_zone_id/zone_name are set without a domain: set domain, or remove them")
            return
        domain_ok = True
        if _known(self.domain):
            domain_problems = dns_name_problems(self.domain, "global_lb.domain")
            problems.extend(domain_problems)
            domain_ok = not domain_problems
        elif self.zone_name is None and self.hosted_zone_id is None:
            problems.add(
                "global_lb.domain is an unresolved token, so its parent zone cannot be derived: set zone_name "
                "or hosted_zone_id"
            )
        if self.hosted_zone_id is not None and self.zone_force_destroy:
            problems.add(
                "global_lb.hosted_zone_id (an existing zone) and zone_force_destroy (applies to a zone this "
                "construct creates) are both set: an existing zone is never created nor destroyed here; remove "
                "zone_force_destroy, or hosted_zone_id to create the zone"
            )
        if _known(self.hosted_zone_id):
            problems.check(
                bool(HOSTED_ZONE_ID_PATTERN.match(str(self.hosted_zone_id))),
                f"global_lb.hosted_zone_id {self.hosted_zone_id!r} is not a hosted zone id: use the zone's id, "
                "'Z' followed by upper-case letters and digits (e.g. Z0123456789ABCDEFGHIJ)",
            )
        zone_ok = True
        if _known(self.zone_name):
            zone_problems = dns_name_problems(str(self.zone_name), "global_lb.zone_name")
            problems.extend(zone_problems)
            zone_ok = not zone_problems
        zone = self.effective_zone_name
        if (domain_ok and zone_ok and _known(self.domain) and zone is not None
                and (self.zone_name is None or _known(self.zone_name))):
            problems.check(
                self.domain == zone or self.domain.endswith("." + zone),
                f"global_lb.domain {self.domain!r} is outside global_lb.zone_name {zone!r}: records can only be "
                f"made inside their zone; use a domain ending in .{zone}, or a zone_name that contains the domain",
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


def _endpoint_problems(props: GlobalLoadBalancerProps, endpoints: Sequence[GlobalEndpoint]) -> list[str]:
    problems = Problems()
    problems.check(len(endpoints) >= 1, "endpoints is empty: give each datacenter's NLB as a GlobalEndpoint")
    seen_names: dict[str, int] = {}
    seen_regions: dict[str, int] = {}
    for j, endpoint in enumerate(endpoints):
        if not problems.check(
            isinstance(endpoint.name, str) and bool(endpoint.name) and not Token.is_unresolved(endpoint.name),
            f"endpoints[{j}].name {endpoint.name!r} must be a plain, non-empty datacenter name",
        ):
            continue
        if endpoint.name in seen_names:
            problems.add(
                f"endpoints[{j}].name {endpoint.name!r} repeats endpoints[{seen_names[endpoint.name]}].name: each "
                "datacenter is one endpoint; give each its own name"
            )
        seen_names.setdefault(endpoint.name, j)
        if _known(endpoint.region):
            check_region(endpoint.region, f"endpoints[{j}].region", problems)
            if props.kind == "global-accelerator" and endpoint.region in seen_regions:
                i = seen_regions[endpoint.region]
                problems.add(
                    f"endpoints[{j}] ({endpoint.name}) and endpoints[{i}] ({endpoints[i].name}) are both in region "
                    f"{endpoint.region}: Global Accelerator takes one endpoint group per region; use one "
                    "datacenter per region"
                )
            seen_regions.setdefault(endpoint.region, j)
    if props.kind == "route53" and props.routing == "failover":
        fix = ("use routing 'latency' to spread over more than 2 datacenters" if len(endpoints) > 2
               else "add the secondary datacenter's endpoint, or use routing 'latency'")
        problems.check(
            len(endpoints) == 2,
            f"global_lb.routing 'failover' needs exactly 2 endpoints (primary first, then secondary), got "
            f"{len(endpoints)}: {fix}",
        )
    return problems.items


class GlobalLoadBalancer(Construct):
    """Spreads users over datacenters: Route 53 health-checked records, or AWS Global Accelerator.

    ``provider`` is used for every resource here. For ``kind="global-accelerator"`` it must be configured for
    :data:`GLOBAL_ACCELERATOR_REGION` (us-west-2), the only region serving that API. Global Accelerator does
    not exist on the local emulator (moto): a ``local`` profile must keep ``kind="route53"``.

    Attributes:
        kind, domain: from the props (``domain`` may be None for Global Accelerator).
        zone_id: the created zone's id (token) or ``hosted_zone_id``; None when no record is made.
        zone_name_servers: the created zone's name servers (token list) to delegate to; None otherwise.
        record_fqdns: FQDNs of the records made (tokens), one per record.
        health_check_ids: datacenter name -> Route 53 health check id (``route53`` kind; else empty).
        accelerator_dns_name, accelerator_ips: the accelerator's DNS name and static IPs (GA kind; else None).
        detection_interval_seconds, detection_failure_threshold: how often an endpoint is checked and how many
            consecutive failures take it out (Route 53 or Global Accelerator values), as ints;
            detection_time_seconds is their product, the worst-case time to notice a failed datacenter.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: GlobalLoadBalancerProps,
        endpoints: Sequence[GlobalEndpoint],
        provider: AwsProvider,
    ) -> None:
        endpoints = list(endpoints)
        problems = Problems()
        problems.extend(_endpoint_problems(props, endpoints))
        problems.raise_if_any()
        super().__init__(scope, id)
        self.props = props
        self.provider = provider
        self.kind: str = props.kind
        self.domain: str | None = props.domain
        self.zone_id: str | None = None
        self.zone_name_servers: list[str] | None = None
        self.record_fqdns: list[str] = []
        self.health_check_ids: dict[str, str] = {}
        self.accelerator_dns_name: str | None = None
        self.accelerator_ips: list[str] | None = None
        if props.kind == "route53":
            self.detection_interval_seconds: int = props.health_check_interval
            self.detection_failure_threshold: int = props.failure_threshold
        else:
            self.detection_interval_seconds = props.ga_health_check_interval
            self.detection_failure_threshold = props.ga_threshold_count
        self.detection_time_seconds: int = self.detection_interval_seconds * self.detection_failure_threshold

        if props.domain is not None:
            self._zone()
        if props.kind == "route53":
            self._route53(endpoints)
        else:
            self._global_accelerator(endpoints)

    def _zone(self) -> None:
        props = self.props
        if props.hosted_zone_id is not None:
            self.zone_id = props.hosted_zone_id
            return
        from cdktf_cdktf_provider_aws.route53_zone import Route53Zone

        zone_name = props.effective_zone_name
        assert zone_name is not None  # _zone runs only with a domain, which gives a zone name
        zone = Route53Zone(
            self, "zone", provider=self.provider, name=zone_name,
            comment=f"{props.name_prefix}: public zone of {props.domain}", force_destroy=props.zone_force_destroy,
            tags={"Name": f"{props.name_prefix}-{props.effective_zone_name}"},
        )
        self.zone_id = zone.zone_id
        self.zone_name_servers = zone.name_servers

    def _route53(self, endpoints: list[GlobalEndpoint]) -> None:
        from cdktf_cdktf_provider_aws.route53_health_check import Route53HealthCheck
        from cdktf_cdktf_provider_aws.route53_record import (
            Route53Record,
            Route53RecordAlias,
            Route53RecordFailoverRoutingPolicy,
            Route53RecordLatencyRoutingPolicy,
        )

        props = self.props
        assert props.domain is not None and self.zone_id is not None  # props validation guarantees both
        for index, endpoint in enumerate(endpoints):
            check = Route53HealthCheck(
                self, f"{endpoint.name}-health-check", provider=self.provider, type="TCP",
                fqdn=endpoint.nlb_dns_name, port=props.health_check_port,
                request_interval=props.health_check_interval, failure_threshold=props.failure_threshold,
                tags={"Name": f"{props.name_prefix}-{endpoint.name}-nlb"},
            )
            check_id: str = check.id
            self.health_check_ids[endpoint.name] = check_id
            latency: Route53RecordLatencyRoutingPolicy | None = None
            failover: Route53RecordFailoverRoutingPolicy | None = None
            if props.routing == "latency":
                latency = Route53RecordLatencyRoutingPolicy(region=endpoint.region)
            else:
                failover = Route53RecordFailoverRoutingPolicy(type="PRIMARY" if index == 0 else "SECONDARY")
            record = Route53Record(
                self, f"{endpoint.name}-record", provider=self.provider, zone_id=self.zone_id, name=props.domain,
                type="A", set_identifier=endpoint.name, health_check_id=check_id,
                alias=Route53RecordAlias(name=endpoint.nlb_dns_name, zone_id=endpoint.nlb_zone_id,
                                         evaluate_target_health=True),
                latency_routing_policy=latency, failover_routing_policy=failover,
            )
            self.record_fqdns.append(record.fqdn)

    def _global_accelerator(self, endpoints: list[GlobalEndpoint]) -> None:
        from cdktf_cdktf_provider_aws.globalaccelerator_accelerator import (
            GlobalacceleratorAccelerator,
            GlobalacceleratorAcceleratorAttributes,
        )
        from cdktf_cdktf_provider_aws.globalaccelerator_endpoint_group import (
            GlobalacceleratorEndpointGroup,
            GlobalacceleratorEndpointGroupEndpointConfiguration,
        )
        from cdktf_cdktf_provider_aws.globalaccelerator_listener import (
            GlobalacceleratorListener,
            GlobalacceleratorListenerPortRange,
        )

        props = self.props
        if props.ga_flow_logs_bucket is None:
            attributes = GlobalacceleratorAcceleratorAttributes(flow_logs_enabled=False)
        else:
            attributes = GlobalacceleratorAcceleratorAttributes(
                flow_logs_enabled=True, flow_logs_s3_bucket=props.ga_flow_logs_bucket,
                flow_logs_s3_prefix=f"{props.name_prefix}/global-accelerator/",
            )
        name = f"{props.name_prefix}-global"
        accelerator = GlobalacceleratorAccelerator(
            self, "accelerator", provider=self.provider, name=name, ip_address_type="IPV4", enabled=True,
            attributes=attributes, tags={"Name": name},
        )
        self.accelerator_dns_name = accelerator.dns_name
        self.accelerator_ips = accelerator.ip_sets.get(0).ip_addresses
        accelerator_zone_id: str = accelerator.hosted_zone_id
        listener = GlobalacceleratorListener(
            self, "listener", provider=self.provider, accelerator_arn=accelerator.id, protocol="TCP",
            port_range=[GlobalacceleratorListenerPortRange(from_port=PORTAL_PORT, to_port=PORTAL_PORT)],
            client_affinity=props.client_affinity,
        )
        listener_arn: str = listener.id
        for endpoint in endpoints:
            GlobalacceleratorEndpointGroup(
                self, f"{endpoint.name}-endpoint-group", provider=self.provider, listener_arn=listener_arn,
                endpoint_group_region=endpoint.region, health_check_protocol="TCP",
                health_check_port=props.health_check_port,
                health_check_interval_seconds=props.ga_health_check_interval,
                threshold_count=props.ga_threshold_count, traffic_dial_percentage=100,
                endpoint_configuration=[GlobalacceleratorEndpointGroupEndpointConfiguration(
                    endpoint_id=endpoint.nlb_arn, weight=100, client_ip_preservation_enabled=True,
                )],
            )
        if props.domain is not None:
            from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias

            assert self.zone_id is not None
            record = Route53Record(
                self, "record", provider=self.provider, zone_id=self.zone_id, name=props.domain, type="A",
                alias=Route53RecordAlias(name=self.accelerator_dns_name, zone_id=accelerator_zone_id,
                                         evaluate_target_health=False),
            )
            self.record_fqdns.append(record.fqdn)
