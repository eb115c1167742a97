"""What the emulator needs installed (``portal_ha.emulator.requirements``): the ``local`` extra, at the tested
moto. Another patch release is a warning, another minor version is refused (by the CLI before any server is
started, and by the server itself), and a Python without moto is told exactly what to install: exit 2, no
traceback, from ``portal-ha emulator start`` and ``portal-ha up ARCH --local`` alike."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from portal_ha import emulator
from portal_ha.cli import main
from portal_ha.emulator import requirements
from portal_ha.emulator import server as emulator_server
from portal_ha.emulator.requirements import INSTALL, TESTED_MOTO, UNTESTED_ENV, EmulatorUnavailable, check
from tests.conftest import REPO

MISSING = f"Error: the local emulator needs moto[server], which this Python cannot import: {INSTALL}\n"


def _patch_release() -> str:
    major, minor, patch = TESTED_MOTO.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def _next_minor() -> str:
    major, minor, _ = TESTED_MOTO.split(".")
    return f"{major}.{int(minor) + 1}.0"


def test_the_tested_moto_says_nothing():
    assert check(TESTED_MOTO, env={}) is None


def test_another_patch_release_is_a_warning_naming_both_versions():
    warning = check(_patch_release(), env={})
    assert warning == (f"moto {_patch_release()} is installed, but the emulator's extensions are tested with moto "
                       f"{TESTED_MOTO}: the emulator runs (a patch whose target moved fails at start), but may answer "
                       f"differently than tested; {INSTALL} installs moto {TESTED_MOTO}")


def test_another_minor_version_is_refused_naming_both_versions_and_what_to_do():
    with pytest.raises(EmulatorUnavailable) as raised:
        check(_next_minor(), env={})
    assert str(raised.value) == (
        f"moto {_next_minor()} is installed, but the emulator's extensions are tested with moto {TESTED_MOTO} "
        f"(they replace moto internals, which change between minor releases): {INSTALL} installs "
        f"moto[server]=={TESTED_MOTO}, or set {UNTESTED_ENV}=1 to run this moto anyway")


def test_an_untested_moto_runs_with_a_warning_when_asked_for():
    assert check("6.0.0", env={UNTESTED_ENV: "1"}).startswith("moto 6.0.0 is installed, but")
    with pytest.raises(EmulatorUnavailable):
        check("6.0.0", env={UNTESTED_ENV: "yes"})  # only 1 turns the check off


def test_no_moto_is_refused_with_what_to_install(monkeypatch):
    with pytest.raises(EmulatorUnavailable, match=re.escape(f"moto's server, which is not installed: {INSTALL}")):
        check(None, env={})
    monkeypatch.setitem(sys.modules, "moto", None)
    monkeypatch.setitem(sys.modules, "flask_cors", None)
    assert requirements.missing_packages() == ["moto[server]"]
    with pytest.raises(EmulatorUnavailable, match=r"needs moto\[server\], which this Python cannot import"):
        requirements.require()


def test_the_installed_version_is_read_from_the_package_metadata():
    import moto

    assert requirements.installed_moto() == moto.__version__


def test_an_untested_moto_is_refused_before_any_server_is_started(monkeypatch, tmp_path):
    monkeypatch.setattr(requirements, "installed_moto", _next_minor)
    monkeypatch.delenv(UNTESTED_ENV, raising=False)
    with pytest.raises(EmulatorUnavailable, match=f"moto {_next_minor()} is installed"):
        emulator.launch(tmp_path / "emulator")
    assert not (tmp_path / "emulator" / "moto.log").exists(), "no server may have been started"


def test_the_server_refuses_an_untested_moto_itself(monkeypatch, caplog):
    monkeypatch.setattr(requirements, "installed_moto", _next_minor)
    monkeypatch.delenv(UNTESTED_ENV, raising=False)
    with caplog.at_level(logging.ERROR, "portal_ha.emulator"), pytest.raises(SystemExit) as raised:
        emulator_server.serve(emulator.HOST, emulator.free_port())
    assert raised.value.code == 2
    assert f"moto {_next_minor()} is installed, but the emulator's extensions are tested with moto {TESTED_MOTO}" \
        in caplog.text


def test_the_cli_without_moto_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "moto", None)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["emulator", "start"])
    assert result.exit_code == 2
    assert result.stderr == MISSING


def test_the_cli_warns_of_another_patch_release_and_starts(monkeypatch, tmp_path):
    monkeypatch.setattr(requirements, "installed_moto", _patch_release)
    monkeypatch.chdir(tmp_path)  # the emulator's state folder is .portal-ha/emulator/ of the working folder
    runner = CliRunner()
    try:
        result = runner.invoke(main, ["emulator", "start"])
    finally:
        runner.invoke(main, ["emulator", "stop"])
    assert result.exit_code == 0, result.output
    assert f"warning: moto {_patch_release()} is installed" in result.stderr
    assert result.stdout.startswith("emulator running: pid ")


@pytest.mark.parametrize("command", [["emulator", "start"], ["up", "single-dc", "--local"]])
def test_the_console_script_without_moto_exits_2_without_a_traceback(command, tmp_path):
    """The real entry point, in a Python where moto cannot be imported, from an empty folder."""
    code = ("import sys\nsys.modules['moto'] = None\nfrom portal_ha.cli import entry\n"
            f"sys.argv = ['portal-ha', *{command!r}]\nentry()\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert (result.returncode, result.stderr, result.stdout) == (2, MISSING, "")
