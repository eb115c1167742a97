"""``portal-ha``: operator commands for the API Portal HA architectures.

Every command works against AWS (your usual AWS credentials and region) or, with ``--local``, against a
moto server on 127.0.0.1 that ``portal-ha`` starts and keeps running between commands.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path
import click

from . import emulator as emu
from . import toolchain
from .settings import ARCHITECTURES

OUTDIR = Path("cdktf.out")
arch_argument = click.argument("arch", type=click.Choice(ARCHITECTURES))
local_option = click.option(
    "--local", is_flag=True,
    help="Target the local AWS emulator (moto on 127.0.0.1) and use the 'local' profile.",
)


def _say(message: str) -> None:
    click.echo(click.style("==> ", fg="cyan", bold=True) + message, err=True)


def _environment(local: bool) -> dict[str, str]:
    """Env for terraform/cdktf/boto3: provider mirror always; emulator endpoint and profile with --local."""
    env = toolchain.terraform_env()
    if local:
        server = emu.start()
        env.update(server.env())
        env["PORTAL_HA_PROFILE"] = os.environ.get("PORTAL_HA_PROFILE", "local")
    return env


def _synth(arch: str, env: dict[str, str]) -> Path:
    """Synthesize one architecture in-process (what ``cdktf synth`` runs) into cdktf.out."""
    from constructs_lib.errors import ConfigError

    from .app import build_app
    from .settings import load_settings

    os.environ.update(env)
    try:
        settings = load_settings()
        if arch not in settings.architectures:
            raise ConfigError([f"{arch} is not configured in {settings.source}: add a '{arch}' object to its context"])
        started = time.monotonic()
        build_app(settings, outdir=str(OUTDIR), only=(arch,)).synth()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    _say(f"synthesized {arch} ({settings.profile} profile) in {time.monotonic() - started:.1f} s")
    from .terraform import stack_dir

    return stack_dir(OUTDIR, arch)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Deploy, check and tear down Axway API Portal in high availability on AWS.

    Architectures: single-dc, multi-dc (shared file system) and multi-dc-local (local storage).
    """
    toolchain.quiet_jsii()


@main.command()
@arch_argument
@local_option
def synth(arch: str, local: bool) -> None:
    """Synthesize ARCH into cdktf.out/stacks/ARCH (no AWS call)."""
    env = toolchain.terraform_env()
    if local:
        env["PORTAL_HA_PROFILE"] = os.environ.get("PORTAL_HA_PROFILE", "local")
    click.echo(_synth(arch, env))


@main.command()
@arch_argument
@local_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan digest as JSON instead of a summary.")
def plan(arch: str, local: bool, as_json: bool) -> None:
    """Synthesize ARCH and run terraform init and plan against AWS or the emulator."""
    from . import terraform

    env = _environment(local)
    directory = _synth(arch, env)
    try:
        _say("terraform init")
        terraform.init(directory, env)
        _say("terraform plan" + (" against the local emulator" if local else ""))
        started = time.monotonic()
        digest = terraform.summarize_plan(terraform.plan_json(directory, env))
    except terraform.TerraformError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(digest, indent=2))
        return
    counts: dict[str, int] = {}
    for address in digest["resources"]:
        rtype = address.split(".")[0]
        counts[rtype] = counts.get(rtype, 0) + 1
    for rtype, count in sorted(counts.items()):
        click.echo(f"  {count:3d}  {rtype}")
    click.echo(f"plan of {arch}: {len(digest['resources'])} resources to create, "
               f"{len(digest['outputs'])} outputs ({time.monotonic() - started:.1f} s)")


@main.command("env")
@local_option
def env_command(local: bool) -> None:
    """Print export lines for terraform, cdktf and boto3: eval "$(portal-ha env [--local])"."""
    for key, value in _environment(local).items():
        click.echo(f"export {key}={shlex.quote(value)}")


@main.command()
def toolchain_info() -> None:
    """Show where terraform and the aws provider come from."""
    mirror = toolchain.find_provider_mirror()
    click.echo(f"terraform: {toolchain.terraform_binary()}")
    click.echo(f"aws provider {toolchain.AWS_PROVIDER_VERSION}: "
               + (f"filesystem mirror {mirror}" if mirror else "public registry (no local mirror found)"))
    click.echo(f"terraform CLI config: {toolchain.write_cli_config()}")


main.add_command(toolchain_info, name="toolchain")


@main.group()
def emulator() -> None:
    """Manage the local AWS emulator (moto server on 127.0.0.1)."""


@emulator.command("start")
def emulator_start() -> None:
    """Start the emulator, or reuse the running one."""
    server = emu.start()
    click.echo(f"emulator running: pid {server.pid}, {server.endpoint}")


@emulator.command("stop")
def emulator_stop() -> None:
    """Stop the emulator; everything deployed to it is gone."""
    click.echo("emulator stopped" if emu.stop() else "no emulator was running")


@emulator.command("status")
def emulator_status() -> None:
    """Say whether the emulator runs, and where. Exit 1 if it does not."""
    server = emu.status()
    if server is None:
        click.echo("emulator: not running")
        sys.exit(1)
    click.echo(f"emulator: running, pid {server.pid}, {server.endpoint}")


if __name__ == "__main__":
    main()
