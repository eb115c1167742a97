"""JSON as the tooling reads it (Terraform's ``-json`` output, ``cdktf.json``, the journal, IAM policies): one
recursive type, and two narrowing reads, so that no value of unknown shape is typed ``Any``."""

from __future__ import annotations

from typing import TypeAlias

JSON: TypeAlias = "None | bool | int | float | str | list[JSON] | dict[str, JSON]"


def obj(value: JSON) -> dict[str, JSON]:
    """``value`` when it is a JSON object, else an empty one (a missing or null part of a document)."""
    return value if isinstance(value, dict) else {}


def items(value: JSON) -> list[JSON]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
