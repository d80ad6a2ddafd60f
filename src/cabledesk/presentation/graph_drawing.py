"""A cable's citation neighbourhood laid out for a server-side SVG (docs/graph.md, "Pages").

Deterministic and force-free: time runs left to right (a node's date, or for a cable the
archive does not hold its estimated date; undated ones stand in a column of their own at
the right), and each node takes the first free lane counted outward from the middle,
the centre first, then the nearer nodes, each in date order. A lane is free where no node
placed in it stands within a label's width. The same neighbourhood always gives the same
drawing; nothing is computed in the browser.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date

from cabledesk.archive.graph import Neighbourhood, Node

WIDTH = 1100
LEFT, RIGHT_LABEL = 16, 130  # room at the right for the last labels
UNDATED_COLUMN = 120
LANE = 26
TOP, AXIS = 14, 34
GAP = 112  # a label's width: two nodes of one lane stand at least this far apart
BEND = 36  # how far a citation's curve bows out of the straight line, at most


@dataclass(frozen=True, slots=True)
class PlacedNode:
    node: Node
    distance: int
    x: float
    y: float
    r: float
    href: str
    day: str | None  # the date drawn at (estimated for a cable not held), or None

    @property
    def missing(self) -> bool:
        return not self.node.archived


@dataclass(frozen=True, slots=True)
class Line:
    """A citation drawn as a gentle curve (so that one along a lane does not run through
    the labels): bowing one way when the citing cable stands right of the cited one
    (the usual case: later cites earlier), the other way otherwise."""

    path: str  # the SVG path
    source: str
    target: str
    centre: bool  # touches the centre


@dataclass(frozen=True, slots=True)
class Drawing:
    width: int
    height: int
    nodes: list[PlacedNode]
    lines: list[Line]
    ticks: list[tuple[float, str]]
    undated_x: float | None
    axis_y: float


def _day(node: Node) -> str | None:
    return node.date if node.archived else node.estimated_date


def _ordinal(day: str | None) -> int | None:
    if not day:
        return None
    try:
        return Date.fromisoformat(day[:10]).toordinal()
    except ValueError:
        return None


def radius(in_degree: int) -> float:
    """Bigger for more cited nodes, on a log scale: 4 px for none, at most 12."""
    return min(12.0, 4.0 + 1.6 * math.log2(1 + in_degree))


def _lanes() -> list[int]:
    order = [0]
    for k in range(1, 400):
        order += [k, -k]
    return order


def _ticks(low: int, high: int, scale: Callable[[int], float]) -> list[tuple[float, str]]:
    first, last = Date.fromordinal(low), Date.fromordinal(high)
    if high - low > 2 * 365:
        step = max(1, math.ceil((last.year - first.year) / 10))
        years = range(first.year + 1, last.year + 1, step)
        return [(scale(Date(y, 1, 1).toordinal()), str(y)) for y in years]
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = Date(year, month, 1).toordinal()
        if low < day <= high:
            months.append((day, f"{year}-{month:02d}"))
    step = max(1, math.ceil(len(months) / 10))
    return [(scale(d), label) for d, label in months[::step]]


def layout(neighbourhood: Neighbourhood, href: Callable[[Node], str]) -> Drawing:
    """Where each node and line of the neighbourhood is drawn."""
    days = {n.id: _ordinal(_day(n)) for n, _ in neighbourhood.nodes}
    dated = [d for d in days.values() if d is not None]
    undated = any(d is None for d in days.values())
    right = WIDTH - RIGHT_LABEL - (UNDATED_COLUMN if undated else 0)
    low, high = (min(dated), max(dated)) if dated else (0, 0)

    def scale(ordinal: int) -> float:
        if high == low:
            return (LEFT + right) / 2
        return LEFT + (right - LEFT) * (ordinal - low) / (high - low)

    undated_x = WIDTH - RIGHT_LABEL - UNDATED_COLUMN / 2 if undated else None
    order = sorted(
        neighbourhood.nodes,
        key=lambda pair: (pair[1], days[pair[0].id] is None, days[pair[0].id] or 0, pair[0].id),
    )
    taken: dict[int, list[float]] = {}
    lane_of: dict[str, tuple[int, float]] = {}
    for node, _ in order:
        ordinal = days[node.id]
        x = scale(ordinal) if ordinal is not None else float(undated_x or right)
        for lane in _lanes():
            if all(abs(x - other) >= GAP for other in taken.get(lane, ())):
                break
        taken.setdefault(lane, []).append(x)
        lane_of[node.id] = (lane, x)
    lanes = [lane for lane, _ in lane_of.values()]
    top_lane = min(lanes, default=0)
    count = max(lanes, default=0) - top_lane + 1
    axis_y = TOP + count * LANE
    placed = {}
    for node, distance in neighbourhood.nodes:
        lane, x = lane_of[node.id]
        placed[node.id] = PlacedNode(
            node,
            distance,
            round(x, 1),
            round(TOP + (lane - top_lane) * LANE + LANE / 2, 1),
            round(radius(node.in_degree), 1),
            href(node),
            _day(node),
        )
    lines = []
    centre = neighbourhood.centre.id
    for source, target in neighbourhood.edges:
        a, b = placed[source], placed[target]
        dx, dy = b.x - a.x, b.y - a.y
        length = math.hypot(dx, dy) or 1.0
        x1, y1 = a.x + dx * a.r / length, a.y + dy * a.r / length
        x2, y2 = b.x - dx * (b.r + 2) / length, b.y - dy * (b.r + 2) / length
        bend = min(BEND, 0.2 * length)
        cx, cy = (x1 + x2) / 2 + dy / length * bend, (y1 + y2) / 2 - dx / length * bend
        path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
        lines.append(Line(path, source, target, centre in (source, target)))
    ticks = _ticks(low, high, scale) if dated and high > low else []
    return Drawing(
        WIDTH,
        int(axis_y + AXIS),
        [placed[n.id] for n, _ in neighbourhood.nodes],
        lines,
        [(round(x, 1), label) for x, label in ticks],
        undated_x,
        axis_y,
    )
