"""Coverage (docs/coverage.md): how much of each post's traffic a reader's archive holds.

A reference id carries its post and its serial within the year (`08BAGHDAD1784`). Per
post and year: the serials the reader's archive holds, those its cables cite but it does
not hold, the highest seen, and an estimate of how many cables the post sent, from the
serials seen taken as a sample of 1..N (the "German tank" problem), two ways:

- `umvu`: the unbiased minimum-variance estimator m + m/k - 1 with the exact 95%
  confidence interval from the distribution of the sample maximum
  (P(M <= m | N) = C(m, k) / C(N, k)), inverted at 2.5% each side;
- `bayes`: the posterior under a flat prior on N (N >= m): P(N >= x) =
  C(m-1, k-1) / C(x-1, k-1); the posterior median and the 95% equal-tailed credible
  interval (needs k >= 2: a post's year with one serial seen gets the UMVU estimate).

`bayes` is the default: on generated archives its intervals hold the truth as often
(95-99%) and its median error is lower or equal at every sampling rate up to 20%
(docs/coverage.md).

Everything is read from the reader's own citation graph (archive/graph.py: the same view,
the same cache, fail closed: the public's is the published edition's), so a cable a
reader may not see neither counts as held nor moves a serial estimate. Missing cables get
their date from the graph's `Serials` (interpolated between neighbouring serials of the
same post and year), here refusing gaps longer than `MAX_GAP_DAYS`.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from cabledesk.archive.graph import Graph, Serials, parse_id

Method = Literal["umvu", "bayes"]
METHODS: tuple[Method, ...] = ("umvu", "bayes")
# The default, decided on generated archives (docs/coverage.md, bench/coverage_bench.py).
DEFAULT_METHOD: Method = "bayes"
LEVEL = 0.95
MAX_GAP_DAYS = 90


@dataclass(frozen=True)
class Estimate:
    """How many cables a post sent in a year: a point estimate and a 95% interval
    (None when the sample cannot give one)."""

    point: float | None
    low: int | None
    high: int | None


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _first(low: int, high: int, holds: object) -> int:
    """The least integer in [low, high] for which `holds` is true (high when none)."""
    assert callable(holds)
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _search_top(m: int, k: int, power: int) -> int:
    # Both tails fall at least as fast as (m / N) ** power: beyond this N every
    # probability searched for is below 1%.
    return math.ceil(m * math.pow(100.0, 1.0 / power)) + k + 2


def umvu(k: int, m: int, level: float = LEVEL) -> Estimate:
    """k distinct serials seen, the highest m: m + m/k - 1 and the exact confidence
    interval for N (its ends: the N at which the observed maximum is at the 2.5% tail)."""
    if k < 1 or m < k:
        return Estimate(None, None, None)
    tail = (1.0 - level) / 2
    point = m + m / k - 1
    top = _search_top(m, k, k)
    log_at_most = _log_choose(m, k)
    # Upper end: the largest N with P(M <= m | N) >= tail.
    high = _first(m, top, lambda n: log_at_most - _log_choose(n, k) < math.log(tail)) - 1
    high = max(high, m)
    # Lower end: the least N with P(M >= m | N) = 1 - C(m-1, k)/C(N, k) >= tail.
    if m - 1 < k:
        low = m
    else:
        log_below = _log_choose(m - 1, k)
        low = _first(m, top, lambda n: math.exp(log_below - _log_choose(n, k)) <= 1.0 - tail)
    return Estimate(point, low, high)


def bayes(k: int, m: int, level: float = LEVEL) -> Estimate:
    """The posterior of N under a flat prior on N >= m, k distinct serials seen, the
    highest m: its median and equal-tailed credible interval (None for k < 2: the
    posterior is improper)."""
    if k < 2 or m < k:
        return Estimate(None, None, None)
    tail = (1.0 - level) / 2
    top = _search_top(m, k, k - 1)
    log_head = _log_choose(m - 1, k - 1)

    def survival(x: int) -> float:  # P(N >= x | data)
        return math.exp(log_head - _log_choose(x - 1, k - 1)) if x > m else 1.0

    # The least x with P(N <= x) >= q is the least x with P(N >= x + 1) <= 1 - q.
    def quantile(q: float) -> int:
        return _first(m, top, lambda x: survival(x + 1) <= 1.0 - q)

    return Estimate(float(quantile(0.5)), quantile(tail), quantile(1.0 - tail))


def estimate(k: int, m: int, method: Method = DEFAULT_METHOD) -> Estimate:
    return umvu(k, m) if method == "umvu" else bayes(k, m)


def full_year(two_digits: int) -> int:
    """The year of an id's two digits (the cables run from 1966)."""
    return 1900 + two_digits if two_digits >= 66 else 2000 + two_digits


@dataclass(frozen=True)
class PostYear:
    """One post's year in a reader's archive."""

    post: str
    year: int
    held: int  # distinct serials held (a message's PlusD documents count once)
    cited_missing: int  # distinct serials cited but not held
    highest: int  # the highest serial seen, held or cited
    umvu: Estimate
    bayes: Estimate
    method: Method

    @property
    def seen(self) -> int:
        return self.held + self.cited_missing

    @property
    def used(self) -> Method:
        """The method of the row's estimate: the one asked for, except that the
        posterior needs two serials (with one, the UMVU estimate stands in)."""
        if self.method == "bayes" and self.bayes.point is None:
            return "umvu"
        return self.method

    @property
    def chosen(self) -> Estimate:
        return self.umvu if self.used == "umvu" else self.bayes

    @property
    def share_held(self) -> float | None:
        """Held serials over the estimate of cables sent."""
        point = self.chosen.point
        return self.held / point if point else None

    def as_dict(self) -> dict[str, object]:
        def pair(e: Estimate) -> dict[str, object]:
            return {
                "estimate": None if e.point is None else round(e.point, 1),
                "low": e.low,
                "high": e.high,
            }

        share = self.share_held
        return {
            "post": self.post,
            "year": self.year,
            "held": self.held,
            "cited_missing": self.cited_missing,
            "highest_serial": self.highest,
            "method": self.used,
            "estimate": None if self.chosen.point is None else round(self.chosen.point, 1),
            "low": self.chosen.low,
            "high": self.chosen.high,
            "share_held": None if share is None else round(share, 4),
            "umvu": pair(self.umvu),
            "bayes": pair(self.bayes),
        }


@dataclass(frozen=True)
class Missing:
    """A cited cable the reader's archive does not hold."""

    id: str
    post: str
    year: int
    serial: int
    citations: int  # the reader's cables citing it
    estimated_date: str | None
    estimate: str  # between, after, before, gap, none


@dataclass(frozen=True)
class Timeline:
    """One post's serials in one year: held, cited-missing, and the rest up to the
    highest seen (unknown)."""

    post: str
    year: int
    highest: int
    held: list[int]
    missing: list[int]


class Coverage:
    """A reader's coverage, computed once from their graph (the whole archive's rows).
    Shared between threads once made: it keeps no connection, only what it computed."""

    def __init__(self, graph: Graph) -> None:
        held: dict[tuple[str, int], set[int]] = {}
        cited: dict[tuple[str, int], set[int]] = {}
        dated: dict[str, tuple[str | None, str | None]] = {}
        absent: list[tuple[str, int]] = []
        self.unparsed = 0
        for cable_id, archived, day, indegree in graph.connection.execute(
            "SELECT id, archived, date, indegree FROM nodes WHERE view = ?", (graph.view,)
        ):
            parsed = parse_id(str(cable_id))
            if parsed is None:
                self.unparsed += int(bool(archived))
                continue
            key = (parsed[1], full_year(parsed[0]))
            if archived:
                held.setdefault(key, set()).add(parsed[2])
                dated[str(cable_id)] = (day if isinstance(day, str) else None, None)
            else:
                cited.setdefault(key, set()).add(parsed[2])
                absent.append((str(cable_id), int(indegree)))
        self._held = {key: sorted(s) for key, s in held.items()}
        self._missing = {
            key: sorted(s - held.get(key, set()))
            for key, s in cited.items()
            if s - held.get(key, set())
        }
        serials = Serials(dated)
        missing = []
        for cable_id, indegree in absent:
            parsed = parse_id(cable_id)
            assert parsed is not None
            day, how = serials.estimate(cable_id, max_gap=MAX_GAP_DAYS)
            post, year = parsed[1], full_year(parsed[0])
            if parsed[2] in held.get((post, year), ()):
                # Cited as a message whose other document the archive holds.
                continue
            missing.append(Missing(cable_id, post, year, parsed[2], indegree, day, how))
        missing.sort(key=lambda x: (-x.citations, x.id))
        self.missing = missing
        self._rows: dict[Method, list[PostYear]] = {}

    def rows(self, method: Method = DEFAULT_METHOD) -> list[PostYear]:
        if method not in self._rows:
            found = []
            for key in sorted(set(self._held) | set(self._missing)):
                have, lack = self._held.get(key, []), self._missing.get(key, [])
                highest = max(have[-1] if have else 0, lack[-1] if lack else 0)
                k = len(have) + len(lack)
                found.append(
                    PostYear(
                        key[0],
                        key[1],
                        len(have),
                        len(lack),
                        highest,
                        umvu(k, highest),
                        bayes(k, highest),
                        method,
                    )
                )
            self._rows[method] = found
        return self._rows[method]

    def timeline(self, post: str) -> list[Timeline]:
        """The post's years, oldest first."""
        keys = sorted(k for k in set(self._held) | set(self._missing) if k[0] == post)
        found = []
        for key in keys:
            have, lack = self._held.get(key, []), self._missing.get(key, [])
            highest = max(have[-1] if have else 0, lack[-1] if lack else 0)
            found.append(Timeline(post, key[1], highest, have, lack))
        return found


# Computed coverage of the views read last, per cache file, view and state of the archive.
_KEPT = 4
_kept: OrderedDict[tuple[str, str, str], Coverage] = OrderedDict()
_guard = threading.Lock()


def of(graph: Graph) -> Coverage:
    """The coverage of a reader's graph, kept in memory while the archive is unchanged
    (the key is the graph's stamp: a changed archive is a new graph, computed anew)."""
    key = (graph.path, graph.view, graph.stamp)
    if graph.stamp and graph.path:
        with _guard:
            found = _kept.get(key)
            if found is not None:
                _kept.move_to_end(key)
                return found
    computed = Coverage(graph)
    if graph.stamp and graph.path:
        with _guard:
            _kept[key] = computed
            while len(_kept) > _KEPT:
                _kept.popitem(last=False)
    return computed


SORTS = ("post", "best", "worst", "held", "estimate", "missing")


def select(
    rows: list[PostYear],
    *,
    post: str | None = None,
    year: int | None = None,
    sort: str = "post",
) -> list[PostYear]:
    """Rows of one post and/or year, sorted: `post` (post, year), `best`/`worst` (share
    held, highest/lowest first; rows without an estimate last), `held`, `estimate`,
    `missing` (most first)."""
    chosen = [
        r
        for r in rows
        if (post is None or r.post == post.upper()) and (year is None or r.year == year)
    ]
    if sort == "best":
        chosen.sort(key=lambda r: (r.share_held is None, -(r.share_held or 0), r.post, r.year))
    elif sort == "worst":
        chosen.sort(key=lambda r: (r.share_held is None, r.share_held or 0, r.post, r.year))
    elif sort == "held":
        chosen.sort(key=lambda r: (-r.held, r.post, r.year))
    elif sort == "estimate":
        chosen.sort(key=lambda r: (-(r.chosen.point or 0), r.post, r.year))
    elif sort == "missing":
        chosen.sort(key=lambda r: (-r.cited_missing, r.post, r.year))
    return chosen


def select_missing(
    missing: list[Missing],
    *,
    post: str | None = None,
    year: int | None = None,
    min_citations: int = 1,
) -> list[Missing]:
    return [
        m
        for m in missing
        if (post is None or m.post == post.upper())
        and (year is None or m.year == year)
        and m.citations >= min_citations
    ]


def bins(timeline: Timeline, width: int) -> list[tuple[int, int, int, int, int]]:
    """The serials 1..highest in at most `width` bins: (first serial, last serial, held,
    cited-missing, unknown)."""
    if timeline.highest < 1:
        return []
    count = min(width, timeline.highest)
    found = []
    for b in range(count):
        first = b * timeline.highest // count + 1
        last = (b + 1) * timeline.highest // count
        have = bisect.bisect_right(timeline.held, last) - bisect.bisect_left(timeline.held, first)
        lack = bisect.bisect_right(timeline.missing, last) - bisect.bisect_left(
            timeline.missing, first
        )
        found.append((first, last, have, lack, last - first + 1 - have - lack))
    return found
