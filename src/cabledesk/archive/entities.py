"""The entity tables: what enrichment wrote, and archive-wide resolution (schema 7).

Only SQL on `mentions`, `enriched`, `entities` and `entity_keys` lives here. Which of it a
reader may see is decided in the facade (docs/entities.md, "Who sees what"): every row
carries the level of the part of the cable it stands in.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from cabledesk.entities import PERSON, Mention
from cabledesk.entities.model import CANDIDATE
from cabledesk.entities.names import name_words

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
            "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(cable_id, position, *row) for position, row in enumerate(rows)],
        )
        connection.execute(
            "INSERT OR REPLACE INTO enriched (cable_id, version, text_hash) VALUES (?, ?, ?)",
            (cable_id, version, text_hash),
        )
        written += len(rows)
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


def resolve(connection: sqlite3.Connection) -> Resolution:
    """Archive-wide resolution: every mention key to an entity, and each entity's
    canonical name and counts. A person known by a surname alone in some cables
    (`person:maliki`) is the person of that surname named in full elsewhere when one
    such person has at least four in five of the mentions written in full (`Nouri
    al-Maliki`);
    otherwise the surname stays an entity of its own, for an editor to merge. Entity ids
    are kept for keys that had one, so links and editors' decisions stay valid."""
    counts: Counter[str] = Counter()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, str] = {}
    cables: dict[str, set[int]] = defaultdict(set)
    written_in_full: Counter[str] = Counter()
    for cable_id, kind, key, name, surface in connection.execute(
        """SELECT m.cable_id, m.kind, m.key, m.name, m.surface FROM mentions m
           JOIN enriched e ON e.cable_id = m.cable_id
           JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash"""
    ):
        counts[key] += 1
        if len(name_words(surface)) >= 2:
            written_in_full[key] += 1
        names[key][name] += 1
        kinds[key] = kind
        cables[key].add(cable_id)
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
            enough = kind == PERSON or len(cables[full[0]]) >= 2
            if total and enough and written_in_full[full[0]] * 5 >= total * 4:
                target[key] = full[0]
    totals: Counter[str] = Counter()
    cable_sets: dict[str, set[int]] = defaultdict(set)
    for key, entity in target.items():
        totals[entity] += counts[key]
        cable_sets[entity] |= cables[key]
    existing = dict(connection.execute("SELECT key, id FROM entities"))
    connection.execute("UPDATE entities SET mentions = 0, cables = 0")
    for entity_key in sorted(totals):
        name = _canonical(names, [k for k, t in target.items() if t == entity_key], entity_key)
        if entity_key in existing:  # kinds[entity_key]: the target's own kind
            connection.execute(
                "UPDATE entities SET kind = ?, name = ?, mentions = ?, cables = ? WHERE key = ?",
                (
                    kinds[entity_key],
                    name,
                    totals[entity_key],
                    len(cable_sets[entity_key]),
                    entity_key,
                ),
            )
        else:
            cursor = connection.execute(
                "INSERT INTO entities (key, kind, name, mentions, cables) VALUES (?, ?, ?, ?, ?)",
                (
                    entity_key,
                    kinds[entity_key],
                    name,
                    totals[entity_key],
                    len(cable_sets[entity_key]),
                ),
            )
            existing[entity_key] = int(cursor.lastrowid or 0)
    connection.execute("DELETE FROM entity_keys")
    connection.executemany(
        "INSERT INTO entity_keys (key, entity_id) VALUES (?, ?)",
        [(key, existing[entity]) for key, entity in sorted(target.items())],
    )
    return Resolution(entities=len(totals), keys=len(target))


def _canonical(names: dict[str, Counter[str]], keys: list[str], entity_key: str) -> str:
    """The name an entity goes by: the most used of its fullest spellings."""
    spellings: Counter[str] = Counter()
    for key in keys:
        spellings.update(names[key])
    return max(spellings, key=lambda n: (len(name_words(n)), spellings[n], n))


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

    def sql(self) -> tuple[str, list[object]]:
        joins = [
            "FROM mentions m JOIN enriched e ON e.cable_id = m.cable_id",
            "JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash",
            "JOIN entity_keys k ON k.key = m.key JOIN entities n ON n.id = k.entity_id",
        ]
        where: list[str] = []
        params: list[object] = []
        if self.published_only:
            joins.append(
                "JOIN edition_cables w ON w.reference_id = c.reference_id "
                "AND w.text_hash = c.text_hash AND w.edition_id = (SELECT max(id) FROM editions)"
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
    sql, params = seen.sql()
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
    sql, params = seen.sql()
    return connection.execute(
        f"""SELECT m.surface, count(*) AS n {sql}{_and(sql)}k.entity_id = ?
            GROUP BY m.surface ORDER BY n DESC, m.surface""",
        [*params, entity_id],
    ).fetchall()


def entity_names(connection: sqlite3.Connection, entity_id: int) -> list[str]:
    """Every name and surface ever recorded for the entity, seen or not: what the facade
    checks against the redaction rules before it shows the entity at all."""
    row = connection.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return []
    names = [row[0]]
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
    sql, params = seen.sql()
    return connection.execute(
        f"""SELECT substr(c.date, 1, 7) AS month, count(DISTINCT m.cable_id) {sql}{_and(sql)}
            k.entity_id = ? AND c.date IS NOT NULL GROUP BY month ORDER BY month""",
        [*params, entity_id],
    ).fetchall()


def posts(
    connection: sqlite3.Connection, entity_id: int, seen: Visibility
) -> list[tuple[str, int]]:
    sql, params = seen.sql()
    return connection.execute(
        f"""SELECT c.origin, count(DISTINCT m.cable_id) AS n {sql}{_and(sql)}k.entity_id = ?
            AND c.origin IS NOT NULL GROUP BY c.origin ORDER BY n DESC, c.origin LIMIT 20""",
        [*params, entity_id],
    ).fetchall()


def cables_of(
    connection: sqlite3.Connection, entity_id: int, seen: Visibility, limit: int = 100
) -> list[tuple[int, str]]:
    sql, params = seen.sql()
    return connection.execute(
        f"""SELECT DISTINCT c.id, c.reference_id {sql}{_and(sql)}k.entity_id = ?
            ORDER BY c.date DESC, c.reference_id LIMIT ?""",
        [*params, entity_id, limit],
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
