"""The day-2 commands: failover, evacuate, restore and drill (``portal_ha.operations`` holds their steps)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import click

from ..aws import Clients
from ..operations.config_edit import Change
from ..operations.timeline import OperationError, Timeline
from .common import (
    apply,
    arch_argument,
    environment,
    failure,
    init,
    local_option,
    manifest,
    say,
    settings_for,
    synth,
)

if TYPE_CHECKING:
    from stacks.manifest import Manifest
    from stacks.settings import Settings

POLL_SECONDS_ENV = "PORTAL_HA_POLL_SECONDS"
yes_option = click.option("--yes", "-y", is_flag=True,
                          help="Write the configuration change without asking (it is still printed).")


class CliDeployment:
    """The deployment of ARCH as the other commands see it: cdktf.out, Terraform, the emulator with --local."""

    def __init__(self, arch: str, local: bool) -> None:
        self.arch, self.local = arch, local
        self.env, _ = environment(local)
        self.aws = Clients(self.env)

    def settings(self) -> Settings:
        return settings_for(self.arch, self.local)

    def deployed(self) -> bool:
        from .. import terraform

        directory = terraform.stack_dir(Path("cdktf.out"), self.arch)
        if not (directory / ".terraform").exists():
            return False
        try:
            return "verify_manifest" in terraform.outputs(directory, self.env)
        except terraform.TerraformError:
            return False

    def up(self) -> None:
        directory = self.synth()
        apply(directory, self.env, destroy=False, threads=None)

    def synth(self) -> Path:
        directory = synth(self.arch, self.local)
        init(directory, self.env, self.local)
        return directory

    def apply(self, directory: Path, targets: tuple[str, ...] = (), why: str = "") -> int:
        if targets:
            say(f"terraform apply of {len(targets)} resources only (-target): {why}. Targeting is the point of this "
                "step, so Terraform's warnings about it are not shown")
        else:
            say("terraform apply")
        progress = apply(directory, self.env, destroy=False, threads=None, targets=targets)
        return progress.total or 0

    def changes(self, directory: Path) -> list[str]:
        from .. import terraform

        digest = terraform.summarize_plan(terraform.plan_json(directory, self.env))
        return [f"{'/'.join(r['actions'])} {address}" for address, r in digest["resources"].items()
                if r["actions"] not in (["no-op"], ["read"])]

    def manifest(self, directory: Path) -> Manifest:
        return manifest(directory, self.env)

    def verify(self, found: Manifest) -> tuple[int, int, list[str]]:
        from .. import verify as checks

        results = checks.verify(found, self.aws)
        failed = [f"{r.rule} {r.scope}: {r.detail}" for r in results if r.status == checks.FAIL]
        return (sum(r.status == checks.PASS for r in results), sum(r.status == checks.SKIP for r in results), failed)


def _consent(yes: bool) -> Callable[[list[Change]], bool]:
    def ask(changes: list[Change]) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            say("not a terminal and no --yes: the configuration change is not written")
            return False
        return click.confirm("Write these changes to the configuration?", default=False, err=True)

    return ask


def _poll_seconds(local: bool) -> float:
    value = os.environ.get(POLL_SECONDS_ENV)
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            raise click.UsageError(f"{POLL_SECONDS_ENV} {value!r} is not a number of seconds: use for example "
                                   "10 (the default on AWS; 0.2 on the emulator)") from None
    return 0.2 if local else 10.0


def _echo(line: str) -> None:
    click.echo(line, err=True)


class _Operation(Protocol):
    timeline: Timeline

    def run(self) -> Timeline: ...


def _run(operation: _Operation, then: Callable[[], str] | None = None) -> None:
    """Run an operation, print its timeline (then what ``then`` says after the run), and exit 1 with the failed
    step's message if one failed."""
    from ..operations.deployment import Refused

    error: Exception | None = None
    try:
        operation.run()
    except (OperationError, Refused) as exc:  # Refused: a drill's leg checks its input as it starts
        error = exc
    click.echo(operation.timeline.render())
    if then is not None:
        click.echo(then())
    if error is not None:
        raise failure(error)


@click.command()
@arch_argument
@click.option("--to", "target", required=True, metavar="DC", help="The datacenter to make the primary.")
@local_option
@click.option("--unplanned", is_flag=True,
              help="The primary is down: fail over allowing data loss (Aurora failover, not switchover).")
@yes_option
def failover(arch: str, target: str, local: bool, unplanned: bool, yes: bool) -> None:
    """Make DC the primary of ARCH: DB writer, writable file system, settings and Terraform. Resumable."""
    from ..operations.deployment import Refused
    from ..operations.failover import Failover, preflight

    poll = _poll_seconds(local)
    try:
        plan = preflight(settings_for(arch, local), arch, target, unplanned)
    except Refused as exc:
        raise click.UsageError(str(exc)) from None
    if plan.resumed:
        say(f"resuming the unfinished failover of {arch} from {plan.source} to {plan.target}")
    try:
        run = Failover(plan, CliDeployment(arch, local), consent=_consent(yes), echo=_echo, poll_seconds=poll)
    except Refused as exc:
        raise click.UsageError(str(exc)) from None
    _run(run)


def _evacuation(arch: str, datacenter: str, local: bool, yes: bool, *, evacuate: bool) -> None:
    from ..operations.deployment import Refused
    from ..operations.evacuate import Evacuation, evacuation_change

    try:
        planned = evacuation_change(settings_for(arch, local), arch, datacenter, evacuate=evacuate)
    except Refused as exc:
        raise click.UsageError(str(exc)) from None
    run = Evacuation(CliDeployment(arch, local), planned, datacenter, evacuate=evacuate, consent=_consent(yes),
                     echo=_echo)
    _run(run)


@click.command()
@arch_argument
@click.argument("datacenter", metavar="DC")
@local_option
@yes_option
def evacuate(arch: str, datacenter: str, local: bool, yes: bool) -> None:
    """Take DC out of the global load balancer of ARCH (nothing is destroyed). Refused for the last serving DC."""
    _evacuation(arch, datacenter, local, yes, evacuate=True)


@click.command()
@arch_argument
@click.argument("datacenter", metavar="DC")
@local_option
@yes_option
def restore(arch: str, datacenter: str, local: bool, yes: bool) -> None:
    """Put an evacuated DC back into the global load balancer of ARCH."""
    _evacuation(arch, datacenter, local, yes, evacuate=False)


@click.command()
@arch_argument
@local_option
def drill(arch: str, local: bool) -> None:
    """DR rehearsal: up (or reuse), verify, fail over, verify, fail back, verify; timeline and RTO/RPO."""
    from ..operations.drill import Drill

    poll = _poll_seconds(local)
    config = settings_for(arch, local).architectures[arch]
    if not config.kind.multi_datacenter:
        raise click.UsageError(f"{arch} has one datacenter: a DR drill fails over between datacenters; use "
                               "multi-dc or multi-dc-local")
    run = Drill(CliDeployment(arch, local), echo=_echo, poll_seconds=poll)
    _run(run, then=run.summary)
