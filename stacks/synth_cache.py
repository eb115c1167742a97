"""Content-addressed reuse of synthesized output: an unchanged configuration is never synthesized twice.

A synth costs the jsii floor (about 12 s to load the provider bindings). Its output depends only on:
the configuration file's content (and where it is), the rest of the ``loader.Invocation`` (the profile and state
folder it overrides, the ``CDKTF_*`` variables), the working directory (a local state path is written absolute),
the output folder, what is synthesized, the source of ``constructs_lib`` and ``stacks``, and the installed
versions of Python, cdktf, constructs, jsii and the provider bindings.
``key`` hashes exactly these, reading files and package metadata only: no jsii import, so a hit costs
milliseconds.

An entry (``.portal-ha/synth-cache/<key>/``) holds the output files and an index of their SHA-256 digests,
written to a temporary folder and renamed into place, so a reader sees a whole entry or none. ``load``
checks every digest; a missing, partial or corrupted entry is deleted and reported as a miss, never used.
Only successful synths are stored: a configuration error is found again by a real synth.

``PORTAL_HA_SYNTH_CACHE=off`` (or a command's ``--fresh``: ``Invocation.synth_cache``) forces a real synth; CI's
tests that need one set it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path

from .loader import CACHE_ENV, Invocation

__all__ = ["CACHE_ENV", "collect", "key", "load", "restore", "reuse", "store"]
CACHE_DIR = Path(".portal-ha") / "synth-cache"
DISTRIBUTIONS = ("cdktf", "constructs", "jsii", "cdktf-cdktf-provider-aws")
SOURCE_PACKAGES = ("constructs_lib", "stacks")
INDEX = "index.json"
KEEP = 24
"""Entries kept: the most recently stored (a few architectures x profiles x recent configurations)."""


def reuse(what: str, produce: Callable[[], Mapping[str, bytes]], invocation: Invocation, *,
          problems: bool = False) -> tuple[Mapping[str, bytes], str | None]:
    """The output files of a synth of ``what``: stored ones when nothing changed (and the key, to say so), else
    ``produce()``'s, stored for next time. With ``problems`` (the configuration has errors) or reuse off
    (``invocation.synth_cache``), always ``produce()``, which reports them."""
    entry_key = key(what, invocation) if invocation.synth_cache and not problems else None
    cached = load(entry_key) if entry_key else None
    if cached is not None:
        return cached, entry_key
    files = produce()
    if entry_key:
        store(entry_key, files)
    return files, None


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def _source_files() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    found = []
    for package in SOURCE_PACKAGES:
        found += [p for p in (root / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(found)


def key(what: str, invocation: Invocation) -> str:
    """The digest of everything a synth of ``what`` (for example ``outdir|multi-dc``) under ``invocation``
    depends on."""
    digest = hashlib.sha256()

    def add(label: str, value: bytes | str) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("what", what)
    config = invocation.config
    add("config-path", str(config.resolve()))
    add("config", config.read_bytes() if config.is_file() else b"(missing)")
    add("profile", invocation.profile or "(unset)")
    add("state-dir", invocation.state_dir or "(unset)")
    for name, value in sorted(invocation.cdktf.items()):  # what the cdktf CLI passes the app
        add(f"env:{name}", value)
    add("cwd", os.getcwd())
    add("python", sys.version)
    for distribution in DISTRIBUTIONS:
        add(f"version:{distribution}", _version(distribution))
    root = Path(__file__).resolve().parent.parent
    for path in _source_files():
        add(f"source:{path.relative_to(root)}", path.read_bytes())
    return digest.hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(entry_key: str, files: Mapping[str, bytes], cache_dir: Path = CACHE_DIR) -> None:
    """Keep ``files`` (relative path -> content) under ``entry_key``, all at once or not at all."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / entry_key
    staging = Path(tempfile.mkdtemp(prefix=f".{entry_key[:12]}-", dir=cache_dir))
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        (staging / INDEX).write_text(json.dumps({r: _sha(c) for r, c in files.items()}, indent=1, sort_keys=True))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    entries = sorted((p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:  # the cache stays small: the most recent entries only
        shutil.rmtree(old, ignore_errors=True)


def load(entry_key: str, cache_dir: Path = CACHE_DIR) -> dict[str, bytes] | None:
    """The files stored under ``entry_key``, or None (a miss) when there are none or they are not whole."""
    target = cache_dir / entry_key
    try:
        index = json.loads((target / INDEX).read_text())
        files = {relative: (target / relative).read_bytes() for relative in index}
    except (OSError, ValueError):
        shutil.rmtree(target, ignore_errors=True)
        return None
    if not index or any(_sha(content) != index[relative] for relative, content in files.items()):
        shutil.rmtree(target, ignore_errors=True)
        return None
    return files


def collect(outdir: Path, relatives: list[str]) -> dict[str, bytes]:
    return {relative: (outdir / relative).read_bytes() for relative in relatives}


def restore(outdir: Path, files: Mapping[str, bytes]) -> None:
    """Write cached output files into ``outdir`` (other files there, such as ``.terraform``, stay)."""
    for relative, content in files.items():
        path = outdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
