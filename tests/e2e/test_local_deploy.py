"""End to end against the local emulator: up, verify, no drift, fault injection, down, nothing left.

Each architecture runs in its own temporary project folder (a copy of cdktf.json), with its own moto server,
through the real ``portal-ha`` command line, as a user would run it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from portal_ha import emulator, terraform, toolchain
from tests.conftest import REPO

pytestmark = [pytest.mark.terraform, pytest.mark.e2e]

# Drift that moto itself makes right after apply (moto 5.2 answers an empty scaling_configuration and
# enclave_options), excused by name and by attribute only.
EMULATOR_DRIFT = {
    "aws_rds_cluster": {"scaling_configuration"},
    "aws_instance": {"enclave_options"},
}


class Project:
    """A scratch project folder where ``portal-ha`` runs as a user would run it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copy(REPO / "cdktf.json", root / "cdktf.json")
        self.env = {**os.environ, "PORTAL_HA_CONFIG": str(root / "cdktf.json")}
        self.env.pop("PORTAL_HA_PROFILE", None)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "portal_ha", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=1800)
        if check and proc.returncode != 0:
            raise AssertionError(f"portal-ha {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def emulator_env(self) -> dict[str, str]:
        server = emulator.status(self.root / emulator.EMULATOR_DIR)
        assert server is not None, "the emulator should still be running"
        return server.env()

    def stop(self) -> None:
        emulator.stop(self.root / emulator.EMULATOR_DIR)


def _drift(plan: dict) -> list[str]:
    """Changes in a plan, minus the named emulator artefacts."""
    found = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or change["mode"] != "managed":
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if actions == ["update"] and changed <= EMULATOR_DRIFT.get(change["type"], set()):
            continue
        found.append(f"{change['address']}: {actions} {sorted(changed)}")
    return found


def _lifecycle(tmp_path: Path, arch: str) -> None:
    project = Project(tmp_path)
    try:
        up = project.run("up", arch, "--local")
        assert "is up in" in up.stderr

        verified = project.run("verify", arch, "--local")
        assert " FAIL " not in verified.stdout and "0 FAIL" in verified.stdout, verified.stdout

        # A second plan right after apply changes nothing (named emulator artefacts aside).
        directory = terraform.stack_dir(tmp_path / "cdktf.out", arch)
        env = {**toolchain.terraform_env(tmp_path / ".portal-ha"), **project.emulator_env(),
               "PORTAL_HA_CONFIG": project.env["PORTAL_HA_CONFIG"]}
        drift = _drift(terraform.plan_json(directory, env))
        assert drift == [], "\n".join(drift)

        # Fault injection: stop one portal instance of the first datacenter; verify must name DC and rule.
        manifest = json.loads(terraform.outputs(directory, env)["verify_manifest"])
        victim_dc = manifest["datacenters"][0]
        ec2 = boto3.client("ec2", region_name=victim_dc["region"], endpoint_url=env["AWS_ENDPOINT_URL"],
                           aws_access_key_id="test", aws_secret_access_key="test")
        ec2.stop_instances(InstanceIds=[victim_dc["instance_ids"][0]])
        failed = project.run("verify", arch, "--local", "--json", check=False)
        assert failed.returncode == 1
        rows = json.loads(failed.stdout)
        failing = {(r["rule"], r["scope"]) for r in rows if r["status"] == "FAIL"}
        assert ("portal-instances", victim_dc["name"]) in failing, rows
        ec2.start_instances(InstanceIds=[victim_dc["instance_ids"][0]])

        down = project.run("down", arch, "--local")
        assert "nothing of it is left" in down.stderr
    finally:
        project.stop()


def test_multi_dc_lifecycle(tmp_path):
    _lifecycle(tmp_path, "multi-dc")


def test_single_dc_lifecycle(tmp_path):
    _lifecycle(tmp_path, "single-dc")
