"""The enrichment job: extract entities from every cable that needs it (docs/entities.md).

One job, three ways to run the same work function (`extract_batch`, a pure function of
stored records): in this process (`workers=0`), in worker processes on this machine, or
on a Dask distributed cluster (`scheduler="tcp://host:8786"`, or a `distributed.Client`
such as a LocalCluster's). Workers only read records and extract; results come back to
this process and are written in batch order, one SQLite transaction a batch, so:

- resumable: kill it at any moment, run it again, at most the batches in flight are redone
  (a batch is marked read in the transaction that writes its mentions);
- idempotent: a second run with nothing pending reads nothing;
- the same everywhere: every path writes the same rows for the same archive (tested on a
  LocalCluster against worker processes).

Pending cables are those never read, read by another extractor version, or re-ingested
with a changed text (`archive.entities.pending`); ingest therefore marks new cables
pending by itself. After the batches, archive-wide resolution runs once.

The full-text index lists each cable's entities (docs/entities.md, "Searching by entity"),
so every batch marks the cables it wrote as changed, in the transaction that writes them,
and resolution marks the cables whose keys it moved to another entity; `absorb` (the
facade passes it, holding the index writer for the run as an ingest does) lets the index
catch up once, after resolution: a catch-up before it would index new keys' mentions
without an entity id and do the work twice. The marks are durable: a job killed before
its catch-up leaves cables the next opening of the archive absorbs.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from cabledesk.archive import entities, entity_search
from cabledesk.archive.blob import unpack_record
from cabledesk.archive.index import DocumentMapper, Documents, DocumentTask
from cabledesk.entities import EXTRACTOR_VERSION, extract
from cabledesk.errors import Error
from cabledesk.record.codec import from_dict
from cabledesk.redact.ceiling import portion

BATCH = 200
# Batches sent ahead of the writer: enough to keep every worker busy, few enough that a
# killed job loses little and memory stays flat.
AHEAD_PER_WORKER = 3
# A job with at least half of the archive's cables pending drops the secondary indexes
# of `mentions` for its run (entities.MENTION_INDEXES).
BULK_SHARE = 2

Batch = list[tuple[int, str, bytes]]
Result = list[tuple[int, str, list[entities.MentionRow]]]


class EnrichError(Error, RuntimeError):
    """The enrichment could not run (a cluster that cannot be reached, a missing
    package); nothing was lost."""


@dataclass(slots=True)
class EnrichReport:
    cables: int = 0
    mentions: int = 0
    entities: int = 0
    pending_before: int = 0
    # The similar-cables models built after the entities (docs/similar.md): {view: wall
    # seconds}; empty when every model was already of the archive as it stands.
    similar: dict[str, float] = field(default_factory=dict)
    # The sensitivity scores made after them (archive/sensitivity.py); None without a
    # stored model.
    sensitivity: Any = None
    # The citation graphs and co-mention networks built after them (Archive.warm): {what:
    # CPU seconds}; empty when every one was already of the archive as it stands.
    warmed: dict[str, float] = field(default_factory=dict)
    # Cables the extractor failed on: (reference id, the error). The job goes on without
    # them; they stay pending, so the next run tries them again.
    failed: list[tuple[str, str]] = field(default_factory=list)


def extract_batch(batch: Batch) -> Result:
    """Runs on a worker: stored records in, mention rows out (with each mention's level)."""
    return [
        (cable_id, text_hash, _mention_rows(from_dict(unpack_record(blob))))
        for cable_id, text_hash, blob in batch
    ]


def _mention_rows(cable: Any) -> list[entities.MentionRow]:
    rows = []
    levels: dict[tuple[str, int | None], tuple[int, bool]] = {}
    for mention in extract(cable):
        where = (mention.field, mention.paragraph)
        if where not in levels:
            levels[where] = _level(cable, mention.field, mention.paragraph)
        rank, noforn = levels[where]
        rows.append(entities.as_row(mention, rank, noforn))
    return rows


# --- the one pass: every layer a worker makes of a record, from one reading of it --------


@dataclass(frozen=True, slots=True)
class Task:
    """A batch for `enrich_batch`: (row id, text hash, stored record, reference id) of
    each cable, and what to make of them besides the mentions."""

    rows: list[tuple[int, str, bytes, str]]
    # The term counts of each cable's stored text (the similar-cables model of
    # everything: archive/similar_job.py counts the same).
    similar: bool = False
    # The ids each cable's paragraphs cite (the citation graph's scan: graph.scan_record).
    citations: bool = False
    # The cables to featurize for sensitivity scoring (archive/sensitivity.py).
    featurize: frozenset[int] = frozenset()


@dataclass(slots=True)
class Bundle:
    """What `enrich_batch` hands back: each a result of the same reading of the batch."""

    mentions: Result
    counts: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    scans: list[Any] = field(default_factory=list)
    cites: list[Any] = field(default_factory=list)
    features: Any = None  # sensitivity.Features, or None
    # (row id, reference id, error) of each cable that could not be read or extracted:
    # none of its parts is in the bundle.
    failed: list[tuple[int, str, str]] = field(default_factory=list)


def enrich_batch(task: Task) -> Bundle:
    """Runs on a worker: each stored record is unpacked once and gives its mention rows
    (as `extract_batch`), and as the task asks its similar-cables term counts, the ids its
    paragraphs cite, and its sensitivity features. Each part is the same as the function
    that makes it alone (count_batch, graph.scan_texts, sensitivity.featurize_batch)."""
    from cabledesk.archive.graph import scan_record
    from cabledesk.archive.similar import similarity_text
    from cabledesk.archive.similar_model import count_terms

    bundle = Bundle([])
    featurize = []
    for cable_id, text_hash, blob, reference_id in task.rows:
        # One cable the extractor cannot read (a defect a new rule meets in a cable no
        # test had) costs that cable, not the job: at the release's size a single one
        # stopped a run of three quarters of an hour (docs/entities.md, "The
        # enrichment job").
        try:
            cable = from_dict(unpack_record(blob))
            rows = _mention_rows(cable)
        except Exception as exc:  # reported with the cable's id, the job goes on
            bundle.failed.append((cable_id, reference_id, f"{type(exc).__name__}: {exc}"))
            continue
        if cable_id in task.featurize:
            featurize.append((cable_id, text_hash, cable))
        if task.similar:
            bundle.counts.append((reference_id, count_terms(similarity_text(cable))))
        if task.citations:
            scan_record(reference_id, text_hash, cable, bundle.scans, bundle.cites)
        bundle.mentions.append((cable_id, text_hash, rows))
    if featurize:
        from cabledesk.archive.sensitivity import featurize_cables

        bundle.features = featurize_cables(
            [cable for _, _, cable in featurize],
            [cable_id for cable_id, _, _ in featurize],
            [text_hash for _, text_hash, _ in featurize],
        )
    return bundle


@dataclass(slots=True)
class Extras:
    """The layers the job's one pass also makes (the facade says which): the similar
    model of everything (only when the job reads every cable: a model is of all of them),
    the graph's scan of every cable read, and the sensitivity scores of `model`."""

    similar: bool = False
    citations: bool = False
    model: Any = None  # sensitivity.Model
    # Filled in by the job:
    builder: Any = None  # similar_model.Builder of every cable, when `similar` held
    counted: dict[int, str] = field(default_factory=dict)  # row id -> text hash counted
    scans: list[Any] = field(default_factory=list)
    cites: list[Any] = field(default_factory=list)
    scored: int = 0
    paragraphs_scored: int = 0
    _thread: threading.Thread | None = None
    _made: list[Any] = field(default_factory=list)

    def start_similar_model(self) -> None:
        builder = self.builder
        made = self._made

        def build() -> None:
            made.append(builder.model())

        self._thread = threading.Thread(target=build, name="similar-model")
        self._thread.start()

    def similar_model(self) -> Any:
        """The model of the counts (similar_model.Model), built once; None without them."""
        if self.builder is None:
            return None
        if self._thread is None:
            self.start_similar_model()
        assert self._thread is not None
        self._thread.join()
        self.builder, self._thread = None, None
        return self._made.pop() if self._made else None

    def similar_complete(self, connection: sqlite3.Connection) -> bool:
        """Whether the counts are of every cable as the archive now stores it."""
        if self.builder is None:
            return False
        now = dict(connection.execute("SELECT id, text_hash FROM cables").fetchall())
        return now == self.counted


def _level(cable: Any, field: str, paragraph: int | None) -> tuple[int, bool]:
    """The level a reader needs to see this part of the cable, as the viewer decides it
    (redact.ceiling.portion): a paragraph's marking, the subject's, else the cable's."""
    if field == "paragraph" and paragraph is not None and paragraph < len(cable.paragraphs):
        level, noforn = portion(
            cable.paragraphs[paragraph].marking, cable.classification, cable.caveats
        )
    elif field == "subject":
        level, noforn = portion(cable.subject_marking, cable.classification, cable.caveats)
    else:
        level, noforn = portion(None, cable.classification, cable.caveats)
    return int(level), noforn


Progress = Callable[[int, int], None]  # (cables done, cables pending)


def run(
    connection: sqlite3.Connection,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    limit: int | None = None,
    absorb: Callable[..., None] | None = None,
    extras: Extras | None = None,
) -> EnrichReport:
    """Enrich every pending cable; `limit` stops after that many (tests of resuming).
    `absorb` catches the index up (given a DocumentMapper: Store.absorbing); the caller
    holds the index writer while this runs. `extras`: the other layers the same pass
    makes (filled in)."""
    # The job rewrites the mention table and its key index in random key order: a page
    # cache of 256 MB (SQLite's default is 2 MB) keeps their pages from being read and
    # written back over and over (docs/performance.md, "Entities (issue 12)").
    cache_size = connection.execute("PRAGMA cache_size").fetchone()[0]
    connection.execute(f"PRAGMA cache_size = {_JOB_CACHE_KIB}")
    try:
        return _run(
            connection, workers, scheduler, progress, batch_size, limit, absorb, extras or Extras()
        )
    finally:
        connection.execute(f"PRAGMA cache_size = {int(cache_size)}")


_JOB_CACHE_KIB = -262_144  # negative: KiB, so 256 MiB


def _run(
    connection: sqlite3.Connection,
    workers: int | None,
    scheduler: Any,
    progress: Progress | None,
    batch_size: int,
    limit: int | None,
    absorb: Callable[..., None] | None,
    extras: Extras,
) -> EnrichReport:
    ids = entities.pending(connection, EXTRACTOR_VERSION)
    if limit is not None:
        ids = ids[:limit]
    report = EnrichReport(pending_before=len(ids))
    batches = [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]
    done = 0
    if progress:
        progress(0, len(ids))
    # Rewriting most of the archive: the key index of `mentions` is built once at the end
    # rather than kept up to date row by row (entities.MENTION_INDEXES).
    cables = _cable_count(connection)
    bulk = bool(ids) and len(ids) * BULK_SHARE >= cables
    # The similar model of everything is of every cable: made in this pass only when the
    # pass reads them all.
    similar = extras.similar and bool(ids) and len(ids) == cables
    if similar:
        from cabledesk.archive.similar_model import Builder

        extras.builder = Builder()
    to_score: set[int] = set()
    if extras.model is not None and ids:
        from cabledesk.archive import sensitivity

        to_score = set(sensitivity.pending(connection, extras.model.version))
    from cabledesk.archive import sensitivity

    tasks = _tasks(connection, batches, similar, extras.citations, to_score)
    with _mapper(workers, scheduler, len(batches)) as (mapper, ahead):
        try:
            if bulk:
                with connection:
                    entities.drop_mention_indexes(connection)
            for bundle in cast(Any, mapper)(enrich_batch, tasks, ahead):
                result = bundle.mentions
                with connection:
                    report.mentions += entities.write(connection, EXTRACTOR_VERSION, result)
                    entity_search.touch_cables(connection, [cable_id for cable_id, _, _ in result])
                    if bundle.features is not None:
                        # Scored in the transaction that writes the mentions.
                        sensitivity.write_scores(connection, extras.model, bundle.features)
                        extras.scored += len(bundle.features.cable_ids)
                        extras.paragraphs_scored += len(bundle.features.paragraph_of)
                if extras.builder is not None:
                    for reference_id, counts in bundle.counts:
                        extras.builder.add(reference_id, counts)
                    extras.counted.update((cable_id, h) for cable_id, h, _ in result)
                extras.scans += bundle.scans
                extras.cites += bundle.cites
                report.failed += [(reference, error) for _, reference, error in bundle.failed]
                report.cables += len(result)
                done += len(result) + len(bundle.failed)  # read, for the progress
                if progress:
                    progress(done, len(ids))
        except Exception:
            # A job that fails builds them again at once; one killed (or interrupted)
            # leaves that to the next opening of the archive (Store.open).
            with connection:
                entities.restore_mention_indexes(connection)
            raise
        if extras.builder is not None:
            # The similar model of everything is made of the counts alone: in a thread
            # (numpy's sorts let go of the GIL) beside the key index and resolution, which
            # leave the workers idle; stored with its stamp once the job's writes are done
            # (Archive.enrich).
            extras.start_similar_model()
        with connection:
            entities.restore_mention_indexes(connection)
        with connection:
            before = entity_search.key_map(connection)
            report.entities = entities.resolve(connection).entities
            entity_search.touch_changed_keys(connection, before, entity_search.key_map(connection))
        if absorb:
            # The index documents of every cable the job touched are made anew: in the
            # workers, which are idle by now (Index.catch_up).
            absorb(_documents_mapper(mapper, ahead))
    return report


def _documents_mapper(mapper: Mapper, ahead: int) -> DocumentMapper:
    def mapped(
        function: Callable[[DocumentTask], Documents], tasks: Iterator[DocumentTask]
    ) -> Iterator[Documents]:
        # The same pool or cluster, another pure function.
        return cast(Iterator[Documents], mapper(cast(Any, function), cast(Any, tasks), ahead))

    return mapped


def _cable_count(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM cables").fetchone()[0])


def _tasks(
    connection: sqlite3.Connection,
    batches: list[list[int]],
    similar: bool,
    citations: bool,
    to_score: set[int],
) -> Iterator[Task]:
    for ids in batches:
        marks = ",".join("?" * len(ids))
        rows = connection.execute(
            f"SELECT id, text_hash, record, reference_id FROM cables WHERE id IN ({marks}) "
            "ORDER BY id",
            ids,
        ).fetchall()
        featurize = frozenset(i for i in ids if i in to_score)
        yield Task(rows, similar, citations, featurize)


Mapper = Callable[[Callable[[Batch], Result], Iterator[Batch], int], Iterator[Result]]


class _mapper:
    """How batches reach workers and come back in order: in this process, a process
    pool, or a Dask cluster; always at most `ahead` batches out at a time."""

    def __init__(self, workers: int | None, scheduler: Any, batches: int) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.batches = batches
        self._close: list[Callable[[], None]] = []

    def __enter__(self) -> tuple[Mapper, int]:
        if self.scheduler is not None:
            return self._dask()
        workers = self.workers if self.workers is not None else min(2, multiprocessing.cpu_count())
        if workers <= 0 or self.batches <= 1:
            return _in_process, 1
        context = multiprocessing.get_context("forkserver")
        pool = context.Pool(workers)
        self._close.append(pool.terminate)
        self._close.append(pool.close)

        def mapper(
            function: Callable[[Batch], Result], items: Iterator[Batch], ahead: int
        ) -> Iterator[Result]:
            return _ordered((pool.apply_async(function, (item,)).get for item in items), ahead)

        return mapper, workers * AHEAD_PER_WORKER

    def _dask(self) -> tuple[Mapper, int]:
        try:
            from distributed import Client  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError:
            raise EnrichError(
                "running on a cluster needs the `distributed` package: "
                "pip install 'cabledesk[cluster]'"
            ) from None
        client = self.scheduler
        if isinstance(self.scheduler, str):
            try:
                client = Client(self.scheduler, timeout="10s")  # type: ignore[no-untyped-call]
            except OSError as exc:
                raise EnrichError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {exc}"
                ) from None
            self._close.append(client.close)
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def mapper(
            function: Callable[[Batch], Result], items: Iterator[Batch], ahead: int
        ) -> Iterator[Result]:
            return _ordered(
                (client.submit(function, item, pure=False).result for item in items), ahead
            )

        return mapper, workers * AHEAD_PER_WORKER

    def __exit__(self, *exc: object) -> None:
        for close in reversed(self._close):
            close()


def _in_process(
    function: Callable[[Batch], Result], items: Iterator[Batch], ahead: int
) -> Iterator[Result]:
    for item in items:
        yield function(item)


def _ordered(waits: Iterator[Callable[[], Result]], ahead: int) -> Iterator[Result]:
    """Results in submission order with at most `ahead` submitted and not yet taken."""
    from collections import deque

    queue: deque[Callable[[], Result]] = deque()
    for wait in waits:
        queue.append(wait)
        if len(queue) >= ahead:
            yield queue.popleft()()
    while queue:
        yield queue.popleft()()


def similar_mapper(workers: int | None, scheduler: Any, cables: int) -> _mapper:
    """The job's workers (processes or the Dask cluster) for the similar-cables models
    (archive/similar_job.py): the same pool rules as the entity batches."""
    from cabledesk.archive.similar_job import BATCH as SIMILAR_BATCH

    return _mapper(workers, scheduler, -(-cables // SIMILAR_BATCH))
