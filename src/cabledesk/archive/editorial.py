"""What editors change: redactions marked and lifted, approvals, editions recorded.

Each change is one SQLite transaction that also marks the cables it touches as changed;
the index then absorbs them again with the rules and the edition now in force, so search
never answers from text that is no longer allowed out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tantivy

from cabledesk.archive import register
from cabledesk.archive.fields import SUBJECT_FIELDS, TEXT_FIELDS, WITHHELD
from cabledesk.archive.register import RegisterError
from cabledesk.archive.store import next_seq
from cabledesk.redact.match import forms
from cabledesk.redact.model import Rule

if TYPE_CHECKING:
    from cabledesk.archive.archive import Archive

# Every field a name can be indexed in, as written or redacted.
_NAME_FIELDS = (*TEXT_FIELDS, *SUBJECT_FIELDS, WITHHELD, "from", "to", "signer", "classified_by")


def affected_ids(archive: Archive, rule: Rule) -> list[str]:
    """The cables a rule changes: its own cable, or every cable where the name occurs
    (found in the index, where the name stands either as written or as withheld)."""
    if rule.kind != "name":
        return [rule.cable_id] if rule.cable_id else []
    schema, searcher = archive.index.schema, archive.index.searcher()
    clauses = []
    for words in forms(rule):
        lowered: list[str | tuple[int, str]] = [w.lower() for w in words]
        for name in _NAME_FIELDS:
            query = (
                tantivy.Query.term_query(schema, name, words[0].lower())
                if len(lowered) == 1
                else tantivy.Query.phrase_query(schema, name, lowered)
            )
            clauses.append((tantivy.Occur.Should, query))
    if not clauses:
        return []
    query = tantivy.Query.boolean_query(clauses)
    total = int(getattr(searcher.search(query, limit=1, count=True), "count", 0) or 0)
    if not total:
        return []
    found = searcher.search(query, limit=total)
    return [searcher.doc(address)["id"][0] for _, address in found.hits]


def mark(archive: Archive, rule: Rule, account: str | None) -> Rule:
    rule.text = " ".join(rule.text.split())
    rule.variants = [" ".join(v.split()) for v in rule.variants if v.strip()]
    if rule.cable_id:
        rule.cable_id = rule.cable_id.strip().upper()
    exists = rule.cable_id is not None and archive.get(rule.cable_id) is not None
    register.validate(rule, exists)
    connection = archive.connection
    with connection:
        stored = register.insert(connection, rule, account)
        _touch(archive, affected_ids(archive, stored))
    archive.index.catch_up(connection)
    _audit(archive, "redaction_mark", account, rule=stored.id, what=stored.describe())
    return stored


def lift(archive: Archive, rule_id: int, account: str | None, reason: str) -> Rule:
    connection = archive.connection
    with connection:
        rule = register.lift(connection, rule_id, account, reason)
        _touch(archive, affected_ids(archive, rule))
    archive.index.catch_up(connection)
    _audit(archive, "redaction_lift", account, rule=rule.id, reason=reason)
    return rule


def approve(archive: Archive, reference_ids: list[str], account: str | None) -> int:
    """Approve cables for the next edition; returns how many were newly approved."""
    ids = sorted({i.strip().upper() for i in reference_ids})
    missing = sorted(set(ids) - archive.present(ids))
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise RegisterError(f"expected reference ids of archived cables; not archived: {shown}")
    with archive.connection:
        before = archive.connection.total_changes
        archive.connection.executemany(
            "INSERT OR IGNORE INTO approvals (reference_id, approved_by, approved_at) "
            "VALUES (?, ?, ?)",
            [(i, account, register.now()) for i in ids],
        )
        added = archive.connection.total_changes - before
    _audit(archive, "approval", account, approved=ids)
    return added


def withdraw(archive: Archive, reference_ids: list[str], account: str | None = None) -> int:
    """Take cables out of the next edition; returns how many were approved."""
    ids = sorted({i.strip().upper() for i in reference_ids})
    marks = ",".join("?" * len(ids))
    with archive.connection:
        cursor = archive.connection.execute(
            f"DELETE FROM approvals WHERE reference_id IN ({marks})", ids
        )
    _audit(archive, "approval", account, withdrawn=ids)
    return cursor.rowcount


def approved(archive: Archive) -> list[str]:
    rows = archive.connection.execute("SELECT reference_id FROM approvals ORDER BY reference_id")
    return [row[0] for row in rows]


def record_edition(archive: Archive, account: str | None, output: str) -> int:
    """Record a new edition of the approved cables, at the current register version;
    the cables that enter or leave the public view are re-indexed."""
    connection = archive.connection
    before = archive.published()
    with connection:
        cursor = connection.execute(
            "INSERT INTO editions (created_at, created_by, register_version, output) "
            "VALUES (?, ?, ?, ?)",
            (register.now(), account, register.version(connection), output),
        )
        edition = int(cursor.lastrowid or 0)
        connection.execute(
            "INSERT INTO edition_cables (edition_id, reference_id, text_hash) "
            "SELECT ?, a.reference_id, c.text_hash FROM approvals a "
            "JOIN cables c ON c.reference_id = a.reference_id",
            (edition,),
        )
        after = register.published_ids(connection)
        _touch(archive, sorted(before ^ after))
    archive.index.catch_up(connection)
    _audit(archive, "edition", account, edition=edition, cables=len(after), output=output)
    return edition


def _audit(archive: Archive, kind: str, account: str | None, **detail: object) -> None:
    from cabledesk.access import audit

    audit.record(archive, kind, account, detail=dict(detail))


def _touch(archive: Archive, ids: list[str]) -> None:
    # Even a change that touches no cable moves the sequence on: cached answers (the
    # rules in force, the published set) are keyed by it.
    if not register.touch(archive.connection, ids):
        next_seq(archive.connection)
