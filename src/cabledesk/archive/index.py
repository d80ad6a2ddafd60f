"""The full-text index (tantivy): derived from SQLite, rebuilt from it at any time.

Consistency: SQLite commits first; the index then absorbs the changed cables and writes the
change sequence number it reached to `absorbed` beside its files. Opening an archive whose
index is behind (a crash between the two commits) catches it up before answering.

One writer at a time: tantivy lets one `IndexWriter` hold an index (a lock file, across
processes). Everything that changes what the index must hold takes that writer *before*
it changes SQLite and keeps it until the index has absorbed the change: an ingest for its
whole run (so it reads the redaction rules once, knowing none can change under it), a
redaction or an edition for its transaction and its re-indexing, a reindex. Whoever cannot
have the writer is told so (`IndexBusy`) before anything is stored.

Each document stores the change number (`seq`) of the cable it was built from and the
register version it was built with, so `verify` can check that the index holds exactly
the cables SQLite holds, each as SQLite last changed it.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Set
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import tantivy

from cabledesk.archive import register
from cabledesk.archive.entity_search import document_entities
from cabledesk.archive.errors import IndexBusy, IndexDamaged
from cabledesk.archive.fields import (
    ENTITY_FIELDS,
    NAME_KEYS,
    SUBJECT_FIELDS,
    TEXT_FIELDS,
    WITHHELD,
)
from cabledesk.archive.prepare import Prepared, index_document
from cabledesk.archive.store import last_seq, unpack
from cabledesk.redact.apply import Redactor

# 2: a `month` field (YYYYMM) for timelines. 3: text by visibility class, redactions
# burned in, `withheld` and `published`. 4: `seq` and `register` stored in each document
# (the invariant check). 5: `name_keys` (names the tokenizer splits: soft hyphens, a
# hyphen at a line break) and headings indexed only with their paragraph. 6: Classified By
# as the cable writes it, title before name (`Ambassador William J. Burns`): name then
# title made word sequences no cable holds, which no redaction rule could reach. A changed
# version rebuilds the index from SQLite. 7: the entities each cable mentions, by kind and
# reader's view (fields.ENTITY_FIELDS; docs/entities.md, "Searching by entity"). 8: the
# signers and the Classified By name as whole values (`signer_value`, `classified_name`),
# for their facets and the exact forms `signer:="..."`, `classified_by:="..."`. 9:
# `has:redactions` per reader's view (fields.blanks_value): one value for every reader told
# readers that text withheld from them held the source's blanks.
# Since 2026-12-08 the archive's index no longer writes `published` (the field stays in
# the schema, so no archive's index is rebuilt for it): the public searches the edition
# index (edition_index.py), whose documents all carry it, and recording an edition
# re-indexes nothing here. A document an older version marked is never read for it.
INDEX_VERSION = "9"
_HEAP = 64_000_000
_BULK_COMMIT = 20_000
_CATCH_UP_BATCH = 2000
# Cables a catch-up absorbs between two commits of the index (each commit writes a
# segment: committing every page made most of a whole-archive catch-up's commits).
_CATCH_UP_COMMIT = 20_000
_PAST_EVERY_ROW = 2**62
# The archive's index marks no document published (see INDEX_VERSION).
UNMARKED: frozenset[str] = frozenset()


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
        "signer_value",
        "classified_name",
        NAME_KEYS,
        *ENTITY_FIELDS,
    ):
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    for name in ("from", "to", "signer", "classified_by"):
        builder.add_text_field(name, stored=False)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    builder.add_integer_field("class_rank", stored=False, indexed=True, fast=True)
    builder.add_integer_field("month", stored=False, indexed=True, fast=True)
    builder.add_date_field("date", stored=False, indexed=True, fast=True)
    builder.add_integer_field("seq", stored=True, indexed=False)
    builder.add_integer_field("register", stored=True, indexed=False)
    return builder.build()


def document(
    cable: Prepared,
    published: Set[str],
    seq: int,
    register_version: int,
    entities: dict[str, list[str]] | None = None,
) -> str:
    """The JSON tantivy indexes for a prepared cable: its fields, the change number and
    register version it was built at, whether it is in `published` (the edition index
    marks its documents; the archive's index passes UNMARKED), and the
    entities it mentions (`entity_search.document_entities`; none for a cable never
    enriched, or enriched from an older text)."""
    return _document(cable.reference_id, cable.document, published, seq, register_version, entities)


def _document(
    reference_id: str,
    body: bytes,
    published: Set[str],
    seq: int,
    register_version: int,
    entities: dict[str, list[str]] | None,
) -> str:
    extra = f',"seq":{seq},"register":{register_version}'
    if reference_id in published:
        extra += ',"published":["yes"]'
    for name, ids in sorted((entities or {}).items()):
        listed = '"' + '","'.join(ids) + '"' if ids else ""
        extra += f',"{name}":[{listed}]'
    return (body[:-1] + extra.encode() + b"}").decode()


A = TypeVar("A")
R = TypeVar("R")

# A page of cables to re-index: the redaction rules in force and (seq, row id, stored
# record) of each; its documents: (seq, row id, reference id, the document's JSON without
# what Index.catch_up adds: change number, register version, edition, entities).
DocumentTask = tuple[Redactor, list[tuple[int, int, bytes]]]
Documents = list[tuple[int, int, str, bytes]]
# Maps documents_of over the tasks, handing the results back in order.
DocumentMapper = Callable[
    [Callable[[DocumentTask], Documents], Iterator[DocumentTask]], Iterator[Documents]
]


def documents_of(task: DocumentTask) -> Documents:
    """The index documents of a page of stored cables (a pure function: it may run in
    another process)."""
    redactor, rows = task
    out: Documents = []
    for seq, cable_id, record in rows:
        cable = unpack(record)
        out.append((seq, cable_id, cable.reference_id or "", index_document(cable, redactor)))
    return out


def _here(
    function: Callable[[DocumentTask], Documents], tasks: Iterator[DocumentTask]
) -> Iterator[Documents]:
    return map(function, tasks)


class OrderedPool:
    """Maps a function over tasks in a pool of forked processes, at most two tasks a
    worker out at a time, the results handed back in the tasks' order. The tasks are
    made in the calling thread (its SQLite connection) as the results are taken."""

    def __init__(self, pool: Any, workers: int) -> None:
        self.pool, self.workers = pool, workers

    def __call__(self, function: Callable[[A], R], tasks: Iterator[A]) -> Iterator[R]:
        out: deque[Any] = deque()
        for task in tasks:
            out.append(self.pool.apply_async(function, (task,)))
            if len(out) >= 2 * self.workers:
                yield out.popleft().get()
        while out:
            yield out.popleft().get()


@contextmanager
def process_mapper(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[OrderedPool]:
    """An OrderedPool of `workers` processes (a DocumentMapper, among others). Forked, as
    the site's page workers are: a worker only computes (pure Python: no index, no
    database, no thread of this process is used in it), it needs no import of its own,
    `initializer(*initargs)` reaches it without being pickled, and its CPU time is this
    process's children's."""
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer, initargs)
    try:
        yield OrderedPool(pool, workers)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _damaged(directory: Path, why: object) -> IndexDamaged:
    archive = directory.parent
    return IndexDamaged(
        f"{directory}: the full-text index is damaged ({why}); rebuild it from the "
        f"database with `cabledesk reindex --db {archive}`"
    )


# What was computed from one committed state of an index (`Index.snapshot`'s memo: the
# entity facets' counts over everything, the readers' spelling variants), shared by every
# handle of this process on the same index: the server's pool of handles computes each
# once per change, not once per handle. A state is named by its absorbed stamp, new at
# every commit; the latest two states of each index are kept (a handle still on the
# previous one keeps its own reference until it reloads).
_MEMOS: dict[str, dict[str, dict[object, object]]] = {}
_MEMOS_GUARD = threading.Lock()


def _shared_memo(directory: Path, stamp: str) -> dict[object, object]:
    with _MEMOS_GUARD:
        states = _MEMOS.setdefault(str(directory.resolve()), {})
        memo = states.get(stamp)
        if memo is None:
            memo = states[stamp] = {}
            while len(states) > 2:
                del states[next(iter(states))]
        return memo


class Index:
    def __init__(self, directory: Path, *, discard: bool = False) -> None:
        """Open the index in `directory`, made anew when it is missing, of another version,
        or `discard` (reindex: whatever is there, even damaged, is thrown away)."""
        self.directory = directory
        self.schema = build_schema()
        try:
            if discard:
                self._may_discard()
            if discard and directory.is_file():
                directory.unlink()
            fresh = (
                discard
                or not (directory / "meta.json").exists()
                or self._version() != INDEX_VERSION
            )
            if fresh and directory.exists():
                shutil.rmtree(directory)
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.index = tantivy.Index(self.schema, path=str(directory))
            # Searchers change only when this handle reloads (after `absorbed` moved, or
            # its own writer finished), never on tantivy's timer: what is remembered
            # about a searcher (`snapshot`'s memo) then holds for every searcher until
            # the next reload.
            self.index.config_reader("Manual", 0)
            if fresh:
                (directory / "version").write_text(INDEX_VERSION)
                self._write_absorbed(0)
            self._lock = threading.Lock()
            self._seen = self._absorbed_stamp()[1]
            self._memo = _shared_memo(directory, self._seen)
        except (ValueError, OSError) as exc:
            raise _damaged(directory, exc) from None

    def _may_discard(self) -> None:
        """IndexBusy when another process writes this index: it must not be thrown away
        under an ingest. A damaged index, which cannot even be opened, may be."""
        if not (self.directory / "meta.json").is_file():
            return
        try:
            probe = tantivy.Index.open(str(self.directory))
            probe.writer(heap_size=_HEAP, num_threads=1).wait_merging_threads()
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise IndexBusy(
                    f"{self.directory.parent}: another process is writing this archive's "
                    "full-text index (an ingest, a reindex, or an editor's change); "
                    "try again when it has finished"
                ) from None

    def _version(self) -> str:
        path = self.directory / "version"
        return path.read_text().strip() if path.exists() else ""

    @property
    def absorbed(self) -> int:
        return self._absorbed_stamp()[0]

    def _absorbed_stamp(self) -> tuple[int, str]:
        """The change number absorbed, and the stamp of the write that recorded it: a
        new stamp every time, so a reader notices every commit (another process's too)
        even when the number comes back to the same value (an edition rebuilt)."""
        path = self.directory / "absorbed"
        try:
            text = path.read_text() if path.exists() else "0"
            return int(text.split()[0]), text
        except (ValueError, IndexError, OSError) as exc:
            raise _damaged(self.directory, f"absorbed: {exc}") from None

    def _write_absorbed(self, seq: int) -> None:
        temporary = self.directory / "absorbed.tmp"
        temporary.write_text(f"{seq} {uuid.uuid4().hex}")
        temporary.replace(self.directory / "absorbed")

    def writer(self, wait: float = 0.0) -> tantivy.IndexWriter:
        """The index's one writer; IndexBusy when another holds it for `wait` seconds."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return self.index.writer(heap_size=_HEAP, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise _damaged(self.directory, exc) from None
            if time.monotonic() >= deadline:
                raise IndexBusy(
                    f"{self.directory.parent}: another process is writing this archive's "
                    "full-text index (an ingest, a reindex, or an editor's change); nothing "
                    "was changed: try again when it has finished"
                )
            time.sleep(0.1)

    @contextmanager
    def writing(self, wait: float = 0.0) -> Iterator[tantivy.IndexWriter]:
        """Hold the writer for a block; what it did not commit is rolled back, and the
        lock is released when the block ends, however it ends."""
        writer = self.writer(wait)
        try:
            yield writer
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # consumes the writer: the lock is released
            self._reload()

    def bulk(self, writer: tantivy.IndexWriter, register_version: int) -> BulkWriter:
        """Feeds a whole ingest through the held writer: tantivy indexes in its own threads
        while Python writes SQLite, and fewer commits make fewer segments to merge."""
        return BulkWriter(self, writer, register_version, _BULK_COMMIT)

    def catch_up(
        self,
        connection: sqlite3.Connection,
        writer: tantivy.IndexWriter,
        batch: int = _CATCH_UP_BATCH,
        mapper: DocumentMapper | None = None,
    ) -> int:
        """Absorb every cable SQLite changed after the index's mark, with the redaction
        rules in force and the latest edition; returns how many.

        One change number can cover any number of cables (a redaction re-indexes every
        cable naming someone), so the cables are paged by (change number, row id), never
        by change number alone, and the mark only moves past a change number once all of
        its cables are in: a crash half-way through one re-absorbs it whole.

        `mapper` makes the pages' documents elsewhere (the enrichment job's worker
        processes, which re-index the whole archive: `documents_of` is most of the work),
        handing them back in order; by default, here.
        """
        mark = self.absorbed
        # Whoever changes SQLite holds the writer this caller holds: nothing past `latest`
        # can appear while this runs.
        latest = last_seq(connection)
        if mark > latest:
            # The index has seen changes SQLite does not hold (a database restored from a
            # copy beside a newer index): nothing in it can be trusted to match.
            writer.delete_all_documents()
            writer.commit()
            mark = 0
        done = 0
        # Read the rules only when there is something to absorb: this runs on every open
        # of an archive.
        redactor: Redactor | None = None
        version = 0
        after = (mark, _PAST_EVERY_ROW)  # every cable of change numbers after the mark

        def tasks() -> Iterator[DocumentTask]:
            nonlocal redactor, version
            start = after
            while True:
                rows = connection.execute(
                    "SELECT seq, id, record FROM cables WHERE (seq, id) > (?, ?) "
                    "ORDER BY seq, id LIMIT ?",
                    (*start, batch),
                ).fetchall()
                if not rows:
                    return
                if redactor is None:
                    redactor = Redactor(register.rules(connection))
                    version = register.version(connection)
                yield redactor, rows
                start = (rows[-1][0], rows[-1][1])

        uncommitted = 0
        for documents in (mapper or _here)(documents_of, tasks()):
            mentioned = document_entities(connection, [row[1] for row in documents])
            for seq, cable_id, reference_id, body in documents:
                writer.delete_documents_by_term("id", reference_id)
                writer.add_json(
                    _document(reference_id, body, UNMARKED, seq, version, mentioned.get(cable_id))
                )
            done += len(documents)
            uncommitted += len(documents)
            after = (documents[-1][0], documents[-1][1])
            if uncommitted >= _CATCH_UP_COMMIT:
                writer.commit()
                uncommitted = 0
                # Every change number below the last row's is complete; the last may go on.
                mark = max(mark, after[0] - 1)
                self._write_absorbed(mark)
        if uncommitted:
            writer.commit()
        # Change numbers that touched no cable (an edition that changed nothing) are
        # absorbed too: nothing is left below `latest`.
        if max(latest, after[0]) != self.absorbed:
            self._write_absorbed(max(latest, after[0]))
        return done

    def rebuild(self, connection: sqlite3.Connection, writer: tantivy.IndexWriter) -> int:
        writer.delete_all_documents()
        writer.commit()
        self._write_absorbed(0)
        return self.catch_up(connection, writer)

    def searcher(self) -> tantivy.Searcher:
        """A searcher that has seen every commit recorded so far. Another handle (or
        process) may have committed, say, a new redaction: tantivy would notice only after
        a delay, and until then a search could still match the withheld words."""
        return self.snapshot()[0]

    def snapshot(self) -> tuple[tantivy.Searcher, dict[object, object]]:
        """`searcher()` and a memo that lives exactly as long as what it searches: what
        a caller computes from this searcher and keeps in the memo (the entity facets'
        counts over every cable, query/search.py) is dropped at the next reload."""
        stamp = self._absorbed_stamp()[1]
        with self._lock:
            if stamp != self._seen:
                self._reload_locked(stamp)
            return self.index.searcher(), self._memo

    def _reload(self) -> None:
        stamp = self._absorbed_stamp()[1]
        with self._lock:
            self._reload_locked(stamp)

    def _reload_locked(self, stamp: str) -> None:
        self.index.reload()
        self._seen = stamp
        self._memo = _shared_memo(self.directory, stamp)

    def verify(self, connection: sqlite3.Connection) -> list[str]:
        """What is wrong between the index and SQLite, one line each (nothing: they agree).

        The index must hold one document for each cable SQLite holds and no other, each
        built from the cable's current change (its `seq`) with a register version that
        exists. (Whether a cable is published is the edition index's: EditionIndex.verify.)"""
        self._reload()
        searcher = self.index.searcher()
        problems: list[str] = []
        absorbed, latest = self.absorbed, last_seq(connection)
        if absorbed != latest:
            problems.append(f"the index absorbed changes up to {absorbed}; SQLite is at {latest}")
        found: dict[str, list[tuple[int, int]]] = {}
        hits = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs)).hits
        for _, address in hits:
            stored = searcher.doc(address)
            seq = stored.get_first("seq")
            version = stored.get_first("register")
            found.setdefault(str(stored.get_first("id")), []).append(
                (int(seq) if seq is not None else -1, int(version) if version is not None else -1)
            )
        held = dict(connection.execute("SELECT reference_id, seq FROM cables").fetchall())
        current_version = register.version(connection)
        problems += _listed("cables SQLite holds that the index lacks", sorted(held.keys() - found))
        problems += _listed("documents of cables SQLite does not hold", sorted(found.keys() - held))
        problems += _listed(
            "cables with more than one document", sorted(i for i, d in found.items() if len(d) > 1)
        )
        problems += _listed(
            "cables indexed from an older change than SQLite's",
            sorted(i for i, d in found.items() if i in held and d[0][0] != held[i]),
        )
        problems += _listed(
            "cables indexed with a register version that does not exist",
            sorted(i for i, d in found.items() if not 0 <= d[0][1] <= current_version),
        )
        return problems


def _listed(what: str, ids: list[str]) -> list[str]:
    if not ids:
        return []
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    return [f"{len(ids)} {what}: {shown}"]


class BulkWriter:
    """Absorbs batches SQLite has committed; commits every `commit_every` cables and only
    then records the sequence number reached, so a crash loses nothing: opening the
    archive catches up from the last recorded number."""

    def __init__(
        self,
        index: Index,
        writer: tantivy.IndexWriter,
        register_version: int,
        commit_every: int,
    ) -> None:
        self.index = index
        self.writer = writer
        self.register_version = register_version
        self.commit_every = commit_every
        self.uncommitted = 0
        self.seq: int | None = None
        # Whether the index had no document when this writer opened (see add()).
        self.started_empty = False

    def __enter__(self) -> BulkWriter:
        self.started_empty = self.index.searcher().num_docs == 0
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
        for cable, new in cables:
            if not (new and self.started_empty):
                self.writer.delete_documents_by_term("id", cable.reference_id)
            self.writer.add_json(document(cable, UNMARKED, seq, self.register_version))
            self.uncommitted += 1
        self.seq = seq
        if self.uncommitted >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        if self.seq is None:
            return
        self.writer.commit()
        self.index._write_absorbed(self.seq)
        self.uncommitted = 0
        self.seq = None

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None or kind is KeyboardInterrupt:
            # Everything given to add() is in SQLite already: keep it in the index too.
            self.commit()
