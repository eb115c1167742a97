"""What a cdktf.json user gets back: every problem of the file at once, each named at the key they wrote (JSON
path, the bad value as JSON, the fix in JSON spelling), nothing a profile replaced without a word, and
``name_prefix`` in every name.

Each table row is one problem class; the assertion is the exact message."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from constructs_lib.errors import ConfigError
from stacks.parse import read_context
from tests.conftest import REPO

DC1 = {"name": "dc1", "region": "us-east-1", "cidr": "10.10.0.0/16"}
DC2 = {"name": "dc2", "region": "eu-west-1", "cidr": "10.11.0.0/16"}
MULTI = {"datacenters": [DC1, DC2], "global_lb": {"domain": "portal.example.com"}}


def problems_of(context: dict[str, Any], profile: str | None = None) -> list[str]:
    """Every problem of a context, as ``python -m stacks`` reports them (keys, types, values, constructs)."""
    from stacks.app import build_app

    settings, problems = read_context(context, profile=profile)
    with pytest.raises(ConfigError) as raised:
        build_app(settings, problems=problems)
    return raised.value.problems


# (id, context, the exact message expected among the problems)
NAMED_AT_THE_KEY: list[tuple[str, dict[str, Any], str]] = [
    ("datacenter-instance-count", {"single-dc": {"datacenters": [DC1 | {"instance_count": 1}]}},
     'single-dc.datacenters[0].instance_count 1 is below the HA minimum of 2: use 2 or more, or set '
     '"allow_single_instance": true in single-dc.portal for a lab'),
    ("portal-instance-count", {"single-dc": {"datacenters": [DC1], "portal": {"instance_count": 0}}},
     "single-dc.portal.instance_count 0 is below 1: use 2 or more"),
    ("datacenter-cidr", {"multi-dc": MULTI | {"datacenters": [DC1, DC2 | {"cidr": "10.11.0.0/33"}]}},
     'multi-dc.datacenters[1].cidr "10.11.0.0/33" is not a valid IPv4 CIDR (\'33\' is not a valid netmask): use a '
     "network address such as 10.0.0.0/16"),
    ("name-prefix-once", {"name_prefix": "Bad_Prefix", "multi-dc": MULTI},
     'name_prefix "Bad_Prefix" must be lower-case letters, digits and hyphens, starting with a letter and not '
     "ending with a hyphen: AWS resource names derived from it allow nothing else"),
    ("replication-region", {"multi-dc": MULTI | {"file_system": {"replication_region": "mars-1"}}},
     'multi-dc.file_system.replication_region "mars-1" is not a well-formed AWS region name: use a region '
     "such as us-east-1 or eu-west-1"),
    ("kms-key-region", {"multi-dc": MULTI | {"database": {
        "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
     "multi-dc.database.kms_key_arn is a key in region eu-west-1 but the datacenter is in region us-east-1: "
     "KMS keys are regional; use a key created in us-east-1"),
    ("global-routing", {"multi-dc": MULTI | {"datacenters": [DC1, DC2, DC1 | {
        "name": "dc3", "region": "ap-southeast-2", "cidr": "10.12.0.0/16"}],
        "global_lb": {"domain": "portal.example.com", "routing": "failover"}}},
     'multi-dc.global_lb.routing "failover" needs exactly 2 endpoints (primary first, then secondary), got 3: '
     "use routing 'latency' to spread over more than 2 datacenters"),
    ("engine-extended-support", {"single-dc": {"datacenters": [DC1], "database": {
        "engine_version": "5.7.mysql_aurora.2.11.2"}}},
     "single-dc.database.engine_version 5.7.mysql_aurora.2.11.2 is Aurora MySQL 2 (MySQL 5.7), past the end of "
     "standard support: Axway supports MySQL 5.7 / MariaDB 10.4+ for API Portal, and Aurora MySQL 3 is MySQL "
     '8.0-compatible; use 8.0.mysql_aurora.3.08.2, or set "allow_extended_support_engine": true in '
     "single-dc.database to accept RDS Extended Support"),
    ("cidr-of-the-wrong-type", {"single-dc": {"datacenters": [DC1 | {"cidr": 10}]}},
     'single-dc.datacenters[0].cidr must be a string, got 10: write a string (its value is checked once it has '
     "that type)"),
    ("unknown-key", {"nmae_prefix": "acme", "single-dc": {"datacenters": [DC1]}},
     "nmae_prefix is not a known key: use one of backend, multi-dc, multi-dc-local, name_prefix, profile, "
     "single-dc, targets (see README, Configuration)"),
    ("profile", {"profile": "prod", "single-dc": {"datacenters": [DC1]}},
     'profile "prod" is unknown: use one of production, lab, local'),
]


@pytest.mark.parametrize(("case", "context", "message"), NAMED_AT_THE_KEY, ids=[c[0] for c in NAMED_AT_THE_KEY])
def test_each_problem_is_named_at_the_key_the_user_wrote(case, context, message):
    found = problems_of(context)
    assert message in found, "\n".join(found)


def test_a_wrong_type_is_one_problem_not_two():
    found = problems_of({"single-dc": {"datacenters": [DC1 | {"cidr": 10}]}})
    assert [p for p in found if ".cidr" in p] == [
        "single-dc.datacenters[0].cidr must be a string, got 10: write a string (its value is checked once it has "
        "that type)"]


def test_name_prefix_is_reported_once_for_the_whole_file():
    found = problems_of({"name_prefix": "Bad_Prefix", "single-dc": {"datacenters": [DC1]}, "multi-dc": MULTI})
    assert len([p for p in found if p.startswith("name_prefix ")]) == 1, found


def test_every_problem_of_the_file_comes_at_once_sorted_by_path():
    context = {
        "nmae_prefix": "x",
        "single-dc": {"datacenters": [DC1], "load_balancer": {"health_check_interval": 400}},
        "multi-dc": MULTI | {"database": {"instance_count": 2}},
    }
    found = problems_of(context)
    paths = [p.split(" ", 1)[0] for p in found]
    assert paths == ["multi-dc.database.instance_count", "nmae_prefix",
                     "single-dc.load_balancer.health_check_interval"], found
    assert found == sorted(found, key=lambda p: p.split(" ", 1)[0])


def test_an_unknown_key_does_not_hide_the_value_problems_of_the_same_file():
    found = problems_of({"single-dc": {"datacenters": [DC1 | {"cidrs": "x", "az_count": 1}]}})
    assert any(p.startswith("single-dc.datacenters[0].cidrs is not a known key") for p in found)
    assert any(p.startswith("single-dc.datacenters[0].az_count 1 is out of range") for p in found)


def test_problems_of_another_architecture_do_not_stop_the_one_asked_for():
    from stacks.app import build_app

    settings, problems = read_context({"single-dc": {"datacenters": [DC1 | {"az_count": "3"}]}, "multi-dc": MULTI})
    assert [str(p) for p in problems] == ['single-dc.datacenters[0].az_count must be an integer, got "3": write an '
                                         "integer (its value is checked once it has that type)"]
    app = build_app(settings, only=("multi-dc",), problems=problems)
    assert [s.node.id for s in app.node.children if hasattr(s, "to_terraform")] == ["multi-dc"]


# --- profiles never change what was asked without a word ------------------------------------------------------

GA = {"multi-dc": MULTI | {"global_lb": {"kind": "global-accelerator", "domain": "portal.example.com"}}}


def test_the_local_profile_says_it_replaces_global_accelerator():
    from stacks import profiles

    settings, _ = read_context(GA, profile="local")
    (line,) = profiles.notices(settings)
    assert line.startswith('local profile, multi-dc: multi-dc.global_lb.kind "global-accelerator" replaced by '
                           '"route53" (the emulator has no Global Accelerator); deletion protection off')


def test_a_replacement_that_leaves_a_setting_invalid_names_the_profile_and_the_original_setting():
    found = problems_of({"multi-dc": {"datacenters": [DC1, DC2], "global_lb": {"kind": "global-accelerator"}}},
                        profile="local")
    assert found == [
        "multi-dc.global_lb.domain is missing: kind 'route53' publishes the portal under a DNS name; set domain, "
        'e.g. portal.example.com; the local profile replaced "kind": "global-accelerator" by "route53" (the '
        "emulator has no Global Accelerator)"]


def test_python_m_stacks_prints_the_notice_and_every_problem_then_exits_2(tmp_path):
    config = tmp_path / "cdktf.json"
    config.write_text(json.dumps({"context": {
        "profile": "local", "nmae_prefix": "x", **GA,
        "single-dc": {"datacenters": [DC1], "portal": {"instance_count": 1}}}}))
    env = {**os.environ, "PORTAL_HA_CONFIG": str(config), "CDKTF_OUTDIR": str(tmp_path / "out")}
    env.pop("PORTAL_HA_PROFILE", None)
    proc = subprocess.run([sys.executable, "-m", "stacks"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert 'portal-ha: local profile, multi-dc: multi-dc.global_lb.kind "global-accelerator" replaced' in proc.stderr
    assert "portal-ha: 2 configuration problem(s)" in proc.stderr
    assert "  - nmae_prefix is not a known key" in proc.stderr
    assert '  - single-dc.portal.instance_count 1 is below the HA minimum of 2' in proc.stderr
    assert "Traceback" not in proc.stderr and not list((tmp_path / "out").rglob("cdk.tf.json"))


# --- name_prefix everywhere -------------------------------------------------------------------------------

# The default prefix where a prefix goes: at the start of a name or after a separator ("portal-dc1-db",
# "/portal/dc1/vpc-flow-logs", "portal: public zone of ..."); "acme-dc1-portal-0" names the portal instances.
DEFAULT_PREFIX = re.compile(r"(?<![a-z0-9-])portal(?=[-:/])")
NAMED_KEYS = ("name", "name_prefix", "description", "comment", "identifier", "cluster_identifier",
              "global_cluster_identifier", "creation_token", "final_snapshot_identifier")


def _named_values(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, text) of every name, description and tag value of every resource."""
    found = []
    for rtype, blocks in (document.get("resource") or {}).items():
        for name, body in blocks.items():
            for key in NAMED_KEYS:
                if isinstance(body.get(key), str):
                    found.append((f"{rtype}.{name}.{key}", body[key]))
            for key, value in (body.get("tags") or {}).items():
                found.append((f"{rtype}.{name}.tags.{key}", str(value)))
    for provider in (document.get("provider") or {}).get("aws", []):
        for block in provider.get("default_tags", []):
            for key, value in block.get("tags", {}).items():
                if key != "ManagedBy":  # names the tool (portal-ha/cdktf), not the deployment
                    found.append((f"provider.{provider.get('alias')}.default_tags.{key}", str(value)))
    return found


def test_name_prefix_reaches_every_name_description_and_tag(tmp_path):
    from stacks.app import build_app

    context = json.loads((REPO / "cdktf.json").read_text())["context"] | {"name_prefix": "acme"}
    for arch in ("multi-dc", "multi-dc-local"):
        context[arch]["global_lb"]["domain"] = "www.example.com"
    settings, problems = read_context(context)
    assert problems == []
    app = build_app(settings, outdir=str(tmp_path))
    app.synth()
    leftovers = []
    for stack_dir in sorted((tmp_path / "stacks").iterdir()):
        document = json.loads((stack_dir / "cdk.tf.json").read_text())
        values = _named_values(document)
        assert any("acme" in text for _, text in values), stack_dir.name
        leftovers += [f"{stack_dir.name}: {where} = {text}" for where, text in values if DEFAULT_PREFIX.search(text)]
    assert leftovers == [], "\n".join(leftovers)
