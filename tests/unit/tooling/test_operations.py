"""The day-2 commands' input checks (every one before any AWS call), configuration edits and timeline."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from portal_ha.cli import main
from portal_ha.operations.config_edit import Change, change, pending, write
from portal_ha.operations.deployment import Journal
from portal_ha.operations.timeline import Always, OperationError, Timeline


def _no_aws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record any attempt to make an AWS client or run Terraform: bad input must never get there."""
    calls: list[str] = []
    import boto3.session

    monkeypatch.setattr(boto3.session.Session, "client", lambda *a, **k: calls.append("boto3") or None)
    from portal_ha import terraform

    monkeypatch.setattr(terraform, "run", lambda *a, **k: calls.append("terraform") or "")
    return calls


def _edit(path: Path, arch: str, **values: Any) -> None:
    document = json.loads(path.read_text())
    document["context"][arch].update(copy.deepcopy(values))
    path.write_text(json.dumps(document, indent=2))


@pytest.mark.parametrize(("args", "message"), [
    (["failover", "multi-dc", "--to", "dc9", "--local"],
     "--to 'dc9' is not a datacenter of multi-dc: use one of dc1, dc2"),
    (["failover", "multi-dc", "--to", "dc1", "--local"],
     "dc1 already is the primary of multi-dc"),
    (["failover", "single-dc", "--to", "dc1", "--local"],
     "single-dc has one datacenter (dc1): there is no other datacenter to fail over to"),
    (["evacuate", "single-dc", "dc1", "--local"],
     "single-dc has one datacenter (dc1) and no global load balancer"),
    (["evacuate", "multi-dc", "dc3", "--local"], "'dc3' is not a datacenter of multi-dc: use one of dc1, dc2"),
    (["restore", "multi-dc", "dc2", "--local"], "dc2 is not evacuated (multi-dc.global_lb.evacuated is empty)"),
    (["drill", "single-dc", "--local"], "single-dc has one datacenter: a DR drill fails over between datacenters"),
])
def test_bad_input_is_refused_before_any_aws_call(config, monkeypatch, args, message):
    calls = _no_aws(monkeypatch)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()), result.output
    assert calls == []


def test_evacuating_the_last_serving_datacenter_is_refused(config, monkeypatch):
    _edit(config, "multi-dc", global_lb={"kind": "route53", "domain": "portal.example.com", "evacuated": ["dc1"]})
    calls = _no_aws(monkeypatch)
    result = CliRunner().invoke(main, ["evacuate", "multi-dc", "dc2", "--local"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "evacuating dc2 is refused: dc2 is the last datacenter serving users" in text
    assert "at least one datacenter must keep serving (restore one first)" in text
    assert calls == []


def test_an_unfinished_failover_elsewhere_is_finished_first(config, monkeypatch):
    _edit(config, "multi-dc", datacenters=[*json.loads(config.read_text())["context"]["multi-dc"]["datacenters"],
                                           {"name": "dc3", "region": "us-west-2", "cidr": "10.22.0.0/16"}])
    Journal("failover", "multi-dc", source="dc1", target="dc2").save()
    calls = _no_aws(monkeypatch)
    result = CliRunner().invoke(main, ["failover", "multi-dc", "--to", "dc3", "--local"])
    assert result.exit_code == 2
    assert "a failover of multi-dc to dc2 is unfinished: run portal-ha failover multi-dc --to dc2" in \
        " ".join(result.output.split())
    assert calls == []


def test_a_journal_turns_already_primary_into_a_resume(config):
    from portal_ha.operations.failover import preflight
    from stacks.loader import load_environment

    _edit(config, "multi-dc", primary="dc2")  # a failover wrote the settings, then stopped
    Journal("failover", "multi-dc", source="dc1", target="dc2").save()
    plan = preflight(load_environment().valid(), "multi-dc", "dc2", unplanned=False)
    assert (plan.source, plan.target, plan.resumed, plan.shared) == ("dc1", "dc2", True, True)


def test_configuration_changes_are_shown_then_written_keeping_the_rest(config):
    changes = [change(config, ("multi-dc", "primary"), "dc2"), change(config, ("multi-dc", "database_home"), "dc1"),
               change(config, ("multi-dc", "global_lb", "evacuated"), None)]
    assert [c.describe() for c in pending(changes)] == ['multi-dc.primary: "dc1" -> "dc2"',
                                                        'multi-dc.database_home: (unset) -> "dc1"']
    before = json.loads(config.read_text())
    write(config, changes)
    after = json.loads(config.read_text())
    assert after["context"]["multi-dc"]["primary"] == "dc2" and after["context"]["multi-dc"]["database_home"] == "dc1"
    after["context"]["multi-dc"].pop("database_home")
    after["context"]["multi-dc"]["primary"] = "dc1"
    assert after == before
    from stacks.loader import load_environment

    assert load_environment().valid().architectures["multi-dc"].primary == "dc2"  # no stale cached read


def test_a_timeline_skips_what_is_done_and_stops_at_a_failure_saying_the_state_left():
    ticks = iter(range(100))
    lines: list[str] = []
    timeline = Timeline("t", echo=lines.append, clock=lambda: float(next(ticks)))
    timeline.run("one", done=lambda: "found done", act=lambda: "never", state="-")
    timeline.run("two", done=lambda: None, act=lambda: "checked it", state="-")
    with pytest.raises(OperationError) as err:
        timeline.run("three", done=lambda: None, act=lambda: (_ for _ in ()).throw(RuntimeError("boom")),
                     state="half way")
    assert "step 'three' failed: boom" in str(err.value) and "State left: half way" in str(err.value)
    assert "Run the same command again to resume" in str(err.value)
    assert [(e.step, e.status, e.checked) for e in timeline.entries] == [
        ("one", "already done", "found done"), ("two", "done", "checked it"), ("three", "FAILED", "boom")]
    rendered = timeline.render()
    assert "already done" in rendered and "FAILED" in rendered and "total" in rendered


def test_a_step_with_nothing_to_check_says_why_and_acts_every_time():
    lines: list[str] = []
    acted: list[int] = []
    timeline = Timeline("t", echo=lines.append)
    for _ in range(2):
        timeline.run("reconcile", done=Always("an apply with nothing to change changes nothing"),
                     act=lambda: acted.append(1) or "applied", state="-")
    assert acted == [1, 1]
    assert lines.count("--> reconcile (runs every time: an apply with nothing to change changes nothing)") == 2
    assert [e.status for e in timeline.entries] == ["done", "done"]


def test_every_operation_step_checks_aws_first_or_says_why_it_need_not():
    """No step passes ``done=lambda: None`` (a check that claims to look and never does): each has a real check,
    or an ``Always`` with its reason, which README's Operations lists."""
    import ast

    from tests.conftest import REPO

    for path in sorted((REPO / "portal_ha" / "operations").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "done" and isinstance(node.value, ast.Lambda):
                body = node.value.body
                assert not (isinstance(body, ast.Constant) and body.value is None), f"{path.name}:{node.lineno}"


def test_change_of_an_unset_key_to_unset_is_no_change(config):
    assert pending([Change(("multi-dc", "database_home"), None, None)]) == []


@pytest.mark.parametrize("args", [["failover", "multi-dc", "--to", "dc2", "--local"], ["drill", "multi-dc", "--local"]])
def test_a_poll_interval_that_is_no_number_is_refused_first(config, monkeypatch, args):
    monkeypatch.setenv("PORTAL_HA_POLL_SECONDS", "fast")
    calls = _no_aws(monkeypatch)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "PORTAL_HA_POLL_SECONDS 'fast' is not a number of seconds: use for example 10" in \
        " ".join(result.output.split())
    assert calls == []


def test_up_refuses_a_named_replica_that_does_not_exist_before_terraform(config, monkeypatch):
    import click
    from moto import mock_aws

    from portal_ha.cli.deploy import _named_replica_exists

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    stack = config.parent / "stack"  # what synth writes for a replica managed outside the stack: a literal id
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_efs_replication_configuration": {"r": {
        "destination": {"region": "eu-west-1", "file_system_id": "fs-0123456789abcdef0"}}, "built": {
        "destination": {"region": "eu-west-1", "file_system_id": "${aws_efs_file_system.replica.id}"}}}}}))
    with mock_aws(), pytest.raises(click.ClickException) as err:
        _named_replica_exists("multi-dc", stack, {})
    assert err.value.message == (
        "multi-dc.file_system.replica_file_system_id names fs-0123456789abcdef0, which is not a file system in "
        "eu-west-1 (deleted?): remove the key, and the stack builds the replica itself, or name an existing file "
        "system of eu-west-1")


def test_an_interrupted_terraform_run_exits_130_even_inside_a_failed_step():
    from portal_ha.cli.common import INTERRUPTED_EXIT, Interrupted, failure
    from portal_ha.terraform import TerraformError, TerraformInterrupted

    assert failure(TerraformInterrupted("stopped")).exit_code == INTERRUPTED_EXIT == 130
    try:  # an operation's step: the CLI's apply raised Interrupted, the timeline wrapped it
        try:
            raise Interrupted("terraform apply was interrupted")
        except Interrupted as exc:
            raise OperationError("step 'reconcile' failed") from exc
    except OperationError as wrapped:
        assert failure(wrapped).exit_code == 130
    assert failure(TerraformError("failed")).exit_code == 1
    assert failure(OperationError("step failed")).exit_code == 1
