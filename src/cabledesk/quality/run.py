"""Run the checks over a corpus: read, parse and check in worker processes, count here.

The reading is `cabledesk parse`'s (sources.read_paths: any file or folder, any format
cabledesk reads), the parsing too (the default parser, or one of your own). Each cable is
parsed and checked in a worker process, which sends back only what the report counts:
the cable's id, one verdict per check, the ids it cites. Memory stays flat: at most
`_IN_FLIGHT` cables are between the reader and the counting, and the report keeps the
first offenders of each check, not all of them. What grows with the corpus is the set
of cable ids, and of the ids cited before the cable they name was read (a cited cable may
come after the cable that cites it): about 0.1 KB a cable (docs/parse-audit.md).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cabledesk.api import FRAGMENT_EXPECTED, _recognised
from cabledesk.errors import Error
from cabledesk.parse.core import Parser, parse_source
from cabledesk.quality.checks import CHECKS, Check, Context, Failure
from cabledesk.quality.references import cited_ids
from cabledesk.quality.report import AuditReport, CheckResult, Offender, Unread
from cabledesk.record.model import Cable
from cabledesk.sources import FORMATS, Skipped, SourceError, SourceText, measure_paths, read_paths
from cabledesk.sources.item import snippet

# Cables between the reader and the counting at most, and per message to a worker.
_IN_FLIGHT = 1000
_CHUNK = 50
# Below this many files (one cable each), starting worker processes costs more than it
# saves: the audit runs in this process unless told how many workers to use.
_FEW_FILES = 200

# A cable's verdict on one check: None (does not apply), True (passed) or why it failed.
Verdict = Failure | bool | None


class AuditError(Error, ValueError):
    """A path that is not there, an unknown check or format: nothing was read."""


# (reference id, location, partial extract, one verdict per check, REF items, the ids
# cited), or an Unread for a cable that could not be parsed.
Outcome = tuple[str | None, str | None, bool, tuple[Verdict, ...], int, tuple[str, ...]]

# Set in each worker process before it starts (and in this process when it checks alone).
_checks: tuple[Check, ...] = CHECKS
_context: Context | None = None
_parser: Parser | None = None


def _use(checks: tuple[Check, ...], parser: Parser | None) -> None:
    global _checks, _context, _parser
    _checks, _parser = checks, parser
    _context = Context(parser if parser is not None else Parser())


def check_cable(
    cable: Cable, checks: Iterable[Check] = CHECKS, context: Context | None = None
) -> dict[str, Verdict]:
    """The verdict of each check on one parsed cable: None (the check does not apply),
    True (passed) or the Failure. For a record of your own, outside an audit."""
    context = context or Context()
    return {check.name: _verdict(check, cable, context) for check in checks}


def _verdict(check: Check, cable: Cable, context: Context) -> Verdict:
    if not check.applies(cable):
        return None
    return check.run(cable, context) or True


def _audit_source(source: SourceText) -> Outcome | Unread:
    """Runs in a worker: parse one cable and check it."""
    assert _context is not None, "the worker was not started with its checks"
    try:
        cable = _parser.parse(source) if _parser is not None else parse_source(source)
    except Exception as exc:  # a parser bug costs one cable, never the audit
        return Unread(source.location, f"internal parser error ({exc!r}); please report it")
    if source.format == "fragment" and not _recognised(cable):
        return Unread(
            source.location, f"expected {FRAGMENT_EXPECTED}; found {snippet(source.body)}"
        )
    verdicts = []
    for check in _checks:
        try:
            verdicts.append(_verdict(check, cable, _context))
        except Exception as exc:  # a check's own bug is a finding too, never a crash
            verdicts.append(Failure(f"the check failed: {exc!r}", ("the check failed",)))
    return (
        cable.reference_id,
        source.location,  # where it was read (a JSON Lines record keeps where it was parsed)
        cable.partial_extract,
        tuple(verdicts),
        len(cable.references),
        tuple(cited_ids(cable)),
    )


class _Tally:
    """Counts outcomes into the report as they come, in reading order."""

    def __init__(self, report: AuditReport, checks: tuple[Check, ...]) -> None:
        self.report = report
        self.results = [CheckResult(c.name, c.checks, c.why, c.applies_to) for c in checks]
        report.checks = {r.name: r for r in self.results}
        self.ids: set[str] = set()
        # Citations of cables not read yet: most cite earlier cables, counted at once.
        self.pending: Counter[str] = Counter()

    def _keep(self, shown: int) -> bool:
        return self.report.show is None or shown < self.report.show

    def unread(self, location: str, message: str) -> None:
        if self._keep(len(self.report.unreadable_examples)):
            self.report.unreadable_examples.append(Unread(location, message))
        self.report.unreadable += 1

    def skipped(self, location: str, reason: str) -> None:
        if self._keep(len(self.report.skipped_examples)):
            self.report.skipped_examples.append(Unread(location, reason))
        self.report.skipped += 1

    def add(self, outcome: Outcome | Unread) -> None:
        if isinstance(outcome, Unread):
            self.unread(outcome.location, outcome.message)
            return
        reference_id, location, partial, verdicts, references, cited = outcome
        self.report.cables += 1
        self.report.references.items += references
        if reference_id:
            self.ids.add(reference_id)
        refs = self.report.references
        refs.cite_cables += len(cited)
        for cable_id in cited:
            if cable_id in self.ids:
                refs.in_corpus += 1
            else:
                self.pending[cable_id] += 1
        for result, verdict in zip(self.results, verdicts, strict=True):
            if verdict is None:
                continue
            result.checked += 1
            if isinstance(verdict, Failure):
                result.failed += 1
                result.items.update(verdict.items)
                if self._keep(len(result.offenders)):
                    result.offenders.append(
                        Offender(reference_id, location, verdict.detail, partial)
                    )

    def finish(self) -> None:
        refs = self.report.references
        refs.in_corpus += sum(n for cable_id, n in self.pending.items() if cable_id in self.ids)
        self.pending.clear()


def audit(
    paths: Iterable[str | Path] | str | Path,
    *,
    format: str = "auto",
    show: int | None = 10,
    workers: int | None = None,
    parser: Parser | None = None,
    checks: Iterable[str | Check] | None = None,
) -> AuditReport:
    """Parse every cable in files and folders and run the checks on each.

    `show`: how many offenders each check keeps (in reading order; None: all of them,
    which makes memory grow with the offenders). `workers`: processes that parse and
    check (None: one per core, or none for a few files). `parser`: a `Parser` with rules
    of your own, as for `cabledesk.parse`. `checks`: the names (or `Check`s of your own)
    to run, in the report's order; None: all of `CHECKS`. Raises AuditError, before
    reading anything, for a path that is not there or an unknown check or format.
    """
    started = time.perf_counter()
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    selected = _select(checks)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise AuditError(f"no such file or folder: {', '.join(missing)}")
    if not paths:
        raise AuditError("no paths to audit: name files or folders of cables")
    if format not in ("auto", *FORMATS):
        raise AuditError(f"format must be auto or one of {', '.join(FORMATS)}, not {format!r}")
    if show is not None and show < 0:
        raise AuditError(f"show must be 0 or more, not {show}")
    if workers is None:
        extent = measure_paths(paths, format)
        few = extent.unit == "files" and extent.files < _FEW_FILES
        workers = 1 if few else max(1, os.cpu_count() or 1)
    if workers > 1 and not _sendable((parser, selected)):
        workers = 1
    report = AuditReport([str(p) for p in paths], format, workers, show)
    tally = _Tally(report, selected)
    sources = _sources(read_paths(paths, format), tally)
    if workers == 1:
        _use(selected, parser)
        for outcome in map(_audit_source, sources):
            tally.add(outcome)
    else:
        slots = threading.Semaphore(_IN_FLIGHT)
        context = multiprocessing.get_context("forkserver")
        with (
            _caller_script_not_rerun(),
            context.Pool(workers, initializer=_use, initargs=(selected, parser)) as pool,
        ):
            for outcome in pool.imap(_audit_source, _bounded(sources, slots), chunksize=_CHUNK):
                slots.release()
                tally.add(outcome)
    tally.finish()
    report.seconds = time.perf_counter() - started
    return report


def _select(checks: Iterable[str | Check] | None) -> tuple[Check, ...]:
    if checks is None:
        return CHECKS
    by_name = {c.name: c for c in CHECKS}
    selected: list[Check] = []
    for check in checks:
        if isinstance(check, Check):
            selected.append(check)
        elif check in by_name:
            selected.append(by_name[check])
        else:
            raise AuditError(f"no check named {check!r}; the checks are: {', '.join(by_name)}")
    if len({c.name for c in selected}) != len(selected):
        raise AuditError("each check once: two have the same name")
    return tuple(selected)


def _sources(
    items: Iterable[SourceText | SourceError | Skipped], tally: _Tally
) -> Iterator[SourceText]:
    """The cables to check; what could not be read is counted on the way (in the pool's
    feeder thread: the counting thread reads those counts only when the pool is done)."""
    for item in items:
        if isinstance(item, SourceText):
            yield item
        elif isinstance(item, SourceError):
            tally.unread(item.location, f"expected {item.expected}; found {item.found}")
        else:
            tally.skipped(item.location, item.reason)


def _bounded(items: Iterable[SourceText], slots: threading.Semaphore) -> Iterator[SourceText]:
    for item in items:
        slots.acquire()
        yield item


def _sendable(value: object) -> bool:
    """Whether the worker processes can receive the parser and the checks: they pickle
    both ways, and nothing in them lives in the caller's script (`__main__`), which the
    workers do not import."""
    try:
        data = pickle.dumps(value)
        if b"__main__" in data:
            return False
        pickle.loads(data)
    except Exception:  # anything pickle may raise: it cannot travel
        return False
    return True


@contextmanager
def _caller_script_not_rerun() -> Iterator[None]:
    """Start the workers without running the caller's script again in them.

    multiprocessing starts a process (forkserver, spawn) by importing the parent's
    `__main__` in it: a script that calls `audit` at its top level, without an
    `if __name__ == "__main__":` guard, would audit again in every worker. The workers
    need nothing from it (what they run lives in this module and in the checks), so while
    they start, `__main__` does not say where it came from.
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
