"""Search latency over an archive: 20 realistic queries, percentiles per kind of query.

    .venv/bin/python bench/search.py --db ARCHIVE [--rounds 20]

Each query runs `--rounds` times (after one warm-up run): top 20 by BM25 with snippets,
then again with all five facets. Prints p50/p95/p99 in milliseconds per kind and overall.
"""

from __future__ import annotations

import argparse
import statistics
import time

from cabledesk.facade import Archive
from cabledesk.redact import FULL

QUERIES = {
    "rare word": ["Ilyushins", "rebar", "Minbu", "Tsvangirai"],
    "common word": ["government", "minister", "said", "security"],
    "phrase": ['"prime minister"', '"nuclear reactor"', '"human rights"', '"foreign minister"'],
    "boolean": [
        "iran AND NOT iraq",
        "(russia OR china) AND energy",
        "terrorism -afghanistan",
        "election OR parliament",
    ],
    "fields + dates": [
        "tag:PREL date:2008-01..2009-06",
        "class:>=secret year:2009 iran",
        "origin:madrid date:2006..2008 government",
        "caveat:NOFORN has:references date:2009",
    ],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(archive: Archive, query: str, rounds: int, facets: bool) -> list[float]:
    archive.search(query, limit=20, facets=facets, viewer=FULL)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        archive.search(query, limit=20, facets=facets, viewer=FULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with Archive.open(args.db, create=False) as archive:
        print(f"{archive.count(viewer=FULL):,} cables")
        for facets in (False, True):
            label = "top 20 + snippets" + (" + 5 facets" if facets else "")
            everything: list[float] = []
            print(f"\n{label}")
            for kind, queries in QUERIES.items():
                times = [t for q in queries for t in measure(archive, q, args.rounds, facets)]
                everything += times
                print(
                    f"  {kind:15s} p50 {statistics.median(times):7.1f} ms  "
                    f"p95 {percentile(times, 0.95):7.1f} ms  p99 {percentile(times, 0.99):7.1f} ms"
                )
            print(
                f"  {'all':15s} p50 {statistics.median(everything):7.1f} ms  "
                f"p95 {percentile(everything, 0.95):7.1f} ms  "
                f"p99 {percentile(everything, 0.99):7.1f} ms"
            )


if __name__ == "__main__":
    main()
