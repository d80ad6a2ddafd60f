"""End to end in a real browser (issue 15): choosing a facet shows a chip, the chip takes
the filter out again (links, no JavaScript needed), and the map of origins is drawn for
the query, on the search page and on /map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_fixtures import ARTIFACTS, serving
from cabledesk.web import create_app
from web_fixtures import build_web_archive


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(create_app(build_web_archive(tmp_path_factory.mktemp("browser")))) as url:
        yield url


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=request.param
    )
    page = context.new_page()
    yield page
    context.close()


def test_a_facet_becomes_a_chip_that_removes_it(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=iran")
    heading = page.locator("#results-heading")
    before = heading.inner_text()
    expect(page.locator(".chip")).to_have_count(0)
    signer = page.locator('a[data-facet="signer"]').first
    value = signer.inner_text()
    count = int(signer.locator("xpath=following-sibling::span[1]").inner_text().replace(",", ""))
    signer.click()
    chip = page.locator('.chip[data-field="signer"]')
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(f"Signer: {value}")
    expect(page.locator("#q")).to_have_value(f'iran signer:="{value}"')
    expect(heading).to_contain_text(f"{count} cable{'' if count == 1 else 's'} match")
    # A second facet: two chips; taking the first out keeps the second.
    page.locator('a[data-facet="classification"]').first.click()
    expect(page.locator(".chip")).to_have_count(2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "search-chips.png")
    chip.locator("a.chip-remove").click()
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator('.chip[data-field="class"]')).to_have_count(1)
    page.locator("a.chip-remove").click()
    expect(page.locator(".chip")).to_have_count(0)
    expect(page.locator("#q")).to_have_value("iran")
    expect(heading).to_have_text(before)


def test_the_map_is_drawn_for_the_query(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=iran")
    marks = page.locator(".map-facet circle.post").count()
    assert marks > 1
    page.locator("#map-link").click()
    expect(page).to_have_url(base_url + "/map?q=iran")
    drawn = page.locator("svg.origin-map")
    expect(drawn).to_be_visible()
    assert page.locator("svg.origin-map circle.post").count() == marks
    box = drawn.bounding_box()
    assert box and box["width"] > 800
    page.screenshot(path=ARTIFACTS / "map.png")
    # Each circle narrows the search to its post.
    first = page.locator("svg.origin-map a").first
    origin = first.get_attribute("data-origin")
    first.click()
    expect(page.locator('.chip[data-field="origin"]')).to_contain_text(origin or "")
