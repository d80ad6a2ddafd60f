"""Ingest: readers feed parser processes; one writer commits batches to SQLite, then the index.

Memory stays flat: at most `_IN_FLIGHT` cables are between the reader and the writer.
Progress: the paths are measured first (a walk and a stat a file, sources.measure_paths),
and each cable, as it comes back from a parser process, advances the work its reading
completed (sources.read_paths_measured): a file, or the bytes of a CSV it was read from.
Every batch is one SQLite transaction, so a killed ingest leaves every committed batch
intact and nothing half-written; running it again skips what is already there (same text)
and completes the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from cabledesk.archive import register
from cabledesk.archive.index import BulkWriter
from cabledesk.archive.prepare import Prepared, prepare
from cabledesk.archive.progress import Reporter, Silent
from cabledesk.archive.report import IngestReport
from cabledesk.archive.store import next_seq, write_batch
from cabledesk.archive.validate import reference_id_problem
from cabledesk.parse import Parser, parse_source
from cabledesk.redact.apply import Redactor
from cabledesk.redact.model import Rule
from cabledesk.sources import (
    Skipped,
    SourceError,
    SourceItem,
    SourceText,
    measure_paths,
    read_paths_measured,
)

if TYPE_CHECKING:
    from cabledesk.archive.folder import Store

_BATCH = 500
_IN_FLIGHT = 1500
# Cables a parser process takes at a time. Every chunk is a message each way and every
# message costs the writer's pool threads locking and waking: chunks of 25 cost about 300
# µs of CPU a cable over parsing in one process; chunks of 250 a third of that.
_CHUNK = 250


Failure = tuple[str, str]  # (reason, message)


# The redaction rules in force, set in each parser process before it starts.
_redactor: Redactor | None = None
# The caller's parser (extra rules), set likewise; None: the default parser.
_parser: Parser | None = None


def _use_rules(rules: list[Rule], parser: Parser | None = None) -> None:
    global _redactor, _parser
    _redactor = Redactor(rules)
    _parser = parser


def _parse(source: SourceText) -> Prepared | Failure:
    """Runs in a parser process: parse, then prepare rows and index fields."""
    try:
        cable = _parser.parse(source) if _parser is not None else parse_source(source)
    except Exception as exc:  # a parser bug costs one cable, never the ingest
        message = f"{source.location}: internal parser error ({exc!r}); please report it"
        return ("internal parser error", message)
    if not cable.reference_id:
        return ("no reference id", f"{source.location}: no reference id could be read")
    problem = reference_id_problem(cable.reference_id)
    if problem:
        return ("invalid reference id", f"{source.location}: {problem}")
    return prepare(cable, _redactor)


def _sendable(parser: Parser) -> bool:
    """Whether the parser processes can receive this parser: every rule pickles, and
    none lives in the caller's script (`__main__`), which they do not import."""
    rules = [*parser.core.rules(), *parser.captions.rules()]
    if any(getattr(rule, "__module__", None) == "__main__" for rule in rules):
        return False
    try:
        # Both ways: a class that pickles but cannot be rebuilt would leave the pool
        # starting workers that die on arrival.
        pickle.loads(pickle.dumps(parser))
    except Exception:  # anything pickle may raise: the rule cannot travel
        return False
    return True


@contextmanager
def _caller_script_not_rerun() -> Iterator[None]:
    """Start the parser processes without running the caller's script again in them.

    multiprocessing starts a process (forkserver, spawn) by importing the parent's
    `__main__` in it, so that functions defined there can be found: a script that calls
    `Archive.ingest` at its top level, without an `if __name__ == "__main__":` guard,
    would ingest again in every parser process, each starting processes of its own. The
    parser processes need nothing from the caller's script (their functions live in this
    module), so while they start, `__main__` does not say where it came from.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, object] = {
        name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__
    }
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _bounded(items: Iterable[SourceText], slots: threading.Semaphore) -> Iterator[SourceText]:
    for item in items:
        slots.acquire()
        yield item


def ingest(
    archive: Store,
    paths: Iterable[str | Path],
    *,
    format: str = "auto",
    workers: int | None = None,
    progress: Reporter | None = None,
    parser: Parser | None = None,
) -> IngestReport:
    """Parse and store every cable in `paths` with `parser` (the default one: None).

    A parser with rules of its own is sent to the parser processes; when it cannot be
    (a rule defined in the caller's script, which the processes do not import, or one
    that cannot be pickled), the cables are parsed in this process instead."""
    workers = workers or max(1, (os.cpu_count() or 1))
    if parser is not None and workers > 1 and not _sendable(parser):
        workers = 1
    # The index writer first, for the whole run: a second ingest, a reindex or an editor's
    # change is turned away (or waits) before anything is stored, and the redaction rules
    # and the edition read below cannot change until this ingest has indexed its cables.
    with archive.index.writing() as writer:
        return _ingest(archive, writer, paths, format, workers, progress or Silent(), parser)


def _ingest(
    archive: Store,
    writer: tantivy.IndexWriter,
    paths: Iterable[str | Path],
    format: str,
    workers: int,
    progress: Reporter,
    parser: Parser | None = None,
) -> IngestReport:
    report = IngestReport()
    paths = list(paths)  # read twice: measured, then read
    extent = measure_paths(paths, format)
    progress.start(extent.total, extent.unit)
    # The work each cable between the reader and the writer completes, in reading order:
    # the reader appends (in the pool's feeder thread), the writer takes (thread-safe).
    work: deque[int] = deque()
    sources = _sources(read_paths_measured(paths, format, extent.unit), report, work)
    pending: list[Prepared] = []
    # Anything an earlier run left behind first, so the bulk writer starts level with SQLite.
    archive.index.catch_up(archive.connection, writer)
    # A bulk load inserts into the B-trees of the addressee, TAG and reference indexes in
    # no useful order: a larger page cache (128 MiB, not the default 2) keeps them in
    # memory instead of re-reading pages from disk. Each batch inserts a cable's row before
    # the rows that point to it, in one transaction, so the foreign key look-ups (some 45
    # a cable) only cost time: they are off while ingesting, and
    # `PRAGMA foreign_key_check` stays clean (tests/test_ingest_crash.py checks it).
    archive.connection.execute("PRAGMA cache_size = -131072")
    archive.connection.execute("PRAGMA foreign_keys = OFF")
    try:
        connection = archive.connection
        rules = register.rules(connection)
        with archive.index.bulk(writer, register.version(connection)) as index:
            if workers == 1:
                _use_rules(rules, parser)
                results: Iterator[Prepared | Failure] = map(_parse, sources)
                _consume(archive, results, report, pending, index, progress, work)
            else:
                slots = threading.Semaphore(_IN_FLIGHT)
                context = multiprocessing.get_context("forkserver")
                with (
                    _caller_script_not_rerun(),
                    context.Pool(workers, initializer=_use_rules, initargs=(rules, parser)) as pool,
                ):
                    results = pool.imap(_parse, _bounded(sources, slots), chunksize=_CHUNK)
                    _consume(archive, results, report, pending, index, progress, work, slots)
            # The reader has finished (the results end only after it): what is left is
            # the work after the last cable (files that held none, skipped, unreadable).
            progress.advance(sum(work), 0)
            _flush(archive, pending, report, index)
    finally:
        archive.connection.execute("PRAGMA foreign_keys = ON")
        archive.connection.execute("PRAGMA cache_size = -2000")
    progress.finish()
    return report


def _sources(
    items: Iterable[tuple[SourceItem | None, int]], report: IngestReport, work: deque[int]
) -> Iterator[SourceText]:
    """The cables to parse; the work each completes goes to `work` (the work of items that
    are not cables goes with the next cable, or stays at the end)."""
    carry = 0
    for item, amount in items:
        carry += amount
        if isinstance(item, SourceText):
            work.append(carry)
            carry = 0
            yield item
        elif isinstance(item, SourceError):
            report.fail(f"unreadable: expected {item.expected}", str(item))
        elif isinstance(item, Skipped):
            report.skip(item.location, item.reason)
    work.append(carry)


def _consume(
    archive: Store,
    results: Iterable[Prepared | Failure],
    report: IngestReport,
    pending: list[Prepared],
    index: BulkWriter,
    progress: Reporter,
    work: deque[int],
    slots: threading.Semaphore | None = None,
) -> None:
    for result in results:
        if slots is not None:
            slots.release()
        progress.advance(work.popleft(), 1)
        if isinstance(result, tuple):
            report.fail(*result)
        else:
            pending.append(result)
        if len(pending) >= _BATCH:
            _flush(archive, pending, report, index)


def _flush(
    archive: Store, pending: list[Prepared], report: IngestReport, index: BulkWriter
) -> None:
    if not pending:
        return
    connection = archive.connection
    changed: list[tuple[Prepared, bool]] = []
    with connection:
        seq = next_seq(connection)
        for cable, outcome in zip(pending, write_batch(connection, pending, seq), strict=True):
            if outcome == "ingested":
                report.ingested += 1
            elif outcome == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
                continue
            changed.append((cable, outcome == "ingested"))
    pending.clear()
    # SQLite has committed this batch; the index follows (see BulkWriter).
    index.add(changed, seq)
