"""Opening a derived cache (graph-views.db, copies.db) for writing.

A cache only holds what can be computed again from the archive, so a file that is not a
database (a copy torn by a killed process, another program's file) is made anew rather
than stopping every read with a traceback. A busy or locked file is sound: that error is
the caller's to report or retry, and nothing is deleted (deleting it lost every reader's
summaries once, docs/entities.md)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

# One `prepare` at a time per cache file in this process: two views built at once (the
# server's threads) each opened a new copies.db, saw no schema yet and dropped the tables
# the other had just made ("no such table: state", a 500 under eight clients).
_preparing: dict[str, threading.Lock] = {}
_preparing_guard = threading.Lock()


def _lock_of(path: Path) -> threading.Lock:
    with _preparing_guard:
        return _preparing.setdefault(str(path.resolve()), threading.Lock())


def open_cache(
    path: Path, prepare: Callable[[sqlite3.Connection], None]
) -> tuple[sqlite3.Connection, bool]:
    """(an autocommit connection in WAL mode on `path`, made owner-only and prepared by
    `prepare`; whether the file had to be made anew, in which case the caller's other
    handles on it point at the deleted file and must be reopened)."""
    with _lock_of(path):
        return _open(path, prepare)


def _open(
    path: Path, prepare: Callable[[sqlite3.Connection], None]
) -> tuple[sqlite3.Connection, bool]:
    made_anew = False
    while True:
        if not path.exists():
            # The owner's only: a cache is derived from every part of every cable.
            path.touch(mode=0o600)
        writer = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            writer.execute("PRAGMA journal_mode = WAL")
            prepare(writer)
            return writer, made_anew
        except sqlite3.OperationalError:
            writer.close()
            raise
        except sqlite3.DatabaseError:
            writer.close()
            if made_anew:
                raise
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            made_anew = True
