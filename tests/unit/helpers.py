"""Small readers over a synthesized cdk.tf.json."""

from __future__ import annotations

from typing import Any


def resources(doc: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    """All resources of one type: logical id -> config."""
    return doc.get("resource", {}).get(rtype, {})


def only(doc: dict[str, Any], rtype: str) -> dict[str, Any]:
    found = list(resources(doc, rtype).values())
    assert len(found) == 1, f"expected exactly one {rtype}, found {len(found)}"
    return found[0]


def ref(rtype: str, logical_id: str, attr: str = "id") -> str:
    return "${" + f"{rtype}.{logical_id}.{attr}" + "}"


def synth_construct(build) -> dict[str, Any]:
    """Synthesize what ``build(stack)`` adds to an empty test stack; return the parsed cdk.tf.json."""
    import json

    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "test")
    build(stack)
    return json.loads(Testing.synth(stack))
