"""Builds the cdktf App holding one stack per configured architecture."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cdktf import App, TerraformStack

from constructs_lib.errors import ConfigError, Problem

from .assembly import ArchitecturePlan, ordered, plan_all
from .base import PortalStack
from .locate import locate
from .multi_dc import MultiDcStack
from .settings import Settings
from .single_dc import SingleDcStack

STACKS: dict[str, type[PortalStack]] = {"single-dc": SingleDcStack, "multi-dc": MultiDcStack,
                                        "multi-dc-local": MultiDcStack}
"""The cdktf stack class that builds each architecture (``architectures`` describes them)."""


def build_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None,
              problems: Iterable[Problem | str] = (), plans: Mapping[str, ArchitecturePlan] | None = None) -> App:
    """An App with a stack for each configured architecture (or just those in ``only``).

    ``problems``: the key and type problems already found in the file. ConfigError lists them with every
    value problem of every architecture, and then every problem the constructs find, sorted by path.
    ``plans``: what ``assembly.plan_all`` returned for the same arguments, when the caller validated first."""
    if plans is None:
        plans = plan_all(settings, problems, only=only)
    app = App(outdir=outdir) if outdir else App()
    found: list[Problem | str] = []
    for plan in plans.values():
        try:
            STACKS[plan.arch.name](app, settings, plan)
        except ConfigError as exc:
            found += [locate(p, plan.origin) for p in exc.records]
    if found:
        raise ConfigError(ordered(found))
    return app


def synth_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None,
              problems: Iterable[Problem | str] = (), plans: Mapping[str, ArchitecturePlan] | None = None) -> App:
    """Build, enforce the HA checks (a readable PolicyError instead of cdktf's annotation error), synthesize."""
    from constructs_lib.policy import enforce_ha_checks

    app = build_app(settings, outdir=outdir, only=only, problems=problems, plans=plans)
    enforce_ha_checks(app)
    app.synth()
    return app


def synthesized_document(settings: Settings, arch: str, problems: Iterable[Problem | str] = (),
                         plans: Mapping[str, ArchitecturePlan] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The ``cdk.tf.json`` document of one architecture, exactly as synth would write it, and the HA gate's
    errors (listed, not raised), so that reports can describe a configuration the gate would refuse."""
    from constructs_lib.policy import PolicyError, enforce_ha_checks

    app = build_app(settings, only=(arch,), problems=problems, plans=plans)
    stack = next(c for c in app.node.children if isinstance(c, TerraformStack))
    try:
        enforce_ha_checks(stack)
        refused: list[str] = []
    except PolicyError as exc:
        refused = list(exc.problems)
    document: dict[str, Any] = stack.to_terraform()
    return document, refused

