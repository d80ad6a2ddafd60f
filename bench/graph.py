"""The citation graph at scale (docs/graph.md, docs/performance.md "The citation graph").

    .venv/bin/python bench/graph.py ARCHIVE [--public] [--repeat N]

Builds the graph of an archive as the local desk sees it (or as the public, `--public`:
the latest edition) N times, each from scratch (the cache's view dropped first), and
prints the CPU seconds of each whole build (read the references, compute the metrics,
write the cache) and of its parts, with the graph's size: the first from an empty cache
(every record's paragraphs scanned for cited ids), the others as after a change (the
scans of versions already seen kept); then the time of the reads a page makes once the
graph is built (a node with its neighbours, a thread, the most cited). Work on a copy
of an archive: the build writes `graph-views.db` beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import time

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import graph as graph_store
from cabledesk.facade import Archive
from cabledesk.record.level import Level


def cpu() -> float:
    return time.process_time()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--public", action="store_true")
    parser.add_argument(
        "--reader", action="store_true", help="As a signed-in reader (CONFIDENTIAL ceiling)."
    )
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with Archive.open(args.archive, create=False) as archive:
        viewer = archive.public_viewer() if args.public else archive.viewer(LOCAL)
        if args.reader:
            viewer = archive.viewer(
                Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)
            )
        seen = archive._graph_seen(viewer)
        for turn in range(args.repeat):
            cache = archive.path / graph_store.CACHE
            if turn == 0:
                # From nothing: every record's paragraphs are scanned for cited ids too.
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(f"{cache}{suffix}"):
                        os.unlink(f"{cache}{suffix}")
            else:
                # As after a change: the graphs are stale, the scanned paragraphs of the
                # versions already seen are kept.
                with sqlite3.connect(cache) as dropping:
                    dropping.execute("DELETE FROM views")
            archive._graphs.close()
            started, wall = cpu(), time.monotonic()
            summary = archive.graph_stats(viewer=viewer)
            took, walled = cpu() - started, time.monotonic() - wall
            parts = {k: summary[k] for k in summary if k.endswith("_seconds")}
            print(
                f"build {turn + 1}: {took:.2f} s CPU ({walled:.2f} s wall); parts {parts}",
                flush=True,
            )
        print(json.dumps({k: v for k, v in summary.items() if not k.endswith("_seconds")}))
        graph = archive._graphs.fresh(archive.connection, seen)
        top = graph.most_cited(limit=1)
        name = top[0][0].id if top else None
        archived = graph.most_cited(archived=True, limit=1)
        cable = archived[0][0].id if archived else None
        for label, call in (
            ("stats (fresh check)", lambda: archive.graph_stats(viewer=viewer)),
            ("most cited, 50", lambda: archive.graph_most_cited(viewer=viewer, limit=50)),
            ("node + neighbours", lambda: archive.graph_cable(name or "", viewer=viewer)),
            ("thread", lambda: archive.graph_thread(cable or "", viewer=viewer)),
        ):
            started = cpu()
            for _ in range(20):
                call()
            print(f"{label}: {(cpu() - started) / 20 * 1000:.1f} ms CPU")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory {peak:.0f} MB; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
