"""The three deployable architectures of the seed, described once: what kind of stack each is, so that code
asks ``arch.multi_datacenter`` or ``arch.shared_storage`` instead of comparing names. Importing this module
loads no provider bindings (the stack classes load when ``stack_class`` is first called)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import PortalStack


@dataclass(frozen=True)
class Architecture:
    name: str
    multi_datacenter: bool
    """Several datacenters (regions) behind a global load balancer, joined by a peering mesh."""
    shared_storage: bool
    """The portal's files on one shared file system (EFS); False: each instance's own data volume."""
    summary: str
    stack: str
    """``module:Class`` of the cdktf stack that builds it."""

    def stack_class(self) -> type[PortalStack]:
        module, _, name = self.stack.partition(":")
        found: type[PortalStack] = getattr(importlib.import_module(module), name)
        return found


ARCHITECTURES: dict[str, Architecture] = {a.name: a for a in (
    Architecture("single-dc", multi_datacenter=False, shared_storage=True,
                 summary="one datacenter: HA and horizontal scaling inside one region",
                 stack="stacks.single_dc:SingleDcStack"),
    Architecture("multi-dc", multi_datacenter=True, shared_storage=True,
                 summary="several datacenters sharing one file system (the seed's recommended option)",
                 stack="stacks.multi_dc:MultiDcStack"),
    Architecture("multi-dc-local", multi_datacenter=True, shared_storage=False,
                 summary="several datacenters, each instance keeping files on its own volume",
                 stack="stacks.multi_dc:MultiDcStack"),
)}
NAMES: tuple[str, ...] = tuple(ARCHITECTURES)
