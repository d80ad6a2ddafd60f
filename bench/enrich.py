"""`cabledesk enrich` end to end on a generated archive, and the entity reads after it
(docs/performance.md, "Entities (issue 12)").

    .venv/bin/python bench/enrich.py prepare --n 20000         # release + ingested archive
    .venv/bin/python bench/enrich.py run --n 20000 --workers 2  # worker processes
    .venv/bin/python bench/enrich.py run --n 20000 --workers 2 --dask   # a LocalCluster
    .venv/bin/python bench/enrich.py resolve --n 20000          # archive-wide resolution
    .venv/bin/python bench/enrich.py latency --n 20000 --edition 3000
    .venv/bin/python bench/enrich.py facets --n 20000           # entity facets by query
    .venv/bin/python bench/enrich.py decide --n 20000           # editors' decisions

`prepare` writes `cabledesk bench corpus --n N --seed 7` (learned from ../shared/corpus)
and ingests it into WORK/baseN. `run` copies that archive and runs the `cabledesk enrich`
command in this process (so its SQLite reads, writes and the final resolution can be
timed: the rest of the loop is waiting on the workers), with `--workers K`, or with
`--scheduler` pointing at a Dask LocalCluster of K single-threaded worker processes
started here. A thread samples the CPU time of this process and of every process under it
(/proc), so the figures say both wall time and CPU seconds (the machine is shared: CPU
seconds per cable are the steadier figure). The last `run` with 2 workers keeps its
archive as WORK/enrichedN for `resolve` and `latency`.

`resolve` runs archive-wide resolution again on a copy of that archive in a fresh child
process and reports its time and peak resident memory (VmHWM, and the RSS before it).
`latency` approves the first E cables of the archive, publishes a JSON Lines edition
(`cabledesk publish --format jsonl`), then times `Archive.entities(viewer=...)` and
`Archive.entity(id, viewer=...)` for the local desk's viewer and the public one.

Every figure is printed with the load average at its start and end: other processes
share the machine's two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "corpus" / "wikileaks-html" / "cable"
TICK = os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cabledesk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cabledesk", *args]


def environment() -> dict[str, str]:
    """The sources of this checkout first, for the subprocesses too."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    return env


# --- the process tree's CPU time and memory ------------------------------------------


def descendants(pid: int) -> list[int]:
    out, pending = [], [pid]
    while pending:
        current = pending.pop()
        out.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def cpu_and_rss(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) and resident bytes of one process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rpartition(")")[2].split()
    # After the command name: state is field 3, utime 14, stime 15, rss 24 (man proc).
    return (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * 4096


class TreeSampler:
    """Samples this process and its descendants every `every` seconds: the last CPU time
    seen of each (a process that ends between two samples loses at most that much) and
    the peak of their summed RSS."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.cpu: dict[int, float] = {}
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        total = 0
        for pid in descendants(os.getpid()):
            try:
                cpu, rss = cpu_and_rss(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
            self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
            total += rss
        self.peak_rss = max(self.peak_rss, total)

    def __enter__(self) -> TreeSampler:
        self.sample()
        self.before = dict(self.cpu)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def used(self) -> tuple[float, float]:
        """(CPU seconds of this process, of all the others) since __enter__."""
        mine = self.cpu.get(os.getpid(), 0.0) - self.before.get(os.getpid(), 0.0)
        others = sum(
            cpu - self.before.get(pid, 0.0) for pid, cpu in self.cpu.items() if pid != os.getpid()
        )
        return mine, others


# --- prepare -------------------------------------------------------------------------


def prepare(work: Path, n: int, workers: int) -> None:
    csv = work / f"rel{n}.csv"
    base = work / f"base{n}"
    work.mkdir(parents=True, exist_ok=True)
    if not csv.exists():
        print(f"generating {n:,} cables (load {load()})", flush=True)
        subprocess.run(
            cabledesk_command(
                "bench", "corpus", "--n", str(n), "--seed", "7",
                "--source", str(SOURCE), "--out", str(csv),
            ),
            check=True,
            env=environment(),
        )  # fmt: skip
    if not base.exists():
        print(f"ingesting into {base} (load {load()})", flush=True)
        started = time.monotonic()
        subprocess.run(
            cabledesk_command(
                "ingest", str(csv), "--db", str(base) + ".partial", "--workers", str(workers)
            ),
            check=True,
            env=environment(),
        )
        (base.parent / (base.name + ".partial")).rename(base)
        print(f"ingested in {time.monotonic() - started:.0f} s (load {load()})")


# --- run -----------------------------------------------------------------------------


class Timers:
    """Wall time the enrichment loop spends in the archive's own calls (this process)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed


@contextmanager
def instrumented() -> Iterator[Timers]:
    from cabledesk.archive import enrich, entities
    from cabledesk.archive.entity_views import Summaries
    from cabledesk.archive.index import Index

    timers = Timers()
    names = ("records", "write", "resolve", "restore_mention_indexes")
    saved = {name: getattr(entities, name) for name in names}
    for name, function in saved.items():
        setattr(entities, name, timers.wrap(name, function))
    # The job's reading of the records (enrich._tasks, a generator: each batch's read is
    # timed as it is taken), counted with `records` (the code before the one pass).
    tasks = getattr(enrich, "_tasks", None)
    if tasks is not None:

        def timed_tasks(*args: Any, **kwargs: Any) -> Iterator[Any]:
            made = tasks(*args, **kwargs)
            while True:
                started = time.perf_counter()
                try:
                    item = next(made)
                except StopIteration:
                    return
                finally:
                    seconds = time.perf_counter() - started
                    timers.seconds["records"] = timers.seconds.get("records", 0.0) + seconds
                yield item

        enrich._tasks = timed_tasks
    # The index's catch-up after resolution, and the summary of everything (built in a
    # thread beside the catch-up: its time overlaps the catch-up's).
    methods = {(Index, "catch_up"): Index.catch_up, (Summaries, "build"): Summaries.build}
    for (owner, name), function in methods.items():
        setattr(owner, name, timers.wrap(name, function))
    try:
        yield timers
    finally:
        for name, function in saved.items():
            setattr(entities, name, function)
        for (owner, name), function in methods.items():
            setattr(owner, name, function)
        if tasks is not None:
            enrich._tasks = tasks


@contextmanager
def local_cluster(workers: int) -> Iterator[str]:
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def run(work: Path, n: int, workers: int, dask: bool, keep: bool) -> dict[str, Any]:
    from cabledesk.cli.main import cli

    base = work / f"base{n}"
    if not base.exists():
        sys.exit(f"no {base}: run `prepare --n {n}` first")
    how = f"dask{workers}" if dask else f"workers{workers}"
    folder = work / f"run{n}-{how}"
    # One run at a time in WORK: two runs of one size would share (and delete) a folder,
    # and would measure each other. The lock goes with this process.
    import fcntl

    lock = open(work / "run.lock", "w")  # noqa: SIM115
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(f"another `bench/enrich.py run` holds {work / 'run.lock'}: wait for it to end")
    run.lock = lock  # type: ignore[attr-defined]
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(base, folder)
    with sqlite3.connect(folder / "archive.db") as connection:
        cables = connection.execute("SELECT count(*) FROM cables").fetchone()[0]
    load_before = load()
    # The cluster starts before the clock and the CPU count: a cluster is up before a job
    # is sent to it. A process pool is part of the command, so it counts.
    with local_cluster(workers) if dask else nullcontext() as address:
        args = ["enrich", "--db", str(folder)]
        args += ["--scheduler", str(address)] if dask else ["--workers", str(workers)]
        with TreeSampler() as sampler, instrumented() as timers:
            started = time.perf_counter()
            cli.main(args, standalone_mode=False)
            seconds = time.perf_counter() - started
    main_cpu, worker_cpu = sampler.used()
    with sqlite3.connect(folder / "archive.db") as connection:
        mentions = connection.execute("SELECT count(*) FROM mentions").fetchone()[0]
        entity_count = connection.execute("SELECT count(*) FROM entities").fetchone()[0]
    read = timers.seconds.get("records", 0.0)
    write = timers.seconds.get("write", 0.0)
    resolve = timers.seconds.get("resolve", 0.0)
    result = {
        "n": cables,
        "how": how,
        "seconds": round(seconds, 1),
        "cables_per_s": round(cables / seconds, 1),
        "worker_cpu_s": round(worker_cpu, 1),
        "cables_per_cpu_s": round(cables / worker_cpu, 1) if worker_cpu else None,
        "main_cpu_s": round(main_cpu, 1),
        "read_s": round(read, 1),
        "write_s": round(write, 1),
        "resolve_s": round(resolve, 1),
        # Building the key index of `mentions` once, after a bulk job (entities.py).
        "key_index_s": round(timers.seconds.get("restore_mention_indexes", 0.0), 1),
        # Every catch-up of the index during the job (the one after resolution is most).
        "catch_up_s": round(timers.seconds.get("catch_up", 0.0), 1),
        "summary_s": round(timers.seconds.get("build", 0.0), 1),
        # Waiting on the workers, and the rest of the job (commits, the catch-up...).
        "waiting_s": round(seconds - read - write - resolve, 1),
        "mentions": mentions,
        "mentions_per_write_s": round(mentions / write) if write else None,
        "entities": entity_count,
        "peak_rss_mib": round(sampler.peak_rss / 2**20),
        "load_before": load_before,
        "load_after": load(),
    }
    print(json.dumps(result), flush=True)
    with open(work / "results.jsonl", "a") as handle:
        handle.write(json.dumps({"kind": "run", **result}) + "\n")
    if keep:
        kept = work / f"enriched{n}"
        shutil.rmtree(kept, ignore_errors=True)
        folder.rename(kept)
    else:
        shutil.rmtree(folder)
    return result


@contextmanager
def nullcontext() -> Iterator[None]:
    yield None


# --- resolve -------------------------------------------------------------------------


def status(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(name)


def resolve_child(folder: Path) -> None:
    """In a fresh process: resolution alone, its wall time and peak memory."""
    from cabledesk.archive import entities

    connection = sqlite3.connect(folder / "archive.db", isolation_level=None)
    connection.execute("SELECT count(*) FROM mentions").fetchone()
    rss_before = status("VmRSS")
    started = time.perf_counter()
    cpu = time.process_time()
    connection.execute("BEGIN")
    resolution = entities.resolve(connection)
    connection.execute("COMMIT")
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "cpu_s": round(time.process_time() - cpu, 2),
                "entities": resolution.entities,
                "keys": resolution.keys,
                "rss_before_mib": round(rss_before / 2**20),
                "peak_rss_mib": round(status("VmHWM") / 2**20),
            }
        )
    )


def resolve(work: Path, n: int, rounds: int) -> None:
    enriched = work / f"enriched{n}"
    if not enriched.exists():
        sys.exit(f"no {enriched}: run `run --n {n} --workers 2` first")
    folder = work / f"resolve{n}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(enriched, folder)
    with sqlite3.connect(folder / "archive.db") as connection:
        mentions = connection.execute("SELECT count(*) FROM mentions").fetchone()[0]
    for _ in range(rounds):
        load_before = load()
        answer = subprocess.run(
            [sys.executable, __file__, "_resolve-child", str(folder)],
            check=True,
            capture_output=True,
            text=True,
            env=environment(),
        )
        result = {
            "n": n,
            "mentions": mentions,
            **json.loads(answer.stdout),
            "load_before": load_before,
            "load_after": load(),
        }
        print(json.dumps(result), flush=True)
        with open(work / "results.jsonl", "a") as handle:
            handle.write(json.dumps({"kind": "resolve", **result}) + "\n")
    shutil.rmtree(folder)


# --- latency -------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def latency(work: Path, n: int, edition: int, rounds: int, pages: int, counted: bool) -> None:
    import cabledesk
    from cabledesk.access.principal import LOCAL

    enriched = work / f"enriched{n}"
    if not enriched.exists():
        sys.exit(f"no {enriched}: run `run --n {n} --workers 2` first")
    folder = work / f"latency{n}"
    if not folder.exists():
        shutil.copytree(enriched, folder)
        with cabledesk.Archive.open(folder) as archive:
            ids = [
                row[0]
                for row in archive.connection.execute(
                    "SELECT reference_id FROM cables ORDER BY id LIMIT ?", (edition,)
                )
            ]
            archive.approve(ids, account="bench")
        print(f"publishing an edition of {len(ids):,} cables (load {load()})", flush=True)
        subprocess.run(
            cabledesk_command(
                "publish", "--db", str(folder), "--format", "jsonl",
                "--out", str(work / f"edition{n}.jsonl"), "--account", "bench",
            ),
            check=True,
            env=environment(),
        )  # fmt: skip
    random.seed(7)
    with cabledesk.Archive.open(folder) as archive:
        published = len(archive.published())
        low = archive.viewer(LOCAL)
        low = type(low)(ceiling=1, foreign=True, redact=True)  # CONFIDENTIAL, foreign
        low.compiled = archive.redactor()
        for name, viewer in (
            ("local", archive.viewer(LOCAL)),
            ("public", archive.public_viewer()),
            ("confidential", low),
        ):
            result: dict[str, Any] = {"n": n, "published": published, "viewer": name}
            # The reader's class summary (archive/entity_views.py), built as `enrich` and
            # `publish` build theirs, or as the first stale read starts it; timed alone.
            load_before = load()
            started, cpu = time.perf_counter(), time.process_time()
            archive._summaries.build(archive._seen(viewer))
            result["summary_build_s"] = round(time.perf_counter() - started, 2)
            result["summary_build_cpu_s"] = round(time.process_time() - cpu, 2)
            result["summary_build_load"] = [load_before, load()]
            if counted:
                # The same reads answered from the mentions (no summary is fresh): what
                # readers get while a summary is being built.
                archive._summaries.fresh = lambda connection, seen: None
                result["counted"] = reads(archive, viewer, max(2, rounds // 10), 5)
                del archive._summaries.fresh
            result.update(reads(archive, viewer, rounds, pages))
            print(json.dumps(result), flush=True)
            with open(work / "results.jsonl", "a") as handle:
                handle.write(json.dumps({"kind": "latency", **result}) + "\n")


def reads(archive: Any, viewer: Any, rounds: int, pages: int) -> dict[str, Any]:
    """p50 and p95 (ms) of the entity lists and pages one viewer gets."""

    def p50_p95(samples: list[float]) -> list[float] | None:
        return [round(x, 1) for x in percentiles(samples)] if samples else None

    archive.entities(viewer=viewer, limit=30)  # warm SQLite's page cache
    load_before = load()
    lists = [timed(lambda: archive.entities(viewer=viewer, limit=30)) for _ in range(rounds)]
    by_kind = [
        timed(lambda kind=kind: archive.entities(viewer=viewer, kind=kind, limit=30))
        for _ in range(max(1, rounds // 4))
        for kind in ("person", "org", "place", "post")
    ]
    # Entity pages: the most mentioned (the heaviest pages) and a random sample of those
    # the viewer sees at all.
    visible = [e.id for e in archive.entities(viewer=viewer, limit=5000)]
    sample = random.sample(visible, min(pages, len(visible)))
    top = [timed(lambda i=i: archive.entity(i, viewer=viewer)) for i in visible[:10]]
    anyone = [timed(lambda i=i: archive.entity(i, viewer=viewer)) for i in sample]
    # A search's facets, the entity facets among them: every cable the reader may search,
    # and the cables of one of the most mentioned entities.
    every = [
        timed(lambda: archive.search("", viewer=viewer, blank_matches_all=True))
        for _ in range(max(2, rounds // 4))
    ]
    one = [timed(lambda i=i: archive.search(f"entity:{i}", viewer=viewer)) for i in visible[5:10]]
    by_query = facets_by_query(archive, viewer, max(3, rounds // 4))
    return {
        "visible_entities": len(visible),
        "entities_p50_p95_ms": p50_p95(lists),
        "entities_by_kind_p50_p95_ms": p50_p95(by_kind),
        "entity_top10_p50_p95_ms": p50_p95(top),
        "entity_sample_p50_p95_ms": p50_p95(anyone),
        "search_all_facets_p50_p95_ms": p50_p95(every),
        "search_entity_facets_p50_p95_ms": p50_p95(one),
        "sample": len(sample),
        "facets_by_query": by_query,
        "load_before": load_before,
        "load_after": load(),
    }


def facets(work: Path, n: int, rounds: int, pages: int, only: str | None = None) -> None:
    """Entity facets and entity pages on the enriched archive itself (no copy, no
    edition: at the release's size a copy and an edition cost more than the reads), for
    the local desk and a CONFIDENTIAL foreign reader, whose class summary is built first
    (timed) as its first stale read would start it."""
    import cabledesk
    from cabledesk.access.principal import LOCAL

    folder = work / f"enriched{n}"
    if not folder.exists():
        sys.exit(f"no {folder}: run `run --n {n} --workers 2 --keep` first")
    random.seed(7)
    with cabledesk.Archive.open(folder) as archive:
        low = archive.viewer(LOCAL)
        low = type(low)(ceiling=1, foreign=True, redact=True)  # CONFIDENTIAL, foreign
        low.compiled = archive.redactor()
        for name, viewer in (("local", archive.viewer(LOCAL)), ("confidential", low)):
            if only and name != only:
                continue
            result: dict[str, Any] = {"n": n, "viewer": name, "load_before": load()}
            seen = archive._seen(viewer)
            if archive._summaries.fresh(archive.connection, seen) is None:
                started, cpu = time.perf_counter(), time.process_time()
                archive._summaries.build(seen)
                result["summary_build_s"] = round(time.perf_counter() - started, 2)
                result["summary_build_cpu_s"] = round(time.process_time() - cpu, 2)
            result["facets_by_query"] = facets_by_query(archive, viewer, rounds)
            visible = [e.id for e in archive.entities(viewer=viewer, limit=5000)]
            sample = random.sample(visible, min(pages, len(visible)))
            top = [timed(lambda i=i, v=viewer: archive.entity(i, viewer=v)) for i in visible[:10]]
            anyone = [timed(lambda i=i, v=viewer: archive.entity(i, viewer=v)) for i in sample]
            result["entity_top10_p50_p95_ms"] = [round(x, 1) for x in percentiles(top)]
            result["entity_sample_p50_p95_ms"] = [round(x, 1) for x in percentiles(anyone)]
            result["load_after"] = load()
            print(json.dumps(result), flush=True)
            with open(work / "results.jsonl", "a") as handle:
                handle.write(json.dumps({"kind": "facets", **result}) + "\n")


def decide(work: Path, n: int) -> None:
    """Editors' decisions on a copy of the enriched archive: a merge, an alias, a split
    by surface, a rename and an undo through `Archive`, each timed (wall and CPU) with
    its whole transaction (the resolution from what the last full one kept, marking the
    cables the index must absorb again), then one full resolution for comparison."""
    import cabledesk
    from cabledesk.archive import entities as entity_store

    enriched = work / f"enriched{n}"
    if not enriched.exists():
        sys.exit(f"no {enriched}: run `run --n {n} --workers 2 --keep` first")
    folder = work / f"decide{n}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(enriched, folder)
    results: dict[str, Any] = {"n": n, "load_before": load()}
    with cabledesk.Archive.open(folder) as archive:
        people = archive.connection.execute(
            "SELECT key, name FROM entities WHERE kind = 'person' AND mentions > 0 "
            "ORDER BY mentions DESC LIMIT 40"
        ).fetchall()
        (small_key, _), (big_key, big_name) = people[-1], people[-2]
        surface = big_name.split()[-1]
        steps = [
            ("merge", lambda: archive.merge_entities(small_key, big_key, reason="bench")),
            ("alias_add", lambda: archive.add_alias(big_key, f"{surface} Alias", reason="b")),
            ("split", lambda: archive.split_entity(
                big_key, name=f"Other {surface}", surfaces=[surface], reason="bench")),
            ("rename", lambda: archive.rename_entity(big_key, f"{big_name} II", reason="b")),
            ("undo", lambda: archive.undo_entity_decision(1, reason="bench")),
        ]  # fmt: skip
        for name, step in steps:
            started, cpu = time.perf_counter(), time.process_time()
            step()
            results[f"{name}_s"] = round(time.perf_counter() - started, 2)
            results[f"{name}_cpu_s"] = round(time.process_time() - cpu, 2)
        connection = archive.connection
        started, cpu = time.perf_counter(), time.process_time()
        with connection:
            entity_store.resolve(connection)
        results["full_resolution_s"] = round(time.perf_counter() - started, 2)
        results["full_resolution_cpu_s"] = round(time.process_time() - cpu, 2)
    results["load_after"] = load()
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results), flush=True)
    with open(work / "results.jsonl", "a") as handle:
        handle.write(json.dumps({"kind": "decide", **results}) + "\n")


# Queries from the generated release's vocabulary, from all cables to few.
FACET_QUERIES = ["", "NOT tag:PREL", "the", "government", "tag:PREL", "minister", "iraq"]


def facets_by_query(archive: Any, viewer: Any, rounds: int) -> dict[str, Any]:
    """Per query: its matches, the search with every facet (what a page waits for) and
    the entity facets alone (query/search.py `entity_facet_counts`, compiled as a search
    compiles it), p50 / p95 ms; and the counts over everything the reader may find, which
    the first broad search after each reload of the index computes (`whole_ms`)."""
    from cabledesk.query.scope import Scope
    from cabledesk.query.search import compile_query, entity_facet_counts

    index = archive.store.edition_index if viewer.published_only else archive.store.index
    lookup = archive._entity_lookup(viewer)

    def entity_facets(query: str) -> int:
        searcher, memo = archive.store.snapshot(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        _, compiled = compile_query(
            archive.index.schema, archive.connection, query, archive.store.origins,
            viewer=viewer, blank_matches_all=True,
            also=archive._also(query, viewer, True), entities=lookup,
        )  # fmt: skip
        matched = int(searcher.search(compiled, limit=1, count=True).count)
        entity_facet_counts(
            searcher, archive.index.schema, compiled, Scope.of(viewer), lookup,
            matched=matched, memo=memo,
        )  # fmt: skip
        return matched

    index._reload()
    whole = timed(lambda: entity_facets(""))
    found: dict[str, Any] = {"whole_ms": round(whole * 1000, 1)}
    for query in FACET_QUERIES:
        matched = entity_facets(query)
        pages = [
            timed(lambda q=query: archive.search(q, viewer=viewer, blank_matches_all=True))
            for _ in range(rounds)
        ]
        alone = [timed(lambda q=query: entity_facets(q)) for _ in range(rounds)]
        found[query or "(every cable)"] = {
            "matched": matched,
            "search_p50_p95_ms": [round(x, 1) for x in percentiles(pages)],
            "entity_facets_p50_p95_ms": [round(x, 1) for x in percentiles(alone)],
        }
    return found


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/cabledesk-bench-enrich"))
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--workers", type=int, default=2, help="ingest's parser processes")
    p = sub.add_parser("run")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--dask", action="store_true", help="on a LocalCluster of --workers")
    p.add_argument("--keep", action="store_true", help="keep the archive as WORK/enrichedN")
    p = sub.add_parser("resolve")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=2)
    p = sub.add_parser("latency")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--edition", type=int, default=3_000, help="cables in the public edition")
    p.add_argument("--rounds", type=int, default=40)
    p.add_argument("--pages", type=int, default=40, help="random entity pages to time")
    p.add_argument("--counted", action="store_true", help="also time reads with no summary")
    p = sub.add_parser("facets")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--pages", type=int, default=30, help="random entity pages to time")
    p.add_argument("--only", choices=["local", "confidential"], help="one reader only")
    p = sub.add_parser("decide")
    p.add_argument("--n", type=int, default=20_000)
    p = sub.add_parser("_resolve-child")
    p.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.work, args.n, args.workers)
    elif args.step == "run":
        run(args.work, args.n, args.workers, args.dask, args.keep)
    elif args.step == "resolve":
        resolve(args.work, args.n, args.rounds)
    elif args.step == "latency":
        latency(args.work, args.n, args.edition, args.rounds, args.pages, args.counted)
    elif args.step == "facets":
        facets(args.work, args.n, args.rounds, args.pages, args.only)
    elif args.step == "decide":
        decide(args.work, args.n)
    else:
        resolve_child(args.folder)


if __name__ == "__main__":
    main()
