"""The three architectures as synthesized from the repository's cdktf.json: the seed's HA rules hold."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter, defaultdict

import pytest

from tests.unit.helpers import resources

WORLD = ("0.0.0.0/0", "::/0")


def by_provider(doc, rtype):
    grouped = defaultdict(list)
    for res in resources(doc, rtype).values():
        grouped[res.get("provider", "aws")].append(res)
    return grouped


def _logical_id(reference: str) -> str:
    return reference.split(".")[1]


@pytest.fixture(scope="module", params=["single-dc", "multi-dc", "multi-dc-local"])
def stack(request, synthesized):
    return request.param, synthesized[request.param]


def test_every_datacenter_has_two_instances_in_distinct_azs(stack):
    """multi-dc-local: fixed instances (local storage, the default); the others: an Auto Scaling group per DC."""
    name, doc = stack
    subnets = resources(doc, "aws_subnet")
    fleets = by_provider(doc, "aws_instance" if name == "multi-dc-local" else "aws_autoscaling_group")
    for provider, instances in fleets.items():
        if name == "multi-dc-local":
            assert len(instances) >= 2, f"{name} {provider}"
            placed = [i["subnet_id"] for i in instances]
        else:
            [group] = instances
            assert group["min_size"] >= 2 and group["desired_capacity"] == group["min_size"], f"{name} {provider}"
            placed = group["vpc_zone_identifier"]
        azs = {subnets[_logical_id(s)]["availability_zone"] for s in placed}
        tiers = {subnets[_logical_id(s)]["tags"]["Tier"] for s in placed}
        assert len(azs) == len(placed) >= 2 and tiers == {"dmz"}, f"{name} {provider}"
    assert len(fleets) == (1 if name == "single-dc" else 2)
    other = "aws_autoscaling_group" if name == "multi-dc-local" else "aws_instance"
    assert resources(doc, other) == {}


def test_instances_are_hardened(stack):
    _, doc = stack
    for instance in resources(doc, "aws_instance").values():
        assert instance["metadata_options"]["http_tokens"] == "required"
        assert instance.get("associate_public_ip_address") in (None, False)
        assert "key_name" not in instance
        assert instance["root_block_device"]["encrypted"] is True
        assert instance["monitoring"] is True
    for template in resources(doc, "aws_launch_template").values():
        assert template["metadata_options"]["http_tokens"] == "required"
        assert "network_interfaces" not in template and "key_name" not in template
        assert all(m["ebs"]["encrypted"] == "true" for m in template["block_device_mappings"])
        assert template["monitoring"] == {"enabled": True}
    for subnet in resources(doc, "aws_subnet").values():
        assert subnet["map_public_ip_on_launch"] is False


def test_nlb_listens_on_443_with_fast_tcp_health_checks(stack):
    _, doc = stack
    lbs = by_provider(doc, "aws_lb")
    assert all(len(v) == 1 and v[0]["load_balancer_type"] == "network" and v[0]["internal"] is False
               for v in lbs.values())
    assert {lst["port"] for lst in resources(doc, "aws_lb_listener").values()} == {443}
    for tg in resources(doc, "aws_lb_target_group").values():
        check = tg["health_check"]
        assert check["protocol"] == "TCP" and check["interval"] <= 10 and check["unhealthy_threshold"] <= 3
    attachments = resources(doc, "aws_lb_target_group_attachment")
    assert len(attachments) == len(resources(doc, "aws_instance"))
    group_attachments = resources(doc, "aws_autoscaling_attachment")
    assert len(group_attachments) == len(resources(doc, "aws_autoscaling_group"))


def test_only_443_is_open_to_the_world(stack):
    _, doc = stack
    world_rules = [r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
                   if r.get("cidr_ipv4") in WORLD or r.get("cidr_ipv6") in WORLD]
    assert world_rules, "the NLB must admit the world on 443"
    assert all(r["from_port"] == 443 and r["to_port"] == 443 for r in world_rules)
    sgs = resources(doc, "aws_security_group")
    assert all("ingress" not in sg for sg in sgs.values()), "rules are separate resources, never inline"


def test_db_clusters_have_three_encrypted_nodes_in_distinct_azs(stack):
    _, doc = stack
    clusters = resources(doc, "aws_rds_cluster")
    assert len(clusters) == len(by_provider(doc, "aws_lb"))  # one per datacenter
    instances = resources(doc, "aws_rds_cluster_instance").values()
    for logical_id, cluster in clusters.items():
        assert cluster["storage_encrypted"] is True and cluster["deletion_protection"] is True
        members = [i for i in instances if i["cluster_identifier"] == f"${{aws_rds_cluster.{logical_id}.id}}"]
        assert len(members) == 3
        assert len({m["availability_zone"] for m in members}) == 3


def test_no_literal_password_and_no_world_open_data_ports(stack, synth_outdir):
    name, doc = stack
    text = (synth_outdir / "stacks" / name / "cdk.tf.json").read_text()
    assert not re.search(r'"master_password"\s*:', text), "a literal master_password must never be synthesized"
    assert '"secret_string"' not in text
    for rule in resources(doc, "aws_vpc_security_group_ingress_rule").values():
        if rule.get("from_port") in (2049, 3306, 22):
            assert rule.get("cidr_ipv4") not in WORLD


def test_single_dc_has_one_encrypted_efs_with_a_mount_target_per_az(synthesized):
    doc = synthesized["single-dc"]
    (efs,) = resources(doc, "aws_efs_file_system").values()
    assert efs["encrypted"] is True
    assert len(resources(doc, "aws_efs_mount_target")) == 3
    internal = {k for k, s in resources(doc, "aws_subnet").items() if s["tags"]["Tier"] == "internal"}
    assert {_logical_id(m["subnet_id"]) for m in resources(doc, "aws_efs_mount_target").values()} == internal
    assert "aws_rds_global_cluster" not in doc["resource"]


def test_multi_dc_spans_two_regions_with_peering_global_db_efs_and_global_lb(synthesized):
    doc = synthesized["multi-dc"]
    regions = {p["region"] for p in doc["provider"]["aws"]}
    assert len(regions) >= 2
    (peering,) = resources(doc, "aws_vpc_peering_connection").values()
    (accepter,) = resources(doc, "aws_vpc_peering_connection_accepter").values()
    assert peering["provider"] != accepter["provider"] and peering["peer_region"] in regions
    cidrs = [ipaddress.ip_network(v["cidr_block"]) for v in resources(doc, "aws_vpc").values()]
    assert len(cidrs) == 2 and not cidrs[0].overlaps(cidrs[1])
    (global_cluster,) = resources(doc, "aws_rds_global_cluster").values()
    assert global_cluster["storage_encrypted"] is True
    clusters = resources(doc, "aws_rds_cluster").values()
    assert all("global_cluster_identifier" in c for c in clusters)
    assert all(c.get("enable_global_write_forwarding") for c in clusters)  # the home too (for after a switchover)
    # The file system, and its replica in the other DC's region: a resource of the stack, so destroy removes it.
    primary, replica = sorted(resources(doc, "aws_efs_file_system").values(), key=lambda fs: fs["creation_token"])
    assert (primary["provider"], replica["provider"]) == ("aws.dc1", "aws.dc2")
    (replication,) = resources(doc, "aws_efs_replication_configuration").values()
    assert replication["destination"]["file_system_id"].startswith("${aws_efs_file_system.dc1_efs_replica_")
    checks = resources(doc, "aws_route53_health_check").values()
    records = resources(doc, "aws_route53_record").values()
    latency = [r for r in records if "latency_routing_policy" in r]
    assert len(checks) == 2 and len(latency) == 2
    assert all(c["type"] == "TCP" and c["port"] == 443 and c["request_interval"] == 10 for c in checks)
    assert all(r["alias"]["evaluate_target_health"] is True and r.get("health_check_id") for r in latency)
    # The second datacenter mounts the primary EFS by name, resolved by a private zone in its own VPC.
    private = [z for z in resources(doc, "aws_route53_zone").values() if z.get("vpc")]
    assert len(private) == 1 and private[0]["provider"] == "aws.dc2"


def test_multi_dc_local_has_no_efs_and_a_data_volume_per_instance(synthesized):
    doc = synthesized["multi-dc-local"]
    assert not resources(doc, "aws_efs_file_system")
    instances = resources(doc, "aws_instance").values()
    assert len(instances) == 4
    for instance in instances:
        (volume,) = instance["ebs_block_device"]
        assert volume["encrypted"] is True and volume["volume_size"] >= 1
    assert all(tg["stickiness"]["type"] == "source_ip" for tg in resources(doc, "aws_lb_target_group").values())


def test_outputs_have_descriptions_and_follow_the_naming_convention(stack):
    _, doc = stack
    for name, output in doc["output"].items():
        assert output.get("description"), name
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", name), name
    assert {"portal_url", "verify_manifest"} <= set(doc["output"])


def test_default_tags_on_every_provider(stack):
    name, doc = stack
    for provider in doc["provider"]["aws"]:
        tags = provider["default_tags"][0]["tags"]
        assert tags["Architecture"] == name and set(tags) == {"Project", "Architecture", "Datacenter", "ManagedBy"}


def test_every_resource_names_its_provider(stack):
    _, doc = stack
    missing = [f"{t}.{k}" for t, items in doc["resource"].items() for k, r in items.items() if "provider" not in r]
    assert missing == []
    counts = Counter(r["provider"] for items in doc["resource"].values() for r in items.values())
    assert all(p.startswith("aws.") for p in counts)




def test_portal_api_manager_in_cdktf_json_opens_its_port_to_its_ranges_in_every_datacenter():
    from stacks.app import synthesized_document
    from stacks.loader import parse_settings

    dcs = [{"name": "dc1", "region": "us-east-1", "cidr": "10.10.0.0/16"},
           {"name": "dc2", "region": "eu-west-1", "cidr": "10.11.0.0/16"}]
    context = {"multi-dc": {"datacenters": dcs, "global_lb": {"domain": "portal.example.com"}, "portal": {
        "api_manager": {"host": "apimanager.example.com", "cidrs": ["10.50.0.0/24"]}}}}
    document, refused = synthesized_document(parse_settings(context), "multi-dc")
    assert refused == []
    rules = [r for r in resources(document, "aws_vpc_security_group_egress_rule").values() if r["from_port"] == 8075]
    assert sorted((r["provider"], r["cidr_ipv4"], r["to_port"]) for r in rules) == [
        ("aws.dc1", "10.50.0.0/24", 8075), ("aws.dc2", "10.50.0.0/24", 8075)]
