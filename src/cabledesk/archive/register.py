"""The redaction register and the editions, in SQLite (schema versions 4 and 6).

Every mark and every lift is a new register version, logged (append-only) with who, when
and why. A change re-indexes the cables it touches: their change sequence number is
bumped, and the index absorbs them again with the rules now in force.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

from cabledesk.archive.store import next_seq, unpack
from cabledesk.errors import Error
from cabledesk.record.model import Cable
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
    marks = ",".join("?" * len(reference_ids))
    cursor = connection.execute(
        f"UPDATE cables SET seq = ? WHERE reference_id IN ({marks})", [seq, *reference_ids]
    )
    return cursor.rowcount


def published_ids(connection: sqlite3.Connection) -> set[str]:
    """The cables of the latest edition (what the public may see)."""
    rows = connection.execute(
        "SELECT reference_id FROM edition_cables WHERE edition_id = (SELECT max(id) FROM editions)"
    )
    return {row[0] for row in rows}


# --- the versions an edition holds ------------------------------------------------------
#
# Editors approve a version of a cable (its text hash), and an edition records the version
# it published. A cable ingested again gets a new current text; the version approved or
# published stays in `versions`, and what the public receives comes from there until an
# editor approves the new text.

_LATEST = "edition_id = (SELECT max(id) FROM editions)"
# The record of version `w.text_hash` of cable `c`: the current row, or an earlier one.
_RECORD_OF_VERSION = (
    "CASE WHEN c.text_hash = w.text_hash THEN c.record ELSE "
    "(SELECT v.record FROM versions v WHERE v.cable_id = c.id AND v.text_hash = w.text_hash "
    "ORDER BY v.version DESC LIMIT 1) END"
)
_CHUNK = 500


def records_of_versions(
    connection: sqlite3.Connection, wanted: str, params: tuple[object, ...] = ()
) -> Iterator[tuple[str, Cable]]:
    """For each row (reference_id, text_hash) of the SELECT `wanted`, the stored record of
    that version, in reference-id order; a version the archive no longer holds is left out
    (nothing is shown rather than another text). Read in chunks, so no read stays open
    across the caller's work between them."""
    last = ""
    while True:
        rows = connection.execute(
            f"SELECT w.reference_id, {_RECORD_OF_VERSION} FROM ({wanted}) w "
            "JOIN cables c ON c.reference_id = w.reference_id "
            "WHERE w.reference_id > ? ORDER BY w.reference_id LIMIT ?",
            (*params, last, _CHUNK),
        ).fetchall()
        for reference_id, record in rows:
            if record is not None:
                yield str(reference_id), unpack(record)
        if len(rows) < _CHUNK:
            return
        last = rows[-1][0]


def published_versions(connection: sqlite3.Connection) -> dict[str, str]:
    """{reference id: text hash of the version published} for the latest edition."""
    rows = connection.execute(
        f"SELECT reference_id, text_hash FROM edition_cables WHERE {_LATEST}"
    ).fetchall()
    return {str(i): str(h) for i, h in rows}


def published_records(connection: sqlite3.Connection) -> Iterator[tuple[str, Cable]]:
    """(reference id, stored record) of each cable of the latest edition, in reference-id
    order, as the version the edition published (by text hash), not the current text when
    it changed since. Stored: redactions not burned in; view it with the public Viewer."""
    wanted = f"SELECT reference_id, text_hash FROM edition_cables WHERE {_LATEST}"
    return records_of_versions(connection, wanted)


def published_record(connection: sqlite3.Connection, reference_id: str) -> Cable | None:
    """The stored record of the version of `reference_id` the latest edition published;
    None when the edition does not hold the cable (or the archive lost that version)."""
    wanted = (
        f"SELECT reference_id, text_hash FROM edition_cables WHERE {_LATEST} AND reference_id = ?"
    )
    for _, record in records_of_versions(connection, wanted, (reference_id,)):
        return record
    return None


def published_citing(connection: sqlite3.Connection, reference_id: str) -> list[str]:
    """Ids of the cables of the latest edition whose published version cites
    `reference_id`, oldest first (like store.citing_ids, for the public)."""
    found: dict[str, str] = {}
    # Cables whose current text is the one published: their REF rows are the published ones.
    rows = connection.execute(
        "SELECT DISTINCT c.reference_id, c.date FROM refs r JOIN cables c ON c.id = r.cable_id "
        "JOIN edition_cables e ON e.reference_id = c.reference_id AND e.text_hash = c.text_hash "
        f"WHERE e.{_LATEST} AND r.cited_id = ?",
        (reference_id,),
    )
    found.update((str(i), str(d or "")) for i, d in rows)
    # Cables changed since they were published: their published record says what they cite.
    changed = (
        "SELECT e.reference_id, e.text_hash FROM edition_cables e "
        f"JOIN cables c ON c.reference_id = e.reference_id WHERE e.{_LATEST} "
        "AND e.text_hash != c.text_hash"
    )
    for citing, record in records_of_versions(connection, changed):
        if any(r.cable_id == reference_id for r in record.references):
            found[citing] = (record.header.sent or record.created or "")[:10]
    return sorted(found, key=lambda i: (found[i], i))
