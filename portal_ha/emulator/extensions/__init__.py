"""What the emulator adds to moto 5.2 so that the production configuration deploys locally: one module per
AWS service, each extension following the AWS API reference for that call, including its documented errors.

An extension never makes a check pass that AWS would fail, and never accepts a call that AWS would refuse.
README "Limits" lists every extension with the AWS API it follows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import patch
from .patch import Patch, PatchError

SERVICES = (
    "ec2", "ec2_launch_templates", "autoscaling", "autoscaling_refresh",
    "rds", "rds_parameters", "rds_global", "rds_failover", "efs", "efs_replication", "route53", "iam", "reset",
)
"""The extension modules, each with a ``patches()`` function."""


def all_patches() -> list[Patch]:
    """Every extension's patches, each naming the extension that made it (for a patch that no longer fits)."""
    import dataclasses
    import importlib

    found: list[Patch] = []
    for name in SERVICES:
        module = f"{__name__}.{name}"
        try:
            made = importlib.import_module(module).patches()
        except PatchError as exc:  # a moto function it wraps changed: name the extension
            raise PatchError(f"the emulator extension {module}: {exc}") from exc
        found += [dataclasses.replace(p, extension=module) for p in made]
    return found


def apply() -> None:
    """Extend moto in this process for good (idempotent): the emulator's server runs with this."""
    patch.apply(all_patches)


@contextlib.contextmanager
def applied() -> Iterator[None]:
    """Extend moto for a ``with`` block, then restore moto exactly."""
    with patch.applied(all_patches):
        yield
