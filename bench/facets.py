"""What the facets of issue 15 cost: the five facets before it against the nine after
(month, caveat, signer, Classified By added), the map's every-origin count, and a whole
search with its facets, per query, in CPU time (and wall time) of this process.

    taskset -c 1 .venv/bin/python bench/facets.py --db ARCHIVE [--rounds 15]

The five and the nine are measured in alternating turns on the same searcher and the
same compiled query (search.facet_counts with the facet table cut to the five, then
whole), so load on the machine falls on both alike. Each measurement is preceded by one
warm-up run. Prints p50/p95 (ms) per query and over all queries.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from cabledesk.facade import Archive
from cabledesk.query import search as search_module
from cabledesk.query.origins import origin_counts
from cabledesk.query.search import compile_query
from cabledesk.redact import FULL, Viewer

FIVE = ("origin", "year", "classification", "tag", "addressee")
QUERIES = [
    "",
    "government",
    "minister",
    "iran",
    "tag:PREL",
    "NOT tag:PREL",
    '"prime minister"',
    "class:>=secret year:2009 iran",
    "caveat:NOFORN",
    "Tsvangirai",
    'signer:="CLINTON"',
    "month:2009-01..2009-06",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function: Callable[[], Any]) -> tuple[float, float]:
    """(CPU ms of the process, wall ms) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    function()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reader", action="store_true", help="As a CONFIDENTIAL foreign reader.")
    args = parser.parse_args()
    every = dict(search_module.FACETS)
    five = {name: every[name] for name in FIVE}
    results: dict[str, dict[str, list[float]]] = {}
    with Archive.open(args.db) as archive:
        viewer = (
            Viewer(ceiling=1, foreign=True, redact=True, compiled=archive.redactor())
            if args.reader
            else FULL
        )
        searcher = archive.store.searcher(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        for query in QUERIES:
            _, compiled = compile_query(
                archive.index.schema,
                archive.connection,
                query,
                archive.store.origins,
                viewer=viewer,
                blank_matches_all=True,
            )
            total = archive.search(
                query, limit=1, facets=False, viewer=viewer, blank_matches_all=True
            ).total

            def facets(table: dict[str, str], compiled: Any = compiled) -> Any:
                search_module.FACETS = table
                try:
                    return search_module.facet_counts(searcher, compiled)
                finally:
                    search_module.FACETS = every

            def page(query: str = query) -> Any:
                archive.search(query, limit=20, facets=True, viewer=viewer, blank_matches_all=True)
                archive.origin_counts(query, viewer=viewer, blank_matches_all=True)

            runs = {
                "five facets": lambda: facets(five),
                "nine facets": lambda: facets(every),
                "origins (map)": lambda c=compiled: origin_counts(searcher, c),
                "search+facets+map": page,
            }
            samples: dict[str, list[float]] = {
                f"{k} {u}": [] for k in runs for u in ("cpu", "wall")
            }
            for run in runs.values():
                run()  # warm-up
            for _ in range(args.rounds):
                for name, run in runs.items():  # in turns
                    cpu, wall = timed(run)
                    samples[f"{name} cpu"].append(cpu)
                    samples[f"{name} wall"].append(wall)
            results[query] = samples
            print(
                f"{query!r:38} {total:>8,} matches  "
                + "  ".join(
                    f"{name}: {statistics.median(samples[name + ' cpu']):6.1f} / "
                    f"{percentile(samples[name + ' cpu'], 0.95):6.1f}"
                    for name in runs
                ),
                flush=True,
            )
    print("\nOver all queries (CPU ms, p50 / p95 / max; wall p50 / p95):")
    for name in runs:
        cpu = [v for s in results.values() for v in s[name + " cpu"]]
        wall = [v for s in results.values() for v in s[name + " wall"]]
        print(
            f"  {name:20} {statistics.median(cpu):7.1f} / {percentile(cpu, 0.95):7.1f} / "
            f"{max(cpu):7.1f}   wall {statistics.median(wall):7.1f} / {percentile(wall, 0.95):7.1f}"
        )
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if os.environ.get("FACETS_BENCH_JSON"):
        with open(os.environ["FACETS_BENCH_JSON"], "w") as out:
            json.dump(results, out)


if __name__ == "__main__":
    main()
