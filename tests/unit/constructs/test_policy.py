"""HA and security checks: each rule on plain facts (a compliant and a non-compliant case per rule), the
facts read from synthesized JSON, and end to end: the aspect on stacks built from the constructs fails
synthesis on errors and names every waiver."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from constructs_lib.errors import ConfigError
from constructs_lib.policy import RULES, Compliance, PolicyError, check_waivers, run_rules
from constructs_lib.policy.facts import (
    DatacenterFacts,
    DbClusterFacts,
    GlobalDatabaseFacts,
    GlobalEntryFacts,
    GroupFacts,
    IngressFacts,
    InstanceFacts,
    LoadBalancerFacts,
    StackFacts,
    StorageFacts,
    TargetGroupFacts,
    facts_from,
)

AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
EU_AZS = ("eu-west-1a", "eu-west-1b", "eu-west-1c")


def _dc(name: str = "dc1", azs: tuple[str, ...] = AZS, **changes) -> DatacenterFacts:
    base = DatacenterFacts(
        name=name, region=azs[0][:-1], azs=azs, nat_azs=azs,
        instances=(InstanceFacts(f"{name}-portal-0", azs[0]), InstanceFacts(f"{name}-portal-1", azs[1])),
        db_clusters=(DbClusterFacts(f"portal-{name}-db", node_azs=azs),),
        target_groups=(TargetGroupFacts(f"portal-{name}-tg", interval=10, unhealthy_threshold=2),),
        load_balancers=(LoadBalancerFacts(f"portal-{name}-nlb", ref=f"{name}_nlb"),),
        path=f"s/{name}/network",
    )
    return replace(base, **changes)


def _storage(dc: str = "dc1") -> tuple[StorageFacts, ...]:
    return (
        StorageFacts("efs", f"portal-{dc}-efs", dc, True),
        StorageFacts("rds-cluster", f"portal-{dc}-db", dc, True),
        StorageFacts("ebs-root", f"{dc}-portal-0", dc, True),
        StorageFacts("ebs-data", f"{dc}-portal-0 /dev/sdf", dc, True),
    )


def _single(**changes) -> StackFacts:
    base = StackFacts(
        name="single-dc", datacenters=(_dc(),), storage=_storage(),
        ingress=(IngressFacts("dc1", "0.0.0.0/0", "tcp", 443, 443, "HTTPS from clients"),
                 IngressFacts("dc1", "10.0.32.0/20", "tcp", 2049, 2049, "NFS from the DMZ")),
    )
    return replace(base, **changes)


def _group(azs: tuple[str, ...] = EU_AZS, **changes) -> GroupFacts:
    return replace(GroupFacts("portal-dc2-portal", min_size=2, subnet_azs=azs, health_check_type="ELB",
                              target_groups=1, path="s/dc2/fleet/asg/group"), **changes)


def _multi(**changes) -> StackFacts:
    # dc1 runs fixed instances, dc2 an Auto Scaling group: the rules accept both shapes.
    base = StackFacts(
        name="multi-dc", datacenters=(_dc("dc1"), _dc("dc2", EU_AZS, instances=(), groups=(_group(),))),
        storage=_storage("dc1") + _storage("dc2"),
        ingress=(IngressFacts("dc1", "0.0.0.0/0", "tcp", 443, 443),
                 IngressFacts("dc2", "0.0.0.0/0", "tcp", 443, 443)),
        global_entries=(GlobalEntryFacts("route53", "dc1_nlb", True),
                        GlobalEntryFacts("route53", "dc2_nlb", True)),
        global_databases=(GlobalDatabaseFacts("portal-global-db", deletion_protection=True, encrypted=True),),
    )
    return replace(base, **changes)


def _only(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


# ---- every rule passes the compliant single- and multi-datacenter facts --------------------------------


@pytest.mark.parametrize("rule_id", list(RULES))
@pytest.mark.parametrize("facts", [_single(), _multi()], ids=["single-dc", "multi-dc"])
def test_rule_passes_compliant_facts(rule_id, facts):
    assert RULES[rule_id].findings(facts) == []


def test_rules_are_registered_with_id_title_why_fix_and_level():
    assert list(RULES) == [f"HA{i}" for i in range(1, 12)]
    for rule in RULES.values():
        assert rule.title and rule.why and rule.fix
        assert rule.level in ("error", "warning")
    assert RULES["HA4"].level == "warning"


# ---- each rule fails its non-compliant facts: the message names the datacenter, the finding, why and fix

BAD = [
    ("HA1", _single(datacenters=(replace(_dc(), azs=("us-east-1a",), nat_azs=("us-east-1a",)),)),
     "dc1: subnets span 1 availability zone"),
    ("HA2", _single(datacenters=(_dc(instances=(InstanceFacts("p0", AZS[0]),)),)),
     "dc1: 1 portal instance in 1 distinct AZ"),
    ("HA2", _single(datacenters=(_dc(instances=(InstanceFacts("p0", AZS[0]), InstanceFacts("p1", AZS[0]))),)),
     "dc1: 2 portal instances in 1 distinct AZ"),
    ("HA2", _single(datacenters=(_dc(instances=(), groups=(_group(AZS, min_size=1),)),)),
     "dc1: 1 portal instance in 1 distinct AZ"),
    ("HA2", _single(datacenters=(_dc(instances=(), groups=(_group((AZS[0],), min_size=3),)),)),
     "dc1: 3 portal instances in 1 distinct AZ"),
    ("HA11", _multi(datacenters=(_dc("dc1"), _dc("dc2", EU_AZS, instances=(),
                                                  groups=(_group(health_check_type="EC2"),)))),
     "[HA11] dc2: Auto Scaling group portal-dc2-portal health check type EC2, not ELB"),
    ("HA11", _multi(datacenters=(_dc("dc1"), _dc("dc2", EU_AZS, instances=(),
                                                  groups=(_group(health_check_type=None, target_groups=0),)))),
     "dc2: Auto Scaling group portal-dc2-portal registers its instances in no target group and health check "
     "type EC2 (the default), not ELB"),
    ("HA3", _multi(datacenters=(_dc("dc1"), _dc("dc2", EU_AZS, db_clusters=(
        DbClusterFacts("portal-dc2-db", node_azs=EU_AZS[:2]),)))),
     "[HA3] dc2: 2 DB nodes in 2 AZs (cluster portal-dc2-db): Aurora needs 3 nodes in 3 AZs"),
    ("HA3", _single(datacenters=(_dc(db_clusters=(DbClusterFacts("db", (AZS[0], AZS[0], AZS[1])),)),)),
     "dc1: 3 DB nodes in 2 AZs"),
    ("HA3", _single(datacenters=(_dc(db_clusters=(DbClusterFacts("db", node_azs=(None, None, None)),)),)),
     "dc1: 3 DB nodes in 0 AZs"),
    ("HA3", _multi(datacenters=(_dc("dc1"), _dc("dc2", EU_AZS, db_clusters=()))),
     "dc2: 0 DB nodes (no database cluster in this datacenter)"),
    ("HA4", _single(datacenters=(_dc(nat_azs=(AZS[0],)),)), "[HA4] dc1: 1 NAT gateway (shared) for 3 AZs"),
    ("HA4", _single(datacenters=(_dc(nat_azs=()),)), "dc1: 0 NAT gateways for 3 AZs"),
    ("HA5", _single(datacenters=(_dc(target_groups=(TargetGroupFacts("tg", True, 30, 2),)),)),
     "dc1: target group tg detects a dead instance in 60 s (30 s x 2)"),
    ("HA5", _single(datacenters=(_dc(target_groups=(TargetGroupFacts("tg"),)),)),
     "target group tg detects a dead instance in 90 s (30 s x 3)"),  # AWS defaults when left out
    ("HA5", _single(datacenters=(_dc(target_groups=(TargetGroupFacts("tg", enabled=False),)),)),
     "target group tg has its health check disabled"),
    ("HA5", _single(datacenters=(_dc(target_groups=()),)),
     "dc1: portal instances with no load balancer target group health check"),
    ("HA6", _multi(global_entries=(GlobalEntryFacts("route53", "dc1_nlb", True),)),
     "[HA6] dc2: load balancer portal-dc2-nlb is not behind a health-checked global entry"),
    ("HA6", _multi(global_entries=(GlobalEntryFacts("route53", "dc1_nlb", True),
                                   GlobalEntryFacts("route53", "dc2_nlb", False))),
     "dc2: load balancer portal-dc2-nlb is behind the global load balancer without a health check"),
    ("HA6", _multi(global_entries=(GlobalEntryFacts("route53", "dc1_nlb", True, serving=False),
                                   GlobalEntryFacts("route53", "dc2_nlb", True, serving=False))),
     "[HA6] stack: every datacenter is evacuated: the global load balancer serves no one"),
    ("HA7", _single(datacenters=(_dc(db_clusters=(DbClusterFacts("portal-dc1-db", AZS, False),)),)),
     "[HA7] dc1: DB cluster portal-dc1-db has deletion protection off"),
    ("HA7", _multi(global_databases=(GlobalDatabaseFacts("portal-global-db", None, True),)),
     "stack: global database portal-global-db has deletion protection off"),
    ("HA8", _single(storage=(StorageFacts("efs", "portal-dc1-efs", "dc1", False),)),
     "[HA8] dc1: EFS file system portal-dc1-efs is not encrypted"),
    ("HA8", _single(storage=(StorageFacts("rds-cluster", "portal-dc1-db", "dc1", None),)),
     "dc1: DB cluster portal-dc1-db is not encrypted"),
    ("HA8", _single(storage=(StorageFacts("ebs-root", "portal-dc1-portal-0", "dc1", None),)),
     "dc1: root volume of instance portal-dc1-portal-0 is not encrypted"),
    ("HA8", _single(storage=(StorageFacts("ebs-data", "p0 /dev/sdf", "dc1", False),)),
     "dc1: data volume of instance p0 /dev/sdf is not encrypted"),
    ("HA8", _multi(global_databases=(GlobalDatabaseFacts("portal-global-db", True, False),)),
     "stack: global database portal-global-db is not encrypted"),
    ("HA9", _single(datacenters=(_dc(instances=(InstanceFacts("p0", AZS[0], http_tokens="optional"),
                                                InstanceFacts("p1", AZS[1]))),)),
     "[HA9] dc1: instance p0 allows IMDSv1 (http_tokens 'optional')"),
    ("HA9", _single(datacenters=(_dc(instances=(InstanceFacts("p0", AZS[0], http_tokens=None),
                                                InstanceFacts("p1", AZS[1]))),)),
     "dc1: instance p0 allows IMDSv1 (http_tokens None)"),
    ("HA9", _single(launch_templates=(InstanceFacts("lt", None, http_tokens="optional"),)),
     "stack: launch template lt allows IMDSv1"),
    ("HA10", _single(ingress=(IngressFacts("dc1", "0.0.0.0/0", "tcp", 22, 22, "SSH"),)),
     "[HA10] dc1: tcp 22 is open to 0.0.0.0/0 (SSH)"),
    ("HA10", _single(ingress=(IngressFacts("dc1", "::/0", "tcp", 80, 80),)), "dc1: tcp 80 is open to ::/0"),
    ("HA10", _single(ingress=(IngressFacts("dc1", "0.0.0.0/0", "-1", None, None),)),
     "dc1: all traffic is open to 0.0.0.0/0"),
    ("HA10", _single(ingress=(IngressFacts("dc1", "0.0.0.0/0", "tcp", 0, 65535),)),
     "dc1: tcp 0-65535 is open to 0.0.0.0/0"),
    ("HA10", _single(ingress=(IngressFacts("dc1", "0.0.0.0/0", "udp", 443, 443),)),
     "dc1: udp 443 is open to 0.0.0.0/0"),
]


@pytest.mark.parametrize(("rule_id", "facts", "fragment"), BAD,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BAD)])
def test_rule_fails_non_compliant_facts(rule_id, facts, fragment):
    rule = RULES[rule_id]
    findings = rule.findings(facts)
    assert len(findings) == 1, findings
    (finding,) = findings
    assert finding.rule_id == rule_id and finding.level == rule.level
    assert fragment in str(finding)
    assert rule.why in str(finding) and f"(fix: {rule.fix})" in str(finding)


def test_every_rule_has_a_non_compliant_case():
    assert {rule_id for rule_id, _, _ in BAD} == set(RULES)


def test_single_datacenter_needs_no_global_health_check():
    assert RULES["HA6"].evaluate(_single(global_entries=())).compliance is Compliance.NOT_APPLICABLE


def test_stack_without_database_has_no_db_node_finding():
    facts = _single(datacenters=(_dc(db_clusters=()),))
    assert RULES["HA3"].findings(facts) == []


def test_internal_sources_and_world_https_are_allowed():
    facts = _single(ingress=(IngressFacts("dc1", "0.0.0.0/0", "tcp", 443, 443),
                             IngressFacts("dc1", "10.0.0.0/8", "tcp", 22, 22),
                             IngressFacts("dc1", "::/0", "6", 443, 443)))
    assert RULES["HA10"].findings(facts) == []


def test_imds_disabled_is_compliant():
    facts = _single(datacenters=(_dc(instances=(InstanceFacts("p0", AZS[0], http_tokens="optional",
                                                              http_endpoint="disabled"),
                                                InstanceFacts("p1", AZS[1]))),))
    assert RULES["HA9"].findings(facts) == []


# ---- waivers --------------------------------------------------------------------------------------------


def test_waived_rule_findings_are_kept_and_marked():
    facts = _single(datacenters=(_dc(db_clusters=(DbClusterFacts("portal-dc1-db", AZS, False),)),))
    findings = run_rules(facts, {"HA7": "lab profile: destroy must work"})
    (finding,) = findings
    assert finding.rule_id == "HA7" and finding.waived == "lab profile: destroy must work"
    assert str(finding).endswith("[waived: lab profile: destroy must work]")
    assert run_rules(facts)[0].waived is None


@pytest.mark.parametrize(("waive", "fragment"), [
    ({"HA99": "x"}, "ha_checks.waive 'HA99' is not a rule id: use one of HA1, HA2"),
    ({"HA7": ""}, "ha_checks.waive[HA7] has no reason: say why"),
    ({"HA7": "   "}, "ha_checks.waive[HA7] has no reason"),
])
def test_waiver_needs_a_known_rule_and_a_reason(waive, fragment):
    with pytest.raises(ConfigError) as err:
        check_waivers(waive)
    assert fragment in str(err.value)


def test_policy_error_is_a_config_error_with_each_finding():
    error = PolicyError(["single-dc: [HA3] dc1: 2 DB nodes in 2 AZs"])
    assert isinstance(error, ConfigError)
    assert "1 HA/security check(s) failed" in str(error) and "[HA3] dc1: 2 DB nodes" in str(error)
    assert "waive" in str(error)


# ---- facts read from synthesized JSON (pure: hand-written cdk.tf.json fragments) ------------------------


def _meta(path: str) -> dict:
    return {"//": {"metadata": {"path": path}}}


RAW = {
    "provider": {"aws": [{"alias": "dc1", "region": "us-east-1"}]},
    "resource": {
        "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16", "provider": "aws.dc1",
                            **_meta("s/dc1/network/vpc")}},
        "aws_subnet": {
            "a": {"availability_zone": "us-east-1a", "provider": "aws.dc1"},
            "b": {"availability_zone": "${element(data.aws_availability_zones.z.names, 1)}",
                  "provider": "aws.dc1"},
        },
        "aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.a.id}", "provider": "aws.dc1"}},
        "aws_instance": {
            "i0": {"subnet_id": "${aws_subnet.a.id}", "provider": "aws.dc1", "tags": {"Name": "p0"},
                   "metadata_options": [{"http_tokens": "optional"}],
                   "root_block_device": [{"volume_size": 8}],
                   "ebs_block_device": [{"device_name": "/dev/sdf", "encrypted": True}],
                   **_meta("s/dc1/fleet/i0")},
        },
        "aws_ebs_volume": {"v": {"encrypted": False, "provider": "aws.dc1"}},
        "aws_rds_cluster": {"c": {"cluster_identifier": "db", "provider": "aws.dc1",
                                  "storage_encrypted": True}},
        "aws_rds_cluster_instance": {
            "n0": {"cluster_identifier": "${aws_rds_cluster.c.id}", "availability_zone": "us-east-1a"},
            "n1": {"cluster_identifier": "${aws_rds_cluster.c.id}"},
        },
        "aws_lb_target_group": {"tg": {"name": "tg", "provider": "aws.dc1",
                                       "health_check": {"interval": 30}}},
        "aws_lb": {"nlb": {"name": "nlb", "provider": "aws.dc1"}},
        "aws_security_group": {"sg": {"provider": "aws.dc1", "ingress": [
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}},
        "aws_security_group_rule": {"r": {"type": "ingress", "protocol": "-1", "from_port": 0, "to_port": 0,
                                          "ipv6_cidr_blocks": ["::/0"], "provider": "aws.dc1"}},
        "aws_route53_record": {"rec": {"alias": {"name": "${aws_lb.nlb.dns_name}"},
                                       "health_check_id": "${x.id}"}},
        "aws_launch_template": {"lt": {"name": "lt", "metadata_options": {"http_tokens": "required"}}},
    },
}


@pytest.fixture(scope="module")
def raw_facts() -> StackFacts:
    return facts_from(RAW, "s")


def test_facts_group_resources_by_provider_alias(raw_facts):
    (dc,) = raw_facts.datacenters
    assert dc.name == "dc1" and dc.region == "us-east-1" and dc.has_network and dc.path == "s/dc1/network"
    assert dc.azs == ("us-east-1a", "${element(data.aws_availability_zones.z.names, 1)}")
    assert dc.nat_azs == ("us-east-1a",)


def test_facts_read_instances_through_their_subnet(raw_facts):
    (instance,) = raw_facts.datacenters[0].instances
    assert instance == InstanceFacts("p0", "us-east-1a", "optional", None, "s/dc1/fleet/i0")


def test_facts_read_db_nodes_of_their_cluster(raw_facts):
    (cluster,) = raw_facts.datacenters[0].db_clusters
    assert cluster.name == "db" and cluster.node_azs == ("us-east-1a", None)
    assert cluster.deletion_protection is None


def test_facts_read_every_volume(raw_facts):
    kinds = {(s.kind, s.encrypted) for s in raw_facts.storage}
    assert kinds == {("ebs-root", None), ("ebs-data", True), ("ebs-volume", False), ("rds-cluster", True)}


def test_facts_read_inline_and_separate_ingress_rules(raw_facts):
    assert {(r.cidr, r.protocol, r.from_port) for r in raw_facts.ingress} == {("0.0.0.0/0", "tcp", 22),
                                                                              ("::/0", "-1", 0)}


def test_facts_read_health_checks_and_global_entries(raw_facts):
    (tg,) = raw_facts.datacenters[0].target_groups
    assert (tg.interval, tg.unhealthy_threshold, tg.enabled) == (30, None, True)
    assert raw_facts.global_entries == (GlobalEntryFacts("route53", "nlb", True, None),)
    assert raw_facts.launch_templates[0].http_tokens == "required"


def test_rules_over_raw_facts(raw_facts):
    ids = sorted({f.rule_id for f in run_rules(raw_facts)})
    # HA2: one instance; HA3: 2 nodes; HA4: 1 NAT for 2 AZs; HA5: 30 x 3 (default); HA7: no deletion
    # protection; HA8: root volume and EBS volume; HA9: IMDSv1; HA10: SSH and all IPv6 traffic.
    assert ids == ["HA10", "HA2", "HA3", "HA4", "HA5", "HA7", "HA8", "HA9"]


# ---- end to end: constructs, the aspect, synthesis ------------------------------------------------------


def _portal_stack(outdir: Path, *, waive=None, database=None, load_balancer=None, single_nat=False):
    from cdktf import App, TerraformStack
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.database import DatabaseClusterProps
    from constructs_lib.datacenter_lb import DatacenterLoadBalancerProps
    from constructs_lib.network import DatacenterProps
    from constructs_lib.policy import apply_ha_checks
    from constructs_lib.portal_datacenter import PortalDatacenter, PortalDatacenterProps
    from constructs_lib.shared_storage import SharedFileSystemProps

    app = App(outdir=str(outdir))
    stack = TerraformStack(app, "portal")
    provider = AwsProvider(stack, "aws-dc1", region="us-east-1", alias="dc1")
    PortalDatacenter(stack, "dc1", provider=provider, props=PortalDatacenterProps(
        network=DatacenterProps(name="dc1", region="us-east-1", azs=AZS, single_nat_gateway=single_nat),
        load_balancer=load_balancer or DatacenterLoadBalancerProps(),
        file_system=SharedFileSystemProps(), database=database or DatabaseClusterProps(),
    ))
    checks = apply_ha_checks(stack, waive=waive)
    return app, stack, checks


def _annotations(outdir: Path) -> list[dict]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return [a for stack in manifest["stacks"].values() for a in stack.get("annotations", [])]


@pytest.fixture(autouse=True)
def _cdktf_fails_on_errors():
    assert "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS" not in os.environ, "unset it: it turns the HA gate off"


def test_compliant_stack_synthesizes_without_findings(tmp_path):
    from constructs_lib.policy import check_stack, enforce_ha_checks

    app, stack, checks = _portal_stack(tmp_path)
    assert check_stack(stack) == []
    assert enforce_ha_checks(app) == []
    app.synth()
    assert (tmp_path / "stacks" / "portal" / "cdk.tf.json").exists()
    assert checks.findings == {"portal": []}
    assert _annotations(tmp_path) == []


def test_error_finding_fails_synthesis(tmp_path):
    from constructs_lib.database import DatabaseClusterProps
    from constructs_lib.datacenter_lb import DatacenterLoadBalancerProps

    app, _stack, _checks = _portal_stack(
        tmp_path, database=DatabaseClusterProps(instance_count=2, allow_fewer_nodes=True),
        load_balancer=DatacenterLoadBalancerProps(health_check_interval=30, unhealthy_threshold=3),
        single_nat=True)
    with pytest.raises(Exception) as err:
        app.synth()
    message = str(err.value)
    assert 'Encountered Annotations with level "ERROR"' in message
    assert ("[portal/dc1/db/cluster] [HA3] dc1: 2 DB nodes in 2 AZs (cluster portal-dc1-db): Aurora needs 3 "
            "nodes") in message
    assert "[portal/dc1/lb/tg] [HA5] dc1: target group portal-dc1-tg detects a dead instance in 90 s" \
        in message
    assert "[HA4]" not in message  # a warning: reported, not fatal
    assert not (tmp_path / "stacks" / "portal" / "cdk.tf.json").exists()


def test_enforce_raises_a_readable_policy_error_before_synthesis(tmp_path):
    from constructs_lib.database import DatabaseClusterProps
    from constructs_lib.policy import enforce_ha_checks

    app, _stack, _checks = _portal_stack(tmp_path, database=DatabaseClusterProps(deletion_protection=False),
                                         single_nat=True)
    with pytest.raises(PolicyError) as err:
        enforce_ha_checks(app)
    assert err.value.problems == [
        "portal: [HA7] dc1: DB cluster portal-dc1-db has deletion protection off: one mistaken destroy or "
        "console click must not delete the portal's database (fix: "
        "DatabaseClusterProps/GlobalDatabaseProps.deletion_protection True (the default); labs waive HA7)"]


def test_waiver_is_named_in_the_output_and_synthesis_passes(tmp_path):
    from constructs_lib.database import DatabaseClusterProps
    from constructs_lib.policy import enforce_ha_checks

    reason = "lab profile: deletion protection off so that destroy works"
    app, _stack, checks = _portal_stack(
        tmp_path, waive={"HA7": reason}, database=DatabaseClusterProps(deletion_protection=False,
                                                                       skip_final_snapshot=True),
        single_nat=True)
    findings = enforce_ha_checks(app)
    assert [(f.rule_id, f.waived) for f in findings] == [("HA4", None), ("HA7", reason)]
    app.synth()
    annotations = {(a["constructPath"], a["level"], a["message"]) for a in _annotations(tmp_path)}
    levels = {a[1] for a in annotations}
    assert not any("error" in level for level in levels)
    waiver = [a for a in annotations if "waived for this stack" in a[2]]
    assert waiver == [("portal", waiver[0][1], f"[HA checks] waived for this stack: HA7 ({reason}). Their "
                                               "findings are listed as info, not enforced")]
    assert "warn" in waiver[0][1]
    waived = [a for a in annotations if a[2].startswith("[HA7]")]
    assert len(waived) == 1 and waived[0][0] == "portal/dc1/db/cluster" and "info" in waived[0][1]
    assert waived[0][2].endswith(f"[waived: {reason}]")
    nat = [a for a in annotations if a[2].startswith("[HA4]")]
    assert len(nat) == 1 and "warn" in nat[0][1] and nat[0][0] == "portal/dc1/network"
    assert [f.rule_id for f in checks.findings["portal"]] == ["HA4", "HA7"]


@pytest.fixture(scope="module")
def two_datacenters():
    """A multi-datacenter stack (no DB, no EFS: not needed here) and a way to add its global load balancer."""
    from cdktf import TerraformStack, Testing
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    from constructs_lib.global_lb import GlobalEndpoint, GlobalLoadBalancer, GlobalLoadBalancerProps
    from constructs_lib.network import DatacenterProps
    from constructs_lib.portal_datacenter import PortalDatacenter, PortalDatacenterProps

    def build(endpoint_dcs: tuple[str, ...]):
        stack = TerraformStack(Testing.app(), "multi")
        dcs = {}
        for name, region, azs, cidr in (("dc1", "us-east-1", AZS, "10.1.0.0/16"),
                                        ("dc2", "eu-west-1", EU_AZS, "10.2.0.0/16")):
            provider = AwsProvider(stack, f"aws-{name}", region=region, alias=name)
            dcs[name] = PortalDatacenter(stack, name, provider=provider, props=PortalDatacenterProps(
                network=DatacenterProps(name=name, region=region, azs=azs, cidr=cidr)))
        GlobalLoadBalancer(
            stack, "global-lb", props=GlobalLoadBalancerProps(domain="portal.example.com"),
            provider=dcs["dc1"].network.provider,
            endpoints=[GlobalEndpoint(name=n, region=dcs[n].region, nlb_arn=dcs[n].load_balancer.nlb_arn,
                                      nlb_dns_name=dcs[n].load_balancer.nlb_dns_name,
                                      nlb_zone_id=dcs[n].load_balancer.nlb_zone_id) for n in endpoint_dcs])
        return stack

    return build


def test_global_health_check_on_every_datacenter_passes(two_datacenters):
    from constructs_lib.policy import check_stack

    assert check_stack(two_datacenters(("dc1", "dc2"))) == []


def test_datacenter_missing_from_the_global_load_balancer_fails(two_datacenters):
    from constructs_lib.policy import check_stack

    findings = check_stack(two_datacenters(("dc1",)))
    assert [(f.rule_id, f.subject, f.path) for f in findings] == [("HA6", "dc2", "multi/dc2/lb/nlb")]
    assert "load balancer portal-dc2-nlb is not behind a health-checked global entry" in str(findings[0])
