"""Coverage at scale (docs/coverage.md, docs/performance.md "Coverage").

    .venv/bin/python bench/coverage_web.py ARCHIVE [--repeat 20] [--reader]

Work on a copy: the reader's citation graph is built (or reused) in `graph-views.db`
beside the archive. Measures, in CPU time of this process (every thread) and wall time:

- the reader's graph ready (0 when cached) and the coverage computed from it once (what
  the first coverage request of a process, or of a changed archive, costs);
- warm, through the whole web app (gate, facade, template): `/coverage` (by post, best,
  worst covered), `/coverage/missing`, the post page of the post with most serials,
  `/api/coverage` and its CSV; each a median and the worst of `--repeat` requests.

`--reader`: instead, a CONFIDENTIAL foreign reader's view through the facade (their
graph built if stale, their coverage computed, then warm calls of Archive.coverage and
Archive.missing).
"""

from __future__ import annotations

import argparse
import statistics
import time

from starlette.testclient import TestClient

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import coverage as coverage_store
from cabledesk.facade import Archive
from cabledesk.record.level import Level
from cabledesk.web import create_app

READER = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reader", action="store_true")
    args = parser.parse_args()
    with Archive.open(args.archive, create=False) as archive:
        viewer = archive.viewer(READER if args.reader else LOCAL)
        cables = archive.count(viewer=viewer)
        started = time.process_time()
        graph = archive._graph(viewer)
        print(f"{cables:,} cables; graph ready: {time.process_time() - started:.2f} s CPU")
        started, wall = time.process_time(), time.perf_counter()
        computed = coverage_store.Coverage(graph)
        rows = computed.rows()
        print(
            f"coverage computed from the graph: {time.process_time() - started:.2f} s CPU, "
            f"{time.perf_counter() - wall:.2f} s wall; {len(rows):,} posts and years, "
            f"{len(computed.missing):,} missing cables",
            flush=True,
        )
        busiest = max(rows, key=lambda r: r.highest).post
        if args.reader:
            archive.coverage(viewer=viewer)
            for label, call in (
                (
                    "Archive.coverage(sort=worst)",
                    lambda: archive.coverage(viewer=viewer, sort="worst"),
                ),
                ("Archive.missing(limit=50)", lambda: archive.missing(viewer=viewer, limit=50)),
            ):
                cpu = []
                for _ in range(args.repeat):
                    started = time.process_time()
                    call()
                    cpu.append((time.process_time() - started) * 1000)
                print(f"{label}: median {statistics.median(cpu):.2f} ms CPU, worst {max(cpu):.2f}")
            return
    app = create_app(args.archive)
    pages = [
        "/coverage",
        "/coverage?sort=best",
        "/coverage?sort=worst",
        "/coverage?sort=worst&page=3",
        "/coverage/missing",
        "/coverage/missing?min_citations=3",
        f"/coverage/posts/{busiest}",
        "/api/coverage",
        "/api/coverage?format=csv",
    ]
    with TestClient(app) as client:
        started = time.process_time()
        assert client.get("/coverage").status_code == 200
        print(f"first /coverage of the desk's process: {time.process_time() - started:.2f} s CPU")
        for page in pages:
            cpu, walls = [], []
            for _ in range(args.repeat):
                started, wall = time.process_time(), time.perf_counter()
                answer = client.get(page)
                cpu.append((time.process_time() - started) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
                assert answer.status_code == 200, (page, answer.status_code)
            print(
                f"{page}: median {statistics.median(cpu):.1f} ms CPU "
                f"(worst {max(cpu):.1f}), wall median {statistics.median(walls):.1f} ms, "
                f"{len(answer.content):,} bytes",
                flush=True,
            )


if __name__ == "__main__":
    main()
