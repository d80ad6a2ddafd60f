"""What editors change in the store: redactions marked and lifted, approvals, editions.

Each function runs inside the caller's transaction (`Store.change`, or `with connection`)
and marks the cables it touches as changed; the index then absorbs them again with the
rules and the edition now in force, so search never answers from text that is no longer
allowed out. Who did it goes to the audit log, written by the facade in that same
transaction (cabledesk/facade.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import tantivy

from cabledesk.archive import editions, register
from cabledesk.archive.fields import NAME_KEYS, SUBJECT_FIELDS, TEXT_FIELDS, WITHHELD
from cabledesk.archive.index import Index
from cabledesk.archive.store import last_seq, mark_restricting, next_seq
from cabledesk.record.ids import normal_id
from cabledesk.redact.match import ANY_NAME, forms, term_pattern
from cabledesk.redact.model import Rule

# Every field a name can be indexed in, as written or redacted.
_NAME_FIELDS = (*TEXT_FIELDS, *SUBJECT_FIELDS, WITHHELD, "from", "to", "signer", "classified_by")


def affected_ids(index: Index, rule: Rule) -> list[str]:
    """The cables a rule changes: its own cable, or every cable where the name occurs
    (found in the index, where the name stands either as written or as withheld)."""
    if rule.kind != "name":
        return [rule.cable_id] if rule.cable_id else []
    schema, searcher = index.schema, index.searcher()
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


def normalised(rule: Rule) -> Rule:
    """The rule as it is stored: its words and cable id in one spelling."""
    rule.text = " ".join(rule.text.split())
    rule.variants = [" ".join(v.split()) for v in rule.variants if v.strip()]
    if rule.cable_id:
        rule.cable_id = normal_id(rule.cable_id)
    return rule


def mark(connection: sqlite3.Connection, index: Index, rule: Rule, account: str | None) -> Rule:
    """Store a checked rule (register.validate) and mark the cables it touches."""
    stored = register.insert(connection, rule, account)
    touch(connection, affected_ids(index, stored))
    return stored


def lift(
    connection: sqlite3.Connection, index: Index, rule_id: int, account: str | None, reason: str
) -> Rule:
    rule = register.lift(connection, rule_id, account, reason)
    touch(connection, affected_ids(index, rule))
    return rule


def record_edition(
    connection: sqlite3.Connection,
    account: str | None,
    output: str,
    versions: Mapping[str, str] | None = None,
    register_version: int | None = None,
) -> tuple[int, int]:
    """Record a new edition: `versions` ({reference id: stored text hash}) are the cables
    and versions it holds, built at `register_version` (default: the versions approved
    now, at the current register version). A publish passes what it built, so the record
    says what went out even if an editor approved or redacted meanwhile. Returns (the
    edition's number, how many cables it holds).

    No cable is touched: the archive's index does not say what is published (index.py,
    INDEX_VERSION), and the edition index follows the new edition by itself, deleting
    the documents of the cables that left and indexing those that entered or changed
    version (EditionIndex.catch_up). The change number still moves on (caches are keyed
    by it), and restricted readers wait until both indexes have absorbed it."""
    rules = register.version(connection) if register_version is None else register_version
    number = editions.record(connection, register.now(), account, output, rules, versions)
    touch(connection, [])
    after = editions.published_versions(connection) if versions is None else versions
    return number, len(after)


def touch(connection: sqlite3.Connection, ids: list[str]) -> None:
    """Mark cables changed so that the index absorbs them again."""
    # Even a change that touches no cable moves the sequence on: cached answers (the
    # rules in force, the published set) are keyed by it.
    if not register.touch(connection, ids):
        next_seq(connection)
    # Restricted readers wait until the index has absorbed this change (Store.searcher).
    mark_restricting(connection, last_seq(connection))
