"""Runs Terraform on a synthesized stack: init (provider mirror), plan, show -json, apply, destroy, output.

The same commands serve AWS and the local emulator; only the environment differs.

Interruptions. Terraform stops well only when it is asked to (SIGINT or SIGTERM: it lets the operations under
way finish, writes its state after each one, and exits); killed, or writing to a pipe nobody reads any more
(Go programs die of SIGPIPE then), it loses the resources in flight and can leave a half-written state file.
So every Terraform this module starts:

- runs in its own process group, so a Ctrl-C at the terminal reaches only this process, which forwards one
  SIGINT per Ctrl-C (Terraform's own rule: the first stops gracefully, a second cancels at once);
- gets SIGTERM when this process dies, however it dies (Linux ``PR_SET_PDEATHSIG``), so a SIGKILL of
  ``portal-ha`` still ends in Terraform's graceful stop;
- writes to a file, never to a pipe, so that it can go on writing after this process is gone.
SIGTERM to this process is forwarded like SIGINT. An interrupted command raises ``TerraformInterrupted`` once
Terraform has exited.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TextIO, TypedDict

from . import toolchain
from .json_value import JSON, items, obj
from .progress import Progress

UNKNOWN = "(known after apply)"
SENSITIVE = "(sensitive)"


class TerraformError(RuntimeError):
    """A terraform command failed; the message holds the tail of its output."""


class TerraformInterrupted(TerraformError):
    """Terraform was asked to stop (Ctrl-C, SIGTERM) and has exited; its state holds what it finished."""


PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
"""Loaded here, not in the child: between fork and exec the child only calls a function already loaded."""


def _child_setup(parent: int) -> Callable[[], None] | None:
    """What the child runs before exec: SIGTERM when the parent dies; already dead, SIGTERM now."""
    if _LIBC is None:
        return None
    prctl = _LIBC.prctl

    def setup() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return setup


def spawn(command: list[str], cwd: Path, env: Mapping[str, str], stdout: int, stderr: int) -> subprocess.Popen[bytes]:
    """Start Terraform as described in the module docstring (own process group, SIGTERM at the parent's death)."""
    return subprocess.Popen(command, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=stderr, process_group=0, preexec_fn=_child_setup(os.getpid()))


@contextmanager
def forwarding(proc: subprocess.Popen[bytes], notice: Callable[[str], None]) -> Iterator[list[int]]:
    """While inside: SIGINT and SIGTERM to this process are forwarded to ``proc`` as SIGINT; yields the list
    of signals received. Outside the main thread (where Python cannot catch signals) nothing is changed."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            notice("interrupted: Terraform stops after the operations under way and saves its state (again to stop "
                   "it at once)" if len(received) == 1 else "interrupted again: Terraform cancels what is under way")

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _interrupted(args: list[str], directory: Path, code: int | None) -> TerraformInterrupted:
    return TerraformInterrupted(
        f"terraform {args[0]} was interrupted in {directory} and stopped (exit {code}): its state holds every "
        "operation that finished. Run the same command again to go on, or portal-ha down to remove what exists.")


def _say(text: str) -> None:
    sys.stderr.write(f"==> {text}\n")
    sys.stderr.flush()


def stack_dir(outdir: Path, arch: str) -> Path:
    return Path(outdir) / "stacks" / arch


def run(args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    """Run ``terraform ARGS`` in ``cwd``; return stdout, raise TerraformError with the output on failure."""
    command = [toolchain.terraform_binary(), *args]
    full_env = {**os.environ, **env}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = spawn(command, cwd, full_env, out.fileno(), err.fileno())
        with forwarding(proc, _say) as received:
            code = proc.wait()
        if received:
            raise _interrupted(args, cwd, code)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code != 0:
        tail = (stdout[-3000:] + "\n" + stderr[-6000:]).strip()
        details = f":\n{tail}" if tail else ""
        raise TerraformError(f"terraform {' '.join(args)} failed in {cwd} (exit {code}){details}")
    return stdout


PARALLELISM_ENV = "PORTAL_HA_PARALLELISM"
MAX_PARALLELISM = 256


def parallelism_from(value: str | int | None, source: str) -> int | None:
    """A Terraform ``-parallelism`` from a flag or ``PORTAL_HA_PARALLELISM``: None (Terraform's own default,
    10) or a whole number from 1 to 256; anything else is a ValueError naming ``source``."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PARALLELISM:
        raise ValueError(f"{source} {value!r} is not a number of concurrent operations: use a whole number from 1 "
                         f"to {MAX_PARALLELISM} (Terraform's default is 10)")
    return int(text)


def apply(directory: Path, env: Mapping[str, str], *, destroy: bool = False, parallelism: int | None = None,
          out: TextIO | None = None, tty: bool | None = None, tick_seconds: float = 1.0,
          targets: tuple[str, ...] = ()) -> Progress:
    """``terraform apply`` (or ``destroy``) with a readable progress display on ``out`` (stderr by default);
    ``targets`` limits it to those addresses and what they depend on (``-target``).

    Raises TerraformError listing Terraform's error diagnostics when it fails.
    """
    out = out if out is not None else sys.stderr
    tty = out.isatty() if tty is None else tty
    args = ["destroy" if destroy else "apply", "-json", "-auto-approve", "-input=false",
            *([f"-parallelism={parallelism}"] if parallelism is not None else []),
            *(f"-target={address}" for address in targets)]
    progress = Progress(out=out, tty=tty, clock=time.monotonic, targeted=bool(targets))
    # Terraform writes its JSON lines to a file this process follows (see the module docstring: no pipe).
    handle, log = tempfile.mkstemp(dir=directory, prefix=".portal-ha-terraform-", suffix=".log")
    try:
        try:
            proc = spawn([toolchain.terraform_binary(), *args], directory, {**os.environ, **env}, handle, handle)
        finally:
            os.close(handle)  # the child has its own copy

        def notice(text: str) -> None:
            progress.note(text)

        with forwarding(proc, notice) as received, open(log, encoding="utf-8", errors="replace") as reader:
            _follow(reader, proc, progress, tick_seconds)
    finally:
        Path(log).unlink(missing_ok=True)
    progress.close()
    if received:
        raise _interrupted(args, directory, proc.returncode)
    if proc.returncode != 0:
        found = "\n".join(progress.errors) or "(no error diagnostic: see the output above)"
        raise TerraformError(f"terraform {args[0]} failed in {directory} (exit {proc.returncode}):\n{found}")
    return progress


def _follow(reader: TextIO, proc: subprocess.Popen[bytes], progress: Progress, tick_seconds: float,
            poll_seconds: float = 0.05) -> None:
    """Feed every line Terraform writes to ``progress`` until it has exited and everything is read."""
    pending, last_tick = "", time.monotonic()
    while True:
        chunk = reader.readline()
        if chunk:
            pending += chunk
            if pending.endswith("\n"):
                progress.feed(pending)
                pending = ""
            continue
        if proc.poll() is not None:
            rest = pending + reader.read()
            for line in rest.splitlines():
                progress.feed(line)
            return
        if time.monotonic() - last_tick >= tick_seconds:
            progress.tick()
            last_tick = time.monotonic()
        time.sleep(poll_seconds)


def init(directory: Path, env: Mapping[str, str]) -> None:
    run(["init", "-input=false", "-no-color"], directory, env)


def plan_json(directory: Path, env: Mapping[str, str], *, extra_args: tuple[str, ...] = ()) -> dict[str, JSON]:
    """``terraform plan -out`` then ``show -json``: the plan as a dict."""
    run(["plan", "-input=false", "-no-color", "-lock=false", "-out=plan.tfplan", *extra_args], directory, env)
    plan: JSON = json.loads(run(["show", "-json", "plan.tfplan"], directory, env))
    return obj(plan)


def state_list(directory: Path, env: Mapping[str, str]) -> list[str]:
    """The addresses in the stack's state (``terraform state list``)."""
    return [line for line in run(["state", "list"], directory, env).splitlines() if line.strip()]


def state_resources(directory: Path, env: Mapping[str, str]) -> list[dict[str, JSON]]:
    """The managed resources in the stack's state (``terraform show -json``: address, type, provider_name,
    values...); empty when there is no state."""
    shown: JSON = json.loads(run(["show", "-json"], directory, env) or "{}")
    resources = items(obj(obj(obj(shown).get("values")).get("root_module")).get("resources"))
    return [obj(r) for r in resources if obj(r).get("mode") == "managed"]


def state_ids(directory: Path, env: Mapping[str, str], rtype: str) -> dict[str, str | None]:
    """Address -> ``id`` of every resource of type ``rtype`` in state (one ``terraform show``)."""
    found = {}
    for resource in state_resources(directory, env):
        if resource.get("type") == rtype:
            value = obj(resource.get("values")).get("id")
            found[str(resource["address"])] = str(value) if value is not None else None
    return found


def state_rm(directory: Path, env: Mapping[str, str], address: str) -> None:
    """Forget a resource without destroying it (``terraform state rm``)."""
    run(["state", "rm", "-no-color", address], directory, env)


def import_resource(directory: Path, env: Mapping[str, str], address: str, resource_id: str) -> None:
    """Adopt an existing resource at ``address`` (``terraform import``; the address must be in the config)."""
    run(["import", "-input=false", "-no-color", address, resource_id], directory, env)


def outputs(directory: Path, env: Mapping[str, str]) -> dict[str, JSON]:
    """``terraform output -json`` as name -> value."""
    raw: JSON = json.loads(run(["output", "-json"], directory, env))
    return {name: obj(item).get("value") for name, item in obj(raw).items()}


class ResourceDigest(TypedDict):
    actions: list[str]
    values: JSON


class PlanDigest(TypedDict):
    """``summarize_plan``'s digest: the providers' constant settings, every managed resource, every output."""

    providers: dict[str, JSON]
    resources: dict[str, ResourceDigest]
    outputs: dict[str, JSON]


def _merge(after: JSON, unknown: JSON, sensitive: JSON) -> JSON:
    """Plan values with unknowns and sensitive values replaced by readable markers."""
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    if isinstance(after, dict):
        keys = set(after) | (set(unknown) if isinstance(unknown, dict) else set())
        merged = {
            k: _merge(after.get(k), unknown.get(k) if isinstance(unknown, dict) else None,
                      sensitive.get(k) if isinstance(sensitive, dict) else None)
            for k in sorted(keys)
        }
        return {k: v for k, v in merged.items() if v not in (None, [], {})}
    if isinstance(after, list):
        return [
            _merge(item, unknown[i] if isinstance(unknown, list) and i < len(unknown) else None,
                   sensitive[i] if isinstance(sensitive, list) and i < len(sensitive) else None)
            for i, item in enumerate(after)
        ]
    return after


def _constants(expressions: JSON) -> JSON:
    """The constant values of a configuration's expressions (nested blocks are lists of expression maps)."""
    if isinstance(expressions, list):
        return [_constants(block) for block in expressions]
    if isinstance(expressions, dict):
        if "constant_value" in expressions:
            return expressions["constant_value"]
        if "references" in expressions:
            return "(reference)"
        return {k: _constants(v) for k, v in sorted(expressions.items())}
    return expressions


def summarize_plan(plan: dict[str, JSON]) -> PlanDigest:
    """A stable, reviewable digest of a plan: every managed resource's planned values and every output.

    Volatile or derived noise is dropped: Terraform version and timestamps, null/empty attributes, and
    ``tags_all`` (the provider's default tags, which the provider block already shows). Unknown values read
    ``(known after apply)`` and sensitive ones ``(sensitive)``, so no secret can reach a snapshot.
    """
    resources: dict[str, ResourceDigest] = {}
    for change in map(obj, items(plan.get("resource_changes"))):
        if change.get("mode") != "managed":
            continue
        body = obj(change.get("change"))
        values = _merge(body.get("after"), body.get("after_unknown"), body.get("after_sensitive"))
        if isinstance(values, dict):
            values.pop("tags_all", None)
        resources[str(change.get("address"))] = {"actions": [str(a) for a in items(body.get("actions"))],
                                                 "values": values}
    outputs_digest = {
        name: _merge(obj(o).get("after"), obj(o).get("after_unknown"), obj(o).get("after_sensitive"))
        for name, o in sorted(obj(plan.get("output_changes")).items())
    }
    providers = {
        name: _constants(obj(cfg).get("expressions", {}))
        for name, cfg in sorted(obj(obj(plan.get("configuration")).get("provider_config")).items())
    }
    return {"providers": providers, "resources": dict(sorted(resources.items())), "outputs": outputs_digest}
