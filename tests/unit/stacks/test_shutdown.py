"""Entry points end without Python's interpreter teardown; nothing is lost: exit codes are kept, the synthesized
files are complete, and no jsii (Node) process is left behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.entry import exit_code
from tests.conftest import REPO


def _session_processes(sid: int) -> list[str]:
    """Processes still alive in session ``sid`` (the entry point was started as its leader)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields[3]: session id; Z: a zombie, already exited
            found.append(stat.parent.name)
    return found


def _run(args: list[str], cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAL_HA_CONFIG": str(config)}
    env.pop("PORTAL_HA_PROFILE", None)
    proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = proc.communicate(timeout=600)
    assert _session_processes(proc.pid) == [], "a process of the command outlived it (jsii's Node kernel?)"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), ("message", 1), (True, 1)])
def test_exit_code_is_what_sys_exit_would_give(code, status):
    assert exit_code(code) == status


def test_python_m_stacks_writes_complete_files_and_exits_0(tmp_path, synthesized):
    shutil.copy(REPO / "cdktf.json", tmp_path / "cdktf.json")
    proc = _run(["-m", "stacks"], tmp_path, tmp_path / "cdktf.json")
    assert proc.returncode == 0, proc.stderr
    written = {d.name: json.loads((d / "cdk.tf.json").read_text())
               for d in (tmp_path / "cdktf.out" / "stacks").iterdir()}
    for name, document in written.items():  # cdktf's default local state sits in the working directory
        backend = document["terraform"]["backend"]["local"]
        assert backend.pop("path") == str(tmp_path / f"terraform.{name}.tfstate")
        backend["path"] = synthesized[name]["terraform"]["backend"]["local"]["path"]
    assert written == synthesized  # the same documents as the session's in-process synth


def test_a_configuration_error_keeps_exit_status_2(tmp_path):
    (tmp_path / "cdktf.json").write_text(json.dumps({"context": {"profile": "staging"}}))
    proc = _run(["-m", "stacks"], tmp_path, tmp_path / "cdktf.json")
    assert proc.returncode == 2
    assert 'profile "staging" is unknown' in proc.stderr


def test_a_missed_target_keeps_exit_status_1(tmp_path):
    config = json.loads((REPO / "cdktf.json").read_text())
    config["context"]["targets"] = {"instance_failover_seconds": 5}
    (tmp_path / "cdktf.json").write_text(json.dumps(config))
    proc = _run(["-m", "portal_ha", "report", "single-dc", "--check"], tmp_path, tmp_path / "cdktf.json")
    assert proc.returncode == 1, proc.stderr
    assert "misses: instance (dc1): 20 s, target <= 5 s" in proc.stderr
    assert "| instance | dc1 | 20 s |" not in proc.stdout and "instance" in proc.stdout  # the table was flushed


def test_a_usage_error_keeps_click_status_2(tmp_path):
    proc = _run(["-m", "portal_ha", "up", "nowhere"], tmp_path, tmp_path / "cdktf.json")
    assert proc.returncode == 2
    assert "is not one of" in proc.stderr
