"""The public edition at scale (issue 16): a streaming build whose pages stay small.

Every list of the site (the front page, the browse pages, the cables of an origin, TAG,
month or classification) is cut into pages, so no page grows with the edition; every
cable stays reachable by following links from the front page. (The search index:
tests/test_edition_search.py.)
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sqlite3
import time
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

from cabledesk import Archive
from cabledesk.publish import build_site, cache, edition, site
from cabledesk.publish.site import PublishError
from cabledesk.record.model import Cable
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE

LIMIT = 200_000
_HREF = re.compile(r'href="([^"]+)"')


class Counting:
    def __init__(self) -> None:
        self.total: int | None = None
        self.done = self.cables = 0
        self.finished = False

    def start(self, total: int | None, unit: str) -> None:
        self.total = total

    def advance(self, amount: int, cables: int) -> None:
        self.done += amount
        self.cables += cables

    def finish(self) -> None:
        self.finished = True


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 2,500 generated cables, all approved."""
    root = tmp_path_factory.mktemp("scale")
    release = root / "cables.csv"
    write_corpus(release, 2_500, 16, [SAMPLE])
    with Archive.open(root / "archive") as archive:
        archive.ingest([release], workers=1)
        ids = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
        archive.approve(ids)
    return root / "archive"


def reachable(site: Path) -> set[Path]:
    """Every file of `site` reached by following links from index.html."""
    seen = {site / "index.html"}
    queue = deque(seen)
    while queue:
        page = queue.popleft()
        for href in _HREF.findall(page.read_text(encoding="utf-8")):
            target, _ = urldefrag(href)
            if not target or "://" in target or target.startswith(("/", "mailto:")):
                continue
            path = (page.parent / unquote(target.split("?")[0])).resolve()
            if path.is_file() and path not in seen:
                seen.add(path)
                if path.suffix == ".html":
                    queue.append(path)
    return seen


def test_no_page_is_large_and_every_cable_is_reachable(generated: Path, tmp_path: Path) -> None:
    progress = Counting()
    with Archive.open(generated) as archive:
        approved = {
            row[0] for row in archive.connection.execute("SELECT reference_id FROM approvals")
        }
        report = build_site(archive, tmp_path / "site", page_size=25, progress=progress)
    site = (tmp_path / "site").resolve()
    assert report.cables == len(approved) == 2_500
    pages = list(site.rglob("*.html"))
    assert report.pages == len(pages)
    sizes = {p: p.stat().st_size for p in pages}
    assert max(sizes.values()) <= LIMIT, max(sizes.items(), key=lambda kv: kv[1])
    # Cut into pages indeed: the list of every cable, and some origin's, have several.
    assert (site / "list" / "all").is_dir() and len(list((site / "list" / "all").iterdir())) == 100
    assert any(p.name.endswith("-2.html") for p in (site / "list" / "origin").iterdir())
    assert len(re.findall(r'class="hit"', (site / "index.html").read_text())) == 25
    reached = reachable(site)
    cables = {p.stem for p in (site / "cable").iterdir()}
    assert cables == approved
    assert {p.stem for p in reached if p.parent.name == "cable"} == approved
    # Every list and browse page is linked from somewhere too.
    assert set(pages) <= reached
    assert (progress.total, progress.done, progress.cables) == (5_000, 5_000, 2_500)
    assert progress.finished
    # Nothing of the build is left beside the site.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_page_size_below_one_is_refused(generated: Path, tmp_path: Path) -> None:
    with Archive.open(generated) as archive, pytest.raises(PublishError, match="page size"):
        build_site(archive, tmp_path / "site", page_size=0)
    assert not (tmp_path / "site").exists()


def test_the_cache_is_written_only_once_the_page_workers_end(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page worker reads the build's cache while the search index is built; the cache
    is written only after the workers end. (A write that spilled to the file took
    SQLite's lock until the commit, and a worker still reading failed with "database is
    locked": it happened when the pages took longer than the index.)"""
    shutil.copytree(generated, tmp_path / "archive")
    render = site._Renderer.cable

    def slow_cable(self: site._Renderer, cable: Cable) -> None:
        time.sleep(0.004)  # the pages take longer than the index
        render(self, cable)

    monkeypatch.setattr(site._Renderer, "cable", slow_cable)
    change_files = cache.BuildCache.change_files
    workers_alive: list[int] = []

    def spilling(self: cache.BuildCache, gone: list[str], written: list[str]) -> None:
        workers_alive.append(len(multiprocessing.active_children()))
        self.connection.execute("PRAGMA cache_size = 1")  # every page written spills
        change_files(self, gone, written)

    monkeypatch.setattr(cache.BuildCache, "change_files", spilling)
    with Archive.open(tmp_path / "archive") as archive:
        report = build_site(archive, tmp_path / "site", workers=1)
    assert workers_alive == [0]
    assert report.cables == 2_500 and (tmp_path / "site" / "search" / "meta.json").exists()


def _view_packed_noting_the_process(rows: list[tuple[str, bytes]]) -> list[edition.Viewed]:
    folder = Path(os.environ["VIEWED_BY"])
    folder.mkdir(exist_ok=True)
    (folder / str(os.getpid())).touch()
    return _VIEW_PACKED(rows)


_VIEW_PACKED = edition.view_packed


def test_the_first_pass_in_worker_processes_builds_the_same_edition(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cables viewed in worker processes (a full build of 2,500 cables with a page
    worker) or in this process alone give the same site, byte for byte, and the same
    build cache, row for row in the same order (the second pass reads it in order)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764590400")
    monkeypatch.setenv("VIEWED_BY", str(tmp_path / "viewed-by"))
    monkeypatch.setattr(edition, "view_packed", _view_packed_noting_the_process)
    sites, caches = [], []
    for workers in (0, 1):
        work = tmp_path / str(workers)
        shutil.copytree(generated, work / "archive")
        with Archive.open(work / "archive") as archive:
            build_site(archive, work / "site", workers=workers, page_size=50)
        sites.append(
            {str(p.relative_to(work / "site")): p.read_bytes()
             for p in (work / "site").rglob("*") if p.is_file()}
        )  # fmt: skip
        with sqlite3.connect(work / "archive" / cache.FOLDER / cache.NAME) as connection:
            caches.append(connection.execute("SELECT * FROM records ORDER BY rowid").fetchall())
        viewed_by = {int(p.name) for p in (tmp_path / "viewed-by").iterdir()}
        shutil.rmtree(tmp_path / "viewed-by")
        # With a page worker, the first pass ran in two processes other than this one.
        assert viewed_by == {os.getpid()} if workers == 0 else len(viewed_by) == 2
        assert workers == 0 or os.getpid() not in viewed_by
    assert sites[0].keys() == sites[1].keys() and len(sites[0]) > 2_500
    assert [p for p in sites[0] if sites[0][p] != sites[1][p]] == []
    assert len(caches[0]) == 2_500 and caches[0] == caches[1]
