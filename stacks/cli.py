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
from typing import TYPE_CHECKING

import click

from . import emulator as emu
from . import toolchain
from .settings import ARCHITECTURES

if TYPE_CHECKING:
    from .settings import Settings
    from .synthesized import SynthesizedStack

OUTDIR = Path("cdktf.out")
arch_argument = click.argument("arch", type=click.Choice(ARCHITECTURES))
local_option = click.option(
    "--local", is_flag=True,
    help="Target the local AWS emulator (moto on 127.0.0.1) and use the 'local' profile.",
)


def _say(message: str) -> None:
    click.echo(click.style("==> ", fg="cyan", bold=True) + message, err=True)


def _environment(local: bool, *, wait: bool = True) -> tuple[dict[str, str], emu.Launch | None]:
    """Env for terraform/cdktf/boto3: provider mirror always; emulator endpoint and profile with --local.

    With ``wait=False`` the emulator may still be starting (it takes about a second, which overlaps the
    synth): call ``.ready()`` on the returned launch before anything talks to it."""
    env = toolchain.terraform_env()
    launch = None
    if local:
        launch = emu.launch()
        if wait:
            _emulator_ready(launch)
        env.update(launch.env())
        env["PORTAL_HA_PROFILE"] = os.environ.get("PORTAL_HA_PROFILE", "local")
    return env, launch


def _emulator_ready(launch: emu.Launch | None) -> None:
    if launch is not None:
        try:
            launch.ready()
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None


def _synth(arch: str, env: dict[str, str]) -> Path:
    """Synthesize one architecture in-process (what ``cdktf synth`` runs) into cdktf.out."""
    from constructs_lib.errors import ConfigError

    from .app import synth_app
    from .settings import load_settings

    os.environ.update(env)
    try:
        settings = load_settings()
        if arch not in settings.architectures:
            raise ConfigError([f"{arch} is not configured in {settings.source}: add a '{arch}' object to its context"])
        started = time.monotonic()
        synth_app(settings, outdir=str(OUTDIR), only=(arch,))
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

    env, launch = _environment(local, wait=False)
    directory = _synth(arch, env)
    _emulator_ready(launch)
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


def _synthesized(arch: str, local: bool) -> tuple[Settings, SynthesizedStack]:
    """The settings and ARCH's synthesized document (in memory, what synth writes to cdk.tf.json), for the
    reports. A configuration the HA gate would refuse is still described; the refusal is said on stderr."""
    from constructs_lib.errors import ConfigError

    from .app import synthesized_document
    from .synthesized import SynthesizedStack

    env = toolchain.terraform_env()
    if local:
        env["PORTAL_HA_PROFILE"] = os.environ.get("PORTAL_HA_PROFILE", "local")
    settings = _settings_for(arch, env)
    try:
        document, refused = synthesized_document(settings, arch)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in refused:
        _say(f"the HA gate refuses this configuration (synth and up would stop here): {problem}")
    return settings, SynthesizedStack(arch, document)


@main.command()
@arch_argument
@local_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Image to write (.png or .svg). Default: ARCH.png in the current folder.")
@click.option("--outline", is_flag=True, help="Print the diagram as text instead of drawing it (no Graphviz).")
def diagram(arch: str, local: bool, output: Path | None, outline: bool) -> None:
    """Draw ARCH from its synthesized stack: regions, tiers, firewalls, NLBs, instances, EFS, DB, peering."""
    from . import diagram as drawing

    model = drawing.build(_synthesized(arch, local)[1])
    if outline:
        click.echo(drawing.outline(model), nl=False)
        return
    target = output or Path(f"{arch}.png")
    try:
        drawing.render(model, target)
    except (drawing.GraphvizMissing, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    _say(f"wrote {target} ({len(model.all_nodes())} nodes, {len(model.links)} links)")


@main.command()
@arch_argument
@local_option
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a Markdown table (for the README).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--check", is_flag=True, help="Exit 1 if any row misses its target.")
def report(arch: str, local: bool, as_markdown: bool, as_json: bool, check: bool) -> None:
    """The failover budget of ARCH, computed from its synthesized stack and the context's targets."""
    from . import report as budget

    if as_markdown and as_json:
        raise click.UsageError("choose one of --markdown and --json")
    settings, stack = _synthesized(arch, local)
    rows = budget.build(stack, settings.targets)
    if as_json:
        click.echo(budget.render_json(rows))
    elif as_markdown:
        click.echo(budget.render_markdown(arch, rows), nl=False)
    else:
        click.echo(budget.render_text(arch, rows), nl=False)
    missed = budget.misses(rows)
    if check and missed:
        for row in missed:
            click.echo(f"  misses: {row.failure} ({row.scope}): {row.figure}, target {row.target}", err=True)
        sys.exit(1)


def _settings_for(arch: str, env: dict[str, str]):
    from constructs_lib.errors import ConfigError

    from .settings import load_settings

    os.environ.update(env)
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if arch not in settings.architectures:
        raise click.ClickException(f"{arch} is not configured in {settings.source}")
    return settings


def _announce_omissions(arch: str, env: dict[str, str]) -> None:
    from . import profiles

    settings = _settings_for(arch, env)
    dropped = profiles.omissions(settings, settings.architectures[arch])
    if dropped:
        _say(f"{settings.profile} profile: left out because the emulator cannot run them (never reported as verified):")
        for item in dropped:
            click.echo(f"      - {item.feature}: {item.reason}", err=True)


def _init(directory: Path, env: dict[str, str], local: bool) -> None:
    from . import terraform

    settings = _settings_for(directory.name, env)
    extra: tuple[str, ...] = ()
    if local and settings.backend.type == "s3":
        extra = ("-backend-config=use_path_style=true",)  # moto serves buckets by path, not by host name
    _say("terraform init")
    terraform.run(["init", "-input=false", "-no-color", *extra], directory, env)


parallelism_option = click.option(
    "--parallelism", type=int, default=None, metavar="N",
    help="Concurrent Terraform operations (default: $PORTAL_HA_PARALLELISM, else Terraform's 10).",
)


def _parallelism(flag: int | None) -> int | None:
    """The flag, else $PORTAL_HA_PARALLELISM, else None (Terraform's default), validated."""
    from .terraform import PARALLELISM_ENV, parallelism_from

    try:
        if flag is not None:
            return parallelism_from(flag, "--parallelism")
        return parallelism_from(os.environ.get(PARALLELISM_ENV), PARALLELISM_ENV)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _apply(directory: Path, env: dict[str, str], *, destroy: bool, parallelism: int | None) -> dict | None:
    """terraform apply/destroy with live progress on stderr; the outputs Terraform reported at the end."""
    from . import terraform

    try:
        return terraform.apply(directory, env, destroy=destroy, parallelism=parallelism).outputs
    except terraform.TerraformError as exc:
        raise click.ClickException(str(exc)) from None


def _manifest(directory: Path, env: dict[str, str]) -> dict:
    from . import terraform

    try:
        outputs = terraform.outputs(directory, env)
    except terraform.TerraformError as exc:
        raise click.ClickException(str(exc)) from None
    if "verify_manifest" not in outputs:
        raise click.ClickException(f"{directory.name} has no deployment outputs: run portal-ha up {directory.name} first")
    return json.loads(outputs["verify_manifest"])


def _ready_dir(arch: str, env: dict[str, str], local: bool) -> Path:
    """The stack folder, synthesized and initialized (reusing what ``up`` left)."""
    from .terraform import stack_dir

    directory = stack_dir(OUTDIR, arch)
    if not (directory / ".terraform").exists():
        directory = _synth(arch, env)
        _init(directory, env, local)
    return directory


@main.command()
@arch_argument
@local_option
@parallelism_option
def up(arch: str, local: bool, parallelism: int | None) -> None:
    """Synthesize ARCH and deploy it (terraform apply), then print the stack outputs."""
    from . import terraform

    started = time.monotonic()
    threads = _parallelism(parallelism)
    env, launch = _environment(local, wait=False)
    if local:
        _announce_omissions(arch, env)
    directory = _synth(arch, env)
    _emulator_ready(launch)
    _init(directory, env, local)
    _say(f"terraform apply ({'local emulator' if local else 'AWS'}, "
         f"parallelism {threads or 'default (10)'})")
    outputs = _apply(directory, env, destroy=False, parallelism=threads)
    if outputs is None:  # Terraform said none: ask for them
        outputs = terraform.outputs(directory, env)
    _say(f"{arch} is up in {time.monotonic() - started:.0f} s. Outputs:")
    for name, value in sorted(outputs.items()):
        if name != "verify_manifest":
            click.echo(f"  {name} = {json.dumps(value)}")


@main.command()
@arch_argument
@local_option
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def verify(arch: str, local: bool, as_json: bool) -> None:
    """Check the live deployment of ARCH against the HA rules. Exit 1 on any FAIL."""
    from . import verify as checks

    env, _ = _environment(local)
    directory = _ready_dir(arch, env, local)
    manifest = _manifest(directory, env)
    os.environ.update(env)
    started = time.monotonic()
    results = checks.verify(manifest)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        click.echo(checks.render_table(results))
        if local:
            _announce_omissions(arch, env)
        _say(f"verified in {time.monotonic() - started:.1f} s")
    if any(r.status == checks.FAIL for r in results):
        sys.exit(1)


@main.command()
@arch_argument
@local_option
@parallelism_option
def down(arch: str, local: bool, parallelism: int | None) -> None:
    """Destroy ARCH, then check that nothing of it is left. Exit 1 if something is."""
    from .teardown import automated_backups, leftovers

    started = time.monotonic()
    threads = _parallelism(parallelism)
    env, _ = _environment(local)
    directory = _ready_dir(arch, env, local)
    manifest = _manifest(directory, env)
    settings = _settings_for(arch, env)
    _say(f"terraform destroy ({'local emulator' if local else 'AWS'}, "
         f"parallelism {threads or 'default (10)'})")
    _apply(directory, env, destroy=True, parallelism=threads)
    os.environ.update(env)
    left = leftovers(manifest, settings.name_prefix)
    for arn in automated_backups(manifest, settings.name_prefix):
        click.echo(f"  automated backup (AWS-managed, expires with its retention period): {arn}", err=True)
    if left:
        for item in left:
            click.echo(f"  left: {item}", err=True)
        raise click.ClickException(f"{len(left)} resource(s) of {arch} are still there")
    _say(f"{arch} destroyed in {time.monotonic() - started:.0f} s; nothing of it is left")


@main.command("env")
@local_option
def env_command(local: bool) -> None:
    """Print export lines for terraform, cdktf and boto3: eval "$(portal-ha env [--local])"."""
    for key, value in _environment(local)[0].items():
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


def entry() -> None:
    """The ``portal-ha`` console script: ``main``, then an exit that skips Python's teardown (see shutdown)."""
    from .shutdown import exit_now

    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    exit_now(code)


if __name__ == "__main__":
    entry()
