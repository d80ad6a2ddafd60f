"""Collections and notes in a real browser (Playwright driving Debian's Chromium): make a
collection, add a cable from its page, add a note to a paragraph and see it beside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from access_fixtures import PASSWORD
from browser_fixtures import ARTIFACTS, serving_with_people


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_with_people(tmp_path_factory.mktemp("browser-workspace")) as url:
        yield url


def test_make_a_collection_add_a_cable_and_a_note(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/collections")
    page.fill("#name", "rita")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(base_url + "/collections")
    expect(page.locator("#no-collections")).to_be_visible()
    page.fill("#new-collection input[name=title]", "The F-4 sale")
    page.fill("#new-collection textarea[name=description]", "Tehran, 1972")
    page.click("#new-collection button[type=submit]")
    expect(page.locator("#collection-title")).to_have_text("The F-4 sale")
    collection_url = page.url

    # From the cable's page: add it to the collection.
    page.goto(base_url + "/cable/72TEHRAN1164")
    page.select_option("#add-to-collection select[name=collection_id]", label="The F-4 sale")
    page.click("#add-to-collection button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("Added 1 cable")

    # A note on paragraph 1, shown beside that paragraph.
    paragraph = page.locator("#p1")
    paragraph.locator("details.note-form summary").click()
    paragraph.locator("textarea[name=text]").fill("check the delivery dates")
    paragraph.locator("select[name=collection_id]").select_option(label="The F-4 sale")
    paragraph.locator("details.note-form button[type=submit]").click()
    expect(page).to_have_url(base_url + "/cable/72TEHRAN1164?notice=Note%20saved.#p1")
    expect(page.locator("#p1 aside.note")).to_contain_text("check the delivery dates")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "cable-note.png", full_page=True)

    # The collection holds the cable, with the note.
    page.goto(collection_url)
    expect(page.locator(".shelf-entry")).to_have_count(1)
    expect(page.locator(".shelf-entry")).to_contain_text("72TEHRAN1164")
    expect(page.locator(".shelf-entry .note")).to_contain_text("check the delivery dates")
    page.screenshot(path=ARTIFACTS / "collection.png", full_page=True)

    # From the search page: a ticked hit, then every match.
    page.goto(base_url + "/search?q=oslo")
    first = page.locator("li.hit").first
    reference_id = first.locator(".hit-id").inner_text()
    first.locator("input[name=ids]").check()
    page.click("#collect-form button[value='0']")
    expect(page.locator(".notice")).to_contain_text("Added 1 cable")
    total = page.locator("#results-heading").inner_text().split()[0]
    page.click("#collect-form button[value='1']")
    expect(page.locator(".notice")).to_contain_text("Added")
    page.goto(collection_url)
    expect(page.locator(".shelf-entry").nth(1)).to_contain_text(reference_id)
    expect(page.locator(".shelf-entry")).to_have_count(1 + int(total.replace(",", "")))
    # Reorder: the second cable up to the first place.
    page.locator(".shelf-entry").nth(1).get_by_role(
        "button", name=f"Move {reference_id} up"
    ).click()
    expect(page.locator(".shelf-entry").first).to_contain_text(reference_id)
    context.close()
