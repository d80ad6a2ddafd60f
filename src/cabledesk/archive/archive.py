"""`Archive`: one folder with the SQLite database (the truth) and the full-text index."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TypeVar, cast

from cabledesk.archive.index import Index
from cabledesk.archive.progress import Reporter
from cabledesk.archive.report import IngestReport
from cabledesk.archive.schema import SchemaError, migrate
from cabledesk.archive.store import citing_ids, last_seq, read_cable, unpack
from cabledesk.query import browse
from cabledesk.query.browse import OriginCount, TagCount
from cabledesk.query.search import SearchResult
from cabledesk.query.timeline import Month
from cabledesk.record.model import Cable

T = TypeVar("T")
DATABASE = "archive.db"
_EXPORT_CHUNK = 500
INDEX = "index"


class ArchiveError(RuntimeError):
    """A path that is not an archive, or an archive that cannot be opened."""


class Archive:
    def __init__(self, path: Path, connection: sqlite3.Connection, index: Index) -> None:
        self.path = path
        self.connection = connection
        self.index = index
        self._origins: tuple[int, list[str]] | None = None
        self._counts: dict[str, tuple[int, object]] = {}

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Archive:
        """Open (or create) the archive folder at `path`, migrating an older schema and
        catching the index up with SQLite if a crash left it behind."""
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise ArchiveError(f"{folder}: expected an archive folder; found a file")
        database = folder / DATABASE
        if not database.exists():
            if not create:
                raise ArchiveError(f"{folder}: expected an archive; found no {DATABASE} there")
            folder.mkdir(parents=True, exist_ok=True)
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
        archive = cls(folder, connection, Index(folder / INDEX))
        try:
            archive.index.catch_up(connection)
        except ValueError as exc:
            # Another process (an ingest) holds the index writer; it absorbs what it
            # commits itself, so a reader opened meanwhile goes on with the index as is.
            if "LockBusy" not in str(exc):
                raise
        return archive

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
    ) -> IngestReport:
        """Parse and store every cable in `paths`; see cabledesk.archive.ingest."""
        from cabledesk.archive.ingest import ingest

        if isinstance(paths, str | Path):
            paths = [paths]
        return ingest(self, paths, format=format, workers=workers, progress=progress)

    def get(self, reference_id: str) -> Cable | None:
        """The current record of a cable, or None when the archive does not have it."""
        return read_cable(self.connection, reference_id.strip().upper())

    def citing(self, reference_id: str) -> list[str]:
        """Ids of the archived cables that cite this one in their REF block."""
        return citing_ids(self.connection, reference_id.strip().upper())

    def count(self) -> int:
        """How many cables the archive holds (cached until the archive changes)."""
        return self._cached("count", _count)

    def search(
        self,
        query: str,
        limit: int = 20,
        offset: int = 0,
        sort: str = "rank",
        facets: bool = True,
        blank_matches_all: bool = False,
    ) -> SearchResult:
        """Search with the query language (docs/search.md); QueryError for a bad query.
        A blank query is an error unless `blank_matches_all` (then: every cable)."""
        from cabledesk.query.search import search

        return search(
            self.index.searcher(),
            self.index.schema,
            self.connection,
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            facets=facets,
            origins=self.origins,
            blank_matches_all=blank_matches_all,
        )

    def timeline(self, query: str, blank_matches_all: bool = False) -> list[Month]:
        """Cables matching `query` per month, split by classification, oldest first."""
        from cabledesk.query.search import compile_query
        from cabledesk.query.timeline import timeline

        _, compiled = compile_query(
            self.index.schema, self.connection, query, self.origins, blank_matches_all
        )
        return timeline(self.index.searcher(), compiled)

    def neighbours(self, reference_id: str) -> tuple[str | None, str | None]:
        """The previous and next cable from the same origin (by date), where there are."""
        return browse.neighbours(self.connection, reference_id.strip().upper())

    def present(self, reference_ids: list[str]) -> set[str]:
        """Which of these reference ids the archive holds."""
        return browse.present(self.connection, reference_ids)

    def browse_origins(self) -> list[OriginCount]:
        """Every origin with its count and date span (cached until the archive changes)."""
        return self._cached("origins", browse.origins)

    def browse_tags(self) -> dict[str, list[TagCount]]:
        """Every TAG with its count, grouped by kind (cached until the archive changes)."""
        return self._cached("tags", browse.tags)

    def browse_months(self) -> list[tuple[str, int]]:
        return self._cached("months", browse.months)

    def browse_classifications(self) -> list[tuple[str, int]]:
        return self._cached("classifications", browse.classifications)

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
        seq = last_seq(self.connection)
        if self._origins is None or self._origins[0] != seq:
            rows = self.connection.execute(
                "SELECT DISTINCT origin FROM cables WHERE origin IS NOT NULL ORDER BY origin"
            )
            self._origins = (seq, [row[0] for row in rows])
        return self._origins[1]

    def export(self, query: str, sort: str = "rank", account: str | None = None) -> Iterator[Cable]:
        """Every cable matching `query`, streamed from SQLite in result order. The export is
        written to the audit log when streaming starts (`account` None: the command line)."""
        from cabledesk.access import audit
        from cabledesk.query.search import matching_ids

        audit.record(self, "export", account, detail={"query": query, "sort": sort})
        ids = matching_ids(
            self.index.searcher(), self.index.schema, self.connection, query, sort, self.origins
        )
        while chunk := list(islice(ids, _EXPORT_CHUNK)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT reference_id, record FROM cables WHERE reference_id IN ({marks})"
            rows = dict(self.connection.execute(sql, chunk).fetchall())
            for reference_id in chunk:
                if reference_id in rows:
                    yield unpack(rows[reference_id])

    def stats(self) -> dict[str, list[tuple[str, int]]]:
        """Counts of archived cables by year, origin, classification and tag."""
        queries = {
            "year": "SELECT year, count(*) FROM cables GROUP BY year ORDER BY year",
            "origin": "SELECT origin, count(*) n FROM cables GROUP BY origin ORDER BY n DESC",
            "classification": "SELECT classification, count(*) n FROM cables "
            "GROUP BY classification ORDER BY class_rank",
            "tag": "SELECT tag, count(DISTINCT cable_id) n FROM tags GROUP BY tag "
            "ORDER BY n DESC, tag",
        }
        return {
            name: [(str(value), int(count)) for value, count in self.connection.execute(sql)]
            for name, sql in queries.items()
        }

    def reindex(self) -> int:
        """Rebuild the full-text index from SQLite; returns the number of cables indexed."""
        return self.index.rebuild(self.connection)


def _count(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM cables").fetchone()[0])
