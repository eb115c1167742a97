"""Each architecture planned against moto, compared with a reviewed snapshot of what Terraform would create.

Update with ``pytest tests/plan --snapshot-update`` only for an intended change, and say why in the commit.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from portal_ha.terraform import summarize_plan

pytestmark = pytest.mark.terraform

ARCHES = ["single-dc", "multi-dc", "multi-dc-local"]


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("arch", ARCHES)
def test_plan_matches_snapshot(arch, planner, snapshot_json):
    digest = summarize_plan(planner.plan(arch))
    assert digest == snapshot_json


@pytest.mark.parametrize("arch", ARCHES)
def test_plan_only_creates(arch, planner):
    changes = planner.plan(arch)["resource_changes"]
    assert changes, "the plan is empty"
    assert {tuple(c["change"]["actions"]) for c in changes if c["mode"] == "managed"} == {("create",)}


def test_single_dc_plan_reads_azs_from_the_emulator(planner):
    plan = planner.plan("single-dc")
    zones = {r["change"]["after"]["availability_zone"] for r in plan["resource_changes"] if r["type"] == "aws_subnet"}
    assert zones == {"us-east-1a", "us-east-1b", "us-east-1c"}


@pytest.mark.parametrize("arch", ["multi-dc", "single-dc"])
def test_no_password_value_reaches_the_plan(arch, planner):
    """Write-only and managed passwords never appear in the plan JSON (and so never in a snapshot)."""
    plan = planner.plan(arch)
    clusters = [r["change"]["after"] for r in plan["resource_changes"] if r["type"] == "aws_rds_cluster"]
    assert clusters
    for after in clusters:
        assert after.get("master_password") is None and after.get("master_password_wo") is None
    secrets = [r["change"]["after"] for r in plan["resource_changes"]
               if r["type"] == "aws_secretsmanager_secret_version"]
    assert all(s.get("secret_string") is None and s.get("secret_string_wo") is None for s in secrets)
