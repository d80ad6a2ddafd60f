"""The co-mention network at scale (docs/network.md, docs/performance.md "The co-mention
network"): build each class of reader's incidence cache, then time entity networks and
query networks, through the Python API and as desk pages.

    .venv/bin/python bench/network.py --db COPY [--edition 15000] [--rounds 3] [--pages 30]

COPY must be a copy of an enriched archive (for the release: a copy of
/tmp/cabledesk-bench-enrich/enriched251287): the bench writes the cache into it, and
with `--edition N` approves the first N cables and records an edition (for the public's
figures) when it has none. Times are CPU time of this process (the machine is shared) and
wall time, ms, p50 / p95; each figure is printed with the load average.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ORIGINAL = Path("/tmp/cabledesk-bench-enrich")
QUERIES = ["iran", "nuclear", "tag:PREL", "date:2008..2009 iraq", "sanctions AND oil", ""]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(call: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def p50_p95(samples: list[tuple[float, float]]) -> dict[str, list[float]]:
    def two(values: list[float]) -> list[float]:
        values = sorted(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        return [round(statistics.median(values), 1), round(p95, 1)]

    return {"cpu": two([s[0] for s in samples]), "wall": two([s[1] for s in samples])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--edition", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--viewers", default="local,public,confidential")
    parser.add_argument("--web", action="store_true", help="also time the desk's pages")
    parser.add_argument(
        "--check",
        type=int,
        default=0,
        metavar="N",
        help="instead of timing: compare N entities' networks and some query networks, "
        "cached (both ways of counting) and counted, with a brute-force reading",
    )
    args = parser.parse_args()
    if ORIGINAL in args.db.resolve().parents:
        sys.exit("refusing to write into the shared benchmark archive: give a copy")

    import cabledesk
    from cabledesk.access.principal import LOCAL
    from cabledesk.redact.viewer import Viewer

    random.seed(7)
    with cabledesk.Archive.open(args.db) as archive:
        if args.edition and not archive.published():
            ids = [
                row[0]
                for row in archive.connection.execute(
                    "SELECT reference_id FROM cables ORDER BY id LIMIT ?", (args.edition,)
                )
            ]
            archive.approve(ids, account="bench")
            started = time.perf_counter()
            archive.record_edition(None, "bench")
            print(f"edition of {len(ids):,} recorded in {time.perf_counter() - started:.1f} s")
        low = Viewer(ceiling=1, foreign=True, redact=True)  # CONFIDENTIAL, foreign
        low.compiled = archive.redactor()
        viewers = {
            "local": archive.viewer(LOCAL),
            "public": archive.public_viewer(),
            "confidential": low,
        }
        for name in args.viewers.split(","):
            viewer = viewers[name]
            if args.check:
                check(archive, viewer, name, args.check)
                continue
            result: dict[str, Any] = {"viewer": name, "cables": archive.count(viewer=viewer)}
            before = load()
            cpu, wall = timed(lambda v=viewer: archive._networks.build(archive._seen(v)))
            result["build_s"] = {"cpu": round(cpu / 1000, 1), "wall": round(wall / 1000, 1)}
            result["build_load"] = [before, load()]
            before = load()
            visible = [e.id for e in archive.entities(viewer=viewer, limit=5000)]
            by_cables = sorted(
                archive.entities(viewer=viewer, limit=200), key=lambda e: (-e.cables, e.id)
            )
            heaviest = [e.id for e in by_cables[:10]]
            sample = random.sample(visible, min(args.pages, len(visible)))
            archive.entity_network(heaviest[0], viewer=viewer)  # warm caches
            result["entity_network_heaviest10"] = p50_p95(
                [
                    timed(lambda i=i, v=viewer: archive.entity_network(i, viewer=v))
                    for _ in range(args.rounds)
                    for i in heaviest
                ]
            )
            result["entity_network_random"] = p50_p95(
                [
                    timed(lambda i=i, v=viewer: archive.entity_network(i, viewer=v))
                    for _ in range(args.rounds)
                    for i in sample
                ]
            )
            queries: dict[str, Any] = {}
            print(json.dumps(result), flush=True)
            for q in QUERIES:
                found = archive.query_network(q, viewer=viewer, blank_matches_all=True)
                queries[q] = {
                    "matching": found.matching,
                    "counted": found.counted,
                    "capped": found.capped,
                    **p50_p95(
                        [
                            timed(
                                lambda q=q, v=viewer: archive.query_network(
                                    q, viewer=v, blank_matches_all=True
                                )
                            )
                            for _ in range(args.rounds)
                        ]
                    ),
                }
            result["query_network"] = queries
            if args.web:
                result["pages"] = pages(archive.path, name, heaviest, sample, args.rounds)
            result["load"] = [before, load()]
            print(json.dumps(result), flush=True)


def check(archive: Any, viewer: Any, name: str, n: int) -> None:
    """Every answer equal to a brute-force reading of the mentions (Visibility.sql)."""
    from itertools import combinations

    from cabledesk.archive import entity_network

    seen = archive._seen(viewer)
    sql, params = seen.sql("all")
    cables: dict[int, set[int]] = {}
    for cable_id, entity_id in archive.connection.execute(
        f"SELECT m.cable_id, k.entity_id {sql}", params
    ):
        cables.setdefault(entity_id, set()).add(cable_id)
    cables = {e: c for e, c in cables.items() if not archive._hidden(e, viewer)}

    def brute(entity_id: int) -> Any:
        own = cables[entity_id]
        shared = sorted(
            ((len(own & c), e) for e, c in cables.items() if e != entity_id and own & c),
            key=lambda x: (-x[0], x[1]),
        )
        ids = [entity_id, *(e for _, e in shared[:30])]
        links = sorted(
            ((a, b, len(cables[a] & cables[b])) for a, b in combinations(ids, 2)
             if cables[a] & cables[b]),
            key=lambda k: (-k[2], k[0], k[1]),
        )  # fmt: skip
        return [(e, len(cables[e])) for e in ids], links

    def got(network: Any) -> Any:
        return (
            [(x.id, x.cables) for x in network.nodes],
            [(k.source, k.target, k.cables) for k in network.links],
        )

    biggest = sorted(cables, key=lambda e: (-len(cables[e]), e))[: n // 2]
    picked = biggest + random.sample(sorted(set(cables) - set(biggest)), n - len(biggest))
    archive._networks.build(seen)
    checked = 0
    for entity_id in picked:
        expected = brute(entity_id)
        assert got(archive.entity_network(entity_id, viewer=viewer)) == expected, entity_id
        small = entity_network.SMALL
        entity_network.SMALL = 0  # every set walked by bitmaps, largest entity first
        try:
            assert got(archive.entity_network(entity_id, viewer=viewer)) == expected, entity_id
        finally:
            entity_network.SMALL = small
        archive._networks.fresh = lambda connection, seen: None  # counted from the mentions
        try:
            assert got(archive.entity_network(entity_id, viewer=viewer)) == expected, entity_id
        finally:
            del archive._networks.fresh
        checked += 1
    print(json.dumps({"viewer": name, "entities_checked": checked, "entities": len(cables)}))


def pages(
    folder: Path, name: str, heaviest: list[int], sample: list[int], rounds: int
) -> dict[str, Any]:
    """The desk's network pages (the local desk: an archive without accounts; the public
    and restricted readers would need accounts, and the page adds the same work for them)."""
    if name != "local":
        return {}
    from starlette.testclient import TestClient

    from cabledesk.web.app import create_app

    out: dict[str, Any] = {}
    with TestClient(create_app(folder)) as client:
        assert client.get(f"/entities/{heaviest[0]}/network").status_code == 200
        out["entity_page_heaviest10"] = p50_p95(
            [
                timed(lambda i=i: client.get(f"/entities/{i}/network"))
                for _ in range(rounds)
                for i in heaviest
            ]
        )
        out["entity_page_random"] = p50_p95(
            [
                timed(lambda i=i: client.get(f"/entities/{i}/network"))
                for _ in range(rounds)
                for i in sample
            ]
        )
        for q in QUERIES[:3]:
            assert client.get("/network", params={"q": q}).status_code == 200
            out[f"query_page {q}"] = p50_p95(
                [timed(lambda q=q: client.get("/network", params={"q": q})) for _ in range(rounds)]
            )
    return out


if __name__ == "__main__":
    main()
