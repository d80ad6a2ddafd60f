"""Derived caches beside an archive (the citation graph's, the near-duplicates') that a
killed process tore or another program overwrote are made anew: the same answers, and
never a traceback (they once stopped `cabledesk graph stats` and `copies --stats`)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cabledesk.archive import copies as copy_store
from cabledesk.archive import graph as graph_store
from cabledesk.archive.cache_file import open_cache
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.redact import Viewer
from conftest import SAMPLE

EVERYTHING = Viewer()


def answers(archive: Archive) -> dict[str, object]:
    graph = archive.graph_stats(viewer=EVERYTHING)
    copies = archive.copies_stats(viewer=EVERYTHING, workers=1)
    cited = archive.graph_most_cited(viewer=EVERYTHING)
    return {
        "graph": {k: v for k, v in graph.items() if "seconds" not in k},
        "cited": cited,
        "copies": {k: v for k, v in copies.items() if "seconds" not in k},
    }


@pytest.mark.parametrize("damage", ["not a database", "emptied", "deleted"])
def test_a_damaged_cache_is_made_anew(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE], workers=1)
        before = answers(archive)
    for name in (graph_store.CACHE, copy_store.CACHE):
        cache = folder / name
        assert cache.exists()
        for suffix in ("-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        if damage == "not a database":
            cache.write_bytes(b"this is no SQLite file" * 100)
        elif damage == "emptied":
            cache.write_bytes(b"")
        else:
            cache.unlink()
    with Archive.open(folder) as archive:
        assert answers(archive) == before
        assert answers(archive) == before  # read again from the file made anew
    for name in (graph_store.CACHE, copy_store.CACHE):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    for name in (graph_store.CACHE, copy_store.CACHE):
        (folder / name).write_bytes(b"this is no SQLite file" * 100)
    runner = CliRunner()
    for args in (["graph", "stats"], ["copies", "--stats", "--workers", "1"]):
        result = runner.invoke(cli, [*args, "--db", str(folder)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output


def test_two_threads_never_prepare_one_cache_at_once(tmp_path: Path) -> None:
    # The server's threads build two readers' views at once: each opened a new copies.db,
    # saw no schema yet and dropped the tables the other had just made (a 500 under eight
    # clients, tests/test_load.py). Preparing is one thread at a time per file.
    inside, most = 0, 0
    guard = threading.Lock()
    first_in = threading.Event()

    def prepare(writer: sqlite3.Connection) -> None:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        first_in.set()
        time.sleep(0.3)  # long enough for the other thread to arrive
        writer.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
        with guard:
            inside -= 1

    path = tmp_path / "copies.db"
    opened: list[tuple[int]] = []

    def open_one() -> None:
        writer = open_cache(path, prepare)[0]
        opened.append(writer.execute("SELECT count(*) FROM state").fetchone())
        writer.close()

    threads = [threading.Thread(target=open_one) for _ in range(2)]
    threads[0].start()
    assert first_in.wait(10)
    threads[1].start()
    for thread in threads:
        thread.join(30)
    assert opened == [(0,), (0,)] and most == 1
