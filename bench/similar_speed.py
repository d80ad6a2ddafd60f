"""Similar cables at scale (docs/similar.md): the model of everything built the way the
enrichment job builds it (records counted on its workers), then `Archive.similar` for
random cables, CPU time per call (and the model's own search apart).

Run it on a COPY of a benchmark archive (it writes the model beside the archive):

    cp -r /tmp/cabledesk-bench-enrich/base251287 /tmp/similar/b251
    PYTHONPATH=src python bench/similar_speed.py /tmp/similar/b251 --workers 2 --calls 1000

A model already of the archive as it stands is not built again (the build figures are
then empty). `--worst N`: also the N cables whose queries read the most postings, three
calls each; `--near`: `~"..."` queries (with facets) against plain ones.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import time

import numpy as np

from cabledesk import Archive
from cabledesk.access.principal import LOCAL


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 3)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0),
            "mean_ms": round(statistics.mean(ordered) * 1000, 3)}  # fmt: skip


def worst(archive: Archive, model: object, count: int) -> dict[str, object]:
    """The cables whose query reads the most postings, three calls each."""
    from cabledesk.archive.similar_model import Model

    assert isinstance(model, Model)
    viewer = archive.viewer(LOCAL)
    df = np.diff(model.term_ptr)
    owner = np.repeat(np.arange(len(model.ids)), np.diff(model.doc_ptr))
    cost = np.bincount(owner, weights=df[model.doc_terms], minlength=len(model.ids))
    cores, calls = [], []
    for n in np.argsort(-cost)[:count].tolist():
        for _ in range(3):
            started = time.process_time()
            model.nearest(*model.vector(n), 10, exclude=n)
            cores.append(time.process_time() - started)
            started = time.process_time()
            archive.similar(model.ids[n], viewer=viewer)
            calls.append(time.process_time() - started)
    return {
        "postings_median": int(np.median(cost)),
        "postings_max": int(cost.max()),
        "similar_cpu": percentiles(calls),
        "nearest_cpu": percentiles(cores),
    }


NEAR = [
    '~"arms smuggling across the Iran-Iraq border"',
    '~"nuclear programme talks"',
    '~"election fraud ballots"',
    '~"drug trafficking cartels"',
    '~"human rights prisoners torture"',
    '~"oil gas pipeline"',
    '~"arms smuggling across the Iran-Iraq border" year:2008',
    '~"nuclear programme talks" class:secret',
    '~"election fraud" -origin:baghdad',
    'iran ~"weapons"',
]
PLAIN = ["iran", "nuclear talks", "election fraud year:2008", "oil gas pipeline"]


def near(archive: Archive) -> dict[str, object]:
    """Searches with `~"..."` (20 hits and the facets), three times each; plain ones."""
    viewer = archive.viewer(LOCAL)
    timed: dict[str, list[float]] = {"near": [], "plain": []}
    for kind, queries in (("near", NEAR), ("plain", PLAIN)):
        for query in queries:
            for _ in range(3):
                started = time.process_time()
                archive.search(query, viewer=viewer, limit=20)
                timed[kind].append(time.process_time() - started)
    return {kind: percentiles(values) for kind, values in timed.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worst", type=int, default=0)
    parser.add_argument("--near", action="store_true")
    args = parser.parse_args()
    out: dict[str, object] = {"load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    with Archive.open(args.archive, create=False) as archive:
        out["cables"] = archive.store.count()
        wall, cpu = time.monotonic(), time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        took = archive._build_similar(args.workers, None)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out["build_wall_s"] = round(time.monotonic() - wall, 1)
        out["build_main_cpu_s"] = round(time.process_time() - cpu, 1)
        out["build_worker_cpu_s"] = round(
            (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime), 1
        )
        out["built"] = took
        viewer = archive.viewer(LOCAL)
        model = archive._similar_model(viewer)
        out["vocabulary"] = len(model.vocabulary)
        out["entries"] = len(model.doc_terms)
        folder = archive.path / "similar-views"
        out["model_mib"] = round(
            sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1
        )
        ids = random.Random(args.seed).sample(model.ids, min(args.calls, len(model.ids)))
        archive.similar(ids[0], viewer=viewer)  # warm: the model is loaded once per process
        calls, cores = [], []
        for reference_id in ids:
            started = time.process_time()
            archive.similar(reference_id, viewer=viewer)
            calls.append(time.process_time() - started)
            n = model.number(reference_id)
            assert n is not None
            started = time.process_time()
            model.nearest(*model.vector(n), 10, exclude=n)
            cores.append(time.process_time() - started)
        out["similar_cpu"] = percentiles(calls)
        out["nearest_cpu"] = percentiles(cores)
        if args.worst:
            out["worst"] = worst(archive, model, args.worst)
        if args.near:
            out["near"] = near(archive)
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
