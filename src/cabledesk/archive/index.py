"""The full-text index (tantivy): derived from SQLite, rebuilt from it at any time.

Consistency: SQLite commits first; the index then absorbs the changed cables and writes the
change sequence number it reached to `absorbed` beside its files. Opening an archive whose
index is behind (a crash between the two commits) catches it up before answering.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import tantivy

from cabledesk.archive import register
from cabledesk.archive.fields import SUBJECT_FIELDS, TEXT_FIELDS, WITHHELD
from cabledesk.archive.prepare import Prepared, prepare
from cabledesk.archive.store import unpack
from cabledesk.redact.apply import Redactor

# 2: a `month` field (YYYYMM) for timelines. 3: text by visibility class, redactions
# burned in, `withheld` and `published`. A changed version rebuilds the index from SQLite.
INDEX_VERSION = "3"
_HEAP = 64_000_000
_BULK_COMMIT = 20_000


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in (*TEXT_FIELDS, *SUBJECT_FIELDS, WITHHELD):
        builder.add_text_field(name, stored=False)
    for name in (
        "origin",
        "tag",
        "classification",
        "caveat",
        "addressee",
        "cites",
        "has",
        "published",
    ):
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in ("from", "to", "signer", "classified_by"):
        builder.add_text_field(name, stored=False)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    builder.add_integer_field("class_rank", stored=False, indexed=True, fast=True)
    builder.add_integer_field("month", stored=False, indexed=True, fast=True)
    builder.add_date_field("date", stored=False, indexed=True, fast=True)
    return builder.build()


def document(cable: Prepared, published: set[str]) -> str:
    """The JSON tantivy indexes for a prepared cable (nothing but the id is stored)."""
    if cable.reference_id in published:
        return (cable.document[:-1] + b',"published":["yes"]}').decode()
    return cable.document.decode()


class Index:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.schema = build_schema()
        fresh = not (directory / "meta.json").exists() or self._version() != INDEX_VERSION
        if fresh and directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(directory))
        self._seen = self.absorbed
        if fresh:
            (directory / "version").write_text(INDEX_VERSION)
            self._write_absorbed(0)

    def _version(self) -> str:
        path = self.directory / "version"
        return path.read_text().strip() if path.exists() else ""

    @property
    def absorbed(self) -> int:
        path = self.directory / "absorbed"
        return int(path.read_text()) if path.exists() else 0

    def _write_absorbed(self, seq: int) -> None:
        temporary = self.directory / "absorbed.tmp"
        temporary.write_text(str(seq))
        temporary.replace(self.directory / "absorbed")

    def absorb(self, cables: Iterable[Prepared], seq: int, published: set[str]) -> None:
        """Replace these cables' documents and record that the index reached `seq`."""
        writer = self.index.writer(heap_size=_HEAP, num_threads=1)
        for cable in cables:
            writer.delete_documents_by_term("id", cable.reference_id)
            writer.add_json(document(cable, published))
        writer.commit()
        writer.wait_merging_threads()
        self._write_absorbed(seq)
        self.index.reload()

    def bulk(self, published: set[str], commit_every: int = _BULK_COMMIT) -> BulkWriter:
        """One writer for a whole ingest: tantivy indexes in its own threads while Python
        writes SQLite, and fewer commits make fewer segments to merge."""
        return BulkWriter(self, published, commit_every)

    def catch_up(self, connection: sqlite3.Connection, batch: int = 2000) -> int:
        """Absorb every cable SQLite changed after the index's mark, with the redaction
        rules in force and the latest edition; returns how many."""
        done = 0
        # Read the rules and the edition only when there is something to absorb: this
        # runs on every open of an archive.
        redactor: Redactor | None = None
        published: set[str] = set()
        while True:
            rows = connection.execute(
                "SELECT seq, record FROM cables WHERE seq > ? ORDER BY seq LIMIT ?",
                (self.absorbed, batch),
            ).fetchall()
            if not rows:
                return done
            if redactor is None:
                redactor = Redactor(register.rules(connection))
                published = register.published_ids(connection)
            self.absorb(
                (prepare(unpack(record), redactor) for _, record in rows), rows[-1][0], published
            )
            done += len(rows)

    def rebuild(self, connection: sqlite3.Connection) -> int:
        writer = self.index.writer(heap_size=_HEAP, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self._write_absorbed(0)
        return self.catch_up(connection)

    def searcher(self) -> tantivy.Searcher:
        """A searcher that has seen every commit recorded so far. Another handle (or
        process) may have committed, say, a new redaction: tantivy would notice only after
        a delay, and until then a search could still match the withheld words."""
        absorbed = self.absorbed
        if absorbed != self._seen:
            self.index.reload()
            self._seen = absorbed
        return self.index.searcher()


class BulkWriter:
    """Absorbs batches SQLite has committed; commits every `commit_every` cables and only
    then records the sequence number reached, so a crash loses nothing: opening the
    archive catches up from the last recorded number."""

    def __init__(self, index: Index, published: set[str], commit_every: int) -> None:
        self.index = index
        self.published = published
        self.commit_every = commit_every
        self.writer: tantivy.IndexWriter | None = None
        self.uncommitted = 0
        self.seq: int | None = None
        # Whether the index had no document when this writer opened (see add()).
        self.started_empty = False

    def __enter__(self) -> BulkWriter:
        self.started_empty = self.index.searcher().num_docs == 0
        self.writer = self.index.index.writer(heap_size=_HEAP, num_threads=1)
        return self

    def add(self, cables: Iterable[tuple[Prepared, bool]], seq: int) -> None:
        """Index these (cable, new) pairs, `new` when the cable was not in SQLite before
        this batch (a cable repeated within a batch is new once, then not).

        Each document replaces its id's: a delete, which is a term every segment looks up
        at the next commit, a quarter million of them in a first ingest. Into an index that
        was empty when this writer opened, a new cable cannot have a document yet, and it
        is added without one. Into any other index it is deleted first all the same: the
        index may hold cables SQLite lost (a power cut after the index's commit, or a
        database replaced beside its index), and a bare add would make a second document.
        """
        assert self.writer is not None
        for cable, new in cables:
            if not (new and self.started_empty):
                self.writer.delete_documents_by_term("id", cable.reference_id)
            self.writer.add_json(document(cable, self.published))
            self.uncommitted += 1
        self.seq = seq
        if self.uncommitted >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        assert self.writer is not None
        if self.seq is None:
            return
        self.writer.commit()
        self.index._write_absorbed(self.seq)
        self.uncommitted = 0
        self.seq = None

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        assert self.writer is not None
        if kind is None or kind is KeyboardInterrupt:
            # Everything given to add() is in SQLite already: keep it in the index too.
            self.commit()
        self.writer.wait_merging_threads()
        self.writer = None
        self.index.index.reload()
