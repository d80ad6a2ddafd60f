"""End to end in a real browser: Playwright driving Debian's Chromium against the real server.

`make test` installs chromium when it is missing (tools/system-packages.sh); without
/usr/bin/chromium these tests fail (they are never skipped) with a message that says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page, expect

from browser_fixtures import ARTIFACTS, serving
from cabledesk.web import create_app
from web_fixtures import build_web_archive


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(create_app(build_web_archive(tmp_path_factory.mktemp("browser")))) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def assert_not_blank(path: Path) -> None:
    with Image.open(path) as image:
        stats = ImageStat.Stat(image.convert("L"))
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert stats.stddev[0] > 10, f"{path} looks blank (luminance spread {stats.stddev[0]:.1f})"
    assert len(colours) > 50, f"{path} has only {len(colours)} colours"


def test_search_facet_cable_reference_and_back(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#q", "oslo")
    page.press("#q", "Enter")
    expect(page.locator("#results-heading")).to_contain_text("match")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)
    assert_not_blank(ARTIFACTS / "search.png")

    page.locator('a[data-facet="year"]', has_text="2008").first.click()
    expect(page.locator("#q")).to_have_value("oslo year:2008")
    assert "year%3A2008" in page.url

    page.locator("a.hit-id", has_text="08OSLO670").click()
    expect(page).to_have_url(base_url + "/cable/08OSLO670")
    page.locator(".refs a", has_text="08OSLO585").click()
    expect(page).to_have_url(base_url + "/cable/08OSLO585")
    expect(page.locator("h1")).to_contain_text("08OSLO585")
    page.locator(".citing a", has_text="08OSLO670").click()
    expect(page).to_have_url(base_url + "/cable/08OSLO670")


def test_malformed_query_message_beside_the_box(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search")
    page.fill("#q", "maliki AND (")
    page.press("#q", "Enter")
    error = page.locator("#query-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("term was expected")
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")


def test_timeline_bar_narrows_to_its_month(page: Page, base_url: str) -> None:
    page.goto(base_url + "/timeline?q=iran")
    bar = page.locator('svg.chart a[data-month="2008-06"]')
    expect(bar).to_have_count(1)
    bar.click()
    expect(page).to_have_url(base_url + "/search?q=iran+date%3A2008-06&sort=date")
    expect(page.locator("#results-heading")).to_contain_text("match")
    assert page.locator("a.hit-id", has_text="08BAGHDAD1784").count() == 1


def test_cable_page_anchor_raw_toggle_and_screenshot(page: Page, base_url: str) -> None:
    page.goto(base_url + "/cable/08BAGHDAD1784#p3")
    expect(page.locator("#p3")).to_be_visible()
    raw = page.locator("details#raw")
    expect(raw.locator("pre")).to_be_hidden()
    raw.locator("summary").click()
    expect(raw.locator("pre")).to_contain_text("140650Z JUN 08")
    page.screenshot(path=ARTIFACTS / "08BAGHDAD1784.png", full_page=True)
    assert_not_blank(ARTIFACTS / "08BAGHDAD1784.png")


def test_keyboard_only_search(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("iran")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("match")
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.textContent")
    second = page.locator("a.hit-id").nth(1).text_content()
    assert focused == second
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/cable/{second}")


def test_works_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/search?q=maliki")
    page.locator("a.hit-id", has_text="08BAGHDAD1784").click()
    expect(page.locator("h1")).to_contain_text("MALIKI")
    context.close()


def test_more_like_this_leads_to_a_similar_cable(page: Page, base_url: str) -> None:
    page.goto(base_url + "/cable/08OSLO670")
    section = page.locator("section.similar")
    expect(section.locator("h2")).to_have_text("More like this")
    first = section.locator("li a").first
    target = first.inner_text()
    expect(section.locator("li").first).to_contain_text("shared:")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=ARTIFACTS / "similar.png")
    first.click()
    expect(page).to_have_url(base_url + "/cable/" + target)
    expect(page.locator("h1")).to_contain_text(target)
    # The way back: the first cable is among the ones like this one.
    expect(page.locator("section.similar")).to_contain_text("08OSLO670")
