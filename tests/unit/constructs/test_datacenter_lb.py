"""DatacenterLoadBalancer: synthesized NLB, listener, target group, attachments; a test per validation rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from constructs_lib import ConfigError
from constructs_lib.datacenter_lb import (
    DEFAULT_SSL_POLICY,
    DatacenterLoadBalancer,
    DatacenterLoadBalancerProps,
)
from tests.unit.helpers import ref, resources, synth_construct

AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def _datacenter(stack, **overrides):
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.network import Datacenter, DatacenterProps

    base = {"name": "dc1", "region": "us-east-1", "azs": AZS, "flow_logs": False}
    props = DatacenterProps(**(base | overrides))
    return Datacenter(stack, "dc", props=props, provider=AwsProvider(stack, "aws", region=props.region))


@pytest.fixture(scope="module")
def synth():
    """One stack: a datacenter, a default load balancer with a fleet, a sticky one, a TLS-terminating one."""
    from constructs_lib.portal_fleet import PortalFleet, PortalFleetProps

    handles = SimpleNamespace()

    def build(stack):
        dc = _datacenter(stack)
        web = DatacenterLoadBalancer(stack, "web", props=DatacenterLoadBalancerProps(), datacenter=dc)
        sticky = DatacenterLoadBalancer(
            stack, "sticky", datacenter=dc,
            props=DatacenterLoadBalancerProps(
                name="portal-sticky", stickiness=True, deletion_protection=False,
                allowed_cidrs=("203.0.113.0/24", "198.51.100.0/24")),
        )
        tls = DatacenterLoadBalancer(
            stack, "tls", datacenter=dc,
            props=DatacenterLoadBalancerProps(
                name="portal-tls", tls_termination=True, certificate_arn=CERT, health_check_interval=30,
                health_check_timeout=10, healthy_threshold=3, unhealthy_threshold=5, deregistration_delay=0),
        )
        fleet = PortalFleet(stack, "fleet", props=PortalFleetProps(auto_scaling=False), datacenter=dc,
                            lb_security_group_id=web.security_group_id)
        web.attach_instances(fleet.instance_ids)
        sticky.attach_instances(fleet.instance_ids[:1])
        sticky.attach_instances(fleet.instance_ids[1:])
        handles.dc, handles.web, handles.sticky, handles.tls, handles.fleet = dc, web, sticky, tls, fleet

    handles.doc = synth_construct(build)
    return handles


def _of(doc, rtype, construct_id):
    return {k: v for k, v in resources(doc, rtype).items() if k.startswith(f"{construct_id}_")}


def _only(doc, rtype, construct_id):
    found = _of(doc, rtype, construct_id)
    assert len(found) == 1, f"expected one {rtype} in {construct_id}, found {list(found)}"
    return next(iter(found.items()))


def test_internet_facing_nlb_in_the_public_subnets(synth):
    _, nlb = _only(synth.doc, "aws_lb", "web")
    public = {ref("aws_subnet", k) for k, s in resources(synth.doc, "aws_subnet").items()
              if s["tags"]["Tier"] == "public"}
    assert nlb["load_balancer_type"] == "network" and nlb["internal"] is False
    assert len(nlb["subnets"]) == 3 and set(nlb["subnets"]) == public
    assert nlb["enable_cross_zone_load_balancing"] is True
    assert nlb["name"] == "portal-dc1-nlb"
    sg_id, _ = _only(synth.doc, "aws_security_group", "web")
    assert nlb["security_groups"] == [ref("aws_security_group", sg_id)]


def test_deletion_protection_is_on_by_default_and_switchable(synth):
    assert _only(synth.doc, "aws_lb", "web")[1]["enable_deletion_protection"] is True
    assert _only(synth.doc, "aws_lb", "sticky")[1]["enable_deletion_protection"] is False


def test_default_listener_is_tcp_443_forwarding_to_the_target_group(synth):
    _, listener = _only(synth.doc, "aws_lb_listener", "web")
    nlb_id, _ = _only(synth.doc, "aws_lb", "web")
    tg_id, _ = _only(synth.doc, "aws_lb_target_group", "web")
    assert (listener["port"], listener["protocol"]) == (443, "TCP")
    assert listener["load_balancer_arn"] == ref("aws_lb", nlb_id, "arn")
    target_group_arn = ref("aws_lb_target_group", tg_id, "arn")
    assert listener["default_action"] == [{"type": "forward", "target_group_arn": target_group_arn}]
    assert "certificate_arn" not in listener and "ssl_policy" not in listener


def test_target_group_checks_tcp_fast_by_default(synth):
    _, tg = _only(synth.doc, "aws_lb_target_group", "web")
    assert tg["name"] == "portal-dc1-tg"
    assert (tg["port"], tg["protocol"], tg["target_type"]) == (443, "TCP", "instance")
    assert tg["health_check"] == {"enabled": True, "protocol": "TCP", "port": "traffic-port", "interval": 10,
                                  "timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 2}
    assert tg["deregistration_delay"] == "30"
    assert "stickiness" not in tg
    assert tg["vpc_id"] == ref("aws_vpc", next(iter(resources(synth.doc, "aws_vpc"))))


def test_effective_health_check_settings_are_python_ints(synth):
    web, tls = synth.web, synth.tls
    assert (web.health_check_interval, web.healthy_threshold, web.unhealthy_threshold) == (10, 2, 2)
    assert (tls.health_check_interval, tls.healthy_threshold, tls.unhealthy_threshold) == (30, 3, 5)
    values = (web.health_check_interval, web.healthy_threshold, web.unhealthy_threshold)
    assert all(type(v) is int for v in values)
    _, tg = _only(synth.doc, "aws_lb_target_group", "tls")
    assert (tg["health_check"]["interval"], tg["health_check"]["timeout"]) == (30, 10)
    assert tg["deregistration_delay"] == "0"


def test_stickiness_is_source_ip_when_enabled(synth):
    _, tg = _only(synth.doc, "aws_lb_target_group", "sticky")
    assert tg["stickiness"] == {"type": "source_ip", "enabled": True}
    assert tg["protocol"] == "TCP" and tg["name"] == "portal-sticky-tg"


def test_tls_termination_uses_the_certificate_and_re_encrypts(synth):
    _, listener = _only(synth.doc, "aws_lb_listener", "tls")
    assert (listener["port"], listener["protocol"]) == (443, "TLS")
    assert listener["certificate_arn"] == CERT
    assert listener["ssl_policy"] == DEFAULT_SSL_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    _, tg = _only(synth.doc, "aws_lb_target_group", "tls")
    assert tg["protocol"] == "TLS", "Apache speaks TLS on 443, so the NLB must re-encrypt"
    assert tg["health_check"]["protocol"] == "TCP"


def test_security_group_admits_443_from_allowed_cidrs_only(synth):
    doc = synth.doc
    for construct_id, cidrs in (("web", {"0.0.0.0/0"}), ("sticky", {"203.0.113.0/24", "198.51.100.0/24"})):
        sg_id, sg = _only(doc, "aws_security_group", construct_id)
        assert "ingress" not in sg and "egress" not in sg
        ingress = [r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
                   if r["security_group_id"] == ref("aws_security_group", sg_id)]
        assert {r["cidr_ipv4"] for r in ingress} == cidrs and len(ingress) == len(cidrs)
        assert all((r["ip_protocol"], r["from_port"], r["to_port"]) == ("tcp", 443, 443) and r["description"]
                   for r in ingress)


def test_security_group_sends_443_only_to_the_dmz(synth):
    doc = synth.doc
    sg_id, _ = _only(doc, "aws_security_group", "web")
    egress = [r for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
              if r["security_group_id"] == ref("aws_security_group", sg_id)]
    assert sorted(r["cidr_ipv4"] for r in egress) == sorted(synth.dc.dmz_cidrs)
    assert all((r["ip_protocol"], r["from_port"], r["to_port"]) == ("tcp", 443, 443) and r["description"]
               for r in egress)


def test_each_instance_is_attached_on_443(synth):
    doc = synth.doc
    instance_refs = sorted(ref("aws_instance", k) for k in _of(doc, "aws_instance", "fleet"))
    assert len(instance_refs) == 2
    for construct_id in ("web", "sticky"):
        tg_id, _ = _only(doc, "aws_lb_target_group", construct_id)
        attachments = list(_of(doc, "aws_lb_target_group_attachment", construct_id).values())
        assert sorted(a["target_id"] for a in attachments) == instance_refs
        assert all(a["port"] == 443 and a["target_group_arn"] == ref("aws_lb_target_group", tg_id, "arn")
                   for a in attachments)
    assert not _of(doc, "aws_lb_target_group_attachment", "tls")


def test_attributes(synth):
    web = synth.web
    assert (web.nlb_name, web.target_group_name) == ("portal-dc1-nlb", "portal-dc1-tg")
    for attr in ("nlb_arn", "nlb_dns_name", "nlb_zone_id", "target_group_arn", "listener_arn",
                 "security_group_id"):
        assert isinstance(getattr(web, attr), str), attr
    assert len({web.nlb_arn, web.nlb_dns_name, web.nlb_zone_id, web.target_group_arn, web.listener_arn}) == 5


# --- Names --------------------------------------------------------------------------------------------------

def test_default_name_too_long_fails_before_any_resource_is_made():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "long")
    dc = _datacenter(stack, name="d" * 12, name_prefix="p" * 16)
    with pytest.raises(ConfigError) as err:
        DatacenterLoadBalancer(stack, "lb", props=DatacenterLoadBalancerProps(), datacenter=dc)
    message = str(err.value)
    assert "load_balancer.name (default: datacenter.resource_name)" in message
    assert "of 33 characters, above the AWS limit of 32" in message
    assert "shorten name_prefix or the datacenter name, or set load_balancer.name" in message
    assert stack.node.find_child("lb").node.children == []


def test_certificate_in_another_region_fails_before_any_resource_is_made():
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "cert")
    dc = _datacenter(stack)
    other = CERT.replace("us-east-1", "eu-west-1")
    with pytest.raises(ConfigError) as err:
        DatacenterLoadBalancer(stack, "lb", datacenter=dc,
                               props=DatacenterLoadBalancerProps(tls_termination=True, certificate_arn=other))
    message = str(err.value)
    assert "load_balancer.certificate_arn is in eu-west-1 but datacenter dc1 is in us-east-1" in message
    assert "issue or import one in us-east-1" in str(err.value)
    assert stack.node.find_child("lb").node.children == []


# --- Validation: one test per rule --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"name": "n" * 29}, ["load_balancer.name", "of 33 characters, above the AWS limit of 32",
                                          "use a shorter load_balancer.name"], id="name-length"),
        pytest.param({"name": "portal_dc1"}, ["load_balancer.name 'portal_dc1' gives the load balancer name "
                                              "'portal_dc1-nlb', which AWS rejects"], id="name-characters"),
        pytest.param({"name": "-portal"}, ["may not start or end with a hyphen"], id="name-leading-hyphen"),
        pytest.param({"name": "internal-dc1"}, ["AWS reserves the prefix 'internal-'"],
                     id="name-internal-prefix"),
        pytest.param({"allowed_cidrs": ("0.0.0.0/0", "10.0.0.1/8")},
                     ["load_balancer.allowed_cidrs[1] '10.0.0.1/8' is not a valid IPv4 CIDR"],
                     id="allowed-cidr"),
        pytest.param({"allowed_cidrs": ()}, ["load_balancer.allowed_cidrs () is not a non-empty tuple"],
                     id="allowed-cidrs-empty"),
        pytest.param({"allowed_cidrs": "0.0.0.0/0"}, ["is not a non-empty tuple of CIDRs"],
                     id="allowed-cidrs-str"),
        pytest.param({"tls_termination": True},
                     ["load_balancer.tls_termination is True but certificate_arn is not set"],
                     id="tls-without-certificate"),
        pytest.param({"certificate_arn": CERT}, ["is set but tls_termination is False",
                                                 "set tls_termination=True"], id="certificate-without-tls"),
        pytest.param({"tls_termination": True,
                      "certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"},
                     ["is not an ACM certificate ARN", "arn:aws:acm:REGION:ACCOUNT:certificate/ID"],
                     id="certificate-arn-format"),
        pytest.param({"tls_termination": True, "certificate_arn": CERT, "ssl_policy": "TLS13"},
                     ["load_balancer.ssl_policy 'TLS13' is not an ELB security policy"], id="ssl-policy"),
        pytest.param({"tls_termination": True, "certificate_arn": CERT, "stickiness": True},
                     ["AWS does not support sticky sessions on TLS listeners"], id="stickiness-with-tls"),
        pytest.param({"health_check_interval": 4}, ["load_balancer.health_check_interval 4 is out of range",
                                                    "every 5 to 300 seconds"], id="interval-low"),
        pytest.param({"health_check_interval": 301}, ["health_check_interval 301 is out of range"],
                     id="interval-high"),
        pytest.param({"health_check_timeout": 1}, ["load_balancer.health_check_timeout 1 is out of range",
                                                   "2 to 120"], id="timeout-range"),
        pytest.param({"health_check_timeout": 10},
                     ["health_check_timeout 10 is not below health_check_interval 10"],
                     id="timeout-not-below-interval"),
        pytest.param({"healthy_threshold": 1}, ["load_balancer.healthy_threshold 1 is out of range",
                                                "allow 2 to 10"], id="healthy-threshold"),
        pytest.param({"unhealthy_threshold": 11}, ["load_balancer.unhealthy_threshold 11 is out of range"],
                     id="unhealthy-threshold"),
        pytest.param({"deregistration_delay": 3601},
                     ["load_balancer.deregistration_delay 3601 is out of range", "0 to 3600"],
                     id="deregistration-delay"),
    ],
)
def test_validation_rule(overrides, expected):
    with pytest.raises(ConfigError) as err:
        DatacenterLoadBalancerProps(**overrides)
    message = str(err.value)
    for fragment in expected:
        assert fragment in message


def test_token_certificate_is_accepted():
    from cdktf import Fn

    props = DatacenterLoadBalancerProps(tls_termination=True, certificate_arn=Fn.lower("ARN"))
    assert props.tls_termination


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as err:
        DatacenterLoadBalancerProps(health_check_interval=1, healthy_threshold=0, deregistration_delay=-1)
    assert len(err.value.problems) == 3
