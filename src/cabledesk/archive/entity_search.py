"""What the index needs of the entity tables, and what `person:`/`org:`/`place:`/`entity:`
ask of them (docs/entities.md, "Searching by entity").

The index holds, in each cable's document, the ids of the entities the cable mentions, one
field per kind and reader's view (archive/fields.py, `entity_field`). This module is the
SQL behind it: the fields of a batch of cables (read when the index absorbs them), marking
cables changed when enrichment or resolution changes their entities (so the index absorbs
them again, as it does after an ingest or a redaction), and the name look-up of a query
field, counted over a reader's `Visibility` only. Which reader may see what is still
decided in the facade; nothing here knows a reader.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from cabledesk.archive.entities import Visibility
from cabledesk.archive.fields import ENTITY_KINDS, RANKS, entity_field
from cabledesk.archive.store import next_seq

# SQLite binds at most 32,766 parameters in a statement; keys and ids go in pieces.
_CHUNK = 500


def _chunks(items: list[object]) -> Iterable[list[object]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def document_entities(
    connection: sqlite3.Connection, cable_ids: list[int], *, edition: int | None = None
) -> dict[int, dict[str, list[str]]]:
    """The entity fields of these cables' documents, by cable row id.

    Only mentions read from the cable's current text count (as `Visibility` counts them);
    with `edition`, only those of a cable whose current text is the version that edition
    published (the edition index: the public's view). An entity goes into the field of
    every view that may see at least one of its mentions in the cable."""
    out: dict[int, dict[str, list[str]]] = {}
    if not cable_ids:
        return out
    # A test of each cable, not a join: joined, SQLite read the whole edition for every
    # chunk of ids (recording an edition of 125,643 cables took most of an hour).
    in_edition = (
        "AND EXISTS (SELECT 1 FROM edition_cables w WHERE w.edition_id = ? "
        "AND w.reference_id = c.reference_id AND w.text_hash = c.text_hash)"
        if edition is not None
        else ""
    )
    for chunk in _chunks(list(cable_ids)):
        marks = ",".join("?" * len(chunk))
        params: list[object] = chunk + ([edition] if edition is not None else [])
        rows = connection.execute(
            f"""SELECT m.cable_id, k.entity_id, n.kind, min(m.rank),
                       min(CASE WHEN m.noforn = 0 THEN m.rank END)
                FROM mentions m JOIN enriched e ON e.cable_id = m.cable_id
                JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash
                JOIN entity_keys k ON k.key = m.key
                JOIN entities n ON n.id = k.entity_id
                WHERE m.cable_id IN ({marks}) {in_edition}
                GROUP BY m.cable_id, k.entity_id, n.kind""",
            params,
        ).fetchall()
        for cable_id, entity_id, kind, lowest, lowest_releasable in rows:
            views = _VIEWS.get(kind)
            if views is None:
                continue
            fields = out.setdefault(cable_id, {})
            ident = str(entity_id)
            for ceiling, everyone, releasable in views:
                if lowest <= ceiling:
                    fields.setdefault(everyone, []).append(ident)
                if lowest_releasable is not None and lowest_releasable <= ceiling:
                    fields.setdefault(releasable, []).append(ident)
    return out


# Per entity kind, each ceiling with the names of its two fields (all parts; releasable
# parts only), in RANKS order: document_entities runs over every mention of a catch-up.
_VIEWS = {
    kind: [
        (int(ceiling), entity_field(kind, ceiling, False), entity_field(kind, ceiling, True))
        for ceiling in RANKS
    ]
    for kind in ENTITY_KINDS
}


def touch_cables(connection: sqlite3.Connection, cable_ids: list[int]) -> None:
    """Mark cables changed (their entities changed) so that the index absorbs them again;
    inside the caller's transaction, which must hold the index writer (Store.enriching)."""
    if not cable_ids:
        return
    seq = next_seq(connection)
    for chunk in _chunks(list(cable_ids)):
        marks = ",".join("?" * len(chunk))
        connection.execute(f"UPDATE cables SET seq = ? WHERE id IN ({marks})", [seq, *chunk])


def key_map(connection: sqlite3.Connection) -> dict[str, int]:
    """Every mention key and the entity it resolves to."""
    return dict(connection.execute("SELECT key, entity_id FROM entity_keys").fetchall())


def key_entities(connection: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    """Every mention key, the entity it resolves to and that entity's kind: what a
    cable's document says of a mention (its entity's id, in its kind's field)."""
    return {
        key: (entity_id, kind)
        for key, entity_id, kind in connection.execute(
            "SELECT k.key, k.entity_id, e.kind FROM entity_keys k JOIN entities e "
            "ON e.id = k.entity_id"
        )
    }


def moved_mentions(connection: sqlite3.Connection) -> set[tuple[int, int, str]]:
    """(cable, position, key) of every mention an editor's alias or split moved."""
    return set(
        connection.execute(
            "SELECT cable_id, position, key FROM mentions WHERE extracted_key IS NOT NULL"
        )
    )


def touch_moved(
    connection: sqlite3.Connection,
    before: set[tuple[int, int, str]],
    after: set[tuple[int, int, str]],
) -> None:
    """Mark changed the cables where a mention moved, or stopped or started being moved."""
    touch_cables(connection, sorted({cable for cable, _, _ in before ^ after}))


def touch_changed_keys(
    connection: sqlite3.Connection,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> int:
    """Mark changed the cables mentioning a key whose entity changed between two key maps
    (a resolution, a merge; with `key_entities`, a re-typing too): their documents list
    other entity ids now. Returns how many keys changed."""
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    cables: set[int] = set()
    for chunk in _chunks(list(changed)):
        marks = ",".join("?" * len(chunk))
        cables.update(
            row[0]
            for row in connection.execute(
                f"SELECT DISTINCT cable_id FROM mentions WHERE key IN ({marks})", chunk
            )
        )
    touch_cables(connection, sorted(cables))
    return len(changed)


def named(
    connection: sqlite3.Connection, kind: str, words: list[str], seen: Visibility
) -> list[int]:
    """Entities of `kind` with a name key holding `words` in a row (`maliki`; `nuri maliki`),
    by keys `seen` has at least one mention of: a reader finds an entity only by a spelling
    they may read somewhere, never by one that stands only above their ceiling."""
    if not words:
        return []
    candidates: list[str] = []
    width = len(words)
    for key, key_kind in connection.execute(
        """SELECT k.key, n.kind FROM entity_keys k JOIN entities n ON n.id = k.entity_id
           WHERE n.kind = ? AND instr(k.key, ?) > 0""",
        (kind, words[-1]),
    ):
        name = key.partition(":")[2].split()
        if key_kind == kind and any(
            name[i : i + width] == words for i in range(len(name) - width + 1)
        ):
            candidates.append(key)
    sql, params = seen.sql()
    where = " AND " if " WHERE " in sql else " WHERE "
    found: set[int] = set()
    for chunk in _chunks(list(candidates)):
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in connection.execute(
                f"SELECT DISTINCT k.entity_id {sql}{where}m.key IN ({marks})",
                [*params, *chunk],
            )
        )
    return sorted(found)


def kinds_of(connection: sqlite3.Connection, entity_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(kind, name) of these entities, by id (those that exist)."""
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(list(entity_ids)):
        marks = ",".join("?" * len(chunk))
        for entity_id, kind, name in connection.execute(
            f"SELECT id, kind, name FROM entities WHERE id IN ({marks})", chunk
        ):
            out[entity_id] = (kind, name)
    return out
