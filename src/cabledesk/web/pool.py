"""A few open handles on one archive, lent to one request at a time.

A SQLite connection must not be used by two threads at once, and the server answers
requests on a thread pool; a small pool of handles keeps requests parallel without that.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cabledesk.facade import Archive


class ArchivePool:
    def __init__(self, path: str | Path, size: int = 4) -> None:
        self.path = Path(path)
        # The first open migrates the schema and catches the index up; fail here, at
        # start-up, with the archive's own message rather than on the first request.
        first = Archive.open(self.path, create=False)
        # The server lives long: a change made on the desk starts the builds it made
        # stale at once (docs/graph.md, "Cold caches").
        first.warm_after_changes = True
        self._idle: queue.LifoQueue[Archive] = queue.LifoQueue()
        self._idle.put(first)
        self._opened = 1
        self._size = size
        self._lock = threading.Lock()

    @contextmanager
    def archive(self) -> Iterator[Archive]:
        try:
            handle = self._idle.get_nowait()
        except queue.Empty:
            handle = self._open_or_wait()
        try:
            yield handle
        finally:
            self._idle.put(handle)

    def _open_or_wait(self) -> Archive:
        with self._lock:
            may_open = self._opened < self._size
            if may_open:
                self._opened += 1
        if may_open:
            handle = Archive.open(self.path, create=False)
            handle.warm_after_changes = True
            return handle
        return self._idle.get()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
