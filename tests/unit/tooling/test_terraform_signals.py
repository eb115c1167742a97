"""Interrupting ``portal_ha.terraform.apply``: Terraform is asked to stop, never killed, and its state stays whole.

A real Terraform applies three ``terraform_data`` resources (built in: no provider, no network); the second one's
local-exec provisioner sleeps, which is "mid-apply". The apply runs in a child Python process, as under the
``portal-ha`` CLI, and that process gets a SIGINT (as from Ctrl-C) or a SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from portal_ha import terraform, toolchain
from tests.conftest import REPO

pytestmark = pytest.mark.terraform

CONFIG = """
resource "terraform_data" "first" {}

resource "terraform_data" "slow" {
  depends_on = [terraform_data.first]
  provisioner "local-exec" {
    command = "sleep 60"
  }
}

resource "terraform_data" "after" {
  depends_on = [terraform_data.slow]
}
"""

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from portal_ha import terraform, toolchain
    directory = Path(sys.argv[1])
    try:
        terraform.apply(directory, toolchain.terraform_env(directory / ".portal-ha"), tty=False)
    except terraform.TerraformInterrupted as exc:
        print("INTERRUPTED", exc, file=sys.stderr)
        sys.exit(130)
""")


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(CONFIG)
    terraform.init(tmp_path, toolchain.terraform_env(tmp_path / ".portal-ha"))
    return tmp_path


def _start(stack: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(stack)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _terraform_pids(stack: Path) -> list[int]:
    """Terraform processes working in ``stack`` (by their working folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "cwd") == str(stack) and "terraform" in (entry / "comm").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for(condition, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def _state(stack: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    document = json.loads((stack / "terraform.tfstate").read_text())
    return {f"{r['type']}.{r['name']}": r for r in document["resources"]}


def _mid_apply(stack: Path) -> None:
    """Until ``first`` is in the state: the slow one is then being created (its provisioner sleeps)."""
    def first_saved() -> bool:
        try:
            return "terraform_data.first" in _state(stack)
        except (OSError, ValueError, KeyError):
            return False

    _wait_for(first_saved, "the first resource to be saved")
    time.sleep(1.0)


def test_sigint_is_forwarded_once_and_terraform_stops_gracefully(stack: Path) -> None:
    child = _start(stack)
    _mid_apply(stack)
    started = time.monotonic()
    child.send_signal(signal.SIGINT)  # to the tool only, as its own Ctrl-C handler then forwards it
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert "interrupted: Terraform stops after the operations under way" in stderr
    assert "INTERRUPTED terraform apply was interrupted" in stderr and "Run the same command again" in stderr
    assert time.monotonic() - started < 30, "stopped before the provisioner's 60 s sleep ended"
    state = _state(stack)
    assert "terraform_data.first" in state and "terraform_data.after" not in state
    assert _terraform_pids(stack) == []
    assert not list(stack.glob(".portal-ha-terraform-*.log")), "the output file is removed"


def test_a_killed_tool_still_ends_in_terraforms_graceful_stop(stack: Path) -> None:
    child = _start(stack)
    _mid_apply(stack)
    (pid,) = _terraform_pids(stack)
    child.kill()  # SIGKILL: the tool cannot forward anything; the kernel sends Terraform SIGTERM
    child.communicate(timeout=30)
    started = time.monotonic()
    _wait_for(lambda: not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(),
              "terraform to exit", timeout=30)
    assert time.monotonic() - started < 30, "Terraform stopped, it did not run on to the end"
    state = _state(stack)  # whole JSON: a state written on Terraform's way out, not cut off
    assert "terraform_data.first" in state and "terraform_data.after" not in state
    # The lock went with the process: the next run gets it at once.
    terraform.run(["plan", "-input=false", "-no-color", "-lock-timeout=0s"], stack,
                  toolchain.terraform_env(stack / ".portal-ha"))
