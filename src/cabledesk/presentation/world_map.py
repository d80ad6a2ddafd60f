"""The map of origins: each post placed at its city, a circle sized by its matching cables,
over a plain world outline, drawn as SVG on the server (no tiles, no network).

The tables are made once, offline, by tools/build_map_data.py (data/geo/SOURCES.md): where
each post stands (GeoNames cities, CC BY 4.0) and the countries' outlines (Natural Earth
1:110m, public domain, simplified). Equirectangular: x is the longitude, y the latitude,
both linear; the far south (below 58 S: Antarctica, no post) is left out.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources

WIDTH = 960.0
NORTH, SOUTH = 84.0, -58.0
HEIGHT = round(WIDTH * (NORTH - SOUTH) / 360.0, 1)
# The largest circle's radius, and the least one drawn (a single cable stays visible).
MOST_RADIUS = 28.0
LEAST_RADIUS = 2.0


@dataclass(frozen=True, slots=True)
class Post:
    origin: str
    city: str
    country: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Mark:
    origin: str
    city: str
    country: str
    lat: float
    lon: float
    count: int
    x: float
    y: float
    r: float


@dataclass(frozen=True, slots=True)
class OriginMap:
    width: float
    height: float
    # Placed origins, largest first (drawn in that order, so small circles lie on top).
    marks: list[Mark]
    # Origins with matches that the table cannot place, with their counts.
    unplaced: list[tuple[str, int]]
    total: int


def _data(name: str) -> str:
    return (resources.files("cabledesk") / "data" / "geo" / name).read_text(encoding="utf-8")


@cache
def posts() -> dict[str, Post]:
    """Origin name (`Embassy Baghdad`) to where the post stands."""
    table = {}
    for row in csv.DictReader(io.StringIO(_data("posts.csv"))):
        if row["origin"]:
            table[row["origin"]] = Post(
                row["origin"], row["city"], row["country"], float(row["lat"]), float(row["lon"])
            )
    return table


def project(lat: float, lon: float) -> tuple[float, float]:
    """Longitude and latitude to the map's x and y."""
    x = (lon + 180.0) / 360.0 * WIDTH
    y = (NORTH - lat) / (NORTH - SOUTH) * HEIGHT
    return round(x, 1), round(y, 1)


def outline_svg() -> str:
    """The outline alone as an SVG document (served once, cached by browsers, and drawn
    under each map's circles)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'width="{WIDTH:g}" height="{HEIGHT:g}"><path d="{outline()}" fill="#dfe3e8" '
        'stroke="#9aa4ae" stroke-width="0.6" stroke-linejoin="round"/></svg>\n'
    )


@cache
def outline() -> str:
    """The countries' outlines as one SVG path (`d`), in the map's coordinates."""
    parts = []
    for line in _data("world.txt").splitlines():
        points = []
        for pair in line.split():
            lon, lat = (float(v) for v in pair.split(","))
            x, y = project(max(SOUTH, min(NORTH, lat)), lon)
            points.append(f"{x:.0f} {y:.0f}")
        if len(points) > 2:
            parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def build(counts: list[tuple[str, int]]) -> OriginMap:
    """The map of these (origin, cables) counts: circles whose areas are proportional to
    the counts, the largest MOST_RADIUS across."""
    table = posts()
    most = max((n for _, n in counts), default=0)
    marks, unplaced = [], []
    for origin, count in counts:
        post = table.get(origin)
        if post is None or count <= 0:
            unplaced.append((origin, count))
            continue
        x, y = project(post.lat, post.lon)
        r = max(LEAST_RADIUS, MOST_RADIUS * math.sqrt(count / most))
        marks.append(
            Mark(origin, post.city, post.country, post.lat, post.lon, count, x, y, round(r, 1))
        )
    marks.sort(key=lambda m: (-m.count, m.origin))
    return OriginMap(WIDTH, HEIGHT, marks, unplaced, sum(n for _, n in counts))


def standalone_svg(drawn: OriginMap) -> str:
    """The map as one SVG document, its outline drawn in (the command line's `map
    --output svg`)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {drawn.width:g} '
        f'{drawn.height:g}" width="{drawn.width:g}" height="{drawn.height:g}">',
        f'<rect width="{drawn.width:g}" height="{drawn.height:g}" fill="#f4f7fa"/>',
        f'<path d="{outline()}" fill="#dfe3e8" stroke="#9aa4ae" stroke-width="0.6"/>',
    ]
    for m in drawn.marks:
        label = escape(f"{m.origin} ({m.city}): {m.count:,} cable{'' if m.count == 1 else 's'}")
        out.append(
            f'<circle cx="{m.x:g}" cy="{m.y:g}" r="{m.r:g}" fill="#b02626" fill-opacity="0.45" '
            f'stroke="#8b1d1d" stroke-width="0.8"><title>{label}</title></circle>'
        )
    out.append("</svg>\n")
    return "\n".join(out)
