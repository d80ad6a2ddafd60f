"""The citation graph's pages and query fields at scale (docs/graph.md, docs/performance.md
"The citation graph: pages and queries").

    .venv/bin/python bench/graph_web.py ARCHIVE [--reader] [--cables 40] [--repeat 5]

Builds (or reuses) the reader's graph, then measures warm, in CPU time of this process
(every thread), each a mean and the worst over the cables tried:

- the neighbourhood page `/cable/<id>/graph` through the whole web app (gate, facade,
  layout, template), for the most cited cables, the cables citing most and random ones;
- the thread page `/cable/<id>/thread`;
- searches with `cited:>=N`, `cited:0`, `thread:<id>` and sort=cited (one page of 20).

Work on a copy: the build writes `graph-views.db` beside the archive.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

from starlette.testclient import TestClient

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.facade import Archive
from cabledesk.record.level import Level
from cabledesk.web import create_app

READER = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)


def cpu() -> float:
    return time.process_time()


def measure(label: str, calls: list[Callable[[], object]], repeat: int) -> None:
    times = []
    for call in calls:
        call()  # warm
        started = cpu()
        for _ in range(repeat):
            call()
        times.append((cpu() - started) / repeat * 1000)
    print(
        f"{label}: mean {statistics.mean(times):.1f} ms, median {statistics.median(times):.1f} "
        f"ms, worst {max(times):.1f} ms CPU over {len(times)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--reader", action="store_true", help="A CONFIDENTIAL reader's graph.")
    parser.add_argument("--cables", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with Archive.open(args.archive, create=False) as archive:
        viewer = archive.viewer(READER if args.reader else LOCAL)
        started = cpu()
        archive.graph_stats(viewer=viewer)
        print(f"graph ready: {cpu() - started:.2f} s CPU (0 when cached)", flush=True)
        graph = archive._graph(viewer)
        most = [n.id for n, _ in graph.most_cited(archived=True, limit=args.cables // 2)]
        citing = [
            str(r[0])
            for r in graph.connection.execute(
                "SELECT id FROM nodes WHERE view = ? AND archived = 1 "
                "ORDER BY outdegree DESC, id LIMIT ?",
                (graph.view, args.cables // 4),
            )
        ]
        everyone = [
            str(r[0]) for r in archive.connection.execute("SELECT reference_id FROM cables")
        ]
        rng = random.Random(13)
        sample = rng.sample(everyone, args.cables - len(most) - len(citing))
        cables = most + citing + sample
        sizes = []
        for cable_id in cables:
            found = archive.graph_neighbourhood(cable_id, viewer=viewer)
            assert found is not None
            sizes.append(found.found)
        print(
            f"neighbourhoods (2 hops): nodes within reach median {statistics.median(sizes)}, "
            f"most {max(sizes)}; capped {sum(s > 120 for s in sizes)} of {len(sizes)}"
        )
        queries = {
            "cited:>=10": "cited:>=10",
            "cited:>=2": "cited:>=2",
            "cited:>=1": "cited:>=1",
            "cited:0": "cited:0",
            "cited:3..5 iran": "cited:3..5 iran",
            f"thread:{most[0]}": f"thread:{most[0]}",
        }
        for label, query in queries.items():
            total = archive.search(query, viewer=viewer, limit=20, facets=False).total
            measure(
                f"search {label!r} ({total:,} hits), 20 hits, no facets",
                [lambda q=query: archive.search(q, viewer=viewer, limit=20, facets=False)],
                args.repeat * 4,
            )
        for query in ("", "iran", "cited:>=2"):
            measure(
                f"search {query!r} sort=cited, 20 hits, no facets",
                [
                    lambda q=query: archive.search(
                        q,
                        viewer=viewer,
                        limit=20,
                        facets=False,
                        sort="cited",
                        blank_matches_all=True,
                    )
                ],
                args.repeat * 4,
            )
        measure(
            "search 'iran' sort=cited page 50 (offset 980)",
            [
                lambda: archive.search(
                    "iran", viewer=viewer, limit=20, offset=980, facets=False, sort="cited"
                )
            ],
            args.repeat,
        )
    if args.reader:
        print("(pages: measured for the local desk only)")
        return
    app = create_app(args.archive)
    with TestClient(app) as client:
        for kind in ("graph", "thread"):
            calls = [
                (lambda c=c, k=kind: _ok(client.get(f"/cable/{c}/{k}")))
                for c in (cables if kind == "graph" else most + citing + sample[:5])
            ]
            measure(f"page /cable/ID/{kind} (whole app)", calls, args.repeat)
        measure(
            "page /graph/most-cited (whole app)",
            [lambda: _ok(client.get("/graph/most-cited"))],
            args.repeat,
        )
    print(f"load average {os.getloadavg()}")


def _ok(answer: object) -> None:
    status = getattr(answer, "status_code", 0)
    assert status == 200, status


if __name__ == "__main__":
    main()
