"""The one reader of cdk.tf.json: the HA facts, the report, the diagram and the test helpers use it."""

from __future__ import annotations

from constructs_lib.synthesized import (
    DEFAULT_DATACENTER,
    SynthesizedStack,
    as_bool,
    as_int,
    az_index,
    az_label,
    block,
    blocks,
    parse_reference,
    reference,
)


def test_az_of_the_datacenter_construct_and_of_a_literal_zone():
    expression = "${element(data.aws_availability_zones.dc1_network_azs_4ED50E80.names, 2)}"
    assert (az_index(expression), az_label(expression)) == (2, "AZ 3")
    assert (az_index("eu-west-1b"), az_label("eu-west-1b")) == (None, "eu-west-1b")


def test_references_providers_and_regions(synthesized):
    stack = SynthesizedStack("multi-dc", synthesized["multi-dc"])
    assert stack.datacenters == ["dc1", "dc2"]
    assert [stack.region_of(dc) for dc in stack.datacenters] == ["us-east-1", "eu-west-1"]
    local = SynthesizedStack("multi-dc-local", synthesized["multi-dc-local"])  # fixed instances by default
    instance = local.resources("aws_instance")[0]
    stack = local
    subnet = stack.referenced(instance.get("subnet_id"))
    assert subnet is not None and subnet.type == "aws_subnet" and subnet.tag("Tier") == "dmz"
    assert stack.datacenter_of(instance) == stack.datacenter_of(subnet) == "dc1"
    assert stack.referenced("not a reference") is None
    assert stack.referenced(instance.get("subnet_id"), "aws_vpc") is None  # a reference of another type


def test_a_resource_on_the_unaliased_provider_is_in_the_default_datacenter():
    document = {"provider": {"aws": [{"region": "eu-west-1"}]},
                "resource": {"aws_vpc": {"b": {"cidr_block": "10.1.0.0/16"}, "a": {"provider": "aws.dc9"}}}}
    stack = SynthesizedStack("s", document)
    assert [r.datacenter for r in stack.resources("aws_vpc")] == ["dc9", DEFAULT_DATACENTER]  # name order
    assert [r.name for r in stack.resources("aws_vpc", by_name=False)] == ["b", "a"]  # document order
    assert stack.datacenters == [DEFAULT_DATACENTER] and stack.region_of(DEFAULT_DATACENTER) == "eu-west-1"


def test_nested_blocks_are_an_object_or_a_list_of_objects():
    assert block({"a": 1}) == block([{"a": 1}]) == {"a": 1}
    assert block(None) == block([]) == block("x") == {}
    assert blocks({"a": 1}) == [{"a": 1}] and blocks([{"a": 1}, "x", {"b": 2}]) == [{"a": 1}, {"b": 2}]


def test_references_and_values():
    assert reference("aws_lb", "dc1_lb") == "${aws_lb.dc1_lb.id}"
    assert parse_reference("${aws_lb.dc1_lb.dns_name}") == ("aws_lb", "dc1_lb", "dns_name")
    assert parse_reference("${element(x, 1)}") is None and parse_reference(3) is None
    assert (as_int(10), as_int("10"), as_int(True), as_int("${x}")) == (10, 10, None, None)
    assert (as_bool("true"), as_bool(False), as_bool("yes")) == (True, False, None)


def test_user_data_of_an_instance_and_of_a_group_through_its_template_and_local(synthesized):
    multi, local = (SynthesizedStack(a, synthesized[a]) for a in ("multi-dc", "multi-dc-local"))
    [group, _] = multi.resources("aws_autoscaling_group")
    assert "Storage mode: efs" in multi.user_data(group)
    assert "Storage mode: data-volume" in local.user_data(local.resources("aws_instance")[0])
    template = multi.referenced(group.block("launch_template").get("id"))
    assert template is not None and multi.user_data(template) == multi.user_data(group)
    assert str(template.get("user_data")).startswith("${base64encode(local.")


def test_a_group_spreads_its_instances_evenly_over_its_distinct_zones():
    from constructs_lib.synthesized import group_placement

    assert group_placement(["a", "b", "c"], 5) == ["a", "b", "c", "a", "b"]
    assert group_placement(["a", "a", "b"], 3) == ["a", "b", "a"]  # two subnets in one AZ count once
    assert group_placement([], 2) == [] and group_placement(["a"], 0) == []
