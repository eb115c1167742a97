"""Read-only view of a synthesized stack (``cdk.tf.json``), for the reports that must come from the code.

The diagram and the failover report read what cdktf wrote, not the settings, so they describe exactly what
Terraform would deploy. This module knows the file's shape: resources by type, the provider alias each one
uses (one per datacenter), Terraform references (``${aws_x.name.attr}``) and the AZ index that
``Datacenter`` writes as ``${element(data.aws_availability_zones....names, N)}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z0-9_]+\}$")
_AZ_INDEX = re.compile(r"element\(data\.aws_availability_zones\.[A-Za-z0-9_-]+\.names,\s*(\d+)\)")


@dataclass(frozen=True)
class Resource:
    """One resource block: its type, its Terraform name, and its arguments as synthesized."""

    type: str
    name: str
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def path(self) -> str:
        """The construct path cdktf records (``multi-dc/dc1/fleet/instance-0``)."""
        return str(self.body.get("//", {}).get("metadata", {}).get("path", ""))

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    def tag(self, key: str) -> str | None:
        tags = self.body.get("tags") or {}
        value = tags.get(key)
        return str(value) if value is not None else None


class SynthesizedStack:
    """A parsed ``cdk.tf.json``."""

    def __init__(self, name: str, document: dict[str, Any]) -> None:
        self.name = name
        self.document = document
        providers = document.get("provider", {}).get("aws", [])
        self._regions: dict[str, str] = {str(p.get("alias", "")): str(p["region"]) for p in providers}

    @classmethod
    def load(cls, stack_dir: Path) -> SynthesizedStack:
        """From a cdktf stack folder (``cdktf.out/stacks/ARCH``)."""
        return cls(Path(stack_dir).name, json.loads((Path(stack_dir) / "cdk.tf.json").read_text()))

    def resources(self, rtype: str) -> list[Resource]:
        """Every resource of a type, in name order (deterministic)."""
        blocks = self.document.get("resource", {}).get(rtype, {})
        return [Resource(rtype, name, blocks[name]) for name in sorted(blocks)]

    def resource(self, address: str) -> Resource | None:
        rtype, _, name = address.partition(".")
        body = self.document.get("resource", {}).get(rtype, {}).get(name)
        return Resource(rtype, name, body) if body is not None else None

    def referenced(self, expression: Any) -> Resource | None:
        """The resource a ``${type.name.attr}`` expression points at, if it is one."""
        match = _REFERENCE.match(str(expression))
        return self.resource(f"{match.group(1)}.{match.group(2)}") if match else None

    def datacenter_of(self, resource: Resource) -> str:
        """The datacenter a resource is deployed by: its provider alias (``aws.dc1`` -> ``dc1``)."""
        return str(resource.get("provider", "aws.")).split(".", 1)[1]

    def region_of(self, datacenter: str) -> str:
        return self._regions[datacenter]

    @property
    def datacenters(self) -> list[str]:
        """Datacenter names (provider aliases) in the order the stack declares them."""
        return list(self._regions)

    def provider_tag(self, datacenter: str, key: str) -> str | None:
        for provider in self.document.get("provider", {}).get("aws", []):
            if provider.get("alias") == datacenter:
                for block in provider.get("default_tags", []):
                    if key in block.get("tags", {}):
                        return str(block["tags"][key])
        return None


def az_index(expression: Any) -> int | None:
    """The AZ index in ``${element(data.aws_availability_zones.X.names, N)}``; None for a literal AZ name."""
    match = _AZ_INDEX.search(str(expression))
    return int(match.group(1)) if match else None


def az_label(expression: Any) -> str:
    """A short, stable name for an AZ: ``AZ 1`` for the Nth zone of the region, or the literal zone name."""
    index = az_index(expression)
    return f"AZ {index + 1}" if index is not None else str(expression)
