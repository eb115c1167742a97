"""One error type for every configuration problem, raised before anything is synthesized or deployed; the
record of one problem (``Problem``: the field, the bad value, the fix); and the collector that lets a
configuration report all of its problems at once (validators: ``validation``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

T = TypeVar("T")


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()
"""A problem (or a reference) that shows no value."""


def _literal(value: object, spelling: Literal["python", "json"]) -> str:
    """``value`` as the user wrote it: a Python literal, or JSON (a tuple is a JSON list)."""
    if spelling == "json":
        try:
            return json.dumps(list(value) if isinstance(value, tuple) else value)
        except (TypeError, ValueError):
            pass
    return repr(value)


@dataclass(frozen=True)
class Ref:
    """Another setting that a problem's text names, by its props field path (``fleet.data_volume_gb``). With a
    ``value``, the text says to set it: ``allow_single_instance=True`` in Python (``qualified``:
    ``database.allow_fewer_nodes=True``), ``"allow_single_instance": true in single-dc.portal`` in JSON."""

    path: str
    value: object = NO_VALUE
    qualified: bool = False

    def render(self, spelling: Literal["python", "json"]) -> str:
        if self.value is NO_VALUE:
            return self.path
        owner, _, key = self.path.rpartition(".")
        if spelling == "json":
            return f'"{key}": {_literal(self.value, "json")} in {owner}'
        return f"{self.path if self.qualified else key}={self.value!r}"


@dataclass(frozen=True)
class Problem:
    """One configuration problem: the field it is about, the bad value, and the fix.

    ``str(problem)`` is the sentence: ``{label}{path} {detail} {value}{sep}{fix}`` (each part only when set),
    e.g. ``fleet.instance_count 1 is below the HA minimum of 2: ...``. ``fix`` (and ``detail``) name other
    settings by ``{0}``, ``{1}``... placeholders, one per ``refs`` entry (any other brace is text), so that every
    setting named is a path that can be mapped to where the user wrote it (``stacks.locate``)."""

    path: str
    """The props field path (``fleet.instance_count``, ``datacenters[dc1].cidr``); or, with ``spelling``
    ``json``, the path in ``cdktf.json`` (``single-dc.portal.instance_count``)."""
    value: object = NO_VALUE
    """The bad value, shown right after the path (or ``detail``); NO_VALUE when none is shown."""
    fix: str = ""
    """The rest of the sentence: what is wrong, and what to do."""
    refs: tuple[Ref, ...] = ()
    """The settings that ``fix`` and ``detail`` name, in placeholder order."""
    sep: str = " "
    """Between what is named (path, detail, value) and ``fix``: a space, or ``": "``."""
    detail: str = ""
    """Words that narrow the path, before the value (``cidr`` of ``fleet.allow_egress cidr '10.0.0.0/33'``)."""
    label: str = ""
    """A site that the path does not name, said first (``[dc2] database.kms_key_arn ...``); a JSON path names
    the site itself, so ``locate`` drops it."""
    literal: bool = True
    """The value is shown as a literal (Python ``'x'``, JSON ``"x"``); False: as plain text, the same in both."""
    spelling: Literal["python", "json"] = "python"
    """How the path, the values and the settings are spelled: as a library user writes them, or as in
    ``cdktf.json``."""

    def _fill(self, template: str) -> str:
        for i, ref in enumerate(self.refs):
            template = template.replace(f"{{{i}}}", ref.render(self.spelling))
        return template

    def __str__(self) -> str:
        text = f"[{self.label}] {self.path}" if self.label else self.path
        if self.detail:
            text += " " + self._fill(self.detail)
        if self.value is not NO_VALUE:
            text += " " + (_literal(self.value, self.spelling) if self.literal else str(self.value))
        return text + self.sep + self._fill(self.fix)


def path_of(problem: Problem | str) -> str:
    """What a problem is about, for sorting: its label or path (a plain message: its first word)."""
    if isinstance(problem, Problem):
        return f"[{problem.label}]" if problem.label else problem.path
    return problem.split(" ", 1)[0].rstrip(":")


class ConfigError(ValueError):
    """Every problem found in one configuration, each naming the field, the bad value and the fix.

    ``records``: the problems as given (``Problem`` records; a plain string for a problem that is about no
    field, such as an unreadable file); ``problems``: their text, as ``str(error)`` lists them."""

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.records: list[Problem | str] = list(problems)
        self.problems: list[str] = [str(p) for p in self.records]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} configuration problem(s):\n{lines}")


class Problems:
    """Collects problems so that a config reports all of them at once, not just the first."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def check(self, ok: bool, problem: Problem) -> bool:
        if not ok:
            self.items.append(problem)
        return ok

    def extend(self, other: Iterable[Problem]) -> None:
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
