"""Web desk latency: the real server (`cabledesk serve`) driven over HTTP on loopback.

    .venv/bin/python bench/web.py --db ARCHIVE [--rounds 10] [--token TOKEN]

Starts `cabledesk serve` as a separate process, then requests, one at a time, the search
page (results, snippets and all five facet lists) for the 20 queries of bench/search.py,
the timeline page for the same queries, the cable pages of the top hits, the API search,
and the browse pages. Each address is fetched once to warm up, then `--rounds` times;
the time is from sending the request to having read the whole response.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))
from search import QUERIES, percentile


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


HEADERS: dict[str, str] = {}


def fetch(url: str) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    try:
        request = urllib.request.Request(url, headers=HEADERS)
        with urllib.request.urlopen(request, timeout=60) as answer:
            body, status = answer.read(), answer.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return (time.perf_counter() - start) * 1000, status, body


def measure(urls: list[str], rounds: int) -> list[float]:
    times = []
    for url in urls:
        fetch(url)
        for _ in range(rounds):
            elapsed, status, _ = fetch(url)
            assert status == 200, f"{url}: {status}"
            times.append(elapsed)
    return times


def report(label: str, times: list[float]) -> None:
    print(
        f"  {label:28s} n {len(times):4d}  p50 {statistics.median(times):7.1f} ms  "
        f"p95 {percentile(times, 0.95):7.1f} ms  p99 {percentile(times, 0.99):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--token", help="An API token (cabledesk token create): measure as that account."
    )
    args = parser.parse_args()
    if args.token:
        HEADERS["authorization"] = f"Bearer {args.token}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "cabledesk", "serve", "--db", args.db, "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, env={**os.environ})
    try:
        deadline = time.monotonic() + 600  # an index behind SQLite catches up first
        while True:
            try:
                fetch(base + "/api")
                break
            except OSError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        count = fetch(base + "/api/stats")[2].count(b'"count"')
        print(f"server up at {base} ({count} stats rows)")
        queries = [q for group in QUERIES.values() for q in group]
        search_pages: dict[str, list[str]] = {
            kind: [f"{base}/search?{urlencode({'q': q})}" for q in group]
            for kind, group in QUERIES.items()
        }
        print("\nsearch page (top 20, snippets, 5 facets), by kind of query")
        everything: list[float] = []
        for kind, urls in search_pages.items():
            times = measure(urls, args.rounds)
            everything += times
            report(kind, times)
        report("all search pages", everything)
        print("\nother pages and the API")
        report(
            "search page, sorted -date",
            measure(
                [f"{base}/search?{urlencode({'q': q, 'sort': '-date'})}" for q in queries],
                args.rounds,
            ),
        )
        report(
            "search page 5",
            measure(
                [f"{base}/search?{urlencode({'q': q, 'page': 5})}" for q in queries[:8]],
                args.rounds,
            ),
        )
        report(
            "timeline page",
            measure([f"{base}/timeline?{urlencode({'q': q})}" for q in queries], args.rounds),
        )
        report(
            "api/search",
            measure([f"{base}/api/search?{urlencode({'q': q})}" for q in queries], args.rounds),
        )
        ids = []
        for q in queries[:10]:
            body = fetch(f"{base}/api/search?{urlencode({'q': q, 'limit': 1, 'facets': 0})}")[2]
            marker = b'"reference_id":"'
            if marker in body:
                ids.append(body.split(marker, 1)[1].split(b'"', 1)[0].decode())
        report("cable page", measure([f"{base}/cable/{i}" for i in ids], args.rounds))
        report("start page (all cables)", measure([f"{base}/"], args.rounds))
        report(
            "browse pages (cached)",
            measure(
                [f"{base}/browse/{by}" for by in ("origin", "tag", "month", "classification")],
                args.rounds,
            ),
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
