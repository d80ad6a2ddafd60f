"""Near-duplicates (docs/near-duplicates.md): cables that are the same text under two ids,
re-sends and copies, and a shorter text held inside a longer one (a section, an excerpt).

Three steps, each cached in a database beside the archive's (`copies.db`, the owner's
only: it is derived from every cable's text):

1. Sketches. The body of a cable (its paragraphs' text; headers, addressees, dates, the
   subject and the REF lines are left out) is cut into words (lower case), and the words
   into shingles of `SHINGLE` words in a row. Each shingle is hashed to 64 bits and a
   MinHash sketch of `BINS` values is made by one-permutation hashing (the smallest hash
   of each of `BINS` ranges of the hash space; an empty range takes the next non-empty
   one's, rotated, so that two sets still agree in a bin with probability about their
   Jaccard similarity). One sketch per stored text (reference id, text hash): the current
   version of every cable, and the version the latest edition published when it differs.
   Made once per text; an ingest adds the new texts only.
2. Pairs. Locality-sensitive hashing: the sketch is cut into `BANDS` bands of `ROWS`
   values; texts that agree on a whole band are candidates. A candidate is checked only
   when its sketches agree in at least `ESTIMATE_FLOOR` of the bins, or when the
   containment estimated from that and the two sizes is at least `CONTAINED_FLOOR`; the
   check is on the exact shingle sets: a pair is kept when its Jaccard similarity is at least
   `COPY_JACCARD` (a copy) or the shorter text lies at least `CONTAINED` inside the longer
   (containment; the shorter has at least `CONTAINED_MIN` shingles). Redone whenever the
   set of stored texts changes.
3. Groups, per class of reader (fail closed, like the citation graph): a reader's groups
   are the connected components of the pairs between the texts *that reader receives
   whole*, built from the reader's own view, never filtered from someone else's groups:
   the public's nodes are the latest edition's cables as published; a cable whose body
   the reader does not receive exactly as stored (a paragraph above their ceiling or
   NOFORN for a foreign reader, a rule in force that names the cable or burns a word of
   its body) takes no part in that reader's groups: its copies are not shown, and it is
   no one's copy. So nothing derived from text a reader may not see reaches them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sqlite3
import time
import zlib
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cabledesk.archive.blob import unpack_record
from cabledesk.archive.cache_file import open_cache
from cabledesk.archive.entity_views import stamp
from cabledesk.archive.errors import ArchiveError
from cabledesk.archive.view_cache import CacheReader, build_lock, reader_key
from cabledesk.record.words import WORD
from cabledesk.redact.ceiling import may_see, portion

CACHE = "copies.db"
_CACHE_SCHEMA = 1

SHINGLE = 5  # words in a shingle
BINS = 128  # values in a sketch
BANDS = 32  # LSH bands of ROWS values each (BANDS * ROWS == BINS)
ROWS = 4
# A text needs this many shingles (about 24 words) to take part: a line or two of text
# ("1. (U) Please see ref.") is the same in many cables without their being copies.
MIN_SHINGLES = 20
# A candidate pair is checked exactly only when its sketches agree in this share of bins.
ESTIMATE_FLOOR = 0.5
# ... or when the containment estimated from the sketches and the sizes is at least this.
CONTAINED_FLOOR = 0.7
# A copy: Jaccard similarity of the shingle sets at least this (docs/near-duplicates.md,
# how it was chosen).
COPY_JACCARD = 0.7
# Contained: the shorter text's shingles lie at least this much inside the longer one's.
CONTAINED = 0.9
CONTAINED_MIN = 100
# Band buckets holding more texts than this are left out (boilerplate every cable of a
# kind shares); how many were is in the stats.
BUCKET_CEILING = 2000
# What stored sketches and pairs were made with: either changed, they are made again.
SKETCH_METHOD = f"words/{SHINGLE}/{BINS}/{MIN_SHINGLES}/crc32-tuplehash/oph-rotation"
PAIRS_METHOD = (
    f"{SKETCH_METHOD}/{BANDS}x{ROWS}/{ESTIMATE_FLOOR}/{CONTAINED_FLOOR}/{COPY_JACCARD}/"
    f"{CONTAINED}/{CONTAINED_MIN}/{BUCKET_CEILING}"
)

_MASK = (1 << 64) - 1
_SHIFT = 64 - 7  # BINS == 2 ** 7 ranges of the 64-bit hash space
_BOUNDS = [b << _SHIFT for b in range(BINS + 1)]
_LOW = (1 << 32) - 1
_BAND = ROWS * 4  # bytes of a band in a packed sketch

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sketches (
    reference_id TEXT NOT NULL, text_hash TEXT NOT NULL, rank INTEGER NOT NULL,
    noforn INTEGER NOT NULL, shingles INTEGER NOT NULL, sketch BLOB,
    PRIMARY KEY (reference_id, text_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pairs (
    a_id TEXT NOT NULL, a_hash TEXT NOT NULL, b_id TEXT NOT NULL, b_hash TEXT NOT NULL,
    jaccard REAL NOT NULL, containment REAL NOT NULL,
    PRIMARY KEY (a_id, a_hash, b_id, b_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS views (view TEXT PRIMARY KEY, stamp TEXT NOT NULL,
    summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    view TEXT NOT NULL, reference_id TEXT NOT NULL, text_hash TEXT NOT NULL,
    grp INTEGER NOT NULL, PRIMARY KEY (view, reference_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_group ON members (view, grp);
PRAGMA user_version = {_CACHE_SCHEMA};
"""


# Processes that sketch a large number of new texts (the machine's cores, at most this).
WORKERS = 2
# A request of the web desk sketches at most this many new texts itself (about 5 s of
# CPU); more (the first read after a large ingest) and it is answered without copies
# until `cabledesk copies --stats` (or a read without a limit) has sketched them.
WEB_SKETCH_LIMIT = 5000


class CopiesPending(ArchiveError):
    """More texts wait to be sketched than the caller allowed: run `cabledesk copies
    --stats` once (it sketches them), then every read is quick again."""


# --- shingles and sketches --------------------------------------------------------------


class _WordIds(dict[str, int]):
    """A word's stable 32-bit number (crc32: the same in every process, unlike hash())."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode())
        return value


_word_ids = _WordIds()


def body_of(record: dict[str, Any]) -> str:
    """The text a copy is judged by: the paragraphs' text, one paragraph a line."""
    return "\n".join(str(p.get("text") or "") for p in record.get("paragraphs") or [])


def shingles(text: str) -> set[int]:
    """The 64-bit hashes of the text's shingles (SHINGLE words in a row, lower case; a
    text of fewer words is one shingle). A tuple of ints hashes the same in every process
    (only str and bytes hashes are salted)."""
    if len(_word_ids) > 2_000_000:
        _word_ids.clear()
    ids = list(map(_word_ids.__getitem__, WORD.findall(text.lower())))
    if len(ids) < SHINGLE:
        return {hash(tuple(ids)) & _MASK} if ids else set()
    return {
        h & _MASK for h in map(hash, zip(ids, ids[1:], ids[2:], ids[3:], ids[4:], strict=False))
    }


def sketch(hashes: Iterable[int]) -> bytes:
    """One-permutation MinHash: the smallest hash in each of BINS ranges of the 64-bit
    hash space (kept as its next 32 bits), empty ranges filled from the next non-empty
    one (rotation: its value plus a mark of how far it came, so that a filled bin agrees
    with another set's only when theirs came from as far). BINS 32-bit values, packed."""
    ordered = sorted(hashes)
    if not ordered:
        return b""
    count = len(ordered)
    found: list[int | None] = []
    for b in range(BINS):
        i = bisect_left(ordered, _BOUNDS[b])
        found.append(
            (ordered[i] >> (_SHIFT - 32)) & _LOW
            if i < count and ordered[i] < _BOUNDS[b + 1]
            else None
        )
    filled = [0] * BINS
    for b in range(BINS):
        value = found[b]
        if value is not None:
            filled[b] = value
            continue
        step = 1
        while found[(b + step) % BINS] is None:
            step += 1
        filled[b] = ((found[(b + step) % BINS] or 0) + step * 0x9E3779B1) & _LOW
    return array("I", filled).tobytes()


def estimate(a: bytes, b: bytes) -> float:
    """The share of bins two sketches agree in: an estimate of their Jaccard similarity."""
    return sum(1 for x, y in zip(_values(a), _values(b), strict=True) if x == y) / BINS


def _values(blob: bytes) -> array[int]:
    values = array("I")
    values.frombytes(blob)
    return values


def jaccard(a: set[int], b: set[int]) -> tuple[float, float]:
    """(Jaccard similarity, containment of the smaller in the larger) of two sets."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def body_level(record: dict[str, Any]) -> tuple[int, bool]:
    """(highest rank, any NOFORN) over the body's paragraphs, by the viewer's own rule
    (`portion`: a paragraph's marking, else the cable's level and caveats)."""
    classification = record.get("classification")
    caveats = list(record.get("caveats") or [])
    highest, noforn = 0, False
    for paragraph in record.get("paragraphs") or []:
        rank, nf = portion(paragraph.get("marking"), classification, caveats)
        highest = max(highest, int(rank))
        noforn = noforn or nf
    if not record.get("paragraphs"):
        rank, nf = portion(None, classification, caveats)
        highest, noforn = int(rank), nf
    return highest, noforn


SketchRow = tuple[str, str, int, int, int, bytes | None]
_BATCH = 1000


def sketch_batch(
    batch: list[tuple[str, str, int, bool, str]],
) -> list[SketchRow]:
    """Rows of the sketches table for (reference id, text hash, rank, NOFORN, body) each:
    a pure function, run in worker processes."""
    rows: list[SketchRow] = []
    for reference_id, text_hash, rank, noforn, body in batch:
        hashes = shingles(body)
        packed = sketch(hashes) if len(hashes) >= MIN_SHINGLES else None
        rows.append((reference_id, text_hash, rank, int(noforn), len(hashes), packed))
    return rows


def _batches(
    connection: sqlite3.Connection, wanted: set[tuple[str, str]]
) -> Iterator[list[tuple[str, str, int, bool, str]]]:
    batch: list[tuple[str, str, int, bool, str]] = []
    for reference_id, text_hash, record in records_of(connection, wanted):
        rank, noforn = body_level(record)
        batch.append((reference_id, text_hash, rank, noforn, body_of(record)))
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


Mapper = Callable[
    [Callable[[list[tuple[str, str, int, bool, str]]], list[SketchRow]],
     Iterator[list[tuple[str, str, int, bool, str]]]],
    Iterator[list[SketchRow]],
]  # fmt: skip


class _sketcher:
    """Where batches are sketched: in this process for a few texts, else in a pool of
    `WORKERS` processes (batches come back in order, a few ahead at a time)."""

    def __init__(self, count: int, workers: int | None) -> None:
        self.count = count
        self.workers = workers
        self.pool: Any = None

    def __enter__(self) -> Mapper:
        workers = self.workers or min(WORKERS, multiprocessing.cpu_count())
        if self.count < 4 * _BATCH or workers < 2:
            return lambda function, items: map(function, items)
        self.pool = multiprocessing.get_context("forkserver").Pool(workers)
        pool = self.pool
        ahead = 2 * workers

        def mapper(
            function: Callable[[list[tuple[str, str, int, bool, str]]], list[SketchRow]],
            items: Iterator[list[tuple[str, str, int, bool, str]]],
        ) -> Iterator[list[SketchRow]]:
            # At most `ahead` batches out at a time (Pool.imap would read every body first).
            waiting: deque[Any] = deque()
            for item in items:
                waiting.append(pool.apply_async(function, (item,)))
                if len(waiting) >= ahead:
                    yield waiting.popleft().get()
            while waiting:
                yield waiting.popleft().get()

        return mapper

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


# --- the texts the archive holds ---------------------------------------------------------


def texts(connection: sqlite3.Connection) -> set[tuple[str, str]]:
    """Every (reference id, text hash) that some reader may receive: the current version
    of each cable, and the version the latest edition published."""
    found = {
        (str(i), str(h))
        for i, h in connection.execute("SELECT reference_id, text_hash FROM cables")
    }
    found.update(
        (str(i), str(h))
        for i, h in connection.execute(
            "SELECT reference_id, text_hash FROM edition_cables "
            "WHERE edition_id = (SELECT max(id) FROM editions)"
        )
    )
    return found


def _fingerprint(nodes: set[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for reference_id, text_hash in sorted(nodes):
        digest.update(f"{reference_id}\t{text_hash}\n".encode())
    return f"{len(nodes)}:{digest.hexdigest()[:32]}"


def records_of(
    connection: sqlite3.Connection, wanted: Iterable[tuple[str, str]]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(reference id, text hash, stored record) of each wanted text (current or an
    earlier version); a text the archive no longer holds is left out."""
    by_id: dict[str, set[str]] = {}
    for reference_id, text_hash in wanted:
        by_id.setdefault(reference_id, set()).add(text_hash)
    names = sorted(by_id)
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = connection.execute(
            "SELECT id, reference_id, text_hash, record FROM cables "
            f"WHERE reference_id IN ({marks})",
            chunk,
        ).fetchall()
        earlier: list[tuple[int, str, set[str]]] = []
        for row_id, reference_id, text_hash, record in rows:
            hashes = by_id[reference_id]
            if text_hash in hashes:
                yield reference_id, text_hash, unpack_record(record)
            rest = hashes - {text_hash}
            if rest:
                earlier.append((row_id, reference_id, rest))
        for row_id, reference_id, rest in earlier:
            for text_hash, record in connection.execute(
                "SELECT text_hash, record FROM versions WHERE cable_id = ? ORDER BY version DESC",
                (row_id,),
            ):
                if text_hash in rest:
                    rest.discard(text_hash)
                    yield reference_id, text_hash, unpack_record(record)


# --- the pairs ---------------------------------------------------------------------------


@dataclass
class Pair:
    a: tuple[str, str]
    b: tuple[str, str]
    jaccard: float
    containment: float


@dataclass
class Found:
    """What finding the pairs did, for the stats."""

    texts: int = 0
    sketched: int = 0  # texts long enough to take part
    candidates: int = 0
    checked: int = 0
    pairs: list[Pair] = field(default_factory=list)
    crowded_buckets: int = 0


def candidates(
    sketches: dict[tuple[str, str], bytes], ceiling: int = BUCKET_CEILING
) -> tuple[set[tuple[tuple[str, str], tuple[str, str]]], int]:
    """Pairs of texts that agree on a whole band (each pair once, in sorted order), and
    how many buckets held more than `ceiling` texts (left out)."""
    keys = sorted(sketches)
    found: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    crowded = 0
    for band in range(BANDS):
        lo, hi = band * _BAND, (band + 1) * _BAND
        buckets: dict[bytes, list[int]] = {}
        for n, key in enumerate(keys):
            buckets.setdefault(sketches[key][lo:hi], []).append(n)
        for members in buckets.values():
            if len(members) < 2:
                continue
            if len(members) > ceiling:
                crowded += 1
                continue
            for i, x in enumerate(members):
                for y in members[i + 1 :]:
                    found.add((keys[x], keys[y]))
    return found, crowded


_CHECK_CHUNK = 250


def likely(a: bytes, b: bytes, size_a: int, size_b: int) -> bool:
    """Whether a candidate pair is worth the exact check: its sketches' Jaccard estimate
    is at least ESTIMATE_FLOOR, or the containment that estimate and the sizes give (J
    (|A| + |B|) / ((1 + J) min(|A|, |B|))) is at least CONTAINED_FLOOR."""
    similar = estimate(a, b)
    if similar >= ESTIMATE_FLOOR:
        return True
    smaller = min(size_a, size_b)
    if smaller < CONTAINED_MIN:
        return False
    return similar * (size_a + size_b) / ((1 + similar) * smaller) >= CONTAINED_FLOOR


def kept(a: set[int], b: set[int]) -> tuple[float, float] | None:
    """(Jaccard, containment) of a pair that is a copy by the rule (Jaccard at least
    COPY_JACCARD, or the shorter of at least CONTAINED_MIN shingles at least CONTAINED
    inside the longer); None otherwise."""
    similarity, contained = jaccard(a, b)
    if similarity >= COPY_JACCARD or (
        contained >= CONTAINED and min(len(a), len(b)) >= CONTAINED_MIN
    ):
        return similarity, contained
    return None


def find_pairs(
    connection: sqlite3.Connection,
    sketches: dict[tuple[str, str], bytes],
    sizes: dict[tuple[str, str], int],
) -> Found:
    """The candidate pairs of `sketches`, checked exactly on shingles read again from the
    archive (in the caller's transaction). `sizes`: each text's number of shingles."""
    result = Found(sketched=len(sketches))
    pairs, result.crowded_buckets = candidates(sketches)
    result.candidates = len(pairs)
    worth = sorted((a, b) for a, b in pairs if likely(sketches[a], sketches[b], sizes[a], sizes[b]))
    result.checked = len(worth)
    # In chunks: the shingle sets of a few hundred texts at a time (a set of a thousand
    # shingles is about 70 KB).
    for start in range(0, len(worth), _CHECK_CHUNK):
        chunk = worth[start : start + _CHECK_CHUNK]
        needed = {t for pair in chunk for t in pair}
        sets = {
            (i, h): shingles(body_of(record)) for i, h, record in records_of(connection, needed)
        }
        for a, b in chunk:
            if a not in sets or b not in sets:
                continue
            found = kept(sets[a], sets[b])
            if found is not None:
                result.pairs.append(Pair(a, b, *found))
    return result


# --- a reader's groups -------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """Which texts take part in a reader's groups, in the store's terms (the facade makes
    it from a Viewer).

    `published_only`: the latest edition's cables, as published (the public). Else the
    current version of every cable. `ceiling` (a rank; None: no limit) and `foreign`: a
    text takes part only when every paragraph of its body is within them. `named`: cables
    a rule in force names by id (they take no part); `burns(text)`: True when a rule in
    force changes that text (then the cable takes no part); `rules` names the rules in
    the view key. `public`: a signed-in reader also gets every text the public's view
    holds that is the cable's current text (they never get less than the public)."""

    ceiling: int | None = None
    foreign: bool = False
    published_only: bool = False
    rules: str = ""
    named: frozenset[str] = frozenset()
    public: Visibility | None = None
    burns: Callable[[str, str], bool] | None = field(default=None, compare=False, hash=False)


# The way a view's report is counted (`_pairs_seen`): in the key, so a report counted the
# older way (with the archive-wide figures in every view's) is never handed out again.
REPORT_METHOD = 2


def view_key(seen: Visibility) -> str:
    more: dict[str, object] = {"rules": seen.rules, "report": REPORT_METHOD}
    if seen.public is not None:
        more["public"] = "(" + view_key(seen.public) + ")"
    return reader_key(seen.ceiling, seen.foreign, seen.published_only, **more)


def _nodes_of(
    connection: sqlite3.Connection,
    seen: Visibility,
    levels: dict[tuple[str, str], tuple[int, bool]],
    paired: set[tuple[str, str]],
) -> set[tuple[str, str]]:
    """The paired texts that take part in `seen`'s groups."""
    if seen.published_only:
        rows = connection.execute(
            "SELECT reference_id, text_hash FROM edition_cables "
            "WHERE edition_id = (SELECT max(id) FROM editions)"
        )
    else:
        rows = connection.execute("SELECT reference_id, text_hash FROM cables")
    chosen = {(str(i), str(h)) for i, h in rows} & paired
    kept = set()
    for node in chosen:
        if node[0] in seen.named:
            continue
        if seen.ceiling is not None:
            rank, noforn = levels.get(node, (99, True))
            if not may_see(rank, noforn, seen.ceiling, seen.foreign):
                continue
        kept.add(node)
    if seen.burns is not None and kept:
        burns = seen.burns
        kept = {
            (i, h) for i, h, record in records_of(connection, kept) if not burns(i, body_of(record))
        }
    if seen.public is not None:
        current = {(str(i), str(h)) for i, h in connection.execute(
            "SELECT reference_id, text_hash FROM cables")}  # fmt: skip
        kept |= _nodes_of(connection, seen.public, levels, paired) & current
    return kept


def _pairs_seen(
    seen: Visibility,
    archive_wide: dict[str, object],
    pairs: list[Pair],
    nodes: set[tuple[str, str]],
) -> dict[str, object]:
    """The pair counts a view's report gives. Fail closed: the archive-wide figures
    (texts, sketches, LSH candidates, kept pairs) are counted over every text, so only
    the view of everything (the local desk, editors at no ceiling) gets them; any other
    view gets its pairs counted between its own texts, and no count of texts at all (a
    visitor would learn how many cables the archive holds beyond the edition)."""
    if seen == Visibility():
        return dict(archive_wide)
    mine = [p for p in pairs if p.a in nodes and p.b in nodes]
    copies = sum(1 for p in mine if p.jaccard >= COPY_JACCARD)
    return {"pairs": len(mine), "copy_pairs": copies, "contained_pairs": len(mine) - copies}


def components(nodes: set[tuple[str, str]], pairs: list[Pair]) -> list[list[tuple[str, str]]]:
    """The groups: connected components of the copy pairs (Jaccard at least COPY_JACCARD)
    between `nodes`, each sorted, largest first (ties: by their first member), then every
    other node alone. A text held inside another (a containment pair) joins no group: a
    cable quoting two others would otherwise make one group of three different texts."""
    parent = {n: n for n in nodes}

    def root(n: tuple[str, str]) -> tuple[str, str]:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for pair in pairs:
        if pair.jaccard >= COPY_JACCARD and pair.a in parent and pair.b in parent:
            ra, rb = root(pair.a), root(pair.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for n in nodes:
        groups.setdefault(root(n), []).append(n)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


# --- the cache ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One near-duplicate of a cable, in one reader's groups: its id, how it relates
    (`copy`: in the cable's group; `contains`: the cable's text lies inside it; `inside`:
    it lies inside the cable's text), and how alike the two are (`jaccard`,
    `containment`: of the pair when the two were paired directly; None when they are in
    one group through other copies)."""

    reference_id: str
    relation: str
    jaccard: float | None
    containment: float | None


class Group:
    """One reader's groups, fresh when handed out (read at once)."""

    def __init__(self, connection: sqlite3.Connection, view: str) -> None:
        self.connection = connection
        self.view = view

    def summary(self) -> dict[str, object]:
        row = self.connection.execute(
            "SELECT summary FROM views WHERE view = ?", (self.view,)
        ).fetchone()
        loaded = json.loads(row[0]) if row else {}
        return loaded if isinstance(loaded, dict) else {}

    def member(self, reference_id: str) -> tuple[str, int] | None:
        row = self.connection.execute(
            "SELECT text_hash, grp FROM members WHERE view = ? AND reference_id = ?",
            (self.view, reference_id),
        ).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    def _pair(self, a: tuple[str, str], b: tuple[str, str]) -> tuple[float, float] | None:
        first, second = sorted([a, b])
        row = self.connection.execute(
            "SELECT jaccard, containment FROM pairs WHERE a_id = ? AND a_hash = ? "
            "AND b_id = ? AND b_hash = ?",
            (*first, *second),
        ).fetchone()
        return (float(row[0]), float(row[1])) if row else None

    def copies(self, reference_id: str) -> list[Copy]:
        """The other members of the cable's group (most alike first, then by id), then
        the reader's texts it lies inside or that lie inside it."""
        found = self.member(reference_id)
        if found is None:
            return []
        text_hash, grp = found
        me = (reference_id, text_hash)
        result = []
        for other, other_hash in self.connection.execute(
            "SELECT reference_id, text_hash FROM members WHERE view = ? AND grp = ? "
            "AND reference_id != ?",
            (self.view, grp, reference_id),
        ).fetchall():
            pair = self._pair(me, (str(other), str(other_hash)))
            result.append(
                Copy(str(other), "copy", pair[0] if pair else None, pair[1] if pair else None)
            )
        result.sort(key=lambda c: (-(c.jaccard or 0.0), c.reference_id))
        related = []
        for a_id, a_hash, b_id, b_hash, similarity, contained in self.connection.execute(
            "SELECT p.a_id, p.a_hash, p.b_id, p.b_hash, p.jaccard, p.containment FROM pairs p "
            "WHERE ((p.a_id = ? AND p.a_hash = ?) OR (p.b_id = ? AND p.b_hash = ?)) "
            "AND p.jaccard < ?",
            (*me, *me, COPY_JACCARD),
        ).fetchall():
            other = (str(b_id), str(b_hash)) if (a_id, a_hash) == me else (str(a_id), str(a_hash))
            held = self.member(other[0])
            if held is None or held[0] != other[1]:
                continue  # not a text of this reader's
            related.append((other, float(similarity), float(contained)))
        for other, similarity, contained in sorted(related):
            relation = "contains" if self._size(me) <= self._size(other) else "inside"
            result.append(Copy(other[0], relation, similarity, contained))
        return result

    def _size(self, text: tuple[str, str]) -> int:
        row = self.connection.execute(
            "SELECT shingles FROM sketches WHERE reference_id = ? AND text_hash = ?", text
        ).fetchone()
        return int(row[0]) if row else 0

    def groups_of(self, reference_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """{id: (group number, group size)} of those ids that have copies."""
        wanted = sorted(set(reference_ids))
        found: dict[str, tuple[int, int]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for reference_id, grp, size in self.connection.execute(
                "SELECT m.reference_id, m.grp, (SELECT count(*) FROM members o "
                "WHERE o.view = m.view AND o.grp = m.grp) FROM members m "
                f"WHERE m.view = ? AND m.reference_id IN ({','.join('?' * len(chunk))})",
                [self.view, *chunk],
            ):
                if size > 1:
                    found[str(reference_id)] = (int(grp), int(size))
        return found

    def members(self, grp: int) -> list[str]:
        return [
            str(r[0])
            for r in self.connection.execute(
                "SELECT reference_id FROM members WHERE view = ? AND grp = ? ORDER BY reference_id",
                (self.view, grp),
            )
        ]

    def largest(self, limit: int = 20, offset: int = 0) -> list[list[str]]:
        """The largest groups, each as its members' ids."""
        rows = self.connection.execute(
            "SELECT grp FROM members WHERE view = ? GROUP BY grp HAVING count(*) > 1 "
            "ORDER BY count(*) DESC, min(reference_id) LIMIT ? OFFSET ?",
            (self.view, limit, offset),
        ).fetchall()
        return [self.members(int(r[0])) for r in rows]


def _stamp(connection: sqlite3.Connection) -> str:
    """What a view's groups are valid for: the archive's state (entity_views.stamp) and
    the way pairs are found."""
    return f"{stamp(connection)}/{PAIRS_METHOD}"


Progress = Callable[[int, int], None]


class Copies:
    """The near-duplicate cache of one archive folder, for one handle (one thread at a
    time, like the handle's own connection)."""

    def __init__(self, folder: Path, database: Path) -> None:
        self.path = folder / CACHE
        self.database = database
        self._reader = CacheReader(self.path)

    def _fresh_view(self, current: str, key: str) -> Group | None:
        if self._reader.stamp_of(key) != current:
            return None
        reader = self._reader.connection()
        return None if reader is None else Group(reader, key)

    def fresh(
        self,
        connection: sqlite3.Connection,
        seen: Visibility,
        progress: Progress | None = None,
        sketch_limit: int | None = None,
        workers: int | None = None,
    ) -> Group:
        """`seen`'s groups of the archive as it stands now: from the cache when its stamp
        is the archive's, else built now, in this thread (fail closed: groups of another
        state of the archive are never handed out)."""
        key = view_key(seen)
        found = self._fresh_view(_stamp(connection), key)
        if found is not None:
            return found
        if sketch_limit is not None:
            waiting = self._unsketched(connection)
            if waiting > sketch_limit:
                raise CopiesPending(
                    f"{waiting:,} texts wait to be sketched for near-duplicates: "
                    "run `cabledesk copies --stats` once"
                )
        with build_lock(self.path, key):
            found = self._fresh_view(_stamp(connection), key)
            if found is not None:
                return found
            self._reader.close()
            for _ in range(3):
                self.build(seen, progress, workers)
                found = self._fresh_view(_stamp(connection), key)
                if found is not None:
                    return found
        raise sqlite3.OperationalError("the archive keeps changing: try again")

    def _unsketched(self, connection: sqlite3.Connection) -> int:
        """How many of the archive's texts have no sketch yet."""
        wanted = texts(connection)
        reader = self._reader.connection()
        if reader is None:
            return len(wanted)
        try:
            have = {
                (str(i), str(h))
                for i, h in reader.execute("SELECT reference_id, text_hash FROM sketches")
            }
        except sqlite3.Error:
            return len(wanted)
        return len(wanted - have)

    def _writer(self) -> sqlite3.Connection:
        def prepare(writer: sqlite3.Connection) -> None:
            if writer.execute("PRAGMA user_version").fetchone()[0] != _CACHE_SCHEMA:
                for table in ("sketches", "pairs", "state", "views", "members"):
                    writer.execute(f"DROP TABLE IF EXISTS {table}")
            writer.executescript(_SCHEMA)

        # The owner's only (open_cache): sketches and pairs come from every cable's text.
        writer, made_anew = open_cache(self.path, prepare)
        if made_anew:
            self.close()  # the reader held the file that was replaced
        return writer

    def build(
        self, seen: Visibility, progress: Progress | None = None, workers: int | None = None
    ) -> dict[str, object]:
        """Bring sketches and pairs up to date and build `seen`'s groups, from one
        snapshot of the archive; returns the view's summary."""
        key = view_key(seen)
        source = sqlite3.connect(self.database, isolation_level=None, timeout=30)
        writer = self._writer()
        try:
            source.execute("BEGIN")
            try:
                now = _stamp(source)
                timing: dict[str, float] = {}
                pairs_summary = self._update_pairs(source, writer, timing, progress, workers)
                started = time.process_time()
                levels = {
                    (str(i), str(h)): (int(r), bool(nf))
                    for i, h, r, nf in writer.execute(
                        "SELECT reference_id, text_hash, rank, noforn FROM sketches"
                    )
                }
                pairs = [
                    Pair((a, ah), (b, bh), j, c)
                    for a, ah, b, bh, j, c in writer.execute("SELECT * FROM pairs")
                ]
                paired = {p.a for p in pairs} | {p.b for p in pairs}
                nodes = _nodes_of(source, seen, levels, paired)
            finally:
                source.execute("ROLLBACK")
            everything = components(nodes, pairs)
            groups = [g for g in everything if len(g) > 1]
            timing["groups_cpu_seconds"] = time.process_time() - started
            sizes: dict[int, int] = {}
            for g in groups:
                sizes[len(g)] = sizes.get(len(g), 0) + 1
            summary: dict[str, object] = {
                **_pairs_seen(seen, pairs_summary, pairs, nodes),
                "groups": len(groups),
                "cables_in_groups": sum(len(g) for g in groups),
                "largest": len(groups[0]) if groups else 0,
                "sizes": {str(k): sizes[k] for k in sorted(sizes)},
                "contained_seen": sum(
                    1 for p in pairs if p.jaccard < COPY_JACCARD and p.a in nodes and p.b in nodes
                ),
                # The CPU of sketching and pairing every text: the local desk's only.
                **({k: round(v, 3) for k, v in timing.items()} if seen == Visibility() else {}),
            }
            writer.execute("BEGIN IMMEDIATE")
            try:
                writer.execute("DELETE FROM members WHERE view = ?", (key,))
                writer.executemany(
                    "INSERT INTO members VALUES (?, ?, ?, ?)",
                    ((key, i, h, n) for n, g in enumerate(everything, 1) for i, h in g),
                )
                writer.execute(
                    "INSERT OR REPLACE INTO views VALUES (?, ?, ?)",
                    (key, now, json.dumps(summary)),
                )
                writer.execute("COMMIT")
            except BaseException:
                writer.execute("ROLLBACK")
                raise
        finally:
            writer.close()
            source.close()
        return summary

    def _update_pairs(
        self,
        source: sqlite3.Connection,
        writer: sqlite3.Connection,
        timing: dict[str, float],
        progress: Progress | None,
        workers: int | None = None,
    ) -> dict[str, object]:
        """Sketch the texts not sketched yet, drop those the archive no longer offers, and
        find the pairs again when the set of texts changed."""
        started = time.process_time()
        wanted = texts(source)
        # Pairs are of these texts and these rules; sketches of this way of sketching.
        fingerprint = f"{_fingerprint(wanted)}/{PAIRS_METHOD}"
        row = writer.execute("SELECT value FROM state WHERE key = 'pairs'").fetchone()
        if row is not None:
            stored = json.loads(row[0])
            if stored.get("fingerprint") == fingerprint:
                return dict(stored["summary"])
        row = writer.execute("SELECT value FROM state WHERE key = 'sketches'").fetchone()
        if row is not None and row[0] != SKETCH_METHOD:
            writer.execute("DELETE FROM sketches")
        writer.execute("INSERT OR REPLACE INTO state VALUES ('sketches', ?)", (SKETCH_METHOD,))
        have = {
            (str(i), str(h))
            for i, h in writer.execute("SELECT reference_id, text_hash FROM sketches")
        }
        missing = wanted - have
        gone = have - wanted
        writer.execute("BEGIN IMMEDIATE")
        writer.executemany(
            "DELETE FROM sketches WHERE reference_id = ? AND text_hash = ?", sorted(gone)
        )
        writer.execute("COMMIT")
        done = 0
        with _sketcher(len(missing), workers) as mapper:
            # Each batch is committed on its own: an interrupted run keeps what it made.
            for rows in mapper(sketch_batch, _batches(source, missing)):
                writer.execute("BEGIN IMMEDIATE")
                writer.executemany(
                    "INSERT OR REPLACE INTO sketches VALUES (?, ?, ?, ?, ?, ?)", rows
                )
                writer.execute("COMMIT")
                done += len(rows)
                if progress is not None:
                    progress(done, len(missing))
        timing["sketch_cpu_seconds"] = time.process_time() - started
        started = time.process_time()
        sketches: dict[tuple[str, str], bytes] = {}
        sizes: dict[tuple[str, str], int] = {}
        for i, h, size, blob in writer.execute(
            "SELECT reference_id, text_hash, shingles, sketch FROM sketches "
            "WHERE sketch IS NOT NULL"
        ):
            sketches[(str(i), str(h))] = bytes(blob)
            sizes[(str(i), str(h))] = int(size)
        found = find_pairs(source, sketches, sizes)
        found.texts = len(wanted)
        timing["pairs_cpu_seconds"] = time.process_time() - started
        summary: dict[str, object] = {
            "texts": found.texts,
            "sketched": found.sketched,
            "sketched_now": len(missing),
            "candidates": found.candidates,
            "checked": found.checked,
            "pairs": len(found.pairs),
            "copy_pairs": sum(1 for p in found.pairs if p.jaccard >= COPY_JACCARD),
            "contained_pairs": sum(1 for p in found.pairs if p.jaccard < COPY_JACCARD),
            "crowded_buckets": found.crowded_buckets,
        }
        writer.execute("BEGIN IMMEDIATE")
        try:
            writer.execute("DELETE FROM pairs")
            writer.executemany(
                "INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?, ?, ?)",
                ((*p.a, *p.b, p.jaccard, p.containment) for p in found.pairs),
            )
            writer.execute(
                "INSERT OR REPLACE INTO state VALUES ('pairs', ?)",
                (json.dumps({"fingerprint": fingerprint, "summary": summary}),),
            )
            writer.execute("COMMIT")
        except BaseException:
            writer.execute("ROLLBACK")
            raise
        return summary

    def close(self) -> None:
        self._reader.close()


def collapse(
    ranked: list[str], group_of: dict[str, tuple[int, int]]
) -> tuple[list[str], dict[str, list[str]]]:
    """Fold each cable under the first cable of its group in `ranked` (the hits in rank
    order): (the ids kept, in order; {kept id: the ids folded under it, in rank order})."""
    first: dict[int, str] = {}
    kept: list[str] = []
    folded: dict[str, list[str]] = {}
    for reference_id in ranked:
        grp = group_of.get(reference_id)
        if grp is None:
            kept.append(reference_id)
            continue
        leader = first.get(grp[0])
        if leader is None:
            first[grp[0]] = reference_id
            kept.append(reference_id)
        else:
            folded.setdefault(leader, []).append(reference_id)
    return kept, folded
