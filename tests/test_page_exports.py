"""Export links on the pages that list cables (issue 15, "Citations and exports from the
page"): the browse pages (every cable; each origin and level) and each entity's page link
/api/export/cables with the query that finds exactly what they list, all of it, not the
page shown, and as the asking reader receives it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.facade import Archive
from cabledesk.publish import build_site
from cabledesk.redact.viewer import FULL
from cabledesk.web import create_app
from conftest import SAMPLE


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("page-exports") / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE, workers=1)
        archive.enrich(workers=1)
    return folder


@pytest.fixture(scope="module")
def desk(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(folder)) as client:
        yield client


def _links(page: str, where: str) -> list[str]:
    return [
        unescape(h) for h in re.findall(rf'<{where}.*?href="([^"]+)" data-format="jsonl"', page)
    ]


def _exported(client: TestClient, href: str) -> list[str]:
    answer = client.get(href)
    assert answer.status_code == 200, href
    ids = [json.loads(line)["reference_id"] for line in answer.text.splitlines()]
    assert answer.headers["x-rows"] == str(len(ids))
    return ids


def test_browse_pages_export_every_cable_and_each_row(desk: TestClient, folder: Path) -> None:
    with Archive.open(folder) as archive:
        ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
        cables = [c for c in (archive.get(i, viewer=FULL) for i in ids) if c is not None]
    origins = {c.origin for c in cables if c.origin}
    for by in ("origin", "tag", "month", "classification"):
        page = desk.get(f"/browse/{by}").text
        (every,) = re.findall(r'<p class="export-links">.*?</p>', page, re.S)
        href = unescape(re.search(r'href="([^"]+)" data-format="csv"', every).group(1))
        assert "/api/export/cables?q=&" in href
        answer = desk.get(href)
        assert answer.status_code == 200 and answer.headers["x-rows"] == str(len(cables)), by
    page = desk.get("/browse/origin").text
    rows = re.findall(r'<tr id="o-[^"]*"><th scope="row"><a[^>]*>([^<]+)</a>.*?</tr>', page, re.S)
    assert len(rows) == len(origins)
    for row in re.findall(r'<tr id="o-.*?</tr>', page, re.S):
        origin = unescape(re.search(r'<th scope="row"><a[^>]*>([^<]+)</a>', row).group(1))
        (href,) = _links(row, "td")
        assert sorted(_exported(desk, href)) == sorted(
            c.reference_id for c in cables if c.origin == origin
        ), origin
    page = desk.get("/browse/classification").text
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", page, re.S):
        level = re.search(r'<span class="badge[^"]*">([^<]+)</span>', row).group(1)
        (href,) = _links(row, "td")
        assert sorted(_exported(desk, href)) == sorted(
            c.reference_id for c in cables if c.classification == level
        ), level


def test_entity_pages_export_all_their_cables(desk: TestClient, folder: Path) -> None:
    entities = desk.get("/api/entities", params={"limit": 40}).json()["entities"]
    assert entities
    larger = 0
    for entity in entities:
        page = desk.get(f"/entities/{entity['id']}").text
        (href,) = _links(page, 'p class="export-links"')
        exported = _exported(desk, href)
        cables = desk.get(f"/api/entities/{entity['id']}").json()["cable_ids"]
        assert sorted(exported) == sorted(cables), entity
        assert len(exported) == entity["cables"]
        larger += len(cables) > 20  # more than the page shows
    assert larger, "some entity has more cables than one page shows"


def test_a_visitor_exports_only_the_published_cables(folder: Path) -> None:
    with Archive.open(folder) as archive:
        ids = sorted(r[0] for r in archive.connection.execute("SELECT reference_id FROM cables"))
        archive.approve(ids[::3])
        Accounts(archive).add("ada", "a long enough password", "admin")
        published = archive.published()
    with TestClient(create_app(folder)) as visitor:
        page = visitor.get("/browse/origin").text
        (every,) = re.findall(r'<p class="export-links">.*?</p>', page, re.S)
        href = unescape(re.search(r'href="([^"]+)" data-format="jsonl"', every).group(1))
        assert set(_exported(visitor, href)) == published


def test_the_static_edition_has_no_export_links(folder: Path, tmp_path: Path) -> None:
    with Archive.open(folder) as archive:
        if not archive.published():
            archive.approve(
                sorted(r[0] for r in archive.connection.execute("SELECT reference_id FROM cables"))[
                    :5
                ]
            )
        build_site(archive, tmp_path / "site", account="test")
    pages = list((tmp_path / "site").rglob("*.html"))
    assert any("browse" in str(p) for p in pages)
    for path in pages:
        text = path.read_text(encoding="utf-8")
        # No API, and no map (the desk draws it): no link to either.
        assert "/api/export/" not in text and 'href="/map' not in text, path
