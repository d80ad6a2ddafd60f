"""Entity summaries per class of reader: what the entity index and an entity's page read,
counted once for everyone who sees the same mentions (docs/entities.md, "Entity reads at
scale").

A reader's entity counts are made over the mentions they may see (`entities.Visibility`):
the public counts only the latest edition's cables, a reader below a ceiling only the
parts up to it. Counted at each request, that is a pass over every visible mention (about
25 million at the release's size), seconds for one page. Readers of one class see the
same mentions, so the counts (entity, mentions, cables), the months, the posts and the
spellings of every entity are summarised once per class into a cache database beside the
archive's (`entity-views.db`) and read from there.

Fail closed: a summary is stamped with the archive's change number, resolution's
generation and the latest edition, read in the same snapshot its counts are made from;
a reader uses it only while all three are unchanged. Any ingest, enrichment batch,
redaction, edition or editor's decision moves one of them, and readers are answered
from the mentions themselves (the slower way, the same answer) until a new summary is
built, in a background thread the first stale read starts. The view key holds every field
of the Visibility, so two classes never share a summary. The cache is derived data (it
holds names from secret paragraphs, so it is the owner's only, like the database): delete
it at any time and it is built again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cabledesk.archive.entities import Visibility
from cabledesk.archive.store import last_seq
from cabledesk.archive.view_cache import Builds, CacheReader, reader_key

CACHE = "entity-views.db"
_CACHE_SCHEMA = 1

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS views (view TEXT PRIMARY KEY, stamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    view TEXT NOT NULL, entity_id INTEGER NOT NULL, kind TEXT NOT NULL,
    mentions INTEGER NOT NULL, cables INTEGER NOT NULL,
    PRIMARY KEY (view, entity_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS counts_order ON counts (view, mentions DESC, entity_id);
CREATE INDEX IF NOT EXISTS counts_kind ON counts (view, kind, mentions DESC, entity_id);
CREATE TABLE IF NOT EXISTS months (
    view TEXT NOT NULL, entity_id INTEGER NOT NULL, month TEXT NOT NULL,
    cables INTEGER NOT NULL, PRIMARY KEY (view, entity_id, month)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS posts (
    view TEXT NOT NULL, entity_id INTEGER NOT NULL, origin TEXT NOT NULL,
    cables INTEGER NOT NULL, PRIMARY KEY (view, entity_id, origin)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spellings (
    view TEXT NOT NULL, entity_id INTEGER NOT NULL, surface TEXT NOT NULL,
    name TEXT NOT NULL, mentions INTEGER NOT NULL,
    PRIMARY KEY (view, entity_id, surface, name)) WITHOUT ROWID;
PRAGMA user_version = {_CACHE_SCHEMA};
"""
_TABLES = ("counts", "months", "posts", "spellings")


def view_key(seen: Visibility) -> str:
    """Every field of the Visibility, spelled out: equal keys see the same mentions."""
    excluded = hashlib.sha256("\n".join(sorted(seen.excluded)).encode()).hexdigest()[:24]
    return reader_key(
        seen.ceiling, seen.foreign, seen.published_only, excluded=f"{len(seen.excluded)}:{excluded}"
    )


def stamp(connection: sqlite3.Connection) -> str:
    """What a summary is valid for: the change number (ingests, enrichment batches,
    redactions, editions, decisions), resolution's generation and the latest edition."""
    resolved = connection.execute(
        "SELECT value FROM meta WHERE key = 'entities_resolved'"
    ).fetchone()
    edition = connection.execute("SELECT max(id) FROM editions").fetchone()
    return f"{last_seq(connection)}/{resolved[0] if resolved else 0}/{edition[0] or 0}"


@dataclass(frozen=True)
class Summary:
    """One class of reader's summary, fresh when it was handed out."""

    connection: sqlite3.Connection
    view: str

    def counts(
        self,
        *,
        kind: str | None = None,
        entity_ids: list[int] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[tuple[int, str, int, int]]:
        """(entity id, kind, mentions, cables), most mentioned first."""
        where, params = ["view = ?"], [self.view]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if entity_ids is not None:
            where.append(f"entity_id IN ({','.join('?' * len(entity_ids))})")
            params.extend(str(i) for i in entity_ids)
        return self.connection.execute(
            f"""SELECT entity_id, kind, mentions, cables FROM counts
                WHERE {" AND ".join(where)} ORDER BY mentions DESC, entity_id
                LIMIT ? OFFSET ?""",
            [*params, limit, offset],
        ).fetchall()

    def months(self, entity_id: int) -> list[tuple[str, int]]:
        return self.connection.execute(
            "SELECT month, cables FROM months WHERE view = ? AND entity_id = ? ORDER BY month",
            (self.view, entity_id),
        ).fetchall()

    def posts(self, entity_id: int, limit: int = 20) -> list[tuple[str, int]]:
        return self.connection.execute(
            """SELECT origin, cables FROM posts WHERE view = ? AND entity_id = ?
               ORDER BY cables DESC, origin LIMIT ?""",
            (self.view, entity_id, limit),
        ).fetchall()

    def surfaces(self, entity_id: int) -> list[tuple[str, int]]:
        """(surface, mentions) as `entities.surfaces` gives them."""
        return self.connection.execute(
            """SELECT surface, sum(mentions) AS n FROM spellings
               WHERE view = ? AND entity_id = ? GROUP BY surface ORDER BY n DESC, surface""",
            (self.view, entity_id),
        ).fetchall()

    def every_name(self) -> Iterator[tuple[int, str, str]]:
        """(entity id, kind, surface or mention name) of every entity in this view."""
        for entity_id, kind, surface, name in self.connection.execute(
            """SELECT s.entity_id, c.kind, s.surface, s.name FROM spellings s
               JOIN counts c ON c.view = s.view AND c.entity_id = s.entity_id
               WHERE s.view = ?""",
            (self.view,),
        ):
            yield entity_id, kind, surface
            if name != surface:
                yield entity_id, kind, name

    def names(self, entity_id: int) -> list[str]:
        """Every surface and mention name of the entity in this view."""
        rows = self.connection.execute(
            "SELECT surface, name FROM spellings WHERE view = ? AND entity_id = ?",
            (self.view, entity_id),
        ).fetchall()
        return sorted({s for row in rows for s in row})


class Summaries:
    """The cache of one archive folder, for one handle (one thread at a time, like the
    handle's own connection)."""

    def __init__(self, folder: Path, database: Path) -> None:
        self.path = folder / CACHE
        self.database = database
        self._reader = CacheReader(self.path)
        # Builds this handle started in the background: closing the handle stops them.
        self._builds = Builds(self.path, "entity-views")

    def fresh(self, connection: sqlite3.Connection, seen: Visibility) -> Summary | None:
        """The summary of `seen`'s class when it is of the archive as it stands now;
        otherwise None, and a build starts in the background."""
        key = view_key(seen)
        if self._reader.stamp_of(key) == stamp(connection):
            reader = self._reader.connection()
            if reader is not None:
                return Summary(reader, key)
        self._reader.let_go()
        self.request(seen)
        return None

    def request(self, seen: Visibility) -> None:
        """Build `seen`'s summary in a background thread, unless one is being built."""
        self._builds.request(view_key(seen), lambda: self.build(seen))

    def build(self, seen: Visibility) -> str:
        """Summarise `seen`'s class now, in this thread; returns the stamp it is of."""
        key = view_key(seen)
        with self._builds.source(self.database) as source:
            return self._build(source, seen, key)

    def _build(self, source: sqlite3.Connection, seen: Visibility, key: str) -> str:
        # Temporary tables live on this connection only and go with it.
        try:
            self._attach(source)
        except sqlite3.OperationalError:
            # Busy or locked (another process building the same cache): a sound
            # file, so nothing is deleted; the caller's next stale read tries again.
            raise
        except sqlite3.DatabaseError:
            # Not a database (a torn copy, another program's file): it is only a
            # cache, so it is made anew.
            if _attached(source):
                source.execute("DETACH DATABASE v")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._attach(source)
        sql, params = seen.sql("all")
        # One transaction: the stamp and every count come from one snapshot of the
        # archive, and readers of the cache see the old summary or the new one whole.
        source.execute("BEGIN")
        try:
            now = stamp(source)
            for table in _TABLES:
                source.execute(f"DELETE FROM v.{table} WHERE view = ?", (key,))
            # The visible mentions once (the joins of the Visibility are most of
            # the cost), then each summary from them; temporary tables live on this
            # connection only and go with it.
            source.execute(
                f"""CREATE TEMP TABLE seen_mentions AS SELECT k.entity_id AS entity_id,
                    m.cable_id AS cable_id, m.surface AS surface, m.name AS name {sql}""",
                params,
            )
            # Cable first: the pass above reads the mentions cable by cable, so the
            # pairs' b-tree is filled in its own order (a quarter of the CPU of
            # entity first at 50,000 cables).
            source.execute(
                """CREATE TEMP TABLE seen_pairs AS SELECT DISTINCT cable_id, entity_id
                   FROM seen_mentions"""
            )
            # Each cable's month and post, from the covering index of (origin, date):
            # the pairs then find them in a small table, not in the rows of `cables`
            # (which hold the records) in the pairs' order.
            source.execute(
                """CREATE TEMP TABLE seen_cables (
                   cable_id INTEGER PRIMARY KEY, month TEXT, origin TEXT)"""
            )
            source.execute(
                "INSERT INTO seen_cables SELECT id, substr(date, 1, 7), origin FROM cables"
            )
            source.execute(
                """INSERT INTO v.counts SELECT ?, s.entity_id, n.kind, s.mentions, s.cables
                   FROM (SELECT entity_id, count(*) AS mentions,
                         count(DISTINCT cable_id) AS cables
                         FROM seen_mentions GROUP BY entity_id) s
                   JOIN entities n ON n.id = s.entity_id""",
                (key,),
            )
            source.execute(
                """INSERT INTO v.spellings SELECT ?, entity_id, surface, name, count(*)
                   FROM seen_mentions GROUP BY entity_id, surface, name""",
                (key,),
            )
            source.execute(
                """INSERT INTO v.months SELECT ?, p.entity_id, s.month, count(*)
                   FROM seen_pairs p JOIN seen_cables s ON s.cable_id = p.cable_id
                   WHERE s.month IS NOT NULL GROUP BY p.entity_id, s.month""",
                (key,),
            )
            source.execute(
                """INSERT INTO v.posts SELECT ?, p.entity_id, s.origin, count(*)
                   FROM seen_pairs p JOIN seen_cables s ON s.cable_id = p.cable_id
                   WHERE s.origin IS NOT NULL GROUP BY p.entity_id, s.origin""",
                (key,),
            )
            source.execute("INSERT OR REPLACE INTO v.views (view, stamp) VALUES (?, ?)", (key, now))
            source.execute("COMMIT")
        except BaseException:
            source.execute("ROLLBACK")
            raise
        return now

    def _attach(self, source: sqlite3.Connection) -> None:
        if not self.path.exists():
            # The owner's only: it holds names from every part of every cable.
            self.path.touch(mode=0o600)
        source.execute("ATTACH DATABASE ? AS v", (str(self.path),))
        source.execute("PRAGMA v.journal_mode = WAL")
        if source.execute("PRAGMA v.user_version").fetchone()[0] != _CACHE_SCHEMA:
            for table in ("views", *_TABLES):
                source.execute(f"DROP TABLE IF EXISTS v.{table}")
        source.executescript(
            _SCHEMA.replace("EXISTS ", "EXISTS v.").replace(
                "PRAGMA user_version", "PRAGMA v.user_version"
            )
        )

    def wait(self) -> None:
        """Wait for the background builds this handle started."""
        self._builds.wait()

    def close(self) -> None:
        """Stop the builds this handle started (a build is only a cache: the next stale
        read starts it again) and close the cache."""
        self._builds.close()
        self._reader.close()


def _attached(connection: sqlite3.Connection) -> bool:
    return any(row[1] == "v" for row in connection.execute("PRAGMA database_list"))


def _and(sql: str) -> str:
    return " AND " if " WHERE " in sql else " WHERE "
