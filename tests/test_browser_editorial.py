"""An editor's round trip in a real browser: sign in, mark a redaction on a cable, approve
it, publish the edition; then, as a visitor, see the redaction applied in the public view
of the desk and in the built static site (page and in-browser search)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from access_fixtures import PASSWORD
from browser_fixtures import ARTIFACTS, serving_with_people


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_with_people(tmp_path_factory.mktemp("browser-editorial")) as url:
        yield url


def sign_in(page: Page, base_url: str, name: str, next_path: str) -> None:
    page.goto(f"{base_url}/login?next={next_path}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#whoami")).to_have_text(name)


def test_redact_approve_publish_and_read_as_the_public(browser: Browser, base_url: str) -> None:
    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, base_url, "eddie", "/cable/08BAGHDAD1784")
    expect(editor.locator("main")).to_contain_text("Soleimani")
    editor.click("#editor-panel summary")
    form = editor.locator("#redact-form")
    form.locator("select[name=kind]").select_option("name")
    form.locator("input[name=text]").fill("Soleimani")
    form.locator("input[name=variants]").fill("Qassem Soleimani")
    form.locator("input[name=reason]").fill("protect: named in a NOFORN paragraph")
    form.locator("button[type=submit]").click()
    expect(editor).to_have_url(
        f"{base_url}/cable/08BAGHDAD1784?notice="
        + "Marked%3A%20%27Soleimani%2C%20Qassem%20Soleimani%27%20everywhere"
    )
    # Editors still read the original.
    expect(editor.locator(".body")).to_contain_text("Soleimani")
    editor.click("#editor-panel summary")
    editor.get_by_role("button", name="Approve for the public edition").click()
    editor.goto(f"{base_url}/editor/editions")
    expect(editor.locator("main")).to_contain_text("08BAGHDAD1784")
    editor.get_by_role("button", name="Publish the edition").click()
    expect(editor.locator(".notice")).to_contain_text("Edition 1 published")
    editor.goto(f"{base_url}/editor/redactions")
    expect(editor.locator("#rule-1")).to_contain_text("protect: named in a NOFORN paragraph")

    visitor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{base_url}/cable/08BAGHDAD1784")
    body = visitor.locator(".body")
    expect(body).to_contain_text("[REDACTED]")
    assert "soleimani" not in visitor.content().lower()
    visitor.goto(f"{base_url}/search?q=soleimani")
    expect(visitor.locator("#results-heading")).to_contain_text("0 cables")
    visitor.goto(f"{base_url}/search?q=maliki")
    expect(visitor.locator("a.hit-id", has_text="08BAGHDAD1784")).to_have_count(1)
    assert "soleimani" not in visitor.content().lower()

    visitor.goto(f"{base_url}/edition/")
    visitor.locator("a.hit-id", has_text="08BAGHDAD1784").click()
    expect(visitor.locator("h1")).to_contain_text("08BAGHDAD1784")
    expect(visitor.locator(".body")).to_contain_text("[REDACTED]")
    assert "soleimani" not in visitor.content().lower()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=ARTIFACTS / "edition-08BAGHDAD1784.png", full_page=True)
    visitor.goto(f"{base_url}/edition/search.html?q=maliki")
    expect(visitor.locator("#site-results a.hit-id", has_text="08BAGHDAD1784")).to_have_count(1)
    visitor.goto(f"{base_url}/edition/search.html?q=soleimani")
    expect(visitor.locator("#site-results h1")).to_contain_text("0 cables")
