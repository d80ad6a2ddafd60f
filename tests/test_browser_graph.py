"""The citation graph in a real browser (Playwright driving Debian's Chromium): a cable's
neighbourhood drawn as SVG whose nodes link to their cables, and its thread, with and
without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_fixtures import ARTIFACTS, serving
from cabledesk.web import create_app
from test_browser import assert_not_blank
from web_fixtures import build_web_archive


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(create_app(build_web_archive(tmp_path_factory.mktemp("browser-graph")))) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_neighbourhood_graph_node_opens_its_cable(page: Page, base_url: str) -> None:
    page.goto(base_url + "/cable/08OSLO670")
    page.locator("#graph-link").click()
    expect(page).to_have_url(base_url + "/cable/08OSLO670/graph")
    graph = page.locator("svg#graph")
    expect(graph).to_be_visible()
    # The centre and what it cites, drawn and linked; the arrow between them.
    expect(graph.locator('a.node.centre[data-id="08OSLO670"]')).to_have_count(1)
    expect(
        graph.locator('path.edge[data-source="08OSLO670"][data-target="08OSLO585"]')
    ).to_have_count(1)
    box = graph.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 40
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    graph.screenshot(path=ARTIFACTS / "graph-08OSLO670.png")
    assert_not_blank(ARTIFACTS / "graph-08OSLO670.png")
    expect(page.locator("#in-degree")).to_contain_text("0 cables")
    graph.locator('a.node[data-id="08OSLO585"]').click()
    expect(page).to_have_url(base_url + "/cable/08OSLO585")
    expect(page.locator("h1")).to_contain_text("08OSLO585")


def test_thread_lists_the_chain_in_date_order(page: Page, base_url: str) -> None:
    page.goto(base_url + "/cable/08OSLO585")
    page.locator("#thread-link").click()
    expect(page).to_have_url(base_url + "/cable/08OSLO585/thread")
    rows = page.locator("table#thread tbody tr")
    expect(rows).to_have_count(2)
    assert rows.nth(0).get_attribute("data-id") == "08OSLO585"
    assert rows.nth(1).get_attribute("data-id") == "08OSLO670"
    expect(page.locator("#thread-count")).to_have_text("2")
    dates = [rows.nth(i).locator("td").first.text_content() for i in range(2)]
    assert dates == sorted(dates)
    rows.nth(1).locator("th a").click()
    expect(page).to_have_url(base_url + "/cable/08OSLO670")


def test_graph_pages_work_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/cable/08OSLO585/graph")
    expect(page.locator("svg#graph")).to_be_visible()
    page.locator('svg#graph a.node[data-id="08OSLO670"]').click()
    expect(page).to_have_url(base_url + "/cable/08OSLO670")
    page.goto(base_url + "/graph/most-cited?archived=yes")
    page.locator("table#most-cited tbody tr", has_text="08OSLO585").locator(
        "a", has_text="graph"
    ).click()
    expect(page).to_have_url(base_url + "/cable/08OSLO585/graph")
    context.close()
