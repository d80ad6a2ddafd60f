"""Saving a search and seeing a new match after an ingest, in a real browser (Playwright
driving Debian's Chromium; docs/workspace.md)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from access_fixtures import PASSWORD
from browser_fixtures import ARTIFACTS, serving
from cabledesk.facade import Archive
from cabledesk.web import create_app
from workspace_fixtures import add_accounts, crafted, ingest_records


def test_save_a_search_ingest_see_the_new_match(browser: Browser, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        ingest_records(
            archive, tmp_path / "in", [crafted("09TESTPOST1", [("U", "Hizballah, old news.")])]
        )
        add_accounts(archive, {"rita": ("reader", None, False)})
    with serving(create_app(folder)) as base_url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base_url + "/login?next=%2Fsearch%3Fq%3Dhizballah")
        page.fill("#name", "rita")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#results-heading")).to_contain_text("1 cable")
        page.fill("#save-name", "Party of God")
        page.click("#save-search")
        expect(page.locator(".notice")).to_contain_text("Saved “Party of God”.")
        row = page.locator("#saved-searches tr", has_text="Party of God")
        expect(row.locator(".new-count")).to_have_text("none new")

        with Archive.open(folder, create=False) as archive:
            ingest_records(
                archive,
                tmp_path / "in",
                [crafted("10TESTPOST2", [("U", "Hizballah, fresh news.")], sent="2010-02-03")],
            )
        page.reload()
        expect(row.locator(".new-count")).to_have_text("1 new")
        row.locator(".new-count").click()
        expect(page.locator("#news-heading")).to_contain_text("1 new cable since your last visit")
        expect(page.locator("#new-matches")).to_contain_text("10TESTPOST2")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "saved-search-news.png", full_page=True)
        page.click("#mark-seen")
        expect(page.locator(".notice")).to_contain_text("Marked “Party of God” as seen.")
        expect(row.locator(".new-count")).to_have_text("none new")
        context.close()


def test_also_searched_and_searching_only_as_written(browser: Browser, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        ingest_records(
            archive,
            tmp_path / "in",
            [
                crafted("09TESTPOST1", [("U", "Leaders of Hezbollah met.")]),
                crafted("09TESTPOST2", [("U", "Again, Hezbollah said no.")]),
                crafted("09TESTPOST3", [("U", "The envoy said Hizballah would wait.")]),
                crafted("09TESTPOST4", [("U", "Both said Hizballah agreed.")]),
            ],
        )
    with serving(create_app(folder)) as base_url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base_url + "/search?q=hezbollah")
        expect(page.locator("#results-heading")).to_contain_text("4 cables")
        expect(page.locator("#also-searched")).to_contain_text("hizballah")
        page.click("#variants-off")
        expect(page.locator("#results-heading")).to_contain_text("2 cables")
        expect(page.locator("#also-searched")).to_contain_text("Searched only as written")
        page.click("#variants-on")
        expect(page.locator("#results-heading")).to_contain_text("4 cables")
        context.close()
