"""Saved searches: a query (filters are part of the query language) and a sort, kept under
a name by one account, with two marks of what its owner has already been shown.

- `visited_seq`: the desk's mark. The saved-search list counts the matches that arrived
  after it; "Mark as seen" moves it on.
- `alerted_seq`: `cabledesk alerts`' mark (a daily cron job), moved on by every run that
  is not `--peek`, so that the job and the desk do not hide each other's news.

A cable "arrives" when an ingest stores its current text (a new cable, or a new text of
one already held): the `arrivals` table (schema version 12) keeps that change number, so
a redaction, an edition or the enrichment job, which move `cables.seq` on, never make an
old cable new again. Which of the arrivals a saved search matches, and which of them its
owner may see, is the facade's business (Archive.saved_searches, Archive.alerts): this
module keeps rows and reads arrivals, and knows no reader.

An owner is an account name; the local desk (an archive without accounts, and the
command line asking as it) is the owner `""`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from cabledesk.errors import Error

LOCAL_OWNER = ""
MAX_NAME = 100
MAX_QUERY = 2000
# More saved searches than any one person reads the news of; it keeps the desk's list (a
# count each) bounded.
MAX_PER_OWNER = 200
SORTS = ("rank", "date", "-date", "cited")


class SavedSearchError(Error, ValueError):
    """A name, query or sort a saved search cannot have, or one that does not exist."""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    owner: str
    name: str
    query: str
    sort: str
    created: str
    visited_seq: int
    visited_at: str | None
    alerted_seq: int
    alerted_at: str | None


@dataclass(frozen=True, slots=True)
class News:
    """A saved search and the matches that arrived since one of its marks, in its
    owner's view, newest first; `upto`: the change they were counted to (marking them
    seen moves the mark there, so what arrives meanwhile stays news). `error`: the
    message of a saved query that can no longer be read (no matches then)."""

    search: SavedSearch
    ids: list[str]
    upto: int
    error: str | None = None

    @property
    def count(self) -> int:
        return len(self.ids)


_COLUMNS = "id, owner, name, query, sort, created, visited_seq, visited_at, alerted_seq, alerted_at"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row(row: tuple[object, ...]) -> SavedSearch:
    return SavedSearch(*row)  # type: ignore[arg-type]


def check(name: str, query: str, sort: str) -> tuple[str, str, str]:
    """The name, query and sort as stored (SavedSearchError for what cannot be)."""
    name = " ".join(name.split())
    if not name:
        raise SavedSearchError("a saved search needs a name")
    if len(name) > MAX_NAME:
        raise SavedSearchError(f"a saved search's name has at most {MAX_NAME} characters")
    if len(query) > MAX_QUERY:
        raise SavedSearchError(f"a saved query has at most {MAX_QUERY} characters")
    if sort not in SORTS:
        raise SavedSearchError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    return name, query.strip(), sort


def add(
    connection: sqlite3.Connection, owner: str, name: str, query: str, sort: str, seq: int
) -> SavedSearch:
    """Keep a search; its news starts after `seq` (what the index holds now). Saving under
    a name the owner already uses replaces that search's query and sort (and starts its
    news again), as saving a file under its own name does."""
    name, query, sort = check(name, query, sort)
    with connection:
        count = connection.execute(
            "SELECT count(*) FROM saved_searches WHERE owner = ? AND name != ?", (owner, name)
        ).fetchone()[0]
        if count >= MAX_PER_OWNER:
            raise SavedSearchError(
                f"at most {MAX_PER_OWNER} saved searches per account; delete one first"
            )
        connection.execute(
            "INSERT INTO saved_searches (owner, name, query, sort, created, visited_seq, "
            "alerted_seq) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner, name) DO UPDATE "
            "SET query = excluded.query, sort = excluded.sort, created = excluded.created, "
            "visited_seq = excluded.visited_seq, visited_at = NULL, "
            "alerted_seq = excluded.alerted_seq, alerted_at = NULL",
            (owner, name, query, sort, now(), seq, seq),
        )
    found = connection.execute(
        f"SELECT {_COLUMNS} FROM saved_searches WHERE owner = ? AND name = ?", (owner, name)
    ).fetchone()
    return _row(found)


def of_owner(connection: sqlite3.Connection, owner: str) -> list[SavedSearch]:
    rows = connection.execute(
        f"SELECT {_COLUMNS} FROM saved_searches WHERE owner = ? ORDER BY name, id", (owner,)
    ).fetchall()
    return [_row(row) for row in rows]


def owners(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("SELECT DISTINCT owner FROM saved_searches ORDER BY owner")
    return [row[0] for row in rows]


def get(connection: sqlite3.Connection, owner: str, search_id: int) -> SavedSearch:
    """One of the owner's saved searches; another owner's is as unknown as a missing one."""
    row = connection.execute(
        f"SELECT {_COLUMNS} FROM saved_searches WHERE owner = ? AND id = ?", (owner, search_id)
    ).fetchone()
    if row is None:
        raise SavedSearchError(f"no saved search {search_id}")
    return _row(row)


def delete(connection: sqlite3.Connection, owner: str, search_id: int) -> None:
    with connection:
        cursor = connection.execute(
            "DELETE FROM saved_searches WHERE owner = ? AND id = ?", (owner, search_id)
        )
    if cursor.rowcount == 0:
        raise SavedSearchError(f"no saved search {search_id}")


def change(
    connection: sqlite3.Connection,
    owner: str,
    search_id: int,
    *,
    name: str | None = None,
    query: str | None = None,
    sort: str | None = None,
    seq: int | None = None,
) -> SavedSearch:
    """Rename one of the owner's saved searches, or change its query or sort (None: kept).
    A new query starts its news again from change `seq` (both marks, as saving it anew
    would): the old marks counted another query's matches. A new name or sort keeps the
    marks. A name the owner already uses for another search is refused."""
    found = get(connection, owner, search_id)
    new_name, new_query, new_sort = check(
        found.name if name is None else name,
        found.query if query is None else query,
        found.sort if sort is None else sort,
    )
    restart = new_query != found.query
    if restart and seq is None:
        raise SavedSearchError("a new query needs the change its news starts after")
    with connection:
        taken = connection.execute(
            "SELECT 1 FROM saved_searches WHERE owner = ? AND name = ? AND id != ?",
            (owner, new_name, search_id),
        ).fetchone()
        if taken is not None:
            raise SavedSearchError(
                f"you already have a saved search named {new_name!r}; pick another name"
            )
        connection.execute(
            "UPDATE saved_searches SET name = ?, query = ?, sort = ? WHERE owner = ? AND id = ?",
            (new_name, new_query, new_sort, owner, search_id),
        )
        if restart:
            connection.execute(
                "UPDATE saved_searches SET visited_seq = ?, visited_at = NULL, "
                "alerted_seq = ?, alerted_at = NULL WHERE owner = ? AND id = ?",
                (seq, seq, owner, search_id),
            )
    return get(connection, owner, search_id)


def mark(
    connection: sqlite3.Connection, owner: str, search_id: int, *, seq: int, alerted: bool
) -> None:
    """Move the desk's mark (`alerted` False) or the alerts' mark on to `seq` (never back)."""
    column = "alerted" if alerted else "visited"
    with connection:
        connection.execute(
            f"UPDATE saved_searches SET {column}_seq = max({column}_seq, ?), {column}_at = ? "
            "WHERE owner = ? AND id = ?",
            (seq, now(), owner, search_id),
        )


def arrived(connection: sqlite3.Connection, after: int, upto: int) -> list[str]:
    """Reference ids of the cables whose current text arrived after change `after` and by
    change `upto` (the index holds them), in no reader's view yet."""
    if upto <= after:
        return []
    rows = connection.execute(
        "SELECT c.reference_id FROM arrivals a JOIN cables c ON c.id = a.cable_id "
        "WHERE a.seq > ? AND a.seq <= ?",
        (after, upto),
    ).fetchall()
    return [row[0] for row in rows]
