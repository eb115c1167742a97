"""The read-only view of cdk.tf.json that the diagram and the report share."""

from __future__ import annotations

from stacks.synthesized import SynthesizedStack, az_index, az_label


def test_az_of_the_datacenter_construct_and_of_a_literal_zone():
    expression = "${element(data.aws_availability_zones.dc1_network_azs_4ED50E80.names, 2)}"
    assert (az_index(expression), az_label(expression)) == (2, "AZ 3")
    assert (az_index("eu-west-1b"), az_label("eu-west-1b")) == (None, "eu-west-1b")


def test_references_providers_and_regions(synthesized):
    stack = SynthesizedStack("multi-dc", synthesized["multi-dc"])
    assert stack.datacenters == ["dc1", "dc2"]
    assert [stack.region_of(dc) for dc in stack.datacenters] == ["us-east-1", "eu-west-1"]
    instance = stack.resources("aws_instance")[0]
    subnet = stack.referenced(instance.get("subnet_id"))
    assert subnet is not None and subnet.type == "aws_subnet" and subnet.tag("Tier") == "dmz"
    assert stack.datacenter_of(instance) == stack.datacenter_of(subnet) == "dc1"
    assert stack.referenced("not a reference") is None
    assert stack.provider_tag("dc2", "Datacenter") == "dc2"
