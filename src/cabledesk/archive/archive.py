"""`Archive`: one folder with the SQLite database (the truth) and the full-text index."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TypeVar, cast

import tantivy

from cabledesk.archive import editorial, register
from cabledesk.archive.edition_index import FOLDER as EDITION_INDEX
from cabledesk.archive.edition_index import EditionIndex
from cabledesk.archive.errors import ArchiveError, IndexBehind, IndexBusy
from cabledesk.archive.index import Index
from cabledesk.archive.progress import Reporter
from cabledesk.archive.register import RegisterError
from cabledesk.archive.report import IngestReport
from cabledesk.archive.schema import SchemaError, migrate
from cabledesk.archive.store import (
    citing_ids,
    last_seq,
    read_cable,
    restricting_seq,
    unpack,
    versions,
)
from cabledesk.parse import Parser
from cabledesk.query import browse
from cabledesk.query.browse import OriginCount, TagCount
from cabledesk.query.search import SearchResult
from cabledesk.query.timeline import Month
from cabledesk.record.model import Cable
from cabledesk.redact.apply import Redactor
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import FULL, Viewer

T = TypeVar("T")
DATABASE = "archive.db"
_EXPORT_CHUNK = 500
INDEX = "index"
# How long an editor's change waits for an ingest or another change to let go of the index.
CHANGE_WAIT = 10.0
# How long a restricted reader waits for the index to absorb a redaction or an edition
# SQLite already holds (the editor's process is absorbing it) before being refused.
RESTRICT_WAIT = 30.0

__all__ = ["Archive", "ArchiveError"]


class Archive:
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
    def open(cls, path: str | Path, *, create: bool = True, discard_index: bool = False) -> Archive:
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
        archive = cls(folder, connection, index, edition_index)
        if not discard_index:
            # Another process (an ingest) may hold the index writer; it absorbs what it
            # commits itself, so a reader opened meanwhile goes on with the index as is.
            archive.catch_up()
        return archive

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

    def change(self, apply: Callable[[sqlite3.Connection], T]) -> T:
        """Make an editor's change (a redaction, a lift, an edition) in one SQLite
        transaction while holding the index writer, then let the index absorb the cables
        it touched before the writer is let go. Waits CHANGE_WAIT seconds for an ingest or
        another change to finish; then RegisterError, and nothing was changed."""
        try:
            with (
                self.index.writing(CHANGE_WAIT) as writer,
                self.edition_index.writing(CHANGE_WAIT) as edition_writer,
            ):
                self.index.catch_up(self.connection, writer)
                with self.connection:
                    result = apply(self.connection)
                self.index.catch_up(self.connection, writer)
                self.edition_index.catch_up(self.connection, edition_writer)
                return result
        except IndexBusy as exc:
            raise RegisterError(str(exc)) from None

    def _searcher(self, viewer: Viewer) -> tantivy.Searcher:
        """The index, caught up as far as it may be, for a search by `viewer`.

        A server keeps archives open for days: an ingest killed meanwhile leaves the index
        behind SQLite, and the first search to notice catches it up. A restricted reader
        is never answered from an index that has not absorbed the latest redaction or
        edition (another process commits SQLite first, then re-indexes): the search waits
        for it, and is refused (IndexBehind) rather than answered from older text.

        The public searches the edition's own index: every score, count and order it gets
        is computed from the published cables alone."""
        index = self.edition_index if viewer.published_only else self.index
        if index.absorbed < last_seq(self.connection) or (
            viewer.published_only and self.edition_index.behind(self.connection)
        ):
            self._catch_up(index)
        if viewer.restricted:
            deadline = time.monotonic() + RESTRICT_WAIT
            while index.absorbed < restricting_seq(self.connection) or (
                viewer.published_only and self.edition_index.edition_behind(self.connection)
            ):
                if time.monotonic() > deadline:
                    raise IndexBehind(
                        f"{self.path}: the full-text index is still absorbing an editor's "
                        "change (a redaction or an edition); try again in a minute"
                    )
                time.sleep(0.05)
                self._catch_up(index)
        return index.searcher()

    def _catch_up(self, index: Index) -> None:
        try:
            with index.writing() as writer:
                index.catch_up(self.connection, writer)
        except IndexBusy:
            pass  # whoever holds the writer absorbs what it changes

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Archive:
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

    def get(self, reference_id: str, viewer: Viewer = FULL) -> Cable | None:
        """The current record of a cable as `viewer` may see it, or None when the archive
        does not have it (or, for the public, has not published it)."""
        reference_id = reference_id.strip().upper()
        if viewer.published_only and reference_id not in self.published():
            return None
        if viewer.published_only:
            # The version the edition published, not a newer text awaiting approval.
            cable = register.published_record(self.connection, reference_id)
        else:
            cable = read_cable(self.connection, reference_id)
        return self.view(cable, viewer) if cable is not None else None

    def view(self, cable: Cable, viewer: Viewer) -> Cable:
        """A stored current record as `viewer` receives it. A signed-in account never gets
        less of a cable of the latest edition than the public does (docs/publishing.md,
        "Who sees what"): what its own view withholds and the public's view of the version
        published shows is shown as published."""
        if viewer.published_only or not viewer.restricted:
            return viewer.view(cable)
        if (cable.reference_id or "") not in self.published():
            return viewer.view(cable)
        published = register.published_record(self.connection, cable.reference_id or "")
        return viewer.view_published(cable, published, self.public_viewer())

    def public_viewer(self) -> Viewer:
        """The public's Viewer, with the rules in force."""
        return Viewer(redact=True, published_only=True, compiled=self.redactor())

    def _also(self, query: str, viewer: Viewer, blank_matches_all: bool) -> set[str]:
        """For a signed-in account whose ceiling holds text back: the published cables the
        public's search finds for `query` (found in the edition index, built from what the
        public sees), so that their search never finds less than the public's. A QueryError
        is raised by the account's own query as well."""
        if viewer.published_only or not viewer.restricted or not self.published():
            return set()
        if blank_matches_all and not query.strip():
            return set()  # every cable already
        from cabledesk.query.search import matching_ids

        public = self.public_viewer()
        return set(
            matching_ids(
                self._searcher(public),
                self.edition_index.schema,
                self.connection,
                query,
                "date",
                self.origins,
                viewer=public,
            )
        )

    def citing(self, reference_id: str, viewer: Viewer = FULL) -> list[str]:
        """Ids of the archived cables that cite this one in their REF block."""
        if viewer.published_only:
            return register.published_citing(self.connection, reference_id.strip().upper())
        return citing_ids(self.connection, reference_id.strip().upper())

    def published(self) -> set[str]:
        """The cables of the latest edition (cached until the archive changes)."""
        return self._cached("published", register.published_ids)

    def _only_published(self, ids: list[str]) -> list[str]:
        published = self.published()
        return [i for i in ids if i in published]

    def count(self, viewer: Viewer = FULL) -> int:
        """How many cables the archive holds, or has published for the public (cached
        until the archive changes)."""
        if viewer.published_only:
            return len(self.published())
        return self._cached("count", _count)

    def rules(self) -> list[Rule]:
        """The redaction rules in force (cached until the register changes)."""
        return self._cached("rules", register.rules)

    def redactor(self) -> Redactor:
        """The rules in force, compiled (cached until the register changes)."""
        return self._cached("redactor", lambda _: Redactor(self.rules()))

    def search(
        self,
        query: str,
        limit: int = 20,
        offset: int = 0,
        sort: str = "rank",
        facets: bool = True,
        blank_matches_all: bool = False,
        viewer: Viewer = FULL,
    ) -> SearchResult:
        """Search with the query language (docs/search.md); QueryError for a bad query.
        A blank query is an error unless `blank_matches_all` (then: every cable)."""
        from cabledesk.query.search import search

        return search(
            self._searcher(viewer),
            self.index.schema,
            self.connection,
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            facets=facets,
            origins=self.origins,
            blank_matches_all=blank_matches_all,
            viewer=viewer,
            also=self._also(query, viewer, blank_matches_all),
            view=lambda cable: self.view(cable, viewer),
        )

    def timeline(
        self, query: str, blank_matches_all: bool = False, viewer: Viewer = FULL
    ) -> list[Month]:
        """Cables matching `query` per month, split by classification, oldest first."""
        from cabledesk.query.search import compile_query
        from cabledesk.query.timeline import timeline

        _, compiled = compile_query(
            self.index.schema,
            self.connection,
            query,
            self.origins,
            blank_matches_all,
            viewer,
            self._also(query, viewer, blank_matches_all),
        )
        return timeline(self._searcher(viewer), compiled)

    def neighbours(self, reference_id: str, viewer: Viewer = FULL) -> tuple[str | None, str | None]:
        """The previous and next cable from the same origin (by date), where there are."""
        return browse.neighbours(
            self.connection, reference_id.strip().upper(), viewer.published_only
        )

    def present(self, reference_ids: list[str], viewer: Viewer = FULL) -> set[str]:
        """Which of these reference ids the archive holds (has published, for the public)."""
        found = browse.present(self.connection, reference_ids)
        return found & self.published() if viewer.published_only else found

    def browse_origins(self, viewer: Viewer = FULL) -> list[OriginCount]:
        """Every origin with its count and date span (cached until the archive changes)."""
        return self._counted("origins", browse.origins, viewer)

    def browse_tags(self, viewer: Viewer = FULL) -> dict[str, list[TagCount]]:
        """Every TAG with its count, grouped by kind (cached until the archive changes)."""
        return self._counted("tags", browse.tags, viewer)

    def browse_months(self, viewer: Viewer = FULL) -> list[tuple[str, int]]:
        return self._counted("months", browse.months, viewer)

    def browse_classifications(self, viewer: Viewer = FULL) -> list[tuple[str, int]]:
        return self._counted("classifications", browse.classifications, viewer)

    def _counted(
        self, name: str, count: Callable[[sqlite3.Connection, bool], T], viewer: Viewer
    ) -> T:
        edition = viewer.published_only
        return self._cached(f"{name}:{edition}", lambda c: count(c, edition))

    def _cached(self, name: str, count: Callable[[sqlite3.Connection], T]) -> T:
        # Counting every row of a large archive takes a while; the answer only changes
        # when an ingest bumps the change sequence.
        seq = last_seq(self.connection)
        found = self._counts.get(name)
        if found is None or found[0] != seq:
            found = (seq, count(self.connection))
            self._counts[name] = found
        return cast(T, found[1])

    def origins(self) -> list[str]:
        """Every origin in the archive (cached until the archive changes)."""
        return self._cached("origin names", _origins)

    def matching_ids(
        self,
        query: str,
        sort: str = "rank",
        viewer: Viewer = FULL,
        blank_matches_all: bool = False,
    ) -> Iterator[str]:
        """The id of every cable matching `query` that `viewer` may find, in result order,
        without reading a record (a malformed query raises QueryError when iterated)."""
        from cabledesk.query.search import matching_ids

        def ids() -> Iterator[str]:
            yield from matching_ids(
                self._searcher(viewer),
                self.index.schema,
                self.connection,
                query,
                sort,
                self.origins,
                blank_matches_all=blank_matches_all,
                viewer=viewer,
                also=self._also(query, viewer, blank_matches_all),
            )

        return ids()

    def export(
        self,
        query: str,
        sort: str = "rank",
        viewer: Viewer = FULL,
        blank_matches_all: bool = False,
        account: str | None = None,
    ) -> Iterator[Cable]:
        """Every cable matching `query`, as `viewer` may see it, streamed in result order.
        The export is written to the audit log when streaming starts (`account` None: the
        command line)."""
        from cabledesk.access import audit

        audit.record(self, "export", account, detail={"query": query, "sort": sort})
        ids = self.matching_ids(query, sort, viewer, blank_matches_all)
        while chunk := list(islice(ids, _EXPORT_CHUNK)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT reference_id, record FROM cables WHERE reference_id IN ({marks})"
            rows = dict(self.connection.execute(sql, chunk).fetchall())
            for reference_id in chunk:
                if reference_id in rows:
                    yield self.view(unpack(rows[reference_id]), viewer)

    def stats(self, viewer: Viewer = FULL) -> dict[str, list[tuple[str, int]]]:
        """Counts of archived (for the public: published) cables by year, origin,
        classification and tag."""
        where = f"WHERE {browse.IN_EDITION}" if viewer.published_only else ""
        tag_where = (
            f"WHERE cable_id IN (SELECT id FROM cables WHERE {browse.IN_EDITION})"
            if viewer.published_only
            else ""
        )
        queries = {
            "year": f"SELECT year, count(*) FROM cables {where} GROUP BY year ORDER BY year",
            "origin": f"SELECT origin, count(*) n FROM cables {where} GROUP BY origin "
            "ORDER BY n DESC",
            "classification": f"SELECT classification, count(*) n FROM cables {where} "
            "GROUP BY classification ORDER BY class_rank",
            "tag": f"SELECT tag, count(DISTINCT cable_id) n FROM tags {tag_where} GROUP BY tag "
            "ORDER BY n DESC, tag",
        }
        return {
            name: [(str(value), int(count)) for value, count in self.connection.execute(sql)]
            for name, sql in queries.items()
        }

    def redact(self, rule: Rule, account: str | None = None) -> Rule:
        """Mark a redaction (RegisterError when it cannot be); it applies at once."""
        return editorial.mark(self, rule, account)

    def lift(self, rule_id: int, reason: str, account: str | None = None) -> Rule:
        """Lift a redaction (logged with the reason); it stops applying at once."""
        return editorial.lift(self, rule_id, account, reason)

    def register(self, include_lifted: bool = False) -> list[Rule]:
        return register.rules(self.connection, include_lifted=include_lifted)

    def register_history(self) -> list[dict[str, object]]:
        return register.history(self.connection)

    def approve(self, reference_ids: list[str], account: str | None = None) -> int:
        return editorial.approve(self, reference_ids, account)

    def withdraw(self, reference_ids: list[str], account: str | None = None) -> int:
        return editorial.withdraw(self, reference_ids, account)

    def versions(self, reference_id: str) -> list[tuple[int, str, Cable]]:
        """The cable's earlier texts, oldest first (for editors: the public never sees
        the history of a cable)."""
        return versions(self.connection, reference_id.strip().upper())

    def approved(self) -> list[editorial.Approval]:
        return editorial.approved(self)

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
