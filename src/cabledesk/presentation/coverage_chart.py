"""Coverage drawn on the server (docs/coverage.md): the share held per post and year as
bars with their intervals, and a post's serial timeline (held, cited-missing, unknown).
Geometry only; the templates write the SVG (presentation attributes: the desk's content
security policy allows no inline styles)."""

from __future__ import annotations

from dataclasses import dataclass

from cabledesk.archive.coverage import PostYear, Timeline, bins

WIDTH = 960
LABEL = 150  # the label column, left of the bars
ROW = 16
STRIP = 22
HELD = "#2a6db5"
MISSING = "#c0392b"
UNKNOWN = "#dde3ea"


@dataclass(frozen=True, slots=True)
class ShareBar:
    label: str
    y: float
    width: float  # the share held, drawn (capped at the plot's width)
    low: float | None  # the interval's ends as shares, drawn
    high: float | None
    text: str  # what the bar says, for screen readers and the tooltip


@dataclass(frozen=True, slots=True)
class ShareChart:
    width: int
    height: int
    plot: int  # the plot's width
    bars: list[ShareBar]
    ticks: list[tuple[float, str]]


def share_chart(rows: list[PostYear]) -> ShareChart | None:
    """One bar a row: the share held (held / estimate), its whisker the share at the
    interval's ends (held / high to held / low)."""
    if not rows:
        return None
    plot = WIDTH - LABEL - 10
    bars = []
    for i, r in enumerate(rows):
        share = r.share_held
        e = r.chosen
        low = r.held / e.high if e.high else None
        high = r.held / e.low if e.low else None
        text = f"{r.post} {r.year}: {r.held:,} held"
        if share is not None and e.point is not None:
            text += (
                f" of about {e.point:,.0f} sent ({share:.1%}; 95% interval {e.low:,} to {e.high:,})"
            )
        bars.append(
            ShareBar(
                f"{r.post} {r.year}",
                10 + i * ROW,
                min(share or 0.0, 1.0) * plot,
                None if low is None else min(low, 1.0) * plot,
                None if high is None else min(high, 1.0) * plot,
                text,
            )
        )
    ticks = [(LABEL + plot * f, f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1.0)]
    return ShareChart(WIDTH, 10 + len(rows) * ROW + 24, plot, bars, ticks)


@dataclass(frozen=True, slots=True)
class Cell:
    x: float
    width: float
    y: float
    height: float
    fill: str


@dataclass(frozen=True, slots=True)
class Strip:
    year: int
    y: float
    highest: int
    held: int
    missing: int
    cells: list[Cell]

    @property
    def text(self) -> str:
        unknown = self.highest - self.held - self.missing
        return (
            f"{self.year}: serials 1 to {self.highest:,}: {self.held:,} held, "
            f"{self.missing:,} cited but missing, {unknown:,} unknown"
        )


@dataclass(frozen=True, slots=True)
class SerialTimeline:
    width: int
    height: int
    strips: list[Strip]


def serial_timeline(years: list[Timeline], columns: int = 400) -> SerialTimeline:
    """A strip a year: the serials 1..highest in at most `columns` columns, each column
    split top to bottom in the shares of held, cited-missing and unknown serials."""
    plot = WIDTH - 60
    step = plot / columns
    strips = []
    for row, t in enumerate(years):
        y = 6.0 + row * (STRIP + 8)
        found = bins(t, columns)
        cells: list[Cell] = []
        width = plot / len(found) if found else step
        for b, (first, last, have, lack, unknown) in enumerate(found):
            size = last - first + 1
            x = 60 + b * width
            top = y
            for count, fill in ((have, HELD), (lack, MISSING), (unknown, UNKNOWN)):
                if not count:
                    continue
                height = STRIP * count / size
                last_cell = cells[-1] if cells else None
                if (
                    count == size
                    and last_cell is not None
                    and last_cell.fill == fill
                    and last_cell.height == STRIP
                    and abs(last_cell.x + last_cell.width - x) < 1e-6
                ):
                    # A run of columns all of one kind: one rectangle.
                    cells[-1] = Cell(last_cell.x, last_cell.width + width, y, STRIP, fill)
                else:
                    cells.append(Cell(x, width, top, height, fill))
                top += height
        strips.append(Strip(t.year, y, t.highest, len(t.held), len(t.missing), cells))
    return SerialTimeline(WIDTH, 12 + len(years) * (STRIP + 8), strips)
