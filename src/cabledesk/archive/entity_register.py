"""The entity register, in SQLite (schema 9): editors' decisions about entities.

One append-only row a decision (triggers refuse UPDATE and DELETE): its version, when, who,
the action, the mention keys it is about, a JSON payload, and the reason. Decisions name
KEYS (`person:nuri maliki`), which re-extraction gives again, never the rowids of mentions
or cables that it may renumber; archive-wide resolution (`entities.resolve`) replays the
decisions in force after the automatic resolution (`curation.py`), so a later extractor
version never undoes an editor's decision. Undoing is itself a row (`undo`, or
`alias_remove` for an alias) naming the version it lifts; nothing is ever rewritten.

Only SQL on `entity_register` (and the look-ups that turn what an editor types into a
key) lives here. docs/entities.md, "Curation: the entity register".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cabledesk.entities import KINDS
from cabledesk.entities.names import name_key
from cabledesk.errors import Error

MERGE = "merge"
SPLIT = "split"
RENAME = "rename"
RETYPE = "retype"
DELETE = "delete"
ALIAS_ADD = "alias_add"
ALIAS_REMOVE = "alias_remove"
UNDO = "undo"
ACTIONS: tuple[str, ...] = (MERGE, SPLIT, RENAME, RETYPE, DELETE, ALIAS_ADD, ALIAS_REMOVE, UNDO)
# Rows that lift an earlier row (payload `version`) instead of deciding anything.
LIFTING: tuple[str, ...] = (UNDO, ALIAS_REMOVE)


class EntityRegisterError(Error, ValueError):
    """An entity decision that cannot be made as asked (an unknown entity, no reason)."""


@dataclass(frozen=True)
class Decision:
    version: int
    at: str
    account: str | None
    action: str
    keys: tuple[str, ...]
    payload: dict[str, Any] = field(hash=False, compare=False)
    reason: str

    @property
    def lifts(self) -> int | None:
        """The version this row lifts (an undo, an alias removal), else None."""
        if self.action not in LIFTING:
            return None
        return int(self.payload["version"])

    def describe(self) -> str:
        return describe(self.action, self.keys, self.payload)


@dataclass(frozen=True)
class Entity:
    """An entity as the register's look-ups find it: its id, key, kind and name now."""

    id: int
    key: str
    kind: str
    name: str


def describe(action: str, keys: Sequence[str], payload: Mapping[str, Any]) -> str:
    """One line for a decision, as the register holds it (keys, not ids): the command
    line's history and the editors' page on the desk say the same."""
    match action:
        case "merge":
            return f"merged {keys[0]} into {keys[1]}"
        case "split":
            where = [f"in {', '.join(payload['cables'])}"] if payload.get("cables") else []
            if payload.get("surfaces"):
                where.append("written " + " or ".join(repr(s) for s in payload["surfaces"]))
            return f"split {keys[0]} {' and '.join(where)} into {payload['name']!r}"
        case "rename":
            return f"renamed {keys[0]} {payload['name']!r}"
        case "retype":
            return f"made {keys[0]} a {payload['kind']}"
        case "delete":
            return f"deleted {keys[0]}"
        case "alias_add":
            return f"alias {payload['surface']!r} for {keys[0]}"
        case "alias_remove":
            return f"removed alias {payload['surface']!r} of {keys[0]} (lifts {payload['version']})"
        case "undo":
            return f"undid decision {payload['version']} ({payload.get('action', '')})"
    return action


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def append(
    connection: sqlite3.Connection,
    action: str,
    keys: list[str],
    payload: dict[str, Any],
    reason: str,
    account: str | None,
) -> Decision:
    """Add a decision inside the caller's transaction; returns it with its version."""
    if action not in ACTIONS:
        raise EntityRegisterError(f"action: expected one of {', '.join(ACTIONS)}; found {action!r}")
    if not reason.strip():
        raise EntityRegisterError("reason: every entity decision needs a reason (why)")
    at = now()
    connection.execute(
        "INSERT INTO entity_register (version, at, account, action, keys, payload, reason) "
        "VALUES ((SELECT coalesce(max(version), 0) + 1 FROM entity_register), ?, ?, ?, ?, ?, ?)",
        (at, account, action, json.dumps(keys), json.dumps(payload, sort_keys=True), reason),
    )
    version = int(connection.execute("SELECT max(version) FROM entity_register").fetchone()[0])
    return Decision(version, at, account, action, tuple(keys), payload, reason)


def decisions(connection: sqlite3.Connection) -> list[Decision]:
    """Every row, in version order."""
    rows = connection.execute(
        "SELECT version, at, account, action, keys, payload, reason FROM entity_register "
        "ORDER BY version"
    )
    return [
        Decision(v, at, who, action, tuple(json.loads(keys)), json.loads(payload), reason)
        for v, at, who, action, keys, payload, reason in rows
    ]


def lifted(rows: list[Decision]) -> set[int]:
    """The versions lifted by a later row that is itself in force (an undo of an undo puts
    the decision back): read from the newest row back, since a row only lifts older ones."""
    out: set[int] = set()
    for row in reversed(rows):
        if row.version in out:
            continue
        if row.lifts is not None:
            out.add(row.lifts)
    return out


def in_force(rows: list[Decision]) -> list[Decision]:
    """The decisions to replay, in version order: not lifted, not themselves lifts."""
    gone = lifted(rows)
    return [r for r in rows if r.version not in gone and r.lifts is None]


def version(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT max(version) FROM entity_register").fetchone()
    return int(row[0] or 0)


# --- what an editor types, as an entity -------------------------------------------------


def by_id(connection: sqlite3.Connection, entity_id: int) -> Entity | None:
    """The entity of this id now: a merged entity's id gives the entity it joined; None
    when it has no mention key (deleted, or never had a current mention)."""
    row = connection.execute(
        "SELECT coalesce(merged_into, id) FROM entities WHERE id = ?", (entity_id,)
    ).fetchone()
    if row is None:
        return None
    return _live(connection, int(row[0]))


def _live(connection: sqlite3.Connection, entity_id: int) -> Entity | None:
    row = connection.execute(
        "SELECT n.id, n.key, n.kind, n.name FROM entities n WHERE n.id = ? "
        "AND EXISTS (SELECT 1 FROM entity_keys k WHERE k.entity_id = n.id)",
        (entity_id,),
    ).fetchone()
    return Entity(*row) if row else None


def lookup(connection: sqlite3.Connection, reference: int | str) -> tuple[Entity, str]:
    """The entity an editor means, and the key a decision about it records: an id (a
    merged entity's id gives the entity it joined), a mention key (`person:karzai`,
    recorded as given), or a name (exact, else by its key in any kind). One clear error
    for an unknown or ambiguous reference."""
    text = str(reference).strip()
    if isinstance(reference, int) or text.isdigit():
        found = by_id(connection, int(text))
        if found is None:
            raise EntityRegisterError(
                f"no entity {text}: no such id, or it was deleted (see `cabledesk entities`)"
            )
        return found, found.key
    if not text:
        raise EntityRegisterError("entity: expected an id, a key or a name; found nothing")
    kind, colon, rest = text.partition(":")
    if colon and kind in KINDS:
        key = f"{kind}:{name_key(rest)}"
        row = connection.execute(
            "SELECT entity_id FROM entity_keys WHERE key = ?", (key,)
        ).fetchone()
        found = _live(connection, int(row[0])) if row else None
        if found is None:
            raise EntityRegisterError(f"no entity has the key {key!r}")
        return found, key
    ids = [
        int(r[0])
        for r in connection.execute(
            "SELECT DISTINCT n.id FROM entities n JOIN entity_keys k ON k.entity_id = n.id "
            "WHERE n.name = ? COLLATE NOCASE ORDER BY n.id",
            (text,),
        )
    ]
    if not ids:
        keys = [f"{k}:{name_key(text)}" for k in KINDS]
        marks = ",".join("?" * len(keys))
        ids = [
            int(r[0])
            for r in connection.execute(
                f"SELECT DISTINCT entity_id FROM entity_keys WHERE key IN ({marks}) "
                "ORDER BY entity_id",
                keys,
            )
        ]
    if not ids:
        raise EntityRegisterError(
            f"no entity named {text!r} (give an id from `cabledesk entities`, or a key "
            "such as person:nouri al-maliki)"
        )
    if len(ids) > 1:
        shown = ", ".join(str(i) for i in ids[:10])
        raise EntityRegisterError(f"{text!r} names more than one entity ({shown}): give the id")
    found = _live(connection, ids[0])
    assert found is not None  # it has a key: the query above joined one
    return found, found.key


def entity_of_key(connection: sqlite3.Connection, key: str) -> int | None:
    """The id of the entity a key belongs to now (None: no current mention, or deleted)."""
    row = connection.execute("SELECT entity_id FROM entity_keys WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else None


def history(connection: sqlite3.Connection) -> list[dict[str, object]]:
    """Every row, oldest first, with whether it is in force now and the entities its keys
    belong to now (None: no current mention, or deleted)."""
    rows = decisions(connection)
    gone = lifted(rows)
    return [
        {
            "version": r.version,
            "at": r.at,
            "account": r.account,
            "action": r.action,
            "keys": list(r.keys),
            "payload": r.payload,
            "reason": r.reason,
            "in_force": r.version not in gone,
            "entities": [entity_of_key(connection, k) for k in r.keys],
        }
        for r in rows
    ]
