"""The commands around the tools: the environment, the Terraform toolchain, the local emulator."""

from __future__ import annotations

import shlex
import sys

import click

from .. import emulator as emu
from .. import toolchain
from .common import emulator_ready, environment, invocation, launch_emulator, local_option


@click.command("env")
@local_option
def env_command(local: bool) -> None:
    """Print export lines for terraform, cdktf and boto3: eval "$(portal-ha env [--local])"."""
    from stacks.loader import PROFILE_ENV

    exports = environment(local)[0]
    profile = invocation(local).profile
    if profile is not None:  # the app the cdktf CLI runs reads its profile from its environment (stacks.loader)
        exports[PROFILE_ENV] = profile
    for key, value in exports.items():
        click.echo(f"export {key}={shlex.quote(value)}")


@click.command("toolchain")
def toolchain_command() -> None:
    """Show where terraform and the aws provider come from."""
    mirror = toolchain.find_provider_mirror()
    click.echo(f"terraform: {toolchain.terraform_binary()}")
    click.echo(f"aws provider {toolchain.AWS_PROVIDER_VERSION}: "
               + (f"filesystem mirror {mirror}" if mirror else "public registry (no local mirror found)"))
    click.echo(f"terraform CLI config: {toolchain.write_cli_config()}")


@click.group()
def emulator() -> None:
    """Manage the local AWS emulator (moto server on 127.0.0.1)."""


@emulator.command("start")
def emulator_start() -> None:
    """Start the emulator, or reuse the running one."""
    launch = launch_emulator()
    emulator_ready(launch)
    server = launch.ready()
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
