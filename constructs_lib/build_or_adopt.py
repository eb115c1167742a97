"""Build-or-adopt, checked one way: each piece of a composite construct comes from props that build it or
from an existing resource, never both (aws-solutions-constructs' ``existingX`` xor ``xProps``)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Problem


@dataclass(frozen=True)
class Source:
    """One way a piece may be given: the argument, what it stands for, and the value passed (None: unset)."""

    field: str
    means: str
    value: object


def conflicts(where: str, existing: Source, *builders: Source) -> list[Problem]:
    """A problem for every builder given together with the existing resource (both set: pass one)."""
    if existing.value is None:
        return []
    return [Problem(where, sep=": ", fix=f"{b.field} ({b.means}) and {existing.field} ({existing.means}) are both "
                                         "set: pass one")
            for b in builders if b.value is not None]
