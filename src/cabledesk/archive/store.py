"""Writing records into the SQLite part of an archive, and reading them back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cabledesk.record.codec import from_dict, to_dict
from cabledesk.record.model import Cable

CLASS_RANK = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}


def pack(cable: Cable) -> bytes:
    """A record as stored: compressed JSON (records are mostly text; this keeps the file small)."""
    return zlib.compress(json.dumps(to_dict(cable), ensure_ascii=False).encode(), 6)


def unpack(blob: bytes) -> Cable:
    return from_dict(json.loads(zlib.decompress(blob)))


def text_hash(cable: Cable) -> str:
    """What decides whether a re-ingested cable is a new version: its original text."""
    return hashlib.sha256(cable.raw.encode()).hexdigest()[:32]


@dataclass(slots=True)
class Outcome:
    kind: str  # "ingested", "updated" or "unchanged"
    seq: int | None


def next_seq(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    seq = int(row[0]) + 1 if row else 1
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", (str(seq),))
    return seq


def last_seq(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
    return int(row[0]) if row else 0


def write_cable(connection: sqlite3.Connection, cable: Cable, seq: int) -> Outcome:
    """Insert or update one cable inside the caller's transaction.

    Keyed by reference id: the same text again changes nothing; a changed text becomes the
    new current version and the previous record is kept in `versions`.
    """
    assert cable.reference_id, "cables without a reference id are not archived"
    digest = text_hash(cable)
    row = connection.execute(
        "SELECT id, version, text_hash, record FROM cables WHERE reference_id = ?",
        (cable.reference_id,),
    ).fetchone()
    if row and row[2] == digest:
        return Outcome("unchanged", None)
    version = 1
    if row:
        cable_id, version = row[0], row[1] + 1
        connection.execute(
            "INSERT INTO versions (cable_id, version, text_hash, replaced_at, record) "
            "VALUES (?, ?, ?, ?, ?)",
            (cable_id, row[1], row[2], datetime.now(UTC).isoformat(timespec="seconds"), row[3]),
        )
        for table in ("paragraphs", "tags", "addressees", "refs"):
            connection.execute(f"DELETE FROM {table} WHERE cable_id = ?", (cable_id,))
    date = cable.header.sent or cable.created
    values = (
        cable.reference_id,
        cable.created,
        cable.header.sent,
        date[:10] if date else None,
        int(date[:4]) if date else None,
        cable.origin,
        cable.station,
        cable.classification,
        CLASS_RANK.get(cable.classification or ""),
        json.dumps(cable.caveats),
        cable.subject,
        cable.header.from_,
        json.dumps(cable.signers),
        cable.redactions.count,
        version,
        digest,
        seq,
        pack(cable),
    )
    if row:
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
    _write_parts(connection, cable_id, cable)
    return Outcome("updated" if row else "ingested", seq)


def _write_parts(connection: sqlite3.Connection, cable_id: int | None, cable: Cable) -> None:
    connection.executemany(
        "INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?, ?)",
        [
            (cable_id, i, p.number, p.marking, p.heading, p.text)
            for i, p in enumerate(cable.paragraphs)
        ],
    )
    connection.executemany(
        "INSERT INTO tags VALUES (?, ?, ?)", [(cable_id, i, t) for i, t in enumerate(cable.tags)]
    )
    connection.executemany(
        "INSERT INTO addressees VALUES (?, ?, ?, ?, ?, ?)",
        [
            (cable_id, kind, i, a.name, a.route, a.precedence)
            for kind, addressees in (("to", cable.header.to), ("info", cable.header.info))
            for i, a in enumerate(addressees)
        ],
    )
    connection.executemany(
        "INSERT INTO refs VALUES (?, ?, ?, ?, ?)",
        [(cable_id, i, r.label, r.text, r.cable_id) for i, r in enumerate(cable.references)],
    )


def read_cable(connection: sqlite3.Connection, reference_id: str) -> Cable | None:
    row = connection.execute(
        "SELECT record FROM cables WHERE reference_id = ?", (reference_id,)
    ).fetchone()
    return unpack(row[0]) if row else None


def citing_ids(connection: sqlite3.Connection, reference_id: str) -> list[str]:
    """Ids of archived cables whose REF block cites `reference_id`, oldest first."""
    rows = connection.execute(
        "SELECT DISTINCT c.reference_id, c.date FROM refs r JOIN cables c ON c.id = r.cable_id "
        "WHERE r.cited_id = ? ORDER BY c.date, c.reference_id",
        (reference_id,),
    ).fetchall()
    return [row[0] for row in rows]
