"""The HA thresholds, in one place: props validation, the HA rules, ``portal-ha verify`` and ``portal-ha report``
all read them from here.

The seed's minimums (per datacenter): at least two API Portal instances behind the load balancer and a
database cluster of at least three nodes. On AWS every datacenter also spans at least two availability
zones, and the load balancer must notice a dead instance quickly.
"""

from __future__ import annotations

MIN_AZS = 2
"""Availability zones per datacenter: an AZ outage must leave every datacenter serving (HA1)."""
MAX_AZS = 6
"""Availability zones a datacenter may span (each tier gets one subnet per AZ)."""
MIN_PORTAL_INSTANCES = 2
"""Portal instances per datacenter, in distinct AZs: the seed's minimum behind a load balancer (HA2)."""
DB_NODES = 3
"""Database nodes per datacenter, in distinct AZs: the seed's minimum cluster (HA3)."""
MAX_INSTANCE_DETECTION_SECONDS = 30
"""Longest time the load balancer may take to notice a dead instance: interval x unhealthy threshold (HA5)."""

# What AWS uses when a configuration leaves a health-check setting out (the rules and the report read the
# synthesized stack, where an omitted setting is simply absent).
NLB_DEFAULT_INTERVAL_SECONDS = 30
"""Health-check interval of an NLB target group whose ``health_check`` block leaves it out."""
NLB_DEFAULT_UNHEALTHY_THRESHOLD = 3
"""Unhealthy threshold of an NLB target group whose ``health_check`` block leaves it out."""
ROUTE53_DEFAULT_INTERVAL_SECONDS = 30
"""Request interval of a Route 53 health check that leaves it out."""
ROUTE53_DEFAULT_FAILURE_THRESHOLD = 3
"""Failure threshold of a Route 53 health check that leaves it out."""
GA_DEFAULT_INTERVAL_SECONDS = 30
"""Health-check interval of a Global Accelerator endpoint group that leaves it out."""
GA_DEFAULT_THRESHOLD_COUNT = 3
"""Threshold count of a Global Accelerator endpoint group that leaves it out."""

PORTAL_PORT = 443
"""The only port open to the world: the datacenter NLB's listener (HA10)."""
WORLD_CIDRS = ("0.0.0.0/0", "::/0")
SENSITIVE_PORTS = (22, 2049, 3306)
"""SSH, NFS and MySQL: never open to the world (checked live by ``portal-ha verify``)."""


def nlb_health_check(interval: int | None, unhealthy_threshold: int | None) -> tuple[int, int]:
    """The interval and unhealthy threshold an NLB target group really uses (AWS's defaults for what is left
    out); their product is how long the NLB takes to stop sending traffic to a dead target."""
    return (NLB_DEFAULT_INTERVAL_SECONDS if interval is None else interval,
            NLB_DEFAULT_UNHEALTHY_THRESHOLD if unhealthy_threshold is None else unhealthy_threshold)
