"""The HA and security rules, in the style of cdk-nag: one pure rule per module (``rules/``) that answers
compliant, non-compliant or not applicable over plain facts read from the synthesized stack (``facts``); the
pack (``pack``) owns each rule's id, level, why and fix; the aspect (``aspect``) runs the pack on every synth.

Use::

    checks = apply_ha_checks(stack)                                          # production: every rule
    apply_ha_checks(stack, waive={"HA7": "lab profile: destroy must work"})  # an explicit lab opt-out

The thresholds the rules hold stacks to live in ``constructs_lib.thresholds``. ``facts``, ``pack`` and
``rules`` are plain Python; the aspect's names load cdktf when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .facts import StackFacts, facts_from
from .pack import PACK, RULES, Finding, Rule, check_waivers, run_rules
from .verdict import Compliance, Verdict, Violation

if TYPE_CHECKING:
    from .aspect import HaChecks, PolicyError, apply_ha_checks, check_stack, enforce_ha_checks

_ASPECT_NAMES = ("HaChecks", "PolicyError", "apply_ha_checks", "check_stack", "enforce_ha_checks")

__all__ = [
    "PACK", "RULES", "Compliance", "Finding", "HaChecks", "PolicyError", "Rule", "StackFacts", "Verdict",
    "Violation", "apply_ha_checks", "check_stack", "check_waivers", "enforce_ha_checks", "facts_from", "run_rules",
]


def __getattr__(name: str) -> Any:
    if name in _ASPECT_NAMES:
        return getattr(importlib.import_module(".aspect", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
