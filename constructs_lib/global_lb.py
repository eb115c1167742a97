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

from collections.abc import Sequence
from typing import TYPE_CHECKING

from constructs import Construct

from .errors import Problems, required
from .global_lb_props import (
    GLOBAL_ACCELERATOR_REGION,
    GlobalEndpoint,
    GlobalLoadBalancerProps,
    endpoint_problems,
)
from .thresholds import PORTAL_PORT

__all__ = ["GLOBAL_ACCELERATOR_REGION", "GlobalEndpoint", "GlobalLoadBalancer", "GlobalLoadBalancerProps"]

if TYPE_CHECKING:
    from cdktf_cdktf_provider_aws.provider import AwsProvider

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
        health_check_ids: datacenter name -> Route 53 health check id (``route53`` kind; else empty); an
            evacuated datacenter keeps its check (tagged ``Evacuated``) but has no record.
        evacuated: the datacenters taken out (``props.evacuated``).
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
        problems.extend(endpoint_problems(props, endpoints))
        problems.raise_if_any()
        super().__init__(scope, id)
        self.props = props
        self.provider = provider
        self.kind: str = props.kind
        self.evacuated: tuple[str, ...] = props.evacuated
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

        zone_name = required(props.effective_zone_name, "_zone runs only with a domain, which gives a zone name")
        zone = Route53Zone(
            self, "zone", provider=self.provider, name=zone_name,
            comment=f"{props.name_prefix}: public zone of {props.domain}", force_destroy=props.zone_force_destroy,
            tags={"Name": f"{props.name_prefix}-{zone_name}"},
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
        domain = required(props.domain, "route53 props have a domain (props validation)")
        zone_id = required(self.zone_id, "a domain gives a zone (_zone ran)")
        for index, endpoint in enumerate(endpoints):
            evacuated = endpoint.name in props.evacuated
            tags = {"Name": f"{props.name_prefix}-{endpoint.name}-nlb"}
            if evacuated:
                tags["Evacuated"] = "true"  # no record routes here: still watched, serves no one
            check = Route53HealthCheck(
                self, f"{endpoint.name}-health-check", provider=self.provider, type="TCP",
                fqdn=endpoint.nlb_dns_name, port=props.health_check_port,
                request_interval=props.health_check_interval, failure_threshold=props.failure_threshold,
                tags=tags,
            )
            check_id: str = check.id
            self.health_check_ids[endpoint.name] = check_id
            if evacuated:
                continue
            latency: Route53RecordLatencyRoutingPolicy | None = None
            failover: Route53RecordFailoverRoutingPolicy | None = None
            if props.routing == "latency":
                latency = Route53RecordLatencyRoutingPolicy(region=endpoint.region)
            else:
                failover = Route53RecordFailoverRoutingPolicy(type="PRIMARY" if index == 0 else "SECONDARY")
            record = Route53Record(
                self, f"{endpoint.name}-record", provider=self.provider, zone_id=zone_id, name=domain,
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
                threshold_count=props.ga_threshold_count,
                traffic_dial_percentage=0 if endpoint.name in props.evacuated else 100,
                endpoint_configuration=[GlobalacceleratorEndpointGroupEndpointConfiguration(
                    endpoint_id=endpoint.nlb_arn, weight=100, client_ip_preservation_enabled=True,
                )],
            )
        if props.domain is not None:
            from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias

            zone_id = required(self.zone_id, "a domain gives a zone (_zone ran)")
            record = Route53Record(
                self, "record", provider=self.provider, zone_id=zone_id, name=props.domain, type="A",
                alias=Route53RecordAlias(name=self.accelerator_dns_name, zone_id=accelerator_zone_id,
                                         evaluate_target_health=False),
            )
            self.record_fqdns.append(record.fqdn)
