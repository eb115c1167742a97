"""The project's own rules, enforced: ruff is clean; invariants raise instead of ``assert`` (which ``python -O``
strips); modules stay small; packages depend one way (library <- cdktf app <- tooling); no file refers to a
document outside the repository."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.unit.project.imports import cycles, graph

PACKAGES = ("constructs_lib", "stacks", "portal_ha")
CODE = [p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py"))]
MAX_MODULE_LINES = 400
# The layers: a package may import only those listed for it (and the standard library and third parties).
MAY_IMPORT = {"constructs_lib": set(), "stacks": {"constructs_lib"}, "portal_ha": {"constructs_lib", "stacks"}}


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    found = []
    for name in listed.splitlines():
        path = REPO / name
        if path.suffix in (".png", ".lock") or name.endswith(("package-lock.json", "Pipfile.lock")):
            continue
        if path.is_file():
            found.append(path)
    return found


def test_ruff_finds_nothing():
    assert importlib.util.find_spec("ruff") is not None, "ruff is not installed: ./scripts/setup installs it"
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"ruff found problems:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("path", [*CODE, *sorted((REPO / "examples").rglob("*.py")),
                                  *sorted((REPO / "benchmarks").glob("*.py"))], ids=lambda p: str(p.relative_to(REPO)))
def test_no_assert_outside_tests(path):
    asserts = [node.lineno for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Assert)]
    assert asserts == [], f"{path.relative_to(REPO)} uses assert on lines {asserts}: raise an error instead"


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(REPO)))
def test_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(REPO)} has {lines} lines: split it by concern"


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(REPO)))
def test_packages_depend_one_way(path):
    package = path.relative_to(REPO).parts[0]
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    forbidden = (imported & set(PACKAGES)) - MAY_IMPORT[package] - {package}
    if package != "portal_ha":
        forbidden |= imported & {"moto"}  # the emulator belongs to the tooling alone
    assert not forbidden, f"{path.relative_to(REPO)} ({package}) imports {sorted(forbidden)}"


def test_no_file_refers_to_a_document_outside_the_repository():
    outside = ("DESIGN" + ".md", "../" + "shared", "seed/" + "api-portal")
    for path in _tracked_text_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found = [marker for marker in outside if marker in text]
        assert not found, f"{path.relative_to(REPO)} refers to {found}: the project must stand alone"


def test_no_import_circles():
    """No two modules of the three packages import each other, directly or through others, local and
    TYPE_CHECKING imports included (tests/unit/project/imports.py says how an import is counted)."""
    found = cycles(graph(REPO, PACKAGES))
    assert found == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)
