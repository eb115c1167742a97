"""What the commands share: their options, the environment (provider mirror, emulator), settings, synth,
terraform init and apply with progress, and the deployment's verify manifest."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stacks import synth_cache
from stacks.architectures import NAMES

from .. import emulator as emu
from .. import toolchain

if TYPE_CHECKING:
    from constructs_lib.errors import Problem
    from constructs_lib.synthesized import SynthesizedStack
    from stacks.assembly import ArchitecturePlan
    from stacks.loader import Invocation
    from stacks.manifest import Manifest
    from stacks.settings import Settings

    from ..progress import Progress

OUTDIR = Path("cdktf.out")
arch_argument = click.argument("arch", type=click.Choice(NAMES))
local_option = click.option(
    "--local", is_flag=True,
    help="Target the local AWS emulator (moto on 127.0.0.1) and use the 'local' profile.",
)
fresh_option = click.option(
    "--fresh", is_flag=True,
    help=f"Synthesize even if nothing changed since the last synth (same as {synth_cache.CACHE_ENV}=off).",
)
parallelism_option = click.option(
    "--parallelism", type=int, default=None, metavar="N",
    help="Concurrent Terraform operations (default: $PORTAL_HA_PARALLELISM, else Terraform's 10).",
)


INTERRUPTED_EXIT = 130
"""The exit code of a command that was interrupted (128 + SIGINT, as a shell reports Ctrl-C)."""


def failure(exc: BaseException) -> click.ClickException:
    """The CLI error for ``exc``: exit 130 when a Terraform run in its cause chain was interrupted, else 1."""
    from ..terraform import TerraformInterrupted

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, (TerraformInterrupted, Interrupted)):
            return Interrupted(str(exc))
        cause = cause.__cause__
    return click.ClickException(str(exc))


CONFIG_EXIT = 2
"""The exit code of a command stopped by its configuration, before it did anything (as ``python -m stacks``)."""


class ConfigProblems(click.ClickException):
    """Every problem of the configuration (or of its environment variables), before anything ran."""

    exit_code = CONFIG_EXIT


class Interrupted(click.ClickException):
    """A command stopped because its Terraform run was interrupted."""

    exit_code = INTERRUPTED_EXIT


def say(message: str) -> None:
    click.echo(click.style("==> ", fg="cyan", bold=True) + message, err=True)


class EmulatorUnavailable(click.ClickException):
    """The local emulator cannot run in this Python: exit 2, saying what to install."""

    exit_code = 2


def launch_emulator() -> emu.Launch:
    """The one place the commands start the emulator (``--local``, ``emulator start``): in a Python without the
    ``local`` extra (or with an untested moto) it says what to install and exits 2, before anything runs."""
    try:
        launch = emu.launch()
    except emu.EmulatorUnavailable as exc:
        raise EmulatorUnavailable(str(exc)) from None
    if launch.warning is not None:
        say(f"warning: {launch.warning}")
    return launch


def emulator_ready(launch: emu.Launch | None) -> None:
    if launch is not None:
        try:
            launch.ready()
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None


def environment(local: bool, *, wait: bool = True) -> tuple[dict[str, str], emu.Launch | None]:
    """Env for terraform and the AWS clients: provider mirror always; the emulator's endpoint with --local.

    With ``wait=False`` the emulator may still be starting (it takes about a second, which overlaps the
    synth): call ``emulator_ready`` on the returned launch before anything talks to it."""
    env = toolchain.terraform_env()
    launch = None
    if local:
        launch = launch_emulator()
        if wait:
            emulator_ready(launch)
        env.update(launch.env())
    return env, launch


def invocation(local: bool, *, fresh: bool = False) -> Invocation:
    """Where the settings come from (``stacks.loader``: the environment, read here once per command); with
    --local the profile is ``local`` unless PORTAL_HA_PROFILE says otherwise; ``fresh``: synthesize anyway."""
    from constructs_lib.errors import ConfigError
    from stacks.loader import Invocation

    try:
        found = Invocation.from_environment(os.environ, profile="local" if local else None)
    except ConfigError as exc:
        raise ConfigProblems(str(exc)) from None
    return found.fresh() if fresh else found


def _problem_list(problems: list[Problem | str]) -> click.ClickException:
    from constructs_lib.errors import ConfigError

    return ConfigProblems(str(ConfigError(problems)))


def read(arch: str, source: Invocation) -> tuple[Settings, list[Problem | str]]:
    """The settings, and the key and type problems of the file that concern ARCH (its own and file-wide)."""
    from constructs_lib.errors import ConfigError
    from stacks.assembly import relevant
    from stacks.loader import load

    try:
        loaded = load(source)
    except ConfigError as exc:
        raise ConfigProblems(str(exc)) from None
    settings = loaded.settings
    mine = relevant(loaded.problems, settings, (arch,))
    if arch not in settings.architectures:
        if mine:
            raise _problem_list(mine)
        raise ConfigProblems(f"{arch} is not configured in {settings.source}: add a \"{arch}\" object to "
                                   "its context")
    return settings, mine


def settings_for(arch: str, local: bool) -> Settings:
    """The settings, when the file has no key or type problem that concerns ARCH."""
    settings, problems = read(arch, invocation(local))
    if problems:
        raise _problem_list(problems)
    return settings


def _notices(settings: Settings, arch: str) -> None:
    from stacks.profiles import notices

    for line in notices(settings, (arch,)):
        say(line)


def _reused(arch: str, entry_key: str) -> None:
    say(f"reused the synthesis of {arch}: nothing it depends on changed (key {entry_key[:12]}; --fresh or "
        f"{synth_cache.CACHE_ENV}=off synthesizes again)")


def _synthesis(arch: str, local: bool, fresh: bool, what: str,
               produce: Callable[[Settings, Mapping[str, ArchitecturePlan]], dict[str, bytes]]
               ) -> tuple[Settings, Mapping[str, bytes], str | None]:
    """The settings of ARCH and the files ``produce`` makes from their validated plans, or the ones stored for
    exactly the same inputs (``stacks.synth_cache``, keyed by ``what``), with the key of such a hit. Every problem
    of the configuration is found before the provider bindings load (``assembly.plan_all``): exit 2."""
    from constructs_lib.errors import ConfigError
    from stacks.assembly import plan_all

    source = invocation(local, fresh=fresh)
    settings, problems = read(arch, source)
    _notices(settings, arch)
    try:
        plans = plan_all(settings, problems, only=(arch,))
        files, hit = synth_cache.reuse(what, lambda: produce(settings, plans), source)
    except ConfigError as exc:
        raise ConfigProblems(str(exc)) from None
    if hit:
        _reused(arch, hit)
    return settings, files, hit


def synth(arch: str, local: bool, *, fresh: bool = False) -> Path:
    """Synthesize one architecture in-process (what ``cdktf synth`` runs) into cdktf.out, or reuse the output
    of an earlier synth of exactly the same inputs (``stacks.synth_cache``)."""
    from ..terraform import stack_dir

    started = time.monotonic()

    def produce(settings: Settings, plans: Mapping[str, ArchitecturePlan]) -> dict[str, bytes]:
        from stacks.app import synth_app

        synth_app(settings, outdir=str(OUTDIR), only=(arch,), plans=plans)
        return synth_cache.collect(OUTDIR, ["manifest.json", f"stacks/{arch}/cdk.tf.json"])

    settings, files, hit = _synthesis(arch, local, fresh, f"synth|{OUTDIR.resolve()}|{arch}", produce)
    if hit:
        synth_cache.restore(OUTDIR, files)
    else:
        say(f"synthesized {arch} ({settings.profile} profile) in {time.monotonic() - started:.1f} s")
    return stack_dir(OUTDIR, arch)


def synthesized(arch: str, local: bool, *, fresh: bool = False) -> tuple[Settings, SynthesizedStack]:
    """The settings and ARCH's synthesized document (in memory, what synth writes to cdk.tf.json), for the
    reports. A configuration the HA gate would refuse is still described; the refusal is said on stderr."""
    from constructs_lib.synthesized import SynthesizedStack

    def produce(settings: Settings, plans: Mapping[str, ArchitecturePlan]) -> dict[str, bytes]:
        from stacks.app import synthesized_document

        document, refused = synthesized_document(settings, arch, plans=plans)
        return {"document.json": json.dumps(document).encode(), "refused.json": json.dumps(refused).encode()}

    settings, files, _ = _synthesis(arch, local, fresh, f"document|{arch}", produce)
    document, refused = json.loads(files["document.json"]), json.loads(files["refused.json"])
    for problem in refused:
        say(f"the HA gate refuses this configuration (synth and up would stop here): {problem}")
    return settings, SynthesizedStack(arch, document)


def init(directory: Path, env: dict[str, str], local: bool) -> None:
    from .. import terraform

    settings = settings_for(directory.name, local)
    extra: tuple[str, ...] = ()
    if local and settings.backend.type == "s3":
        extra = ("-backend-config=use_path_style=true",)  # moto serves buckets by path, not by host name
    say("terraform init")
    try:
        terraform.run(["init", "-input=false", "-no-color", *extra], directory, env)
    except terraform.TerraformError as exc:
        raise failure(exc) from None


def parallelism(flag: int | None) -> int | None:
    """The flag, else $PORTAL_HA_PARALLELISM, else None (Terraform's default), validated."""
    from ..terraform import PARALLELISM_ENV, parallelism_from

    try:
        if flag is not None:
            return parallelism_from(flag, "--parallelism")
        return parallelism_from(os.environ.get(PARALLELISM_ENV), PARALLELISM_ENV)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def apply(directory: Path, env: dict[str, str], *, destroy: bool, threads: int | None,
          targets: tuple[str, ...] = ()) -> Progress:
    """terraform apply/destroy with live progress on stderr; what it did (changes, the outputs at the end)."""
    from .. import terraform

    try:
        return terraform.apply(directory, env, destroy=destroy, parallelism=threads, targets=targets)
    except terraform.TerraformError as exc:
        raise failure(exc) from None


def manifest(directory: Path, env: dict[str, str]) -> Manifest:
    """The deployment's ``verify_manifest`` output: the ids of every HA-relevant resource."""
    from .. import terraform

    try:
        outputs = terraform.outputs(directory, env)
    except terraform.TerraformError as exc:
        raise failure(exc) from None
    if "verify_manifest" not in outputs:
        raise click.ClickException(
            f"{directory.name} has no deployment outputs: run portal-ha up {directory.name} first")
    return read_manifest(outputs["verify_manifest"])


def read_manifest(output: object) -> Manifest:
    """The manifest of a ``verify_manifest`` output value (the JSON text Terraform's ``jsonencode`` made)."""
    from stacks.manifest import Manifest, ManifestError

    try:
        return Manifest.from_json(json.loads(output) if isinstance(output, str) else output)
    except (ManifestError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"the deployment's verify_manifest cannot be read: {exc}") from None


def ready_dir(arch: str, env: dict[str, str], local: bool) -> Path:
    """The stack folder, synthesized and initialized (reusing what ``up`` left)."""
    from ..terraform import stack_dir

    directory = stack_dir(OUTDIR, arch)
    if not (directory / ".terraform").exists():
        directory = synth(arch, local)
        init(directory, env, local)
    return directory
