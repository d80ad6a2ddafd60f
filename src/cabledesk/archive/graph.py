"""The citation graph (docs/graph.md): cables and the cables they cite, with in- and
out-degree, PageRank, weakly connected components, estimated dates of cited cables the
archive does not hold, threads, and the most cited.

Built per class of reader, like the entity summaries (entity_views.py): a `Visibility`
says in the store's terms which cables exist for the reader and which of their
references count; `build` makes that reader's whole graph from one snapshot of the
archive and writes it into a cache database beside the archive's (`graph-views.db`),
stamped with what it is of; `Graphs.fresh` hands out a view's graph only while the stamp
is the archive's own, and builds it again (in the caller's thread) otherwise. Nothing a
reader receives is read from another class's graph.

Nodes are the reader's cables (the archive's, or the latest edition's for the public)
and every id their counted references cite that is not one of them ("not in this
archive"). Edges: citing cable → cited id, once per pair, never a cable to itself; an id
cited as a message (`77STATE17976`) that the archive holds as PlusD documents joins its
first document (`77STATE17976_a`), as the cited-by lists do (store.citing_ids). An edge
comes from the REF lines, from ids cited in the paragraphs (text_citations.py, each
paragraph as the reader receives it), or both: `via`, a bit set (VIA_REF, VIA_TEXT).
The ids each stored version's paragraphs cite are kept in the cache (`texts`,
`text_cites`, keyed by the version's text hash), so a build reads the records of new
versions only.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import sqlite3
import statistics
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from cabledesk.archive import text_citations
from cabledesk.archive.cache_file import open_cache
from cabledesk.archive.editions import records_of_versions
from cabledesk.archive.entity_views import stamp
from cabledesk.archive.view_cache import Builds, CacheReader, build_lock, reader_key
from cabledesk.parse.ids import CitingCable
from cabledesk.record.ids import first_part, normal_id
from cabledesk.record.model import Cable
from cabledesk.redact.ceiling import may_see, portion

CACHE = "graph-views.db"
_CACHE_SCHEMA = 2
# How an edge is made: by a REF item, by an id cited in a paragraph (bits; both: 3).
VIA_REF = 1
VIA_TEXT = 2
VIA_NAMES = {VIA_REF: "ref", VIA_TEXT: "text", VIA_REF | VIA_TEXT: "ref+text"}
DAMPING = 0.85
# PageRank stops when an iteration moves the ranks by less than this in all (L1).
TOLERANCE = 1e-10
MAX_ITERATIONS = 300
# A cable id: two digits of the year, the station, the serial (and a PlusD document's
# letter, `_a`).
_CABLE_ID = re.compile(r"(\d{2})([A-Z]+)(\d{1,7})(?:_[a-z])?")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS views (view TEXT PRIMARY KEY, stamp TEXT NOT NULL,
    summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    view TEXT NOT NULL, n INTEGER NOT NULL, id TEXT NOT NULL, archived INTEGER NOT NULL,
    date TEXT, origin TEXT, estimate TEXT, how TEXT NOT NULL,
    indegree INTEGER NOT NULL, outdegree INTEGER NOT NULL, pagerank REAL NOT NULL,
    component INTEGER NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (view, n)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS nodes_id ON nodes (view, id);
CREATE INDEX IF NOT EXISTS nodes_cited ON nodes (view, indegree DESC, id);
CREATE TABLE IF NOT EXISTS edges (
    view TEXT NOT NULL, src INTEGER NOT NULL, dst INTEGER NOT NULL, via INTEGER NOT NULL,
    PRIMARY KEY (view, src, dst)) WITHOUT ROWID;
DROP INDEX IF EXISTS edges_dst;
CREATE INDEX IF NOT EXISTS edges_into ON edges (view, dst, src, via);
CREATE TABLE IF NOT EXISTS texts (reference_id TEXT NOT NULL, text_hash TEXT NOT NULL,
    citing TEXT NOT NULL, PRIMARY KEY (reference_id, text_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS text_cites (
    reference_id TEXT NOT NULL, text_hash TEXT NOT NULL, position INTEGER NOT NULL,
    number INTEGER, marking TEXT, paragraph TEXT NOT NULL, ids TEXT NOT NULL,
    PRIMARY KEY (reference_id, text_hash, position)) WITHOUT ROWID;
PRAGMA user_version = {_CACHE_SCHEMA};
"""
_TABLES = ("nodes", "edges")
_SCANS = ("texts", "text_cites")


@dataclass(frozen=True)
class Visibility:
    """Which cables and references a reader's graph holds, in the store's terms (the
    facade makes it from a Viewer).

    `published_only`: only the latest edition's cables exist, each as the version
    published. `ceiling` (a level's rank; None: no limit) and `foreign`: a cable's
    references count only when its REF lines are at or below the ceiling (they stand at
    the cable's own level) and not NOFORN for a foreign reader. `hides(citing id, REF
    text)`: True when a redaction in force changes that REF item, which then does not
    count (fail closed); `rules` names those rules in the view key. `public`: also every
    edge of the public's graph (a signed-in reader never gets less than the public).
    Ids cited in paragraphs: a paragraph counts only when its own marking is within the
    ceiling (as the viewer's), none of `withheld(citing id)` (the paragraph rules in force),
    and the ids are read from `burn(citing id, paragraph)`, the text with the redactions in
    force burned in."""

    ceiling: int | None = None
    foreign: bool = False
    published_only: bool = False
    rules: str = ""
    public: Visibility | None = None
    hides: Callable[[str, str], bool] | None = field(default=None, compare=False, hash=False)
    burn: Callable[[str, str], str] | None = field(default=None, compare=False, hash=False)
    withheld: Callable[[str], set[int]] | None = field(default=None, compare=False, hash=False)


# How a view's summary is made: in the key, so a summary of the older kind (every view's
# with the figures of the scan of every text) is never handed out again.
SUMMARY_METHOD = 2


def view_key(seen: Visibility) -> str:
    """Every field of the Visibility spelled out: equal keys hold the same graph."""
    more: dict[str, object] = {"rules": seen.rules, "summary": SUMMARY_METHOD}
    if seen.public is not None:
        more["public"] = "(" + view_key(seen.public) + ")"
    return reader_key(seen.ceiling, seen.foreign, seen.published_only, **more)


# --- reading the reader's cables and references out of the archive --------------------


@dataclass
class Collected:
    """A reader's cables ({id: (date, origin)}) and citations ({(citing, cited)}), each
    citation with how it is made ({(citing, cited): VIA bits})."""

    cables: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)
    via: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, source: str, cited: str, how: int) -> None:
        self.edges.add((source, cited))
        self.via[(source, cited)] = self.via.get((source, cited), 0) | how


# (reference id, text hash) -> (the citing cable, the paragraphs citing ids)
Texts = dict[tuple[str, str], tuple[CitingCable, list[text_citations.Cited]]]


def _paragraph_check(seen: Visibility) -> Callable[[str | None, str | None, str], bool]:
    """Whether a paragraph counts for the reader, by its marking (else the cable's level)."""
    if seen.ceiling is None:
        return lambda marking, classification, caveats: True
    ceiling, foreign = seen.ceiling, seen.foreign

    def check(marking: str | None, classification: str | None, caveats: str) -> bool:
        parsed = json.loads(caveats) if caveats else []
        rank, noforn = portion(marking, classification, parsed)
        return may_see(int(rank), noforn, ceiling, foreign)

    return check


def _text_edges(
    found: Collected,
    seen: Visibility,
    reference_id: str,
    scanned: tuple[CitingCable, list[text_citations.Cited]] | None,
    classification: str | None,
    caveats: str,
) -> None:
    """The ids the cable's paragraphs cite, as the reader receives them (fail closed)."""
    if not scanned:
        return
    citing, paragraphs = scanned
    counts = _paragraph_check(seen)
    withheld = seen.withheld(reference_id) if seen.withheld else set()
    for cited in paragraphs:
        if cited.number is not None and cited.number in withheld:
            continue
        if not counts(cited.marking, classification, caveats):
            continue
        ids: Iterable[str] = cited.ids
        if seen.burn is not None:
            shown = seen.burn(reference_id, cited.text)
            if shown != cited.text:
                ids = [i for i in text_citations.find(shown, citing) if i in cited.ids]
        for cable_id in ids:
            found.add(reference_id, cable_id, VIA_TEXT)


def _level_check(seen: Visibility) -> Callable[[str | None, str], bool]:
    """Whether a cable's REF lines count for the reader, by its classification and
    caveats (the viewer's own rule: `portion` at the cable's level, `may_see`)."""
    if seen.ceiling is None:
        return lambda classification, caveats: True
    ceiling, foreign = seen.ceiling, seen.foreign
    memo: dict[tuple[str | None, str], bool] = {}

    def check(classification: str | None, caveats: str) -> bool:
        key = (classification, caveats)
        if key not in memo:
            parsed = json.loads(caveats) if caveats else []
            rank, noforn = portion(None, classification, parsed)
            memo[key] = may_see(int(rank), noforn, ceiling, foreign)
        return memo[key]

    return check


def collect(
    connection: sqlite3.Connection, seen: Visibility, texts: Texts | None = None
) -> Collected:
    """The reader's cables and the citations that count for them, read in the caller's
    transaction; `texts`: the ids cited in the paragraphs of each version (`scan_texts`;
    None: REF lines only)."""
    texts = texts if texts is not None else {}
    found = Collected()
    counts = _level_check(seen)
    hides = seen.hides
    # cable row id -> reference id, for the cables whose stored REF rows count.
    citing: dict[int, str] = {}
    if seen.published_only:
        rows = connection.execute(
            "SELECT c.id, c.reference_id, c.date, c.origin, c.classification, c.caveats, "
            "c.text_hash = w.text_hash, c.text_hash FROM edition_cables w "
            "JOIN cables c ON c.reference_id = w.reference_id "
            "WHERE w.edition_id = (SELECT max(id) FROM editions)"
        ).fetchall()
        for row_id, reference_id, date, origin, classification, caveats, same, hashed in rows:
            if same:
                found.cables[reference_id] = (date, origin)
                if counts(classification, caveats):
                    citing[row_id] = reference_id
                scanned = texts.get((reference_id, hashed))
                _text_edges(found, seen, reference_id, scanned, classification, caveats)
        # Cables changed since the edition: the version published says what they are.
        changed = (
            "SELECT w.reference_id, w.text_hash FROM edition_cables w "
            "JOIN cables c ON c.reference_id = w.reference_id "
            "WHERE w.edition_id = (SELECT max(id) FROM editions) AND w.text_hash != c.text_hash"
        )
        hashes = dict(connection.execute(changed).fetchall())
        for reference_id, record in records_of_versions(connection, changed):
            sent = record.header.sent or record.created
            found.cables[reference_id] = (sent[:10] if sent else None, record.origin)
            level = json.dumps(record.caveats)
            scanned = texts.get((reference_id, hashes.get(reference_id, "")))
            _text_edges(found, seen, reference_id, scanned, record.classification, level)
            if not counts(record.classification, level):
                continue
            for reference in record.references:
                if reference.cable_id and not (hides and hides(reference_id, reference.text)):
                    found.add(reference_id, reference.cable_id, VIA_REF)
    else:
        for (
            row_id,
            reference_id,
            date,
            origin,
            classification,
            caveats,
            hashed,
        ) in connection.execute(
            "SELECT id, reference_id, date, origin, classification, caveats, text_hash FROM cables"
        ):
            found.cables[reference_id] = (date, origin)
            if counts(classification, caveats):
                citing[row_id] = reference_id
            scanned = texts.get((reference_id, hashed))
            _text_edges(found, seen, reference_id, scanned, classification, caveats)
    for row_id, cited, text in connection.execute(
        "SELECT cable_id, cited_id, text FROM refs WHERE cited_id IS NOT NULL"
    ):
        source = citing.get(row_id)
        if source is not None and not (hides and hides(source, text)):
            found.add(source, cited, VIA_REF)
    if seen.public is not None:
        public = collect(connection, seen.public, texts)
        for (source, cited), how in public.via.items():
            found.add(source, cited, how)
    # Ids as nodes: a message's id joins its first PlusD document; no cable cites itself.
    via: dict[tuple[str, str], int] = {}
    for (source, cited), how in found.via.items():
        if cited not in found.cables and cited + "_a" in found.cables:
            cited = cited + "_a"
        if cited != source:
            via[(source, cited)] = via.get((source, cited), 0) | how
    found.via = via
    found.edges = set(via)
    return found


def wanted_versions(connection: sqlite3.Connection, seen: Visibility) -> set[tuple[str, str]]:
    """The versions (reference id, text hash) whose paragraphs `seen`'s graph reads."""
    latest = (
        "SELECT reference_id, text_hash FROM edition_cables "
        "WHERE edition_id = (SELECT max(id) FROM editions)"
    )
    wanted: set[tuple[str, str]] = set()
    if seen.published_only:
        wanted.update(connection.execute(latest))
    else:
        wanted.update(connection.execute("SELECT reference_id, text_hash FROM cables"))
    if seen.public is not None:
        wanted |= wanted_versions(connection, seen.public)
    return wanted


# The cache's rows for one scanned version: (reference id, text hash, the citing cable as
# JSON) and, per paragraph citing ids, (reference id, text hash, position, number, marking,
# text, the ids as JSON).
ScanRow = tuple[str, str, str]
CiteRow = tuple[str, str, int, int | None, str | None, str, str]


def scan_record(
    reference_id: str,
    text_hash: str,
    record: Cable,
    scans: list[ScanRow],
    cites: list[CiteRow],
) -> None:
    """Scan one version's paragraphs for cited ids, appending its cache rows (here for
    `scan_texts`, or in the enrichment job's workers during their one pass over the
    records: archive/enrich.py)."""
    citing = text_citations.citing_of(record)
    scans.append(
        (
            reference_id,
            text_hash,
            json.dumps([citing.year, citing.day, citing.station, citing.serial]),
        )
    )
    for cited in text_citations.cited_in(record):
        cites.append(
            (reference_id, text_hash, cited.position, cited.number, cited.marking,
             cited.text, json.dumps(cited.ids))
        )  # fmt: skip


def store_scans(cache: sqlite3.Connection, scans: list[ScanRow], cites: list[CiteRow]) -> None:
    """Add scanned versions to the cache (keyed by their text hash: the same rows
    whoever scanned them), in one transaction."""
    cache.execute("BEGIN IMMEDIATE")
    try:
        cache.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)", scans)
        cache.executemany("INSERT OR REPLACE INTO text_cites VALUES (?, ?, ?, ?, ?, ?, ?)", cites)
        cache.execute("COMMIT")
    except BaseException:
        cache.execute("ROLLBACK")
        raise


def scan_texts(
    connection: sqlite3.Connection, cache: sqlite3.Connection, wanted: set[tuple[str, str]]
) -> tuple[Texts, int]:
    """The ids cited in the paragraphs of each wanted version: from the cache, the
    versions it has not seen read from the archive (in the caller's snapshot), scanned
    and added to it. Returns them and how many versions were scanned now."""
    known = set(cache.execute("SELECT reference_id, text_hash FROM texts"))
    missing = sorted(wanted - known)
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        rows = json.dumps(chunk)
        select = (
            "SELECT json_extract(value, '$[0]') AS reference_id, "
            "json_extract(value, '$[1]') AS text_hash FROM json_each(?)"
        )
        hashes = dict(chunk)
        scans: list[ScanRow] = []
        cites: list[CiteRow] = []
        for reference_id, record in records_of_versions(connection, select, (rows,)):
            scan_record(reference_id, hashes[reference_id], record, scans, cites)
        store_scans(cache, scans, cites)
    texts: Texts = {}
    citings = {}
    for reference_id, text_hash, citing_json in cache.execute(
        "SELECT t.reference_id, t.text_hash, t.citing FROM texts t WHERE EXISTS "
        "(SELECT 1 FROM text_cites c WHERE c.reference_id = t.reference_id "
        "AND c.text_hash = t.text_hash)"
    ):
        citings[(reference_id, text_hash)] = CitingCable(*json.loads(citing_json))
    for reference_id, text_hash, position, number, marking, paragraph, ids in cache.execute(
        "SELECT reference_id, text_hash, position, number, marking, paragraph, ids "
        "FROM text_cites ORDER BY reference_id, text_hash, position"
    ):
        key = (reference_id, text_hash)
        if key not in wanted:
            continue
        entry = texts.setdefault(key, (citings[key], []))
        entry[1].append(
            text_citations.Cited(position, number, marking, paragraph, tuple(json.loads(ids)))
        )
    return texts, len(missing)


# --- the metrics ----------------------------------------------------------------------


def pagerank(
    count: int, edges: list[tuple[int, int]], damping: float = DAMPING
) -> tuple[list[float], int]:
    """PageRank of nodes 0..count-1 by power iteration, uniform teleport, the rank of
    nodes without out-edges spread over every node; sums to 1. Returns (ranks,
    iterations)."""
    if count == 0:
        return [], 0
    outdegree = [0] * count
    incoming: list[list[int]] = [[] for _ in range(count)]
    for source, target in edges:
        outdegree[source] += 1
        incoming[target].append(source)
    dangling = [n for n in range(count) if outdegree[n] == 0]
    share = [damping / d if d else 0.0 for d in outdegree]
    targets = [n for n in range(count) if incoming[n]]
    sources = [incoming[n] for n in targets]
    rank = [1.0 / count] * count
    iterations = 0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        lost = sum(rank[n] for n in dangling)
        base = (1.0 - damping + damping * lost) / count
        scaled = [r * s for r, s in zip(rank, share, strict=True)]
        new = [base] * count
        for target, froms in zip(targets, sources, strict=True):
            new[target] = base + sum([scaled[s] for s in froms])
        change = sum([abs(a - b) for a, b in zip(new, rank, strict=True)])
        rank = new
        if change < TOLERANCE:
            break
    total = sum(rank)
    return [r / total for r in rank], iterations


def components(count: int, edges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Weakly connected components by union-find: (component of each node, its size).
    Components are numbered from 1, largest first (ties: the one holding the lowest
    node number first)."""
    parent = list(range(count))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    roots = [root(n) for n in range(count)]
    sizes: dict[int, int] = {}
    for r in roots:
        sizes[r] = sizes.get(r, 0) + 1
    order = sorted(sizes, key=lambda r: (-sizes[r], r))
    number = {r: i + 1 for i, r in enumerate(order)}
    return [number[r] for r in roots], [sizes[r] for r in roots]


# --- estimated dates of cited cables the reader's archive does not hold ---------------


def parse_id(cable_id: str) -> tuple[int, str, int] | None:
    """(two-digit year, station, serial) of a cable id, or None."""
    found = _CABLE_ID.fullmatch(cable_id)
    if found is None:
        return None
    return int(found.group(1)), found.group(2), int(found.group(3))


def _ordinal(day: str | None) -> int | None:
    if not day:
        return None
    try:
        return Date.fromisoformat(day[:10]).toordinal()
    except ValueError:
        return None


class Serials:
    """The dated cables of each station and year, by serial: what a missing cable's date
    is estimated from."""

    def __init__(self, cables: dict[str, tuple[str | None, str | None]]) -> None:
        lists: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for cable_id, (day, _) in cables.items():
            parsed, ordinal = parse_id(cable_id), _ordinal(day)
            if parsed is None or ordinal is None:
                continue
            lists.setdefault(parsed[:2], []).append((parsed[2], ordinal))
        self.serials: dict[tuple[int, str], list[int]] = {}
        self.days: dict[tuple[int, str], list[int]] = {}
        for key, pairs in lists.items():
            pairs.sort()
            self.serials[key] = [s for s, _ in pairs]
            self.days[key] = [d for _, d in pairs]

    def estimate(
        self, cable_id: str, leave_out: int | None = None, max_gap: int | None = None
    ) -> tuple[str | None, str]:
        """(estimated date, how): `between` (interpolated between the nearest lower and
        higher serial of the same station and year that have dates), `after` (only lower
        serials: the date of the nearest), `before` (only higher ones), `none`.
        `leave_out`: the position of the cable itself in its list (the quality check).
        `max_gap` (days; the coverage report's 90): neighbours further apart than that
        give no date (`gap`): a long silence says nothing about where in it a serial fell."""
        parsed = parse_id(cable_id)
        if parsed is None or parsed[:2] not in self.serials:
            return None, "none"
        serials, days = self.serials[parsed[:2]], self.days[parsed[:2]]
        serial = parsed[2]
        low = bisect.bisect_left(serials, serial) - 1
        high = bisect.bisect_right(serials, serial)
        if leave_out is not None:
            low, high = leave_out - 1, leave_out + 1
        has_low, has_high = low >= 0, high < len(serials)
        if has_low and has_high:
            s0, s1, d0, d1 = serials[low], serials[high], days[low], days[high]
            if max_gap is not None and abs(d1 - d0) > max_gap:
                return None, "gap"
            day = d0 if s1 == s0 else round(d0 + (d1 - d0) * (serial - s0) / (s1 - s0))
            return Date.fromordinal(day).isoformat(), "between"
        if has_low:
            return Date.fromordinal(days[low]).isoformat(), "after"
        if has_high:
            return Date.fromordinal(days[high]).isoformat(), "before"
        return None, "none"

    def quality(self) -> dict[str, object]:
        """How good the estimate is on the reader's own dated cables, each left out in
        turn: per method, how many, the median and 90th percentile error in days, and
        the share within 7 and 30 days."""
        errors: dict[str, list[int]] = {"between": [], "after": [], "before": []}
        for key, serials in self.serials.items():
            days = self.days[key]
            station = key[1]
            for position, serial in enumerate(serials):
                # Ties (the same serial twice) would find the cable itself.
                if (position > 0 and serials[position - 1] == serial) or (
                    position + 1 < len(serials) and serials[position + 1] == serial
                ):
                    continue
                name = f"{key[0]:02d}{station}{serial}"
                day, how = self.estimate(name, leave_out=position)
                if day is None:
                    continue
                errors[how].append(abs(Date.fromisoformat(day).toordinal() - days[position]))
        found: dict[str, object] = {}
        for how, values in errors.items():
            if not values:
                found[how] = {"cables": 0}
                continue
            values.sort()
            found[how] = {
                "cables": len(values),
                "median_days": statistics.median(values),
                "p90_days": values[min(len(values) - 1, int(0.9 * len(values)))],
                "within_7_days": round(sum(v <= 7 for v in values) / len(values), 4),
                "within_30_days": round(sum(v <= 30 for v in values) / len(values), 4),
            }
        return found


# --- building a reader's graph ----------------------------------------------------------


@dataclass
class Built:
    """A reader's graph in memory (what the cache holds)."""

    ids: list[str]
    archived: int  # nodes 0..archived-1 are the reader's cables, the rest are missing
    cables: dict[str, tuple[str | None, str | None]]
    edges: list[tuple[int, int]]
    via: list[int]  # how each edge is made (VIA bits), in the order of `edges`
    indegree: list[int]
    outdegree: list[int]
    rank: list[float]
    component: list[int]
    size: list[int]
    estimates: dict[int, tuple[str | None, str]]
    summary: dict[str, object]


def compute(found: Collected, quality: bool = True) -> Built:
    """Every metric of a reader's graph from their cables and citations."""
    started = time.process_time()
    archived_ids = sorted(found.cables)
    missing = sorted({cited for _, cited in found.edges if cited not in found.cables})
    ids = archived_ids + missing
    number = {cable_id: n for n, cable_id in enumerate(ids)}
    edges = sorted((number[a], number[b]) for a, b in found.edges)
    via = [found.via.get((ids[a], ids[b]), VIA_REF) for a, b in edges]
    count = len(ids)
    indegree, outdegree = [0] * count, [0] * count
    for a, b in edges:
        outdegree[a] += 1
        indegree[b] += 1
    rank, iterations = pagerank(count, edges)
    component, size = components(count, edges)
    serials = Serials(found.cables)
    estimates = {n: serials.estimate(ids[n]) for n in range(len(archived_ids), count)}
    largest = max(size, default=0)
    summary: dict[str, object] = {
        "cables": len(archived_ids),
        "missing": len(missing),
        "nodes": count,
        "edges": len(edges),
        "edges_ref_only": via.count(VIA_REF),
        "edges_text_only": via.count(VIA_TEXT),
        "edges_ref_and_text": via.count(VIA_REF | VIA_TEXT),
        "citing_cables": sum(1 for n in range(len(archived_ids)) if outdegree[n]),
        "cited_in_archive": sum(1 for n in range(len(archived_ids)) if indegree[n]),
        "components": len(set(component)),
        "largest_component": largest,
        "pagerank_iterations": iterations,
        "missing_estimated": sum(1 for e in estimates.values() if e[0] is not None),
    }
    if quality:
        summary["estimate_quality"] = serials.quality()
    summary["compute_cpu_seconds"] = round(time.process_time() - started, 3)
    return Built(
        ids,
        len(archived_ids),
        found.cables,
        edges,
        via,
        indegree,
        outdegree,
        rank,
        component,
        size,
        estimates,
        summary,
    )


def node_rows(view: str, built: Built) -> Iterator[tuple[object, ...]]:
    for n, cable_id in enumerate(built.ids):
        if n < built.archived:
            day, origin = built.cables[cable_id]
            estimate, how = None, "archived"
        else:
            day, origin = None, None
            estimate, how = built.estimates[n]
        yield (
            view,
            n,
            cable_id,
            int(n < built.archived),
            day,
            origin,
            estimate,
            how,
            built.indegree[n],
            built.outdegree[n],
            built.rank[n],
            built.component[n],
            built.size[n],
        )


# --- what a reader is handed: one view's graph in the cache -----------------------------


@dataclass(frozen=True)
class Node:
    """One node of a reader's graph. A cited cable the reader's archive does not hold has
    `archived` False, no date or origin, and an `estimated_date` with how it was made."""

    id: str
    archived: bool
    date: str | None
    origin: str | None
    estimated_date: str | None
    estimate: str  # archived, between, after, before, none
    in_degree: int
    out_degree: int
    pagerank: float
    component: int
    component_size: int


_NODE = "id, archived, date, origin, estimate, how, indegree, outdegree, pagerank, component, size"


def _node(row: tuple[object, ...]) -> Node:
    i, archived, day, origin, estimate, how, indeg, outdeg, rank, comp, size = row
    return Node(
        str(i),
        bool(archived),
        day if isinstance(day, str) else None,
        origin if isinstance(origin, str) else None,
        estimate if isinstance(estimate, str) else None,
        str(how),
        int(str(indeg)),
        int(str(outdeg)),
        float(str(rank)),
        int(str(comp)),
        int(str(size)),
    )


@dataclass(frozen=True)
class ThreadEntry:
    node: Node
    distance: int  # citation hops from the cable the thread is of
    cites: list[str]  # the thread's cables this one cites
    cited_by: list[str]  # the thread's cables that cite this one


@dataclass(frozen=True)
class CableLinks:
    """A node with what it cites and the cables citing it, in one reader's graph."""

    node: Node
    cites: list[Node]
    cited_by: list[Node]
    # How each citation is made ("ref", "text" or "ref+text"), by the other node's id.
    cites_via: dict[str, str] = field(default_factory=dict)
    cited_by_via: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cited:
    """A most-cited entry: the node, its citations counted, the subject of a cable of the
    reader's archive as the reader sees it (None for a missing one)."""

    node: Node
    citations: int
    subject: str | None


# The most nodes a neighbourhood drawing holds (the page says so when there were more).
NEIGHBOURHOOD_NODES = 120


@dataclass(frozen=True)
class Neighbourhood:
    """The nodes within `hops` citations of a node (either way) and the edges among them,
    at most `cap` nodes: the centre, then the nearer nodes first, among equals those with
    more links to the nodes already chosen. `found`: how many nodes were within reach
    (more than `len(nodes)` when capped)."""

    centre: Node
    hops: int
    nodes: list[tuple[Node, int]]  # (node, distance), the centre first
    edges: list[tuple[str, str]]  # (citing, cited)
    found: int
    cap: int

    @property
    def capped(self) -> bool:
        return self.found > len(self.nodes)


class Graph:
    """One reader's graph, fresh when it was handed out (read it at once: the cache is
    rebuilt when the archive changes)."""

    def __init__(
        self, connection: sqlite3.Connection, view: str, stamp: str = "", path: str = ""
    ) -> None:
        self.connection = connection
        self.view = view
        # What the graph is of (Graphs.fresh): with both, the most-cited list is kept in
        # memory between requests for as long as the archive is unchanged.
        self.stamp, self.path = stamp, path

    def summary(self) -> dict[str, object]:
        row = self.connection.execute(
            "SELECT summary FROM views WHERE view = ?", (self.view,)
        ).fetchone()
        loaded = json.loads(row[0]) if row else {}
        return loaded if isinstance(loaded, dict) else {}

    def node(self, cable_id: str) -> Node | None:
        row = self.connection.execute(
            f"SELECT {_NODE} FROM nodes WHERE view = ? AND id = ?", (self.view, cable_id)
        ).fetchone()
        return _node(row) if row else None

    def _number(self, cable_id: str) -> int | None:
        row = self.connection.execute(
            "SELECT n FROM nodes WHERE view = ? AND id = ?", (self.view, cable_id)
        ).fetchone()
        return int(row[0]) if row else None

    def _nodes(self, numbers: Iterable[int]) -> dict[int, Node]:
        """{node number: node} of these numbers."""
        wanted = sorted(set(numbers))
        found: dict[int, Node] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in self.connection.execute(
                f"SELECT n, {_NODE} FROM nodes WHERE view = ? AND n IN "
                f"({','.join('?' * len(chunk))})",
                [self.view, *chunk],
            ):
                found[int(row[0])] = _node(row[1:])
        return found

    def _out(self, n: int) -> list[int]:
        return [
            int(r[0])
            for r in self.connection.execute(
                "SELECT dst FROM edges WHERE view = ? AND src = ?", (self.view, n)
            )
        ]

    def _in(self, n: int) -> list[int]:
        return [
            int(r[0])
            for r in self.connection.execute(
                "SELECT src FROM edges WHERE view = ? AND dst = ?", (self.view, n)
            )
        ]

    def cites(self, cable_id: str) -> list[Node]:
        """The nodes the cable cites (in this graph), by id."""
        n = self._number(cable_id)
        if n is None:
            return []
        return sorted(self._nodes(self._out(n)).values(), key=lambda x: x.id)

    def via(self, cable_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """How the cable's citations are made ("ref", "text", "ref+text"): of those it
        makes, by cited id, and of those citing it, by citing id."""
        n = self._number(cable_id)
        if n is None:
            return {}, {}
        out = self.connection.execute(
            "SELECT dst, via FROM edges WHERE view = ? AND src = ?", (self.view, n)
        ).fetchall()
        into = self.connection.execute(
            "SELECT src, via FROM edges WHERE view = ? AND dst = ?", (self.view, n)
        ).fetchall()
        names = self._nodes({int(m) for m, _ in out} | {int(m) for m, _ in into})
        return (
            {names[int(m)].id: VIA_NAMES[int(v)] for m, v in out},
            {names[int(m)].id: VIA_NAMES[int(v)] for m, v in into},
        )

    def cited_by(self, cable_id: str) -> list[Node]:
        """The cables citing this one (in this graph), oldest first."""
        n = self._number(cable_id)
        if n is None:
            return []
        return sorted(self._nodes(self._in(n)).values(), key=lambda x: (x.date or "", x.id))

    def thread(self, cable_id: str, hops: int = 3, days: int = 183) -> list[ThreadEntry]:
        """The thread around a cable (docs/graph.md, "Threads"): the cables reached from
        it by following citations either way, through cables of the reader's archive
        only, at most `hops` citations away, each dated within `days` of it (a cable
        outside the window is not followed further); in date order, with each one's
        distance and the thread's cables it cites and is cited by. Empty when the cable
        is not one of the reader's."""
        start = self._number(cable_id)
        if start is None:
            return []
        first = self._nodes([start])[start]
        if not first.archived:
            return []
        centre = _ordinal(first.date)
        distance = {start: 0}
        nodes = {start: first}
        frontier = [start]
        for step in range(1, hops + 1):
            reached: set[int] = set()
            for n in frontier:
                reached.update(m for m in (*self._out(n), *self._in(n)) if m not in distance)
            kept = []
            for node_number, node in sorted(self._nodes(reached).items()):
                if not node.archived:
                    continue
                day = _ordinal(node.date)
                if centre is not None and (day is None or abs(day - centre) > days):
                    continue
                distance[node_number] = step
                nodes[node_number] = node
                kept.append(node_number)
            frontier = kept
        members = set(distance)
        entries = []
        for n, node in nodes.items():
            entries.append(
                ThreadEntry(
                    node,
                    distance[n],
                    sorted(nodes[m].id for m in self._out(n) if m in members),
                    sorted(nodes[m].id for m in self._in(n) if m in members),
                )
            )
        return sorted(entries, key=lambda e: (e.node.date or "", e.node.id))

    def most_cited(
        self,
        *,
        archived: bool | None = None,
        citing: set[str] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[tuple[Node, int]]:
        """(node, citations) most cited first (ties by id): `archived` True only the
        reader's cables, False only those missing; `citing`: count only the citations
        made by these cables (a query's), else every citation."""
        where = ["n.view = ?"]
        params: list[object] = [self.view]
        if archived is not None:
            where.append("n.archived = ?")
            params.append(int(archived))
        if citing is None:
            rows = self.connection.execute(
                f"SELECT {', '.join('n.' + c.strip() for c in _NODE.split(','))}, n.indegree "
                f"FROM nodes n WHERE {' AND '.join(where)} AND n.indegree > 0 "
                "ORDER BY n.indegree DESC, n.id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            return [(_node(row[:-1]), int(row[-1])) for row in rows]
        self.connection.execute("DROP TABLE IF EXISTS temp.graph_citing")
        self.connection.execute("CREATE TEMP TABLE graph_citing (id TEXT PRIMARY KEY)")
        try:
            self.connection.executemany(
                "INSERT OR IGNORE INTO temp.graph_citing VALUES (?)", ((i,) for i in citing)
            )
            rows = self.connection.execute(
                f"""SELECT {", ".join("n." + c.strip() for c in _NODE.split(","))}, q.cited
                    FROM (SELECT e.dst AS dst, count(*) AS cited FROM temp.graph_citing t
                          JOIN nodes s ON s.view = ? AND s.id = t.id
                          JOIN edges e ON e.view = s.view AND e.src = s.n GROUP BY e.dst) q
                    JOIN nodes n ON n.view = ? AND n.n = q.dst
                    WHERE {" AND ".join(where)}
                    ORDER BY q.cited DESC, n.id LIMIT ? OFFSET ?""",
                [self.view, self.view, *params, limit, offset],
            ).fetchall()
        finally:
            self.connection.execute("DROP TABLE IF EXISTS temp.graph_citing")
        return [(_node(row[:-1]), int(row[-1])) for row in rows]

    def subgraph(
        self, citing: set[str] | None = None
    ) -> tuple[Iterator[Node], Iterator[tuple[str, str]]]:
        """Nodes and edges (citing id, cited id) of the whole graph, or of the citations
        the cables `citing` make (with those cables, even when they cite nothing)."""
        if citing is None:
            nodes = (
                _node(row)
                for row in self.connection.execute(
                    f"SELECT {_NODE} FROM nodes WHERE view = ? ORDER BY n", (self.view,)
                )
            )
            edges = (
                (str(a), str(b))
                for a, b in self.connection.execute(
                    "SELECT s.id, d.id FROM edges e JOIN nodes s ON s.view = e.view AND "
                    "s.n = e.src JOIN nodes d ON d.view = e.view AND d.n = e.dst "
                    "WHERE e.view = ? ORDER BY e.src, e.dst",
                    (self.view,),
                )
            )
            return nodes, edges
        starts = [n for n in (self._number(i) for i in sorted(citing)) if n is not None]
        pairs = [(s, d) for s in starts for d in self._out(s)]
        chosen = self._nodes({*starts, *(d for _, d in pairs)})
        name = {n: node.id for n, node in chosen.items()}
        return iter(chosen.values()), iter(sorted((name[s], name[d]) for s, d in pairs))

    def _touching(self, numbers: list[int], incoming: bool = True) -> set[tuple[int, int]]:
        """Every edge leaving (and, with `incoming`, entering) these nodes."""
        found: set[tuple[int, int]] = set()
        directions = ("src", "dst") if incoming else ("src",)
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for column in directions:
                # (src, dst): SQLite hands the integers back as they are stored.
                found.update(
                    self.connection.execute(
                        f"SELECT src, dst FROM edges WHERE view = ? AND {column} IN ({marks})",
                        [self.view, *chunk],
                    )
                )
        return found

    def neighbourhood(
        self, cable_id: str, hops: int = 2, cap: int = NEIGHBOURHOOD_NODES
    ) -> Neighbourhood | None:
        """The nodes within `hops` citations of a node, either way, and the edges among
        them; at most `cap` nodes (Neighbourhood). None when the id is no node."""
        start = self._number(cable_id)
        if start is None:
            return None
        distance = {start: 0}
        rings: list[list[int]] = [[start]]
        pairs: set[tuple[int, int]] = set()
        for step in range(1, hops + 1):
            touching = self._touching(rings[-1])
            pairs |= touching
            reached = {m for edge in touching for m in edge if m not in distance}
            for m in reached:
                distance[m] = step
            rings.append(sorted(reached))
        # Nearer first; among equals, more links to the nodes chosen before, then number.
        chosen = [start]
        kept = {start}
        for ring in rings[1:]:
            room = cap - len(chosen)
            if room <= 0:
                break
            if len(ring) > room:
                members = set(ring)
                links = dict.fromkeys(ring, 0)
                for a, b in pairs:
                    if a in kept and b in members:
                        links[b] += 1
                    elif b in kept and a in members:
                        links[a] += 1
                ring = heapq.nsmallest(room, ring, key=lambda m: (-links[m], m))
            chosen.extend(ring)
            kept.update(ring)
        # Edges between two nodes of the outer ring have not been read yet.
        outer = [m for m in chosen if distance[m] == hops]
        pairs |= {(a, b) for a, b in self._touching(outer, incoming=False) if b in kept}
        nodes = self._nodes(chosen)
        edges = sorted(
            (nodes[a].id, nodes[b].id) for a, b in pairs if a in kept and b in kept and a != b
        )
        return Neighbourhood(
            nodes[start], hops, [(nodes[m], distance[m]) for m in chosen], edges, len(distance), cap
        )

    def cited_ids(self, low: int, high: int | None = None) -> list[str]:
        """The reader's own cables cited by at least `low` (and at most `high`) of the
        reader's cables (for `low` of 1 or more: from the ranked list, most cited first)."""
        if low < 1:
            sql = "SELECT id FROM nodes WHERE view = ? AND archived = 1 AND indegree >= ?"
            params: list[object] = [self.view, low]
            if high is not None:
                sql += " AND indegree <= ?"
                params.append(high)
            return sorted(str(r[0]) for r in self.connection.execute(sql, params))
        ids, negated = self._ranked()
        end = bisect.bisect_right(negated, -low)
        start = 0 if high is None else bisect.bisect_left(negated, -high)
        return ids[start:end]

    def ranked(self) -> tuple[list[str], list[int]]:
        """The reader's own cables that are cited: their ids, most cited first (ties by
        id), and how many cite each."""
        ids, negated = self._ranked()
        return ids, [-n for n in negated]

    def _ranked(self) -> tuple[list[str], list[int]]:
        """(ids, minus their citations: ascending), read once per state of the archive."""
        key = (self.path, self.view, self.stamp)
        if self.stamp and self.path:
            with _ranked_guard:
                found = _ranked_kept.get(key)
                if found is not None:
                    _ranked_kept.move_to_end(key)
                    return found
        ids, negated = [], []
        for i, n in self.connection.execute(
            "SELECT id, indegree FROM nodes WHERE view = ? AND archived = 1 "
            "AND indegree > 0 ORDER BY indegree DESC, id",
            (self.view,),
        ):
            ids.append(str(i))
            negated.append(-int(n))
        if self.stamp and self.path:
            with _ranked_guard:
                _ranked_kept[key] = (ids, negated)
                while len(_ranked_kept) > _RANKED_KEPT:
                    _ranked_kept.popitem(last=False)
        return ids, negated


# The ranked lists of the views read last (about 20 MB each at the release's size).
_RANKED_KEPT = 4
_ranked_kept: OrderedDict[tuple[str, str, str], tuple[list[str], list[int]]] = OrderedDict()
_ranked_guard = threading.Lock()


class Graphs:
    """The graph cache of one archive folder, for one handle (one thread at a time, like
    the handle's own connection)."""

    def __init__(self, folder: Path, database: Path) -> None:
        self.path = folder / CACHE
        self.database = database
        self._reader = CacheReader(self.path)
        self._replaced = False  # the cache file was made anew under the reader
        self._builds = Builds(self.path, "graph-views")

    def _fresh_view(self, current: str, key: str) -> Graph | None:
        if self._replaced:
            self._replaced = False
            self._reader.close()
        if self._reader.stamp_of(key) != current:
            return None
        reader = self._reader.connection()
        return None if reader is None else Graph(reader, key, current, str(self.path))

    def fresh(self, connection: sqlite3.Connection, seen: Visibility) -> Graph:
        """The graph of `seen`'s class of reader, of the archive as it stands now: from
        the cache when its stamp is the archive's, else built now (fail closed: a graph
        of another state of the archive is never handed out)."""
        key = view_key(seen)
        found = self._fresh_view(stamp(connection), key)
        if found is not None:
            return found
        with build_lock(self.path, key):
            # Another handle may have built it while this one waited.
            found = self._fresh_view(stamp(connection), key)
            if found is not None:
                return found
            self._reader.close()
            self.build(seen)
        found = self._fresh_view(stamp(connection), key)
        if found is None:
            # The archive changed while the graph was built: build it once more, now.
            self.build(seen)
            found = self._fresh_view(stamp(connection), key)
        if found is None:
            raise sqlite3.OperationalError("the archive keeps changing: try again")
        return found

    def warm(self, seen: Visibility) -> bool:
        """Build `seen`'s graph now, in this thread, unless the cache holds it of the
        archive as it stands (True when it built). Takes the view's lock, so a request
        for the graph meanwhile waits for this build instead of making its own."""
        key = view_key(seen)
        with build_lock(self.path, key):
            source = sqlite3.connect(self.database, timeout=30)
            try:
                current = stamp(source)
            finally:
                source.close()
            cache = sqlite3.connect(self.path, timeout=30) if self.path.exists() else None
            try:
                row = None
                if cache is not None:
                    try:
                        row = cache.execute(
                            "SELECT stamp FROM views WHERE view = ?", (key,)
                        ).fetchone()
                    except sqlite3.Error:
                        row = None
            finally:
                if cache is not None:
                    cache.close()
            if row is not None and row[0] == current:
                return False
            self.build(seen)
            return True

    def add_scans(self, scans: list[ScanRow], cites: list[CiteRow]) -> None:
        """Store versions scanned elsewhere (the enrichment job's workers), so that a
        build reads and scans only the others."""
        writer = self._writer()
        try:
            for start in range(0, len(scans), 20_000):
                # Each version's paragraphs with the version itself (one transaction each).
                part = scans[start : start + 20_000]
                keys = {(r[0], r[1]) for r in part}
                store_scans(writer, part, [c for c in cites if (c[0], c[1]) in keys])
        finally:
            writer.close()

    def request(self, seen: Visibility) -> None:
        """Warm `seen`'s graph in a background thread (after an edition: the public's
        first request then finds it built, or waits only for the rest of this build)."""

        self._builds.request(view_key(seen), lambda: self.warm(seen), queue=True)

    def build(self, seen: Visibility) -> dict[str, object]:
        """Build `seen`'s graph now, in this thread, from one snapshot of the archive;
        returns its summary."""
        key = view_key(seen)
        writer = self._writer()
        try:
            source = sqlite3.connect(self.database, isolation_level=None, timeout=30)
            try:
                source.execute("BEGIN")
                try:
                    now = stamp(source)
                    started = time.process_time()
                    texts, scanned = scan_texts(source, writer, wanted_versions(source, seen))
                    scan = time.process_time() - started
                    found = collect(source, seen, texts)
                    read = time.process_time() - started - scan
                finally:
                    source.execute("ROLLBACK")
            finally:
                source.close()
            built = compute(found)
            if seen == Visibility():
                # Fail closed: scanning and reading covers every version the view wants,
                # text a restricted reader may not see included; only the view of
                # everything gets these figures (docs/graph.md, "Who sees what").
                built.summary["texts_scanned"] = scanned
                built.summary["scan_cpu_seconds"] = round(scan, 3)
                built.summary["read_cpu_seconds"] = round(read, 3)
            started = time.process_time()
            self._write(writer, key, now, built)
            built.summary["write_cpu_seconds"] = round(time.process_time() - started, 3)
        finally:
            writer.close()
        return built.summary

    def _writer(self) -> sqlite3.Connection:
        def prepare(writer: sqlite3.Connection) -> None:
            if writer.execute("PRAGMA user_version").fetchone()[0] != _CACHE_SCHEMA:
                for table in ("views", *_TABLES, *_SCANS):
                    writer.execute(f"DROP TABLE IF EXISTS {table}")
            writer.executescript(_SCHEMA)

        # The owner's only (open_cache): it holds the references and paragraphs citing
        # cables. A torn file is made anew; a busy one is left alone.
        writer, made_anew = open_cache(self.path, prepare)
        if made_anew:
            # The reader holds the file that was replaced: the handle's own thread reopens
            # it at its next read (a build may run in a thread of its own).
            self._replaced = True
        return writer

    def _write(self, writer: sqlite3.Connection, key: str, now: str, built: Built) -> None:
        writer.execute("BEGIN IMMEDIATE")
        try:
            for table in _TABLES:
                writer.execute(f"DELETE FROM {table} WHERE view = ?", (key,))
            writer.executemany(
                "INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                node_rows(key, built),
            )
            writer.executemany(
                "INSERT INTO edges VALUES (?, ?, ?, ?)",
                ((key, a, b, how) for (a, b), how in zip(built.edges, built.via, strict=True)),
            )
            writer.execute(
                "INSERT OR REPLACE INTO views (view, stamp, summary) VALUES (?, ?, ?)",
                (key, now, json.dumps(built.summary)),
            )
            writer.execute("COMMIT")
        except BaseException:
            writer.execute("ROLLBACK")
            raise

    def wait(self) -> None:
        """Wait for the background builds this handle started."""
        self._builds.wait()

    def close(self) -> None:
        self._builds.close()
        self._reader.close()


class Lookup:
    """What the query language asks of one reader's graph (query.graphs.GraphLookup):
    `cited:`, `thread:` and sorting by citations. Lazy: a search that asks none of them
    builds or reads no graph."""

    def __init__(self, graph_of: Callable[[], Graph]) -> None:
        self._graph_of = graph_of
        self._graph: Graph | None = None

    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = self._graph_of()
        return self._graph

    def cited(self, low: int, high: int | None) -> list[str]:
        return self.graph().cited_ids(low, high)

    def thread(self, reference_id: str) -> list[str]:
        graph = self.graph()
        wanted = normal_id(reference_id)
        for name in (wanted, first_part(wanted)):
            if name is not None:
                node = graph.node(name)
                if node is not None:
                    return [e.node.id for e in graph.thread(name)] if node.archived else []
        return []

    def ranked(self) -> tuple[list[str], list[int]]:
        return self.graph().ranked()
