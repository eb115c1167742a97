"""Session-wide fixtures: settings read once, every architecture synthesized once (jsii costs ~10 s a process).

``PORTAL_HA_REQUIRE_TERRAFORM=1`` (set by ``.ci/run``) turns a run in which any Terraform-backed test was
skipped, deselected or absent into a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from stacks.toolchain import quiet_jsii

quiet_jsii()

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_settings():
    """Settings from the repository's own cdktf.json, production profile."""
    from stacks.settings import _load

    return _load(str(REPO / "cdktf.json"), "production")


@pytest.fixture(scope="session")
def synth_outdir(repo_settings, tmp_path_factory) -> Path:
    """Every configured architecture synthesized once into a cdktf.out folder."""
    from stacks.app import synth_app

    outdir = tmp_path_factory.mktemp("cdktf.out")
    synth_app(repo_settings, outdir=str(outdir))
    return outdir


@pytest.fixture(scope="session")
def synthesized(synth_outdir) -> dict[str, dict[str, Any]]:
    """Stack name -> parsed cdk.tf.json, from the one session synth."""
    return {
        stack_dir.name: json.loads((stack_dir / "cdk.tf.json").read_text())
        for stack_dir in sorted((synth_outdir / "stacks").iterdir())
    }


_terraform_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "terraform" in report.keywords and (report.when == "call" or report.outcome == "skipped"):
        _terraform_outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("PORTAL_HA_REQUIRE_TERRAFORM") != "1":
        return
    ran = [n for n, o in _terraform_outcomes.items() if o in ("passed", "failed")]
    skipped = [n for n, o in _terraform_outcomes.items() if o == "skipped"]
    if not ran or skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (f"PORTAL_HA_REQUIRE_TERRAFORM=1 but {len(ran)} Terraform-backed test(s) ran and "
                   f"{len(skipped)} were skipped: the plan/e2e tests must run in CI")
        if reporter:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
