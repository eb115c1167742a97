"""Builds the cdktf App holding one stack per configured architecture."""

from __future__ import annotations

from cdktf import App

from constructs_lib.errors import ConfigError

from .settings import Settings
from .single_dc import SingleDcStack

STACK_CLASSES = {
    "single-dc": SingleDcStack,
}


def build_app(settings: Settings, *, outdir: str | None = None, only: tuple[str, ...] | None = None) -> App:
    """An App with a stack for each configured architecture (or just those in ``only``)."""
    app = App(outdir=outdir) if outdir else App()
    for name, arch in settings.architectures.items():
        if only is not None and name not in only:
            continue
        stack_class = STACK_CLASSES.get(name)
        if stack_class is None:
            raise ConfigError([f"{name} is not built yet by this version: remove it from cdktf.json context"])
        stack_class(app, settings, arch)
    return app
