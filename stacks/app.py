"""Builds the cdktf App holding one stack per configured architecture."""

from __future__ import annotations

from typing import Any

from cdktf import App, TerraformStack

from .settings import Settings


def build_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None) -> App:
    """An App with a stack for each configured architecture (or just those in ``only``)."""
    app = App(outdir=outdir) if outdir else App()
    for name, arch in settings.architectures.items():
        if only is not None and name not in only:
            continue
        arch.kind.stack_class()(app, settings, arch)
    return app


def synth_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None) -> App:
    """Build, enforce the HA checks (a readable PolicyError instead of cdktf's annotation error), synthesize."""
    from constructs_lib.policy import enforce_ha_checks

    app = build_app(settings, outdir=outdir, only=only)
    enforce_ha_checks(app)
    app.synth()
    return app


def synthesized_document(settings: Settings, arch: str) -> tuple[dict[str, Any], list[str]]:
    """The ``cdk.tf.json`` document of one architecture, exactly as synth would write it, and the HA gate's
    errors (listed, not raised), so that reports can describe a configuration the gate would refuse."""
    from constructs_lib.policy import PolicyError, enforce_ha_checks

    app = build_app(settings, only=(arch,))
    stack = next(c for c in app.node.children if isinstance(c, TerraformStack))
    try:
        enforce_ha_checks(stack)
        refused: list[str] = []
    except PolicyError as exc:
        refused = list(exc.problems)
    document: dict[str, Any] = stack.to_terraform()
    return document, refused
