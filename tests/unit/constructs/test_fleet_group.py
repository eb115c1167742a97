"""PortalFleet as an Auto Scaling group (the default): launch template, group, rolling updates, target group
attachment; the default per storage mode; one test per validation rule of its props."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from constructs_lib import ConfigError
from constructs_lib.portal_fleet import PortalFleet, PortalFleetProps
from constructs_lib.user_data import EfsMount
from tests.unit.helpers import ref, resources, synth_construct

AZS = ("us-east-1a", "us-east-1b", "us-east-1c")


@pytest.fixture(scope="module")
def synth():
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.datacenter_lb import DatacenterLoadBalancer, DatacenterLoadBalancerProps
    from constructs_lib.network import Datacenter, DatacenterProps

    handles = SimpleNamespace()

    def build(stack):
        provider = AwsProvider(stack, "aws", region="us-east-1")
        dc = Datacenter(stack, "dc", provider=provider,
                        props=DatacenterProps(name="dc1", region="us-east-1", azs=AZS, flow_logs=False))
        lb = DatacenterLoadBalancer(stack, "lb", props=DatacenterLoadBalancerProps(), datacenter=dc)
        fleet = PortalFleet(stack, "fleet", datacenter=dc, lb_security_group_id=lb.security_group_id,
                            props=PortalFleetProps(
                                instance_count=3, max_instance_count=6, health_check_grace_seconds=420,
                                min_healthy_percentage=66,
                                efs=EfsMount(file_system_id="fs-0123456789abcdef0",
                                             access_point_id="fsap-0123456789abcdef0", region="us-east-1")))
        fleet.serve(lb)
        handles.dc, handles.lb, handles.fleet = dc, lb, fleet

    handles.doc = synth_construct(build)
    return handles


def _one(doc, rtype):
    [(name, body)] = resources(doc, rtype).items()
    return name, body


def test_the_default_fleet_is_an_auto_scaling_group_and_no_fixed_instance(synth):
    assert synth.fleet.group is not None and synth.fleet.instance_ids == []
    assert resources(synth.doc, "aws_instance") == {}
    _, group = _one(synth.doc, "aws_autoscaling_group")
    assert (group["min_size"], group["desired_capacity"], group["max_size"]) == (3, 3, 6)
    assert group["name"] == "portal-dc1-portal"
    group_name, _ = _one(synth.doc, "aws_autoscaling_group")
    assert synth.fleet.auto_scaling_group_name is not None


def test_the_group_spans_every_dmz_subnet(synth):
    _, group = _one(synth.doc, "aws_autoscaling_group")
    dmz = [ref("aws_subnet", name) for name, s in resources(synth.doc, "aws_subnet").items()
           if s.get("tags", {}).get("Tier") == "dmz"]
    assert sorted(group["vpc_zone_identifier"]) == sorted(dmz) and len(dmz) == len(AZS)


def test_elb_health_checks_with_the_grace_period(synth):
    _, group = _one(synth.doc, "aws_autoscaling_group")
    assert (group["health_check_type"], group["health_check_grace_period"]) == ("ELB", 420)


def test_a_new_template_version_rolls_the_fleet_keeping_the_minimum_in_service(synth):
    template_name, _ = _one(synth.doc, "aws_launch_template")
    _, group = _one(synth.doc, "aws_autoscaling_group")
    assert group["launch_template"] == {"id": ref("aws_launch_template", template_name),
                                        "version": ref("aws_launch_template", template_name, "latest_version")}
    assert group["instance_refresh"] == {"strategy": "Rolling",
                                         "preferences": {"min_healthy_percentage": 66, "instance_warmup": "420"}}


def test_the_launch_template_is_hardened_like_the_fixed_instances(synth):
    _, template = _one(synth.doc, "aws_launch_template")
    assert template["metadata_options"] == {"http_tokens": "required", "http_endpoint": "enabled",
                                            "http_put_response_hop_limit": 1}
    assert "network_interfaces" not in template  # no public IP: the DMZ subnets never map one
    assert "key_name" not in template
    assert template["monitoring"] == {"enabled": True}
    [group_id] = [k for k in resources(synth.doc, "aws_security_group") if k.startswith("fleet_")]
    assert template["vpc_security_group_ids"] == [ref("aws_security_group", group_id)]
    assert [m["ebs"]["encrypted"] for m in template["block_device_mappings"]] == ["true"]
    [image] = synth.doc["data"]["aws_ami"]
    assert template["block_device_mappings"][0]["device_name"] == "${data.aws_ami." + image + ".root_device_name}"
    assert template["update_default_version"] is True


def test_the_user_data_is_the_fixed_instances_text_base64_encoded_by_terraform(synth):
    _, template = _one(synth.doc, "aws_launch_template")
    [(local, text)] = synth.doc["locals"].items()
    assert template["user_data"] == "${base64encode(local." + local + ")}"
    assert "Storage mode: efs" in text
    assert base64.b64encode(text.encode())  # a plain text template, encoded at apply time


def test_serve_attaches_the_group_to_the_target_group(synth):
    _, attachment = _one(synth.doc, "aws_autoscaling_attachment")
    assert attachment["lb_target_group_arn"] == ref("aws_lb_target_group",
                                                   _one(synth.doc, "aws_lb_target_group")[0], "arn")
    assert attachment["autoscaling_group_name"] == ref("aws_autoscaling_group",
                                                      _one(synth.doc, "aws_autoscaling_group")[0], "name")
    _, group = _one(synth.doc, "aws_autoscaling_group")
    assert group["lifecycle"] == {"ignore_changes": ["load_balancers", "target_group_arns"]}
    assert resources(synth.doc, "aws_lb_target_group_attachment") == {}


@pytest.mark.parametrize(("props", "expected"), [
    ({}, True), ({"data_volume_gb": 50}, False), ({"data_volume_gb": 50, "auto_scaling": True}, True),
    ({"auto_scaling": False}, False),
])
def test_auto_scaling_default_follows_the_storage_mode(props, expected):
    assert PortalFleetProps(**props).uses_auto_scaling is expected


@pytest.mark.parametrize(("overrides", "expected"), [
    pytest.param({"auto_scaling": "yes"}, ["fleet.auto_scaling 'yes' is not a boolean"], id="auto-scaling-type"),
    pytest.param({"auto_scaling": False, "max_instance_count": 4},
                 ["fleet.max_instance_count 4 is set but the instances are fixed", "auto_scaling=True"],
                 id="max-without-group"),
    pytest.param({"instance_count": 3, "max_instance_count": 2},
                 ["fleet.max_instance_count 2 is out of range", "instance_count (3) to 20"], id="max-below-count"),
    pytest.param({"max_instance_count": 21}, ["fleet.max_instance_count 21 is out of range"], id="max-above-20"),
    pytest.param({"health_check_grace_seconds": -1},
                 ["fleet.health_check_grace_seconds -1 is out of range", "0 to 7200"], id="grace-negative"),
    pytest.param({"health_check_grace_seconds": 9000},
                 ["fleet.health_check_grace_seconds 9000 is out of range"], id="grace-too-long"),
    pytest.param({"min_healthy_percentage": 0},
                 ["fleet.min_healthy_percentage 0 is out of range", "taking the datacenter down"],
                 id="refresh-all-at-once"),
    pytest.param({"min_healthy_percentage": 101}, ["fleet.min_healthy_percentage 101 is out of range"],
                 id="refresh-above-100"),
])
def test_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        PortalFleetProps(**overrides)
    for fragment in expected:
        assert fragment in str(err.value)
