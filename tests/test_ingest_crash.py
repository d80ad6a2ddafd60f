"""A real ingest process killed mid-way leaves a consistent archive; re-running completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cabledesk.facade import Archive
from cabledesk.parse.ids import split_id
from cabledesk.redact import FULL
from cabledesk.sources import SourceText, read_paths
from conftest import SAMPLE
from corpus_files import write_csv

ROWS = 3000


def many_cables(path: Path) -> Path:
    """ROWS distinct cables in the cables.csv layout, made from the bundled sample."""
    sources = [s for s in read_paths([SAMPLE / "cable"]) if isinstance(s, SourceText)]
    rows = []
    for number in range(ROWS):
        source = sources[number % len(sources)]
        year, station, serial = split_id(source.metadata.reference_id or "") or ("", "", "")
        copy = SourceText(**{f: getattr(source, f) for f in source.__slots__})  # type: ignore[attr-defined]
        copy.metadata = type(source.metadata)(
            **{f: getattr(source.metadata, f) for f in source.metadata.__slots__}  # type: ignore[attr-defined]
        )
        copy.metadata.reference_id = (
            f"{year}{station}{int(serial) + 100000 * (number // len(sources) + 1)}"
        )
        rows.append(copy)
    return write_csv(rows, path)


def count(database: Path) -> int:
    try:
        connection = sqlite3.connect(database, timeout=5)
        try:
            return int(connection.execute("SELECT count(*) FROM cables").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def test_killed_ingest_keeps_committed_batches_and_resumes(tmp_path: Path) -> None:
    source = many_cables(tmp_path / "cables.csv")
    folder = tmp_path / "archive"
    command = [
        sys.executable,
        "-m",
        "cabledesk",
        "ingest",
        str(source),
        "--db",
        str(folder),
        "--workers",
        "2",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while count(folder / "archive.db") == 0 and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    database = sqlite3.connect(folder / "archive.db")
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    committed = database.execute("SELECT count(*) FROM cables").fetchone()[0]
    orphans = database.execute(
        "SELECT count(*) FROM paragraphs WHERE cable_id NOT IN (SELECT id FROM cables)"
    ).fetchone()[0]
    database.close()
    assert 0 < committed < ROWS
    assert committed % 500 == 0  # whole batches only
    assert orphans == 0

    with Archive.open(folder) as archive:  # catches the index up with what SQLite has
        assert archive.index.searcher().num_docs == committed
        report = archive.ingest(source, workers=2)
        assert (report.unchanged, report.ingested, report.failed) == (
            committed,
            ROWS - committed,
            0,
        )
        assert archive.count(viewer=FULL) == archive.index.searcher().num_docs == ROWS
