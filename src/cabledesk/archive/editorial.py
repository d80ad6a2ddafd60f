"""What editors change: redactions marked and lifted, approvals, editions recorded.

Each change is one SQLite transaction that also marks the cables it touches as changed;
the index then absorbs them again with the rules and the edition now in force, so search
never answers from text that is no longer allowed out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import tantivy

from cabledesk.archive import register
from cabledesk.archive.fields import NAME_KEYS, SUBJECT_FIELDS, TEXT_FIELDS, WITHHELD
from cabledesk.archive.register import RegisterError
from cabledesk.archive.store import last_seq, mark_restricting, next_seq
from cabledesk.record.model import Cable
from cabledesk.redact.match import ANY_NAME, forms, term_pattern
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
    # By the first word alone, in any dress the matcher burns (redact.match): a term
    # holding it (`karzais`, `lópez`, `soleimani8`), or a key of a word the tokenizer cut
    # in pieces (`Kar\u00adzai`, `Sar-\nkozy`). More cables than the name touches may be
    # re-indexed; none it touches is left out.
    for first in sorted({words[0] for words in forms(rule)}):
        pattern = term_pattern(first)
        for name in (*_NAME_FIELDS, NAME_KEYS):
            clauses.append((tantivy.Occur.Should, tantivy.Query.regex_query(schema, name, pattern)))
    if clauses:
        any_name = tantivy.Query.term_query(schema, NAME_KEYS, ANY_NAME)
        clauses.append((tantivy.Occur.Should, any_name))
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

    def apply(connection: sqlite3.Connection) -> Rule:
        stored = register.insert(connection, rule, account)
        _touch(archive, affected_ids(archive, stored))
        return stored

    # Under the index writer: an ingest cannot start (or be running) with the old rules.
    stored = archive.change(apply)
    _audit(archive, "redaction_mark", account, rule=stored.id, what=stored.describe())
    return stored


def lift(archive: Archive, rule_id: int, account: str | None, reason: str) -> Rule:

    def apply(connection: sqlite3.Connection) -> Rule:
        rule = register.lift(connection, rule_id, account, reason)
        _touch(archive, affected_ids(archive, rule))
        return rule

    rule = archive.change(apply)
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
        # The approval is of the text as it is now (its hash): a later ingest of another
        # text waits for an approval of its own. Approving again an approved cable whose
        # text changed approves the new text; the same text again changes nothing.
        archive.connection.executemany(
            "INSERT INTO approvals (reference_id, approved_by, approved_at, text_hash) "
            "SELECT reference_id, ?, ?, text_hash FROM cables WHERE reference_id = ? "
            "ON CONFLICT (reference_id) DO UPDATE SET approved_by = excluded.approved_by, "
            "approved_at = excluded.approved_at, text_hash = excluded.text_hash "
            "WHERE approvals.text_hash IS NOT excluded.text_hash",
            [(account, register.now(), i) for i in ids],
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


@dataclass(frozen=True, slots=True)
class Approval:
    """A cable approved for the next edition, and whether its text changed since."""

    reference_id: str
    # The version approved (None: approved before versions were recorded, and no version
    # could be told; it waits for a new approval).
    text_hash: str | None
    # The cable's text now (None: the cable is no longer archived).
    current_hash: str | None
    approved_by: str | None
    approved_at: str

    @property
    def needs_approval(self) -> bool:
        """The current text is not the one approved: the next edition keeps the approved
        version (or leaves the cable out, when there is none) until it is approved again."""
        return self.text_hash is None or self.text_hash != self.current_hash


def approved(archive: Archive) -> list[Approval]:
    """Every approval, by reference id, with the cables that wait for a new approval."""
    rows = archive.connection.execute(
        "SELECT a.reference_id, a.text_hash, c.text_hash, a.approved_by, a.approved_at "
        "FROM approvals a LEFT JOIN cables c ON c.reference_id = a.reference_id "
        "ORDER BY a.reference_id"
    )
    return [Approval(*row) for row in rows]


# The versions approved that the archive still holds (what the next edition publishes).
_APPROVED_VERSIONS = (
    "SELECT a.reference_id, a.text_hash FROM approvals a "
    "JOIN cables c ON c.reference_id = a.reference_id WHERE a.text_hash = c.text_hash "
    "OR EXISTS (SELECT 1 FROM versions v WHERE v.cable_id = c.id AND v.text_hash = a.text_hash)"
)


def approved_records(connection: sqlite3.Connection) -> Iterator[tuple[str, Cable]]:
    """(reference id, stored record) of the version approved of each approved cable, in
    reference-id order: what the next edition publishes (redactions not burned in)."""
    return register.records_of_versions(
        connection, "SELECT reference_id, text_hash FROM approvals WHERE text_hash IS NOT NULL"
    )


def record_edition(
    archive: Archive,
    account: str | None,
    output: str,
    versions: Mapping[str, str] | None = None,
    register_version: int | None = None,
) -> int:
    """Record a new edition: `versions` ({reference id: stored text hash}) are the cables
    and versions it holds, built at `register_version` (default: the versions approved
    now, at the current register version). A publish passes what it built, so the record
    says what went out even if an editor approved or redacted meanwhile. The cables that
    enter or leave the public view, or change version in it, are re-indexed."""

    def apply(connection: sqlite3.Connection) -> tuple[int, set[str]]:
        before = register.published_versions(connection)
        rules = register.version(connection) if register_version is None else register_version
        cursor = connection.execute(
            "INSERT INTO editions (created_at, created_by, register_version, output) "
            "VALUES (?, ?, ?, ?)",
            (register.now(), account, rules, output),
        )
        edition = int(cursor.lastrowid or 0)
        chosen = dict(connection.execute(_APPROVED_VERSIONS)) if versions is None else versions
        connection.executemany(
            "INSERT INTO edition_cables (edition_id, reference_id, text_hash) VALUES (?, ?, ?)",
            [(edition, i, h) for i, h in chosen.items()],
        )
        after = register.published_versions(connection)
        _touch(
            archive,
            sorted(i for i in before.keys() | after.keys() if before.get(i) != after.get(i)),
        )
        return edition, set(after)

    edition, after = archive.change(apply)
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
    # Restricted readers wait until the index has absorbed this change (Archive._searcher).
    mark_restricting(archive.connection, last_seq(archive.connection))
