"""The co-mention network in a real browser (Playwright driving Debian's Chromium against
the real server): an entity's network drawn as SVG, reached from the entity page, whose
nodes lead to their entities, with and without JavaScript; a query's network from the
entity index."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_fixtures import ARTIFACTS, serving
from cabledesk.facade import Archive
from cabledesk.redact.viewer import Viewer
from cabledesk.web import create_app
from conftest import SAMPLE


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, str]]:
    folder = tmp_path_factory.mktemp("browser-network") / "archive"
    with Archive.open(folder) as archive:
        assert archive.ingest([SAMPLE], workers=1).failed == 0
        archive.enrich(workers=0)
        top = archive.entities(viewer=Viewer(), limit=1)[0]
    with serving(create_app(folder)) as url:
        yield url, top.id, top.name


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def test_an_entity_network_from_its_page_to_a_neighbour(
    page: Page, desk: tuple[str, int, str]
) -> None:
    base, entity_id, name = desk
    page.goto(f"{base}/entities/{entity_id}")
    page.click("#network-link")
    expect(page).to_have_url(re.compile(rf"/entities/{entity_id}/network$"))
    svg = page.locator("#network-svg")
    expect(svg).to_be_visible()
    nodes = svg.locator("a[data-entity]")
    assert nodes.count() == 31
    box = svg.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 400
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "entity-network.png"), full_page=True)
    # A neighbour's circle is a link to its entity page.
    neighbour = nodes.nth(1)
    target = neighbour.get_attribute("data-entity")
    neighbour.locator("circle").click()
    expect(page).to_have_url(re.compile(rf"/entities/{target}$"))
    expect(page.locator("h1")).to_be_visible()
    # The export links answer.
    page.goto(f"{base}/entities/{entity_id}/network")
    with page.expect_download() as download:
        page.click("text=gexf")
    assert download.value.suggested_filename.endswith(".gexf")
    assert name in (page.locator("#network-svg").text_content() or "")


def test_the_network_reads_without_javascript(browser: Browser, desk: tuple[str, int, str]) -> None:
    base = desk[0]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base}/entities?q=iran")
        page.click("#network-link")
        expect(page).to_have_url(re.compile(r"/network\?q=iran$"))
        expect(page.locator("#network-svg")).to_be_visible()
        assert page.locator("#network-svg a[data-entity]").count() == 30
        assert page.locator("table.network-links tbody tr").count() > 30
    finally:
        context.close()
