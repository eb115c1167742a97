"""The one reader of a synthesized stack (``cdk.tf.json``, or ``TerraformStack.to_terraform()``).

The HA rules, the failover report, the diagram and the tests read what cdktf wrote, not construct props, so
they see exactly what Terraform will deploy (escape-hatch overrides and hand-made resources included). This
module knows the document's shape, once:

- resources by type, each with its Terraform name, arguments and construct path;
- the datacenter of a resource: the alias of the ``aws`` provider it uses (every stack gives each datacenter
  its own aliased provider); a resource on the unaliased provider is in ``DEFAULT_DATACENTER``;
- references (``${aws_x.name.attr}``) and the resource they point at;
- nested blocks, which cdktf writes as an object or as a list of objects;
- the AZ index that ``Datacenter`` writes as ``${element(data.aws_availability_zones.X.names, N)}``.

Pure Python: no jsii, no I/O except ``load``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DATACENTER = "default"
"""The datacenter of resources on the unaliased ``aws`` provider."""
_REFERENCE = re.compile(r"^\$\{(?P<type>[a-z0-9_]+)\.(?P<name>[A-Za-z0-9_-]+)\.(?P<attr>[a-z0-9_]+)\}$")
_AZ_INDEX = re.compile(r"element\(data\.aws_availability_zones\.[A-Za-z0-9_-]+\.names,\s*(\d+)\)")


def reference(rtype: str, name: str, attr: str = "id") -> str:
    """The Terraform expression cdktf writes for an attribute of a resource: ``${rtype.name.attr}``."""
    return "${" + f"{rtype}.{name}.{attr}" + "}"


def parse_reference(expression: object) -> tuple[str, str, str] | None:
    """``(type, name, attr)`` of a plain ``${type.name.attr}`` expression, else None."""
    match = _REFERENCE.match(expression) if isinstance(expression, str) else None
    return (match.group("type"), match.group("name"), match.group("attr")) if match else None


def block(value: object) -> dict[str, Any]:
    """A nested block, which cdktf writes as an object or a one-element list; {} when absent."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def blocks(value: object) -> list[dict[str, Any]]:
    """Every object of a repeated nested block (an object alone counts as one)."""
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def as_int(value: object) -> int | None:
    """A whole number written as a number or a numeric string; None otherwise (tokens, bools, absent)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def as_bool(value: object) -> bool | None:
    """A boolean written as one or as ``"true"``/``"false"``; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def plain(value: object) -> str | None:
    """A non-empty string that is not a Terraform expression; None otherwise."""
    return value if isinstance(value, str) and value and "${" not in value else None


@dataclass(frozen=True)
class Resource:
    """One resource block: its type, its Terraform name, its arguments as synthesized, and its datacenter."""

    type: str
    name: str
    body: Mapping[str, Any]
    datacenter: str

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def path(self) -> str | None:
        """The construct path cdktf records (``multi-dc/dc1/fleet/instance-0``), if any."""
        found = block(self.body.get("//")).get("metadata", {}).get("path")
        return found if isinstance(found, str) else None

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    def block(self, key: str) -> dict[str, Any]:
        """The nested block ``key`` ({} when absent)."""
        return block(self.body.get(key))

    def blocks(self, key: str) -> list[dict[str, Any]]:
        """Every object of the repeated nested block ``key``."""
        return blocks(self.body.get(key))

    def tag(self, key: str) -> str | None:
        tags = self.body.get("tags")
        value = tags.get(key) if isinstance(tags, dict) else None
        return str(value) if value is not None else None

    def display_name(self, *keys: str) -> str:
        """The first plain value among ``keys``, else the plain ``Name`` tag, else the Terraform name."""
        for key in keys:
            found = plain(self.body.get(key))
            if found is not None:
                return found
        return plain(self.tag("Name")) or self.name


class SynthesizedStack:
    """A parsed ``cdk.tf.json`` (or ``stack.to_terraform()``)."""

    def __init__(self, name: str, document: Mapping[str, Any]) -> None:
        self.name = name
        self.document = document
        self._regions: dict[str, str | None] = {}
        for provider in blocks((document.get("provider") or {}).get("aws")):
            self._regions[str(provider.get("alias") or DEFAULT_DATACENTER)] = provider.get("region")

    @classmethod
    def load(cls, stack_dir: Path) -> SynthesizedStack:
        """From a cdktf stack folder (``cdktf.out/stacks/ARCH``)."""
        return cls(Path(stack_dir).name, json.loads((Path(stack_dir) / "cdk.tf.json").read_text()))

    def _of(self, rtype: str) -> Mapping[str, Any]:
        return (self.document.get("resource") or {}).get(rtype) or {}

    def _resource(self, rtype: str, name: str, body: Mapping[str, Any]) -> Resource:
        provider = body.get("provider")
        datacenter = provider[len("aws."):] if isinstance(provider, str) and provider.startswith("aws.") else \
            DEFAULT_DATACENTER
        return Resource(rtype, name, body, datacenter)

    def resource_types(self) -> list[str]:
        """Every resource type the document has, in its order."""
        return list(self.document.get("resource") or {})

    def resources(self, *rtypes: str, by_name: bool = True) -> list[Resource]:
        """Every resource of the given types, type by type: in name order (deterministic, what cdk.tf.json
        holds), or with ``by_name=False`` in the document's own order (construct order, for an in-memory
        ``stack.to_terraform()``)."""
        found = []
        for rtype in rtypes:
            blocks_of_type = self._of(rtype)
            names = sorted(blocks_of_type) if by_name else list(blocks_of_type)
            found += [self._resource(rtype, name, blocks_of_type[name]) for name in names]
        return found

    def resource(self, address: str) -> Resource | None:
        rtype, _, name = address.partition(".")
        body = self._of(rtype).get(name)
        return self._resource(rtype, name, body) if isinstance(body, Mapping) else None

    def referenced(self, expression: object, *rtypes: str) -> Resource | None:
        """The resource a ``${type.name.attr}`` expression points at (of one of ``rtypes``, when given)."""
        parsed = parse_reference(expression)
        if parsed is None or (rtypes and parsed[0] not in rtypes):
            return None
        return self.resource(f"{parsed[0]}.{parsed[1]}")

    def user_data(self, resource: Resource) -> str:
        """The user-data text of an instance, a launch template or an Auto Scaling group (its template's): the
        text itself, also when the template base64-encodes a local (``${base64encode(local.NAME)}``)."""
        if resource.type == "aws_autoscaling_group":
            template = self.referenced(resource.block("launch_template").get("id"), "aws_launch_template")
            return self.user_data(template) if template is not None else ""
        text = str(resource.get("user_data", ""))
        match = _ENCODED_LOCAL.fullmatch(text)
        if match:
            return str((self.document.get("locals") or {}).get(match.group(1), ""))
        return text

    def datacenter_of(self, resource: Resource) -> str:
        """The datacenter a resource is deployed by: its provider alias (``aws.dc1`` -> ``dc1``)."""
        return resource.datacenter

    def region_of(self, datacenter: str) -> str | None:
        return self._regions.get(datacenter)

    @property
    def regions(self) -> list[str]:
        """The regions of the stack's providers (datacenters, and any other, such as a replica's), in order."""
        return list(dict.fromkeys(r for r in self._regions.values() if isinstance(r, str)))

    @property
    def datacenters(self) -> list[str]:
        """Datacenter names (provider aliases) in the order the stack declares them."""
        return list(self._regions)


_ENCODED_LOCAL = re.compile(r"\$\{base64encode\(local\.([\w-]+)\)\}")


def group_placement(zones: list[str], size: int) -> list[str]:
    """Where an Auto Scaling group of ``size`` instances puts them: AWS spreads them evenly over the distinct
    AZs of its subnets (``zones``, in order), so the AZ of each instance, round robin."""
    distinct = list(dict.fromkeys(zones))
    return [distinct[i % len(distinct)] for i in range(size)] if distinct else []


def az_index(expression: object) -> int | None:
    """The AZ index in ``${element(data.aws_availability_zones.X.names, N)}``; None for a literal AZ name."""
    match = _AZ_INDEX.search(str(expression))
    return int(match.group(1)) if match else None


def az_label(expression: object) -> str:
    """A short, stable name for an AZ: ``AZ 1`` for the Nth zone of the region, or the literal zone name."""
    index = az_index(expression)
    return f"AZ {index + 1}" if index is not None else str(expression)
