"""Packaging: ``python -m build`` makes a wheel with its templates, and the wheel works outside the repository.

The wheel is installed with ``pip --no-deps --no-index`` into a fresh venv (no ``--system-site-packages``);
its dependencies (cdktf, constructs, the provider bindings: hundreds of MB) come from this environment through
a ``.pth`` file that appends this environment's site-packages after the venv's own, so the venv's
``constructs_lib`` (from the wheel) wins and nothing is downloaded. The ``existing-vpc`` example is then
synthesized from a folder outside the repository with the venv's python. About 20 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _run(args: list[str | Path], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the build writes build/ and *.egg-info next to them)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for package in ("constructs_lib", "stacks", "portal_ha"):
        shutil.copytree(REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with this environment's setuptools, offline.
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, src], cwd=src)
    (built,) = dist.glob("portal_ha-*.whl")
    return built


def test_wheel_holds_the_package_its_templates_and_py_typed(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"constructs_lib/__init__.py", "constructs_lib/py.typed", "constructs_lib/templates/user_data.sh.tpl",
            "constructs_lib/network/datacenter.py", "stacks/app.py", "portal_ha/cli/__init__.py"} <= names
    assert not [n for n in names if n.startswith(("tests/", "examples/"))]


def test_wheel_installs_in_a_fresh_venv_and_synthesizes_an_example_outside_the_repo(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q", wheel],
         cwd=tmp_path)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    outer = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_portal_ha_test_dependencies.pth").write_text("".join(f"{p}\n" for p in outer))

    app = tmp_path / "app"  # outside the repository: nothing of the checkout is importable from here
    shutil.copytree(REPO / "examples" / "existing-vpc", app)
    where = _run([python, "-c", "import constructs_lib; print(constructs_lib.__file__)"], cwd=app).stdout.strip()
    assert Path(where).is_relative_to(site), f"constructs_lib came from {where}, not from the installed wheel"

    _run([python, "main.py"], cwd=app)
    doc = json.loads((app / "cdktf.out" / "stacks" / "existing-vpc" / "cdk.tf.json").read_text())
    made = doc["resource"]
    assert "aws_vpc" not in made and "aws_subnet" not in made
    assert len(made["aws_autoscaling_group"]) == 1 and len(made["aws_rds_cluster_instance"]) == 3
    assert len(made["aws_efs_mount_target"]) == 3
    # The user data comes from the packaged template (the launch template encodes it from a local).
    assert all("API Portal host preparation" in text for text in doc["locals"].values())
