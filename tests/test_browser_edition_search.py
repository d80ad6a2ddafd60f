"""The edition's search in Chromium, through a plain static server (http.server), as a
reader of a published site gets it: results, a phrase, no result, paging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from cabledesk import Archive
from cabledesk.publish import build_site
from edition_fixtures import edition_archive, static_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-edition-search")
    with Archive.open(edition_archive(folder)) as archive:
        build_site(archive, folder / "site")
    with static_server(folder / "site") as url:
        yield url


def search(browser: Browser, base_url: str, query: str) -> tuple[Page, list[str]]:
    """A cold page (a context of its own) searching `query`; the ids shown."""
    page = browser.new_context().new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base_url}/search.html?q={query}")
    expect(page.locator("#site-results")).to_have_attribute("data-state", "done")
    # Only the files of a search, never a whole index: no docs.json, no listing.
    assert not [u for u in requests if u.endswith("docs.json")]
    return page, page.locator("#site-results a.hit-id").all_inner_texts()


def test_a_word_finds_its_cables_and_links_them(browser: Browser, base_url: str) -> None:
    page, shown = search(browser, base_url, "basra")
    assert "08BAGHDAD9001" in shown
    expect(page.locator("#site-results h1")).to_contain_text("match")
    page.locator("#site-results a.hit-id", has_text="08BAGHDAD9001").click()
    expect(page.locator("h1")).to_contain_text("08BAGHDAD9001")
    expect(page.locator(".body")).to_contain_text("Quds Force")


def test_a_phrase_matches_the_words_in_a_row(browser: Browser, base_url: str) -> None:
    _, words = search(browser, base_url, "quds force")
    assert {"08BAGHDAD9001", "08BAGHDAD9002"} <= set(words)
    _, phrase = search(browser, base_url, '"quds force"')
    assert "08BAGHDAD9001" in phrase and "08BAGHDAD9002" not in phrase
    _, three = search(browser, base_url, '"qarwen brigade tolmar"')
    assert three == ["08BAGHDAD9003"]
    _, apart = search(browser, base_url, "qarwen tolmar")
    assert sorted(apart) == ["08BAGHDAD9003", "08BAGHDAD9004"]


def test_no_result(browser: Browser, base_url: str) -> None:
    for query in ("zzqqxx", '"tolmar qarwen"', "basra zzqqxx"):
        page, shown = search(browser, base_url, query)
        assert shown == []
        expect(page.locator("#site-results h1")).to_contain_text("0 cables")


def test_paging_through_a_common_word(browser: Browser, base_url: str) -> None:
    page, first = search(browser, base_url, "the")
    assert len(first) == 20
    expect(page.locator("#site-results h1")).to_contain_text("304 cables match")
    page.click("#site-next")
    expect(page.locator("#site-results")).to_have_attribute("data-page", "2")
    second = page.locator("#site-results a.hit-id").all_inner_texts()
    assert len(second) == 20 and not set(first) & set(second)
    page.click("#site-previous")
    expect(page.locator("#site-results")).to_have_attribute("data-page", "1")
    assert page.locator("#site-results a.hit-id").all_inner_texts() == first
    # The form searches again without leaving the page.
    page.fill("#q", "qarwen")
    page.click("#site-search button[type=submit]")
    expect(page.locator("#site-results h1")).to_contain_text("2 cables match")


def test_a_prefix_finds_the_words_that_start_so(browser: Browser, base_url: str) -> None:
    _, shown = search(browser, base_url, "qarw*")
    assert sorted(shown) == ["08BAGHDAD9003", "08BAGHDAD9004"]
