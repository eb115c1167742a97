"""Draws a diagram model with the ``diagrams`` library (AWS icons; needs Graphviz's ``dot``), and stamps a PNG
with the outline's digest so that a test can tell whether a committed image is current."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import diagrams

from ...files import write_atomic
from .model import Diagram, Group, Node, digest

_GROUP_STYLE = {
    "region": {"bgcolor": "#F4F6F8", "pencolor": "#5A6B7B", "style": "rounded", "fontsize": "16"},
    "vpc": {"bgcolor": "#EAF3EA", "pencolor": "#3F8624", "style": "rounded"},
    "tier": {"bgcolor": "#FFFFFF", "pencolor": "#7B8894", "style": "dashed"},
    "firewall": {"bgcolor": "#FDF1F0", "pencolor": "#D13212", "style": "bold", "penwidth": "2"},
}


def _icon(kind: str) -> type[diagrams.Node]:
    from diagrams.aws.compute import EC2
    from diagrams.aws.database import Aurora, AuroraInstance
    from diagrams.aws.network import ElbNetworkLoadBalancer, GlobalAccelerator, Route53, VPCPeering
    from diagrams.aws.storage import ElasticFileSystemEFS
    from diagrams.onprem.client import Users

    found: type[diagrams.Node] = {
        "users": Users, "route53": Route53, "accelerator": GlobalAccelerator, "nlb": ElbNetworkLoadBalancer,
        "instance": EC2, "efs": ElasticFileSystemEFS, "efs-replica": ElasticFileSystemEFS,
        "aurora-cluster": Aurora, "aurora-node": AuroraInstance, "peering": VPCPeering,
    }[kind]
    return found


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` is not installed (``apt-get install graphviz``)."""


def render(diagram: Diagram, path: Path) -> str:
    """Draw the diagram to ``path`` (.png or .svg); return the DOT source that Graphviz laid out."""
    import shutil

    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix not in ("png", "svg"):
        raise ValueError(f"{path}: the diagram file must end in .png or .svg")
    if shutil.which("dot") is None:
        raise GraphvizMissing("Graphviz's 'dot' is not on PATH: install it (Debian: apt-get install graphviz)")
    import diagrams

    target = Path(path).with_suffix("")
    with diagrams.Diagram(diagram.title, filename=str(target), outformat=suffix,
                          show=False, direction="TB", graph_attr={"pad": "0.5", "compound": "true"}) as canvas:
        made: dict[str, diagrams.Node] = {}

        def place(node: Node) -> None:
            made[node.id] = _icon(node.kind)(node.label, nodeid=node.id)

        def walk(group: Group) -> None:
            with diagrams.Cluster(group.label, graph_attr=_GROUP_STYLE[group.kind]):
                for node in group.nodes:
                    place(node)
                for child in group.groups:
                    walk(child)

        for node in diagram.nodes:
            place(node)
        for group in diagram.groups:
            walk(group)
        for link in diagram.links:
            edge = diagrams.Edge(label=link.label, style="dashed" if link.dashed else "")
            made[link.source] >> edge >> made[link.target]
        source = str(canvas.dot.source)
    if suffix == "png":
        stamp_png(Path(path), digest(diagram))
    return source


_STAMP_KEY = b"portal-ha-outline-sha256"


def stamp_png(path: Path, value: str) -> None:
    """Write ``value`` into the PNG as a tEXt chunk, just before IEND."""
    data = path.read_bytes()
    end = data.rindex(b"IEND") - 4
    payload = _STAMP_KEY + b"\x00" + value.encode()
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + payload) & 0xFFFFFFFF)
    write_atomic(path, data[:end] + chunk + data[end:])


def read_stamp(path: Path) -> str | None:
    """The outline digest a PNG was stamped with, or None."""
    data = Path(path).read_bytes()
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"tEXt" and body.startswith(_STAMP_KEY + b"\x00"):
            return body[len(_STAMP_KEY) + 1:].decode()
        position += 12 + length
    return None
