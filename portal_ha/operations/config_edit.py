"""Changes to the configuration file (``cdktf.json``, or ``$PORTAL_HA_CONFIG``) that an operation proposes:
shown first, written only with the user's consent, so that the file, Terraform and AWS keep agreeing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from constructs_lib.errors import ConfigError
from stacks.loader import document

from ..files import write_atomic
from ..json_value import JSON
from .timeline import OperationError

UNSET = None


@dataclass(frozen=True)
class Change:
    """One key of the context: ``path`` like ``("multi-dc", "primary")``; ``after`` None removes the key."""

    path: tuple[str, ...]
    before: JSON
    after: JSON

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def describe(self) -> str:
        def spell(value: JSON) -> str:
            return "(unset)" if value is UNSET else json.dumps(value)

        return f"{self.key}: {spell(self.before)} -> {spell(self.after)}"


def _document(path: Path) -> dict[str, JSON]:
    """The file as the settings loader reads it (``stacks.loader.document``), with a context to change."""
    found = document(path)
    if not isinstance(found.get("context"), dict):
        raise ConfigError([f"{path} has no 'context' object to change"])
    return found


def current(path: Path, key: tuple[str, ...]) -> JSON:
    """The value at ``key`` in the file's context, or None when unset."""
    node: JSON = _document(path)["context"]
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return UNSET
        node = node[part]
    return node


def change(path: Path, key: tuple[str, ...], after: JSON) -> Change:
    return Change(key, current(path, key), after)


def pending(changes: list[Change]) -> list[Change]:
    """The changes that change something."""
    return [c for c in changes if c.before != c.after]


def _section(parent: dict[str, JSON], key: str, path: Path) -> dict[str, JSON]:
    """``parent[key]``, an object (made empty when absent); ConfigError when the file has something else there."""
    found = parent.setdefault(key, {})
    if not isinstance(found, dict):
        raise ConfigError([f"{path}: {key} is {json.dumps(found)}, not an object: the change cannot be written"])
    return found


def write(path: Path, changes: list[Change]) -> None:
    """Apply ``changes`` to the file (2-space JSON, key order kept); the next read of the settings sees them. A
    removal that leaves its section empty removes the section too (an empty section means what an absent one
    does), so that setting a key and then unsetting it gives back the file it started from."""
    edited = _document(path)
    for item in changes:
        node = _section(edited, "context", path)
        parents: list[tuple[dict[str, JSON], str]] = []
        for part in item.path[:-1]:
            parents.append((node, part))
            node = _section(node, part, path)
        if item.after is UNSET:
            node.pop(item.path[-1], None)
            for parent, part in reversed(parents[1:]):  # never the architecture's own object
                if parent.get(part) == {}:
                    parent.pop(part)
        else:
            node[item.path[-1]] = item.after
    write_atomic(path, json.dumps(edited, indent=2) + "\n")  # never a truncated cdktf.json


@dataclass(frozen=True)
class SettingsStep:
    """The one step of an operation that writes the configuration: done when nothing is pending; otherwise it
    shows every change, asks ``consent``, and writes them all, or none when consent is refused."""

    source: Callable[[], Path]
    """The configuration file (read when the step runs: the settings say where it is)."""
    changes: Callable[[], list[Change]]
    """What the operation wants the file to say (those already true are left out)."""
    consent: Callable[[list[Change]], bool]
    echo: Callable[[str], None]
    already: Callable[[], str]
    """What ``done`` reports when the file already says it all."""

    def done(self) -> str | None:
        return None if pending(self.changes()) else self.already()

    def act(self) -> str:
        changes, source = pending(self.changes()), self.source()
        self.echo(f"    changes to {source}:")
        for item in changes:
            self.echo(f"      {item.describe()}")
        if not self.consent(changes):
            raise OperationError(f"not written: {source} was left as it is (consent refused; pass --yes to write it)")
        write(source, changes)
        return f"{source}: " + "; ".join(item.describe() for item in changes)
