"""The full-text index (tantivy): derived from SQLite, rebuilt from it at any time.

Consistency: SQLite commits first; the index then absorbs the changed cables and writes the
change sequence number it reached to `absorbed` beside its files. Opening an archive whose
index is behind (a crash between the two commits) catches it up before answering.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import tantivy

from cabledesk.archive.store import CLASS_RANK, unpack
from cabledesk.record.model import Cable

INDEX_VERSION = "1"
_HEAP = 256_000_000


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("subject", stored=False)
    builder.add_text_field("body", stored=False)
    for name in ("origin", "tag", "classification", "caveat", "addressee", "cites", "has"):
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in ("from", "to", "signer", "classified_by"):
        builder.add_text_field(name, stored=False)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    builder.add_integer_field("class_rank", stored=False, indexed=True, fast=True)
    builder.add_date_field("date", stored=False, indexed=True, fast=True)
    return builder.build()


def document(cable: Cable) -> tantivy.Document:
    """The searchable view of a cable (nothing but the id is stored: SQLite has the rest)."""
    doc = tantivy.Document()
    doc.add_text("id", cable.reference_id or "")
    doc.add_text("subject", cable.subject or "")
    doc.add_text("body", cable.text)
    if cable.origin:
        doc.add_text("origin", cable.origin)
    for tag in cable.tags:
        doc.add_text("tag", tag)
    if cable.classification:
        doc.add_text("classification", cable.classification)
        doc.add_integer("class_rank", CLASS_RANK[cable.classification])
    for caveat in cable.caveats:
        doc.add_text("caveat", caveat)
    if cable.header.from_:
        doc.add_text("from", cable.header.from_)
    for addressee in [*cable.header.to, *cable.header.info]:
        doc.add_text("to", addressee.name)
        doc.add_text("addressee", addressee.name)
    for signer in cable.signers:
        doc.add_text("signer", signer)
    if cable.classified_by and (cable.classified_by.name or cable.classified_by.title):
        doc.add_text(
            "classified_by",
            " ".join(filter(None, [cable.classified_by.name, cable.classified_by.title])),
        )
    for reference in cable.references:
        if reference.cable_id:
            doc.add_text("cites", reference.cable_id)
    if cable.references:
        doc.add_text("has", "references")
    if cable.redactions.count:
        doc.add_text("has", "redactions")
    stamp = cable.header.sent or cable.created
    if stamp:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        doc.add_integer("year", moment.year)
        doc.add_date("date", moment.replace(tzinfo=None))
    return doc


class Index:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.schema = build_schema()
        fresh = not (directory / "meta.json").exists() or self._version() != INDEX_VERSION
        if fresh and directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(directory))
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

    def absorb(self, cables: Iterable[Cable], seq: int) -> None:
        """Replace these cables' documents and record that the index reached `seq`."""
        writer = self.index.writer(heap_size=_HEAP, num_threads=1)
        for cable in cables:
            writer.delete_documents_by_term("id", cable.reference_id or "")
            writer.add_document(document(cable))
        writer.commit()
        writer.wait_merging_threads()
        self._write_absorbed(seq)
        self.index.reload()

    def catch_up(self, connection: sqlite3.Connection, batch: int = 2000) -> int:
        """Absorb every cable SQLite changed after the index's mark; returns how many."""
        done = 0
        while True:
            rows = connection.execute(
                "SELECT seq, record FROM cables WHERE seq > ? ORDER BY seq LIMIT ?",
                (self.absorbed, batch),
            ).fetchall()
            if not rows:
                return done
            self.absorb((unpack(record) for _, record in rows), rows[-1][0])
            done += len(rows)

    def rebuild(self, connection: sqlite3.Connection) -> int:
        writer = self.index.writer(heap_size=_HEAP, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self._write_absorbed(0)
        return self.catch_up(connection)

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()
