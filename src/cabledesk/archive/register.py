"""The redaction register, in SQLite (schema version 4); the editions are editions.py.

Every mark and every lift is a new register version, logged (append-only) with who, when
and why. A change re-indexes the cables it touches: their change sequence number is
bumped, and the index absorbs them again with the rules now in force.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from cabledesk.archive.store import next_seq
from cabledesk.errors import Error
from cabledesk.redact.model import KINDS, Rule


class RegisterError(Error, ValueError):
    """A redaction that cannot be marked or lifted as asked."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_COLUMNS = (
    "id, kind, text, variants, cable_id, paragraph, reason, created_by, created_at, "
    "lifted_by, lifted_at"
)


def _rule(row: tuple[object, ...]) -> Rule:
    rule_id, kind, text, variants, cable_id, paragraph, reason, by, at, lifted_by, lifted = row
    return Rule(
        id=int(str(rule_id)),
        kind=str(kind),
        text=str(text),
        variants=list(json.loads(str(variants))),
        cable_id=str(cable_id) if cable_id is not None else None,
        paragraph=int(str(paragraph)) if paragraph is not None else None,
        reason=str(reason),
        created_by=str(by) if by is not None else None,
        created_at=str(at),
        lifted_by=str(lifted_by) if lifted_by is not None else None,
        lifted_at=str(lifted) if lifted is not None else None,
    )


def rules(connection: sqlite3.Connection, *, include_lifted: bool = False) -> list[Rule]:
    where = "" if include_lifted else " WHERE lifted_at IS NULL"
    rows = connection.execute(f"SELECT {_COLUMNS} FROM redaction_rules{where} ORDER BY id")
    return [_rule(row) for row in rows]


def version(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT max(version) FROM register_log").fetchone()
    return int(row[0] or 0)


def history(connection: sqlite3.Connection) -> list[dict[str, object]]:
    rows = connection.execute(
        "SELECT l.version, l.action, l.account, l.at, l.reason, r.id, r.kind, r.text, "
        "r.cable_id, r.paragraph FROM register_log l JOIN redaction_rules r ON r.id = l.rule_id "
        "ORDER BY l.version"
    )
    keys = (
        "version",
        "action",
        "account",
        "at",
        "reason",
        "rule_id",
        "kind",
        "text",
        "cable_id",
        "paragraph",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def validate(rule: Rule, cable_exists: bool) -> None:
    if rule.kind not in KINDS:
        raise RegisterError(f"kind: expected one of {', '.join(KINDS)}; found {rule.kind!r}")
    if not rule.reason.strip():
        raise RegisterError("reason: every redaction needs a reason (who it protects, why)")
    if rule.kind in ("span", "paragraph") and not cable_exists:
        raise RegisterError(
            f"{rule.cable_id}: expected the reference id of an archived cable for a "
            f"{rule.kind} redaction"
        )
    if rule.kind == "paragraph" and (rule.paragraph is None or rule.paragraph < 0):
        raise RegisterError("paragraph: expected the number of a paragraph of the cable")
    if rule.kind != "paragraph" and not any(ch.isalnum() for ch in rule.text):
        raise RegisterError(f"text: expected a name or passage to redact; found {rule.text!r}")
    if rule.kind == "name" and sum(ch.isalnum() for ch in rule.text) < 3:
        raise RegisterError(
            f"text: {rule.text!r} is too short to redact everywhere (three letters at least)"
        )


def insert(connection: sqlite3.Connection, rule: Rule, account: str | None) -> Rule:
    """Add a rule and its log line inside the caller's transaction."""
    at = now()
    cursor = connection.execute(
        "INSERT INTO redaction_rules (kind, text, variants, cable_id, paragraph, reason, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rule.kind,
            rule.text,
            json.dumps(rule.variants),
            rule.cable_id,
            rule.paragraph,
            rule.reason,
            account,
            at,
        ),
    )
    rule_id = int(cursor.lastrowid or 0)
    _log(connection, rule_id, "mark", account, rule.reason)
    return _rule(
        connection.execute(
            f"SELECT {_COLUMNS} FROM redaction_rules WHERE id = ?", (rule_id,)
        ).fetchone()
    )


def lift(connection: sqlite3.Connection, rule_id: int, account: str | None, reason: str) -> Rule:
    row = connection.execute(
        f"SELECT {_COLUMNS} FROM redaction_rules WHERE id = ?", (rule_id,)
    ).fetchone()
    if row is None:
        raise RegisterError(f"{rule_id}: expected the number of a redaction; there is none")
    rule = _rule(row)
    if not rule.active:
        raise RegisterError(f"redaction {rule_id} was lifted already ({rule.lifted_at})")
    if not reason.strip():
        raise RegisterError("reason: lifting a redaction needs a reason")
    at = now()
    connection.execute(
        "UPDATE redaction_rules SET lifted_by = ?, lifted_at = ? WHERE id = ?",
        (account, at, rule_id),
    )
    _log(connection, rule_id, "lift", account, reason)
    rule.lifted_by, rule.lifted_at = account, at
    return rule


def _log(
    connection: sqlite3.Connection, rule_id: int, action: str, account: str | None, reason: str
) -> None:
    connection.execute(
        "INSERT INTO register_log (version, rule_id, action, account, at, reason) "
        "VALUES ((SELECT coalesce(max(version), 0) + 1 FROM register_log), ?, ?, ?, ?, ?)",
        (rule_id, action, account, now(), reason),
    )


def touch(connection: sqlite3.Connection, reference_ids: list[str]) -> int:
    """Mark cables changed so the index absorbs them again; inside the caller's transaction."""
    if not reference_ids:
        return 0
    seq = next_seq(connection)
    count = 0
    # In pages: an edition of the whole release touches more cables than SQLite takes
    # variables in one statement (250,000 here).
    for start in range(0, len(reference_ids), _TOUCH_PAGE):
        page = reference_ids[start : start + _TOUCH_PAGE]
        marks = ",".join("?" * len(page))
        cursor = connection.execute(
            f"UPDATE cables SET seq = ? WHERE reference_id IN ({marks})", [seq, *page]
        )
        count += cursor.rowcount
    return count


_TOUCH_PAGE = 10_000
