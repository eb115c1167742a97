"""Where CI's time goes: ``.ci/run`` on a clean clone, its phases timed as they happen.

A benchmark, not a test: run it on a quiet machine, with nothing else deploying. It clones this repository's
``HEAD`` into a scratch folder and runs that clone's ``.ci/run`` unchanged, stamping each line of its output
as it arrives. The phases are read from what ``.ci/run`` prints (its ``==`` headers, ``scripts/setup``'s last
line, ``up``'s and ``verify``'s closing lines); the test run's own split comes from its JUnit report
(``PYTEST_ADDOPTS=--junitxml=...``, which pytest reads): the end-to-end lifecycles, each one's own wall time,
and the sum of every other test's time.

    .venv/bin/python benchmarks/ci.py [--readme]
        --readme   replace the table between the ``ci-table`` markers in README.md with this run's

The floor: everything in the test run overlaps the lifecycles except what the other worker cannot fit
beside them, so no CI run can be shorter than setup + command 1 + the longest lifecycle. That lifecycle is
itself bounded by the AWS provider's fixed waits (Aurora instances polled in 30 s steps, the NLB's 60 s,
one global database chain per apply), which no code of this project shortens.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- ci-table -->", "<!-- /ci-table -->"
# (phase, the line of .ci/run's output that ends it)
MARKS = (
    ("setup", re.compile(r"^setup: ready")),
    ("command 1: up", re.compile(r"multi-dc is up in")),
    ("command 1: verify", re.compile(r"verified in [0-9.]+ s")),
    ("setup again", re.compile(r"^setup: ready")),
)


@dataclass
class Run:
    lines: list[tuple[float, str]] = field(default_factory=list)
    returncode: int = 0
    total: float = 0.0

    def phases(self) -> list[tuple[str, float]]:
        """Each phase's wall time, in order; the test run is what follows the last mark."""
        found, start, index = [], 0.0, 0
        for at, text in self.lines:
            if index < len(MARKS) and MARKS[index][1].search(text):
                found.append((MARKS[index][0], at - start))
                start, index = at, index + 1
        if index < len(MARKS):
            raise RuntimeError(f".ci/run never printed the end of {MARKS[index][0]!r} (exit {self.returncode})")
        found.append(("command 2: pytest", self.total - start))
        return found


def run_ci(clone: Path, junit: Path) -> Run:
    env = {**os.environ, "PYTEST_ADDOPTS": f"--junitxml={junit}"}
    for name in ("PORTAL_HA_E2E_ADOPT", "PORTAL_HA_CONFIG", "PORTAL_HA_PROFILE", "VIRTUAL_ENV"):
        env.pop(name, None)
    run, started = Run(), time.monotonic()
    with subprocess.Popen([str(clone / ".ci" / "run")], cwd=clone, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:
        if proc.stdout is None:
            raise RuntimeError(".ci/run's output could not be read")
        for line in proc.stdout:
            run.lines.append((time.monotonic() - started, line.rstrip("\n")))
            print(f"{run.lines[-1][0]:7.0f}s  {line}", end="", file=sys.stderr)
    run.returncode, run.total = proc.returncode, time.monotonic() - started
    return run


def split_tests(junit: Path) -> tuple[dict[str, float], float, int]:
    """(each lifecycle's own wall time, the sum of every other test's time, how many tests ran)."""
    lifecycles, rest, count = {}, 0.0, 0
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        count += 1
        seconds = float(case.get("time", 0))
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "lifecycle_seconds" in properties:
            lifecycles[str(properties["lifecycle"])] = float(str(properties["lifecycle_seconds"]))
        elif "e2e" not in str(case.get("classname", "")):
            rest += seconds
    return lifecycles, rest, count


def lifecycle_steps(junit: Path) -> list[str]:
    """One line per lifecycle: each portal-ha command it ran and that command's wall time, in order."""
    lines = []
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "lifecycle_steps" in properties:
            lines.append(f"{properties['lifecycle']}: {properties['lifecycle_steps']}")
    return lines


def table(phases: list[tuple[str, float]], lifecycles: dict[str, float], rest: float, count: int,
          total: float) -> str:
    rows = [(name, seconds) for name, seconds in phases]
    rows += [(f"  lifecycle {arch} (e2e worker, concurrently)", seconds) for arch, seconds in lifecycles.items()]
    rows.append((f"  every other test, summed ({count - len(lifecycles)} tests, other worker)", rest))
    longest = max(lifecycles.values(), default=0.0)
    floor = sum(seconds for name, seconds in phases if not name.startswith("command 2")) + longest
    rows += [(".ci/run in all", total), ("floor: setup + command 1 + the longest lifecycle", floor)]
    lines = ["| Phase | wall time |", "|---|---|"]
    lines += [f"| {name} | {seconds:.0f} s ({seconds / 60:.1f} min) |" for name, seconds in rows]
    lines.append(f"\n{count} tests; .ci/run took {total / floor:.2f}x its floor, measured on "
                 f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = REPO / "README.md"
    content = readme.read_text()
    if BEGIN not in content or END not in content:
        raise RuntimeError(f"README.md has no {BEGIN} ... {END} block")
    head, rest = content.split(BEGIN, 1)
    readme.write_text(f"{head}{BEGIN}\n{text}\n{END}{rest.split(END, 1)[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    if dirty.strip():
        print("ci.py: the working tree has uncommitted changes; the clone measures HEAD only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="portal-ha-ci-") as scratch:
        clone, junit = Path(scratch) / "clone", Path(scratch) / "junit.xml"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        run = run_ci(clone, junit)
        if run.returncode != 0:
            sys.exit(f"ci.py: .ci/run exited {run.returncode} after {run.total:.0f} s (output above)")
        text = table(run.phases(), *split_tests(junit), run.total)
        steps = lifecycle_steps(junit)
    print("\n".join(steps), file=sys.stderr)  # where each lifecycle's time went (not in the README table)
    print(text)
    if args.readme:
        write_readme(text)


if __name__ == "__main__":
    main()
