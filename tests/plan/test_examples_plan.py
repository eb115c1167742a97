"""The three-region example plans against moto (the other examples are synthesized in tests/unit)."""

from __future__ import annotations

import pytest

from portal_ha import terraform
from tests.unit.project.test_examples import load_example

pytestmark = pytest.mark.terraform


def test_three_region_example_plans(tf_env, tmp_path):
    directory = load_example("three-region").synth(tmp_path)
    terraform.init(directory, tf_env)
    plan = terraform.plan_json(directory, tf_env)
    changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    assert changes and all(c["change"]["actions"] == ["create"] for c in changes)
    regions = {c["change"]["after"].get("peer_region") for c in changes if c["type"] == "aws_vpc_peering_connection"}
    assert len(regions) == 2 and len([c for c in changes if c["type"] == "aws_vpc_peering_connection"]) == 3
    assert len([c for c in changes if c["type"] == "aws_rds_cluster"]) == 3
