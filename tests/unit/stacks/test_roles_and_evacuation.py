"""What a failover and an evacuation change in the synthesized multi-dc, and what they must leave alone.

A failover makes another datacenter ``primary`` (the writer and the writable file system) and pins
``database_home`` (where the global database was created and keeps its credentials). Terraform must then see
the database, the peering mesh and every network exactly as before: only the shared file system moves. An
evacuation takes a datacenter out of the global load balancer and nothing else.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.helpers import resources

ROOT = Path(__file__).resolve().parents[3]
UNMOVED = ("aws_rds_global_cluster", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_secretsmanager_secret",
           "aws_secretsmanager_secret_version", "aws_vpc", "aws_subnet", "aws_vpc_peering_connection",
           "aws_vpc_peering_connection_accepter", "aws_lb", "aws_route53_health_check")


def _context(**arch: Any) -> dict[str, Any]:
    context = copy.deepcopy(json.loads((ROOT / "cdktf.json").read_text())["context"])
    multi = context["multi-dc"]
    for key, value in arch.items():
        if isinstance(value, dict):
            multi.setdefault(key, {}).update(value)
        else:
            multi[key] = value
    return context


def _synth(context: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    from stacks.app import synthesized_document
    from stacks.loader import parse_settings

    return synthesized_document(parse_settings(context), "multi-dc")


@pytest.fixture(scope="module")
def before() -> dict[str, Any]:
    return _synth(_context())[0]


@pytest.fixture(scope="module")
def after() -> dict[str, Any]:
    """After ``portal-ha failover multi-dc --to dc2`` wrote its settings."""
    doc, refused = _synth(_context(primary="dc2", database_home="dc1",
                                   file_system={"replica_file_system_id": "fs-0123456789abcdef0"}))
    assert refused == []
    return doc


@pytest.mark.parametrize("rtype", UNMOVED)
def test_a_failover_leaves_database_mesh_networks_and_health_checks_as_they_are(before, after, rtype):
    assert resources(after, rtype) == resources(before, rtype)


def test_the_database_home_keeps_the_credentials(after):
    (secret,) = resources(after, "aws_secretsmanager_secret").values()
    assert secret["provider"] == "aws.dc1"
    home = next(c for c in resources(after, "aws_rds_cluster").values() if c["cluster_identifier"] == "portal-dc1-db")
    assert home["master_username"] and home["tags"]["Role"] == "global-home"


def test_the_shared_file_system_moves_to_the_new_primary_and_replicates_into_the_former(after):
    (fs,) = resources(after, "aws_efs_file_system").values()
    assert fs["provider"] == "aws.dc2"
    assert fs["lifecycle"] == {"ignore_changes": ["creation_token"]}  # adopting a promoted replica keeps it
    (replication,) = resources(after, "aws_efs_replication_configuration").values()
    assert replication["destination"] == {"region": "us-east-1", "file_system_id": "fs-0123456789abcdef0"}


def test_evacuating_route53_removes_the_record_and_keeps_the_watched_health_check(before):
    doc, refused = _synth(_context(global_lb={"evacuated": ["dc2"]}))
    assert refused == []  # HA6 knows an evacuated datacenter
    assert {r["set_identifier"] for r in resources(doc, "aws_route53_record").values() if "set_identifier" in r} \
        == {"dc1"}
    evacuated = {c["tags"]["Name"]: c["tags"].get("Evacuated")
                 for c in resources(doc, "aws_route53_health_check").values()}
    assert evacuated == {"portal-dc1-nlb": None, "portal-dc2-nlb": "true"}


def test_evacuating_global_accelerator_dials_the_endpoint_group_to_zero():
    doc, refused = _synth(_context(global_lb={"kind": "global-accelerator", "evacuated": ["dc1"]}))
    assert refused == []
    dials = {g["endpoint_group_region"]: g["traffic_dial_percentage"]
             for g in resources(doc, "aws_globalaccelerator_endpoint_group").values()}
    assert dials == {"us-east-1": 0, "eu-west-1": 100}


def test_the_facts_see_an_evacuated_datacenter_as_health_checked_but_not_serving():
    from constructs_lib.policy.facts import facts_from

    doc, _ = _synth(_context(global_lb={"evacuated": ["dc2"]}))
    entries = {(e.target_lb.split("_")[0], e.kind, e.health_checked, e.serving)
               for e in facts_from(doc).global_entries}
    assert entries == {("dc1", "route53", True, True), ("dc2", "route53", True, False)}
