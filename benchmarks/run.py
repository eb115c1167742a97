"""Synth and plan cost, measured side by side in one run: a benchmark, not a test.

Every figure is the wall time of a fresh process (what `cdktf synth`, a test session or CI pays), repeated
``--repeat`` times; the table shows the median and the min-max. The floor is a process that only imports the
cdktf, constructs and provider modules that ``constructs_lib`` and ``stacks`` import (found by reading their
source), so synth / floor is what our own construct code adds.

    .venv/bin/python benchmarks/run.py [--repeat 5] [--plan-repeat 3] [--markdown] [--suite]

- floor, synth of each architecture, synth of all three in one process;
- a bad ``cdktf.json`` (a key, a type and a value problem): ``python -m stacks`` and ``portal-ha synth`` to exit 2;
- repeated commands on an unchanged configuration, cold (synth cache off) and warm (a hit): ``portal-ha report
  multi-dc``, ``python -m stacks`` (what ``cdktf synth`` runs), and ``portal-ha plan multi-dc --local``;
- synth of multi-dc with 2, 3 and 4 datacenters (how cost grows with size);
- ``terraform plan`` of each architecture, and of multi-dc with 2, 3 and 4 datacenters, against a moto server
  (after an untimed ``terraform init``; each plan reads moto for its data sources, then plans from empty state);
- with ``--suite``: the whole test suite once (``pytest``; it includes the end-to-end deploys, ~30 min).
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ARCHES = ("single-dc", "multi-dc", "multi-dc-local")
EXTRA_DCS = (  # added to multi-dc for the size series: (name, region, cidr)
    ("dc3", "ap-southeast-2", "10.22.0.0/16"),
    ("dc4", "us-west-2", "10.23.0.0/16"),
)

SYNTH = """
import sys
from stacks.loader import load_environment
from stacks.app import synth_app
only = None if sys.argv[1] == "all" else tuple(sys.argv[1].split(","))
synth_app(load_environment().valid(), outdir=sys.argv[2], only=only)
"""
FLOOR = """
import importlib, sys
from constructs_lib import provider_import
provider_import.install()  # as importing constructs_lib or stacks does
for module in sys.argv[1:]:
    importlib.import_module(module)
"""


def binding_modules() -> list[str]:
    """Every cdktf / constructs / provider module that constructs_lib and stacks import."""
    roots = ("cdktf", "constructs", "cdktf_cdktf_provider_aws")
    found: set[str] = set()
    for source in [*(REPO / "constructs_lib").rglob("*.py"), *(REPO / "stacks").rglob("*.py")]:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in roots:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] in roots)
    return sorted(found)


def wall(command: list[str], env: dict[str, str], cwd: Path = REPO, expect: int = 0) -> float:
    started = time.monotonic()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode != expect:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return elapsed


def series(repeat: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(repeat)]


def config_with(dcs: int, folder: Path) -> Path:
    """A cdktf.json whose multi-dc has ``dcs`` datacenters (the repository's two, then EXTRA_DCS)."""
    document = json.loads((REPO / "cdktf.json").read_text())
    multi = document["context"]["multi-dc"]
    for name, region, cidr in EXTRA_DCS[: dcs - len(multi["datacenters"])]:
        multi["datacenters"].append({"name": name, "region": region, "cidr": cidr})
    path = folder / f"cdktf-{dcs}dc.json"
    path.write_text(json.dumps(document, indent=2))
    return path


class Bench:
    def __init__(self, args: argparse.Namespace, scratch: Path) -> None:
        from portal_ha import toolchain

        toolchain.quiet_jsii()  # the same quiet jsii for the floor and every synth
        self.args, self.scratch = args, scratch
        self.env = {**os.environ, **toolchain.terraform_env(scratch / "state")}
        self.env.pop("PORTAL_HA_PROFILE", None)
        self.rows: list[tuple[str, list[float]]] = []

    def record(self, label: str, samples: list[float]) -> list[float]:
        self.rows.append((label, samples))
        print(f"  {label}: median {statistics.median(samples):.1f} s", file=sys.stderr, flush=True)
        return samples

    def synth(self, only: str, config: Path, outdir: Path) -> float:
        env = {**self.env, "PORTAL_HA_CONFIG": str(config)}
        return wall([sys.executable, "-c", SYNTH, only, str(outdir)], env)

    def run_synth(self) -> None:
        modules = binding_modules()
        self.record(f"floor: import cdktf + {len(modules)} binding modules",
                    series(self.args.repeat, lambda: wall([sys.executable, "-c", FLOOR, *modules], self.env)))
        config = REPO / "cdktf.json"
        for arch in ARCHES:
            self.record(f"synth {arch}",
                        series(self.args.repeat, lambda a=arch: self.synth(a, config, self.scratch / "out")))
        self.record("synth all three, one process",
                    series(self.args.repeat, lambda: self.synth("all", config, self.scratch / "out")))
        for dcs in (2, 3, 4):
            sized = config_with(dcs, self.scratch)
            self.record(f"synth multi-dc, {dcs} DCs",
                        series(self.args.repeat, lambda c=sized: self.synth("multi-dc", c, self.scratch / "sized")))

    def run_reuse(self) -> None:
        """Repeated commands on an unchanged configuration: cold (the synth cache off) and warm (a hit), side by
        side with the floor above. Each runs in a scratch project folder, as a user's."""
        project = self.scratch / "project"
        project.mkdir(exist_ok=True)
        (project / "cdktf.json").write_text((REPO / "cdktf.json").read_text())
        base = {**self.env, "PORTAL_HA_CONFIG": str(project / "cdktf.json"), "CDKTF_OUTDIR": str(project / "app")}

        def timed(command: list[str], cache: str) -> float:
            return wall(command, {**base, "PORTAL_HA_SYNTH_CACHE": cache}, project)

        commands = {
            "report multi-dc": [sys.executable, "-m", "portal_ha", "report", "multi-dc"],
            "python -m stacks": [sys.executable, "-m", "stacks"],
        }
        for label, command in commands.items():
            self.record(f"{label}, cold (synth cache off)", series(self.args.repeat, lambda c=command: timed(c, "off")))
            timed(command, "on")  # fills the cache (untimed)
            self.record(f"{label}, warm (synth cache hit)", series(self.args.repeat, lambda c=command: timed(c, "on")))
        plan = [sys.executable, "-m", "portal_ha", "plan", "multi-dc", "--local"]
        timed(plan, "on")  # fills the cache, starts the project's emulator, runs terraform init (untimed)
        try:
            self.record("plan multi-dc --local, warm (synth cache hit; init and plan run)",
                        series(self.args.plan_repeat, lambda: timed(plan, "on")))
        finally:
            timed([sys.executable, "-m", "portal_ha", "emulator", "stop"], "on")

    def run_bad_input(self) -> None:
        """A cdktf.json with a key, a type and a value problem: how long until exit 2 lists them (the validation
        pass imports no provider binding; compare with the floor)."""
        project = self.scratch / "bad"
        project.mkdir(exist_ok=True)
        dc = {"name": "dc1", "region": "us-east-1", "cidr": "10.10.0.0/16", "instance_count": 1}
        (project / "cdktf.json").write_text(json.dumps({"context": {"nmae_prefix": "x", "single-dc": {
            "datacenters": [dc], "portal": {"instance_type": 5}}}}))
        env = {**self.env, "PORTAL_HA_CONFIG": str(project / "cdktf.json"), "CDKTF_OUTDIR": str(project / "app")}
        commands = {"python -m stacks": [sys.executable, "-m", "stacks"],
                    "portal-ha synth single-dc": [sys.executable, "-m", "portal_ha", "synth", "single-dc"]}
        for label, command in commands.items():
            self.record(f"bad cdktf.json: {label} exits 2",
                        series(self.args.repeat, lambda c=command: wall(c, env, project, expect=2)))

    def run_plan(self) -> None:
        from moto.server import ThreadedMotoServer

        from portal_ha import terraform, toolchain
        from portal_ha.emulator import CREDENTIALS, HOST, free_port

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        port = free_port()
        server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        server.start()
        env = {**self.env, "AWS_ENDPOINT_URL": f"http://{HOST}:{port}", **CREDENTIALS, "TF_IN_AUTOMATION": "1"}
        try:
            targets = [(arch, REPO / "cdktf.json", arch) for arch in ARCHES]
            targets += [(f"multi-dc, {dcs} DCs", config_with(dcs, self.scratch), "multi-dc") for dcs in (2, 3, 4)]
            for label, config, arch in targets:
                outdir = self.scratch / f"plan-{label.replace(' ', '').replace(',', '-')}"
                self.synth(arch, config, outdir)
                directory = terraform.stack_dir(outdir, arch)
                terraform.init(directory, env)
                command = [toolchain.terraform_binary(), "plan", "-input=false", "-no-color",
                           "-lock=false", "-out=bench.tfplan"]
                self.record(f"plan {label}", series(self.args.plan_repeat,
                                                    functools.partial(wall, command, env, directory)))
        finally:
            server.stop()

    def run_suite(self) -> None:
        self.record("test suite (pytest, all of it), once", [wall([sys.executable, "-m", "pytest", "-q"], self.env)])


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def report(rows: list[tuple[str, list[float]]], markdown: bool) -> str:
    by_label = dict(rows)
    lines = []
    if markdown:
        lines += ["| What | runs | median | min - max |", "|---|---|---|---|"]
        for label, samples in rows:
            lines.append(f"| {label} | {len(samples)} | {median(samples):.1f} s | "
                         f"{min(samples):.1f} - {max(samples):.1f} s |")
    else:
        width = max(len(label) for label, _ in rows)
        lines.append(f"{'what'.ljust(width)}  runs  median    min - max")
        for label, samples in rows:
            lines.append(f"{label.ljust(width)}  {len(samples):4d}  {median(samples):6.1f} s  "
                         f"{min(samples):.1f} - {max(samples):.1f} s")
    floor = next((median(s) for label, s in rows if label.startswith("floor")), None)
    ratios = []
    if floor:
        for label, samples in rows:
            if (label.startswith("synth") and "DCs" not in label) or "cold" in label or "warm" in label:
                ratios.append(f"{label} / floor = {median(samples) / floor:.2f}")
        sized = [median(by_label[f"synth multi-dc, {n} DCs"]) for n in (2, 3, 4)
                 if f"synth multi-dc, {n} DCs" in by_label]
        if len(sized) == 3:
            ratios.append(f"synth cost per added DC: {(sized[2] - sized[0]) / 2:.2f} s "
                          f"({(sized[2] - sized[0]) / 2 / floor:.3f} x floor); 2 -> 4 DCs: x{sized[2] / sized[0]:.2f}")
    planned = [median(by_label[f"plan multi-dc, {n} DCs"]) for n in (2, 3, 4) if f"plan multi-dc, {n} DCs" in by_label]
    if len(planned) == 3:
        ratios.append(f"plan cost per added DC: {(planned[1] - planned[0]):.1f} s (2->3), "
                      f"{(planned[2] - planned[1]):.1f} s (3->4); 2 -> 4 DCs: x{planned[2] / planned[0]:.2f} "
                      "(linear growth would be x2.00 at most)")
    bullet = "- " if markdown else "  "
    return "\n".join(lines) + "\n\n" + "\n".join(bullet + r for r in ratios) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each synth measurement (default 5)")
    parser.add_argument("--plan-repeat", type=int, default=3, help="runs of each plan (default 3)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite once (~30 min)")
    parser.add_argument("--skip-plan", action="store_true", help="synth only")
    args = parser.parse_args()
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{subprocess.run(['terraform', 'version'], capture_output=True, text=True).stdout.splitlines()[0]}")
    with tempfile.TemporaryDirectory(prefix="portal-ha-bench-") as folder:
        bench = Bench(args, Path(folder))
        started = time.monotonic()
        bench.run_synth()
        bench.run_bad_input()
        bench.run_reuse()
        if not args.skip_plan:
            bench.run_plan()
        if args.suite:
            bench.run_suite()
    print(f"{machine}; whole benchmark {time.monotonic() - started:.0f} s\n")
    print(report(bench.rows, args.markdown))


if __name__ == "__main__":
    main()
