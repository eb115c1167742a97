"""What a rule answers about a stack, in the manner of cdk-nag: compliant, non-compliant (with each violation),
or not applicable. Rules answer; the pack (``pack.py``) owns each rule's id, level, why and fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Compliance(Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Violation:
    """One thing a rule found wrong."""

    subject: str
    """The datacenter (or ``stack``) it is about."""
    detail: str
    """What was found, in one line."""
    path: str | None = None
    """Construct path of the offending resource (the annotation goes there)."""


@dataclass(frozen=True)
class Verdict:
    compliance: Compliance
    violations: tuple[Violation, ...] = ()


NOT_APPLICABLE = Verdict(Compliance.NOT_APPLICABLE)


def verdict(violations: Iterable[Violation]) -> Verdict:
    """Compliant when there is no violation, else non-compliant with every one of them."""
    found = tuple(violations)
    return Verdict(Compliance.NON_COMPLIANT, found) if found else Verdict(Compliance.COMPLIANT)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
