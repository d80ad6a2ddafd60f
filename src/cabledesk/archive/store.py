"""Writing records into the SQLite part of an archive, and reading them back."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from cabledesk.archive.blob import unpack_record
from cabledesk.archive.prepare import Prepared
from cabledesk.record.codec import from_dict
from cabledesk.record.ids import cited_as, first_part
from cabledesk.record.model import Cable


def unpack(blob: bytes) -> Cable:
    return from_dict(unpack_record(blob))


def next_seq(connection: sqlite3.Connection) -> int:
    rows = connection.execute("SELECT value FROM meta WHERE key = 'seq'").fetchall()
    seq = int(rows[0][0]) + 1 if rows else 1
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", (str(seq),))
    return seq


def last_seq(connection: sqlite3.Connection) -> int:
    rows = connection.execute("SELECT value FROM meta WHERE key = 'seq'").fetchall()
    return int(rows[0][0]) if rows else 0


def restricting_seq(connection: sqlite3.Connection) -> int:
    """The change number of the latest redaction or edition change: a restricted reader is
    answered from the index only once it has absorbed that far."""
    rows = connection.execute("SELECT value FROM meta WHERE key = 'restrict_seq'").fetchall()
    return int(rows[0][0]) if rows else 0


def mark_restricting(connection: sqlite3.Connection, seq: int) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('restrict_seq', ?)", (str(seq),)
    )


def write_cable(connection: sqlite3.Connection, cable: Prepared, seq: int) -> str:
    """Insert or update one cable inside the caller's transaction; says what it did:
    `ingested`, `updated` or `unchanged`.

    Keyed by reference id: the same text again changes nothing; a changed text becomes the
    new current version and the previous record is kept in `versions`.
    """
    row = connection.execute(
        "SELECT id, version, text_hash, record FROM cables WHERE reference_id = ?",
        (cable.reference_id,),
    ).fetchall()
    current = row[0] if row else None
    if current and current[2] == cable.text_hash:
        return "unchanged"
    version = 1
    if current:
        cable_id, version = current[0], current[1] + 1
        connection.execute(
            "INSERT INTO versions (cable_id, version, text_hash, replaced_at, record) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                cable_id,
                current[1],
                current[2],
                datetime.now(UTC).isoformat(timespec="seconds"),
                current[3],
            ),
        )
        for table in ("paragraphs", "tags", "addressees", "refs"):
            connection.execute(f"DELETE FROM {table} WHERE cable_id = ?", (cable_id,))
    values = (cable.reference_id, *cable.columns, version, cable.text_hash, seq, cable.record)
    if current:
        connection.execute(
            "UPDATE cables SET reference_id = ?, created = ?, sent = ?, date = ?, year = ?, "
            "origin = ?, station = ?, classification = ?, class_rank = ?, caveats = ?, "
            "subject = ?, from_address = ?, signers = ?, redactions = ?, version = ?, "
            "text_hash = ?, seq = ?, record = ? WHERE id = ?",
            (*values, cable_id),
        )
    else:
        cursor = connection.execute(
            "INSERT INTO cables (reference_id, created, sent, date, year, origin, station, "
            "classification, class_rank, caveats, subject, from_address, signers, redactions, "
            "version, text_hash, seq, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)",
            values,
        )
        cable_id = cursor.lastrowid
    connection.executemany(
        "INSERT INTO paragraphs (cable_id, position, number, marking, heading) "
        "VALUES (?, ?, ?, ?, ?)",
        [(cable_id, *row) for row in cable.paragraphs],
    )
    connection.executemany(
        "INSERT INTO tags VALUES (?, ?, ?)", [(cable_id, *r) for r in cable.tags]
    )
    connection.executemany(
        "INSERT INTO addressees VALUES (?, ?, ?, ?, ?, ?)",
        [(cable_id, *row) for row in cable.addressees],
    )
    connection.executemany(
        "INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?)", [(cable_id, *row) for row in cable.refs]
    )
    return "updated" if current else "ingested"


def read_cable(connection: sqlite3.Connection, reference_id: str) -> Cable | None:
    """The current record of `reference_id`; a message stored as PlusD documents is read
    as its first one (`77STATE17976` → `77STATE17976_a`)."""
    for wanted in (reference_id, first_part(reference_id)):
        if wanted is None:
            continue
        rows = connection.execute(
            "SELECT record FROM cables WHERE reference_id = ?", (wanted,)
        ).fetchall()
        if rows:
            return unpack(rows[0][0])
    return None


def citing_ids(connection: sqlite3.Connection, reference_id: str) -> list[str]:
    """Ids of archived cables whose REF block cites `reference_id`, oldest first (a first
    PlusD document also by its message's id)."""
    names = cited_as(reference_id)
    marks = ",".join("?" * len(names))
    rows = connection.execute(
        "SELECT DISTINCT c.reference_id, c.date FROM refs r JOIN cables c ON c.id = r.cable_id "
        f"WHERE r.cited_id IN ({marks}) ORDER BY c.date, c.reference_id",
        names,
    ).fetchall()
    return [row[0] for row in rows]


def versions(connection: sqlite3.Connection, reference_id: str) -> list[tuple[int, str, Cable]]:
    """Earlier records of a cable, oldest first: (version, replaced at, record)."""
    rows = connection.execute(
        "SELECT v.version, v.replaced_at, v.record FROM versions v "
        "JOIN cables c ON c.id = v.cable_id WHERE c.reference_id = ? ORDER BY v.version",
        (reference_id,),
    ).fetchall()
    return [(int(version), str(at), unpack(record)) for version, at, record in rows]


def write_batch(connection: sqlite3.Connection, cables: list[Prepared], seq: int) -> list[str]:
    """`write_cable` for a batch, inside the caller's transaction: what it did to each.

    Cables the archive does not have yet (nearly all, in a first ingest) are inserted
    with a few `executemany` calls for the whole batch, which costs far less than a round
    of statements per cable; the others go through `write_cable` one by one.
    """
    # The first place of each id: a repeated id is written again in order, so the later
    # text wins as it would cable by cable.
    seen: dict[str, int] = {}
    for position, cable in enumerate(cables):
        seen.setdefault(cable.reference_id, position)
    marks = ",".join("?" * len(seen))
    known = {
        row[0]
        for row in connection.execute(
            f"SELECT reference_id FROM cables WHERE reference_id IN ({marks})", list(seen)
        )
    }
    first_new = [
        c for i, c in enumerate(cables) if c.reference_id not in known and seen[c.reference_id] == i
    ]
    start = int(connection.execute("SELECT coalesce(max(id), 0) FROM cables").fetchone()[0]) + 1
    ids = {c.reference_id: start + n for n, c in enumerate(first_new)}
    connection.executemany(
        "INSERT INTO cables (id, reference_id, created, sent, date, year, origin, station, "
        "classification, class_rank, caveats, subject, from_address, signers, redactions, "
        "version, text_hash, seq, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "1, ?, ?, ?)",
        [
            (ids[c.reference_id], c.reference_id, *c.columns, c.text_hash, seq, c.record)
            for c in first_new
        ],
    )
    for sql, rows in (
        ("INSERT INTO paragraphs (cable_id, position, number, marking, heading) "
         "VALUES (?, ?, ?, ?, ?)", "paragraphs"),
        ("INSERT INTO tags VALUES (?, ?, ?)", "tags"),
        ("INSERT INTO addressees VALUES (?, ?, ?, ?, ?, ?)", "addressees"),
        ("INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?)", "refs"),
    ):  # fmt: skip
        connection.executemany(
            sql,
            [(ids[c.reference_id], *row) for c in first_new for row in getattr(c, rows)],
        )
    inserted = {id(c) for c in first_new}
    return ["ingested" if id(c) in inserted else write_cable(connection, c, seq) for c in cables]
