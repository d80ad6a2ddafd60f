"""The audit log: who did what, when, from where. Append-only (SQLite triggers refuse
UPDATE and DELETE on the `audit` table), so it can be shown to an editor or a lawyer.

`record` writes one event in its own transaction (the command line, the library);
the web desk queues events to an `AuditWriter` so a search never waits on a write.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cabledesk.access.clock import Clock, stamp, utc_now
from cabledesk.access.connection import HasConnection
from cabledesk.access.errors import AccessError

KINDS = (
    "login",
    "login_failed",
    "logout",
    "lockout",
    "cable_view",
    "search",
    "export",
    "account_add",
    "account_passwd",
    "account_disable",
    "account_enable",
    "token_create",
    "token_revoke",
    "redaction_mark",
    "redaction_lift",
    "approval",
    "edition",
    "entity_decision",
    # The workspace (docs/workspace.md).
    "collection_create",
    "collection_share",
    "collection_publish",
    "collection_delete",
    "note_add",
    "note_edit",
    "note_delete",
)
_INSERT = "INSERT INTO audit (time, account, kind, detail, client) VALUES (?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class Event:
    time: str
    account: str | None
    kind: str
    detail: dict[str, Any]
    client: str | None
    id: int | None = None

    def row(self) -> tuple[str, str | None, str, str, str | None]:
        return (self.time, self.account, self.kind, json.dumps(self.detail), self.client)


def event(
    kind: str,
    account: str | None = None,
    client: str | None = None,
    clock: Clock = utc_now,
    detail: dict[str, Any] | None = None,
) -> Event:
    if kind not in KINDS:
        raise AccessError(f"audit kind: expected one of {', '.join(KINDS)}; found {kind!r}")
    return Event(stamp(clock()), account, kind, detail or {}, client)


def _connection(target: HasConnection | sqlite3.Connection) -> sqlite3.Connection:
    return target if isinstance(target, sqlite3.Connection) else target.connection


def insert(connection: sqlite3.Connection, events: list[Event]) -> None:
    """Append events inside the caller's transaction (a change and its record together)."""
    connection.executemany(_INSERT, [e.row() for e in events])


def write(target: HasConnection | sqlite3.Connection, events: list[Event]) -> None:
    """Append events in one transaction of their own."""
    connection = _connection(target)
    with connection:
        insert(connection, events)


def record(
    target: HasConnection | sqlite3.Connection,
    kind: str,
    account: str | None = None,
    client: str | None = None,
    clock: Clock = utc_now,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event now; `account` None means the local desk or the command line."""
    write(target, [event(kind, account, client, clock, detail)])


def read(
    target: HasConnection | sqlite3.Connection,
    user: str | None = None,
    kind: str | None = None,
    since: datetime | str | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Events, newest first, narrowed to an account name, a kind and a start time."""
    if kind is not None and kind not in KINDS:
        raise AccessError(f"kind: expected one of {', '.join(KINDS)}; found {kind!r}")
    clauses, values = [], []
    if user is not None:
        clauses.append("account = ?")
        values.append(user)
    if kind is not None:
        clauses.append("kind = ?")
        values.append(kind)
    if since is not None:
        clauses.append("time >= ?")
        values.append(stamp(since) if isinstance(since, datetime) else since)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT id, time, account, kind, detail, client FROM audit {where} ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = _connection(target).execute(sql, values).fetchall()
    return [Event(t, a, k, json.loads(d), c, i) for i, t, a, k, d, c in rows]
