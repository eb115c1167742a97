"""Small test helpers over a synthesized cdk.tf.json, built on the library's one reader
(``constructs_lib.synthesized``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from constructs_lib.synthesized import SynthesizedStack
from constructs_lib.synthesized import reference as ref

__all__ = ["only", "ref", "resources", "synth_construct"]


def resources(doc: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    """All resources of one type: Terraform name -> arguments."""
    return {r.name: dict(r.body) for r in SynthesizedStack("test", doc).resources(rtype, by_name=False)}


def only(doc: dict[str, Any], rtype: str) -> dict[str, Any]:
    found = list(resources(doc, rtype).values())
    assert len(found) == 1, f"expected exactly one {rtype}, found {len(found)}"
    return found[0]


def synth_construct(build: Callable[[Any], object]) -> dict[str, Any]:
    """Synthesize what ``build(stack)`` adds to an empty test stack; return the parsed cdk.tf.json."""
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "test")
    build(stack)
    document: dict[str, Any] = json.loads(Testing.synth(stack))
    return document
