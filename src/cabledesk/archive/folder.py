"""`Store`: one archive folder with the SQLite database (the truth) and the indexes."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TypeVar, cast

import tantivy

from cabledesk.archive import editions, register
from cabledesk.archive import entities as entity_store
from cabledesk.archive.edition_index import FOLDER as EDITION_INDEX
from cabledesk.archive.edition_index import EditionIndex, catch_up_both
from cabledesk.archive.errors import ArchiveError, IndexBehind, IndexBusy
from cabledesk.archive.index import DocumentMapper, Index, process_mapper
from cabledesk.archive.progress import Reporter
from cabledesk.archive.register import RegisterError
from cabledesk.archive.report import IngestReport
from cabledesk.archive.schema import SchemaError, migrate
from cabledesk.archive.store import last_seq, restricting_seq
from cabledesk.parse import Parser
from cabledesk.redact.apply import Redactor
from cabledesk.redact.model import Rule

T = TypeVar("T")
# The catch-up a long job calls (Store.absorbing), optionally with its own document mapper.
Absorb = Callable[..., None]
DATABASE = "archive.db"
INDEX = "index"
# How long an editor's change waits for an ingest or another change to let go of the index.
CHANGE_WAIT = 10.0
# How long a restricted reader waits for the index to absorb a redaction or an edition
# SQLite already holds (the editor's process is absorbing it) before being refused.
RESTRICT_WAIT = 30.0
# Cables a change must touch before its index documents are made in worker processes
# (Store.change): starting the processes costs about a second.
PROCESS_FROM = 5_000


class Store:
    """One archive folder: the SQLite database (the truth), the full-text index of
    everything, and the edition's own index. The store knows no reader: what a reader
    may see is decided above it (cabledesk/facade.py).

    One thread at a time (docs/architecture.md, "Threads and processes")."""

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        index: Index,
        edition_index: EditionIndex,
    ) -> None:
        self.path = path
        self.connection = connection
        self.index = index
        # What the public searches: the latest edition alone (archive/edition_index.py).
        self.edition_index = edition_index
        self._counts: dict[str, tuple[int, object]] = {}

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, discard_index: bool = False) -> Store:
        """Open (or create) the archive folder at `path`, migrating an older schema and
        catching the index up with SQLite if a crash left it behind. `discard_index`
        throws the index away (damaged or not) and builds it anew from SQLite."""
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise ArchiveError(f"{folder}: expected an archive folder; found a file")
        database = folder / DATABASE
        created = not database.exists()
        if created:
            if not create:
                raise ArchiveError(f"{folder}: expected an archive; found no {DATABASE} there")
            # For the owner only: password hashes and unredacted text. SQLite gives the
            # -wal and -shm files the database's own mode. (Access review, issue 10.)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.isolation_level = "DEFERRED"
            migrate(connection)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{database}: expected a cabledesk SQLite archive; {exc}") from None
        except SchemaError as exc:
            raise ArchiveError(f"{database}: {exc}") from None
        try:
            index = Index(folder / INDEX, discard=discard_index)
            edition_index = EditionIndex(folder / EDITION_INDEX, discard=discard_index)
            if created:
                (folder / INDEX).chmod(0o700)
                (folder / EDITION_INDEX).chmod(0o700)
        except ArchiveError:
            connection.close()
            raise
        store = cls(folder, connection, index, edition_index)
        if not discard_index:
            # Another process (an ingest) may hold the index writer; it absorbs what it
            # commits itself, so a reader opened meanwhile goes on with the index as is.
            store.catch_up()
        store.restore_mention_indexes()
        return store

    def restore_mention_indexes(self) -> bool:
        """Build the indexes of `mentions` an enrichment job dropped for its run and could
        not build again (it was killed; archive/entities.py, MENTION_INDEXES). Only while
        no other process holds the index writer: a job that is still running holds it,
        and builds them itself at its end. False when some are still missing."""
        if not entity_store.missing_mention_indexes(self.connection):
            return True
        try:
            with self.index.writing(), self.connection:
                entity_store.restore_mention_indexes(self.connection)
        except IndexBusy:
            return False
        except sqlite3.OperationalError:
            return False  # another writer holds SQLite: the next opening tries again
        return True

    def catch_up(self, wait: float = 0.0) -> bool:
        """Let the index absorb what SQLite changed since (a killed ingest's last batches,
        a change made by another process); False when another process holds the index
        writer, and so absorbs what it changes itself."""
        caught_up = True
        for index in (self.index, self.edition_index):
            try:
                with index.writing(wait) as writer:
                    index.catch_up(self.connection, writer)
            except IndexBusy:
                caught_up = False
        return caught_up

    def change(self, apply: Callable[[sqlite3.Connection], T], *, workers: int = 0) -> T:
        """Make an editor's change (a redaction, a lift, an edition) in one SQLite
        transaction while holding the index writer, then let the index absorb the cables
        it touched before the writer is let go. Waits CHANGE_WAIT seconds for an ingest or
        another change to finish; then RegisterError, and nothing was changed.

        The two indexes absorb the change together, each document made once
        (edition_index.catch_up_both); with `workers`, a change that touched at least
        PROCESS_FROM cables, or an edition that at least that many cables entered, has
        its documents made in that many processes."""
        try:
            with (
                self.index.writing(CHANGE_WAIT) as writer,
                self.edition_index.writing(CHANGE_WAIT) as edition_writer,
            ):
                self.index.catch_up(self.connection, writer)
                with self.connection:
                    result = apply(self.connection)
                touched = self.connection.execute(
                    "SELECT count(*) FROM cables WHERE seq > ?", (self.index.absorbed,)
                ).fetchone()[0]
                if workers and max(touched, self.edition_index.entering(self.connection)) >= (
                    PROCESS_FROM
                ):
                    with process_mapper(workers) as mapper:
                        catch_up_both(
                            self.index,
                            self.edition_index,
                            self.connection,
                            writer,
                            edition_writer,
                            mapper,
                        )
                else:
                    catch_up_both(
                        self.index, self.edition_index, self.connection, writer, edition_writer
                    )
                return result
        except IndexBusy as exc:
            raise RegisterError(str(exc)) from None

    @contextmanager
    def absorbing(self, wait: float = CHANGE_WAIT) -> Iterator[Absorb]:
        """Hold both index writers for a long job that changes what the index must hold
        without changing texts (the enrichment job: the entities of each cable), as an
        ingest holds the writer for its run; yields the catch-up to call as it goes (with
        the job's way of making documents elsewhere, Index.catch_up), and catches up once
        more at the end. IndexBusy when another process writes the index."""
        with (
            self.index.writing(wait) as writer,
            self.edition_index.writing(wait) as edition_writer,
        ):

            def absorb(mapper: DocumentMapper | None = None) -> None:
                self.index.catch_up(self.connection, writer, mapper=mapper)
                self.edition_index.catch_up(self.connection, edition_writer)

            absorb()
            yield absorb
            absorb()

    def searcher(self, *, published_only: bool, restricted: bool) -> tantivy.Searcher:
        """`snapshot`'s searcher."""
        return self.snapshot(published_only=published_only, restricted=restricted)[0]

    def snapshot(
        self, *, published_only: bool, restricted: bool
    ) -> tuple[tantivy.Searcher, dict[object, object]]:
        """The index, caught up as far as it may be, for a search by a reader who sees
        only the edition (`published_only`) or less than everything (`restricted`).

        A server keeps archives open for days: an ingest killed meanwhile leaves the index
        behind SQLite, and the first search to notice catches it up. A restricted reader
        is never answered from an index that has not absorbed the latest redaction or
        edition (another process commits SQLite first, then re-indexes): the search waits
        for it, and is refused (IndexBehind) rather than answered from older text.

        The public searches the edition's own index: every score, count and order it gets
        is computed from the published cables alone. Beside the searcher, a memo of what
        was computed from it (Index.snapshot), dropped when the index moves on."""
        index = self.edition_index if published_only else self.index
        if index.absorbed < last_seq(self.connection) or (
            published_only and self.edition_index.behind(self.connection)
        ):
            self._catch_up(index)
        if restricted:
            deadline = time.monotonic() + RESTRICT_WAIT
            while index.absorbed < restricting_seq(self.connection) or (
                published_only and self.edition_index.edition_behind(self.connection)
            ):
                if time.monotonic() > deadline:
                    raise IndexBehind(
                        f"{self.path}: the full-text index is still absorbing an editor's "
                        "change (a redaction or an edition); try again in a minute"
                    )
                time.sleep(0.05)
                self._catch_up(index)
        return index.snapshot()

    def _catch_up(self, index: Index) -> None:
        try:
            with index.writing() as writer:
                index.catch_up(self.connection, writer)
        except IndexBusy:
            pass  # whoever holds the writer absorbs what it changes

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def ingest(
        self,
        paths: Iterable[str | Path] | str | Path,
        *,
        format: str = "auto",
        workers: int | None = None,
        progress: Reporter | None = None,
        parser: Parser | None = None,
    ) -> IngestReport:
        """Parse and store every cable in `paths`, with `parser` when given (a `Parser`
        with rules of your own; docs/architecture.md); see cabledesk.archive.ingest."""
        from cabledesk.archive.ingest import ingest

        if isinstance(paths, str | Path):
            paths = [paths]
        return ingest(self, paths, format=format, workers=workers, progress=progress, parser=parser)

    def published(self) -> set[str]:
        """The cables of the latest edition (cached until the archive changes)."""
        return self.cached("published", editions.published_ids)

    def count(self) -> int:
        """How many cables the archive holds (cached until the archive changes)."""
        return self.cached("count", _count)

    def origins(self) -> list[str]:
        """Every origin in the archive (cached until the archive changes)."""
        return self.cached("origin names", _origins)

    def rules(self) -> list[Rule]:
        """The redaction rules in force (cached until the register changes)."""
        return self.cached("rules", register.rules)

    def redactor(self) -> Redactor:
        """The rules in force, compiled (cached until the register changes)."""
        return self.cached("redactor", lambda _: Redactor(self.rules()))

    def cached(self, name: str, count: Callable[[sqlite3.Connection], T]) -> T:
        # Counting every row of a large archive takes a while; the answer only changes
        # when an ingest bumps the change sequence.
        seq = last_seq(self.connection)
        found = self._counts.get(name)
        if found is None or found[0] != seq:
            found = (seq, count(self.connection))
            self._counts[name] = found
        return cast(T, found[1])

    def reindex(self) -> int:
        """Rebuild the full-text index from SQLite; returns the number of cables indexed
        (IndexBusy while another process writes the index)."""
        with self.edition_index.writing() as writer:
            self.edition_index.rebuild(self.connection, writer)
        with self.index.writing() as writer:
            return self.index.rebuild(self.connection, writer)

    def check(self) -> list[str]:
        """What is wrong between the full-text index and SQLite (nothing: they agree):
        catches the index up first, as opening does."""
        self.catch_up()
        problems = self.index.verify(self.connection)
        problems += self.edition_index.verify(self.connection)
        integrity = self.connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems += [f"SQLite: {row[0]}" for row in integrity]
        return problems


def _origins(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT DISTINCT origin FROM cables WHERE origin IS NOT NULL ORDER BY origin"
    )
    return [row[0] for row in rows]


def _count(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM cables").fetchone()[0])
