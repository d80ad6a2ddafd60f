"""The real server under concurrent readers (issue: the desk died with two clients).

Eight clients at once, each making the same number of requests over search, timeline, API
and cable pages, as anonymous visitors, signed-in readers (session cookie) and an API
token, against an archive of a few thousand generated cables: every request is answered,
no answer is a 5xx and the server survives. The test counts requests, not time (a shared
CI machine once managed 60 in thirty seconds); the driver is bench/load.py, which also
measures the figures in docs/performance.md.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from cabledesk.access import Accounts
from cabledesk.archive.blob import pack_record, unpack_record
from cabledesk.facade import Archive
from cabledesk.synthetic.corpus import write_corpus
from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "bench"))
import load
from cabledesk.redact import FULL

PASSWORD = "load test password"
CLIENTS = 8
# Each client starts at its own place in bench/load.py's plan (search, API search, timeline
# and cable pages in turn): sixteen requests take every kind of visitor to every kind of page.
REQUESTS_EACH = 16


def test_records_unpack_correctly_from_many_threads() -> None:
    # One shared zstd decompressor gave garbled records (and crashed the process).
    records = [{"n": n, "text": "x" * 100_000 + os.urandom(40_000).hex()} for n in range(4)]
    blobs = [pack_record(record) for record in records]
    failures: list[str] = []

    def work(n: int) -> None:
        for _ in range(150):
            try:
                if unpack_record(blobs[n]) != records[n]:
                    failures.append(f"thread {n}: a different record")
            except Exception as exc:  # any error is the finding
                failures.append(f"thread {n}: {exc!r}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.fixture(scope="module")
def loaded_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    folder = tmp_path_factory.mktemp("load")
    release = folder / "cables.csv"
    write_corpus(release, 3000, 7, [SAMPLE])
    db = folder / "archive"
    with Archive.open(db) as archive:
        report = archive.ingest([release, SAMPLE], workers=2)
        assert report.failed == 0
        ids = list(archive.matching_ids("embassy", sort="date", viewer=FULL))[:40]
        archive.approve(ids[:20])
        archive.connection.execute("SELECT 1")

        archive.record_edition(None, "load-test")
        accounts = Accounts(archive)
        accounts.add("reader", PASSWORD, "reader", "CONFIDENTIAL")
        _, token = accounts.create_token("load", "reader")
    return db, token, ids


def test_eight_clients_at_once(loaded_archive: tuple[Path, str, list[str]]) -> None:
    db, token, ids = loaded_archive
    port = load.free_port()
    server = load.start_server(str(db), port)
    try:
        tally, elapsed = load.drive(
            f"http://127.0.0.1:{port}",
            clients=CLIENTS,
            seconds=900,  # only a limit: each client stops after its requests
            requests=REQUESTS_EACH,
            user=("reader", PASSWORD),
            token=token,
            ids=ids,
        )
        survived = server.poll() is None
    finally:
        server.terminate()
        server.wait(10)
    print(load.summary(tally, elapsed))
    assert survived, "the server died under load"
    assert tally.errors == []
    assert not [s for s in tally.statuses if s >= 500], tally.statuses
    assert set(tally.statuses) <= {200, 404}, tally.statuses
    assert len(tally.times) == CLIENTS * REQUESTS_EACH
