"""Coverage in a real browser (Playwright driving Debian's Chromium): the table and its
chart, sorted by the worst covered, a post's serial timeline, and the missing cables
filtered, reached by following the page's own links."""

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
    folder = build_web_archive(tmp_path_factory.mktemp("browser-coverage"))
    with serving(create_app(folder)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _share(text: str | None) -> float:
    assert text is not None
    return float(text.strip().rstrip("%")) if text.strip() != "–" else -1.0


def test_coverage_table_sorts_draws_and_links(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Coverage").click()
    expect(page).to_have_url(base_url + "/coverage")
    chart = page.locator("svg#coverage-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 30
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=ARTIFACTS / "coverage-chart.png")
    assert_not_blank(ARTIFACTS / "coverage-chart.png")
    page.get_by_role("link", name="worst covered").click()
    expect(page).to_have_url(base_url + "/coverage?sort=worst")
    rows = page.locator("table#coverage-table tbody tr")
    shares = [_share(rows.nth(i).locator("td").nth(6).text_content()) for i in range(rows.count())]
    known = [s for s in shares if s >= 0]
    assert known and known == sorted(known)
    page.get_by_role("link", name="best covered").click()
    rows = page.locator("table#coverage-table tbody tr")
    first = _share(rows.nth(0).locator("td").nth(6).text_content())
    assert first == max(
        _share(rows.nth(i).locator("td").nth(6).text_content()) for i in range(rows.count())
    )
    # A post's serial timeline, from the table.
    post = rows.nth(0).get_attribute("data-post")
    rows.nth(0).locator("th a").click()
    expect(page).to_have_url(base_url + f"/coverage/posts/{post}")
    timeline = page.locator("svg#serial-timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("g.strip")).not_to_have_count(0)
    timeline.screenshot(path=ARTIFACTS / f"coverage-{post}.png")
    assert_not_blank(ARTIFACTS / f"coverage-{post}.png")
    # The export links answer.
    csv_href = page.get_by_role("link", name="coverage as CSV").get_attribute("href")
    assert csv_href is not None
    answer = page.request.get(base_url + csv_href)
    assert answer.ok and answer.text().startswith("post,year,held")


def test_missing_cables_filter_by_citations(page: Page, base_url: str) -> None:
    page.goto(base_url + "/coverage")
    page.get_by_role("link", name="the missing cables").click()
    expect(page).to_have_url(base_url + "/coverage/missing")
    rows = page.locator("table#missing-table tbody tr")
    total = rows.count()
    assert total > 0
    page.get_by_label("Cited by at least").fill("2")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(base_url + "/coverage/missing?post=&year=&min_citations=2")
    filtered = page.locator("table#missing-table tbody tr, #none-missing")
    counts = [
        int(filtered.nth(i).locator("td").nth(3).text_content() or "0")
        for i in range(page.locator("table#missing-table tbody tr").count())
    ]
    assert all(c >= 2 for c in counts)
    assert len(counts) <= total
