"""The interruption matrix: ``up``, ``down``, ``failover`` and ``drill`` on the emulator, each sent SIGINT (Ctrl-C)
or SIGKILL at a point of its run, then recovered with ordinary commands only. ``benchmarks/deploy.py
--interruptions`` runs it; a point counts as recovered when every recovery command exits 0 and its check holds.

Points (when the signal is sent):
- ``plan``: the tool said "terraform apply"/"terraform destroy" and the state has not changed yet (Terraform is
  refreshing or planning);
- ``apply``: for ``up`` and ``down``, the state has changed by ``APPLY_DEPTH`` resources (mid-apply, operations
  under way); for an operation, 3 s after it said "terraform apply" (its updates do not change the count);
- ``step:NAME``: the operation's timeline has just printed ``--> NAME`` (between two steps, or inside a
  step's AWS calls).

Recovery: ``up`` again then ``verify`` for ``up``; ``down`` again (nothing left) for ``down``; the same command
again (it resumes from its journal) then ``verify`` for ``failover`` and ``drill``. After the last point of an
architecture, ``down`` must leave nothing. The chains run on ``single-dc`` (up and down, the cheapest stack)
and ``multi-dc-local`` (failover and drill).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

APPLY_DEPTH = 15


@dataclass(frozen=True)
class Point:
    arch: str
    command: tuple[str, ...]
    sig: signal.Signals
    when: str

    @property
    def label(self) -> str:
        return f"{self.arch}: {' '.join(self.command)}, {self.sig.name} at {self.when}"


@dataclass
class Outcome:
    point: Point
    exit_code: int | None = None
    recovered: bool = False
    note: str = ""
    seconds: float = 0.0
    recovery: list[str] = field(default_factory=list)


MATRIX = (
    Point("single-dc", ("up",), signal.SIGINT, "plan"),
    Point("single-dc", ("up",), signal.SIGINT, "apply"),
    Point("single-dc", ("up",), signal.SIGKILL, "apply"),
    Point("single-dc", ("down",), signal.SIGINT, "apply"),
    Point("single-dc", ("down",), signal.SIGKILL, "apply"),
    Point("multi-dc-local", ("failover", "--to", "dc2", "--yes"), signal.SIGINT, "step:database"),
    Point("multi-dc-local", ("failover", "--to", "dc1", "--yes"), signal.SIGKILL, "apply"),
    Point("multi-dc-local", ("drill",), signal.SIGINT, "apply"),
    Point("multi-dc-local", ("drill",), signal.SIGKILL, "step:failback to dc1: settings"),
)


class Project:
    def __init__(self, root: Path, repo: Path) -> None:
        self.root = root
        (root / "cdktf.json").write_text((repo / "cdktf.json").read_text())
        self.env = {**os.environ, "PORTAL_HA_CONFIG": str(root / "cdktf.json")}
        self.env.pop("PORTAL_HA_PROFILE", None)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "portal_ha", *args, "--local"], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=3600)

    def resources(self, arch: str) -> int:
        state = self.root / ".portal-ha" / "emulator" / "state" / f"terraform.{arch}.tfstate"
        try:
            return len(json.loads(state.read_text()).get("resources", []))
        except (OSError, ValueError):
            return 0

    def terraform_running(self, arch: str) -> bool:
        stack = str(self.root / "cdktf.out" / "stacks" / arch)
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and os.readlink(entry / "cwd") == stack \
                        and (entry / "comm").read_text().startswith("terraform") \
                        and "zombie" not in (entry / "status").read_text():
                    return True
            except OSError:
                continue
        return False


def _reached(point: Point, project: Project, log: Path, start: int) -> bool:
    text = log.read_text(errors="replace") if log.exists() else ""
    if point.when == "plan":
        return ("terraform apply" in text or "terraform destroy" in text) and project.resources(point.arch) == start
    if point.when == "apply" and point.command[0] in ("up", "down"):
        return abs(project.resources(point.arch) - start) >= APPLY_DEPTH
    if point.when == "apply":  # an operation's apply updates resources in place: the count does not move
        return "terraform apply" in text
    return f"--> {point.when.removeprefix('step:')}" in text


def interrupt(point: Point, project: Project) -> Outcome:
    """Run the point's command, send its signal at its moment, wait until nothing of it runs any more."""
    outcome, started = Outcome(point), time.monotonic()
    start = project.resources(point.arch)
    log = project.root / "interrupted.log"
    with log.open("w") as err:
        args = [sys.executable, "-m", "portal_ha", point.command[0], point.arch, *point.command[1:], "--local"]
        proc = subprocess.Popen(args, cwd=project.root, env=project.env, stdout=subprocess.DEVNULL, stderr=err)
        while proc.poll() is None and not _reached(point, project, log, start):
            time.sleep(0.1 if point.when != "plan" else 0.05)
        if proc.poll() is not None:
            outcome.note = f"ended (exit {proc.returncode}) before the point was reached"
        else:
            if point.when == "plan" or (point.when == "apply" and point.command[0] not in ("up", "down")):
                time.sleep(1.0 if point.when == "plan" else 3.0)  # into Terraform's plan, or its apply
            proc.send_signal(point.sig)
        outcome.exit_code = proc.wait(timeout=3600)
    while project.terraform_running(point.arch):
        time.sleep(0.2)
    outcome.seconds = time.monotonic() - started
    return outcome


def recover(outcome: Outcome, project: Project) -> None:
    point = outcome.point
    steps = {"up": [("up",), ("verify",)], "down": [("down",)]}.get(point.command[0],
                                                                   [point.command, ("verify",)])
    for step in steps:
        proc = project.run(step[0], point.arch, *step[1:])
        outcome.recovery.append(f"{' '.join(step)} exit {proc.returncode}")
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
            outcome.note = f"{' '.join(step)} failed: {' / '.join(tail)}"
            return
        if step[0] == "down" and "nothing of it is left" not in proc.stderr:
            outcome.note = "down did not report an empty teardown"
            return
    outcome.recovered = True


def run_matrix(repo: Path, points: tuple[Point, ...] = MATRIX) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for arch in dict.fromkeys(p.arch for p in points):
        with tempfile.TemporaryDirectory(prefix=f"interrupt-{arch}-") as folder:
            project = Project(Path(folder), repo)
            deployed = False
            try:
                for point in (p for p in points if p.arch == arch):
                    wants_up = point.command[0] != "up"
                    if wants_up and not deployed:
                        if project.run("up", arch).returncode != 0:
                            raise RuntimeError(f"up {arch} failed before {point.label}")
                    if not wants_up and deployed:
                        project.run("down", arch)
                    outcome = interrupt(point, project)
                    recover(outcome, project)
                    deployed = point.command[0] != "down"
                    outcomes.append(outcome)
                    print(f"{'ok' if outcome.recovered else 'NOT RECOVERED'}  {point.label}: exit "
                          f"{outcome.exit_code} after {outcome.seconds:.0f} s; {'; '.join(outcome.recovery)}"
                          f"{'; ' + outcome.note if outcome.note else ''}", file=sys.stderr, flush=True)
                if deployed:
                    final = project.run("down", arch)
                    if final.returncode != 0 or "nothing of it is left" not in final.stderr:
                        outcomes[-1].recovered = False
                        outcomes[-1].note += "; the final down left something"
            finally:
                project.run("emulator", "stop")
    return outcomes


def markdown(outcomes: list[Outcome]) -> str:
    rows = ["| point | exit | recovery | recovered |", "|---|---|---|---|"]
    for o in outcomes:
        note = f" ({o.note})" if o.note else ""
        rows.append(f"| {o.point.label} | {o.exit_code} | {'; '.join(o.recovery)}{note} | "
                    f"{'yes' if o.recovered else 'NO'} |")
    ok = sum(o.recovered for o in outcomes)
    rows.append(f"\n{ok} of {len(outcomes)} points recovered with ordinary commands only (no manual step).")
    return "\n".join(rows)


def machine_note(machine: str, seconds: float) -> str:
    return f"Measured on {machine}, the whole matrix in {seconds / 60:.0f} min."
