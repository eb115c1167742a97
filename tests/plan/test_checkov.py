"""checkov gate: every architecture's ``terraform show -json`` plan passes checkov with 0 failed checks.

The only exceptions are the checks listed in ``.checkov.yaml`` (``skip-check``), one line per check id,
each with its reason. checkov runs once, with every check, over the three plans: the gate leaves the skipped checks
out of that run, and the same run shows that each skip is still needed.

checkov is pinned (``CHECKOV_VERSION``); it pins boto3 and other packages exactly, so
it may run from a virtualenv of its own. Where it comes from, first match wins: ``$PORTAL_HA_CHECKOV``,
``.venv-checkov/bin/checkov`` in the project, then a ``checkov`` beside this Python, then one on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from stacks.architectures import NAMES as ARCHITECTURES

# One worker plans the three architectures and runs checkov over them (under pytest-xdist, each worker would
# otherwise plan and load checkov for the architectures it happened to get).
pytestmark = pytest.mark.xdist_group("checkov")

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / ".checkov.yaml"
CHECKOV_VERSION = "3.3.30"
SKIP_LINE = re.compile(r"^\s+- (?P<id>CKV2?_[A-Z0-9]+_\d+)\s+# (?P<reason>\S.{20,})$")

# What to change when one of these fails: the construct, resource and attribute.
FIX_HINTS = {
    "CKV_AWS_118": "constructs_lib/database.py: aws_rds_cluster_instance monitoring_interval=60 and "
                   "monitoring_role_arn (a role for monitoring.rds.amazonaws.com with "
                   "AmazonRDSEnhancedMonitoringRole)",
    "CKV_AWS_325": "constructs_lib/database.py: aws_rds_cluster enabled_cloudwatch_logs_exports += 'audit', "
                   "and cluster parameters server_audit_logging=1, "
                   "server_audit_events=CONNECT,QUERY_DCL,QUERY_DDL",
}


def checkov_command() -> list[str] | None:
    explicit = os.environ.get("PORTAL_HA_CHECKOV")
    if explicit:
        return [explicit]
    for candidate in (REPO / ".venv-checkov" / "bin" / "checkov", Path(sys.executable).parent / "checkov"):
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("checkov")
    return [found] if found else None


@pytest.fixture(scope="session")
def checkov() -> list[str]:
    command = checkov_command()
    if command is None:
        pytest.skip(f"checkov {CHECKOV_VERSION} not found: run scripts/setup, or set PORTAL_HA_CHECKOV to a "
                    "checkov executable")
    return command


def skip_list() -> dict[str, str]:
    """check id -> reason, from .checkov.yaml's ``skip-check`` lines."""
    skips: dict[str, str] = {}
    in_list = False
    for line in CONFIG.read_text().splitlines():
        if line.startswith("skip-check:"):
            in_list = True
            continue
        if in_list and line.startswith("  -"):
            match = SKIP_LINE.match(line)
            assert match, f".checkov.yaml: {line!r} is not '  - CHECK_ID  # reason' (one check a line, why)"
            assert match["id"] not in skips, f".checkov.yaml lists {match['id']} twice"
            skips[match["id"]] = match["reason"]
        elif in_list and line.strip() and not line.startswith("#"):
            in_list = False
    return skips


def _run(command: list[str], plan_files: list[Path], *args: str) -> dict[str, Any]:
    """One checkov run over every plan file (loading checkov costs more than checking a plan)."""
    proc = subprocess.run(
        [*command, *(f for plan in plan_files for f in ("-f", plan.name)), "--framework", "terraform_plan",
         "-o", "json", "--skip-download", *args],
        capture_output=True, text=True, cwd=plan_files[0].parent, env={**os.environ, "LOG_LEVEL": "ERROR"},
    )
    if proc.returncode not in (0, 1):
        raise AssertionError(f"checkov failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout)
    if isinstance(report, list):  # one report per framework; only terraform_plan runs here
        (report,) = [r for r in report if r.get("check_type") == "terraform_plan"]
    return report


def _select(report: dict[str, Any], plan: Path, skipped: bool) -> dict[str, Any]:
    """The part of a checkov report about one plan file, with its own summary: only the checks the skip list
    names (``skipped``) or only the others."""
    skips, results = skip_list(), report.get("results", {})
    mine = {kind: [c for c in results.get(kind, [])
                   if Path(c["file_path"]).name == plan.name and (c["check_id"] in skips) == skipped]
            for kind in ("passed_checks", "failed_checks")}
    return {"results": mine, "summary": {"passed": len(mine["passed_checks"]), "failed": len(mine["failed_checks"])}}


class CheckovResults:
    """One checkov run with every check, over the three architectures' plans, read per architecture: the gate is
    that run without the checks ``.checkov.yaml`` skips (which is all that file does, see
    test_checkov_config_only_skips_checks), and the skipped part is what the skip list hides."""

    def __init__(self, command: list[str], planner: Any, workdir: Path) -> None:
        self.command, self.planner, self.workdir = command, planner, workdir
        self._report: dict[str, Any] | None = None

    def _plan_files(self) -> list[Path]:
        paths = []
        for arch in ARCHITECTURES:
            path = self.workdir / f"{arch}.plan.json"
            if not path.exists():
                path.write_text(json.dumps(self.planner.plan(arch)))
            paths.append(path)
        return paths

    def report(self) -> dict[str, Any]:
        if self._report is None:
            self._report = _run(self.command, self._plan_files())
        return self._report

    def gate(self, arch: str) -> dict[str, Any]:
        return _select(self.report(), self.workdir / f"{arch}.plan.json", skipped=False)

    def skipped(self, arch: str) -> dict[str, Any]:
        """Results of the skipped checks alone: what the skip list hides (its failures: the skipped count)."""
        return _select(self.report(), self.workdir / f"{arch}.plan.json", skipped=True)

    def counts(self, arch: str) -> dict[str, int]:
        gate, hidden = self.gate(arch)["summary"], self.skipped(arch)["summary"]
        return {"passed": gate["passed"], "failed": gate["failed"], "skipped": hidden["failed"]}


@pytest.fixture(scope="session")
def checkov_results(checkov, planner, tmp_path_factory) -> CheckovResults:
    return CheckovResults(checkov, planner, tmp_path_factory.mktemp("checkov"))


def _failures(report: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    failed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for check in report.get("results", {}).get("failed_checks", []):
        failed[(check["check_id"], check["check_name"])].append(check["resource"])
    return failed


def test_skip_list_has_one_line_per_check_with_its_reason():
    skips = skip_list()
    assert skips, ".checkov.yaml has no skip-check entries"
    assert all(len(reason) > 20 for reason in skips.values())


def test_checkov_config_only_skips_checks():
    """The gate filters the skip list out of one full run, which equals checkov's own --config-file only while
    that file does nothing but skip checks."""
    keys = [line.split(":")[0] for line in CONFIG.read_text().splitlines()
            if line.strip() and not line.startswith(("#", " "))]
    assert keys == ["skip-check"]


@pytest.mark.terraform
def test_checkov_is_the_pinned_version(checkov_results):
    found = checkov_results.report()["summary"]["checkov_version"]
    assert found == CHECKOV_VERSION, (
        f"checkov {found} found, the gate is pinned to {CHECKOV_VERSION} (the skip list was reviewed against it): "
        "rerun scripts/setup")


@pytest.mark.terraform
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_plan_has_no_failed_checkov_check(arch, checkov_results):
    report = checkov_results.gate(arch)
    counts = checkov_results.counts(arch)
    print(f"checkov {arch}: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    failures = _failures(report)
    lines = [
        f"{check_id} {name}: {', '.join(sorted(resources))}"
        + (f"\n    fix: {FIX_HINTS[check_id]}" if check_id in FIX_HINTS else "")
        for (check_id, name), resources in sorted(failures.items())
    ]
    assert report["summary"]["failed"] == 0, (
        f"checkov found {report['summary']['failed']} failed check(s) in the {arch} plan; fix the construct, "
        "or skip the check in .checkov.yaml with its reason if it does not apply:\n" + "\n".join(lines))
    passed = report["summary"]["passed"]
    assert passed > 100, f"checkov passed only {passed} checks: empty plan?"


@pytest.mark.terraform
def test_every_skipped_check_is_still_needed(checkov_results):
    """A skip that no architecture needs any more hides future regressions: remove it."""
    needed = {check_id for arch in ARCHITECTURES for check_id, _ in _failures(checkov_results.skipped(arch))}
    stale = sorted(set(skip_list()) - needed)
    assert not stale, f".checkov.yaml skips {', '.join(stale)}, which no architecture fails now: drop them"
