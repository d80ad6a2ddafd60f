"""The co-mention network (issue 13; docs/network.md): entities linked by the cables that
mention both, weighted by the number of those cables, from each reader's own view.

Two questions are answered here, both from an `Incidence` (which of the reader's cables
mention which entity, as `entities.Visibility` lets that reader count them):

- an entity's network (`ego`): the entities named in most of the cables that name it
  (its strongest links), and the links among them, each weighted by all the reader's
  cables that mention both;
- a query's network (`among`): the entities named in most of a set of cables (a query's
  matches) and the links among them, weighted by the cables of that set that mention
  both.

Where the numbers come from. Counting at each request is a pass over the mentions of
every cable involved: for an entity named in nearly every cable of the release (about
15 million entity-cable pairs at 251,287 cables) that is seconds. So, as the entity
summaries do (entity_views.py), each class of reader's incidence is built once into a
cache beside the archive (`network-views.db`): per entity, the set of its cables as a
bitmap over the cables' row ids (zstd-compressed), and per cable the ids of its entities.
A bitmap's intersection with another is one `&` and one `bit_count()` on Python integers,
microseconds for the whole archive, so an entity's 30 strongest links are found by
walking the entities largest first and stopping as soon as no entity left can beat the
30th (the number of cables two entities share is at most the smaller one's).

Fail closed, as the summaries: the cache of a view is stamped with the archive's change
number, resolution's generation and the latest edition (`entity_views.stamp`) read in the
snapshot it is built from; it is used only while the archive's stamp is the same. Any
ingest, enrichment batch, redaction, edition or editor's decision (merge, split, rename,
alias...) moves the stamp; until a new cache is built (in a background thread the first
stale read starts) readers are answered from the mentions themselves (`LiveIncidence`:
the same answer, slower). Which entities a redaction rule hides is decided by the caller
(`hidden`), at every read.
"""

from __future__ import annotations

import bisect
import sqlite3
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import zstandard

from cabledesk.archive.entities import Visibility
from cabledesk.archive.entity_views import stamp, view_key
from cabledesk.archive.view_cache import Builds, CacheReader

CACHE = "network-views.db"
_CACHE_SCHEMA = 1
# A set of at most this many cables is counted from each cable's list of entities; a
# larger one by intersecting bitmaps, largest entities first (`top_entities`).
SMALL = 4000
# Entities in more than this many cables keep a bitmap in the cache; smaller ones keep
# the list of their cables only (a bitmap is made from it when asked).
_BITMAP_FROM = 1000
_CHUNK = 500

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS views (view TEXT PRIMARY KEY, stamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entity_cables (
    view TEXT NOT NULL, entity_id INTEGER NOT NULL, cables INTEGER NOT NULL,
    ids BLOB NOT NULL, bits BLOB, PRIMARY KEY (view, entity_id));
CREATE INDEX IF NOT EXISTS entity_cables_size ON entity_cables (view, cables DESC, entity_id);
CREATE TABLE IF NOT EXISTS cable_entities (
    view TEXT NOT NULL, cable_id INTEGER NOT NULL, entities BLOB NOT NULL,
    PRIMARY KEY (view, cable_id));
PRAGMA user_version = {_CACHE_SCHEMA};
"""
_TABLES = ("entity_cables", "cable_entities")


class _Codecs(threading.local):
    # zstd (de)compressors are not to be shared between threads (archive/blob.py).
    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=1)
        self.decompressor = zstandard.ZstdDecompressor()


_codecs = _Codecs()


def bitmap(cable_ids: Iterable[int]) -> int:
    """The set of cables as an integer: bit `id` set for each cable row id."""
    ids = list(cable_ids)
    if not ids:
        return 0
    data = bytearray((max(ids) >> 3) + 1)
    for i in ids:
        data[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(data, "little")


def _ids_blob(ids: Iterable[int]) -> bytes:
    return _codecs.compressor.compress(array("I", ids).tobytes())


def _ids_of(blob: bytes) -> list[int]:
    found = array("I")
    found.frombytes(_codecs.decompressor.decompress(blob))
    return found.tolist()


class Incidence(Protocol):
    """Which of a reader's cables mention which entity."""

    def cables(self, entity_id: int) -> list[int]:
        """The row ids of the cables with a visible mention of the entity, ascending."""

    def bits(self, entity_id: int) -> int:
        """The same as a bitmap (`bitmap`)."""

    def entities_of(self, cable_ids: list[int]) -> Iterator[Iterable[int]]:
        """Per cable (in no set order), the ids of its entities, each once."""

    def by_size(self) -> list[tuple[int, int]] | None:
        """(entity id, cables) of every entity, most cables first (ties by id); None when
        not known without a pass over every mention."""


class LiveIncidence:
    """From the mentions themselves (the store's `Visibility`): what a reader gets while
    their cache is stale. Slower, the same answer."""

    def __init__(self, connection: sqlite3.Connection, seen: Visibility) -> None:
        self.connection, self.seen = connection, seen
        self._cables: dict[int, list[int]] = {}
        self._visible: set[int] | None = None

    def cables(self, entity_id: int) -> list[int]:
        # The entity's mentions through the index on their key (with no join for each:
        # an entity named in every cable has over a million), kept where `seen` counts
        # them: the conditions of Visibility.sql, as `visible_pairs` applies them.
        if entity_id not in self._cables:
            keys = [
                row[0]
                for row in self.connection.execute(
                    "SELECT k.key FROM entity_keys k JOIN entities n ON n.id = k.entity_id "
                    "WHERE k.entity_id = ?",
                    (entity_id,),
                )
            ]
            found: set[int] = set()
            if keys:
                if self._visible is None:
                    self._visible = visible_cables(self.connection, self.seen)
                where, params = _mention_conditions(self.seen)
                where.insert(0, f"key IN ({','.join('?' * len(keys))})")
                found = {
                    row[0]
                    for row in self.connection.execute(
                        f"SELECT cable_id FROM mentions WHERE {' AND '.join(where)}",
                        [*keys, *params],
                    )
                }
                found &= self._visible
            self._cables[entity_id] = sorted(found)
        return self._cables[entity_id]

    def bits(self, entity_id: int) -> int:
        return bitmap(self.cables(entity_id))

    def entities_of(self, cable_ids: list[int]) -> Iterator[list[int]]:
        sql, params = self.seen.sql("cables")
        join = " AND " if " WHERE " in sql else " WHERE "
        for low in range(0, len(cable_ids), _CHUNK):
            chunk = cable_ids[low : low + _CHUNK]
            per: dict[int, set[int]] = {}
            for cable_id, entity_id in self.connection.execute(
                f"SELECT m.cable_id, k.entity_id {sql}{join}"
                f"m.cable_id IN ({','.join('?' * len(chunk))})",
                [*params, *chunk],
            ):
                per.setdefault(cable_id, set()).add(entity_id)
            for found in per.values():
                yield list(found)

    def by_size(self) -> list[tuple[int, int]] | None:
        return None


# Bitmaps and size lists read from caches, per (cache file, view, stamp): shared by every
# handle of the process (integers and tuples are immutable), the least recently used let go.
_memo: OrderedDict[tuple[str, str, str, object], tuple[object, int]] = OrderedDict()
_memo_lock = threading.Lock()
_MEMO_BYTES = 128 * 1024 * 1024
_memo_bytes = 0


def _remember(key: tuple[str, str, str, object], value: object, size: int) -> None:
    global _memo_bytes
    with _memo_lock:
        if key in _memo:
            return
        _memo[key] = (value, size)
        _memo_bytes += size
        while _memo_bytes > _MEMO_BYTES and len(_memo) > 1:
            _, (_, dropped) = _memo.popitem(last=False)
            _memo_bytes -= dropped


def _recall(key: tuple[str, str, str, object]) -> object | None:
    with _memo_lock:
        found = _memo.get(key)
        if found is None:
            return None
        _memo.move_to_end(key)
        return found[0]


class CachedIncidence:
    """One class of reader's incidence from the cache, fresh when handed out."""

    def __init__(self, connection: sqlite3.Connection, path: str, view: str, at: str) -> None:
        self.connection, self.view = connection, view
        self._token = (path, view, at)

    def _row(self, entity_id: int) -> tuple[int, bytes, bytes | None] | None:
        row = self.connection.execute(
            "SELECT cables, ids, bits FROM entity_cables WHERE view = ? AND entity_id = ?",
            (self.view, entity_id),
        ).fetchone()
        return row if row is None else (int(row[0]), bytes(row[1]), row[2])

    def cables(self, entity_id: int) -> list[int]:
        row = self._row(entity_id)
        return [] if row is None else _ids_of(row[1])

    def bits(self, entity_id: int) -> int:
        key = (*self._token, entity_id)
        found = _recall(key)
        if found is not None:
            return found  # type: ignore[return-value]
        row = self._row(entity_id)
        if row is None:
            value = 0
        elif row[2] is not None:
            value = int.from_bytes(_codecs.decompressor.decompress(row[2]), "little")
        else:
            value = bitmap(_ids_of(row[1]))
        _remember(key, value, 64 + (value.bit_length() >> 3))
        return value

    def entities_of(self, cable_ids: list[int]) -> Iterator[Iterable[int]]:
        for low in range(0, len(cable_ids), _CHUNK):
            chunk = cable_ids[low : low + _CHUNK]
            for (blob,) in self.connection.execute(
                f"""SELECT entities FROM cable_entities WHERE view = ?
                    AND cable_id IN ({",".join("?" * len(chunk))})""",
                [self.view, *chunk],
            ):
                found = array("I")
                found.frombytes(blob)
                yield found

    def by_size(self) -> list[tuple[int, int]]:
        key = (*self._token, "sizes")
        found = _recall(key)
        if found is None:
            rows = [
                (int(a), int(b))
                for a, b in self.connection.execute(
                    """SELECT entity_id, cables FROM entity_cables WHERE view = ?
                       ORDER BY cables DESC, entity_id""",
                    (self.view,),
                )
            ]
            _remember(key, rows, 64 * len(rows))
            return rows
        return found  # type: ignore[return-value]


# --- the two questions -------------------------------------------------------------------


def top_entities(
    incidence: Incidence,
    cable_ids: list[int],
    cable_bits: int,
    limit: int,
    *,
    skip: frozenset[int] = frozenset(),
    hidden: Callable[[int], bool] = lambda entity_id: False,
) -> list[tuple[int, int]]:
    """(entity id, cables) of the `limit` entities named in most of the cables
    `cable_ids` (`cable_bits` the same as a bitmap), most first, ties by id; those in
    `skip` and those `hidden` says the reader may not see are passed over."""
    sizes = incidence.by_size() if len(cable_ids) > SMALL else None
    if sizes is None:
        counted: Counter[int] = Counter()
        for entities in incidence.entities_of(cable_ids):
            counted.update(entities)
        found = []
        for entity_id, n in sorted(counted.items(), key=lambda item: (-item[1], item[0])):
            if entity_id in skip or hidden(entity_id):
                continue
            found.append((entity_id, n))
            if len(found) == limit:
                break
        return found
    # Largest first: an entity shares at most as many cables as it is named in, so once
    # an entity is in fewer cables than the last of a full list has, none after it enters.
    top: list[tuple[int, int]] = []  # (-cables, id), sorted
    for entity_id, size in sizes:
        if len(top) >= limit and size < -top[-1][0]:
            break
        if entity_id in skip:
            continue
        n = (incidence.bits(entity_id) & cable_bits).bit_count()
        if not n:
            continue
        entry = (-n, entity_id)
        if len(top) >= limit and entry > top[-1]:
            continue
        if hidden(entity_id):
            continue
        bisect.insort(top, entry)
        if len(top) > limit:
            top.pop()
    return [(entity_id, -n) for n, entity_id in top]


@dataclass(frozen=True)
class NetworkNode:
    """An entity of a network, as the reader is shown it; `cables`: how many of the
    cables the network counts over mention it."""

    id: int
    kind: str
    name: str
    cables: int


@dataclass(frozen=True)
class NetworkLink:
    """Two entities and the cables (of those the network counts over) that mention both;
    `jaccard`: those cables over the cables that mention either."""

    source: int
    target: int
    cables: int
    jaccard: float


@dataclass(frozen=True)
class Network:
    """An entity's network (`center`) or a query's (`query`). `counted`: the cables the
    weights count over (a query's: the matching cables considered), `matching`: all the
    cables a query matches, `capped`: only the first `counted` of them were considered."""

    nodes: list[NetworkNode]
    links: list[NetworkLink]
    center: int | None = None
    query: str | None = None
    counted: int = 0
    matching: int = 0
    capped: bool = False


@dataclass(frozen=True)
class Counted:
    """A network before names: nodes (entity id, cables) and links (a, b, cables)."""

    nodes: list[tuple[int, int]]
    links: list[tuple[int, int, int]]


def ego(
    incidence: Incidence,
    entity_id: int,
    limit: int,
    hidden: Callable[[int], bool] = lambda entity_id: False,
) -> Counted | None:
    """The entity, the `limit` entities named in most of its cables, and every link among
    them, each weighted by the cables that mention both. None: no cable the reader may
    count mentions the entity."""
    own = incidence.cables(entity_id)
    if not own:
        return None
    own_bits = incidence.bits(entity_id)
    top = top_entities(incidence, own, own_bits, limit, skip=frozenset({entity_id}), hidden=hidden)
    ids = [entity_id, *(e for e, _ in top)]
    bits = {e: own_bits if e == entity_id else incidence.bits(e) for e in ids}
    nodes = [(e, bits[e].bit_count()) for e in ids]
    return Counted(nodes, _links(ids, bits, None))


def among(
    incidence: Incidence,
    cable_ids: list[int],
    limit: int,
    hidden: Callable[[int], bool] = lambda entity_id: False,
    max_links: int | None = None,
) -> Counted:
    """The `limit` entities named in most of the cables `cable_ids`, and the links among
    them, weighted by the cables of that set that mention both (the strongest
    `max_links`)."""
    cable_bits = bitmap(cable_ids)
    top = top_entities(incidence, cable_ids, cable_bits, limit, hidden=hidden)
    ids = [e for e, _ in top]
    bits = {e: incidence.bits(e) & cable_bits for e in ids}
    links = _links(ids, bits, max_links)
    return Counted(top, links)


def _links(
    ids: list[int], bits: dict[int, int], max_links: int | None
) -> list[tuple[int, int, int]]:
    found = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            n = (bits[a] & bits[b]).bit_count()
            if n:
                found.append((a, b, n))
    found.sort(key=lambda link: (-link[2], link[0], link[1]))
    return found if max_links is None else found[:max_links]


def visible_cables(connection: sqlite3.Connection, seen: Visibility) -> set[int]:
    """Row ids of the cables whose mentions `seen` may count (those of their current
    text; for the public, of the latest edition's text; none a rule names by id)."""
    current = (
        "SELECT c.id, c.reference_id FROM cables c JOIN enriched e ON e.cable_id = c.id "
        "AND e.text_hash = c.text_hash"
    )
    if seen.published_only:
        current += (
            " JOIN edition_cables w ON w.reference_id = c.reference_id AND "
            "w.text_hash = c.text_hash AND w.edition_id = (SELECT max(id) FROM editions)"
        )
    return {
        row_id
        for row_id, reference_id in connection.execute(current)
        if reference_id not in seen.excluded
    }


def _mention_conditions(seen: Visibility) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if seen.ceiling is not None:
        where.append("rank <= ?")
        params.append(seen.ceiling)
    if seen.foreign:
        where.append("noforn = 0")
    return where, params


def visible_pairs(connection: sqlite3.Connection, seen: Visibility) -> Iterator[tuple[int, int]]:
    """(cable row id, entity id) of every cable and entity with a mention `seen` counts,
    each pair once, read in the caller's transaction: the conditions of
    `Visibility.sql("all")` (the tests compare the two for every kind of reader), with
    the cables and the keys looked up once instead of joined for each of the archive's
    tens of millions of mentions."""
    cables = visible_cables(connection, seen)
    entity_of = dict(
        connection.execute(
            "SELECT k.key, k.entity_id FROM entity_keys k JOIN entities n ON n.id = k.entity_id"
        ).fetchall()
    )
    where, params = _mention_conditions(seen)
    sql = "SELECT cable_id, key FROM mentions" + (" WHERE " + " AND ".join(where) if where else "")
    cable_id, done = -1, set[int]()
    for row_cable, key in connection.execute(sql, params):
        if row_cable != cable_id:
            cable_id, done = row_cable, set[int]()
        if row_cable not in cables:
            continue
        entity_id = entity_of.get(key)
        if entity_id is None or entity_id in done:
            continue
        done.add(entity_id)
        yield row_cable, entity_id


# --- the cache --------------------------------------------------------------------------


class Networks:
    """The network cache of one archive folder, for one handle (one thread at a time,
    like the handle's own connection)."""

    def __init__(self, folder: Path, database: Path) -> None:
        self.path = folder / CACHE
        self.database = database
        self._reader = CacheReader(self.path)
        self._builds = Builds(self.path, "network-views")

    def fresh(self, connection: sqlite3.Connection, seen: Visibility) -> CachedIncidence | None:
        """`seen`'s incidence when its cache is of the archive as it stands now; else
        None, and a build starts in the background."""
        key = view_key(seen)
        current = stamp(connection)
        if self._reader.stamp_of(key) == current:
            reader = self._reader.connection()
            if reader is not None:
                return CachedIncidence(reader, str(self.path), key, current)
        self._reader.let_go()
        self.request(seen)
        return None

    def warm(self, connection: sqlite3.Connection, seen: Visibility) -> bool:
        """Build `seen`'s cache now, in this thread, unless it is of the archive as it
        stands or being built (True when it built)."""
        key = view_key(seen)
        if self._reader.stamp_of(key) == stamp(connection):
            return False
        self._reader.let_go()
        return self._builds.now(key, lambda: self.build(seen))

    def incidence(self, connection: sqlite3.Connection, seen: Visibility) -> Incidence:
        """`seen`'s incidence: from the cache when fresh, else from the mentions."""
        return self.fresh(connection, seen) or LiveIncidence(connection, seen)

    def request(self, seen: Visibility) -> None:
        """Build `seen`'s cache in a background thread, unless one is being built."""
        self._builds.request(view_key(seen), lambda: self.build(seen))

    def build(self, seen: Visibility) -> str:
        """Build `seen`'s cache now, in this thread, from one snapshot of the archive;
        returns the stamp it is of."""
        key = view_key(seen)
        per_entity: dict[int, array[int]] = {}
        per_cable: dict[int, array[int]] = {}
        with self._builds.source(self.database) as source:
            source.execute("BEGIN")
            try:
                now = stamp(source)
                for cable_id, entity_id in visible_pairs(source, seen):
                    found = per_entity.get(entity_id)
                    if found is None:
                        found = per_entity[entity_id] = array("I")
                    found.append(cable_id)
                    here = per_cable.get(cable_id)
                    if here is None:
                        here = per_cable[cable_id] = array("I")
                    here.append(entity_id)
            finally:
                source.execute("ROLLBACK")
        self._write(key, now, per_entity, per_cable)
        return now

    def _write(
        self,
        key: str,
        now: str,
        per_entity: dict[int, array[int]],
        per_cable: dict[int, array[int]],
    ) -> None:
        if not self.path.exists():
            # The owner's only: it says which entities every part of every cable names.
            self.path.touch(mode=0o600)
        writer = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            writer.execute("PRAGMA journal_mode = WAL")
            if writer.execute("PRAGMA user_version").fetchone()[0] != _CACHE_SCHEMA:
                for table in ("views", *_TABLES):
                    writer.execute(f"DROP TABLE IF EXISTS {table}")
            writer.executescript(_SCHEMA)

            def entity_rows() -> Iterator[tuple[object, ...]]:
                for entity_id, cables in per_entity.items():
                    ids = sorted(set(cables))
                    bits = None
                    if len(ids) > _BITMAP_FROM:
                        raw = bitmap(ids).to_bytes((ids[-1] >> 3) + 1, "little")
                        bits = _codecs.compressor.compress(raw)
                    yield key, entity_id, len(ids), _ids_blob(ids), bits

            writer.execute("BEGIN IMMEDIATE")
            try:
                for table in _TABLES:
                    writer.execute(f"DELETE FROM {table} WHERE view = ?", (key,))
                writer.executemany(
                    "INSERT INTO entity_cables VALUES (?, ?, ?, ?, ?)", entity_rows()
                )
                writer.executemany(
                    "INSERT INTO cable_entities VALUES (?, ?, ?)",
                    ((key, c, array("I", sorted(set(e))).tobytes()) for c, e in per_cable.items()),
                )
                writer.execute("INSERT OR REPLACE INTO views VALUES (?, ?)", (key, now))
                writer.execute("COMMIT")
            except BaseException:
                writer.execute("ROLLBACK")
                raise
        finally:
            writer.close()

    def wait(self) -> None:
        """Wait for the background builds this handle started."""
        self._builds.wait()

    def close(self) -> None:
        """Stop the builds this handle started and close the cache."""
        self._builds.close()
        self._reader.close()
