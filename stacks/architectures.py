"""The three deployable architectures of the seed, described once: what kind of stack each is, so that code
asks ``arch.multi_datacenter`` or ``arch.shared_storage`` instead of comparing names. It imports nothing of this
package (``app`` says which stack class builds each)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Architecture:
    name: str
    multi_datacenter: bool
    """Several datacenters (regions) behind a global load balancer, joined by a peering mesh."""
    shared_storage: bool
    """The portal's files on one shared file system (EFS); False: each instance's own data volume."""
    summary: str


ARCHITECTURES: dict[str, Architecture] = {a.name: a for a in (
    Architecture("single-dc", multi_datacenter=False, shared_storage=True,
                 summary="one datacenter: HA and horizontal scaling inside one region"),
    Architecture("multi-dc", multi_datacenter=True, shared_storage=True,
                 summary="several datacenters sharing one file system (the seed's recommended option)"),
    Architecture("multi-dc-local", multi_datacenter=True, shared_storage=False,
                 summary="several datacenters, each instance keeping files on its own volume"),
)}
NAMES: tuple[str, ...] = tuple(ARCHITECTURES)
