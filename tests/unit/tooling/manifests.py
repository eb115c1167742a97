"""Manifests for the tests of the tooling: a test writes the keys its rule or step reads, ``complete`` fills the
others with placeholders and reads the whole through ``Manifest.from_json``, as the CLI does with a deployment's
output (so a test cannot build a manifest the stacks would not write)."""

from __future__ import annotations

from typing import Any

from stacks.manifest import Manifest

DATACENTER: dict[str, Any] = {
    "region": "us-east-1", "vpc_id": "vpc-0", "vpc_cidr": "10.0.0.0/16", "azs": [], "dmz_subnet_ids": [],
    "internal_subnet_ids": [],
    "dmz_route_table_ids": [], "internal_route_table_ids": [], "instance_ids": [], "instance_count": 2,
    "autoscaling_group_name": None, "health_check_grace_seconds": None, "portal_security_group_id": "sg-portal",
    "nlb_arn": "arn:aws:elasticloadbalancing:::loadbalancer/net/x", "target_group_arn": "arn:tg",
    "lb_security_group_id": "sg-lb", "detailed_monitoring": True, "db_cluster_identifier": "portal-db",
    "db_security_group_id": "sg-db", "db_performance_insights_retention_days": None,
    "db_instance_parameter_group": None, "db_instance_parameters": {},
}
FILE_SYSTEM: dict[str, Any] = {
    "efs_security_group_id": "sg-efs", "efs_dns_name": "fs.efs.example", "efs_backup_policy": True,
    "efs_tls_policy": True, "efs_replication_region": None, "efs_private_zones": {},
    "efs_replica_file_system_id": None,
}


def complete(raw: dict[str, Any]) -> Manifest:
    datacenters = []
    for dc in raw.get("datacenters", []):
        full = DATACENTER | dc
        if "efs_file_system_id" in dc:
            full = full | FILE_SYSTEM | dc
        datacenters.append(full)
    document = {"architecture": raw.get("architecture", "multi-dc"), **raw, "datacenters": datacenters}
    if "primary" in raw:
        document = {"peering_connection_ids": [], "database_home": raw["primary"],
                    "db_global_cluster_identifier": "global", **document}
        document["global_lb"] = {"kind": "route53", "zone_id": None, "domain": None, "health_check_ids": {},
                                 "evacuated": [], **raw.get("global_lb", {})}
    return Manifest.from_json(document)
