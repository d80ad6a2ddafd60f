"""The web desk under concurrent clients: the real server, many readers at once.

    .venv/bin/python bench/load.py --db ARCHIVE [--clients 8] [--seconds 30]
        [--user NAME --password PW] [--token TOKEN]

Starts `cabledesk serve` as its own process on 127.0.0.1 and runs `--clients` threads for
`--seconds`, each requesting search pages (with facets), timelines, API searches and cable
pages in turn. Clients take turns at being an anonymous visitor, a reader signed in with a
session cookie (`--user`/`--password`) and one with an API token (`--token`). Reports
throughput and p50/p95/p99 latency, every status other than 200/404, and whether the
server survived. Exits 1 on a 5xx answer, a failed connection or a dead server.

Every request goes to 127.0.0.1 only, and the run stops by itself after `--seconds`.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

QUERIES = [
    "iran",
    "embassy",
    "minister AND government",
    "tag:PREL",
    "class:>=secret",
    "date:2008-01..2009-12",
    '"prime minister"',
    "nuclear OR oil",
    "pol*",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, elapsed: float, status: int, url: str) -> None:
        with self.lock:
            self.times.append(elapsed)
            self.statuses[status] += 1
            if status >= 500 and len(self.errors) < 20:
                self.errors.append(f"{status} {url}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Client:
    """One reader: an opener with its own cookies, and maybe a token."""

    def __init__(self, base: str, kind: str, token: str | None = None) -> None:
        self.base, self.kind = base, kind
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.headers = {"authorization": f"Bearer {token}"} if token else {}

    def fetch(self, path: str, data: bytes | None = None) -> tuple[float, int, bytes]:
        start = time.perf_counter()
        request = urllib.request.Request(self.base + path, data=data, headers=self.headers)
        try:
            with self.opener.open(request, timeout=60) as answer:
                body, status = answer.read(), answer.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        return (time.perf_counter() - start) * 1000, status, body

    def sign_in(self, name: str, password: str) -> None:
        _, status, body = self.fetch("/login")
        found = re.search(rb'name="csrf_token" value="([^"]+)"', body)
        if status != 200 or not found:
            raise RuntimeError(f"/login answered {status} without a form")
        form = urlencode({"name": name, "password": password, "csrf_token": found[1].decode()})
        _, status, _ = self.fetch("/login", form.encode())
        if status != 200:  # the redirect after signing in is followed to the start page
            raise RuntimeError(f"signing in as {name} answered {status}")


def paths(queries: list[str], ids: list[str]) -> list[str]:
    out = []
    for n, query in enumerate(queries):
        out.append("/search?" + urlencode({"q": query}))
        out.append("/api/search?" + urlencode({"q": query, "limit": 10}))
        if n % 3 == 0:
            out.append("/timeline?" + urlencode({"q": query}))
        out.extend(f"/cable/{i}" for i in ids[n :: len(queries)][:2])
    return out


def drive(
    base: str,
    *,
    clients: int,
    seconds: float,
    user: tuple[str, str] | None = None,
    token: str | None = None,
    ids: list[str] | None = None,
    alive: threading.Event | None = None,
    requests: int | None = None,
) -> tuple[Tally, float]:
    """Run `clients` threads against `base` for `seconds`; returns the tally and the time
    taken. `alive`, when given, is cleared by the caller to stop early. `requests`: each
    client stops after that many answers (`seconds` is then only a limit), so that a test
    counts behaviour, not how fast the machine happens to be."""
    kinds = ["anonymous"] + (["session"] if user else []) + (["token"] if token else [])
    tally = Tally()
    plan = paths(QUERIES, ids or [])
    deadline = time.monotonic() + seconds

    def run(number: int) -> None:
        kind = kinds[number % len(kinds)]
        client = Client(base, kind, token if kind == "token" else None)
        try:
            if kind == "session" and user:
                client.sign_in(*user)
            step = number
            while time.monotonic() < deadline and (alive is None or alive.is_set()):
                if requests is not None and step - number >= requests:
                    break
                path = plan[step % len(plan)]
                step += 1
                elapsed, status, _ = client.fetch(path)
                tally.add(elapsed, status, f"{kind} {path}")
        except (OSError, RuntimeError) as exc:
            with tally.lock:
                tally.errors.append(f"{kind}: {exc}")

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def start_server(db: str, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cabledesk", "serve", "--db", db, "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, env={**os.environ})
    deadline = time.monotonic() + 300  # an index behind SQLite catches up first
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=5):
                return server
        except urllib.error.HTTPError:
            return server  # answering (401 for a desk with accounts)
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with status {server.returncode}") from None
            if time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)


def summary(tally: Tally, elapsed: float) -> str:
    times = tally.times or [0.0]
    return (
        f"{len(tally.times)} requests in {elapsed:.1f} s: {len(tally.times) / elapsed:.1f}/s; "
        f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
        f"p99 {percentile(times, 0.99):.1f} ms; statuses {dict(sorted(tally.statuses.items()))}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--user", help="An account to sign in as with a session cookie.")
    parser.add_argument("--password")
    parser.add_argument("--token", help="An API token (cabledesk token create).")
    parser.add_argument("--ids", default="", help="Comma-separated cable ids to read.")
    args = parser.parse_args()
    port = free_port()
    server = start_server(args.db, port)
    try:
        user = (args.user, args.password) if args.user else None
        ids = [i for i in args.ids.split(",") if i]
        tally, elapsed = drive(
            f"http://127.0.0.1:{port}",
            clients=args.clients,
            seconds=args.seconds,
            user=user,
            token=args.token,
            ids=ids,
        )
        survived = server.poll() is None
    finally:
        server.terminate()
        server.wait(10)
    print(f"{args.clients} clients: {summary(tally, elapsed)}")
    print(f"server {'survived' if survived else 'DIED'}")
    for error in tally.errors:
        print(f"  error: {error}")
    bad = any(status >= 500 for status in tally.statuses)
    return 0 if survived and not bad and not tally.errors else 1


if __name__ == "__main__":
    sys.exit(main())
