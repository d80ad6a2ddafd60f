"""Where the parser's time goes: CPU time of each core rule per cable, best of the rounds.

    .venv/bin/python bench/parse_rules.py [--rounds 3] [PATH ...]

PATH is any input the readers take (a release's cables.csv, HTML pages, a directory); by
default the shared corpus' HTML pages. Times are the thread's CPU time, which another
process on the machine disturbs less than wall time; the per-call timer adds about 1 µs a
rule, so the rules add up to a little more than a plain parse.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from cabledesk.parse.core import Parser
from cabledesk.parse.state import ParseState
from cabledesk.sources import SourceText, read_paths

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikileaks-html" / "cable"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sources = [s for s in read_paths(args.paths) if isinstance(s, SourceText)]
    cable_parser = Parser()
    totals: Counter[str] = Counter()
    rules = [(named.name, named.rule) for named in cable_parser.core.active()]
    best: dict[str, float] = {}
    best_total = float("inf")
    for _ in range(args.rounds):
        totals.clear()
        start = time.thread_time()
        for source in sources:
            state = ParseState.start(source)
            for name, rule in rules:
                began = time.thread_time()
                rule(state)
                totals[name] += time.thread_time() - began
        best_total = min(best_total, time.thread_time() - start)
        for name, seconds in totals.items():
            best[name] = min(best.get(name, float("inf")), seconds)
    size = sum(len(s.raw.encode()) for s in sources) / len(sources) / 1024
    per_cable = best_total / len(sources) * 1e6
    print(f"{len(sources)} cables, {size:.1f} KB each: {per_cable:.0f} µs a cable (CPU, best)")
    for name, seconds in sorted(best.items(), key=lambda item: -item[1]):
        print(f"  {name:28s} {seconds / len(sources) * 1e6:7.1f} µs")


if __name__ == "__main__":
    main()
