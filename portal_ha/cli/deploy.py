"""The commands that synthesize, plan, deploy, check and destroy an architecture."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..terraform import PlanDigest

from .common import (
    apply,
    arch_argument,
    emulator_ready,
    environment,
    failure,
    fresh_option,
    init,
    local_option,
    manifest,
    parallelism_option,
    read_manifest,
    ready_dir,
    say,
    settings_for,
    synth,
)
from .common import parallelism as resolve_parallelism


@click.command("synth")
@arch_argument
@local_option
@fresh_option
def synth_command(arch: str, local: bool, fresh: bool) -> None:
    """Synthesize ARCH into cdktf.out/stacks/ARCH (no AWS call)."""
    click.echo(synth(arch, local, fresh=fresh))


@click.command()
@arch_argument
@local_option
@fresh_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan digest as JSON instead of a summary.")
def plan(arch: str, local: bool, fresh: bool, as_json: bool) -> None:
    """Synthesize ARCH and run terraform init and plan against AWS or the emulator."""
    from .. import terraform

    env, launch = environment(local, wait=False)
    directory = synth(arch, local, fresh=fresh)
    emulator_ready(launch)
    try:
        say("terraform init")
        terraform.init(directory, env)
        say("terraform plan" + (" against the local emulator" if local else ""))
        started = time.monotonic()
        digest = terraform.summarize_plan(terraform.plan_json(directory, env))
    except terraform.TerraformError as exc:
        raise failure(exc) from None
    if as_json:
        click.echo(json.dumps(digest, indent=2))
        return
    for line in plan_lines(arch, digest):
        click.echo(line)
    say(f"planned in {time.monotonic() - started:.1f} s")


PLAN_ACTIONS = (("create", ["create"]), ("update", ["update"]), ("replace", ["delete", "create"]),
                ("replace", ["create", "delete"]), ("destroy", ["delete"]))


def plan_lines(arch: str, digest: PlanDigest) -> list[str]:
    """What a plan digest changes: a line per action and resource type, then the totals (resources the plan
    leaves as they are count as unchanged, so a plan right after ``up`` reads "no changes")."""
    counts: dict[tuple[str, str], int] = {}
    unchanged = 0
    for address, resource in digest["resources"].items():
        action = next((name for name, actions in PLAN_ACTIONS if resource["actions"] == actions), None)
        if action is None:
            unchanged += 1
            continue
        key = (action, address.split(".")[0])
        counts[key] = counts.get(key, 0) + 1
    lines = [f"  {count:3d}  {action:<7}  {rtype}" for (action, rtype), count in sorted(counts.items())]
    totals = {name: sum(c for (a, _), c in counts.items() if a == name)
              for name in ("create", "update", "replace", "destroy")}
    changes = ", ".join(f"{n} to {name}" for name, n in totals.items() if n)
    lines.append(f"plan of {arch}: {changes or 'no changes'}; {unchanged} unchanged, "
                 f"{len(digest['outputs'])} outputs")
    return lines


def _target(local: bool, threads: int | None) -> str:
    return f"{'local emulator' if local else 'AWS'}, parallelism {threads or 'default (10)'}"


@click.command()
@arch_argument
@local_option
@fresh_option
@parallelism_option
def up(arch: str, local: bool, fresh: bool, parallelism: int | None) -> None:
    """Synthesize ARCH and deploy it (terraform apply), then print the stack outputs."""
    from .. import terraform

    started = time.monotonic()
    threads = resolve_parallelism(parallelism)
    env, launch = environment(local, wait=False)
    directory = synth(arch, local, fresh=fresh)
    emulator_ready(launch)
    _named_replica_exists(arch, directory, env)
    init(directory, env, local)
    say(f"terraform apply ({_target(local, threads)})")
    outputs = apply(directory, env, destroy=False, threads=threads).outputs
    if outputs is None:  # Terraform said none: ask for them
        try:
            outputs = terraform.outputs(directory, env)
        except terraform.TerraformError as exc:
            raise failure(exc) from None
    say(f"{arch} is up in {time.monotonic() - started:.0f} s. Outputs:")
    for name, value in sorted(outputs.items()):
        if name != "verify_manifest":
            click.echo(f"  {name} = {json.dumps(value)}")


def _named_replica_exists(arch: str, directory: Path, env: dict[str, str]) -> None:
    """Before Terraform runs: a replica the configuration names (``file_system.replica_file_system_id``, one
    managed outside the stack, so the synthesized replication's destination is a literal id, not a reference)
    must exist, else the apply would fail minutes later in CreateReplicationConfiguration."""
    from constructs_lib.synthesized import SynthesizedStack

    from ..aws import Clients

    for replication in SynthesizedStack.load(directory).resources("aws_efs_replication_configuration"):
        destination = replication.block("destination")
        replica, region = destination.get("file_system_id"), destination.get("region")
        if not isinstance(replica, str) or replica.startswith("${") or not isinstance(region, str):
            continue
        efs = Clients(env)("efs", region)
        try:
            efs.describe_file_systems(FileSystemId=replica)
        except efs.exceptions.FileSystemNotFound:
            raise click.ClickException(
                f"{arch}.file_system.replica_file_system_id names {replica}, which is not a file system in "
                f"{region} (deleted?): remove the key, and the stack builds the replica itself, or name an "
                f"existing file system of {region}") from None


@click.command()
@arch_argument
@local_option
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def verify(arch: str, local: bool, as_json: bool) -> None:
    """Check the live deployment of ARCH against the HA rules. Exit 1 on any FAIL."""
    from .. import verify as checks
    from ..aws import Clients

    env, _ = environment(local)
    found = manifest(ready_dir(arch, env, local), env)
    started = time.monotonic()
    results = checks.verify(found, Clients(env))
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        click.echo(checks.render_table(results))
        say(f"verified in {time.monotonic() - started:.1f} s")
    if any(r.status == checks.FAIL for r in results):
        sys.exit(1)


@click.command()
@arch_argument
@local_option
@parallelism_option
def down(arch: str, local: bool, parallelism: int | None) -> None:
    """Destroy ARCH from whatever state it is in (deployed, or an up that failed or was interrupted), then check
    that nothing of it is left. Exit 1 if something is."""
    from constructs_lib.synthesized import SynthesizedStack

    from .. import terraform
    from ..aws import Clients
    from ..teardown import automated_backups, footprint, leftovers

    started = time.monotonic()
    threads = resolve_parallelism(parallelism)
    env, _ = environment(local)
    directory = ready_dir(arch, env, local)
    settings = settings_for(arch, local)
    try:
        held = terraform.state_resources(directory, env)
        outputs = terraform.outputs(directory, env) if held else {}
    except terraform.TerraformError as exc:
        raise failure(exc) from None
    found = read_manifest(outputs["verify_manifest"]) if "verify_manifest" in outputs else None
    where = footprint(arch, settings.name_prefix, SynthesizedStack.load(directory).regions, held, found)
    aws = Clients(env)
    if not held:
        _refuse_leftovers(leftovers(where, None, aws), f"Terraform's state of {arch} is empty, but {{}} resource(s) "
                          "tagged with it are there (not managed by this state: remove them by hand)")
        say(f"nothing of {arch} is deployed: Terraform's state is empty, and no resource tagged with it is in "
            f"{', '.join(where.regions)}")
        _forget_operations(arch)
        return
    if found is None:
        say(f"{arch} has no deployment outputs (an up that failed or was interrupted): destroying the "
            f"{len(held)} resources Terraform's state holds")
    say(f"terraform destroy ({_target(local, threads)})")
    apply(directory, env, destroy=True, threads=threads)
    left = leftovers(where, found, aws)
    for arn in automated_backups(where, aws):
        click.echo(f"  automated backup (AWS-managed, expires with its retention period): {arn}", err=True)
    _refuse_leftovers(left, f"{{}} resource(s) of {arch} are still there")
    _forget_operations(arch)
    say(f"{arch} destroyed in {time.monotonic() - started:.0f} s; nothing of it is left")


def _refuse_leftovers(left: list[str], message: str) -> None:
    """Name each thing left and exit 1 with ``message`` (its ``{}`` is their number); nothing left: return."""
    if left:
        for item in left:
            click.echo(f"  left: {item}", err=True)
        raise click.ClickException(message.format(len(left)))


def _forget_operations(arch: str) -> None:
    """Nothing is left to resume: drop the journals of unfinished operations."""
    from ..operations.deployment import Journal

    for operation in ("failover", "drill"):
        Journal.path(operation, arch).unlink(missing_ok=True)
