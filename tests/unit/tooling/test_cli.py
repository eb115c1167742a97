"""The portal-ha CLI: help that reads well and the emulator lifecycle."""

from __future__ import annotations

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
