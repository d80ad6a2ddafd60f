"""The public edition's search at the size of a release (issue 16, "Search at a few
hundred KB"; docs/performance.md, "Searching the edition").

    .venv/bin/python bench/edition_search.py --base /tmp/cabledesk-bench-enrich/base10000 --n 5000
    .venv/bin/python bench/edition_search.py --base /tmp/cabledesk-bench-enrich/base50000
    .venv/bin/python bench/edition_search.py --site SITE     # a site `cabledesk publish` built

Builds the search part of an edition of the first N cables of a copy of the archive
`--base` (an ingested generated release, `bench/enrich.py prepare`): each cable's public
record (as `cabledesk publish` makes it) added to the index, search.html and the static
files, but no cable pages (they play no part in a search; `bench/publish.py` times the
whole publish). Reports the build's CPU seconds and peak memory, the index's size, files
and largest file. Then serves the site with Python's own static server (http.server, in a
thread) and, for each of QUERIES, opens search.html?q=... in a fresh Chromium context (a
cold cache) and records the bytes downloaded (every response: headers and bodies), the
requests, and the time to first results: from the navigation's start to the moment the
script shows the results (`data-ms`, performance.now() in the page), and the wall time
of the whole visit as seen from here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# Twenty typical queries: one to three words, names, phrases, common words.
QUERIES = [
    "iran",
    "karzai",
    "hezbollah",
    "guantanamo detainees",
    "north korea",
    "iran nuclear",
    "oil gas",
    "police corruption",
    "china trade",
    "moscow gas",
    '"quds force"',
    '"prime minister"',
    '"human rights"',
    '"security council"',
    '"al qaeda"',
    '"foreign minister" iran',
    "the",
    "government minister",
    '"end summary"',
    "president embassy ambassador",
]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def build(base: Path, n: int | None, work: Path) -> dict[str, Any]:
    from cabledesk import Archive
    from cabledesk.archive.editions import records_of_versions
    from cabledesk.presentation import STATIC
    from cabledesk.presentation.templating import environment
    from cabledesk.presentation.urls import SiteUrls
    from cabledesk.publish.edition import public_record, public_viewer
    from cabledesk.publish.search_index import IndexWriter, document

    archive_copy = work / "archive"
    shutil.copytree(base, archive_copy)
    site = work / "site"
    site.mkdir()
    started = time.process_time()
    wall = time.monotonic()
    docs: list[list[str]] = []
    with Archive.open(archive_copy) as archive:
        viewer = public_viewer(archive)
        limit = -1 if n is None else n
        query = f"SELECT reference_id, text_hash FROM cables ORDER BY id LIMIT {int(limit)}"
        writer = IndexWriter(site / "search", work / "spool")
        read = adding = 0.0
        for number, (_, stored) in enumerate(records_of_versions(archive.connection, query)):
            before = time.process_time()
            public = public_record(stored, viewer)
            between = time.process_time()
            read += between - before
            writer.add(number, public)
            adding += time.process_time() - between
            docs.append(document(public))
        added = time.process_time()
        terms = writer.finish(docs)
    finished = time.process_time()
    common = {"static_site": True, "footer_text": "bench", "archive_count": len(docs)}
    html = (
        environment()
        .get_template("site_search.html")
        .render(**common, brand="bench", urls=SiteUrls(0), section="search")
    )
    (site / "search.html").write_text(html, encoding="utf-8")
    (site / "static").mkdir()
    for name in ("desk.css", "desk.js", "site-search.js"):
        (site / "static" / name).write_bytes((STATIC / name).read_bytes())
    files = [p for p in (site / "search").rglob("*") if p.is_file()]
    largest = max(files, key=lambda p: p.stat().st_size)
    tree = [p for p in (site / "search" / "t").iterdir()]
    return {
        "cables": len(docs),
        "terms": terms,
        "cpu_s": {
            "viewing_records": round(read, 1),
            # Before, "index_add" was this and the reading of the stored records together.
            "reading_records_and_rows": round(added - started - read - adding, 1),
            "index_add": round(adding, 1),
            "index_finish": round(finished - added, 1),
        },
        "wall_s": round(time.monotonic() - wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "index_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "index_files": len(files),
        "tree_files": len(tree),
        "largest_tree_file": max(p.stat().st_size for p in tree),
        "largest_file": [str(largest.relative_to(site)), largest.stat().st_size],
    }


def measure(site: Path, queries: list[str]) -> list[dict[str, Any]]:
    from browser_fixtures import chromium
    from edition_fixtures import static_server

    rows = []
    with static_server(site) as url, chromium() as browser:
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            requests: list[Any] = []
            page.on("request", lambda request, into=requests: into.append(request))
            started = time.monotonic()
            page.goto(f"{url}/search.html?q={quote(query)}")
            page.wait_for_selector("#site-results[data-state=done]", timeout=60_000)
            wall = time.monotonic() - started
            # Every request counted: the events of the last ones may still be on their way.
            page.wait_for_load_state("networkidle")
            sizes = []
            for request in requests:
                got = request.sizes()
                sizes.append(got["responseBodySize"] + got["responseHeadersSize"])
            results = page.locator("#site-results")
            rows.append(
                {
                    "query": query,
                    "bytes": sum(sizes),
                    "requests": len(sizes),
                    "search_bytes": int(results.get_attribute("data-bytes") or 0),
                    "first_results_ms": int(results.get_attribute("data-ms") or 0),
                    "wall_ms": round(wall * 1000),
                    "heading": page.locator("#site-results h1").inner_text(),
                    "shown": page.locator("#site-results a.hit-id").count(),
                }
            )
            context.close()
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--base", type=Path, help="an ingested archive (copied)")
    p.add_argument("--n", type=int, default=None, help="cables (default: all)")
    p.add_argument("--site", type=Path, help="measure the queries over this built site")
    p.add_argument("--work", type=Path, default=Path("/tmp/cabledesk-bench-edsearch"))
    p.add_argument("--keep", action="store_true")
    p.add_argument("--out", type=Path, help="append the result (JSON) to this file")
    p.add_argument(
        "--cpu", type=int, default=None, help="pin the build to this CPU (not the queries)"
    )
    args = p.parse_args()
    result: dict[str, Any] = {"load_before": load()}
    site = args.site
    if site is None:
        if args.base is None:
            sys.exit("--base or --site")
        if args.work.exists():
            shutil.rmtree(args.work)
        args.work.mkdir(parents=True)
        every = os.sched_getaffinity(0)
        if args.cpu is not None:
            os.sched_setaffinity(0, {args.cpu})
        result["build"] = build(args.base, args.n, args.work)
        os.sched_setaffinity(0, every)
        site = args.work / "site"
        print(json.dumps(result["build"]), flush=True)
    result["queries"] = measure(site, QUERIES)
    result["load_after"] = load()
    text = json.dumps(result, indent=1)
    print(text)
    for row in result["queries"]:
        print(
            f"| {row['query']} | {row['bytes'] / 1000:.1f} KB | {row['requests']} | "
            f"{row['first_results_ms']} ms | {row['wall_ms']} ms | {row['heading']} |"
        )
    if args.out:
        with args.out.open("a") as handle:
            handle.write(json.dumps(result) + "\n")
    if args.site is None and not args.keep:
        shutil.rmtree(args.work)
    os.sync()


if __name__ == "__main__":
    main()
