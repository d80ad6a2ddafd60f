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
    # With `share`: the matches as a part of all the reader's cables that month (`of`).
    share: float | None = None
    of: int = 0

    @property
    def label(self) -> str:
        parts = [f"{s.level.lower()} {s.count:,}" for s in self.segments if s.count]
        counted = f"{self.total:,} cable{'' if self.total == 1 else 's'}"
        if self.share is not None:
            counted += f", {self.share:.1%} of the month's {self.of:,}"
        return f"{self.month}: {counted}" + (f" ({', '.join(parts)})" if parts else "")


@dataclass(slots=True)
class Chart:
    bars: list[Bar]
    width: float
    height: int
    peak: int
    ticks: list[tuple[float, str]]  # x, year label
    gridlines: list[tuple[float, int]]  # y, count (with `share`: per mille)
    plot_bottom: float
    first: str = ""  # the axis's first and last month
    last: str = ""
    # Matching cables in months left off the axis (far from the bulk, or outside a zoom).
    left_out: int = 0
    left_out_months: list[str] = field(default_factory=list)
    share: bool = False


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


# A tail of months is left off the axis when it holds at most TAIL_SHARE of the matches
# (or at most TAIL_FEW cables, less than half of them) and lies more than GAP_MONTHS
# from the rest: one 1972 cable must not squeeze 2004-2010 into a sliver of the width.
# The page says what was left off and links to every month.
TAIL_SHARE = 0.05
TAIL_FEW = 2
GAP_MONTHS = 24


def _small_tail(count: int, total: int) -> bool:
    return count <= max(TAIL_SHARE * total, TAIL_FEW) and 2 * count < total


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def axis(months: list[Month]) -> tuple[str, str]:
    """The first and last month of the chart's axis: every month with matches, less a
    small tail at either end (_small_tail) that a gap of more than GAP_MONTHS months
    parts from the rest. `months` oldest first, none empty."""
    total = sum(m.total for m in months)
    low, high = 0, len(months) - 1
    # Walk in from each end while what lies outside stays a small, far tail.
    before = 0
    for i in range(len(months) - 1):
        before += months[i].total
        if not _small_tail(before, total):
            break
        if _index(months[i + 1].month) - _index(months[i].month) > GAP_MONTHS:
            low = i + 1
    after = 0
    for i in range(len(months) - 1, low, -1):
        after += months[i].total
        if not _small_tail(after, total):
            break
        if _index(months[i].month) - _index(months[i - 1].month) > GAP_MONTHS:
            high = i - 1
    return months[low].month, months[high].month


def build(
    months: list[Month],
    *,
    first: str | None = None,
    last: str | None = None,
    whole: bool = False,
    all_cables: list[Month] | None = None,
) -> Chart | None:
    """Bars for every month of the axis (empty months included, so gaps in time show as
    gaps); None when nothing matched. The axis is `first`..`last` when given (a zoom),
    every month with matches when `whole`, else the bulk of them (axis()). With
    `all_cables` (the reader's whole timeline), bars show each month's matches as a part
    of all its cables."""
    if not months:
        return None
    start, end = axis(months) if not whole else (months[0].month, months[-1].month)
    start, end = first or start, last or end
    if _index(end) < _index(start):
        start, end = end, start
    shown = [m for m in months if _index(start) <= _index(m.month) <= _index(end)]
    outside = [m for m in months if not _index(start) <= _index(m.month) <= _index(end)]
    counts = {m.month: m for m in shown}
    everything = {m.month: m.total for m in all_cables} if all_cables is not None else None
    span = _month_range(start, end)
    slot = max(2.0, min(28.0, PLOT_WIDTH / len(span)))
    gap = 1.0 if slot >= 4 else 0.0

    def scale(found: Month) -> float:
        """The bar's height as a part of the plot's: its count, or its share."""
        if everything is None:
            return float(found.total)
        return found.total / max(1, everything.get(found.month, 0), found.total)

    peak_value = max((scale(m) for m in shown), default=0.0)
    peak = max(m.total for m in shown) if shown else 0
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    bottom = float(HEIGHT - MARGIN_BOTTOM)
    bars, ticks = [], []
    for index, month in enumerate(span):
        x = MARGIN_LEFT + index * slot
        if month.endswith("-01") or index == 0:
            ticks.append((x, month[:4]))
        found = counts.get(month)
        bar = Bar(month=month, total=found.total if found else 0, x=x, width=slot - gap)
        if found and everything is not None:
            bar.of = max(everything.get(month, 0), found.total)
            bar.share = found.total / bar.of
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
            if count <= 0 or found is None or peak_value <= 0:
                continue
            height = plot_height * scale(found) / peak_value * count / found.total
            y -= height
            bar.segments.append(Segment(level=level, count=count, y=y, height=height))
        bars.append(bar)
    # Thin the year labels so they never overlap (about 36 px each).
    every = max(1, int(36 // (slot * 12)) + 1) if len(ticks) > 1 else 1
    ticks = [t for i, t in enumerate(ticks) if i % every == 0]
    if everything is None:
        step = _nice_step(peak) if peak else 1
        gridlines = [
            (bottom - plot_height * value / peak, value) for value in range(step, peak + 1, step)
        ] if peak else []  # fmt: skip
    else:
        # Per mille of the month's cables, labelled as percentages by the template.
        top = max(1, round(peak_value * 1000))
        step = _nice_step(top)
        gridlines = [
            (bottom - plot_height * value / 1000 / peak_value, value)
            for value in range(step, top + 1, step)
        ]
    return Chart(
        bars=bars,
        width=MARGIN_LEFT + len(span) * slot + 24,
        height=HEIGHT,
        peak=peak,
        ticks=ticks,
        gridlines=gridlines,
        plot_bottom=bottom,
        first=start,
        last=end,
        left_out=sum(m.total for m in outside),
        left_out_months=[m.month for m in outside],
        share=everything is not None,
    )
