"""Saved searches and batch search on the desk and the API (docs/workspace.md): the flow
through forms (with CSRF) and through tokens, answers against the OpenAPI schemas, and
what a reader may not see never counted (a word only in SECRET text, for a CONFIDENTIAL
reader). Which role may use which route is checked for every route by
test_access_web.test_every_route_for_every_kind_of_visitor."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from access_fixtures import csrf_of, sign_in
from cabledesk.access import Accounts
from cabledesk.facade import Archive
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from workspace_fixtures import add_accounts, crafted, ingest_records

PEOPLE = {
    "ada": ("admin", None, False),
    "rita": ("reader", "SECRET", False),
    "fran": ("reader", "CONFIDENTIAL", True),
}
SECRET_ONLY = "10TESTPOST6"  # "zorblaxian" only in its SECRET paragraph


def validate(payload: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
    jsonschema.validate(payload, schema)


class Desk:
    def __init__(self, folder: Path, inbox: Path) -> None:
        self.folder, self.inbox = folder, inbox
        self.app = create_app(folder)

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False, raise_server_exceptions=True)

    def token(self, name: str) -> TestClient:
        with Archive.open(self.folder, create=False) as archive:
            _, secret = Accounts(archive).create_token(f"{name}-script", name)
        client = self.client()
        client.headers["authorization"] = f"Bearer {secret}"
        return client

    def ingest(self, records: list[dict[str, object]]) -> None:
        with Archive.open(self.folder, create=False) as archive:
            ingest_records(archive, self.inbox, records)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        ingest_records(
            archive,
            tmp_path / "in",
            [
                crafted("09TESTPOST1", [("U", "An old cable about Hizballah.")]),
                crafted("09TESTPOST2", [("S", "Zorblaxian, an old secret.")]),
            ],
        )
        add_accounts(archive, PEOPLE)
    made = Desk(folder, tmp_path / "in")
    with TestClient(made.app):
        yield made


NEW = [
    crafted(SECRET_ONLY, [("U", "Open words."), ("S", "Zorblaxian matters.")]),
    crafted("10TESTPOST7", [("U", "Zorblaxian in the open.")], classification="UNCLASSIFIED"),
]


def test_the_api_flow_with_tokens(desk: Desk) -> None:
    rita, fran = desk.token("rita"), desk.token("fran")
    made = {}
    for name, client in (("rita", rita), ("fran", fran)):
        answer = client.post(
            "/api/saved-searches", data={"name": "watch", "q": "zorblaxian", "sort": "-date"}
        )
        assert answer.status_code == 201, answer.text
        validate(answer.json(), "SavedSearch")
        assert answer.json()["new"] == 0
        made[name] = answer.json()["id"]
    desk.ingest(NEW)
    listed = rita.get("/api/saved-searches").json()
    validate(listed, "SavedSearches")
    assert sorted(listed["saved_searches"][0]["ids"]) == [SECRET_ONLY, "10TESTPOST7"]
    theirs = fran.get(f"/api/saved-searches/{made['fran']}").json()
    assert theirs["ids"] == ["10TESTPOST7"]  # never the cable it matches only in SECRET text
    # Another account's saved search is as unknown as a missing one.
    assert fran.get(f"/api/saved-searches/{made['rita']}").status_code == 404
    assert fran.delete(f"/api/saved-searches/{made['rita']}").status_code == 404
    assert fran.get("/api/saved-searches/x1").status_code == 404
    news = rita.get(f"/api/saved-searches/{made['rita']}").json()
    seen = rita.post(f"/api/saved-searches/{made['rita']}/seen", data={"upto": news["upto"]})
    assert seen.status_code == 200 and seen.json()["new"] == 0
    validate(seen.json(), "SavedSearch")
    assert rita.post(f"/api/saved-searches/{made['rita']}/seen", data={}).status_code == 400
    bad = rita.post("/api/saved-searches", data={"name": "broken", "q": "x AND"})
    assert bad.status_code == 400 and bad.json()["error"]["position"] == 5
    validate(bad.json(), "Error")
    gone = rita.delete(f"/api/saved-searches/{made['rita']}")
    assert gone.json() == {"deleted": made["rita"]}
    assert rita.get(f"/api/saved-searches/{made['rita']}").status_code == 404


def test_batch_search_api(desk: Desk) -> None:
    desk.ingest(NEW)
    queries = "zorblaxian\nx AND\nhizballah\n"
    for name, expected in (("rita", 3), ("fran", 1)):
        answer = desk.token(name).post("/api/batch-search", data={"queries": queries})
        assert answer.status_code == 200, answer.text
        validate(answer.json(), "BatchResult")
        rows = answer.json()["queries"]
        assert [r["line"] for r in rows] == [1, 2, 3]
        assert rows[0]["count"] == expected, name
        assert rows[1]["error"].startswith("the query ends where a term was expected")
        assert rows[2]["ids"] == ["09TESTPOST1"]
        if name == "fran":
            assert SECRET_ONLY not in answer.text and "09TESTPOST2" not in answer.text
    rita = desk.token("rita")
    csv = rita.post("/api/batch-search", data={"queries": queries, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "line,query,count,ids,error"
    assert rita.post("/api/batch-search", data={"queries": "\n"}).status_code == 400
    assert rita.post("/api/batch-search", data={"queries": "a", "format": "x"}).status_code == 400
    assert rita.post("/api/batch-search", data={"queries": "a", "max_ids": "0"}).status_code == 400
    names = rita.post(
        "/api/batch-search",
        data={"queries": "who\nHizballah\n", "column": "who", "names": "true"},
    ).json()
    assert names["queries"][0]["query"] == '"Hizballah"'


def test_the_desk_flow_with_forms(desk: Desk) -> None:
    client = desk.client()
    assert sign_in(client, "rita").status_code == 303
    page = client.get("/search", params={"q": "zorblaxian"})
    assert 'id="save-search"' in page.text
    token = csrf_of(page.text)
    refused = client.post("/saved", data={"name": "watch", "q": "zorblaxian"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    saved = client.post(
        "/saved", data={"name": "watch", "q": "zorblaxian", "sort": "rank", "csrf_token": token}
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/saved?done=saved")
    listing = client.get("/saved")
    assert "Saved “watch”." not in listing.text  # only after the redirect's parameters
    assert "none new" in listing.text
    search_id = re.search(r'data-saved="(\d+)"', listing.text)
    assert search_id
    desk.ingest(NEW)
    listing = client.get("/saved")
    assert "2 new" in listing.text
    news = client.get(f"/saved/{search_id.group(1)}")
    assert SECRET_ONLY in news.text and "10TESTPOST7" in news.text
    upto = re.search(r'name="upto" value="(\d+)"', news.text)
    assert upto
    marked = client.post(
        f"/saved/{search_id.group(1)}/seen", data={"upto": upto.group(1), "csrf_token": token}
    )
    assert marked.status_code == 303
    assert "none new" in client.get("/saved").text
    bad = client.post("/saved", data={"name": "b", "q": "x AND", "csrf_token": token})
    assert bad.status_code == 400 and "cannot be saved" in bad.text
    assert client.get("/saved/999").status_code == 404
    deleted = client.post(f"/saved/{search_id.group(1)}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    assert client.get(f"/saved/{search_id.group(1)}").status_code == 404


def test_the_batch_form(desk: Desk) -> None:
    desk.ingest(NEW)
    for name in ("rita", "fran"):
        client = desk.client()
        sign_in(client, name)
        page = client.get("/batch")
        token = csrf_of(page.text)
        data = {"queries": "zorblaxian\nx AND\n", "csrf_token": token, "format": "table"}
        table = client.post("/batch", data=data)
        assert table.status_code == 200
        assert "line 2: the query ends where a term was expected" in table.text
        if name == "fran":
            assert SECRET_ONLY not in table.text and "09TESTPOST2" not in table.text
        else:
            assert SECRET_ONLY in table.text
        download = client.post("/batch", data=data | {"format": "csv"})
        assert download.headers["content-disposition"].startswith("attachment")
        assert (SECRET_ONLY in download.text) == (name == "rita")
        empty = client.post("/batch", data={"queries": "", "csrf_token": token})
        assert empty.status_code == 400 and "no query" in empty.text


def test_the_open_desk_saves_without_a_cookie_on_search(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        ingest_records(archive, tmp_path / "in", [crafted("09TESTPOST1", [("U", "Words.")])])
    with TestClient(create_app(folder), follow_redirects=False) as client:
        page = client.get("/search", params={"q": "words"})
        assert not client.cookies
        link = re.search(r'href="(/saved\?[^"]+)" id="save-search"', page.text)
        assert link
        form = client.get(link.group(1).replace("&amp;", "&"))
        assert 'value="words"' in form.text
        saved = client.post(
            "/saved", data={"name": "w", "q": "words", "csrf_token": csrf_of(form.text)}
        )
        assert saved.status_code == 303


def test_changing_a_saved_search(desk: Desk) -> None:
    """Rename (the news stays), a new sort (stays), a new query (the news starts again);
    a name in use and a bad query refused; another owner's answered as missing; on the
    API, the desk and the command line."""
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    rita, fran = desk.token("rita"), desk.token("fran")
    watch = rita.post("/api/saved-searches", data={"name": "watch", "q": "zorblaxian"}).json()
    rita.post("/api/saved-searches", data={"name": "other", "q": "hizballah"})
    desk.ingest(NEW)
    address = f"/api/saved-searches/{watch['id']}"
    assert rita.get(address).json()["new"] == 2
    renamed = rita.post(address, data={"name": "renamed"})
    assert renamed.status_code == 200, renamed.text
    validate(renamed.json(), "SavedSearch")
    assert (renamed.json()["name"], renamed.json()["query"], renamed.json()["new"]) == (
        "renamed",
        "zorblaxian",
        2,
    )
    resorted = rita.post(address, data={"sort": "-date"}).json()
    assert (resorted["sort"], resorted["new"], resorted["name"]) == ("-date", 2, "renamed")
    taken = rita.post(address, data={"name": "other"})
    assert taken.status_code == 400 and "already have a saved search named" in taken.text
    bad = rita.post(address, data={"q": "x AND"})
    assert bad.status_code == 400 and bad.json()["error"]["position"] == 5
    assert rita.post(address, data={"sort": "sideways"}).status_code == 400
    assert fran.post(address, data={"name": "mine"}).status_code == 404
    assert rita.get(address).json()["query"] == "zorblaxian"  # nothing changed by those
    requeried = rita.post(address, data={"q": "open"}).json()
    assert (requeried["query"], requeried["new"]) == ("open", 0)
    desk.ingest([crafted("10TESTPOST9", [("U", "Open again.")])])
    assert rita.get(address).json()["ids"] == ["10TESTPOST9"]
    # The desk: the form on the search's page.
    client = desk.client()
    assert sign_in(client, "rita").status_code == 303
    page = client.get(f"/saved/{watch['id']}")
    assert 'id="change-saved"' in page.text and 'value="renamed"' in page.text
    token = csrf_of(page.text)
    edit = f"/saved/{watch['id']}/edit"
    assert client.post(edit, data={"name": "x"}).status_code == 403  # no CSRF token
    changed = client.post(edit, data={"name": "desk name", "q": "open", "csrf_token": token})
    assert changed.status_code == 303 and "done=changed" in changed.headers["location"]
    assert "desk name" in client.get("/saved").text
    clash = client.post(edit, data={"name": "other", "csrf_token": token})
    assert clash.status_code == 400 and "already have a saved search named" in clash.text
    assert client.post("/saved/99999/edit", data={"csrf_token": token}).status_code == 404
    # The command line, acting for rita.
    runner = CliRunner()
    db = ["--db", str(desk.folder), "--account", "rita"]
    said = runner.invoke(cli, ["saved", "edit", str(watch["id"]), "--name", "cli name", *db])
    assert said.exit_code == 0, said.output
    assert "cli name [open] sorted by -date" in said.output
    assert runner.invoke(cli, ["saved", "edit", str(watch["id"]), *db]).exit_code != 0
    clash = runner.invoke(cli, ["saved", "edit", str(watch["id"]), "--name", "other", *db])
    assert clash.exit_code != 0 and "already have" in clash.output
    theirs = ["--db", str(desk.folder), "--account", "fran"]
    assert (
        runner.invoke(cli, ["saved", "edit", str(watch["id"]), "--name", "f", *theirs]).exit_code
        != 0
    )
    assert runner.invoke(cli, ["saved", "delete", str(watch["id"]), *theirs]).exit_code != 0
    gone = runner.invoke(cli, ["saved", "delete", str(watch["id"]), *db])
    assert gone.exit_code == 0 and f"removed {watch['id']}" in gone.output
    assert rita.get(address).status_code == 404
