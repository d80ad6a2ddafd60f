"""`~"text"` with filters, rare and common (docs/similar.md): hits and CPU per search with
the filter's cables ranked exactly (compile.NEAR_AMONG_LIMIT as shipped) against the old
way, the nearest NEAR_LIMIT cables narrowed by the filter (NEAR_AMONG_LIMIT = 0), in
alternating turns.

    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/near_filter.py COPY [--rounds 5]

Work on a copy of an archive: the similar-cables model of everything is built into it
when it has none.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time

from cabledesk.access.principal import LOCAL
from cabledesk.facade import Archive
from cabledesk.query import compile as compiler

QUERIES = [
    'iran ~"weapons"',
    '~"arms smuggling across the Iran-Iraq border" year:2008',
    '~"nuclear programme talks" class:secret',
    '~"election fraud" -origin:baghdad',
    '~"oil gas pipeline" origin:tokyo',
    '~"human rights prisoners torture" year:2009 class:confidential',
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    shipped = compiler.NEAR_AMONG_LIMIT
    with Archive.open(args.archive, create=False) as archive:
        viewer = archive.viewer(LOCAL)
        started = time.process_time()
        archive._similar_model(viewer)
        print(f"model ready: {time.process_time() - started:.1f} s CPU", flush=True)
        out: dict[str, dict[str, object]] = {}
        for query in QUERIES:
            filtered = re.sub(r'~"[^"]*"', "", query).strip()
            matched = archive.search(filtered, viewer=viewer, limit=1, facets=False).total
            times: dict[str, list[float]] = {"exact": [], "nearest": []}
            totals: dict[str, int] = {}
            for _ in range(args.rounds):
                for name, limit in (("exact", shipped), ("nearest", 0)):
                    compiler.NEAR_AMONG_LIMIT = limit
                    began = time.process_time()
                    found = archive.search(query, viewer=viewer, limit=20)
                    times[name].append(time.process_time() - began)
                    totals[name] = found.total
            compiler.NEAR_AMONG_LIMIT = shipped
            out[query] = {
                "filter_matches": matched,
                "hits_exact": totals["exact"],
                "hits_nearest": totals["nearest"],
                "ms_exact_median": round(statistics.median(times["exact"]) * 1000, 1),
                "ms_nearest_median": round(statistics.median(times["nearest"]) * 1000, 1),
            }
            print(query, json.dumps(out[query]), flush=True)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
