"""The editors' review queue and the predicted-level facet in a real browser (Playwright
driving Debian's Chromium), reached by following the desk's own links: the queue ranked
by margin, filtered by kind, paged, each item linked to its paragraph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytest.importorskip("sklearn")

from browser_fixtures import ARTIFACTS, serving
from cabledesk.facade import Archive
from cabledesk.redact import FULL
from cabledesk.web import create_app
from test_browser import assert_not_blank
from test_sensitivity_uses import plant_model
from web_fixtures import build_web_archive


@pytest.fixture(scope="module")
def archive_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The web archive (the sample and one hostile cable), scored by a model that reads
    # "the" as SECRET, the more surely the more of a paragraph it is: UNCLASSIFIED cables
    # and paragraphs marked lower are in the queue, and so are unmarked paragraphs.
    folder = build_web_archive(tmp_path_factory.mktemp("browser-review"))
    plant_model(folder, "the", cables=49)
    return folder


@pytest.fixture(scope="module")
def base_url(archive_folder: Path) -> Iterator[str]:
    with serving(create_app(archive_folder)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _margins(page: Page) -> list[float]:
    rows = page.locator("tr.review-item")
    return [float(rows.nth(i).get_attribute("data-margin") or "nan") for i in range(rows.count())]


def test_the_review_queue_ranks_filters_pages_and_links(
    page: Page, base_url: str, archive_folder: Path
) -> None:
    with Archive.open(archive_folder) as archive:
        whole = archive.review(viewer=FULL, limit=10_000)
    assert whole.total > 25  # more than a page: the pager is tried
    page.goto(base_url + "/")
    page.get_by_role("link", name="Editor").click()
    page.get_by_role("navigation", name="Editor").get_by_role("link", name="Review").click()
    expect(page).to_have_url(base_url + "/editor/review")
    expect(page.locator("#review-total")).to_contain_text(f"{whole.total:,} items")
    first = _margins(page)
    assert len(first) == 25 and first == sorted(first, reverse=True)
    assert first == [round(i.margin, 4) for i in whole.items[:25]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("table.review").screenshot(path=ARTIFACTS / "review-queue.png")
    assert_not_blank(ARTIFACTS / "review-queue.png")
    # The next page goes on where the first stopped.
    page.get_by_role("link", name="next →").click()
    expect(page).to_have_url(base_url + "/editor/review?offset=25")
    second = _margins(page)
    assert second == [round(i.margin, 4) for i in whole.items[25:50]]
    # Filtered by kind: only that kind, still ranked.
    page.get_by_label("Kind").select_option("unmarked-secret")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(base_url + "/editor/review?kind=unmarked-secret")
    kinds = page.locator("tr.review-item")
    expect(kinds).not_to_have_count(0)
    for i in range(kinds.count()):
        assert kinds.nth(i).get_attribute("data-kind") == "unmarked-secret"
    margins = _margins(page)
    assert margins == sorted(margins, reverse=True)
    # An item links to its paragraph on the cable's page.
    link = kinds.nth(0).locator("a.review-link")
    href = link.get_attribute("href")
    assert href is not None and "#" in href
    link.click()
    expect(page).to_have_url(base_url + href)
    expect(page.locator(href[href.index("#") :])).to_be_visible()


def test_the_predicted_facet_refines_the_search(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search")
    facet = page.locator('a[data-facet="predicted"]', has_text="SECRET").first
    expect(facet).to_be_visible()
    count = int(facet.locator("xpath=following-sibling::span[1]").inner_text().replace(",", ""))
    facet.click()
    expect(page).to_have_url(base_url + "/search?q=predicted%3Asecret")
    expect(page.locator("#results-heading")).to_contain_text(f"{count:,} cable")
