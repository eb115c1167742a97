"""The ``local`` profile deploys what production deploys: the same resources, differing only in the lab
teardown settings and where the state lives; Global Accelerator, absent from the emulator, is the one
substitution, and only where the configuration asks for it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from stacks import profiles
from tests.conftest import REPO

ARCHITECTURES = ("single-dc", "multi-dc", "multi-dc-local")
# What lab (and so local) changes in a resource, with the reason: teardown without leftovers.
LAB_CHANGES = {
    "deletion_protection": "off, so that destroy works",
    "enable_deletion_protection": "off on the NLB, so that destroy works",
    "skip_final_snapshot": "no final snapshot to clean up",
    "final_snapshot_identifier": "none, as no final snapshot is taken",
    "recovery_window_in_days": "secrets go at once, so that the same lab can be created again",
}


def _synth(settings, outdir: Path, only: tuple[str, ...] | None = None) -> dict[str, dict]:
    from stacks.app import build_app

    build_app(settings, outdir=str(outdir), only=only).synth()
    return {d.name: json.loads((d / "cdk.tf.json").read_text()) for d in (outdir / "stacks").iterdir()}


@pytest.fixture(scope="module")
def local_documents(repo_settings, tmp_path_factory):
    return _synth(replace(repo_settings, profile="local"), tmp_path_factory.mktemp("local"))


def _addresses(doc: dict) -> set[str]:
    found = set()
    for rtype, named in doc.get("resource", {}).items():
        for name, body in named.items():
            if "count" in body or "for_each" in body:
                raise AssertionError(f"{rtype}.{name} expands at plan time: compare plans, not documents")
            found.add(f"{rtype}.{name}")
    return found


def _differences(production: dict, local: dict) -> dict[str, set[str]]:
    """Resource address -> top-level attributes whose values differ (resources in both documents)."""
    changed = {}
    for rtype, named in production["resource"].items():
        for name, body in named.items():
            other = local["resource"][rtype][name]
            keys = {k for k in set(body) | set(other) if k != "//" and body.get(k) != other.get(k)}
            if keys:
                changed[f"{rtype}.{name}"] = keys
    return changed


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_local_plans_every_production_resource(arch, synthesized, local_documents):
    assert _addresses(local_documents[arch]) == _addresses(synthesized[arch])


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_local_differs_from_production_only_in_the_lab_teardown_settings(arch, synthesized, local_documents):
    changed = _differences(synthesized[arch], local_documents[arch])
    assert changed, "lab settings should show somewhere (the DB's deletion protection at least)"
    unexplained = {address: keys - set(LAB_CHANGES) for address, keys in changed.items() if keys - set(LAB_CHANGES)}
    assert unexplained == {}
    assert local_documents[arch]["provider"] == synthesized[arch]["provider"]  # same regions, same default tags
    assert local_documents[arch]["terraform"]["backend"]["local"]["path"].endswith(
        f".portal-ha/emulator/state/terraform.{arch}.tfstate")


def test_the_local_profile_says_what_it_changes(repo_settings):
    local = replace(repo_settings, profile="local")
    lines = profiles.notices(local)
    assert lines == [f"local profile, {arch}: deletion protection off and no final DB snapshot (teardown-friendly)"
                     for arch in local.architectures]
    assert profiles.notices(repo_settings) == []


def test_global_accelerator_is_the_one_substitution(repo_settings, tmp_path):
    from stacks.loader import parse_settings

    context = json.loads((REPO / "cdktf.json").read_text())["context"]
    context["multi-dc"]["global_lb"] = {"kind": "global-accelerator", "domain": "portal.example.com"}
    production = _synth(parse_settings(context, profile="production"), tmp_path / "p", only=("multi-dc",))
    local_settings = parse_settings(context, profile="local")
    local = _synth(local_settings, tmp_path / "l", only=("multi-dc",))
    only_production = _addresses(production["multi-dc"]) - _addresses(local["multi-dc"])
    only_local = _addresses(local["multi-dc"]) - _addresses(production["multi-dc"])
    assert only_production and {a.split(".")[0] for a in only_production} <= {  # and the alias to the accelerator
        "aws_globalaccelerator_accelerator", "aws_globalaccelerator_listener", "aws_globalaccelerator_endpoint_group",
        "aws_route53_record"}
    assert only_local and {a.split(".")[0] for a in only_local} <= {
        "aws_route53_zone", "aws_route53_health_check", "aws_route53_record"}
    notice = profiles.notices(local_settings, only=("multi-dc",))[0]
    assert 'multi-dc.global_lb.kind "global-accelerator" replaced by "route53"' in notice
