"""GlobalLoadBalancer: Route 53 latency/failover records with health checks, Global Accelerator; validation."""

from __future__ import annotations

import pytest

from constructs_lib.errors import ConfigError
from constructs_lib.global_lb import (
    GLOBAL_ACCELERATOR_REGION,
    GlobalEndpoint,
    GlobalLoadBalancer,
    GlobalLoadBalancerProps,
)
from constructs_lib.validation import dns_name_problems
from tests.unit.helpers import only, ref, resources, synth_construct

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
NLB_ZONES = {"us-east-1": "Z26RNL4JYFTOTI", "eu-west-1": "Z2IFOLAFXWLO4F", "ap-southeast-2": "ZCT6FZBF4DROD"}


def _endpoint(i: int) -> GlobalEndpoint:
    region = REGIONS[i]
    return GlobalEndpoint(
        name=f"dc{i + 1}", region=region,
        nlb_arn=f"arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/net/x{i}/abc{i}",
        nlb_dns_name=f"x{i}.elb.{region}.amazonaws.com", nlb_zone_id=NLB_ZONES[region],
    )


def _synth(props: GlobalLoadBalancerProps, count: int = 2, region: str = "us-east-1"):
    built = {}

    def build(stack):
        from cdktf_cdktf_provider_aws.provider import AwsProvider

        provider = AwsProvider(stack, "aws-global", region=region, alias="global")
        built["glb"] = GlobalLoadBalancer(stack, "glb", props=props, endpoints=[_endpoint(i) for i in range(count)],
                                          provider=provider)

    doc = synth_construct(build)
    return doc, built["glb"]


@pytest.fixture(scope="module")
def latency():
    return _synth(GlobalLoadBalancerProps(domain="portal.example.com"), count=3)


@pytest.fixture(scope="module")
def existing_zone_failover():
    return _synth(GlobalLoadBalancerProps(domain="portal.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ",
                                          routing="failover", health_check_interval=30, failure_threshold=2))


@pytest.fixture(scope="module")
def accelerator():
    return _synth(GlobalLoadBalancerProps(kind="global-accelerator", domain="portal.example.com",
                                          hosted_zone_id="Z0123456789ABCDEFGHIJ"),
                  count=3, region=GLOBAL_ACCELERATOR_REGION)


def _by_set_identifier(doc):
    return {r["set_identifier"]: r for r in resources(doc, "aws_route53_record").values()}


def test_route53_creates_the_parent_zone(latency):
    doc, glb = latency
    zone = only(doc, "aws_route53_zone")
    assert zone["name"] == "example.com"
    assert "vpc" not in zone, "the zone must be public"
    assert zone["force_destroy"] is False
    assert zone["provider"] == "aws.global"
    (zone_id,) = resources(doc, "aws_route53_zone")
    assert glb.zone_id.startswith("${TfToken[") and glb.zone_name_servers is not None
    assert all(r["zone_id"] == ref("aws_route53_zone", zone_id, "zone_id")
               for r in resources(doc, "aws_route53_record").values())


def test_route53_tcp_health_check_per_endpoint(latency):
    doc, glb = latency
    checks = resources(doc, "aws_route53_health_check")
    assert len(checks) == 3
    by_fqdn = {c["fqdn"]: c for c in checks.values()}
    assert set(by_fqdn) == {_endpoint(i).nlb_dns_name for i in range(3)}
    for check in checks.values():
        assert (check["type"], check["port"], check["request_interval"], check["failure_threshold"]) == (
            "TCP", 443, 10, 3)
        assert check["provider"] == "aws.global"
    assert by_fqdn["x1.elb.eu-west-1.amazonaws.com"]["tags"]["Name"] == "portal-dc2-nlb"
    assert set(glb.health_check_ids) == {"dc1", "dc2", "dc3"}
    assert (glb.detection_interval_seconds, glb.detection_failure_threshold, glb.detection_time_seconds) == (10, 3, 30)


def test_route53_latency_alias_records_with_health_checks(latency):
    doc, glb = latency
    records = _by_set_identifier(doc)
    assert set(records) == {"dc1", "dc2", "dc3"}
    check_ids = {c["fqdn"]: k for k, c in resources(doc, "aws_route53_health_check").items()}
    for i in range(3):
        endpoint = _endpoint(i)
        record = records[endpoint.name]
        assert (record["name"], record["type"]) == ("portal.example.com", "A")
        assert record["alias"] == {"name": endpoint.nlb_dns_name, "zone_id": endpoint.nlb_zone_id,
                                   "evaluate_target_health": True}
        assert record["latency_routing_policy"] == {"region": endpoint.region}
        assert "failover_routing_policy" not in record
        assert record["health_check_id"] == ref("aws_route53_health_check", check_ids[endpoint.nlb_dns_name])
    assert len(glb.record_fqdns) == 3 and glb.domain == "portal.example.com" and glb.kind == "route53"
    assert glb.accelerator_dns_name is None and glb.accelerator_ips is None
    assert "aws_globalaccelerator_accelerator" not in doc.get("resource", {})


def test_existing_zone_is_used_not_created(existing_zone_failover):
    doc, glb = existing_zone_failover
    assert not resources(doc, "aws_route53_zone")
    assert glb.zone_id == "Z0123456789ABCDEFGHIJ" and glb.zone_name_servers is None
    assert {r["zone_id"] for r in resources(doc, "aws_route53_record").values()} == {"Z0123456789ABCDEFGHIJ"}


def test_failover_routing_first_endpoint_is_primary(existing_zone_failover):
    doc, glb = existing_zone_failover
    records = _by_set_identifier(doc)
    assert records["dc1"]["failover_routing_policy"] == {"type": "PRIMARY"}
    assert records["dc2"]["failover_routing_policy"] == {"type": "SECONDARY"}
    assert all("latency_routing_policy" not in r for r in records.values())
    assert all(r["health_check_id"].startswith("${aws_route53_health_check.") for r in records.values())
    checks = resources(doc, "aws_route53_health_check").values()
    assert {(c["request_interval"], c["failure_threshold"]) for c in checks} == {(30, 2)}
    assert (glb.detection_interval_seconds, glb.detection_failure_threshold) == (30, 2)


def test_global_accelerator_listener_tcp_443_with_affinity(accelerator):
    doc, glb = accelerator
    acc = only(doc, "aws_globalaccelerator_accelerator")
    assert (acc["ip_address_type"], acc["enabled"]) == ("IPV4", True)
    assert acc["attributes"] == {"flow_logs_enabled": False}
    assert acc["provider"] == "aws.global"
    (acc_id,) = resources(doc, "aws_globalaccelerator_accelerator")
    listener = only(doc, "aws_globalaccelerator_listener")
    assert listener["accelerator_arn"] == ref("aws_globalaccelerator_accelerator", acc_id)
    assert (listener["protocol"], listener["client_affinity"]) == ("TCP", "SOURCE_IP")
    assert listener["port_range"] == [{"from_port": 443, "to_port": 443}]
    assert glb.accelerator_dns_name.startswith("${TfToken[") and glb.accelerator_ips is not None


def test_global_accelerator_endpoint_group_per_region_with_health_checks(accelerator):
    doc, glb = accelerator
    (listener_id,) = resources(doc, "aws_globalaccelerator_listener")
    groups = {g["endpoint_group_region"]: g for g in resources(doc, "aws_globalaccelerator_endpoint_group").values()}
    assert set(groups) == set(REGIONS)
    for i, region in enumerate(REGIONS):
        group = groups[region]
        assert group["listener_arn"] == ref("aws_globalaccelerator_listener", listener_id)
        assert (group["health_check_protocol"], group["health_check_port"], group["health_check_interval_seconds"],
                group["threshold_count"], group["traffic_dial_percentage"]) == ("TCP", 443, 10, 3, 100)
        assert group["endpoint_configuration"] == [{"endpoint_id": _endpoint(i).nlb_arn, "weight": 100,
                                                    "client_ip_preservation_enabled": True}]
    assert not resources(doc, "aws_route53_health_check") and glb.health_check_ids == {}
    assert (glb.detection_interval_seconds, glb.detection_failure_threshold) == (10, 3)


def test_global_accelerator_domain_aliases_the_accelerator(accelerator):
    doc, _ = accelerator
    record = only(doc, "aws_route53_record")
    (acc_id,) = resources(doc, "aws_globalaccelerator_accelerator")
    assert (record["name"], record["type"], record["zone_id"]) == ("portal.example.com", "A", "Z0123456789ABCDEFGHIJ")
    assert record["alias"]["name"] == ref("aws_globalaccelerator_accelerator", acc_id, "dns_name")
    assert record["alias"]["zone_id"] == ref("aws_globalaccelerator_accelerator", acc_id, "hosted_zone_id")
    assert not resources(doc, "aws_route53_zone")


def test_global_accelerator_without_domain_makes_no_dns_and_can_log_flows():
    doc, glb = _synth(GlobalLoadBalancerProps(kind="global-accelerator", client_affinity="NONE",
                                              ga_health_check_interval=30, ga_threshold_count=5,
                                              ga_flow_logs_bucket="my-logs"), region=GLOBAL_ACCELERATOR_REGION)
    assert "aws_route53_record" not in doc["resource"] and "aws_route53_zone" not in doc["resource"]
    assert glb.zone_id is None and glb.record_fqdns == []
    assert only(doc, "aws_globalaccelerator_listener")["client_affinity"] == "NONE"
    assert only(doc, "aws_globalaccelerator_accelerator")["attributes"] == {
        "flow_logs_enabled": True, "flow_logs_s3_bucket": "my-logs",
        "flow_logs_s3_prefix": "portal/global-accelerator/"}
    assert (glb.detection_interval_seconds, glb.detection_failure_threshold, glb.detection_time_seconds) == (30, 5, 150)


def test_two_label_domain_is_its_own_zone():
    props = GlobalLoadBalancerProps(domain="example.org")
    assert props.effective_zone_name == "example.org"
    assert GlobalLoadBalancerProps(domain="a.b.example.org").effective_zone_name == "b.example.org"


# Validation: one test per rule, asserting the message.
@pytest.mark.parametrize(
    ("props", "expected"),
    [
        pytest.param({"domain": "portal..example.com"},
                     ["global_lb.domain 'portal..example.com' has invalid label(s) ['']",
                                                        "1 to 63 letters, digits or hyphens"], id="domain-empty-label"),
        pytest.param({"domain": "-portal.example.com"}, ["has invalid label(s) ['-portal']"], id="domain-hyphen"),
        pytest.param({"domain": "portal_x.example.com"}, ["has invalid label(s) ['portal_x']"], id="domain-chars"),
        pytest.param({"domain": "Portal.Example.com"}, ["global_lb.domain 'Portal.Example.com' has upper-case letters",
                                                       "portal.example.com"], id="domain-case"),
        pytest.param({"domain": "localhost"}, ["global_lb.domain 'localhost' has 1 label(s): use at least 2"],
                     id="domain-one-label"),
        pytest.param({"domain": "portal.example.com."}, ["ends with a dot"], id="domain-trailing-dot"),
        pytest.param({"domain": ("a" * 63 + ".") * 4 + "com"}, ["is 259 characters: DNS names hold at most 253"],
                     id="domain-length"),
        pytest.param({"domain": "x" * 64 + ".example.com"}, ["has invalid label(s)"], id="domain-label-length"),
        pytest.param({}, ["global_lb.domain is missing: kind 'route53' publishes the portal under a DNS name"],
                     id="route53-needs-domain"),
        pytest.param({"kind": "cloudfront", "domain": "portal.example.com"},
                     [("global_lb.kind 'cloudfront' is not a global load balancer kind: use 'route53' or "
                      "'global-accelerator'")], id="unknown-kind"),
        pytest.param({"domain": "portal.example.com", "routing": "weighted"},
                     ["global_lb.routing 'weighted' is not a routing policy: use 'latency' or 'failover'"],
                     id="unknown-routing"),
        pytest.param({"kind": "global-accelerator", "routing": "failover"},
                     ["global_lb.routing 'failover' applies to kind 'route53' only"], id="failover-with-ga"),
        pytest.param({"domain": "portal.example.com", "health_check_interval": 15},
                     ["global_lb.health_check_interval 15 is not allowed by Route 53: use 10 (fast) or 30"],
                     id="route53-interval"),
        pytest.param({"domain": "portal.example.com", "ga_health_check_interval": 5},
                     ["global_lb.ga_health_check_interval 5 is not allowed by Global Accelerator: use 10 or 30"],
                     id="ga-interval"),
        pytest.param({"domain": "portal.example.com", "failure_threshold": 0},
                     ["global_lb.failure_threshold 0 is out of range: use 1 to 10"], id="route53-threshold"),
        pytest.param({"domain": "portal.example.com", "ga_threshold_count": 11},
                     ["global_lb.ga_threshold_count 11 is out of range: use 1 to 10"], id="ga-threshold"),
        pytest.param({"domain": "portal.example.com", "health_check_port": 70000},
                     ["global_lb.health_check_port 70000 is not a TCP port"], id="port"),
        pytest.param({"domain": "portal.example.com", "client_affinity": "COOKIE"},
                     [("global_lb.client_affinity 'COOKIE' is not a Global Accelerator affinity: use 'NONE' or "
                      "'SOURCE_IP'")], id="affinity"),
        pytest.param({"domain": "portal.example.com", "hosted_zone_id": "z123"},
                     ["global_lb.hosted_zone_id 'z123' is not a hosted zone id"], id="zone-id-shape"),
        pytest.param({"domain": "portal.example.com", "zone_name": "example.org"},
                     ["global_lb.domain 'portal.example.com' is outside global_lb.zone_name 'example.org'",
                      "use a domain ending in .example.org"], id="domain-outside-zone"),
        pytest.param({"domain": "portal.notexample.com", "zone_name": "example.com"},
                     ["global_lb.domain 'portal.notexample.com' is outside global_lb.zone_name 'example.com'"],
                     id="domain-outside-zone-suffix"),
        pytest.param({"domain": "portal.example.com", "zone_name": "example..com"},
                     ["global_lb.zone_name 'example..com' has invalid label(s)"], id="zone-name-shape"),
        pytest.param({"kind": "global-accelerator", "zone_name": "example.com"},
                     ["global_lb.hosted_zone_id/zone_name are set without a domain"], id="zone-without-domain"),
        pytest.param({"domain": "portal.example.com", "name_prefix": "P"},
                     ["global_lb.name_prefix 'P' must be lower-case"], id="name-prefix"),
    ],
)
def test_props_validation_rule(props, expected):
    with pytest.raises(ConfigError) as err:
        GlobalLoadBalancerProps(**props)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message
    assert len(err.value.problems) == 1, err.value.problems


def test_props_report_every_problem_at_once():
    with pytest.raises(ConfigError) as err:
        GlobalLoadBalancerProps(kind="dns", domain="bad_name.example.com", health_check_interval=5,
                                client_affinity="x")
    assert len(err.value.problems) == 4


def test_valid_domains_pass():
    assert dns_name_problems("portal.example.com", "d") == []
    assert dns_name_problems("a-1.b2.example.co.uk", "d") == []
    assert GlobalLoadBalancerProps(domain="example.com", zone_name="example.com").effective_zone_name == "example.com"


def _construct_error(props: GlobalLoadBalancerProps, endpoints):
    from cdktf import TerraformStack, Testing
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    stack = TerraformStack(Testing.app(), "test")
    provider = AwsProvider(stack, "aws", region="us-east-1")
    with pytest.raises(ConfigError) as err:
        GlobalLoadBalancer(stack, "glb", props=props, endpoints=endpoints, provider=provider)
    assert stack.node.try_find_child("glb") is None, "nothing may be created for a refused configuration"
    return err.value.problems


def test_failover_with_three_endpoints():
    problems = _construct_error(GlobalLoadBalancerProps(domain="portal.example.com", routing="failover"),
                                [_endpoint(i) for i in range(3)])
    assert problems == [("global_lb.routing 'failover' needs exactly 2 endpoints (primary first, then secondary), "
                        "got 3: use routing 'latency' to spread over more than 2 datacenters")]


def test_failover_with_one_endpoint():
    problems = _construct_error(GlobalLoadBalancerProps(domain="portal.example.com", routing="failover"),
                                [_endpoint(0)])
    assert problems[0].startswith("global_lb.routing 'failover' needs exactly 2 endpoints")
    assert "got 1: add the secondary datacenter's endpoint, or use routing 'latency'" in problems[0]


def test_no_endpoints():
    problems = _construct_error(GlobalLoadBalancerProps(domain="portal.example.com"), [])
    assert problems == ["endpoints is empty: give each datacenter's NLB as a GlobalEndpoint"]


def test_duplicate_endpoint_names():
    twin = GlobalEndpoint(name="dc1", region="eu-west-1", nlb_arn="arn", nlb_dns_name="y", nlb_zone_id="Z1")
    problems = _construct_error(GlobalLoadBalancerProps(domain="portal.example.com"), [_endpoint(0), twin])
    assert problems == [("endpoints[1].name 'dc1' repeats endpoints[0].name: each datacenter is one endpoint; give "
                        "each its own name")]


def test_malformed_endpoint_region():
    bad = GlobalEndpoint(name="dc2", region="Europe", nlb_arn="arn", nlb_dns_name="y", nlb_zone_id="Z1")
    problems = _construct_error(GlobalLoadBalancerProps(domain="portal.example.com"), [_endpoint(0), bad])
    assert problems == [("endpoints[1].region 'Europe' is not a well-formed AWS region name: use a region such as "
                        "us-east-1 or eu-west-1")]


def test_global_accelerator_one_endpoint_group_per_region():
    same = GlobalEndpoint(name="dc2", region="us-east-1", nlb_arn="arn", nlb_dns_name="y", nlb_zone_id="Z1")
    problems = _construct_error(GlobalLoadBalancerProps(kind="global-accelerator"), [_endpoint(0), same])
    assert problems == [("endpoints[1] (dc2) and endpoints[0] (dc1) are both in region us-east-1: Global Accelerator "
                        "takes one endpoint group per region; use one datacenter per region")]
