"""The timeline chart's geometry: one stacked bar a month, drawn as SVG by a template.

Computed on the server so the chart needs no JavaScript: every bar is a link that narrows
the query to its month, with a text equivalent for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.query.timeline import Month
from cabledesk.record.level import LEVELS

HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_BOTTOM = 28
MARGIN_TOP = 10
PLOT_WIDTH = 960


@dataclass(slots=True)
class Segment:
    level: str
    count: int
    y: float
    height: float


@dataclass(slots=True)
class Bar:
    month: str
    total: int
    x: float
    width: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def label(self) -> str:
        parts = [f"{s.level.lower()} {s.count:,}" for s in self.segments if s.count]
        return f"{self.month}: {self.total:,} cables" + (f" ({', '.join(parts)})" if parts else "")


@dataclass(slots=True)
class Chart:
    bars: list[Bar]
    width: float
    height: int
    peak: int
    ticks: list[tuple[float, str]]  # x, year label
    gridlines: list[tuple[float, int]]  # y, count
    plot_bottom: float


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _nice_step(peak: int) -> int:
    step = 1
    while peak / step > 5:
        for factor in (2, 5, 10):
            if peak / (step * factor) <= 5:
                return step * factor
        step *= 10
    return step


def build(months: list[Month]) -> Chart | None:
    """Bars for every month from the first to the last with cables (empty months included,
    so gaps in time show as gaps); None when nothing matched."""
    if not months:
        return None
    counts = {m.month: m for m in months}
    span = _month_range(months[0].month, months[-1].month)
    slot = max(2.0, min(28.0, PLOT_WIDTH / len(span)))
    gap = 1.0 if slot >= 4 else 0.0
    peak = max(m.total for m in months)
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    bottom = float(HEIGHT - MARGIN_BOTTOM)
    bars, ticks = [], []
    for index, month in enumerate(span):
        x = MARGIN_LEFT + index * slot
        if month.endswith("-01") or index == 0:
            ticks.append((x, month[:4]))
        found = counts.get(month)
        bar = Bar(month=month, total=found.total if found else 0, x=x, width=slot - gap)
        y = bottom
        for level in (*LEVELS, "OTHER"):
            count = (
                (
                    found.by_classification.get(level, 0)
                    if level != "OTHER"
                    else (found.total - sum(found.by_classification.get(v, 0) for v in LEVELS))
                )
                if found
                else 0
            )
            if count <= 0:
                continue
            height = plot_height * count / peak
            y -= height
            bar.segments.append(Segment(level=level, count=count, y=y, height=height))
        bars.append(bar)
    # Thin the year labels so they never overlap (about 36 px each).
    every = max(1, int(36 // (slot * 12)) + 1) if len(ticks) > 1 else 1
    ticks = [t for i, t in enumerate(ticks) if i % every == 0]
    step = _nice_step(peak)
    gridlines = [
        (bottom - plot_height * value / peak, value) for value in range(step, peak + 1, step)
    ]
    return Chart(
        bars=bars,
        width=MARGIN_LEFT + len(span) * slot + 24,
        height=HEIGHT,
        peak=peak,
        ticks=ticks,
        gridlines=gridlines,
        plot_bottom=bottom,
    )
