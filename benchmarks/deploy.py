"""Wall time of ``portal-ha up``, ``verify`` and ``down`` against the local emulator, per architecture.

A benchmark, not a test: run it on a quiet machine and read the ratios. Each architecture runs in its own
scratch project folder (a copy of cdktf.json) with its own emulator, exactly as a user would run it.

    .venv/bin/python benchmarks/deploy.py [--markdown] [ARCH ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARCHES = ("single-dc", "multi-dc", "multi-dc-local")


def _run(root: Path, *args: str) -> float:
    env = {**os.environ, "PORTAL_HA_CONFIG": str(root / "cdktf.json")}
    env.pop("PORTAL_HA_PROFILE", None)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "stacks.cli", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"portal-ha {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def measure(arch: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{arch}-") as folder:
        root = Path(folder)
        shutil.copy(REPO / "cdktf.json", root / "cdktf.json")
        try:
            return {step: _run(root, step, arch, "--local") for step in ("up", "verify", "down")}
        finally:
            subprocess.run([sys.executable, "-m", "stacks.cli", "emulator", "stop"], cwd=root,
                           capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("arches", nargs="*", default=list(ARCHES))
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for the README")
    args = parser.parse_args()
    rows = [(arch, measure(arch)) for arch in args.arches]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if args.markdown:
        print("| Architecture | up | verify | down |\n|---|---|---|---|")
        for arch, t in rows:
            print(f"| `{arch}` | {t['up']:.0f} s | {t['verify']:.1f} s | {t['down']:.0f} s |")
        print(f"\nMeasured on {machine}, one run each.")
        return
    print(f"{'architecture':<16}{'up':>8}{'verify':>9}{'down':>8}   ({machine})")
    for arch, t in rows:
        print(f"{arch:<16}{t['up']:>7.0f}s{t['verify']:>8.1f}s{t['down']:>7.0f}s")


if __name__ == "__main__":
    main()
