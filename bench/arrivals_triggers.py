"""The arrivals triggers' cost (schema 12) on the ingest's INSERT, alone: 20,000 rows in
batches of 1,000 (as archive.store.write_batch writes them), with and without the
triggers, alternating (docs/performance.md).

    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/arrivals_triggers.py
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time

from cabledesk.archive.schema import migrate

Row = tuple[object, ...]

N = 20_000
SQL = (
    "INSERT INTO cables (id, reference_id, created, sent, date, year, origin, station, "
    "classification, class_rank, caveats, subject, from_address, signers, redactions, "
    "version, text_hash, seq, record) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
)


def main() -> None:
    day = "2009-01-01"
    rows: list[Row] = []
    for i in range(N):
        head = (i + 1, f"09TEST{i}", day, day, day, 2009, "Embassy X", "X", "SECRET")
        rows.append((*head, 2, "[]", "S", "F", "[]", 0, f"h{i}", 1, os.urandom(3000)))
    for turn in ["on", "off"] * 4:
        with tempfile.TemporaryDirectory() as folder:
            connection = sqlite3.connect(os.path.join(folder, "a.db"), isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            migrate(connection)
            if turn == "off":
                connection.executescript(
                    "DROP TRIGGER cables_arrive; DROP TRIGGER cables_new_text;"
                )
            start = time.process_time()
            for first in range(0, N, 1000):
                connection.execute("BEGIN")
                connection.executemany(SQL, rows[first : first + 1000])
                connection.execute("COMMIT")
            used = time.process_time() - start
            print(f"{turn}: {used:.3f} s CPU for {N:,} inserts", flush=True)
            connection.close()


if __name__ == "__main__":
    main()
