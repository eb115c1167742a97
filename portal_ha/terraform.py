"""Runs Terraform on a synthesized stack: init (provider mirror), plan, show -json, apply, destroy, output.

The same commands serve AWS and the local emulator; only the environment differs.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from . import toolchain
from .progress import Progress

UNKNOWN = "(known after apply)"
SENSITIVE = "(sensitive)"


class TerraformError(RuntimeError):
    """A terraform command failed; the message holds the tail of its output."""


def stack_dir(outdir: Path, arch: str) -> Path:
    return Path(outdir) / "stacks" / arch


def run(args: list[str], cwd: Path, env: Mapping[str, str], *, stream: bool = False) -> str:
    """Run ``terraform ARGS`` in ``cwd``; return stdout, raise TerraformError with the output on failure."""
    command = [toolchain.terraform_binary(), *args]
    full_env = {**os.environ, **env}
    if stream:
        proc = subprocess.run(command, cwd=cwd, env=full_env, text=True)
        if proc.returncode != 0:
            raise TerraformError(f"terraform {' '.join(args)} failed in {cwd} (exit {proc.returncode})")
        return ""
    proc = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout[-3000:] + "\n" + proc.stderr[-6000:]).strip()
        raise TerraformError(f"terraform {' '.join(args)} failed in {cwd} (exit {proc.returncode}):\n{tail}")
    return proc.stdout


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
    progress = Progress(out=out, tty=tty, clock=time.monotonic)
    lines: queue.Queue[str | None] = queue.Queue()
    with subprocess.Popen([toolchain.terraform_binary(), *args], cwd=directory, env={**os.environ, **env},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        if proc.stdout is None:
            raise TerraformError("terraform's output could not be read")
        stdout = proc.stdout

        def pump() -> None:
            for line in stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        while True:
            try:
                line = lines.get(timeout=tick_seconds)
            except queue.Empty:
                progress.tick()
                continue
            if line is None:
                break
            progress.feed(line)
    progress.close()
    if proc.returncode != 0:
        found = "\n".join(progress.errors) or "(no error diagnostic: see the output above)"
        raise TerraformError(f"terraform {args[0]} failed in {directory} (exit {proc.returncode}):\n{found}")
    return progress


def init(directory: Path, env: Mapping[str, str]) -> None:
    run(["init", "-input=false", "-no-color"], directory, env)


def plan_json(directory: Path, env: Mapping[str, str], *, extra_args: tuple[str, ...] = ()) -> dict[str, Any]:
    """``terraform plan -out`` then ``show -json``: the plan as a dict."""
    run(["plan", "-input=false", "-no-color", "-lock=false", "-out=plan.tfplan", *extra_args], directory, env)
    plan: dict[str, Any] = json.loads(run(["show", "-json", "plan.tfplan"], directory, env))
    return plan


def state_list(directory: Path, env: Mapping[str, str]) -> list[str]:
    """The addresses in the stack's state (``terraform state list``)."""
    return [line for line in run(["state", "list"], directory, env).splitlines() if line.strip()]


def state_show_id(directory: Path, env: Mapping[str, str], address: str) -> str | None:
    """The ``id`` a resource has in state, or None when the address is not there."""
    if address not in state_list(directory, env):
        return None
    shown = json.loads(run(["show", "-json"], directory, env))
    for resource in shown.get("values", {}).get("root_module", {}).get("resources", []):
        if resource.get("address") == address:
            found = resource.get("values", {}).get("id")
            return str(found) if found is not None else None
    return None


def state_rm(directory: Path, env: Mapping[str, str], address: str) -> None:
    """Forget a resource without destroying it (``terraform state rm``)."""
    run(["state", "rm", "-no-color", address], directory, env)


def import_resource(directory: Path, env: Mapping[str, str], address: str, resource_id: str) -> None:
    """Adopt an existing resource at ``address`` (``terraform import``; the address must be in the config)."""
    run(["import", "-input=false", "-no-color", address, resource_id], directory, env)


def outputs(directory: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """``terraform output -json`` as name -> value."""
    raw = json.loads(run(["output", "-json"], directory, env))
    return {name: item.get("value") for name, item in raw.items()}


def _merge(after: Any, unknown: Any, sensitive: Any) -> Any:
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


def _constants(expressions: Any) -> Any:
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


def summarize_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """A stable, reviewable digest of a plan: every managed resource's planned values and every output.

    Volatile or derived noise is dropped: Terraform version and timestamps, null/empty attributes, and
    ``tags_all`` (the provider's default tags, which the provider block already shows). Unknown values read
    ``(known after apply)`` and sensitive ones ``(sensitive)``, so no secret can reach a snapshot.
    """
    resources: dict[str, Any] = {}
    for change in plan.get("resource_changes", []):
        if change.get("mode") != "managed":
            continue
        body = change["change"]
        values = _merge(body.get("after"), body.get("after_unknown"), body.get("after_sensitive"))
        if isinstance(values, dict):
            values.pop("tags_all", None)
        resources[change["address"]] = {"actions": body["actions"], "values": values}
    outputs_digest = {
        name: _merge(o.get("after"), o.get("after_unknown"), o.get("after_sensitive"))
        for name, o in sorted(plan.get("output_changes", {}).items())
    }
    providers = {
        name: _constants(cfg.get("expressions", {}))
        for name, cfg in sorted(plan.get("configuration", {}).get("provider_config", {}).items())
    }
    return {"providers": providers, "resources": dict(sorted(resources.items())), "outputs": outputs_digest}
