"""Names a construct props problem at the key the user wrote in ``cdktf.json``.

The library's props speak Python (``fleet.instance_count 1 is below the HA minimum of 2: ... set
allow_single_instance=True``): library users write Python. A ``cdktf.json`` user wrote JSON, under a path such as
``single-dc.portal.instance_count`` or ``multi-dc.datacenters[1].instance_count``. ``locate`` rewrites one
problem for them: its leading field path becomes the JSON path it came from, a Python literal right after it
(``'x'``, ``True``, ``None``) is spelled as JSON, settings named in the fix are spelled as JSON keys
(``"allow_single_instance": true``), and other fields of the same architecture are named by their JSON paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_PYTHON_STRING = re.compile(r"^ '((?:[^'\\]|\\.)*)'")
_PYTHON_CONSTANT = re.compile(r"^ (True|False|None)\b")
_ASSIGNMENT = re.compile(r"(?:(?P<owner>[A-Za-z_][\w\[\].-]*)\.)?(?P<key>[a-z_]+)=(?P<value>True|False)\b")
_JSON_CONSTANTS = {"True": "true", "False": "false", "None": "null"}


@dataclass(frozen=True)
class Origin:
    """Where the values of one props object come from in ``cdktf.json``."""

    prefixes: Mapping[str, str]
    """The props' own field prefixes (``fleet``, ``datacenters[dc1]``) -> the JSON path each stands for
    (``multi-dc.portal``, ``multi-dc.datacenters[1]``)."""
    moved: Mapping[str, str] = field(default_factory=dict)
    """A props field (``fleet.instance_count``) -> the JSON path of the key that really set it, when that is
    not under the prefix's path (a per-datacenter override, the top-level ``name_prefix``)."""
    note: str = ""
    """Said after every problem of these props (a profile substitution that concerns them)."""


def _split(problem: str) -> tuple[str, str]:
    """``(leading path, rest)``; a ``[site] `` label before the path is dropped (the path names the site)."""
    text = problem
    if text.startswith("["):
        _, _, text = text.partition("] ")
    path, space, rest = text.partition(" ")
    if path.endswith(":"):
        return path[:-1], ":" + space + rest
    return path, space + rest


def _prefix_of(path: str, prefixes: Mapping[str, str]) -> str | None:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return prefix
    return None


def json_path(path: str, origin: Origin) -> str | None:
    """The JSON path of a props field path, or None when the path is not one of these props' fields."""
    base = re.sub(r"\[\d+\]$", "", path)
    if base in origin.moved:
        return origin.moved[base] + path[len(base):]
    prefix = _prefix_of(path, origin.prefixes)
    if prefix is None:
        return None
    return origin.prefixes[prefix] + path[len(prefix):]


def _respell_value(rest: str) -> str:
    string = _PYTHON_STRING.match(rest)
    if string:
        value = string.group(1).encode().decode("unicode_escape")
        return " " + json.dumps(value) + rest[string.end():]
    constant = _PYTHON_CONSTANT.match(rest)
    if constant:
        return " " + _JSON_CONSTANTS[constant.group(1)] + rest[constant.end():]
    return rest


def _respell_settings(rest: str, origin: Origin, home: str) -> str:
    def assignment(match: re.Match[str]) -> str:
        owner = match.group("owner")
        where = (json_path(owner, origin) or owner) if owner else home
        return f'"{match.group("key")}": {_JSON_CONSTANTS[match.group("value")]} in {where}'

    rest = _ASSIGNMENT.sub(assignment, rest)
    for prefix in sorted(origin.prefixes, key=len, reverse=True):
        rest = re.sub(rf"(?<![\w.\"]){re.escape(prefix)}(?=[.\[])", origin.prefixes[prefix], rest)
    return rest


def locate(problem: str, origin: Origin) -> str:
    """``problem`` named at the key the user wrote, with JSON spelling (see the module docstring)."""
    path, rest = _split(problem)
    located = json_path(path, origin)
    if located is None:
        return problem + origin.note
    prefix = _prefix_of(path, origin.prefixes)
    home = origin.prefixes[prefix] if prefix is not None else located.rsplit(".", 1)[0]
    return located + _respell_settings(_respell_value(rest), origin, home) + origin.note
