"""A neighbourhood around a heavily cited cable (docs/performance.md, "The citation graph:
pages and query fields"). The generated release has no such hub (at most 110 nodes within
2 hops), real archives do: this writes a synthetic graph cache of 250,000 cables with one
cable cited by 5,000 (each of them citing 5 others at random) and 300,000 random
citations, then times `Graph.neighbourhood` (CPU, mean of 5, warm) around the hub and two
of its citers, and the drawing's layout.

    .venv/bin/python bench/graph_hub.py FOLDER
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from pathlib import Path

from cabledesk.archive import graph as graph_store
from cabledesk.presentation.graph_drawing import layout


def main() -> None:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    found = graph_store.Collected()
    ids = [f"08POST{i}" for i in range(250_000)]
    for n, cable_id in enumerate(ids):
        found.cables[cable_id] = (f"{2000 + n % 10}-{1 + n % 12:02d}-01", "Embassy Post")
    hub = ids[0]
    for citing in ids[1:5001]:
        found.edges.add((citing, hub))
        for _ in range(5):
            found.edges.add((citing, rng.choice(ids)))
    for _ in range(300_000):
        a, b = rng.choice(ids), rng.choice(ids)
        if a != b:
            found.edges.add((a, b))
    built = graph_store.compute(found, quality=False)
    graphs = graph_store.Graphs(folder, folder / "none.db")
    graphs._write("bench", "bench", built)
    graph = graph_store.Graph(sqlite3.connect(folder / graph_store.CACHE), "bench")
    for cable_id in (hub, ids[1], ids[777]):
        graph.neighbourhood(cable_id)
        started = time.process_time()
        for _ in range(5):
            around = graph.neighbourhood(cable_id)
        took = (time.process_time() - started) / 5 * 1000
        assert around is not None
        print(
            f"{cable_id}: {around.found:,} nodes within 2 hops, {len(around.nodes)} shown, "
            f"{len(around.edges)} edges: {took:.1f} ms CPU",
            flush=True,
        )
        started = time.process_time()
        drawing = layout(around, lambda node: "/" + node.id)
        print(
            f"  layout {(time.process_time() - started) * 1000:.1f} ms CPU, "
            f"{drawing.width} x {drawing.height} px"
        )


if __name__ == "__main__":
    main()
