"""The diagram model: groups (region, VPC, tier, firewall), nodes and links, and its text outline.

``build`` (``build.py``) makes it from a synthesized stack; ``render`` (``render.py``) draws it. The outline is
committed next to each image (a reviewable diff of the picture); its digest stamps the PNG.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str
    """users, route53, accelerator, nlb, instance, efs, efs-replica, aurora-cluster, aurora-node, peering."""


@dataclass
class Group:
    id: str
    label: str
    kind: str
    """region, vpc, tier or firewall (a security group: the seed's firewalls)."""
    groups: list[Group] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass
class Diagram:
    title: str
    groups: list[Group] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def all_nodes(self) -> list[Node]:
        found = list(self.nodes)

        def walk(group: Group) -> None:
            found.extend(group.nodes)
            for child in group.groups:
                walk(child)

        for group in self.groups:
            walk(group)
        return found

    def link(self, source: str, target: str, label: str = "", dashed: bool = False) -> None:
        candidate = Link(source, target, label, dashed)
        if candidate not in self.links:
            self.links.append(candidate)


def outline(diagram: Diagram) -> str:
    """The model as indented text: one line per group, node and link (deterministic)."""
    lines = [f"diagram {diagram.title}"]

    def node_line(node: Node, depth: int) -> str:
        return f"{'  ' * depth}node {node.id} [{node.kind}] {node.label.replace(chr(10), ' | ')}"

    def walk(group: Group, depth: int) -> None:
        lines.append(f"{'  ' * depth}group [{group.kind}] {group.label}")
        for node in group.nodes:
            lines.append(node_line(node, depth + 1))
        for child in group.groups:
            walk(child, depth + 1)

    for node in diagram.nodes:
        lines.append(node_line(node, 1))
    for group in diagram.groups:
        walk(group, 1)
    for link in diagram.links:
        style = " (dashed)" if link.dashed else ""
        lines.append(f"  link {link.source} -> {link.target}{': ' + link.label if link.label else ''}{style}")
    return "\n".join(lines) + "\n"


def digest(diagram: Diagram) -> str:
    """SHA-256 of the outline: what a rendered PNG is stamped with."""
    return hashlib.sha256(outline(diagram).encode()).hexdigest()
