"""Architecture diagrams drawn from a synthesized stack (``portal-ha diagram``): ``build`` makes the model,
``outline`` prints it as text, ``render`` draws it (PNG or SVG, Graphviz)."""

from __future__ import annotations

from .build import build
from .model import Diagram, Group, Link, Node, digest, outline
from .render import GraphvizMissing, read_stamp, render, stamp_png

__all__ = ["Diagram", "GraphvizMissing", "Group", "Link", "Node", "build", "digest", "outline", "read_stamp",
           "render", "stamp_png"]
