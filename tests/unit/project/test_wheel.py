"""Packaging: ``python -m build`` makes a wheel with its templates, and the wheel works outside the repository.

The wheel is installed as README says, with the ``local`` extra (``pip install 'portal_ha-....whl[local]'``),
into a fresh venv (no ``--system-site-packages``), offline: its dependencies (cdktf, constructs, the provider
bindings: hundreds of MB; moto's server for the extra) come from this environment through a ``.pth`` file that
appends this environment's site-packages after the venv's own, so the venv's packages (from the wheel) win and
nothing is downloaded. ``pip install --dry-run --no-index`` of the wheel with its extra first shows that every
requirement is then met (nothing to download but the wheel itself); the install itself is ``--no-deps
--no-index``. The ``existing-vpc`` example is then synthesized, and the emulator started, called and stopped
with the venv's ``portal-ha``, each from a folder outside the repository. About 25 s.
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


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> tuple[Path, Path]:
    """A fresh venv with the wheel and its ``local`` extra installed as README says: (its python, its
    site-packages)."""
    where = tmp_path_factory.mktemp("venv")
    venv = where / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=where)
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=where).stdout.strip())
    outer = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_portal_ha_test_dependencies.pth").write_text("".join(f"{p}\n" for p in outer))
    pip = [python, "-m", "pip", "install", "--no-index", "--disable-pip-version-check"]
    planned = _run([*pip, "--dry-run", f"{wheel}[local]"], cwd=where).stdout
    assert "Would install portal-ha-0.1.0" in planned.splitlines()[-1], planned  # every other requirement is met
    _run([*pip, "--no-deps", "-q", f"{wheel}[local]"], cwd=where)
    return python, site


def test_wheel_installs_in_a_fresh_venv_and_synthesizes_an_example_outside_the_repo(venv, tmp_path):
    python, site = venv
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


def test_the_installed_portal_ha_runs_the_emulator_outside_the_repo(venv, tmp_path):
    """``portal-ha emulator start``, a call that only the emulator's extensions answer, ``stop``. The emulator's
    state is ``.portal-ha/emulator/`` of the working folder and its port a free one, so a folder of this test's
    own never meets an emulator that someone runs elsewhere on this machine."""
    python, site = venv
    portal_ha = python.parent / "portal-ha"
    folder = tmp_path / "project"
    folder.mkdir()
    try:
        started = _run([portal_ha, "emulator", "start"], cwd=folder, timeout=120).stdout
        assert started.startswith("emulator running: pid "), started
        state = json.loads((folder / ".portal-ha" / "emulator" / "state.json").read_text())
        code = ("import boto3, botocore.exceptions, sys\n"
                "import portal_ha\n"
                f"scaling = boto3.client('autoscaling', 'us-east-1', endpoint_url='http://127.0.0.1:{state['port']}', "
                "aws_access_key_id='test', aws_secret_access_key='test')\n"
                "try:\n    scaling.describe_instance_refreshes(AutoScalingGroupName='none')\n"
                "except botocore.exceptions.ClientError as exc:\n"
                "    print(portal_ha.__file__, exc.response['Error']['Code'], exc.response['Error']['Message'])\n")
        where, error, message = _run([python, "-c", code], cwd=folder).stdout.split(" ", 2)
        assert Path(where).is_relative_to(site), f"portal_ha came from {where}, not from the installed wheel"
        # plain moto has no instance refresh (HTTP 500): this answer is the extension's (the server runs the same
        # python, so the same portal_ha)
        assert (error, message.strip()) == ("ValidationError", "AutoScalingGroup name not found - none")
    finally:
        stopped = _run([portal_ha, "emulator", "stop"], cwd=folder).stdout
    assert stopped == "emulator stopped\n"
    assert not (folder / ".portal-ha" / "emulator" / "state.json").exists()
