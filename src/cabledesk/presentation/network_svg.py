"""The co-mention network drawn on the server (docs/network.md): positions, sizes and
strokes for an inline SVG, so the page reads without JavaScript and loads nothing from
elsewhere. The layout is fixed by the data (no force simulation, no randomness): the
nodes on a circle, the strongest first from the top, clockwise; an entity's network has
the entity in the middle."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cabledesk.archive.entity_network import Network

WIDTH = 960
HEIGHT = 700
RADIUS = 250
# Fill per kind (presentation attributes: the desk's content security policy allows no
# inline styles).
COLOURS = {"person": "#b5482a", "org": "#2a6db5", "place": "#3c8a3c", "post": "#8a6d1f"}


@dataclass(frozen=True, slots=True)
class DrawnNode:
    id: int
    name: str
    kind: str
    cables: int
    x: float
    y: float
    r: float
    fill: str
    # The label's place: beside the node, away from the centre.
    label_x: float
    label_y: float
    anchor: str
    centre: bool


@dataclass(frozen=True, slots=True)
class DrawnLink:
    source: str
    target: str
    cables: int
    jaccard: float
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    opacity: float
    to_centre: bool


@dataclass(frozen=True, slots=True)
class Drawing:
    width: int
    height: int
    nodes: list[DrawnNode]
    links: list[DrawnLink]


def draw(network: Network) -> Drawing | None:
    """The network laid out for the page; None when there is nothing to draw."""
    if not network.nodes:
        return None
    centre = network.center
    ring = [n for n in network.nodes if n.id != centre]
    most = max(n.cables for n in network.nodes) or 1
    cx, cy = WIDTH / 2, HEIGHT / 2
    placed: dict[int, DrawnNode] = {}
    for node in network.nodes:
        r = 4 + 14 * math.sqrt(node.cables / most)
        fill = COLOURS.get(node.kind, "#666666")
        if node.id == centre:
            placed[node.id] = DrawnNode(
                node.id, node.name, node.kind, node.cables, cx, cy, r, fill,
                cx, cy - r - 8, "middle", True,
            )  # fmt: skip
            continue
        turn = ring.index(node) / max(1, len(ring))
        angle = -math.pi / 2 + 2 * math.pi * turn
        x, y = cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle)
        lx, ly = cx + (RADIUS + r + 6) * math.cos(angle), cy + (RADIUS + r + 6) * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.2 else "start" if x >= cx else "end"
        placed[node.id] = DrawnNode(
            node.id, node.name, node.kind, node.cables, x, y, r, fill,
            lx, ly + 4, anchor, False,
        )  # fmt: skip
    strongest = max((link.cables for link in network.links), default=1) or 1
    links = []
    # The weakest first, so that the strongest are drawn on top.
    for link in sorted(network.links, key=lambda k: (k.cables, k.source, k.target)):
        a, b = placed.get(link.source), placed.get(link.target)
        if a is None or b is None:
            continue
        share = link.cables / strongest
        to_centre = centre in (link.source, link.target)
        links.append(
            DrawnLink(
                a.name, b.name, link.cables, link.jaccard, a.x, a.y, b.x, b.y,
                width=round(0.5 + (6 if to_centre else 4) * share, 2),
                opacity=round(0.25 + 0.6 * share if to_centre else 0.1 + 0.5 * share, 2),
                to_centre=to_centre,
            )
        )  # fmt: skip
    return Drawing(WIDTH, HEIGHT, list(placed.values()), links)
