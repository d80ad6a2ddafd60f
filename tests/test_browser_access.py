"""Signing in and out in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from access_fixtures import PASSWORD
from browser_fixtures import ARTIFACTS, serving_with_people


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_with_people(tmp_path_factory.mktemp("browser-access")) as url:
        yield url


def test_sign_in_see_the_desk_sign_out(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/cable/08BAGHDAD1784")
    expect(page.locator("main")).to_contain_text("not in the published edition")
    page.click("#sign-in-to-read")
    expect(page).to_have_url(base_url + "/login?next=%2Fcable%2F08BAGHDAD1784")
    page.fill("#name", "rita")
    page.fill("#password", "not her password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("do not match")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "login.png", full_page=True)

    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(base_url + "/cable/08BAGHDAD1784")
    expect(page.locator("h1")).to_contain_text("MALIKI")
    expect(page.locator("#whoami")).to_have_text("rita")
    page.get_by_role("link", name="Search", exact=True).click()
    page.fill("#q", "oslo")
    page.press("#q", "Enter")
    expect(page.locator("#results-heading")).to_contain_text("match")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(base_url + "/login")
    page.goto(base_url + "/editor/redactions")
    expect(page).to_have_url(base_url + "/login?next=%2Feditor%2Fredactions")
    context.close()


def test_admin_adds_an_account_through_the_form(browser: Browser, base_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "/admin/users")
    page.fill("#name", "ada")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(base_url + "/admin/users")
    page.fill("#new-name", "nina")
    page.select_option("#new-role", "editor")
    page.fill("#new-password", "nina's long password")
    page.fill("#new-password-again", "nina's long password")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("p.notice")).to_have_text("Added nina.")
    expect(page.locator("#accounts")).to_contain_text("nina")
    page.goto(base_url + "/admin/audit?kind=account_add")
    expect(page.locator("#audit")).to_contain_text('"name": "nina"')
    context.close()
