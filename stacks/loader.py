"""The one reader of configuration from outside: the ``cdktf.json`` file and the environment.

``Invocation.from_environment`` reads the environment once (an entry point calls it: ``python -m stacks``, or the
``portal-ha`` CLI with its own defaults); ``load`` reads the file once and returns the settings with every key and
type problem of the file. Everything else receives these values as arguments; nothing is cached, so a file that
an operation rewrote is simply read again.

Environment:
- ``PORTAL_HA_CONFIG``: path of the ``cdktf.json`` to read. Default: ``./cdktf.json``.
- ``PORTAL_HA_PROFILE``: ``production`` (default), ``lab`` or ``local``; overrides the context's ``profile``.
- ``PORTAL_HA_STATE_DIR``: folder of local Terraform state files (see ``Settings.state_dir``).
- ``PORTAL_HA_SYNTH_CACHE``: ``on`` (default: reuse an unchanged synth, ``synth_cache``) or ``off``.
- ``CDKTF_OUTDIR`` and the other ``CDKTF_*`` variables: what the cdktf CLI passes the app it runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from constructs_lib.errors import ConfigError, Problem

from .parse import read_context
from .settings import Settings

CONFIG_ENV = "PORTAL_HA_CONFIG"
PROFILE_ENV = "PORTAL_HA_PROFILE"
STATE_DIR_ENV = "PORTAL_HA_STATE_DIR"
CACHE_ENV = "PORTAL_HA_SYNTH_CACHE"
UNDER_CDKTF_CLI = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"
"""Set by the cdktf CLI for the app it runs (synth, deploy, destroy...), never by a user."""
_ON, _OFF = ("on", "1", "true", "yes"), ("off", "0", "false", "no")


@dataclass(frozen=True, kw_only=True)
class Invocation:
    """Where this run's settings come from, and how it synthesizes: every value the environment gives."""

    config: Path = Path("cdktf.json")
    """The configuration file. Default: ``cdktf.json`` in the working folder."""
    profile: str | None = None
    """Overrides the context's ``profile`` when set. Default: the context's (``production`` when unset)."""
    state_dir: str | None = None
    """Folder of local state files. Default: the profile's (``profiles.state_dir``)."""
    synth_cache: bool = True
    """Reuse the output of an earlier synth of exactly the same inputs. Default: on."""
    outdir: Path = Path("cdktf.out")
    """Where cdktf's App writes (``CDKTF_OUTDIR`` under the cdktf CLI)."""
    cdktf: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The ``CDKTF_*`` variables the cdktf CLI passed the app (part of what a synth depends on)."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], *, profile: str | None = None) -> Invocation:
        """The values ``environ`` sets; ``profile`` is the caller's default when ``PORTAL_HA_PROFILE`` is unset
        (``portal-ha --local`` passes ``local``). ConfigError for a ``PORTAL_HA_SYNTH_CACHE`` that is neither on
        nor off."""
        cache = environ.get(CACHE_ENV, "on")
        if cache.strip().lower() not in _ON + _OFF:
            raise ConfigError([f"{CACHE_ENV} {cache!r} is neither on nor off: use on (reuse an unchanged synth, the "
                               "default) or off (always synthesize)"])
        cdktf = {name: environ[name] for name in sorted(environ) if name.startswith("CDKTF_")}
        return cls(config=Path(environ.get(CONFIG_ENV) or "cdktf.json"),
                   profile=environ.get(PROFILE_ENV) or profile, state_dir=environ.get(STATE_DIR_ENV) or None,
                   synth_cache=cache.strip().lower() in _ON, outdir=Path(cdktf.get("CDKTF_OUTDIR") or "cdktf.out"),
                   cdktf=MappingProxyType(cdktf))

    @property
    def under_cdktf_cli(self) -> bool:
        return UNDER_CDKTF_CLI in self.cdktf

    def fresh(self) -> Invocation:
        """The same, synthesizing even if nothing changed (``--fresh``)."""
        return replace(self, synth_cache=False)


@dataclass(frozen=True)
class Loaded:
    """The settings of one read of the file, with every key and type problem found in it."""

    settings: Settings
    problems: tuple[Problem, ...]

    def valid(self) -> Settings:
        """The settings; ConfigError listing every key and type problem when there is one."""
        if self.problems:
            raise ConfigError(self.problems)
        return self.settings


def document(path: Path) -> dict[str, Any]:
    """The configuration file as JSON; ConfigError when it is missing, not JSON or not an object."""
    try:
        found = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError([f"{path} not found: run from the project folder or set {CONFIG_ENV}"]) from None
    except json.JSONDecodeError as exc:
        raise ConfigError([f"{path} is not valid JSON ({exc}): fix the syntax"]) from None
    if not isinstance(found, dict):
        raise ConfigError([f"{path} must hold a JSON object with a 'context' key"])
    return found


def load(invocation: Invocation) -> Loaded:
    """Read the file of ``invocation`` (leniently: see ``parse``); ConfigError only when it cannot be read."""
    path = invocation.config
    settings, problems = read_context(document(path).get("context", {}), profile=invocation.profile,
                                      source=str(path), state_dir=invocation.state_dir)
    return Loaded(settings, tuple(problems))


def parse_settings(
    context: Any, *, profile: str | None = None, source: str = "<context>", state_dir: str | None = None
) -> Settings:
    """Read a cdktf.json ``context`` (already in memory) into Settings; raise ConfigError listing every key and
    type problem (the value problems are ``assembly``'s, which needs the construct props)."""
    settings, problems = read_context(context, profile=profile, source=source, state_dir=state_dir)
    if problems:
        raise ConfigError(problems)
    return settings


def load_environment(environ: Mapping[str, str] | None = None) -> Loaded:
    """``load`` of what ``environ`` (default: this process's environment) points at: what ``python -m stacks``
    reads."""
    return load(Invocation.from_environment(os.environ if environ is None else environ))
