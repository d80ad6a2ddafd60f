"""Similar cables at scale (docs/similar.md): the model of everything built the way the
enrichment job builds it (records counted on its workers), then `Archive.similar` for
random cables, CPU time per call (and the model's own search apart).

Run it on a COPY of a benchmark archive (it writes the model beside the archive):

    cp -r /tmp/cabledesk-bench-enrich/base251287 /tmp/similar/b251
    PYTHONPATH=src python bench/similar_speed.py /tmp/similar/b251 --workers 2 --calls 1000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import time

from cabledesk import Archive
from cabledesk.access.principal import LOCAL


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 3)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0),
            "mean_ms": round(statistics.mean(ordered) * 1000, 3)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
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
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
