"""The public edition at scale (issue 16): a streaming build whose pages stay small.

Every list of the site (the front page, the browse pages, the cables of an origin, TAG,
month or classification) is cut into pages, so no page grows with the edition; every
cable stays reachable by following links from the front page. (The search index:
tests/test_edition_search.py.)
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

from cabledesk import Archive
from cabledesk.publish import build_site
from cabledesk.publish.site import PublishError
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
