"""One error type for every configuration problem, raised before anything is synthesized or deployed, and the
collector that lets a configuration report all of its problems at once (validators: ``validation``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """Every problem found in one configuration, each naming the field, the bad value and the fix."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} configuration problem(s):\n{lines}")


class Problems:
    """Collects problems so that a config reports all of them at once, not just the first."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.items.append(message)
        return ok

    def extend(self, other: Iterable[str]) -> None:
        self.items.extend(other)

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)


def required(value: T | None, invariant: str) -> T:
    """``value``, which an earlier check guarantees is set. A broken invariant is a bug: it raises (never an
    ``assert``, which ``python -O`` strips) and says which invariant broke."""
    if value is None:
        raise RuntimeError(f"internal error: {invariant}")
    return value
