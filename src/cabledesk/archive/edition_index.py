"""The published edition's own full-text index: what the public searches.

The archive's index holds every cable. Searching it for the public, even restricted to the
published cables, would leak what is not published: BM25 weighs a word by how many
documents of the whole index hold it, so a visitor's scores and ranking would move as
unpublished cables are ingested; and a published cable ingested again with a new text would
be found by its new, unapproved words. This index holds only the cables of the latest
edition, each as the version the edition published (by text hash), with the redactions in
force burned in: every score, count and order the public gets is computed from the edition
alone.

It follows SQLite the way the archive's index does: it remembers the edition it was built
for and the change number it absorbed (`edition`, `absorbed` beside its files); a new
edition is followed, not rebuilt: the documents of the cables it no longer holds are
deleted, and those it added or holds at another version are indexed (found by comparing
the two editions' versions: recording an edition touches no cable, so the archive's index
does no work for it); a change to published cables afterwards (a redaction touching them)
is absorbed by the same paging by (change number, row id) as the archive's index. An
index built for no edition, or for one no longer recorded (or a database older than the
index) is built again from the whole edition, its documents made like an entering
cable's (in worker processes when the caller has them). The `edition` file is written
only once every entering cable is in, and the work under way is written down before it
starts (`following`: "follow N" or "rebuild N"): a follow cut short is followed again
while N is still the latest edition, and anything else cut short (a rebuild, or a follow
overtaken by a newer edition: its deletions and some of its entering cables committed,
which no comparison of two editions can undo) is built again from nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import tantivy

from cabledesk.archive import editions, register
from cabledesk.archive.entity_search import document_entities
from cabledesk.archive.index import (
    _CATCH_UP_BATCH,
    _CATCH_UP_COMMIT,
    _PAST_EVERY_ROW,
    UNMARKED,
    DocumentMapper,
    DocumentTask,
    Index,
    _document,
    _here,
    _listed,
    document,
    documents_of,
)
from cabledesk.archive.prepare import index_document, prepare
from cabledesk.archive.store import last_seq
from cabledesk.redact.apply import Redactor

FOLDER = "edition-index"
# Beside the index's files: the follow or rebuild under way (see the module's docstring).
_UNDER_WAY = "following"


class EditionIndex(Index):
    """An `Index` over the latest edition's published versions only."""

    def __init__(self, directory: Path, *, discard: bool = False) -> None:
        super().__init__(directory, discard=discard)

    @property
    def edition(self) -> int:
        path = self.directory / "edition"
        try:
            return int(path.read_text()) if path.exists() else 0
        except (ValueError, OSError):
            return -1  # unreadable: rebuilt at the next catch-up

    def edition_behind(self, connection: sqlite3.Connection) -> bool:
        """Built for another edition than the latest (a rebuild is due)."""
        return self.edition != editions.latest(connection)

    def behind(self, connection: sqlite3.Connection) -> bool:
        return self.edition_behind(connection) or self.absorbed < last_seq(connection)

    def catch_up(
        self,
        connection: sqlite3.Connection,
        writer: tantivy.IndexWriter,
        batch: int = _CATCH_UP_BATCH,
        mapper: DocumentMapper | None = None,
    ) -> int:
        """Follow the latest edition (or build this index for it), then absorb the
        published cables SQLite changed after this index's mark; returns how many
        documents were made. `mapper`: where the documents of the cables entering the
        edition are made (worker processes); by default, here."""
        mark, edition, latest, entering = self._start(connection, writer)
        done = 0
        if entering is not None:
            done += self._enter(connection, writer, edition, entering, mapper, mark < 0)
            if mark < 0:  # built from nothing: every change so far is in
                mark = latest
        return done + self._absorb(connection, writer, mark, edition, latest, batch)

    def _start(
        self, connection: sqlite3.Connection, writer: tantivy.IndexWriter
    ) -> tuple[int, int, int, list[str] | None]:
        """Where this index stands against SQLite: (the change number from which
        published cables are absorbed, the latest edition, SQLite's latest change number,
        the cables to index for the latest edition first: None when this index is built
        for it). Following a new edition, what left it is deleted here; building from
        nothing, everything is, and the mark is -1 (`_enter` then absorbs up to SQLite's
        latest change)."""
        latest = last_seq(connection)
        edition = editions.latest(connection)
        mark = self.absorbed
        built = self.edition
        under_way = self._under_way()
        if under_way is not None and under_way[1] == built:
            self._set_under_way(None)  # cut short after it was done
            under_way = None
        if under_way is None and built == edition and mark <= latest:
            return mark, edition, latest, None
        if mark <= latest and 0 < built < edition and under_way in (None, ("follow", edition)):
            self._set_under_way(("follow", edition))
            entering = self._follow(connection, writer, built)
            if entering is not None:
                return mark, edition, latest, entering
        self._set_under_way(("rebuild", edition))
        writer.delete_all_documents()
        writer.commit()
        self._write_absorbed(0)
        return -1, edition, latest, sorted(editions.published_versions(connection))

    def entering(self, connection: sqlite3.Connection) -> int:
        """How many cables the next catch-up indexes for the latest edition before
        anything else (the whole edition when this index must be built again): a caller
        with worker processes uses them from PROCESS_FROM on."""
        edition, built = editions.latest(connection), self.edition
        under_way = self._under_way()
        if under_way is None and built == edition and self.absorbed <= last_seq(connection):
            return 0
        now = editions.published_versions(connection)
        follows = under_way in (None, ("follow", edition)) and 0 < built < edition
        before = editions.edition(connection, built) if follows else None
        if before is None:
            return len(now)
        return sum(1 for i, h in now.items() if before[1].get(i) != h)

    def _enter(
        self,
        connection: sqlite3.Connection,
        writer: tantivy.IndexWriter,
        edition: int,
        ids: list[str],
        mapper: DocumentMapper | None,
        from_nothing: bool,
    ) -> int:
        """Index the version edition `edition` holds of each of `ids`, replacing any
        document of theirs; then record that this index is built for the edition (and,
        `from_nothing`, that it absorbed every change so far: the documents were made
        from the archive as it is now)."""
        redactor = Redactor(register.rules(connection))
        published = set(editions.published_versions(connection))
        version = register.version(connection)
        latest = last_seq(connection)
        made: set[str] = set()

        def tasks() -> Iterator[DocumentTask]:
            for start in range(0, len(ids), _CATCH_UP_BATCH):
                page = ids[start : start + _CATCH_UP_BATCH]
                rows = editions.packed_rows_of_edition(connection, edition, page)
                if rows:
                    yield redactor, rows

        done = uncommitted = 0
        for documents in (mapper or _here)(documents_of, tasks()):
            mentioned = document_entities(
                connection, [row[1] for row in documents], edition=edition
            )
            for seq, cable_id, reference_id, body in documents:
                writer.delete_documents_by_term("id", reference_id)
                writer.add_json(
                    _document(reference_id, body, published, seq, version, mentioned.get(cable_id))
                )
                made.add(reference_id)
            done += len(documents)
            uncommitted += len(documents)
            if uncommitted >= _CATCH_UP_COMMIT:
                writer.commit()
                uncommitted = 0
        # A cable whose version the archive lost is not shown at all (nor its older one).
        for reference_id in sorted(set(ids) - made):
            writer.delete_documents_by_term("id", reference_id)
        writer.commit()
        if from_nothing:
            self._write_absorbed(latest)
        (self.directory / "edition").write_text(str(edition))
        self._set_under_way(None)
        return done

    def _under_way(self) -> tuple[str, int] | None:
        """The follow or rebuild a catch-up began and did not finish (unreadable: a
        rebuild of an edition that is never the latest)."""
        path = self.directory / _UNDER_WAY
        try:
            kind, number = path.read_text().split()
            return (kind, int(number)) if kind in ("follow", "rebuild") else ("rebuild", -1)
        except FileNotFoundError:
            return None
        except (ValueError, OSError):
            return ("rebuild", -1)

    def _set_under_way(self, work: tuple[str, int] | None) -> None:
        path = self.directory / _UNDER_WAY
        if work is None:
            path.unlink(missing_ok=True)
            return
        part = path.with_name(path.name + ".part")
        part.write_text(f"{work[0]} {work[1]}")
        os.replace(part, path)

    def _absorb(
        self,
        connection: sqlite3.Connection,
        writer: tantivy.IndexWriter,
        mark: int,
        edition: int,
        latest: int,
        batch: int,
    ) -> int:
        done = 0
        redactor: Redactor | None = None
        published: set[str] = set()
        version = 0
        after = (mark, _PAST_EVERY_ROW)
        while edition:
            # Driven by the cables' (seq, id) index, each page starting where the last
            # ended: a plain JOIN let SQLite read and sort the whole edition for every
            # page, which made recording an edition quadratic in its size.
            rows = connection.execute(
                "SELECT c.seq, c.id, c.reference_id FROM cables c CROSS JOIN edition_cables e "
                "ON e.reference_id = c.reference_id AND e.edition_id = ? "
                "WHERE (c.seq, c.id) > (?, ?) ORDER BY c.seq, c.id LIMIT ?",
                (edition, *after, batch),
            ).fetchall()
            if not rows:
                break
            if redactor is None:
                redactor = Redactor(register.rules(connection))
                published = editions.published_ids(connection)
                version = register.version(connection)
            # Entities only of a cable whose current text is the version published: the
            # mentions were read from the current text (entity_search.document_entities).
            mentioned = document_entities(connection, [row[1] for row in rows], edition=edition)
            records = editions.published_records_of(connection, [row[2] for row in rows])
            for seq, cable_id, reference_id in rows:
                writer.delete_documents_by_term("id", reference_id)
                record = records.get(reference_id)
                if record is not None:  # a version the archive lost is not shown at all
                    cable = prepare(record, redactor)
                    entities = mentioned.get(cable_id)
                    writer.add_json(document(cable, published, seq, version, entities))
            writer.commit()
            done += len(rows)
            after = (rows[-1][0], rows[-1][1])
            mark = max(mark, after[0] - 1)
            self._write_absorbed(mark)
        if max(latest, after[0] if done else 0) != self.absorbed:
            self._write_absorbed(max(latest, after[0] if done else 0))
        return done

    def _follow(
        self, connection: sqlite3.Connection, writer: tantivy.IndexWriter, built: int
    ) -> list[str] | None:
        """Move this index from edition `built` towards the latest without rebuilding it:
        delete the documents of the cables the latest edition no longer holds; returns
        the cables it added or holds at another version (to index: `_enter`). None when
        edition `built` is not recorded (a rebuild is due)."""
        before = editions.edition(connection, built)
        if before is None:
            return None
        after = editions.published_versions(connection)
        for reference_id in sorted(before[1].keys() - after.keys()):
            writer.delete_documents_by_term("id", reference_id)
        writer.commit()
        return sorted(i for i, h in after.items() if before[1].get(i) != h)

    def verify(self, connection: sqlite3.Connection) -> list[str]:
        """What is wrong between this index and the latest edition (nothing: they agree)."""
        self._reload()
        searcher = self.index.searcher()
        problems: list[str] = []
        edition = editions.latest(connection)
        if self.edition != edition:
            problems.append(
                f"the edition index was built for edition {self.edition}, not {edition}"
            )
        found: dict[str, int] = {}
        for _, address in searcher.search(
            tantivy.Query.all_query(), limit=max(1, searcher.num_docs)
        ).hits:
            reference_id = str(searcher.doc(address).get_first("id"))
            found[reference_id] = found.get(reference_id, 0) + 1
        held = set(editions.published_versions(connection))
        lost = {i for i in held if editions.published_record(connection, i) is None}
        missing, extra = sorted(held - lost - found.keys()), sorted(found.keys() - held)
        twice = sorted(i for i, n in found.items() if n > 1)
        for what, ids in (
            ("published cables the edition index lacks", missing),
            ("documents in the edition index of cables not published", extra),
            ("published cables with more than one document", twice),
        ):
            if ids:
                problems += _listed(what, ids)
        return problems


def catch_up_both(
    index: Index,
    edition_index: EditionIndex,
    connection: sqlite3.Connection,
    writer: tantivy.IndexWriter,
    edition_writer: tantivy.IndexWriter,
    mapper: DocumentMapper | None = None,
) -> int:
    """`index.catch_up` then `edition_index.catch_up`, each document made once: a cable
    whose current text is the version the edition published has the same document in
    both indexes (the same record, rules, change number, edition and entities), so the
    archive's pass hands it to the edition index too; only a cable published at an
    older version than its current text is prepared again, from that version. The two
    indexes end as the two catch-ups leave them (tests/test_edition_record.py).

    Done apart (the two catch-ups) when the archive's index must start again from
    nothing, or when the edition index must absorb a published cable the archive's
    index already holds (a change number at or below the archive index's mark). A new
    edition is followed first (the cables entering it indexed in the edition index
    alone, their documents made by `mapper` too). Returns how many cables the archive's
    index absorbed."""
    mark = index.absorbed
    latest = last_seq(connection)
    if mark > latest:
        done = index.catch_up(connection, writer, mapper=mapper)
        edition_index.catch_up(connection, edition_writer, mapper=mapper)
        return done
    edition_mark, edition, _, entering = edition_index._start(connection, edition_writer)
    if entering is not None:
        from_nothing = edition_mark < 0
        edition_index._enter(connection, edition_writer, edition, entering, mapper, from_nothing)
        if from_nothing:
            edition_mark = latest
    if (
        edition
        and edition_mark < mark
        and _published_between(connection, edition, edition_mark, mark)
    ):
        done = index.catch_up(connection, writer, mapper=mapper)
        edition_index._absorb(
            connection, edition_writer, edition_mark, edition, latest, _CATCH_UP_BATCH
        )
        return done
    versions = editions.published_versions(connection) if edition else {}
    redactor: Redactor | None = None
    published: set[str] = set()
    version = 0
    # The current text hash of each cable of the pages read and not yet absorbed.
    hashes: dict[int, str] = {}
    after = (mark, _PAST_EVERY_ROW)

    def tasks() -> Iterator[DocumentTask]:
        nonlocal redactor, published, version
        start = after
        while True:
            rows = connection.execute(
                "SELECT seq, id, record, text_hash FROM cables WHERE (seq, id) > (?, ?) "
                "ORDER BY seq, id LIMIT ?",
                (*start, _CATCH_UP_BATCH),
            ).fetchall()
            if not rows:
                return
            if redactor is None:
                redactor = Redactor(register.rules(connection))
                published = editions.published_ids(connection)
                version = register.version(connection)
            hashes.update((cable_id, text_hash) for _, cable_id, _, text_hash in rows)
            yield redactor, [(seq, cable_id, record) for seq, cable_id, record, _ in rows]
            start = (rows[-1][0], rows[-1][1])

    done = uncommitted = 0
    for documents in (mapper or _here)(documents_of, tasks()):
        mentioned = document_entities(connection, [row[1] for row in documents])
        # The cables of the page published at an older version than their current text:
        # that version's record, read before the page is absorbed (in order, as the
        # edition index's own catch-up adds them).
        older = [
            reference_id
            for seq, cable_id, reference_id, _ in documents
            if seq > edition_mark and versions.get(reference_id) not in (None, hashes[cable_id])
        ]
        records = editions.published_records_of(connection, older) if older else {}
        for seq, cable_id, reference_id, body in documents:
            entities = mentioned.get(cable_id)
            writer.delete_documents_by_term("id", reference_id)
            writer.add_json(_document(reference_id, body, UNMARKED, seq, version, entities))
            held = versions.get(reference_id)
            if held is None or seq <= edition_mark:
                continue
            edition_writer.delete_documents_by_term("id", reference_id)
            if held == hashes[cable_id]:
                # document_entities(edition=...) gives a cable published at its current
                # text the entities it gives it without: the same document, marked.
                edition_writer.add_json(
                    _document(reference_id, body, published, seq, version, entities)
                )
            elif (record := records.get(reference_id)) is not None:
                # (A version the archive lost is not shown at all.) No entities: they
                # were read from the current text, not this one.
                assert redactor is not None
                body = index_document(record, redactor)
                edition_writer.add_json(
                    _document(reference_id, body, published, seq, version, None)
                )
        for row in documents:
            hashes.pop(row[1], None)
        done += len(documents)
        uncommitted += len(documents)
        after = (documents[-1][0], documents[-1][1])
        if uncommitted >= _CATCH_UP_COMMIT:
            writer.commit()
            edition_writer.commit()
            uncommitted = 0
            # Every change number below the last row's is complete in both indexes.
            mark = max(mark, after[0] - 1)
            index._write_absorbed(mark)
            edition_index._write_absorbed(max(edition_mark, mark))
    if uncommitted:
        writer.commit()
        edition_writer.commit()
    # As the two catch-ups end: every change number up to SQLite's latest is absorbed
    # (those that touched no cable, or no published one, too).
    end = max(latest, after[0])
    for each in (index, edition_index):
        if end != each.absorbed:
            each._write_absorbed(end)
    return done


def _published_between(connection: sqlite3.Connection, edition: int, low: int, high: int) -> bool:
    """Whether a cable of `edition` has a change number in (low, high]."""
    row = connection.execute(
        "SELECT 1 FROM cables c CROSS JOIN edition_cables e "
        "ON e.reference_id = c.reference_id AND e.edition_id = ? "
        "WHERE c.seq > ? AND c.seq <= ? LIMIT 1",
        (edition, low, high),
    ).fetchone()
    return row is not None
