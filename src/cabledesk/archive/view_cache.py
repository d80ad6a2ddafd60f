"""What every per-reader cache shares: the citation graphs (graph.py), near-duplicate
groups (copies.py), entity summaries (entity_views.py), co-mention networks
(entity_network.py) and similar-cables models (similar.py).

Each keeps, beside the archive, one view per class of reader (readers who receive the
same text), stamped with the state of the archive it was built from; a view is handed out
only while its stamp is the archive's (fail closed: nothing of another state, nothing of
another class of reader). What differs is what a view holds and how it is built; what is
the same lives here:

- `reader_key`: how a class of reader is spelled in a view key, and `rules_key`, the
  fingerprint of the redaction rules in force it includes;
- `build_lock`: one build of a view at a time in this process, whichever handle asks;
- `CacheReader`: a handle's read connection to a cache database and its `views` table;
- `Builds`: the background builds a handle starts, stopped when the handle closes (no
  thread of a closed archive goes on opening its files).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def rules_key(rules: Iterable[tuple[object, ...]]) -> str:
    """A short fingerprint of the rules in force (each as a tuple of its fields)."""
    rows = sorted(repr(r) for r in rules)
    if not rows:
        return "none"
    return f"{len(rows)}:" + hashlib.sha256("\n".join(rows).encode()).hexdigest()[:24]


def reader_key(ceiling: int | None, foreign: bool, published_only: bool, **more: object) -> str:
    """A class of reader spelled out: equal keys receive the same text. `more` adds what a
    cache's view also depends on (the rules in force, the public's view...), in order."""
    key = f"ceiling={ceiling};foreign={int(foreign)};published={int(published_only)}"
    for name, value in more.items():
        key += f";{name}={value}"
    return key


# Builds under way, per cache and view, across every handle of this process.
_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def build_lock(cache: Path | str, key: str) -> threading.Lock:
    """The lock a build of view `key` of `cache` holds: a second handle asking for the same
    view waits for the first build instead of making its own."""
    with _locks_guard:
        return _locks.setdefault((str(cache), key), threading.Lock())


class CacheReader:
    """One handle's read connection to a cache database that has a `views (view, stamp)`
    table, opened when first needed (None while the file does not exist)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    def connection(self) -> sqlite3.Connection | None:
        if self._connection is None:
            if not self.path.exists():
                return None
            try:
                self._connection = sqlite3.connect(self.path, check_same_thread=False)
            except sqlite3.Error:
                return None
        return self._connection

    def stamp_of(self, key: str) -> str | None:
        """The stamp of view `key` in the cache, None when it has none (or the file is of
        another version, or being made: it is built again)."""
        reader = self.connection()
        if reader is None:
            return None
        try:
            row = reader.execute("SELECT stamp FROM views WHERE view = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def let_go(self) -> None:
        """Open the file again at the next read (a cache deleted and made anew is another
        file) without closing this connection: a view handed out a moment ago may still
        read through it; it closes when the last one lets go."""
        self._connection = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# Background builds under way, per cache and view, across every handle of this process.
_building: set[tuple[str, str]] = set()
_building_guard = threading.Lock()


class Builds:
    """The background builds one handle starts, at most one per view of a cache in this
    process. `close` interrupts the archive connections they read with and waits for
    them."""

    def __init__(self, cache: Path, name: str) -> None:
        self.cache = cache
        self.name = name
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sources: set[sqlite3.Connection] = set()
        self._closing = False

    def _claim(self, key: str) -> bool:
        with _building_guard:
            token = (str(self.cache), key)
            if token in _building:
                return False
            _building.add(token)
            return True

    def _release(self, key: str) -> None:
        with _building_guard:
            _building.discard((str(self.cache), key))

    def now(self, key: str, work: Callable[[], object]) -> bool:
        """Run `work` in this thread unless view `key` is being built already (True when
        it ran)."""
        if not self._claim(key):
            return False
        try:
            work()
        finally:
            self._release(key)
        return True

    def request(self, key: str, work: Callable[[], object], queue: bool = False) -> None:
        """Run `work` in a thread of its own unless view `key` is being built. With
        `queue`, run it even then: `work` waits its turn (`build_lock`) and sees for itself
        whether the view is still stale (a change during a build then gets its own). A busy
        or closing archive ends it quietly: it is only a cache, and the next stale read
        asks again."""
        claimed = not queue
        if claimed and not self._claim(key):
            return

        def release() -> None:
            if claimed:
                self._release(key)

        def run() -> None:
            try:
                work()
            except (sqlite3.Error, OSError):
                pass
            finally:
                release()

        thread = threading.Thread(target=run, name=self.name, daemon=True)
        with self._lock:
            if self._closing:
                release()
                return
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    @contextmanager
    def source(self, database: Path) -> Iterator[sqlite3.Connection]:
        """A connection to the archive for one build (autocommit: the build spells out its
        transaction), interrupted if the handle closes meanwhile."""
        connection = sqlite3.connect(
            database, isolation_level=None, timeout=30, check_same_thread=False
        )
        with self._lock:
            if self._closing:
                connection.close()
                raise sqlite3.OperationalError("the archive is being closed")
            self._sources.add(connection)
        try:
            yield connection
        finally:
            with self._lock:
                self._sources.discard(connection)
            connection.close()

    def wait(self) -> None:
        """Wait for the builds under way to end (the handle goes on)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join()

    def close(self) -> None:
        """Stop the builds this handle started and wait for their threads."""
        with self._lock:
            self._closing = True
            for connection in self._sources:
                connection.interrupt()
            threads = list(self._threads)
        for thread in threads:
            thread.join()
