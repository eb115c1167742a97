"""DatacenterLoadBalancer: the seed's load balancer outside the external firewall, as an internet-facing NLB.

- A network load balancer in the datacenter's public subnets, cross-zone, with its own security group:
  443 in from ``allowed_cidrs``, 443 out to the DMZ subnets only (traffic and health checks).
- A listener on 443: TCP pass-through by default (Apache terminates TLS), or TLS termination with an ACM
  certificate, re-encrypting to the instances.
- A target group of portal instances on 443 with fast TCP health checks (the seed: "the load balancer performs
  TCP checks ... and redirects traffic to another available instance"), and optional source-IP stickiness
  (multi-dc-local: it limits the "attachment not visible after reload" effect of local storage).

Instances are attached later with ``attach_instances``, because the fleet needs this load balancer's security
group id first.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction
from cdktf_cdktf_provider_aws.lb_target_group import (
    LbTargetGroup,
    LbTargetGroupHealthCheck,
    LbTargetGroupStickiness,
)
from cdktf_cdktf_provider_aws.lb_target_group_attachment import LbTargetGroupAttachment
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from .errors import Problems
from .network.interface import IDatacenter
from .thresholds import PORTAL_PORT
from .validation import construct_id, is_int, known

HTTPS = PORTAL_PORT
MAX_LB_NAME = 32  # AWS: load balancer and target group names
LB_NAME_PATTERN = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")
ACM_ARN_PATTERN = re.compile(
    r"^arn:aws[-a-z]*:acm:([a-z]{2}(?:-gov|-iso|-isob)?-[a-z]+-\d):(\d{12}):certificate/[A-Za-z0-9-]+$"
)
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# AWS limits for network load balancer TCP health checks.
INTERVAL_RANGE = (5, 300)
THRESHOLD_RANGE = (2, 10)
TIMEOUT_RANGE = (2, 120)
DEREGISTRATION_RANGE = (0, 3600)


def _name_problems(base: str, field: str, fix: str) -> list[str]:
    problems: list[str] = []
    for what, name in (("load balancer", f"{base}-nlb"), ("target group", f"{base}-tg")):
        if not LB_NAME_PATTERN.match(name):
            problems.append(
                f"{field} {base!r} gives the {what} name {name!r}, which AWS rejects: names allow only "
                f"letters, digits and hyphens, and may not start or end with a hyphen; {fix}"
            )
        elif len(name) > MAX_LB_NAME:
            problems.append(
                f"{field} {base!r} gives the {what} name {name!r} of {len(name)} characters, above the AWS "
                f"limit of {MAX_LB_NAME}: {fix}"
            )
        elif name.startswith("internal-"):
            problems.append(f"{field} {base!r} gives the {what} name {name!r}: AWS reserves the prefix "
                            f"'internal-'; {fix}")
    return problems


@dataclass(frozen=True, kw_only=True)
class DatacenterLoadBalancerProps:
    """A datacenter's load balancer. Every default is the HA and production choice; lab options are explicit.
    """

    name: str | None = None
    """Base of the NLB (``{name}-nlb``) and target group (``{name}-tg``) names, each at most 32 characters.
    Default: None, meaning ``datacenter.resource_name``."""
    allowed_cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    """IPv4 ranges admitted on 443. Default: the whole internet (the portal is public)."""
    deletion_protection: bool = True
    """NLB deletion protection. Default: on (production). Labs set False so that ``destroy`` works."""
    tls_termination: bool = False
    """Terminate TLS on the NLB with ``certificate_arn`` and re-encrypt to the instances (TLS target group).
    Default: False, the listener is TCP and Apache terminates TLS."""
    certificate_arn: str | None = None
    """ACM certificate (same region as the datacenter) for ``tls_termination``. Default: None."""
    ssl_policy: str = DEFAULT_SSL_POLICY
    """Security policy of the TLS listener. Default: TLS 1.3 and 1.2 only
    (ELBSecurityPolicy-TLS13-1-2-2021-06)."""
    health_check_interval: int = 10
    """Seconds between TCP health checks (AWS: 5 to 300). Default: 10, so a failed instance leaves in
    about 20 s."""
    health_check_timeout: int = 5
    """Seconds before a TCP health check fails (AWS: 2 to 120, below the interval). Default: 5."""
    healthy_threshold: int = 2
    """Consecutive successes before a target receives traffic (AWS: 2 to 10). Default: 2."""
    unhealthy_threshold: int = 2
    """Consecutive failures before a target stops receiving traffic (AWS: 2 to 10). Default: 2."""
    deregistration_delay: int = 30
    """Seconds a deregistering target keeps its connections (AWS: 0 to 3600). Default: 30."""
    stickiness: bool = False
    """Source-IP stickiness (multi-dc-local: a user keeps hitting the instance holding their uploads).
    Default: off, connections are balanced freely."""

    def __post_init__(self) -> None:
        problems = Problems()
        if self.name is not None:
            problems.extend(
                _name_problems(self.name, "load_balancer.name", "use a shorter load_balancer.name"))
        cidrs = self.allowed_cidrs
        if isinstance(cidrs, str) or not isinstance(cidrs, (tuple, list)) or not cidrs:
            problems.add(f"load_balancer.allowed_cidrs {cidrs!r} is not a non-empty tuple of CIDRs: use for "
                         "example ('0.0.0.0/0',) or ('203.0.113.0/24',)")
        else:
            for i, cidr in enumerate(cidrs):
                if not known(cidr):
                    continue
                try:
                    ipaddress.IPv4Network(cidr, strict=True)
                except (ValueError, TypeError) as exc:
                    problems.add(f"load_balancer.allowed_cidrs[{i}] {cidr!r} is not a valid IPv4 CIDR "
                                 f"({exc}): use a network address such as 203.0.113.0/24")
        if self.tls_termination and self.certificate_arn is None:
            problems.add("load_balancer.tls_termination is True but certificate_arn is not set: give the ARN "
                         "of an ACM certificate in the datacenter's region, or leave tls_termination False")
        if self.certificate_arn is not None and not self.tls_termination:
            problems.add(f"load_balancer.certificate_arn {self.certificate_arn!r} is set but tls_termination "
                         "is False, so the TCP listener would never use it: set tls_termination=True or drop "
                         "the certificate")
        if self.certificate_arn is not None and known(self.certificate_arn):
            problems.check(
                isinstance(self.certificate_arn, str) and bool(ACM_ARN_PATTERN.match(self.certificate_arn)),
                f"load_balancer.certificate_arn {self.certificate_arn!r} is not an ACM certificate ARN: use "
                "arn:aws:acm:REGION:ACCOUNT:certificate/ID",
            )
        if self.tls_termination:
            problems.check(
                isinstance(self.ssl_policy, str) and self.ssl_policy.startswith("ELBSecurityPolicy-"),
                f"load_balancer.ssl_policy {self.ssl_policy!r} is not an ELB security policy: use for "
                f"example {DEFAULT_SSL_POLICY}",
            )
        if self.tls_termination and self.stickiness:
            problems.add("load_balancer.stickiness is True with tls_termination: AWS does not support sticky "
                         "sessions on TLS listeners and TLS target groups; keep the TCP listener (Apache "
                         "terminates TLS) or turn stickiness off")
        lo, hi = INTERVAL_RANGE
        interval_ok = problems.check(
            is_int(self.health_check_interval) and lo <= self.health_check_interval <= hi,
            f"load_balancer.health_check_interval {self.health_check_interval!r} is out of range: NLB health "
            f"checks run every {lo} to {hi} seconds",
        )
        lo, hi = TIMEOUT_RANGE
        if problems.check(
            is_int(self.health_check_timeout) and lo <= self.health_check_timeout <= hi,
            f"load_balancer.health_check_timeout {self.health_check_timeout!r} is out of range: use {lo} to "
            f"{hi} seconds",
        ) and interval_ok:
            problems.check(
                self.health_check_timeout < self.health_check_interval,
                f"load_balancer.health_check_timeout {self.health_check_timeout} is not below "
                f"health_check_interval {self.health_check_interval}: use a timeout shorter than the "
                "interval",
            )
        lo, hi = THRESHOLD_RANGE
        for field in ("healthy_threshold", "unhealthy_threshold"):
            value = getattr(self, field)
            problems.check(
                is_int(value) and lo <= value <= hi,
                f"load_balancer.{field} {value!r} is out of range: NLB health checks allow {lo} to {hi}",
            )
        lo, hi = DEREGISTRATION_RANGE
        problems.check(
            is_int(self.deregistration_delay) and lo <= self.deregistration_delay <= hi,
            f"load_balancer.deregistration_delay {self.deregistration_delay!r} is out of range: use {lo} to "
            f"{hi} seconds",
        )
        problems.raise_if_any()


def _checked_base_name(props: DatacenterLoadBalancerProps, datacenter: IDatacenter) -> str:
    """The base of the NLB's and target group's names, once the name and the certificate's region fit."""
    problems = Problems()
    if props.name is None:
        base = datacenter.resource_name
        problems.extend(_name_problems(
            base, "load_balancer.name (default: datacenter.resource_name)",
            "shorten name_prefix or the datacenter name, or set load_balancer.name",
        ))
    else:
        base = props.name
    arn = props.certificate_arn
    if arn is not None and known(arn):
        match = ACM_ARN_PATTERN.match(arn)
        if match is not None:
            problems.check(
                match.group(1) == datacenter.region,
                f"load_balancer.certificate_arn is in {match.group(1)} but datacenter {datacenter.name} "
                f"is in {datacenter.region}: an NLB can only use an ACM certificate of its own region; "
                f"issue or import one in {datacenter.region}",
            )
    problems.raise_if_any()
    return base


class DatacenterLoadBalancer(Construct):
    """Internet-facing NLB in the datacenter's public subnets, a 443 listener, a TCP-checked target group."""

    def __init__(
        self, scope: Construct, id: str, *, props: DatacenterLoadBalancerProps, datacenter: IDatacenter
    ) -> None:
        super().__init__(scope, id)
        self.props = props
        self._provider = datacenter.provider
        base = _checked_base_name(props, datacenter)  # checks that need the datacenter, before any resource
        nlb_name, tg_name = f"{base}-nlb", f"{base}-tg"
        self.nlb_name: str = nlb_name
        self.target_group_name: str = tg_name
        self._firewall(base, datacenter)
        self._nlb(nlb_name, datacenter)
        self._target_group(tg_name, datacenter)
        self._listener()
        self._attached = 0

    def _firewall(self, base: str, datacenter: IDatacenter) -> None:
        """The NLB's security group: 443 in from the allowed ranges, out to the DMZ ranges only."""
        provider = self._provider
        sg = SecurityGroup(
            self, "sg", provider=provider, name=f"{base}-nlb", vpc_id=datacenter.vpc_id,
            description=f"Load balancer of {datacenter.resource_name}: 443 in from clients, out to the DMZ",
            tags={"Name": f"{base}-nlb"},
        )
        self.security_group_id: str = sg.id
        for cidr in self.props.allowed_cidrs:
            VpcSecurityGroupIngressRule(
                self, f"in-https-{construct_id(cidr)}", provider=provider, security_group_id=self.security_group_id,
                description="HTTPS from clients", ip_protocol="tcp", from_port=HTTPS, to_port=HTTPS,
                cidr_ipv4=cidr,
            )
        for cidr in datacenter.dmz_cidrs:
            VpcSecurityGroupEgressRule(
                self, f"out-https-{construct_id(cidr)}", provider=provider, security_group_id=self.security_group_id,
                description="HTTPS and health checks to the portal instances in the DMZ", ip_protocol="tcp",
                from_port=HTTPS, to_port=HTTPS, cidr_ipv4=cidr,
            )

    def _nlb(self, nlb_name: str, datacenter: IDatacenter) -> None:
        """The internet-facing NLB in the public subnets, cross-zone."""
        nlb = Lb(
            self, "nlb", provider=self._provider, name=nlb_name, load_balancer_type="network", internal=False,
            ip_address_type="ipv4", subnets=list(datacenter.public_subnet_ids),
            security_groups=[self.security_group_id], enable_cross_zone_load_balancing=True,
            enable_deletion_protection=self.props.deletion_protection, tags={"Name": nlb_name},
        )
        self.nlb_arn: str = nlb.arn
        self.nlb_dns_name: str = nlb.dns_name
        self.nlb_zone_id: str = nlb.zone_id

    def _target_group(self, tg_name: str, datacenter: IDatacenter) -> None:
        """The TCP-checked target group on 443. With TLS termination the NLB re-encrypts (TLS target group):
        Apache on the instances speaks TLS."""
        props = self.props
        target_protocol = "TLS" if props.tls_termination else "TCP"
        self.health_check_interval: int = props.health_check_interval
        self.health_check_timeout: int = props.health_check_timeout
        self.healthy_threshold: int = props.healthy_threshold
        self.unhealthy_threshold: int = props.unhealthy_threshold
        target_group = LbTargetGroup(
            self, "tg", provider=self._provider, name=tg_name, port=HTTPS, protocol=target_protocol,
            target_type="instance", vpc_id=datacenter.vpc_id,
            deregistration_delay=str(props.deregistration_delay),
            health_check=LbTargetGroupHealthCheck(
                enabled=True, protocol="TCP", port="traffic-port", interval=self.health_check_interval,
                timeout=self.health_check_timeout, healthy_threshold=self.healthy_threshold,
                unhealthy_threshold=self.unhealthy_threshold,
            ),
            stickiness=LbTargetGroupStickiness(type="source_ip", enabled=True) if props.stickiness else None,
            tags={"Name": tg_name},
        )
        self.target_group_arn: str = target_group.arn

    def _listener(self) -> None:
        """The 443 listener: TCP pass-through, or TLS with the certificate."""
        props = self.props
        listener = LbListener(
            self, "listener", provider=self._provider, load_balancer_arn=self.nlb_arn, port=HTTPS,
            protocol="TLS" if props.tls_termination else "TCP",
            certificate_arn=props.certificate_arn if props.tls_termination else None,
            ssl_policy=props.ssl_policy if props.tls_termination else None,
            default_action=[LbListenerDefaultAction(type="forward", target_group_arn=self.target_group_arn)],
        )
        self.listener_arn: str = listener.arn

    def attach_instances(self, instance_ids: list[str]) -> None:
        """Register instances (ids may be tokens) in the target group on 443; may be called more than once."""
        for instance_id in instance_ids:
            LbTargetGroupAttachment(
                self, f"target-{self._attached}", provider=self._provider,
                target_group_arn=self.target_group_arn, target_id=instance_id, port=HTTPS,
            )
            self._attached += 1
