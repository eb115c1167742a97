"""The portal-ha CLI: help that reads well and the emulator lifecycle."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from portal_ha import emulator
from portal_ha.cli import main


def test_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("plan", "synth", "env", "emulator", "toolchain"):
        assert command in result.output


def test_unknown_architecture_is_refused():
    result = CliRunner().invoke(main, ["plan", "two-dc"])
    assert result.exit_code == 2
    assert "'two-dc' is not one of 'single-dc', 'multi-dc', 'multi-dc-local'" in result.output


def test_env_exports_the_profile_the_cdktf_clis_app_must_synthesize_with(monkeypatch):
    """``eval "$(portal-ha env --local)"`` then ``npx cdktf deploy``: the app the cdktf CLI runs reads its profile
    from its environment, so --local's profile is exported (the tool itself passes it as an argument)."""
    import portal_ha.cli.tools as tools

    monkeypatch.setattr(tools, "environment", lambda local: ({"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, None))
    monkeypatch.delenv("PORTAL_HA_PROFILE", raising=False)
    local = CliRunner().invoke(main, ["env", "--local"])
    assert local.exit_code == 0, local.output
    assert local.output.splitlines() == ["export AWS_ENDPOINT_URL=http://127.0.0.1:1", "export PORTAL_HA_PROFILE=local"]
    assert "PORTAL_HA_PROFILE" not in CliRunner().invoke(main, ["env"]).output
    monkeypatch.setenv("PORTAL_HA_PROFILE", "lab")
    assert "export PORTAL_HA_PROFILE=lab" in CliRunner().invoke(main, ["env", "--local"]).output


def test_emulator_starts_is_reused_and_stops(tmp_path):
    state = tmp_path / "emulator"
    first = emulator.start(state)
    try:
        assert emulator.start(state) == first, "a running emulator must be reused"
        assert emulator.status(state) == first
    finally:
        assert emulator.stop(state) is True
    assert emulator.status(state) is None
    assert emulator.stop(state) is False


def test_stop_returns_once_a_server_this_process_started_is_gone(tmp_path):
    """A child that exited is a zombie until reaped, and signal 0 still reaches it: stop() must reap it rather
    than wait out its timeout and leave it behind (it did, 5 s per stop)."""
    state = tmp_path / "emulator"
    emulator.start(state)
    pid = json.loads((state / "state.json").read_text())["pid"]
    assert emulator.stop(state) is True
    assert not Path(f"/proc/{pid}").exists(), "the stopped server is left as a zombie"


def _digest(**actions):
    return {"resources": {address: {"actions": a, "values": {}} for address, a in actions.items()},
            "outputs": {"portal_url": "x"}}


def test_plan_lines_count_each_action_and_say_no_changes_when_there_are_none():
    from portal_ha.cli.deploy import plan_lines

    fresh = plan_lines("multi-dc", _digest(**{"aws_vpc.a": ["create"], "aws_vpc.b": ["create"],
                                              "aws_lb.c": ["create"]}))
    assert fresh == ["    1  create   aws_lb", "    2  create   aws_vpc",
                     "plan of multi-dc: 3 to create; 0 unchanged, 1 outputs"]
    mixed = plan_lines("multi-dc", _digest(**{"aws_vpc.a": ["no-op"], "aws_lb.b": ["update"],
                                              "aws_instance.c": ["delete", "create"], "aws_eip.d": ["delete"],
                                              "aws_efs_file_system.e": ["create", "delete"]}))
    assert mixed[-1] == "plan of multi-dc: 1 to update, 2 to replace, 1 to destroy; 1 unchanged, 1 outputs"
    assert "    1  replace  aws_instance" in mixed
    settled = plan_lines("multi-dc", _digest(**{"aws_vpc.a": ["no-op"], "aws_lb.b": ["no-op"]}))
    assert settled == ["plan of multi-dc: no changes; 2 unchanged, 1 outputs"]
