"""examples/: every example app synthesizes in-process (reusing the loaded jsii) and holds its key resources."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.helpers import only, ref, resources

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NAMES = ("existing-vpc", "three-region", "custom-stack")


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>/main.py`` as a module (folder names are not Python identifiers)."""
    module_name = "portal_ha_example_" + name.replace("-", "_")
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / name / "main.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _synth(name: str, outdir: Path) -> dict[str, Any]:
    stack_dir = load_example(name).synth(outdir)
    assert stack_dir == outdir / "stacks" / name
    return json.loads((stack_dir / "cdk.tf.json").read_text())


@pytest.fixture(scope="module")
def existing_vpc(tmp_path_factory):
    return _synth("existing-vpc", tmp_path_factory.mktemp("existing-vpc"))


@pytest.fixture(scope="module")
def three_region(tmp_path_factory):
    return _synth("three-region", tmp_path_factory.mktemp("three-region"))


@pytest.fixture(scope="module")
def custom_stack(tmp_path_factory):
    return _synth("custom-stack", tmp_path_factory.mktemp("custom-stack"))


@pytest.mark.parametrize("name", NAMES)
def test_example_is_a_runnable_cdktf_app(name):
    folder = EXAMPLES / name
    config = json.loads((folder / "cdktf.json").read_text())
    assert config["app"] == "python main.py" and config["language"] == "python"
    readme = (folder / "README.md").read_text()
    assert "python main.py" in readme
    source = (folder / "main.py").read_text()
    assert 'if __name__ == "__main__":' in source and "def build(app: App) -> list[TerraformStack]:" in source


# --- existing-vpc ------------------------------------------------------------------------------------------


def test_existing_vpc_creates_no_network(existing_vpc):
    for rtype in ("aws_vpc", "aws_subnet", "aws_route_table", "aws_nat_gateway", "aws_internet_gateway",
                  "aws_network_acl", "aws_network_acl_rule"):
        assert not resources(existing_vpc, rtype), f"{rtype} must not be created in an existing VPC"
    data = existing_vpc["data"]
    assert len(data["aws_vpc"]) == 1 and len(data["aws_subnet"]) == 9


def test_existing_vpc_places_the_portal_in_the_looked_up_subnets(existing_vpc):
    subnets = existing_vpc["data"]["aws_subnet"]
    by_cidr = {s["cidr_block"]: k for k, s in subnets.items()}
    dmz = {"${data.aws_subnet." + by_cidr[c] + ".id}" for c in ("10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24")}
    group = only(existing_vpc, "aws_autoscaling_group")  # the default fleet: an Auto Scaling group
    assert group["min_size"] == 2 and set(group["vpc_zone_identifier"]) == dmz
    (vpc_key,) = existing_vpc["data"]["aws_vpc"]
    assert {sg["vpc_id"] for sg in resources(existing_vpc, "aws_security_group").values()} == {
        "${data.aws_vpc." + vpc_key + ".id}"}
    assert only(existing_vpc, "aws_efs_file_system")["encrypted"] is True
    assert len(resources(existing_vpc, "aws_efs_mount_target")) == 3
    assert len(resources(existing_vpc, "aws_rds_cluster_instance")) == 3


# --- three-region ------------------------------------------------------------------------------------------


def test_three_region_has_three_providers_in_distinct_regions(three_region):
    providers = three_region["provider"]["aws"]
    assert sorted(p["region"] for p in providers) == ["ap-southeast-1", "eu-west-1", "us-east-1"]
    assert len({p["alias"] for p in providers}) == 3
    for rtype in ("aws_vpc", "aws_lb", "aws_rds_cluster"):
        assert {r["provider"] for r in resources(three_region, rtype).values()} == {
            f"aws.{p['alias']}" for p in providers}, rtype


def test_three_region_meshes_every_pair(three_region):
    assert len(resources(three_region, "aws_vpc_peering_connection")) == 3
    assert len(resources(three_region, "aws_vpc_peering_connection_accepter")) == 3
    peer_routes = [r for r in resources(three_region, "aws_route").values() if "vpc_peering_connection_id" in r]
    assert len(peer_routes) == 3 * 2 * 4  # 3 pairs, both sides, 3 DMZ + 1 internal route tables each


def test_three_region_global_database_and_global_lb(three_region):
    global_cluster = only(three_region, "aws_rds_global_cluster")
    assert global_cluster["storage_encrypted"] is True and global_cluster["deletion_protection"] is True
    clusters = resources(three_region, "aws_rds_cluster").values()
    assert len(clusters) == 3
    assert len(resources(three_region, "aws_rds_cluster_instance")) == 9
    (gid,) = resources(three_region, "aws_rds_global_cluster")
    assert {c["global_cluster_identifier"] for c in clusters} == {ref("aws_rds_global_cluster", gid)}
    assert len(resources(three_region, "aws_route53_health_check")) == 3
    latency = [r for r in resources(three_region, "aws_route53_record").values() if "latency_routing_policy" in r]
    assert sorted(r["latency_routing_policy"]["region"] for r in latency) == [
        "ap-southeast-1", "eu-west-1", "us-east-1"]


def test_three_region_shares_the_primary_efs(three_region):
    systems = resources(three_region, "aws_efs_file_system")
    (fs_key, fs), = [(k, v) for k, v in systems.items() if not v["creation_token"].endswith("-replica")]
    (replica_key, replica), = [(k, v) for k, v in systems.items() if k != fs_key]
    assert (fs["provider"], replica["provider"]) == ("aws.use1", "aws.euw1")
    assert only(three_region, "aws_efs_replication_configuration")["destination"] == {
        "region": "eu-west-1", "file_system_id": ref("aws_efs_file_system", replica_key)}
    groups = resources(three_region, "aws_autoscaling_group").values()
    assert len(groups) == 3 and sum(g["min_size"] for g in groups) == 6
    user_data = three_region["locals"].values()  # each group's launch template encodes its local
    assert len(user_data) == 3 and all(ref("aws_efs_file_system", fs_key) in text for text in user_data)
    private_zones = [z for z in resources(three_region, "aws_route53_zone").values() if "vpc" in z]
    assert sorted(z["provider"] for z in private_zones) == ["aws.apse1", "aws.euw1"]


# --- custom-stack ------------------------------------------------------------------------------------------


def test_custom_stack_keeps_the_users_own_resources(custom_stack):
    assert only(custom_stack, "aws_vpc")["cidr_block"] == "10.50.0.0/16"
    assert len(resources(custom_stack, "aws_subnet")) == 6 and len(resources(custom_stack, "aws_nat_gateway")) == 2
    db = only(custom_stack, "aws_db_instance")
    assert db["storage_encrypted"] is True and db["multi_az"] is True and db["manage_master_user_password"] is True
    assert only(custom_stack, "aws_s3_bucket")["bucket"] == "team-portal-artifacts-123456789012-eu-central-1"
    for rtype in ("aws_rds_cluster", "aws_efs_file_system", "aws_network_acl", "aws_default_security_group"):
        assert not resources(custom_stack, rtype), f"the library must not add {rtype} here"


def test_custom_stack_wires_the_library_fleet_to_the_users_resources(custom_stack):
    dmz = {ref("aws_subnet", k) for k, s in resources(custom_stack, "aws_subnet").items()
           if s["cidr_block"] in ("10.50.10.0/24", "10.50.11.0/24")}
    public = {ref("aws_subnet", k) for k, s in resources(custom_stack, "aws_subnet").items()
              if s["cidr_block"] in ("10.50.0.0/24", "10.50.1.0/24")}
    instances = list(resources(custom_stack, "aws_instance").values())
    assert {i["subnet_id"] for i in instances} == dmz
    assert all(i["depends_on"] == ["aws_s3_object.installer"] for i in instances)
    assert set(only(custom_stack, "aws_lb")["subnets"]) == public
    assert len(resources(custom_stack, "aws_lb_target_group_attachment")) == 2
    sgs = resources(custom_stack, "aws_security_group")
    (fleet_sg,) = [k for k, s in sgs.items() if s["name"].endswith("-portal")]
    (db_sg,) = [k for k, s in sgs.items() if s["name"] == "team-portal-db"]
    db_rules = [r for r in resources(custom_stack, "aws_vpc_security_group_ingress_rule").values()
                if r["security_group_id"] == ref("aws_security_group", db_sg)]
    assert [(r["from_port"], r["referenced_security_group_id"]) for r in db_rules] == [
        (3306, ref("aws_security_group", fleet_sg))]
    policy = only(custom_stack, "aws_iam_role_policy")["policy"]
    assert ":s3:::team-portal-artifacts-123456789012-eu-central-1/apiportal/install.sh" in policy
