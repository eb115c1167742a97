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

from .datacenter_lb_props import (
    ACM_ARN_PATTERN,
    DEFAULT_SSL_POLICY,
    HTTPS,
    DatacenterLoadBalancerProps,
    lb_name_problems,
)
from .errors import Problem, Problems, Ref
from .network.interface import IDatacenter
from .validation import construct_id, known

__all__ = ["DEFAULT_SSL_POLICY", "DatacenterLoadBalancer", "DatacenterLoadBalancerProps"]

def _checked_base_name(props: DatacenterLoadBalancerProps, datacenter: IDatacenter) -> str:
    """The base of the NLB's and target group's names, once the name and the certificate's region fit."""
    problems = Problems()
    if props.name is None:
        base = datacenter.resource_name
        problems.extend(lb_name_problems(
            base, "load_balancer.name", "shorten name_prefix or the datacenter name, or set {0}",
            (Ref("load_balancer.name"),), default=Ref("datacenter.resource_name"),
        ))
    else:
        base = props.name
    arn = props.certificate_arn
    if arn is not None and known(arn):
        match = ACM_ARN_PATTERN.match(arn)
        if match is not None:
            problems.check(
                match.group(1) == datacenter.region,
                Problem("load_balancer.certificate_arn", fix=f"is in {match.group(1)} but datacenter "
                        f"{datacenter.name} is in {datacenter.region}: an NLB can only use an ACM certificate of "
                        f"its own region; issue or import one in {datacenter.region}"),
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
