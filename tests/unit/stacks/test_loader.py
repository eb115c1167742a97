"""The loader: the one reader of ``cdktf.json`` and the environment; everything else gets values, and no module
writes the process environment to hand settings on."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from constructs_lib.errors import ConfigError
from stacks.loader import Invocation, document, load
from tests.conftest import REPO

DC = {"name": "dc1", "region": "us-east-1", "cidr": "10.10.0.0/16"}


def test_an_invocation_holds_what_the_environment_says_and_the_callers_default_profile():
    env = {"PORTAL_HA_CONFIG": "/x/cdktf.json", "PORTAL_HA_STATE_DIR": "/s", "PORTAL_HA_SYNTH_CACHE": "off",
           "CDKTF_OUTDIR": "/o", "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS": "true", "HOME": "/h"}
    found = Invocation.from_environment(env, profile="local")
    assert (found.config, found.profile, found.state_dir, found.synth_cache, found.outdir) == (
        Path("/x/cdktf.json"), "local", "/s", False, Path("/o"))
    assert dict(found.cdktf) == {"CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS": "true", "CDKTF_OUTDIR": "/o"}
    assert found.under_cdktf_cli
    # PORTAL_HA_PROFILE wins over the caller's default (portal-ha --local with PORTAL_HA_PROFILE=lab: lab).
    assert Invocation.from_environment({"PORTAL_HA_PROFILE": "lab"}, profile="local").profile == "lab"
    assert Invocation.from_environment({}) == Invocation()


def test_every_read_sees_the_file_as_it_is_now(tmp_path):
    config = tmp_path / "cdktf.json"
    config.write_text(json.dumps({"context": {"single-dc": {"datacenters": [DC]}}}))
    source = Invocation(config=config)
    assert load(source).valid().name_prefix == "portal"
    config.write_text(json.dumps({"context": {"name_prefix": "other", "single-dc": {"datacenters": [DC]}}}))
    assert load(source).valid().name_prefix == "other"  # nothing cached: nobody has to clear anything


def test_a_file_that_cannot_be_read_is_one_problem_naming_it(tmp_path):
    with pytest.raises(ConfigError, match=r"cdktf.json not found: run from the project folder or set "
                                          "PORTAL_HA_CONFIG"):
        document(tmp_path / "cdktf.json")
    (tmp_path / "cdktf.json").write_text("{")
    with pytest.raises(ConfigError, match=r"cdktf.json is not valid JSON \(.*\): fix the syntax"):
        document(tmp_path / "cdktf.json")
    (tmp_path / "cdktf.json").write_text("[]")
    with pytest.raises(ConfigError, match=r"must hold a JSON object with a 'context' key"):
        document(tmp_path / "cdktf.json")


def test_key_problems_come_back_with_the_settings_and_valid_raises_them(tmp_path):
    config = tmp_path / "cdktf.json"
    config.write_text(json.dumps({"context": {"nmae_prefix": "x", "single-dc": {"datacenters": [DC]}}}))
    loaded = load(Invocation(config=config))
    assert "single-dc" in loaded.settings.architectures
    assert [p.path for p in loaded.problems] == ["nmae_prefix"]
    with pytest.raises(ConfigError, match="nmae_prefix is not a known key"):
        loaded.valid()


def _writes_environment(node: ast.AST) -> bool:
    """``os.environ[...] = ``, ``os.environ.update/setdefault/pop/__setitem__(...)``, ``os.putenv(...)``."""
    def is_environ(target: ast.AST) -> bool:
        return isinstance(target, ast.Attribute) and target.attr == "environ"

    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        func = node.func
        return (is_environ(func.value) and func.attr in ("update", "setdefault", "pop", "__setitem__", "clear")) or (
            func.attr == "putenv")
    return False


# Who may touch os.environ, and why. Settings are read from it by the loader alone (called with os.environ by the
# two entry points); the others read what is not a setting of the stacks.
MAY_READ_ENVIRONMENT = {
    "stacks/loader.py": "the loader (load_environment's default)",
    "stacks/__main__.py": "python -m stacks: its one Invocation.from_environment",
    "portal_ha/cli/common.py": "the CLI: its Invocation.from_environment, and PORTAL_HA_PARALLELISM for Terraform",
    "portal_ha/cli/operations.py": "PORTAL_HA_POLL_SECONDS, how often an operation polls AWS",
    "portal_ha/terraform.py": "the environment Terraform's process inherits, plus the command's own",
    "portal_ha/toolchain.py": "the provider mirror's location, and jsii's banner variable for Terraform",
    "stacks/entry.py": "jsii's banner variable",
}
# entry.quiet_jsii sets jsii's own variable for the Node process jsii starts: the environment is the only way
# to reach that child, and it carries no setting of this project.
MAY_WRITE_ENVIRONMENT = {"stacks/entry.py"}


def _names_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")


@pytest.mark.parametrize("package", ["stacks", "portal_ha"])
def test_no_module_hands_settings_on_through_the_process_environment(package):
    writers, readers = [], []
    for path in sorted((REPO / package).rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith("portal_ha/emulator/"):
            continue  # the emulator's server process: not a reader of settings (it has none)
        tree = ast.parse(path.read_text())
        if relative not in MAY_WRITE_ENVIRONMENT:
            writers += [f"{relative}:{n.lineno}" for n in ast.walk(tree) if _writes_environment(n)]
        if relative not in MAY_READ_ENVIRONMENT:
            readers += [f"{relative}:{n.lineno}" for n in ast.walk(tree) if _names_environ(n)]
    assert writers == [], "writes the process environment: pass the values as arguments"
    assert readers == [], "reads the process environment: take the values as arguments (the loader reads settings)"


def test_a_local_report_leaves_the_process_environment_as_it_was(monkeypatch):
    from portal_ha.cli import main

    monkeypatch.setenv("PORTAL_HA_CONFIG", str(REPO / "cdktf.json"))
    monkeypatch.delenv("PORTAL_HA_PROFILE", raising=False)
    before = dict(os.environ)
    result = CliRunner().invoke(main, ["report", "multi-dc", "--local", "--json"])
    assert result.exit_code == 0, result.output
    assert dict(os.environ) == before
    assert "local profile, multi-dc" in result.output  # --local still reached the settings: as an argument


BINDINGS = ("jsii", "cdktf", "constructs", "cdktf_cdktf_provider_aws")
_CHECK = """
import json, sys
from click.testing import CliRunner
from portal_ha.cli import main as cli
from stacks.__main__ import main as app
which = sys.argv[1]
code = CliRunner().invoke(cli, ["synth", "single-dc"]).exit_code if which == "cli" else app()
print(json.dumps([code, [m for m in sys.argv[2:] if m in sys.modules]]))
"""


@pytest.mark.parametrize("which", ["cli", "app"])
def test_a_bad_file_exits_2_with_every_problem_before_any_binding_loads(tmp_path, which):
    """The whole validation pass (keys, types, every value of the props) imports no jsii, cdktf, constructs or
    provider binding, so a bad cdktf.json is reported in well under a second (benchmarks/run.py measures it)."""
    import subprocess
    import sys

    (tmp_path / "cdktf.json").write_text(json.dumps({"context": {"single-dc": {
        "datacenters": [DC | {"instance_count": 1}], "portal": {"instance_type": 5},
        "load_balancer": {"health_check_interval": 1}}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_HA_", "CDKTF_"))}
    proc = subprocess.run([sys.executable, "-c", _CHECK, which, *BINDINGS], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    code, loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (code, loaded) == (2, []), proc.stderr
