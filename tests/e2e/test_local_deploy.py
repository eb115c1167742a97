"""End to end against the local emulator: up, verify, no drift, fault injection, down, nothing left.

Each architecture runs in its own temporary project folder (a copy of cdktf.json), with its own emulator,
through the real ``portal-ha`` command line, as a user would run it; the three run at the same time. With
``PORTAL_HA_E2E_ADOPT`` set (CI, after README command 1), the multi-dc lifecycle takes over the deployment that
command left up instead of deploying multi-dc a second time.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from portal_ha import emulator, terraform, toolchain
from portal_ha.aws import Clients
from portal_ha.cli.deploy import plan_lines
from stacks.profiles import LOCAL_STATE_DIR
from tests.conftest import REPO

from . import faults

# One xdist group: the three lifecycles share one module fixture (they run at once, in threads), so they go to
# one worker, while the other workers run the rest of the suite beside them (tests/conftest.py niceness).
pytestmark = [pytest.mark.terraform, pytest.mark.e2e, pytest.mark.xdist_group("lifecycles")]

# The rows each architecture must have seen failing under fault injection (its production features).
_EVERYWHERE = {"detailed-monitoring", "db-performance-insights", "db-parameter-group"}
EXPECTED_FAULTS = {
    "single-dc": _EVERYWHERE | {"portal-group", "efs-backup", "efs-tls-policy"},
    "multi-dc": _EVERYWHERE | {"portal-group", "db-writer", "efs-backup", "efs-tls-policy", "efs-private-zone",
                               "efs-replication"},
    "multi-dc-local": _EVERYWHERE | {"db-writer"},
}


ADOPT = "PORTAL_HA_E2E_ADOPT"
"""A project folder where ``portal-ha up multi-dc --local`` left its deployment up (CI: the checkout, after README
command 1). The multi-dc lifecycle then takes that deployment over instead of deploying it a second time."""


class Project:
    """A scratch project folder where ``portal-ha`` runs as a user would run it."""

    def __init__(self, root: Path, source: Path = REPO) -> None:
        self.root = root
        shutil.copy(source / "cdktf.json", root / "cdktf.json")
        # The synth cache on, as a user has it: every command after the first reuses an unchanged synth.
        self.env = {**os.environ, "PORTAL_HA_CONFIG": str(root / "cdktf.json"), "PORTAL_HA_SYNTH_CACHE": "on"}
        self.env.pop("PORTAL_HA_PROFILE", None)
        self.steps: list[tuple[str, float]] = []  # (command, seconds) of every portal-ha run, in order

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "portal_ha", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=1800)
        self.steps.append((" ".join(a for a in args if a != "--local"), time.monotonic() - started))
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
    """Every change a plan proposes (nothing is excused)."""
    found = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or change["mode"] != "managed":
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        found.append(f"{change['address']}: {actions} {sorted(changed)}")
    return found


def _failing(project: Project, arch: str) -> set[tuple[str, str]]:
    proc = project.run("verify", arch, "--local", "--json", check=False)
    rows = json.loads(proc.stdout)
    failing = {(r["rule"], r["scope"]) for r in rows if r["status"] == "FAIL"}
    assert proc.returncode == (1 if failing else 0), proc.stderr
    return failing


def _inject_faults(project: Project, arch: str, manifest: dict, endpoint: str) -> list[str]:
    """Each production feature's row FAILs, alone, when that feature is turned off; the rows PASS again once it
    is back. Returns the rules seen failing."""
    aws = faults.clients(endpoint)
    seen, last = [], None
    for fault in faults.FAULTS:
        dc = fault.applies(manifest)
        if dc is None:
            continue
        restore = fault.inject(aws, manifest, dc)
        assert _failing(project, arch) == {(fault.rule, dc["name"])}, fault.rule
        seen.append(fault.rule)
        if restore is None:
            last = fault
            break
        restore()
    assert last is None or last is faults.FAULTS[-1], "a fault that cannot be restored must be the last one"
    return seen


def _lose_an_instance(project: Project, arch: str, manifest: dict, endpoint: str) -> None:
    """A portal instance of the first datacenter dies. Fixed instances: verify names the DC and rule. An Auto
    Scaling group: it replaces a terminated instance in the same AZ, so verify passes again with the new one;
    with its ReplaceUnhealthy process suspended, a stopped instance fails verify as a fixed one does, and
    resuming the process heals the group."""
    aws = faults.clients(endpoint)
    dc = manifest["datacenters"][0]
    ec2 = aws("ec2", dc["region"])
    before = faults.portal_instance_ids(aws, dc)
    group = dc.get("autoscaling_group_name")
    if not group:
        ec2.stop_instances(InstanceIds=[before[0]])
        assert ("portal-instances", dc["name"]) in _failing(project, arch)
        ec2.start_instances(InstanceIds=[before[0]])
        return
    zone = {i["InstanceId"]: i["Placement"]["AvailabilityZone"]
            for r in ec2.describe_instances(InstanceIds=before)["Reservations"] for i in r["Instances"]}
    ec2.terminate_instances(InstanceIds=[before[0]])
    assert _failing(project, arch) == set()
    after = faults.portal_instance_ids(aws, dc)
    replacement = (set(after) - set(before)).pop()
    assert before[0] not in after and len(after) == len(before)
    placed = ec2.describe_instances(InstanceIds=[replacement])["Reservations"][0]["Instances"][0]
    assert placed["Placement"]["AvailabilityZone"] == zone[before[0]]
    scaling = aws("autoscaling", dc["region"])
    scaling.suspend_processes(AutoScalingGroupName=group, ScalingProcesses=["ReplaceUnhealthy"])
    ec2.stop_instances(InstanceIds=[replacement])
    assert ("portal-instances", dc["name"]) in _failing(project, arch)
    scaling.resume_processes(AutoScalingGroupName=group, ScalingProcesses=["ReplaceUnhealthy"])
    assert _failing(project, arch) == set()


def _rolling_update(project: Project, arch: str, manifest: dict, directory: Path, env: dict[str, str]) -> None:
    """A new instance type rolls every group through an instance refresh; verify passes throughout the end
    state, every instance runs the new type, and a re-plan shows no change."""
    config = json.loads((project.root / "cdktf.json").read_text())
    config["context"][arch].setdefault("portal", {})["instance_type"] = "m6i.xlarge"
    (project.root / "cdktf.json").write_text(json.dumps(config, indent=2))
    aws = faults.clients(env["AWS_ENDPOINT_URL"])
    before = {dc["name"]: faults.portal_instance_ids(aws, dc) for dc in manifest["datacenters"]}
    up = project.run("up", arch, "--local")
    assert "updated aws_autoscaling_group" in up.stderr, up.stderr
    assert _failing(project, arch) == set()
    for dc in manifest["datacenters"]:
        after = faults.portal_instance_ids(aws, dc)
        assert len(after) == len(before[dc["name"]]) and not set(after) & set(before[dc["name"]])
        described = aws("ec2", dc["region"]).describe_instances(InstanceIds=after)["Reservations"]
        assert {i["InstanceType"] for r in described for i in r["Instances"]} == {"m6i.xlarge"}
    drift = _drift(terraform.plan_json(directory, env))
    assert drift == [], "\n".join(drift)


def _evacuation(project: Project, arch: str, manifest: dict, endpoint: str) -> None:
    """Evacuate dc2 (its record goes, verify shows it as evacuated), refuse to evacuate the last serving DC,
    see the row FAIL when a record serves the evacuated DC behind the configuration's back, then restore it."""
    out = project.run("evacuate", arch, "dc2", "--local", "--yes")
    assert 'global_lb.evacuated: (unset) -> ["dc2"]' in out.stderr and "a new plan shows no changes" in out.stdout
    rows = {(r["rule"], r["scope"]): r for r in json.loads(project.run("verify", arch, "--local", "--json").stdout)}
    assert rows[("global-load-balancer", "dc2")]["status"] == "SKIP"
    assert rows[("global-load-balancer", "dc2")]["detail"].startswith(f"evacuated ({arch}.global_lb.evacuated)")
    refused = project.run("evacuate", arch, "dc1", "--local", "--yes", check=False)
    assert refused.returncode == 2 and "evacuating dc1 is refused: dc1 is the last datacenter serving users" in \
        " ".join(refused.stderr.split()), refused.stderr
    glb = manifest["global_lb"]
    route53 = faults.clients(endpoint)("route53", "us-east-1")
    dc2 = next(dc for dc in manifest["datacenters"] if dc["name"] == "dc2")
    nlb = faults.clients(endpoint)("elbv2", dc2["region"]).describe_load_balancers(
        LoadBalancerArns=[dc2["nlb_arn"]])["LoadBalancers"][0]
    record = {"Name": glb["domain"] + ".", "Type": "A", "SetIdentifier": "dc2", "Region": dc2["region"],
              "HealthCheckId": glb["health_check_ids"]["dc2"], "AliasTarget": {
                  "HostedZoneId": nlb["CanonicalHostedZoneId"], "DNSName": nlb["DNSName"],
                  "EvaluateTargetHealth": True}}
    route53.change_resource_record_sets(HostedZoneId=glb["zone_id"], ChangeBatch={
        "Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]})
    assert _failing(project, arch) == {("global-load-balancer", "dc2")}
    route53.change_resource_record_sets(HostedZoneId=glb["zone_id"], ChangeBatch={
        "Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]})
    out = project.run("restore", arch, "dc2", "--local", "--yes")
    assert 'global_lb.evacuated: ["dc2"] -> (unset)' in out.stderr
    assert _failing(project, arch) == set()


def _drill(project: Project, arch: str) -> None:
    """The DR drill, with a failure injected: another operator holds Terraform's state lock, so the first run
    stops at the failover's first Terraform step with a clear message and the state it left; once the lock is
    released, the same command resumes (the steps already done are checked, not repeated) and finishes."""
    state = project.root / ".portal-ha" / "emulator" / "state" / f"terraform.{arch}.tfstate"
    first_terraform_step = "terraform-state" if arch == "multi-dc" else "reconcile"
    config_before = (project.root / "cdktf.json").read_text()
    with state.open("r+") as held:
        fcntl.lockf(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        failed = project.run("drill", arch, "--local", check=False)
        fcntl.lockf(held, fcntl.LOCK_UN)
    assert failed.returncode == 1, failed.stderr
    text = " ".join(failed.stderr.split())
    assert f"step 'failover to dc2: {first_terraform_step}' failed" in text, failed.stderr
    assert "State left:" in text and "Run the same command again to resume" in text
    assert json.loads((project.root / "cdktf.json").read_text())["context"][arch]["primary"] == "dc2"
    resumed = project.run("drill", arch, "--local")
    assert "resuming the drill" in resumed.stderr
    timeline = resumed.stdout
    for step in ("failover to dc2: database", "failover to dc2: settings"):
        assert any(line.strip().startswith(step) and "already done" in line for line in timeline.splitlines()), \
            timeline
    assert "failback to dc1: verify" in timeline and "RTO/RPO summary:" in timeline and "FAILED" not in timeline
    # The drill leaves the file as it found it (it used to keep database_home, replication_region and the id of
    # a replica that `down` then deleted, so the next `up` failed): `up` after `down` is the first `up` again.
    assert (project.root / "cdktf.json").read_text() == config_before
    assert "restore-settings" in timeline and "(the same stack)" in timeline, timeline
    assert _failing(project, arch) == set()
    assert f"plan of {arch}: no changes;" in project.run("plan", arch, "--local").stdout


def _state_resources(project: Project, arch: str) -> int:
    """How many resources Terraform's state of ``arch`` holds now (0 while there is no state yet)."""
    state = project.root / ".portal-ha" / "emulator" / "state" / f"terraform.{arch}.tfstate"
    try:
        return len(json.loads(state.read_text()).get("resources", []))
    except (OSError, ValueError):
        return 0


def _terraform_processes(stack: Path) -> list[int]:
    """Terraform and its provider plugins working in ``stack`` (their working folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd") == str(stack) \
                    and (entry / "comm").read_text().startswith("terraform") \
                    and "zombie" not in (entry / "status").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _until(condition: Callable[[], bool], what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def _interrupted_up(project: Project, arch: str, sig: signal.Signals, after: int) -> subprocess.CompletedProcess[str]:
    """``portal-ha up`` sent ``sig`` once Terraform's state holds ``after`` resources (mid-apply); returns the run
    once the tool and every Terraform process it started have exited."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "portal_ha", "up", arch, "--local"], cwd=project.root,
                            env=project.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _until(lambda: _state_resources(project, arch) >= after or proc.poll() is not None, "the apply to get going")
    assert proc.poll() is None, "the up ended before it could be interrupted"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=600)
    stack = terraform.stack_dir(project.root / "cdktf.out", arch)
    _until(lambda: not _terraform_processes(stack), "Terraform to stop")
    project.steps.append((f"up ({sig.name} at {after} resources)", time.monotonic() - started))
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def _interruptions(project: Project, arch: str) -> None:
    """The interruption matrix's CI points, on the cheapest stack: a SIGKILL of ``up`` mid-apply (Terraform,
    told by the kernel, stops on its own and saves its state), then ``down`` from that partial deployment, which
    has no outputs; a Ctrl-C of ``up`` mid-apply (forwarded once), after which the next ``up`` goes on."""
    killed = _interrupted_up(project, arch, signal.SIGKILL, after=20)
    assert killed.returncode == -signal.SIGKILL
    held = _state_resources(project, arch)
    assert held >= 20, "the state holds what was created (written whole on Terraform's way out)"
    down = project.run("down", arch, "--local")
    assert "has no deployment outputs (an up that failed or was interrupted)" in down.stderr, down.stderr
    assert "nothing of it is left" in down.stderr, down.stderr
    assert _state_resources(project, arch) == 0

    stopped = _interrupted_up(project, arch, signal.SIGINT, after=20)
    assert stopped.returncode == 130, stopped.stderr
    assert "interrupted: Terraform stops after the operations under way" in stopped.stderr, stopped.stderr
    assert "Run the same command again to go on" in stopped.stderr
    assert _state_resources(project, arch) >= 20


def _cdktf_destroy(project: Project, arch: str, manifest: dict) -> None:  # type: ignore[type-arg]
    """The cdktf user's way down: ``cdktf destroy`` leaves nothing (the EFS replica is a resource of the stack),
    and ``portal-ha down`` afterwards finds nothing deployed and exits 0."""
    from portal_ha.teardown import footprint, leftovers
    from stacks.manifest import Manifest

    started = time.monotonic()
    exports = project.run("env", "--local").stdout
    env = {**project.env, "PYTHONPATH": str(REPO), "CHECKPOINT_DISABLE": "1", **dict(
        line.removeprefix("export ").split("=", 1) for line in exports.splitlines() if line.startswith("export "))}
    env = {k: v.strip("'") for k, v in env.items()}
    config = json.loads((project.root / "cdktf.json").read_text())
    config["app"] = f"{sys.executable} -m stacks"
    (project.root / "cdktf.json").write_text(json.dumps(config, indent=2))
    destroyed = subprocess.run([str(REPO / "node_modules" / ".bin" / "cdktf"), "destroy", arch, "--auto-approve",
                                "--skip-provider-lock"], cwd=project.root, env=env, capture_output=True, text=True,
                               timeout=1800)
    project.steps.append((f"cdktf destroy {arch}", time.monotonic() - started))
    assert destroyed.returncode == 0, destroyed.stdout[-5000:] + destroyed.stderr[-3000:]
    assert "Destroy complete!" in destroyed.stdout
    regions = sorted({dc["region"] for dc in manifest["datacenters"]}
                     | {dc["efs_replication_region"] for dc in manifest["datacenters"]
                        if dc.get("efs_replication_region")})
    typed = Manifest.from_json(manifest)
    left = leftovers(footprint(arch, "portal", regions, [], typed), typed, Clients(env))
    assert left == [], left
    again = project.run("down", arch, "--local")
    assert f"nothing of {arch} is deployed" in again.stderr, again.stderr


def adopted_from(arch: str) -> Path | None:
    """The project folder whose deployment of ``arch`` this run takes over (``PORTAL_HA_E2E_ADOPT``, multi-dc
    only), or None: the lifecycle deploys from nothing."""
    source = os.environ.get(ADOPT)
    return Path(source) if source and arch == "multi-dc" else None


def _take_over(source: Path, project: Project, arch: str) -> None:
    """Move the running emulator and the Terraform state of ``arch`` from ``source`` into ``project``: the
    emulator is found through its state file, so from here on ``project`` owns it, and ``source`` no longer has
    a deployment. A missing one fails the run (it is not silently deployed again). What ``up`` left that is
    not moved (``cdktf.out``, the synth cache) the next command makes again."""
    held = source / emulator.EMULATOR_DIR
    state = held / LOCAL_STATE_DIR.name / f"terraform.{arch}.tfstate"
    if emulator.status(held) is None or not state.is_file():
        raise AssertionError(f"{ADOPT}={source}: no running emulator with a {arch} deployment there "
                             f"(run portal-ha up {arch} --local in that folder first, or unset {ADOPT})")
    target = project.root / emulator.EMULATOR_DIR
    target.mkdir(parents=True)
    shutil.move(held / LOCAL_STATE_DIR.name, target / LOCAL_STATE_DIR.name)
    shutil.move(held / "state.json", target / "state.json")


def _lifecycle(tmp_path: Path, arch: str) -> tuple[float, list[tuple[str, float]]]:
    """The whole lifecycle of ``arch``: its wall time in seconds, and each portal-ha command's."""
    started = time.monotonic()
    source = adopted_from(arch)
    project = Project(tmp_path, source or REPO)
    try:
        if source is not None:  # up ran there (CI: README command 1); from here on it is as if it ran here
            _take_over(source, project, arch)
        else:
            if arch == "single-dc":
                _interruptions(project, arch)
            up = project.run("up", arch, "--local")
            assert "is up in" in up.stderr
            assert "left out" not in up.stderr

        verified = project.run("verify", arch, "--local")
        assert " FAIL " not in verified.stdout and "0 FAIL" in verified.stdout, verified.stdout
        assert "left out" not in verified.stderr

        # A second plan right after apply changes nothing, and nothing is excused; its summary is the one
        # `portal-ha plan` prints. The command itself plans once per lifecycle: here for single-dc, after the drill
        # for the other two (a plan of multi-dc costs 20 to 30 s on the longest lifecycles' path).
        directory = terraform.stack_dir(tmp_path / "cdktf.out", arch)
        env = {**toolchain.terraform_env(tmp_path / ".portal-ha"), **project.emulator_env(),
               "PORTAL_HA_CONFIG": project.env["PORTAL_HA_CONFIG"]}
        plan = terraform.plan_json(directory, env)
        drift = _drift(plan)
        assert drift == [], "\n".join(drift)
        summary = plan_lines(arch, terraform.summarize_plan(plan))[-1]
        assert summary.startswith(f"plan of {arch}: no changes;"), summary
        if arch == "single-dc":
            planned = project.run("plan", arch, "--local").stdout
            assert f"plan of {arch}: no changes;" in planned, planned

        manifest = json.loads(terraform.outputs(directory, env)["verify_manifest"])
        _lose_an_instance(project, arch, manifest, env["AWS_ENDPOINT_URL"])
        # The longest lifecycle (multi-dc) sets CI's time: each day-2 check runs where it is cheapest and still
        # meaningful. A rolling update needs a group (single-dc; multi-dc's drill rolls both groups as well); an
        # evacuation is the same for both multi-DC architectures (multi-dc-local); the drill runs on both.
        if arch == "single-dc":
            _rolling_update(project, arch, manifest, directory, env)

        if arch == "multi-dc-local":
            _evacuation(project, arch, manifest, env["AWS_ENDPOINT_URL"])
        if arch != "single-dc":
            _drill(project, arch)
            manifest = json.loads(terraform.outputs(directory, env)["verify_manifest"])

        seen = _inject_faults(project, arch, manifest, env["AWS_ENDPOINT_URL"])
        assert set(seen) == EXPECTED_FAULTS[arch], seen

        if arch == "multi-dc":
            _cdktf_destroy(project, arch, manifest)
        else:
            down = project.run("down", arch, "--local")
            assert "nothing of it is left" in down.stderr
    finally:
        project.stop()
    return time.monotonic() - started, project.steps


ARCHITECTURES = ("multi-dc", "single-dc", "multi-dc-local")


@pytest.fixture(scope="module")
def lifecycles(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future]]:
    """The selected lifecycles, all at once, each in its own project folder with its own emulator.

    A local deploy spends most of its time in the AWS provider's waiters (a multi-dc ``up`` measured 33 s of CPU
    in 155 s, emulator included), so three at once fit the 2-core CI machine and take about the time of the
    longest one instead of the sum."""
    chosen = [a for a in ARCHITECTURES if any(item.name == f"test_lifecycle[{a}]" for item in request.session.items)]
    with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
        yield {arch: pool.submit(_lifecycle, tmp_path_factory.mktemp(arch), arch) for arch in chosen}


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_lifecycle(arch: str, lifecycles: dict[str, Future], record_property: Callable[[str, object], None]) -> None:
    seconds, steps = lifecycles[arch].result()
    record_property("lifecycle", arch)  # benchmarks/ci.py reads these from the JUnit report
    record_property("lifecycle_seconds", f"{seconds:.1f}")
    record_property("lifecycle_steps", "; ".join(f"{command} {took:.0f} s" for command, took in steps))
