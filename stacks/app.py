"""Builds the cdktf App holding one stack per configured architecture."""

from __future__ import annotations

from cdktf import App

from .settings import Settings
from .multi_dc import MultiDcStack
from .single_dc import SingleDcStack

STACK_CLASSES = {
    "single-dc": SingleDcStack,
    "multi-dc": MultiDcStack,
    "multi-dc-local": MultiDcStack,
}


def build_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None) -> App:
    """An App with a stack for each configured architecture (or just those in ``only``)."""
    app = App(outdir=outdir) if outdir else App()
    for name, arch in settings.architectures.items():
        if only is not None and name not in only:
            continue
        STACK_CLASSES[name](app, settings, arch)
    return app


def synth_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None) -> App:
    """Build, enforce the HA checks (a readable PolicyError instead of cdktf's annotation error), synthesize."""
    from constructs_lib.checks import enforce_ha_checks

    app = build_app(settings, outdir=outdir, only=only)
    enforce_ha_checks(app)
    app.synth()
    return app
