"""The app's notices as a cdktf CLI user sees them: information, not ``[ERROR]``.

The cdktf CLI (0.21) prints an app's stdout as it is and every line of its stderr as ``[ERROR] default - ...``;
the app therefore writes its notices to stdout when the CLI runs it. This runs the real ``cdktf synth``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from portal_ha import toolchain
from tests.conftest import REPO

pytestmark = pytest.mark.terraform
CDKTF = REPO / "node_modules" / ".bin" / "cdktf"


def _synth(project: Path, **env: str) -> str:
    config = json.loads((REPO / "cdktf.json").read_text())
    config["app"] = f"{sys.executable} -m stacks"
    (project / "cdktf.json").write_text(json.dumps(config, indent=2))
    proc = subprocess.run([str(CDKTF), "synth"], cwd=project, capture_output=True, text=True, timeout=300, env={
        **os.environ, **toolchain.terraform_env(project / ".portal-ha"), "PYTHONPATH": str(REPO),
        "PORTAL_HA_CONFIG": str(project / "cdktf.json"), "CHECKPOINT_DISABLE": "1", "PORTAL_HA_SYNTH_CACHE": "off",
        **env})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", proc.stdout + proc.stderr)


def test_profile_notices_are_plain_lines_under_cdktf_synth(tmp_path: Path) -> None:
    shown = _synth(tmp_path, PORTAL_HA_PROFILE="local")
    notices = [line for line in shown.splitlines() if "portal-ha: local profile, " in line]
    assert len(notices) == 3, shown  # one per architecture
    assert not [line for line in shown.splitlines() if "[ERROR]" in line and "portal-ha" in line], shown
    assert "Generated Terraform code for the stacks" in shown
