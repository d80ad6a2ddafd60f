"""The entity tables: what enrichment wrote, and archive-wide resolution (schemas 8, 9).

Only SQL on `mentions`, `enriched`, `entities` and `entity_keys` lives here (the editors'
register is entity_register.py; replaying it over the resolution, curation.py). Which of it
a reader may see is decided in the facade (docs/entities.md, "Who sees what"): every row
carries the level of the part of the cable it stands in.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from cabledesk.archive import curation, entity_register
from cabledesk.entities import PERSON, Mention
from cabledesk.entities.model import CANDIDATE
from cabledesk.entities.names import name_key, name_words

_T = TypeVar("_T")

# A mention as stored: the Mention's fields, then rank and NOFORN of its part.
MentionRow = tuple[str, str, str, str, str, int | None, int, int, str, int, int]


def pending(connection: sqlite3.Connection, version: int) -> list[int]:
    """Rowids of the cables enrichment must (re)read: never read, read by another
    extractor version, or whose text changed since (a new ingest)."""
    rows = connection.execute(
        """SELECT c.id FROM cables c LEFT JOIN enriched e ON e.cable_id = c.id
           WHERE e.cable_id IS NULL OR e.version != ? OR e.text_hash != c.text_hash
           ORDER BY c.id""",
        (version,),
    ).fetchall()
    return [row[0] for row in rows]


def records(connection: sqlite3.Connection, ids: list[int]) -> list[tuple[int, str, bytes]]:
    """(rowid, text hash, stored record) of these cables, in rowid order."""
    marks = ",".join("?" * len(ids))
    return connection.execute(
        f"SELECT id, text_hash, record FROM cables WHERE id IN ({marks}) ORDER BY id", ids
    ).fetchall()


# The secondary indexes of `mentions`, by name: a job that rewrites most of the archive
# drops them for its run and builds them again at its end (enrich.py), since one CREATE
# INDEX sorts once where every batch would insert its rows at random places of a B-tree
# larger than any page cache. A job killed meanwhile leaves them missing, correct but
# slow to read: opening the archive builds them again (Store.open).
MENTION_INDEXES = {"mentions_key": "CREATE INDEX mentions_key ON mentions (key)"}


def drop_mention_indexes(connection: sqlite3.Connection) -> None:
    for name in MENTION_INDEXES:
        connection.execute(f"DROP INDEX IF EXISTS {name}")


def missing_mention_indexes(connection: sqlite3.Connection) -> list[str]:
    present = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mentions'"
        )
    }
    return [name for name in MENTION_INDEXES if name not in present]


def restore_mention_indexes(connection: sqlite3.Connection) -> list[str]:
    """Build the secondary indexes of `mentions` that are missing; returns their names."""
    missing = missing_mention_indexes(connection)
    for name in missing:
        connection.execute(MENTION_INDEXES[name])
    return missing


def write(
    connection: sqlite3.Connection,
    version: int,
    results: Iterable[tuple[int, str, list[MentionRow]]],
) -> int:
    """Replace the mentions of each cable and mark it read; one transaction (the
    caller's). Returns the number of mentions written."""
    written = 0
    for cable_id, text_hash, rows in results:
        connection.execute("DELETE FROM mentions WHERE cable_id = ?", (cable_id,))
        connection.executemany(
            "INSERT INTO mentions (cable_id, position, kind, key, name, surface, field, "
            "paragraph, start, end, how, rank, noforn) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(cable_id, position, *row) for position, row in enumerate(rows)],
        )
        connection.execute(
            "INSERT OR REPLACE INTO enriched (cable_id, version, text_hash) VALUES (?, ?, ?)",
            (cable_id, version, text_hash),
        )
        written += len(rows)
    # What resolution kept of the mentions (`entity_key_stats`) is for the mentions before.
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('mentions_written', "
        "coalesce((SELECT value + 1 FROM meta WHERE key = 'mentions_written'), 1))"
    )
    return written


def as_row(mention: Mention, rank: int, noforn: bool) -> MentionRow:
    return (
        mention.kind,
        mention.key,
        mention.name,
        mention.surface,
        mention.field,
        mention.paragraph,
        mention.start,
        mention.end,
        mention.how,
        rank,
        int(noforn),
    )


@dataclass(frozen=True)
class Resolution:
    entities: int
    keys: int
    decisions: int = 0  # editors' decisions that acted (entity_register.py)
    moved: int = 0  # mentions an alias or a split moved away from their key's entity
    read_all: bool = True  # every mention read (False: from what the last one kept)


def resolve(connection: sqlite3.Connection, *, decisions_only: bool = False) -> Resolution:
    """Archive-wide resolution: every mention key to an entity, and each entity's
    canonical name and counts. A person known by a surname alone in some cables
    (`person:maliki`) is the person of that surname named in full elsewhere when one
    such person has at least four in five of the mentions written in full (`Nouri
    al-Maliki`);
    otherwise the surname stays an entity of its own, for an editor to merge. Entity ids
    are kept for keys that had one, so links and editors' decisions stay valid.

    Then the editors' decisions in force are replayed in version order (curation.py):
    merges, renames, re-types and deletions act on keys (a deleted entity's keys get no
    `entity_keys` row, so its mentions count nowhere); a mention an alias or a split moves
    gets the key of the entity it ends in, the extractor's key kept in `extracted_key`.
    A merged entity's id points at the entity it joined (`merged_into`).

    Reading every mention is most of the cost (minutes at the release's size), so each
    full resolution keeps what it read of every key (`entity_key_stats`), and
    `decisions_only` (an editor's decision: the mentions did not change) starts from
    that instead, reads only the mentions a decision may move, and counts again only the
    cables of the entities whose keys changed. When the mentions changed since (an
    enrichment, a new text ingested), it resolves in full: the answer is the same."""
    old_moves = connection.execute(
        "SELECT key, extracted_key FROM mentions WHERE extracted_key IS NOT NULL"
    ).fetchall()
    # Moved mentions get the extractor's key back first: the decisions are replayed from
    # scratch, over mentions a new extractor version may have rewritten.
    connection.execute(
        "UPDATE mentions SET key = extracted_key, extracted_key = NULL "
        "WHERE extracted_key IS NOT NULL"
    )
    decisions = entity_register.in_force(entity_register.decisions(connection))
    cable_ids = _cable_ids(connection, decisions)
    wanted = curation.selectors(decisions, cable_ids)
    fingerprint = _mentions_fingerprint(connection)
    read: _Read | None = None
    if decisions_only:
        read = _read_kept(connection, wanted, fingerprint)
    if read is None:
        read = _read_mentions(connection, wanted)
        _keep(connection, read, fingerprint)
    counts, written_in_full, kinds = read.counts, read.written_in_full, read.kinds
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key, kind in kinds.items():
        words = key.partition(":")[2].split()
        if kind == PERSON and len(words) >= 2:
            by_surname[words[-1]].append(key)
    target: dict[str, str] = {}
    for key, kind in kinds.items():
        words = key.partition(":")[2].split()
        if kind != CANDIDATE:
            target[key] = key
        if kind in (PERSON, CANDIDATE) and len(words) == 1 and by_surname.get(words[0]):
            # Dominance by mentions written in full: `Karzai` alone in a cable is as
            # likely the president as the brother that one cable names in full.
            full = sorted(by_surname[words[0]], key=lambda k: (-written_in_full[k], k))
            total = sum(written_in_full[k] for k in full)
            # A candidate (a surname no rule explained) needs the person named in full
            # in two cables at least: one stray full name makes no one famous.
            enough = kind == PERSON or read.cable_counts[full[0]] >= 2
            if total and enough and written_in_full[full[0]] * 5 >= total * 4:
                target[key] = full[0]
    replay = curation.Replay(target, kinds)
    for decision in decisions:
        replay.apply(decision, read.candidates, cable_ids)
    moves = replay.moves(read.candidates)
    root = {key: replay.find(entity) for key, entity in target.items()}
    totals: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, list[str]] = defaultdict(list)
    for key, entity in root.items():
        if entity in replay.deleted:
            continue
        totals[entity] += counts[key]
        spellings[entity].update(read.names[key])
        members[entity].append(key)
    # Moved mentions leave their key's entity and join another (unless it is deleted);
    # the cables of the entities they touch are counted again below, in SQL. The name a
    # moved mention carries is the one the editor just overruled: it does not name the
    # entity it joins.
    touched: set[str] = set()
    for mention, end in moves:
        # A candidate no one explained belongs to no entity until an editor moves it.
        source = root.get(mention.key)
        if source is not None and source not in replay.deleted:
            totals[source] -= 1
            spellings[source][mention.name] -= 1
            touched.add(source)
        if end not in replay.deleted:
            totals[end] += 1
            touched.add(end)
    existing = dict(connection.execute("SELECT key, id FROM entities"))
    cables = _entity_cables(connection, read, members, existing, old_moves, root, touched)
    connection.execute("UPDATE entities SET mentions = 0, cables = 0")
    for entity_key in sorted(e for e in totals if totals[e] > 0 or e in existing):
        name = replay.names.get(entity_key) or _canonical(spellings[entity_key], entity_key)
        row = (replay.kind_of(entity_key), name, totals[entity_key], cables.get(entity_key, 0))
        if entity_key in existing:
            connection.execute(
                "UPDATE entities SET kind = ?, name = ?, mentions = ?, cables = ? WHERE key = ?",
                (*row, entity_key),
            )
        else:
            cursor = connection.execute(
                "INSERT INTO entities (kind, name, mentions, cables, key) VALUES (?, ?, ?, ?, ?)",
                (*row, entity_key),
            )
            existing[entity_key] = int(cursor.lastrowid or 0)
    connection.execute("DELETE FROM entity_keys")
    mapped = {**{key: replay.find(key) for key in replay.created}, **root}
    connection.executemany(
        "INSERT INTO entity_keys (key, entity_id) VALUES (?, ?)",
        [
            (key, existing[entity])
            for key, entity in sorted(mapped.items())
            if entity not in replay.deleted and entity in existing
        ],
    )
    connection.executemany(
        "UPDATE mentions SET extracted_key = key, key = ? WHERE cable_id = ? AND position = ?",
        [(end, mention.cable_id, mention.position) for mention, end in moves],
    )
    recount = touched | (set(totals) - cables.keys())
    for entity_key in recount & existing.keys():
        connection.execute(
            """UPDATE entities SET cables = (SELECT count(DISTINCT m.cable_id) FROM mentions m
               JOIN enriched e ON e.cable_id = m.cable_id
               JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash
               JOIN entity_keys k ON k.key = m.key WHERE k.entity_id = entities.id)
               WHERE id = ?""",
            (existing[entity_key],),
        )
    _point_merged(connection, replay, existing)
    # Readers' caches of what an entity was ever called (the facade's `_hidden`) are
    # keyed by this: an alias or a split changes which names an entity has.
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('entities_resolved', "
        "coalesce((SELECT value + 1 FROM meta WHERE key = 'entities_resolved'), 1))"
    )
    return Resolution(
        entities=sum(1 for e in totals if totals[e] > 0),
        keys=len(target),
        decisions=replay.applied,
        moved=len(moves),
        read_all=read.cables is not None,
    )


@dataclass
class _Read:
    """What resolution needs of the mentions (of cables' current texts), per key."""

    counts: Counter[str]
    written_in_full: Counter[str]
    names: dict[str, Counter[str]]
    kinds: dict[str, str]
    cable_counts: dict[str, int]
    surface_keys: dict[str, set[str]]
    candidates: list[curation.Candidate]
    # Each key's cables, when every mention was read (None: from the kept figures).
    cables: dict[str, set[int]] | None = None


def _read_mentions(connection: sqlite3.Connection, wanted: curation.Selectors) -> _Read:
    """Every current mention, read once."""
    selecting = bool(wanted)
    # Surfaces repeat (`Maliki` thousands of times): each is read as a name once.
    surface_read: dict[str, tuple[str, bool]] = {}
    candidates: list[curation.Candidate] = []
    counts: Counter[str] = Counter()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, str] = {}
    cables: dict[str, set[int]] = defaultdict(set)
    surfaces: dict[str, set[str]] = defaultdict(set)
    written_in_full: Counter[str] = Counter()
    # Cable by cable (CROSS JOIN keeps this order): through the `mentions_key` index, as
    # the planner chose, each mention looked its cable up again, 14 times slower.
    for cable_id, position, kind, key, name, surface in connection.execute(
        """SELECT m.cable_id, m.position, m.kind, m.key, m.name, m.surface FROM enriched e
           CROSS JOIN cables c ON c.id = e.cable_id AND c.text_hash = e.text_hash
           CROSS JOIN mentions m ON m.cable_id = e.cable_id"""
    ):
        read = surface_read.get(surface)
        if read is None:
            words = name_words(surface)
            read = surface_read[surface] = (" ".join(words), len(words) >= 2)
        surface_key, in_full = read
        counts[key] += 1
        if in_full:
            written_in_full[key] += 1
        names[key][name] += 1
        kinds[key] = kind
        cables[key].add(cable_id)
        surfaces[key].add(surface_key)
        if selecting and wanted.wants(cable_id, surface_key):
            candidates.append(curation.Candidate(cable_id, position, key, name, surface_key))
    return _Read(
        counts,
        written_in_full,
        names,
        kinds,
        {key: len(found) for key, found in cables.items()},
        surfaces,
        candidates,
        cables,
    )


def _mentions_fingerprint(connection: sqlite3.Connection) -> str:
    """Which mentions resolution reads: the cables whose current text was read (their
    rowids, summed two ways) and how many batches enrichment wrote (`write` counts them,
    a rewrite of a cable's mentions changes nothing else here)."""
    row = connection.execute(
        """SELECT count(*), total(e.cable_id), total((e.cable_id * 2654435761) % 4294967291)
           FROM enriched e JOIN cables c ON c.id = e.cable_id AND c.text_hash = e.text_hash"""
    ).fetchone()
    written = connection.execute("SELECT value FROM meta WHERE key = 'mentions_written'").fetchone()
    return f"{row[0]}:{int(row[1])}:{int(row[2])}:{written[0] if written else 0}"


def _keep(connection: sqlite3.Connection, read: _Read, fingerprint: str) -> None:
    connection.execute("DELETE FROM entity_key_stats")
    connection.executemany(
        "INSERT INTO entity_key_stats (key, kind, mentions, in_full, cables, names, "
        "surface_keys) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                key,
                kind,
                read.counts[key],
                read.written_in_full[key],
                read.cable_counts[key],
                json.dumps(read.names[key], ensure_ascii=False, separators=(",", ":")),
                json.dumps(sorted(read.surface_keys[key]), ensure_ascii=False),
            )
            for key, kind in read.kinds.items()
        ],
    )
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('entity_key_stats', ?)", (fingerprint,)
    )


def _read_kept(
    connection: sqlite3.Connection, wanted: curation.Selectors, fingerprint: str
) -> _Read | None:
    """What the last full resolution read, if the mentions are still those it read;
    the candidates of the decisions read from the mentions they may move."""
    kept = connection.execute("SELECT value FROM meta WHERE key = 'entity_key_stats'").fetchone()
    if kept is None or kept[0] != fingerprint:
        return None
    read = _Read(Counter(), Counter(), {}, {}, {}, {}, [])
    for key, kind, mentions, in_full, cables, names, surfaces in connection.execute(
        "SELECT key, kind, mentions, in_full, cables, names, surface_keys FROM entity_key_stats"
    ):
        read.kinds[key] = kind
        read.counts[key] = mentions
        if in_full:
            read.written_in_full[key] = in_full
        read.cable_counts[key] = cables
        read.names[key] = Counter(json.loads(names))
        read.surface_keys[key] = set(json.loads(surfaces))
    if wanted:
        read.candidates = _candidates(connection, wanted, read.surface_keys)
    return read


def _candidates(
    connection: sqlite3.Connection, wanted: curation.Selectors, surface_keys: dict[str, set[str]]
) -> list[curation.Candidate]:
    """The current mentions the decisions may move, in the order a full read meets them:
    those of the keys written with a surface a decision names, and those of the cables a
    split names."""
    names = set(wanted.alias_keys)
    cable_ids: set[int] = set()
    for cables, surfaces in wanted.splits:
        if cables is not None:
            cable_ids |= cables
        elif surfaces is not None:
            names |= surfaces
    keys = sorted(key for key, written in surface_keys.items() if written & names)
    select = """SELECT m.cable_id, m.position, m.key, m.name, m.surface FROM mentions m
                JOIN enriched e ON e.cable_id = m.cable_id
                JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash"""
    rows: set[tuple[int, int, str, str, str]] = set()
    for chunk in _chunked(keys):
        rows.update(
            connection.execute(f"{select} WHERE m.key IN ({','.join('?' * len(chunk))})", chunk)
        )
    for ids in _chunked(sorted(cable_ids)):
        rows.update(
            connection.execute(f"{select} WHERE m.cable_id IN ({','.join('?' * len(ids))})", ids)
        )
    found = []
    for cable_id, position, key, name, surface in sorted(rows):
        surface_key = " ".join(name_words(surface))
        if wanted.wants(cable_id, surface_key):
            found.append(curation.Candidate(cable_id, position, key, name, surface_key))
    return found


def _chunked(values: list[_T]) -> Iterable[list[_T]]:
    for start in range(0, len(values), 500):
        yield values[start : start + 500]


def _entity_cables(
    connection: sqlite3.Connection,
    read: _Read,
    members: dict[str, list[str]],
    existing: dict[str, int],
    old_moves: list[tuple[str, str]],
    root: dict[str, str],
    touched: set[str],
) -> dict[str, int]:
    """Each entity's cables, where known without SQL (the rest, and those `touched` by
    moved mentions, are counted again after `entity_keys` is written): from the cables
    of its keys when every mention was read; otherwise an entity of one key has its
    key's cables, and an entity whose keys did not change keeps the count it had, unless
    a mention moved into it or out of it before (those are counted again)."""
    if read.cables is not None:
        union: dict[str, int] = {}
        for entity, keys in members.items():
            if len(keys) == 1:
                union[entity] = len(read.cables[keys[0]])
            else:
                union[entity] = len(set().union(*(read.cables[k] for k in keys)))
        return union
    moved_before = {root.get(k) for pair in old_moves for k in pair} | {k for k, _ in old_moves}
    previous: dict[int, list[str]] = defaultdict(list)
    for key, entity_id in connection.execute("SELECT key, entity_id FROM entity_keys"):
        previous[entity_id].append(key)
    had = dict(connection.execute("SELECT key, cables FROM entities"))
    known: dict[str, int] = {}
    for entity, keys in members.items():
        if entity in touched or entity in moved_before:
            continue
        if len(keys) == 1:
            known[entity] = read.cable_counts[keys[0]]
        elif entity in existing and sorted(previous.get(existing[entity], [])) == sorted(keys):
            known[entity] = had[entity]
    return known


def _cable_ids(
    connection: sqlite3.Connection, decisions: list[entity_register.Decision]
) -> dict[str, int]:
    """Rowids of the cables the decisions name by reference id (a split's cables)."""
    named = sorted({c for d in decisions for c in d.payload.get("cables") or []})
    if not named:
        return {}
    marks = ",".join("?" * len(named))
    return dict(
        connection.execute(
            f"SELECT reference_id, id FROM cables WHERE reference_id IN ({marks})", named
        ).fetchall()
    )


def _point_merged(
    connection: sqlite3.Connection, replay: curation.Replay, ids: dict[str, int]
) -> None:
    """Every entity id whose key now belongs to another entity points at it, so the
    page of a merged entity (by an editor, or by the automatic resolution as the archive
    grew) answers with the entity it joined."""
    connection.execute("UPDATE entities SET merged_into = NULL WHERE merged_into IS NOT NULL")
    pointers = []
    for key, entity_id in ids.items():
        now = replay.entity_of_key(key)
        if now is not None and now != key and now not in replay.deleted and now in ids:
            pointers.append((ids[now], entity_id))
    connection.executemany("UPDATE entities SET merged_into = ? WHERE id = ?", pointers)


def selects(
    connection: sqlite3.Connection, entity_id: int, reference_ids: list[str], surfaces: list[str]
) -> bool:
    """Whether the entity has a current mention in one of these cables (any, if none
    given) written as one of these surfaces (by name key; any, if none given)."""
    wanted = {name_key(s) for s in surfaces}
    sql = """SELECT DISTINCT m.surface FROM mentions m
             JOIN enriched e ON e.cable_id = m.cable_id
             JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash
             JOIN entity_keys k ON k.key = m.key WHERE k.entity_id = ?"""
    params: list[object] = [entity_id]
    if reference_ids:
        sql += f" AND c.reference_id IN ({','.join('?' * len(reference_ids))})"
        params.extend(reference_ids)
    return any(not wanted or name_key(row[0]) in wanted for row in connection.execute(sql, params))


def generation(connection: sqlite3.Connection) -> int:
    """How many times resolution ran: what depends on an entity's names is stale when
    this moved."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'entities_resolved'").fetchone()
    return int(row[0]) if row else 0


def merged_into(connection: sqlite3.Connection, entity_id: int) -> int | None:
    """The entity a merged entity's id points at (None: not merged)."""
    row = connection.execute(
        "SELECT merged_into FROM entities WHERE id = ?", (entity_id,)
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _canonical(spellings: Counter[str], entity_key: str) -> str:
    """The name an entity goes by: the most used of its fullest spellings."""
    used = [n for n in spellings if spellings[n] > 0]
    if not used:
        return entity_key.partition(":")[2]
    return max(used, key=lambda n: (len(name_words(n)), spellings[n], n))


@dataclass(frozen=True)
class Visibility:
    """Which mentions a list may count, in the store's terms (the facade makes it from a
    Viewer): parts up to `ceiling` (rank), no NOFORN parts when `foreign`, only cables of
    the latest edition in their published text when `published_only`, none of the cables
    in `excluded` (those an editor's rule touches by id, for readers who get redactions)."""

    ceiling: int | None = None
    foreign: bool = False
    published_only: bool = False
    excluded: frozenset[str] = frozenset()

    def sql(self, order: str | None = None) -> tuple[str, list[object]]:
        """FROM and WHERE of the visible mentions. `order` fixes the order of the joins
        (CROSS JOIN) where SQLite's planner, left to itself, starts the public's queries
        from the edition's cables and reads every mention of them, hundreds of times too
        slow (docs/entities.md, "Entity reads at scale"): `entity` (the caller names the
        entity, `k.entity_id = ?`: from its keys), `cables` (the caller names a few
        cables, `m.cable_id IN (...)`: from their mentions), `all` (a pass over all the
        reader may count: from the edition's cables for the public, else from the
        mentions). None: the planner's choice (a query naming one cable by its id)."""
        edition = (
            "w.reference_id = c.reference_id AND w.text_hash = c.text_hash "
            "AND w.edition_id = (SELECT max(id) FROM editions)"
        )
        if order == "entity":
            joins = [
                "FROM entity_keys k CROSS JOIN mentions m ON m.key = k.key",
                "CROSS JOIN enriched e ON e.cable_id = m.cable_id",
                "CROSS JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash",
                "CROSS JOIN entities n ON n.id = k.entity_id",
            ]
        elif order == "all" and self.published_only:
            joins = [
                "FROM edition_cables w CROSS JOIN cables c ON " + edition,
                "CROSS JOIN enriched e ON e.cable_id = c.id AND e.text_hash = c.text_hash",
                "CROSS JOIN mentions m ON m.cable_id = c.id",
                "CROSS JOIN entity_keys k ON k.key = m.key",
                "CROSS JOIN entities n ON n.id = k.entity_id",
            ]
        else:
            join = "JOIN" if order is None else "CROSS JOIN"
            # A pass over every mention reads the table in its own order (by cable, so
            # each cable's rows are looked up once in a row): left to itself, SQLite
            # 3.40 walks `mentions` through its key index and looks every row up by its
            # primary key, about 6x the CPU (36 s against 6 s at 50,000 cables,
            # docs/performance.md, "Enrichment throughput"). `LIMIT -1` keeps the
            # subquery a co-routine the planner cannot flatten back.
            source = "(SELECT * FROM mentions LIMIT -1) m" if order == "all" else "mentions m"
            joins = [
                f"FROM {source} {join} enriched e ON e.cable_id = m.cable_id",
                f"{join} cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash",
                f"{join} entity_keys k ON k.key = m.key",
                f"{join} entities n ON n.id = k.entity_id",
            ]
        where: list[str] = []
        params: list[object] = []
        if self.published_only and not joins[0].startswith("FROM edition_cables"):
            joins.append(
                ("JOIN" if order is None else "CROSS JOIN") + " edition_cables w ON " + edition
            )
        if self.ceiling is not None:
            where.append("m.rank <= ?")
            params.append(self.ceiling)
        if self.foreign:
            where.append("m.noforn = 0")
        if self.excluded:
            where.append(f"c.reference_id NOT IN ({','.join('?' * len(self.excluded))})")
            params.extend(sorted(self.excluded))
        return " ".join(joins) + (" WHERE " + " AND ".join(where) if where else ""), params


def _and(sql: str) -> str:
    return " AND " if " WHERE " in sql else " WHERE "


def stored_counts(
    connection: sqlite3.Connection,
    *,
    kind: str | None = None,
    name: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[tuple[int, str, str, int, int]]:
    """What `counts` gives a reader who sees everything, read from the counts resolution
    keeps in `entities` (one indexed read instead of a pass over every mention)."""
    where = ["mentions > 0"]
    params: list[object] = []
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if name:
        where.append("instr(lower(name), ?) > 0")
        params.append(name.lower())
    return connection.execute(
        f"""SELECT id, kind, name, mentions, cables FROM entities WHERE {" AND ".join(where)}
            ORDER BY mentions DESC, id LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    ).fetchall()


def named_counts(
    connection: sqlite3.Connection, rows: list[tuple[int, str, int, int]]
) -> list[tuple[int, str, str, int, int]]:
    """(id, kind, name, mentions, cables) of counted rows (id, kind, mentions, cables),
    with each entity's stored name; in their order, those resolution no longer knows
    left out."""
    if not rows:
        return []
    names = dict(
        connection.execute(
            f"SELECT id, name FROM entities WHERE id IN ({','.join('?' * len(rows))})",
            [row[0] for row in rows],
        ).fetchall()
    )
    return [(i, kind, names[i], n, c) for i, kind, n, c in rows if i in names]


def counts(
    connection: sqlite3.Connection,
    seen: Visibility,
    *,
    kind: str | None = None,
    entity_ids: list[int] | None = None,
    cable_ids: list[int] | None = None,
    limit: int = 50,
    offset: int = 0,
    name: str | None = None,
) -> list[tuple[int, str, str, int, int]]:
    """(id, kind, name, mentions, cables) of entities, most mentioned first, counting
    only the visible mentions; with `name`, only entities whose name contains it (case
    folded)."""
    sql, params = seen.sql(
        "cables" if cable_ids is not None else "entity" if entity_ids is not None else "all"
    )
    if kind:
        sql += _and(sql) + "n.kind = ?"
        params.append(kind)
    if name:
        sql += _and(sql) + (
            "k.entity_id IN (SELECT id FROM entities WHERE instr(lower(name), ?) > 0)"
        )
        params.append(name.lower())
    if entity_ids is not None:
        sql += _and(sql) + f"k.entity_id IN ({','.join('?' * len(entity_ids))})"
        params.extend(entity_ids)
    if cable_ids is not None:
        sql += _and(sql) + f"m.cable_id IN ({','.join('?' * len(cable_ids))})"
        params.extend(cable_ids)
    rows = connection.execute(
        f"""SELECT k.entity_id, count(*) AS n, count(DISTINCT m.cable_id) {sql}
            GROUP BY k.entity_id ORDER BY n DESC, k.entity_id LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    ).fetchall()
    if not rows:
        return []
    info = {
        row[0]: (row[1], row[2])
        for row in connection.execute(
            f"SELECT id, kind, name FROM entities WHERE id IN ({','.join('?' * len(rows))})",
            [r[0] for r in rows],
        )
    }
    return [(i, *info[i], n, c) for i, n, c in rows if i in info]


def surfaces(
    connection: sqlite3.Connection, entity_id: int, seen: Visibility
) -> list[tuple[str, int]]:
    sql, params = seen.sql("entity")
    return connection.execute(
        f"""SELECT m.surface, count(*) AS n {sql}{_and(sql)}k.entity_id = ?
            GROUP BY m.surface ORDER BY n DESC, m.surface""",
        [*params, entity_id],
    ).fetchall()


def entity_names(
    connection: sqlite3.Connection, entity_id: int, *, mentions: bool = True
) -> list[str]:
    """Every name and surface ever recorded for the entity, seen or not: what the facade
    checks against the redaction rules before it shows the entity at all. Without
    `mentions`, the stored name alone (the caller has the mentions' from a summary)."""
    row = connection.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return []
    names = [row[0]]
    if not mentions:
        return names
    names.extend(
        r[0]
        for r in connection.execute(
            """SELECT DISTINCT m.surface FROM mentions m JOIN entity_keys k ON k.key = m.key
               WHERE k.entity_id = ?""",
            (entity_id,),
        )
    )
    names.extend(
        r[0]
        for r in connection.execute(
            """SELECT DISTINCT m.name FROM mentions m JOIN entity_keys k ON k.key = m.key
               WHERE k.entity_id = ?""",
            (entity_id,),
        )
    )
    return names


def months(
    connection: sqlite3.Connection, entity_id: int, seen: Visibility
) -> list[tuple[str, int]]:
    sql, params = seen.sql("entity")
    return connection.execute(
        f"""SELECT substr(c.date, 1, 7) AS month, count(DISTINCT m.cable_id) {sql}{_and(sql)}
            k.entity_id = ? AND c.date IS NOT NULL GROUP BY month ORDER BY month""",
        [*params, entity_id],
    ).fetchall()


def posts(
    connection: sqlite3.Connection, entity_id: int, seen: Visibility
) -> list[tuple[str, int]]:
    sql, params = seen.sql("entity")
    return connection.execute(
        f"""SELECT c.origin, count(DISTINCT m.cable_id) AS n {sql}{_and(sql)}k.entity_id = ?
            AND c.origin IS NOT NULL GROUP BY c.origin ORDER BY n DESC, c.origin LIMIT 20""",
        [*params, entity_id],
    ).fetchall()


def cables_of(
    connection: sqlite3.Connection,
    entity_id: int,
    seen: Visibility,
    limit: int = 100,
    *,
    dense: bool = False,
) -> list[tuple[int, str]]:
    """(rowid, reference id) of the newest `limit` cables with a visible mention of the
    entity. `dense` (an entity in many cables): walk the cables newest first and keep
    those that mention it, which stops after a few hundred, instead of sorting all of
    the entity's cables; the same answer."""
    if dense:
        return _dense_cables_of(connection, entity_id, seen, limit)
    sql, params = seen.sql("entity")
    return connection.execute(
        f"""SELECT DISTINCT c.id, c.reference_id {sql}{_and(sql)}k.entity_id = ?
            ORDER BY c.date DESC, c.reference_id LIMIT ?""",
        [*params, entity_id, limit],
    ).fetchall()


def _dense_cables_of(
    connection: sqlite3.Connection, entity_id: int, seen: Visibility, limit: int
) -> list[tuple[int, str]]:
    keys = [
        row[0]
        for row in connection.execute(
            "SELECT key FROM entity_keys WHERE entity_id = ?", (entity_id,)
        )
    ]
    if not keys:
        return []
    # The conditions of Visibility.sql, per cable: its mentions are of its current text,
    # of the latest edition's text for the public, and not in a cable a rule names.
    where = [
        "EXISTS (SELECT 1 FROM enriched e WHERE e.cable_id = c.id AND e.text_hash = c.text_hash)"
    ]
    params: list[object] = []
    if seen.published_only:
        where.append(
            "EXISTS (SELECT 1 FROM edition_cables w WHERE w.reference_id = c.reference_id "
            "AND w.text_hash = c.text_hash AND w.edition_id = (SELECT max(id) FROM editions))"
        )
    if seen.excluded:
        where.append(f"c.reference_id NOT IN ({','.join('?' * len(seen.excluded))})")
        params.extend(sorted(seen.excluded))
    mention = [f"m.cable_id = c.id AND m.key IN ({','.join('?' * len(keys))})"]
    mention_params: list[object] = list(keys)
    if seen.ceiling is not None:
        mention.append("m.rank <= ?")
        mention_params.append(seen.ceiling)
    if seen.foreign:
        mention.append("m.noforn = 0")
    where.append(f"EXISTS (SELECT 1 FROM mentions m WHERE {' AND '.join(mention)})")
    return connection.execute(
        f"""SELECT c.id, c.reference_id FROM cables c WHERE {" AND ".join(where)}
            ORDER BY c.date DESC, c.reference_id LIMIT ?""",
        [*params, *mention_params, limit],
    ).fetchall()


def of_cable(
    connection: sqlite3.Connection, reference_id: str, seen: Visibility
) -> list[tuple[int, str, str, str, int | None, int, int, str]]:
    """(entity id, kind, entity name, field, paragraph, start, end, surface) of one
    cable's visible mentions, in the cable's order."""
    sql, params = seen.sql()
    return connection.execute(
        f"""SELECT k.entity_id, n.kind, n.name, m.field, m.paragraph, m.start, m.end, m.surface
            {sql}
            {_and(sql)}c.reference_id = ? ORDER BY m.position""",
        [*params, reference_id],
    ).fetchall()


def enriched_now(connection: sqlite3.Connection, reference_ids: list[str]) -> set[str]:
    """Those of these cables whose mentions are of their current text (as every read
    through `Visibility` requires): a cable not read yet, or re-ingested with a changed
    text since, has no mention anyone counts."""
    found: set[str] = set()
    for low in range(0, len(reference_ids), 500):
        chunk = reference_ids[low : low + 500]
        found.update(
            row[0]
            for row in connection.execute(
                f"""SELECT c.reference_id FROM cables c JOIN enriched e ON e.cable_id = c.id
                    AND e.text_hash = c.text_hash
                    WHERE c.reference_id IN ({",".join("?" * len(chunk))})""",
                chunk,
            )
        )
    return found
