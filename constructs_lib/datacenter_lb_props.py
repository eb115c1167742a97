"""The props of ``DatacenterLoadBalancer`` (``datacenter_lb``) and their validation. Importing this module loads
no provider binding, so a configuration is checked before any construct exists."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from .errors import NO_VALUE, Problem, Problems, Ref
from .thresholds import PORTAL_PORT
from .validation import is_int, known

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


def lb_name_problems(base: str, field: str, fix: str, refs: tuple[Ref, ...] = (), *,
                     default: Ref | None = None) -> list[Problem]:
    """The problems of the names ``base`` gives the NLB and the target group. ``fix`` is a template naming
    ``refs``; ``default``: ``base`` is not set but derived from that setting (``(default: ...)``)."""
    problems: list[Problem] = []
    # A derived base is not a value the user wrote: it is said in the text, after what it defaults to.
    said = "" if default is None else f"(default: {{{len(refs)}}}) {base!r} "
    refs = refs if default is None else (*refs, default)
    value = NO_VALUE if default is not None else base
    for what, name in (("load balancer", f"{base}-nlb"), ("target group", f"{base}-tg")):
        if not LB_NAME_PATTERN.match(name):
            problems.append(Problem(field, value, (
                f"{said}gives the {what} name {name!r}, which AWS rejects: names allow only letters, digits and "
                f"hyphens, and may not start or end with a hyphen; {fix}"), refs=refs))
        elif len(name) > MAX_LB_NAME:
            problems.append(Problem(field, value, (
                f"{said}gives the {what} name {name!r} of {len(name)} characters, above the AWS limit of "
                f"{MAX_LB_NAME}: {fix}"), refs=refs))
        elif name.startswith("internal-"):
            problems.append(Problem(field, value, (
                f"{said}gives the {what} name {name!r}: AWS reserves the prefix 'internal-'; {fix}"), refs=refs))
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
            problems.extend(lb_name_problems(self.name, "load_balancer.name", "use a shorter {0}",
                                             (Ref("load_balancer.name"),)))
        cidrs = self.allowed_cidrs
        if isinstance(cidrs, str) or not isinstance(cidrs, (tuple, list)) or not cidrs:
            problems.add(Problem("load_balancer.allowed_cidrs", cidrs, "is not a non-empty tuple of CIDRs: use "
                                 "for example ('0.0.0.0/0',) or ('203.0.113.0/24',)"))
        else:
            for i, cidr in enumerate(cidrs):
                if not known(cidr):
                    continue
                try:
                    ipaddress.IPv4Network(cidr, strict=True)
                except (ValueError, TypeError) as exc:
                    problems.add(Problem(f"load_balancer.allowed_cidrs[{i}]", cidr, f"is not a valid IPv4 CIDR "
                                         f"({exc}): use a network address such as 203.0.113.0/24"))
        if self.tls_termination and self.certificate_arn is None:
            problems.add(Problem("load_balancer.tls_termination", fix="is True but certificate_arn is not set: give "
                                 "the ARN of an ACM certificate in the datacenter's region, or leave tls_termination "
                                 "False"))
        if self.certificate_arn is not None and not self.tls_termination:
            problems.add(Problem("load_balancer.certificate_arn", self.certificate_arn,
                                 "is set but tls_termination is False, so the TCP listener would never use it: set "
                                 "{0} or drop the certificate", refs=(Ref("load_balancer.tls_termination", True),)))
        if self.certificate_arn is not None and known(self.certificate_arn):
            problems.check(
                isinstance(self.certificate_arn, str) and bool(ACM_ARN_PATTERN.match(self.certificate_arn)),
                Problem("load_balancer.certificate_arn", self.certificate_arn,
                        "is not an ACM certificate ARN: use arn:aws:acm:REGION:ACCOUNT:certificate/ID"),
            )
        if self.tls_termination:
            problems.check(
                isinstance(self.ssl_policy, str) and self.ssl_policy.startswith("ELBSecurityPolicy-"),
                Problem("load_balancer.ssl_policy", self.ssl_policy,
                        f"is not an ELB security policy: use for example {DEFAULT_SSL_POLICY}"),
            )
        if self.tls_termination and self.stickiness:
            problems.add(Problem("load_balancer.stickiness", fix="is True with tls_termination: AWS does not "
                                 "support sticky sessions on TLS listeners and TLS target groups; keep the TCP "
                                 "listener (Apache terminates TLS) or turn stickiness off"))
        lo, hi = INTERVAL_RANGE
        interval_ok = problems.check(
            is_int(self.health_check_interval) and lo <= self.health_check_interval <= hi,
            Problem("load_balancer.health_check_interval", self.health_check_interval,
                    f"is out of range: NLB health checks run every {lo} to {hi} seconds"),
        )
        lo, hi = TIMEOUT_RANGE
        if problems.check(
            is_int(self.health_check_timeout) and lo <= self.health_check_timeout <= hi,
            Problem("load_balancer.health_check_timeout", self.health_check_timeout,
                    f"is out of range: use {lo} to {hi} seconds"),
        ) and interval_ok:
            problems.check(
                self.health_check_timeout < self.health_check_interval,
                Problem("load_balancer.health_check_timeout", self.health_check_timeout,
                        f"is not below health_check_interval {self.health_check_interval}: use a timeout shorter "
                        "than the interval"),
            )
        lo, hi = THRESHOLD_RANGE
        for field in ("healthy_threshold", "unhealthy_threshold"):
            value = getattr(self, field)
            problems.check(
                is_int(value) and lo <= value <= hi,
                Problem(f"load_balancer.{field}", value, f"is out of range: NLB health checks allow {lo} to {hi}"),
            )
        lo, hi = DEREGISTRATION_RANGE
        problems.check(
            is_int(self.deregistration_delay) and lo <= self.deregistration_delay <= hi,
            Problem("load_balancer.deregistration_delay", self.deregistration_delay,
                    f"is out of range: use {lo} to {hi} seconds"),
        )
        problems.raise_if_any()
