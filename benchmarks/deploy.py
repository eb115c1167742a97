"""Wall time and reliability of ``portal-ha up``, ``verify`` and ``down`` against the local emulator.

A benchmark, not a test: run it on a quiet machine. Everything runs in a scratch project folder (a copy of
cdktf.json) with its own emulator, through the real command line, exactly as a user would run it.

    .venv/bin/python benchmarks/deploy.py [--markdown] [--parallelism N] [ARCH ...]
        one up / verify / down cycle per architecture (default: all three), each with its own emulator
    .venv/bin/python benchmarks/deploy.py --cycles 10 [--markdown] [ARCH]
        N consecutive cycles of one architecture (default multi-dc) on one emulator: each step's time, every
        failure (after a failed step the emulator is restarted, so the next cycle starts clean), and how many
        re-sent requests the emulator answered from their first attempt (its log says so for each one)
    .venv/bin/python benchmarks/deploy.py --interruptions
        the interruption matrix (benchmarks/interruptions.py): SIGINT and SIGKILL at points of up, down,
        failover and drill, each recovered with ordinary commands; a Markdown table for the README
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARCHES = ("single-dc", "multi-dc", "multi-dc-local")
STEPS = ("up", "verify", "down")
REPLAY_MARK = "answered from its recorded success"


@dataclass
class Cycle:
    times: dict[str, float] = field(default_factory=dict)
    failure: str | None = None
    replayed: int = 0


class Project:
    """A scratch project folder in which ``portal-ha`` runs as a user would run it."""

    def __init__(self, root: Path, parallelism: int | None) -> None:
        self.root = root
        shutil.copy(REPO / "cdktf.json", root / "cdktf.json")
        self.env = {**os.environ, "PORTAL_HA_CONFIG": str(root / "cdktf.json")}
        self.env.pop("PORTAL_HA_PROFILE", None)
        if parallelism is not None:
            self.env["PORTAL_HA_PARALLELISM"] = str(parallelism)

    def run(self, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "portal_ha", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True)
        return time.monotonic() - started, proc

    def emulator_log_marks(self) -> int:
        log = self.root / ".portal-ha" / "emulator" / "moto.log"
        return log.read_text(errors="replace").count(REPLAY_MARK) if log.exists() else 0

    def stop_emulator(self) -> None:
        self.run("emulator", "stop")


def run_cycle(project: Project, arch: str) -> Cycle:
    cycle = Cycle()
    before = project.emulator_log_marks()
    for step in STEPS:
        elapsed, proc = project.run(step, arch, "--local")
        cycle.times[step] = elapsed
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
            cycle.failure = f"{step} exited {proc.returncode}:\n{tail}"
            break
    cycle.replayed = project.emulator_log_marks() - before
    if cycle.failure is not None:
        project.stop_emulator()  # a clean emulator (and no stale state) for the next cycle
    return cycle


def _stats(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.0f} s ({min(values):.0f} - {max(values):.0f})"


def machine() -> str:
    tf = subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout.splitlines()
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{tf[0] if tf else 'terraform ?'}")


def cycles(arch: str, count: int, parallelism: int | None, markdown: bool) -> int:
    with tempfile.TemporaryDirectory(prefix=f"bench-{arch}-") as folder:
        project = Project(Path(folder), parallelism)
        results: list[Cycle] = []
        try:
            for n in range(1, count + 1):
                cycle = run_cycle(project, arch)
                results.append(cycle)
                status = "ok" if cycle.failure is None else "FAILED"
                times = "  ".join(f"{s} {cycle.times[s]:6.1f} s" for s in STEPS if s in cycle.times)
                print(f"cycle {n:2d}/{count}  {times}  re-sends replayed {cycle.replayed}  {status}",
                      file=sys.stderr, flush=True)
                if cycle.failure:
                    print("    " + cycle.failure.replace("\n", "\n    "), file=sys.stderr, flush=True)
        finally:
            project.stop_emulator()
    failures = [c for c in results if c.failure]
    if markdown:
        print("| cycle | up | verify | down | re-sends replayed | result |\n|---|---|---|---|---|---|")
        for n, c in enumerate(results, 1):
            cells = [f"{c.times[s]:.1f} s" if s in c.times else "-" for s in STEPS]
            print(f"| {n} | {' | '.join(cells)} | {c.replayed} | {'ok' if c.failure is None else 'failed'} |")
    summary = {s: [c.times[s] for c in results if s in c.times and c.failure is None] for s in STEPS}
    print(f"\n{arch}, {count} cycles at parallelism {parallelism or 'default (10)'}: {len(failures)} failed; "
          + "; ".join(f"{s} median {_stats(v)}" for s, v in summary.items())
          + f"; re-sends replayed {sum(c.replayed for c in results)}. ({machine()})")
    for n, c in enumerate(results, 1):
        if c.failure:
            print(f"cycle {n}: {c.failure}")
    return 1 if failures else 0


def per_architecture(arches: list[str], parallelism: int | None, markdown: bool) -> int:
    rows: list[tuple[str, Cycle]] = []
    for arch in arches:
        with tempfile.TemporaryDirectory(prefix=f"bench-{arch}-") as folder:
            project = Project(Path(folder), parallelism)
            try:
                rows.append((arch, run_cycle(project, arch)))
            finally:
                project.stop_emulator()
    if markdown:
        print("| Architecture | up | verify | down |\n|---|---|---|---|")
        for arch, c in rows:
            cells = [f"{c.times[s]:.1f} s" if s in c.times else "-" for s in STEPS]
            print(f"| `{arch}` | {' | '.join(cells)} |")
        print(f"\nMeasured on {machine()}, one run each.")
    else:
        print(f"{'architecture':<16}{'up':>8}{'verify':>9}{'down':>8}   ({machine()})")
        for arch, c in rows:
            print(f"{arch:<16}" + "".join(f"{c.times.get(s, float('nan')):>8.1f}" for s in STEPS)
                  + ("" if c.failure is None else f"   FAILED: {c.failure.splitlines()[0]}"))
    return 1 if any(c.failure for _, c in rows) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("arches", nargs="*", metavar="ARCH", help=f"one of {', '.join(ARCHES)}")
    parser.add_argument("--cycles", type=int, default=0, help="N consecutive cycles of one architecture")
    parser.add_argument("--parallelism", type=int, default=None, help="Terraform parallelism (default: 10)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables for the README")
    parser.add_argument("--interruptions", action="store_true", help="run the interruption matrix")
    args = parser.parse_args()
    if args.interruptions:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from interruptions import machine_note, markdown, run_matrix

        started = time.monotonic()
        outcomes = run_matrix(REPO)
        print(markdown(outcomes))
        print(machine_note(machine(), time.monotonic() - started))
        sys.exit(0 if all(o.recovered for o in outcomes) else 1)
    unknown = [a for a in args.arches if a not in ARCHES]
    if unknown:
        parser.error(f"unknown architecture(s) {', '.join(unknown)}: use {', '.join(ARCHES)}")
    if args.cycles:
        if len(args.arches) > 1:
            parser.error("--cycles takes one architecture")
        sys.exit(cycles(args.arches[0] if args.arches else "multi-dc", args.cycles, args.parallelism, args.markdown))
    sys.exit(per_architecture(args.arches or list(ARCHES), args.parallelism, args.markdown))


if __name__ == "__main__":
    main()
