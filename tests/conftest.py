"""Session-wide fixtures: settings read once, every architecture synthesized once (jsii costs ~10 s a process).

``PORTAL_HA_REQUIRE_TOOLS=1`` (set by ``.ci/run``) turns a run in which any test needing an installed tool
(marked ``terraform`` or ``graphviz``) was skipped, or in which none of them ran, into a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from stacks.entry import quiet_jsii

quiet_jsii()

REPO = Path(__file__).resolve().parent.parent

# Tests need a real synth: some change code or settings in memory, which the synth cache's key (files, the
# environment, package versions) cannot see. Its own tests, and the end-to-end runs (as a user would), turn it on.
os.environ["PORTAL_HA_SYNTH_CACHE"] = "off"


@pytest.fixture(scope="session")
def repo_settings():
    """Settings from the repository's own cdktf.json, production profile."""
    from stacks.loader import Invocation, load

    return load(Invocation(config=REPO / "cdktf.json", profile="production")).valid()


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


_yielded = False


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under pytest-xdist, with the e2e lifecycles in the run: every other test runs at a lower CPU priority
    (nice 19, the lowest, inherited by the processes it starts), so the lifecycles, which set the run's length, get
    the CPU whenever they need it and the rest of the suite fills the time they spend waiting on the AWS provider
    (nice 10 left the rest about a tenth of the CPU beside two busy lifecycle processes; 19 leaves it under 2%)."""
    global _yielded
    if _yielded or "e2e" in item.keywords or not hasattr(item.config, "workerinput"):
        return
    if any("e2e" in other.keywords for other in item.session.items):
        os.nice(19)
        _yielded = True


TOOL_MARKERS = ("terraform", "graphviz")
_tool_outcomes: dict[str, dict[str, str]] = {marker: {} for marker in TOOL_MARKERS}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for marker in TOOL_MARKERS:
        if marker in report.keywords and (report.when == "call" or report.outcome == "skipped"):
            _tool_outcomes[marker][report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under pytest-xdist each worker sees only its own tests; the controller sees every report.
    if os.environ.get("PORTAL_HA_REQUIRE_TOOLS") != "1" or hasattr(session.config, "workerinput"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for marker, outcomes in _tool_outcomes.items():
        ran = [n for n, o in outcomes.items() if o in ("passed", "failed")]
        skipped = [n for n, o in outcomes.items() if o == "skipped"]
        if not ran or skipped:
            message = (f"PORTAL_HA_REQUIRE_TOOLS=1 but {len(ran)} {marker}-backed test(s) ran and {len(skipped)} "
                       f"were skipped: tests needing {marker} must run in CI")
            if reporter:
                reporter.write_line(message, red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
