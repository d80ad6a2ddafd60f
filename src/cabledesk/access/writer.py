"""`AuditWriter`: audit events from the web desk, written by one thread off the request path.

A request only puts the event on a queue (microseconds); the writer drains the queue in
one transaction per batch on its own connection. So a search never waits for a write, nor
for an ingest in another process that holds SQLite's write lock for a batch, and four
request threads never contend with each other for that lock. Events still queued when the
process is killed (not stopped) are lost: at most the last moment's.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from pathlib import Path

from cabledesk.access.audit import Event, write

log = logging.getLogger("cabledesk.access")
_STOP = None
_BATCH = 500


class AuditWriter:
    def __init__(self, database: Path) -> None:
        self._database = database
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def flush(self) -> None:
        """Wait until every event queued so far is in SQLite."""
        self._queue.join()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(30)

    def _run(self) -> None:
        # A long busy timeout: an ingest's batch may hold the write lock for a while.
        connection = sqlite3.connect(self._database, timeout=60, isolation_level="DEFERRED")
        try:
            while True:
                first = self._queue.get()
                batch = [first]
                while len(batch) < _BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                events = [e for e in batch if e is not None]
                try:
                    if events:
                        write(connection, events)
                except sqlite3.Error:
                    log.exception("could not write %d audit events", len(events))
                finally:
                    for _ in batch:
                        self._queue.task_done()
                if any(e is None for e in batch):
                    return
        finally:
            connection.close()
