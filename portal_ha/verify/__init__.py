"""``portal-ha verify``: check a live deployment against the seed's HA rules and the stack's own settings,
through boto3.

It reads the stack's ``verify_manifest`` output (the ids of every HA-relevant resource, and the settings the
stack was built with) and asks AWS (or the emulator, through ``AWS_ENDPOINT_URL``) what is really there. The
rules live by concern: ``fleet`` (instances, load balancer), ``database``, ``storage`` (EFS), ``network``.
"""

from __future__ import annotations

from stacks.manifest import Manifest

from ..aws import Clients
from . import database, fleet, network, storage
from .core import FAIL, PASS, SKIP, Result, Rule, render_table, run

RULES: list[tuple[str, Rule]] = [*fleet.rules.entries, *database.rules.entries, *storage.rules.entries,
                                 *network.rules.entries]
"""Every rule, in the order of the report."""


def verify(manifest: Manifest, aws: Clients | None = None) -> list[Result]:
    """Every rule against the deployment the manifest describes."""
    return run(RULES, manifest, aws)


__all__ = ["FAIL", "PASS", "RULES", "SKIP", "Result", "render_table", "verify"]
