"""What a site build keeps for the next one: the incremental edition (issue 16).

`ARCHIVE/edition-build/cache.db` (SQLite) holds, for the edition last built into a site
folder, each cable's public record (packed as the archive packs records), its `Entry`,
its published hash and the digest of its page's inputs; the digest of every list and
browse page's inputs; the files of the site's search index (`files`: what the next
edition deletes when its index no longer has them); and what the build was made from
(`meta`): the site folder, the edition's number, the SHA-256 of the edition.json it
wrote, the archive's change number when it read the cables, the page size and the
code's fingerprint.

Everything in it is derived from the public records only (what the site itself shows),
but it lives in the archive folder, not in the site: it is the build's own bookkeeping.

A full build writes a fresh `cache.db.new` and puts it in place once the site is; an
incremental build changes `cache.db` in one transaction committed after its journal is
written and before its files are moved into the site (commit.py): a build that finds the
journal rolls the site forward to what the cache describes. If the two ever disagree
otherwise (a crash between), edition.json's hash no longer matches and the next build is
a full one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import orjson

import cabledesk
from cabledesk.publish.edition import Entry

FOLDER = "edition-build"
NAME = "cache.db"
# Bump when what the cache holds changes meaning.
# 2: the search index's files are kept (`files`), for the commit in place.
FORMAT = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    reference_id TEXT PRIMARY KEY,
    record BLOB NOT NULL,
    entry TEXT NOT NULL,
    published TEXT NOT NULL,
    page TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY);
"""


@cache
def fingerprint() -> str:
    """A hash of cabledesk's own source (modules, templates, static files): a build made by
    other code may have written other bytes, so the next build is then a full one."""
    root = Path(cabledesk.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js") and path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def digest(value: object) -> str:
    """The digest of a page's inputs (JSON-able values). Written by orjson: the plan
    digests every page of the edition (the same bytes as `json.dumps(value,
    ensure_ascii=False, separators=(",", ":"))` for strings, integers, lists and
    string-keyed objects; what orjson refuses goes through `json`)."""
    try:
        data = orjson.dumps(value)
    except TypeError:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]


def entry_json(entry: Entry) -> str:
    return orjson.dumps(
        [
            entry.reference_id,
            entry.date,
            entry.origin,
            entry.classification,
            entry.caveats,
            entry.subject,
            entry.tags,
            entry.cites,
        ]
    ).decode("utf-8")


def entry_from(text: str) -> Entry:
    return Entry(*orjson.loads(text))


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class BuildCache:
    """One build's view of the cache: `fresh` (a full build, into cache.db.new) or the
    existing cache.db (an incremental build, in one open transaction)."""

    def __init__(self, folder: Path, *, fresh: bool) -> None:
        folder.mkdir(exist_ok=True)
        self.path = folder / NAME
        self.fresh = fresh
        # The meta of the build this cache was left by (BuildCache.previous's caller),
        # and how many cables this build read and viewed.
        self.before: dict[str, str] = {}
        self.read: int | None = None
        # The cables of the previous edition this one no longer holds (incremental).
        self.withdrawn: list[str] = []
        self.workers_cpu = 0.0
        # An incremental build: the previous edition's published hashes, and the previous
        # public records of the cables read again or withdrawn.
        self.previous_published: dict[str, str] = {}
        self.previous_records: dict[str, bytes] = {}
        self.target = self.path.with_name(NAME + ".new") if fresh else self.path
        if fresh:
            self.target.unlink(missing_ok=True)
        self.connection = sqlite3.connect(self.target, isolation_level=None)
        if fresh:
            self.connection.execute("PRAGMA journal_mode = OFF")
            self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.executescript(_SCHEMA)
        self.connection.execute("BEGIN")

    @classmethod
    def previous(cls, folder: Path) -> BuildCache | None:
        if not (folder / NAME).exists():
            return None
        try:
            return cls(folder, fresh=False)
        except sqlite3.DatabaseError:
            return None

    def meta(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        self.connection.execute("DELETE FROM meta")
        self.connection.executemany("INSERT INTO meta VALUES (?, ?)", sorted(values.items()))

    def put(self, reference_id: str, record: bytes, entry: Entry, published: str) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, '')",
            (reference_id, record, entry_json(entry), published),
        )

    def remove(self, ids: list[str]) -> None:
        self.connection.executemany(
            "DELETE FROM records WHERE reference_id = ?", [(i,) for i in ids]
        )

    def entries(self) -> Iterator[tuple[Entry, str, str]]:
        """(entry, published hash, page digest) of every cable held."""
        for entry, published, page in self.connection.execute(
            "SELECT entry, published, page FROM records"
        ):
            yield entry_from(entry), published, page

    def records(self, ids: list[str] | None = None) -> Iterator[tuple[str, bytes]]:
        """(reference id, packed public record) of `ids` (default: every cable held)."""
        if ids is None:
            yield from self.connection.execute("SELECT reference_id, record FROM records")
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.connection.execute(
                f"SELECT reference_id, record FROM records WHERE reference_id IN ({marks})",
                chunk,
            )

    def set_pages(self, digests: dict[str, str]) -> None:
        self.connection.executemany(
            "UPDATE records SET page = ? WHERE reference_id = ?",
            [(d, i) for i, d in digests.items()],
        )

    def page_digests(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT path, digest FROM pages"))

    def set_page_digests(self, digests: dict[str, str]) -> None:
        self.connection.execute("DELETE FROM pages")
        self.connection.executemany("INSERT INTO pages VALUES (?, ?)", sorted(digests.items()))

    def files(self) -> set[str]:
        """The search index's files of the edition this cache describes (site-relative)."""
        return {str(row[0]) for row in self.connection.execute("SELECT path FROM files")}

    def change_files(self, gone: list[str], written: list[str]) -> None:
        self.connection.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
        self.connection.executemany(
            "INSERT OR IGNORE INTO files VALUES (?)", [(p,) for p in sorted(written)]
        )

    def commit_for_readers(self) -> None:
        """A fresh cache: commit what is written so far, so worker processes can read it
        (the file is not in place yet)."""
        if self.fresh:
            self.connection.execute("COMMIT")
            self.connection.execute("BEGIN")

    def commit(self) -> None:
        """Put the cache in place: the site it describes is in place."""
        self.connection.execute("COMMIT")
        self.connection.close()
        if self.fresh:
            os.replace(self.target, self.path)

    def abandon(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.execute("ROLLBACK")
        self.connection.close()
        if self.fresh:
            self.target.unlink(missing_ok=True)


def invalidate(folder: Path) -> None:
    """Forget the cache (a full build that failed after its site replaced the old one)."""
    (folder / NAME).unlink(missing_ok=True)
