"""The editions and approvals tables (schema version 6): the one module with their SQL.

Editors approve a version of a cable (its text hash), and an edition records the
version it published. A cable ingested again gets a new current text; the version
approved or published stays in `versions`, and what the public receives comes from there
until an editor approves the new text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cabledesk.archive.store import unpack
from cabledesk.record.ids import cited_as
from cabledesk.record.model import Cable

# The cables of the latest edition: all the public may count (a WHERE clause on `cables`).
IN_EDITION = (
    "reference_id IN (SELECT reference_id FROM edition_cables "
    "WHERE edition_id = (SELECT max(id) FROM editions))"
)


def latest(connection: sqlite3.Connection) -> int:
    """The number of the latest edition, 0 when none was recorded."""
    row = connection.execute("SELECT coalesce(max(id), 0) FROM editions").fetchone()
    return int(row[0])


def edition(connection: sqlite3.Connection, number: int) -> tuple[int, dict[str, str]] | None:
    """(register version it was built at, {reference id: text hash}) of edition `number`,
    or None when no such edition was recorded."""
    row = connection.execute(
        "SELECT register_version FROM editions WHERE id = ?", (number,)
    ).fetchone()
    if row is None:
        return None
    cables = connection.execute(
        "SELECT reference_id, text_hash FROM edition_cables WHERE edition_id = ?", (number,)
    ).fetchall()
    return int(row[0]), {str(i): str(h) for i, h in cables}


def listing(connection: sqlite3.Connection) -> list[tuple[int, str, str | None, int, int]]:
    """Every edition, newest first: (number, created at, by, register version, cables)."""
    rows = connection.execute(
        "SELECT e.id, e.created_at, e.created_by, e.register_version, count(c.reference_id) "
        "FROM editions e LEFT JOIN edition_cables c ON c.edition_id = e.id "
        "GROUP BY e.id ORDER BY e.id DESC"
    ).fetchall()
    return [(int(i), str(at), by, int(v), int(n)) for i, at, by, v, n in rows]


def record(
    connection: sqlite3.Connection,
    at: str,
    account: str | None,
    output: str,
    register_version: int,
    versions: Mapping[str, str] | None = None,
) -> int:
    """Insert a new edition holding `versions` ({reference id: text hash}; default: the
    versions approved now); inside the caller's transaction. Returns its number."""
    cursor = connection.execute(
        "INSERT INTO editions (created_at, created_by, register_version, output) "
        "VALUES (?, ?, ?, ?)",
        (at, account, register_version, output),
    )
    number = int(cursor.lastrowid or 0)
    chosen = dict(connection.execute(_APPROVED_VERSIONS)) if versions is None else versions
    connection.executemany(
        "INSERT INTO edition_cables (edition_id, reference_id, text_hash) VALUES (?, ?, ?)",
        [(number, i, h) for i, h in chosen.items()],
    )
    return number


def approve(connection: sqlite3.Connection, ids: list[str], account: str | None, at: str) -> int:
    """Approve the current text of each cable; inside the caller's transaction. Returns
    how many approvals were new or changed."""
    before = connection.total_changes
    # The approval is of the text as it is now (its hash): a later ingest of another
    # text waits for an approval of its own. Approving again an approved cable whose
    # text changed approves the new text; the same text again changes nothing.
    connection.executemany(
        "INSERT INTO approvals (reference_id, approved_by, approved_at, text_hash) "
        "SELECT reference_id, ?, ?, text_hash FROM cables WHERE reference_id = ? "
        "ON CONFLICT (reference_id) DO UPDATE SET approved_by = excluded.approved_by, "
        "approved_at = excluded.approved_at, text_hash = excluded.text_hash "
        "WHERE approvals.text_hash IS NOT excluded.text_hash",
        [(account, at, i) for i in ids],
    )
    return connection.total_changes - before


def withdraw(connection: sqlite3.Connection, ids: list[str]) -> int:
    """Take approvals back; inside the caller's transaction. Returns how many there were."""
    marks = ",".join("?" * len(ids))
    cursor = connection.execute(f"DELETE FROM approvals WHERE reference_id IN ({marks})", ids)
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


def approved(connection: sqlite3.Connection) -> list[Approval]:
    """Every approval, by reference id, with the cables that wait for a new approval."""
    rows = connection.execute(
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


def approved_versions(connection: sqlite3.Connection) -> dict[str, str]:
    """{reference id: text hash approved} of the cables approved_records yields."""
    return {str(i): str(h) for i, h in connection.execute(_APPROVED_VERSIONS)}


_APPROVED = "SELECT reference_id, text_hash FROM approvals WHERE text_hash IS NOT NULL"


def approved_records(connection: sqlite3.Connection) -> Iterator[tuple[str, Cable]]:
    """(reference id, stored record) of the version approved of each approved cable, in
    reference-id order: what the next edition publishes (redactions not burned in)."""
    return records_of_versions(connection, _APPROVED)


def packed_approved_records(connection: sqlite3.Connection) -> Iterator[list[tuple[str, bytes]]]:
    """`approved_records` in chunks, each record packed as stored."""
    return packed_records_of_versions(connection, _APPROVED)


def published_ids(connection: sqlite3.Connection) -> set[str]:
    """The cables of the latest edition (what the public may see)."""
    rows = connection.execute(
        "SELECT reference_id FROM edition_cables WHERE edition_id = (SELECT max(id) FROM editions)"
    )
    return {row[0] for row in rows}


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
    for chunk in packed_records_of_versions(connection, wanted, params):
        for reference_id, record in chunk:
            yield reference_id, unpack(record)


def packed_records_of_versions(
    connection: sqlite3.Connection, wanted: str, params: tuple[object, ...] = ()
) -> Iterator[list[tuple[str, bytes]]]:
    """`records_of_versions` in chunks of (reference id, packed record), as stored: for
    a caller that unpacks them elsewhere (a worker process)."""
    last = ""
    while True:
        rows = connection.execute(
            f"SELECT w.reference_id, {_RECORD_OF_VERSION} FROM ({wanted}) w "
            "JOIN cables c ON c.reference_id = w.reference_id "
            "WHERE w.reference_id > ? ORDER BY w.reference_id LIMIT ?",
            (*params, last, _CHUNK),
        ).fetchall()
        found = [(str(i), r) for i, r in rows if r is not None]
        if found:
            yield found
        if len(rows) < _CHUNK:
            return
        last = rows[-1][0]


def packed_rows_of_edition(
    connection: sqlite3.Connection, edition: int, ids: list[str]
) -> list[tuple[int, int, bytes]]:
    """(change number, row id, packed record of the version edition `edition` holds) of
    those of `ids` (a page: SQLite limits the variables of a statement) the edition holds
    and the archive still has that version of, in row-id order: index.documents_of's
    rows, for the edition index."""
    marks = ",".join("?" * len(ids))
    rows = connection.execute(
        f"SELECT c.seq, c.id, {_RECORD_OF_VERSION} FROM edition_cables w "
        "JOIN cables c ON c.reference_id = w.reference_id "
        f"WHERE w.edition_id = ? AND w.reference_id IN ({marks}) ORDER BY c.id",
        (edition, *ids),
    ).fetchall()
    return [(int(seq), int(row), record) for seq, row, record in rows if record is not None]


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


def published_records_of(connection: sqlite3.Connection, ids: list[str]) -> dict[str, Cable]:
    """{reference id: stored record of the version the latest edition published} for
    those of `ids` the edition holds (published_record for a page of ids, in one read)."""
    found: dict[str, Cable] = {}
    for start in range(0, len(ids), _CHUNK):
        page = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(page))
        wanted = (
            f"SELECT reference_id, text_hash FROM edition_cables WHERE {_LATEST} "
            f"AND reference_id IN ({marks})"
        )
        found.update(records_of_versions(connection, wanted, tuple(page)))
    return found


def published_citing(connection: sqlite3.Connection, reference_id: str) -> list[str]:
    """Ids of the cables of the latest edition whose published version cites
    `reference_id`, oldest first (like store.citing_ids, for the public)."""
    found: dict[str, str] = {}
    names = cited_as(reference_id)
    marks = ",".join("?" * len(names))
    # Cables whose current text is the one published: their REF rows are the published ones.
    rows = connection.execute(
        "SELECT DISTINCT c.reference_id, c.date FROM refs r JOIN cables c ON c.id = r.cable_id "
        "JOIN edition_cables e ON e.reference_id = c.reference_id AND e.text_hash = c.text_hash "
        f"WHERE e.{_LATEST} AND r.cited_id IN ({marks})",
        names,
    )
    found.update((str(i), str(d or "")) for i, d in rows)
    # Cables changed since they were published: their published record says what they cite.
    changed = (
        "SELECT e.reference_id, e.text_hash FROM edition_cables e "
        f"JOIN cables c ON c.reference_id = e.reference_id WHERE e.{_LATEST} "
        "AND e.text_hash != c.text_hash"
    )
    for citing, record in records_of_versions(connection, changed):
        if any(r.cable_id in names for r in record.references):
            found[citing] = (record.header.sent or record.created or "")[:10]
    return sorted(found, key=lambda i: (found[i], i))


# The public edition's search index (publish/search_index.py, format 4): each cable's
# stable number ("slot") and the BM25 average length frozen at the first edition.
_AVERAGE_KEY = "edition_average_words"


def slots(connection: sqlite3.Connection) -> dict[str, int]:
    """{reference id: slot} of every cable that ever entered an edition (schema 14)."""
    return {
        str(i): int(s)
        for i, s in connection.execute("SELECT reference_id, slot FROM edition_slots")
    }


def index_average(connection: sqlite3.Connection) -> float | None:
    """The average length (words) the edition's search index ranks by; None before the
    first edition of format 4."""
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (_AVERAGE_KEY,)).fetchone()
    return float(row[0]) if row else None


def keep_slots(
    connection: sqlite3.Connection, new: Mapping[str, int], average: float | None
) -> None:
    """Record the slots given to cables entering an edition, and the average (the first
    time only); in a transaction of its own."""
    with connection:
        connection.executemany(
            "INSERT OR IGNORE INTO edition_slots (reference_id, slot) VALUES (?, ?)",
            [(i, s) for s, i in sorted((s, i) for i, s in new.items())],
        )
        if average is not None:
            connection.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                (_AVERAGE_KEY, repr(average)),
            )
