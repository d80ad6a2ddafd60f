"""Signing in and out in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect, sync_playwright

from access_fixtures import PASSWORD, Clock, add_people
from cabledesk.web import create_app
from conftest import ROOT
from web_fixtures import build_web_archive

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARTIFACTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = build_web_archive(tmp_path_factory.mktemp("browser-access"))
    add_people(folder, Clock())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(create_app(folder), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the web desk did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "browser tests need Debian's Chromium: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield browser
        browser.close()


def test_sign_in_see_the_desk_sign_out(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/cable/08BAGHDAD1784")
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
    page.goto(base_url + "/search")
    expect(page).to_have_url(base_url + "/login?next=%2Fsearch")
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
