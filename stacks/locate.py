"""Names a construct props problem at the key the user wrote in ``cdktf.json``.

The library's props speak Python (``fleet.instance_count 1 is below the HA minimum of 2: ... set
allow_single_instance=True``): library users write Python. A ``cdktf.json`` user wrote JSON, under a path such as
``single-dc.portal.instance_count`` or ``multi-dc.datacenters[1].instance_count``. A problem is a record
(``constructs_lib.errors.Problem``): ``locate`` maps its fields, and never reads its text. Its path becomes the
JSON path it came from, its value is spelled as JSON, a setting it names (a ``Ref`` with a value) is spelled as a
JSON key (``"allow_single_instance": true in single-dc.portal``), and another field it names by its JSON path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import overload

from constructs_lib.errors import NO_VALUE, Problem, Ref


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


def _prefix_of(path: str, prefixes: Mapping[str, str]) -> str | None:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return prefix
    return None


def _without_index(path: str) -> str:
    """``path`` without a trailing list index (``azs[0]`` -> ``azs``)."""
    head, bracket, index = path.rpartition("[")
    return head if bracket and index.endswith("]") and index[:-1].isdigit() else path


def json_path(path: str, origin: Origin) -> str | None:
    """The JSON path of a props field path, or None when the path is not one of these props' fields."""
    base = _without_index(path)
    if base in origin.moved:
        return origin.moved[base] + path[len(base):]
    prefix = _prefix_of(path, origin.prefixes)
    if prefix is None:
        return None
    return origin.prefixes[prefix] + path[len(prefix):]


def _locate_ref(ref: Ref, origin: Origin) -> Ref:
    """A setting named in a fix, at its JSON path (its props path when it is not one of these props')."""
    if ref.value is NO_VALUE:
        return replace(ref, path=json_path(ref.path, origin) or ref.path)
    owner, _, key = ref.path.rpartition(".")
    return replace(ref, path=f"{json_path(owner, origin) or owner}.{key}")


@overload
def locate(problem: Problem, origin: Origin) -> Problem: ...
@overload
def locate(problem: Problem | str, origin: Origin) -> Problem | str: ...
def locate(problem: Problem | str, origin: Origin) -> Problem | str:
    """``problem`` named at the key the user wrote, with JSON spelling (see the module docstring). A problem
    about no field of these props is left as it is (with the origin's note); so is a plain message."""
    if not isinstance(problem, Problem):
        return problem + origin.note
    if problem.spelling == "json":
        return problem
    located = json_path(problem.path, origin)
    if located is None:
        return replace(problem, fix=problem.fix + origin.note)
    return replace(problem, path=located, label="", spelling="json", fix=problem.fix + origin.note,
                   refs=tuple(_locate_ref(ref, origin) for ref in problem.refs))
