"""The local AWS emulator's lifecycle: a server on 127.0.0.1 that outlives single commands.

Its run state (pid, port, log) lives in ``.portal-ha/emulator/``, which git ignores. Terraform and boto3 are
pointed at it through the environment only: the provider configuration stays exactly as for AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from stacks.profiles import LOCAL_STATE_DIR

from ..files import write_atomic
from .requirements import require

EMULATOR_DIR = LOCAL_STATE_DIR.parent
"""Run state of the emulator (pid, port, log), and ``state/`` beside it: the local profile's Terraform state."""
HOST = "127.0.0.1"
# What moto needs to stand in for AWS: fake credentials (and, when started, AWS managed IAM policies loaded:
# the portal's role attaches AmazonSSMManagedInstanceCore).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
EXTENSIONS_PATH = "/_portal_ha/extensions"
"""Answered by the server itself (``server.AfterExtensions``) once the extensions are loaded: 200, or 503 saying
why they failed (a patch that no longer fits moto). ``Launch.ready`` waits on it, so such a failure stops the
start. No AWS API has this path (an underscore is not allowed in an S3 bucket name)."""


@dataclass(frozen=True)
class Emulator:
    pid: int
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment that sends the AWS provider and boto3 to this emulator."""
        return {"AWS_ENDPOINT_URL": self.endpoint, **CREDENTIALS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/moto-api/", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _loaded(port: int, timeout: float) -> str | None:
    """Whether the server on ``port`` loaded its extensions (it answers once they are): "" when it did, why not
    when they failed, None while it does not answer yet."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{EXTENSIONS_PATH}", timeout=timeout):
            return ""
    except urllib.error.HTTPError as exc:
        return exc.read().decode(errors="replace") or f"HTTP {exc.code}"
    except OSError:
        return None


def _last_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs. A server this process started (tests, ``up`` then ``stop`` in one process)
    stays a zombie after it exits until it is reaped, and signal 0 still reaches a zombie: reap it first."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child: its parent reaps it
        reaped = 0
    if reaped == pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def status(state_dir: Path = EMULATOR_DIR) -> Emulator | None:
    """The running emulator recorded in ``state_dir``, or None."""
    state = state_dir / "state.json"
    if not state.exists():
        return None
    data = json.loads(state.read_text())
    emulator = Emulator(pid=int(data["pid"]), port=int(data["port"]))
    if _alive(emulator.pid) and _answers(emulator.port):
        return emulator
    return None


@dataclass
class Launch:
    """An emulator process that was started and may not answer yet: ``ready()`` waits for it."""

    proc: subprocess.Popen[bytes] | None
    port: int
    state_dir: Path
    running: Emulator | None = None
    warning: str | None = None
    """What ``requirements`` said of the installed moto when it is not the tested one (the emulator runs)."""

    def ready(self, timeout: float = 60.0) -> Emulator:
        """Wait until the server answers with its extensions loaded, then record it in ``state.json`` (a server
        that never answered, or whose extensions do not fit the installed moto, is stopped and never recorded)."""
        if self.running is not None:
            return self.running
        if self.proc is None:
            raise RuntimeError("emulator launch has no process")
        log = self.state_dir / "moto.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the emulator exited with {self.proc.returncode}: {_last_line(log)} (see {log})")
            failure = _loaded(self.port, max(1.0, deadline - time.monotonic()))
            if failure:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"{failure} (see {log})")
            if failure == "":
                write_atomic(self.state_dir / "state.json", json.dumps({"pid": self.proc.pid, "port": self.port}))
                self.running = Emulator(pid=self.proc.pid, port=self.port)
                return self.running
            time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError(f"the emulator did not answer on {HOST}:{self.port} within {timeout:.0f} s")

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment that sends the AWS provider and boto3 to this emulator (valid before it answers)."""
        return {"AWS_ENDPOINT_URL": self.endpoint, **CREDENTIALS}


def launch(state_dir: Path = EMULATOR_DIR) -> Launch:
    """Reuse the running emulator, or start one in the background without waiting for it (``ready()`` does).

    The server is moto behind ``emulator.server`` (each SDK invocation executed once, each response in one
    write), with this project's extensions of moto. Before a server is started, ``requirements.require`` checks
    that this Python has the ``local`` extra at a moto it runs on: ``EmulatorUnavailable`` says what to install."""
    running = status(state_dir)
    if running is not None:
        return Launch(proc=None, port=running.port, state_dir=state_dir, running=running)
    warning = require()
    state_dir.mkdir(parents=True, exist_ok=True)
    _forget_deployments(state_dir)
    port = free_port()
    log = open(state_dir / "moto.log", "ab")  # noqa: SIM115 - the server keeps it after we return
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal_ha.emulator.server", "-H", HOST, "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
    )
    log.close()  # the child holds its own copy of the descriptor
    return Launch(proc=proc, port=port, state_dir=state_dir, warning=warning)


def start(state_dir: Path = EMULATOR_DIR, *, timeout: float = 60.0) -> Emulator:
    """Reuse the running emulator, or start a new one and wait until it answers."""
    return launch(state_dir).ready(timeout)


def _forget_deployments(state_dir: Path) -> None:
    """Terraform state of stacks deployed to a previous emulator describes resources that no longer exist."""
    shutil.rmtree(state_dir / LOCAL_STATE_DIR.name, ignore_errors=True)


def stop(state_dir: Path = EMULATOR_DIR) -> bool:
    """Stop the recorded emulator (its in-memory AWS goes with it). True if one was running."""
    state = state_dir / "state.json"
    _forget_deployments(state_dir)
    if not state.exists():
        return False
    pid = int(json.loads(state.read_text())["pid"])
    state.unlink()
    if not _alive(pid):
        return False
    os.killpg(pid, signal.SIGTERM)
    for _ in range(50):
        if not _alive(pid):
            break
        time.sleep(0.1)
    return True
