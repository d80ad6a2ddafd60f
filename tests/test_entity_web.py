"""Entities on the web desk, the API and in exports (issue 12): the index, the entity
page, mentions linked on the cable page, /api/entities, /api/entities/{id},
/api/cables/{id}/mentions, the exports (CSV, JSON Lines, Parquet) from the API and the
CLI, each from the asking reader's view: the local desk, the public before and after an
edition, a reader with a low ceiling, and readers when a rule burns an entity's name."""

from __future__ import annotations

import csv
import html as markup
import io
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import cabledesk
from access_fixtures import Clock, add_people, sign_in
from cabledesk.cli.main import cli
from cabledesk.entities.placing import field_text
from cabledesk.facade import Archive
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import SAMPLE

EVERYTHING = Viewer()
MENTION_LINK = re.compile(r'<a class="mention" href="/entities/(\d+)" title="[^"]*">([^<]*)</a>')
ENTITY_LINK = re.compile(r'href="/entities/(\d+)"')
MANAGUA = "10MANAGUA115"  # SECRET, paragraphs marked (S), (C) and (U)


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entity-web") / "archive"
    with Archive.open(folder) as archive:
        assert archive.ingest([SAMPLE], workers=1).failed == 0
        assert archive.enrich(workers=0).mentions > 500
    return folder


def copy_of(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


@contextmanager
def client_of(folder: Path, who: str | None = None) -> Iterator[TestClient]:
    """A client of the desk over `folder`; with `who`, signed in as them (the folder must
    have the people of access_fixtures)."""
    with TestClient(
        create_app(folder, clock=Clock()), follow_redirects=False, raise_server_exceptions=True
    ) as client:
        if who is not None:
            assert sign_in(client, who).status_code == 303
        yield client


def validate(payload: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
    jsonschema.validate(payload, schema)


def exported(client: TestClient, what: str, output: str, **params: str) -> list[dict[str, Any]]:
    """The rows of an export from the API, read back (numbers as numbers)."""
    answer = client.get(f"/api/export/{what}", params={"format": output, **params})
    assert answer.status_code == 200, answer.text
    if output == "jsonl":
        rows = [json.loads(line) for line in answer.text.splitlines()]
    elif output == "parquet":
        rows = pq.read_table(io.BytesIO(answer.content)).to_pylist()
    else:
        rows = [
            {k: (int(v) if v.isdigit() else (None if v == "" else v)) for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(answer.text))
        ]
    assert int(answer.headers["x-rows"]) == len(rows)
    return rows


def entity_ids(client: TestClient, **params: Any) -> set[int]:
    """Every entity the index API lists for this client (all pages)."""
    found: list[int] = []
    offset = 0
    while True:
        answer = client.get("/api/entities", params={"limit": 100, "offset": offset, **params})
        assert answer.status_code == 200, answer.text
        data = answer.json()
        validate(data, "Entities")
        found.extend(e["id"] for e in data["entities"])
        if not data["more"]:
            # Pages neither repeat nor skip an entity, hidden ones or not.
            assert len(found) == len(set(found))
            return set(found)
        offset += 100


# --- the desk as the local desk (no accounts) --------------------------------------------


def test_the_index_lists_the_most_mentioned_by_kind_by_name_and_pages(enriched: Path) -> None:
    with Archive.open(enriched) as archive:
        top = archive.entities(viewer=EVERYTHING, limit=100)
        people = archive.entities(viewer=EVERYTHING, kind="person", limit=50)
    with client_of(enriched) as client:
        page = client.get("/entities")
        assert page.status_code == 200
        listed = [int(i) for i in ENTITY_LINK.findall(page.text)]
        assert listed == [e.id for e in top[:50]]
        assert 'href="/api/export/entities?format=csv"' in page.text
        assert 'href="/api/export/mentions?format=parquet"' in page.text
        second = [int(i) for i in ENTITY_LINK.findall(client.get("/entities?page=2").text)]
        assert second == [e.id for e in top[50:100]]
        by_kind = client.get("/entities", params={"kind": "person"}).text
        assert [int(i) for i in ENTITY_LINK.findall(by_kind)] == [e.id for e in people]
        named = client.get("/entities", params={"name": "ortega"}).text
        names = [markup.unescape(n) for n in re.findall(r'href="/entities/\d+">([^<]+)<', named)]
        assert "Daniel Ortega" in names and all("ortega" in n.lower() for n in names)
        # The entities of a query's cables: only those its cables name.
        of_query = client.get("/entities", params={"q": f"id:{MANAGUA}"}).text
        with Archive.open(enriched) as archive:
            in_cable = {m.entity_id for m in archive.placed_mentions(MANAGUA, viewer=EVERYTHING)}
        assert {int(i) for i in ENTITY_LINK.findall(of_query)} <= in_cable
        # Bad input: one clear message on a usable page, never a 500.
        bad = client.get("/entities", params={"q": "((", "kind": "colour", "page": "x"})
        assert bad.status_code == 400 and "This query cannot be read" in bad.text
        assert "kind: expected one of" in client.get("/entities?kind=colour").text


def test_the_entity_page(enriched: Path) -> None:
    with Archive.open(enriched) as archive:
        ortega = next(e for e in archive.entities(viewer=EVERYTHING, name="Daniel Ortega"))
        page = archive.entity(ortega.id, viewer=EVERYTHING)
        assert page is not None and len(page.months) >= 2
    with client_of(enriched) as client:
        html = client.get(f"/entities/{ortega.id}").text
        assert "<h1>Daniel Ortega</h1>" in html
        assert f'<span id="mention-count">{ortega.mentions}</span>' in html
        for alias, _ in page.aliases:
            assert f"<li>{markup.escape(alias)} <span" in html
        # The timeline: one bar per month with cables, drawn by the chart code.
        assert re.findall(r'<g data-month="([0-9-]+)">', html) == [m for m, _ in page.months]
        for related in page.related:
            assert f'href="/entities/{related.id}"' in html
        assert "Embassy Managua" in html
        # Its cables, with a passage marking a mention of it.
        for reference_id in page.cables:
            assert f'<a class="hit-id" href="/cable/{reference_id}">' in html
        marked = re.findall(r'class="snippet">.*?<mark>([^<]+)</mark>', html)
        assert marked and set(marked) <= {alias for alias, _ in page.aliases}
        assert f"/api/export/mentions?format=csv&amp;entity={ortega.id}" in html
        for missing in ("999999", "abc", "-1", "1" * 30):
            assert client.get(f"/entities/{missing}").status_code == 404


def test_the_cable_page_links_mentions_where_they_stand(enriched: Path) -> None:
    with Archive.open(enriched) as archive:
        cable = archive.get(MANAGUA, viewer=EVERYTHING)
        mentions = archive.placed_mentions(MANAGUA, viewer=EVERYTHING)
    assert cable is not None
    in_paragraphs = [m for m in mentions if m.field == "paragraph"]
    assert len(in_paragraphs) > 20 and all(m.start is not None for m in in_paragraphs)
    with client_of(enriched) as client:
        html = client.get(f"/cable/{MANAGUA}").text
    links = MENTION_LINK.findall(html)
    surfaces = {(m.entity_id, m.surface) for m in in_paragraphs}
    assert links and {(int(i), markup.unescape(s)) for i, s in links} <= surfaces
    # Every mention is linked once, except mentions inside another (kept out).
    assert len(links) <= len(in_paragraphs)
    assert len(links) >= len({(m.paragraph, m.start) for m in in_paragraphs}) * 0.9
    assert "Named in this cable" in html


def test_the_api_answers_match_the_facade_and_the_openapi_document(enriched: Path) -> None:
    described = spec()["paths"]
    for path in (
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/cables/{reference_id}/mentions",
        "/api/export/entities",
        "/api/export/mentions",
    ):
        assert "get" in described[path]
    with Archive.open(enriched) as archive:
        top = archive.entities(viewer=EVERYTHING, kind="place", limit=5)
        page = archive.entity(top[0].id, viewer=EVERYTHING)
        mentions = archive.placed_mentions(MANAGUA, viewer=EVERYTHING)
    with client_of(enriched) as client:
        listed = client.get("/api/entities", params={"kind": "place", "limit": 5}).json()
        validate(listed, "Entities")
        assert [e["id"] for e in listed["entities"]] == [e.id for e in top]
        one = client.get(f"/api/entities/{top[0].id}").json()
        validate(one, "Entity")
        assert page is not None
        assert one["cable_ids"] == page.cables and one["mentions"] == page.entity.mentions
        assert [a["value"] for a in one["aliases"]] == [a for a, _ in page.aliases]
        of_cable = client.get(f"/api/cables/{MANAGUA}/mentions").json()
        validate(of_cable, "Mentions")
        assert len(of_cable["mentions"]) == len(mentions)
        for path, status in [
            ("/api/entities/abc", 404),
            ("/api/entities/99999999", 404),
            ("/api/cables/99NOWHERE1/mentions", 404),
            ("/api/entities?kind=colour", 400),
            ("/api/entities?limit=0", 400),
            ("/api/entities?q=((", 400),
            ("/api/export/entities?format=xls", 400),
            ("/api/export/mentions?q=((", 400),
            ("/api/export/mentions?entity=x", 400),
        ]:
            answer = client.get(path)
            assert answer.status_code == status, path
            validate(answer.json(), "Error")


def test_exports_agree_in_every_format_and_with_the_facade(enriched: Path) -> None:
    with Archive.open(enriched) as archive:
        expected = archive.query_entities("iran", viewer=EVERYTHING)
        mentions = list(archive.query_mentions("iran", viewer=EVERYTHING))
    with client_of(enriched) as client:
        by_format = {
            f: exported(client, "entities", f, q="iran") for f in ("csv", "jsonl", "parquet")
        }
        assert by_format["csv"] == by_format["jsonl"] == by_format["parquet"]
        assert [(r["id"], r["mentions"], r["cables"]) for r in by_format["csv"]] == [
            (e.id, e.mentions, e.cables) for e in expected
        ]
        rows = {f: exported(client, "mentions", f, q="iran") for f in ("csv", "jsonl", "parquet")}
        assert rows["csv"] == rows["jsonl"] == rows["parquet"]
        assert len(rows["csv"]) == len(mentions) > 100
        assert {r["reference_id"] for r in rows["csv"]} == {r for r, _ in mentions}
        people = exported(client, "mentions", "jsonl", q="iran", kind="person")
        assert people and all(r["kind"] == "person" for r in people)
        one = expected[0].id
        only_one = exported(client, "mentions", "jsonl", q="iran", entity=str(one))
        assert len(only_one) == expected[0].mentions
    # The CLI writes the same rows, through the same facade calls.
    runner = CliRunner()
    answer = runner.invoke(
        cli, ["entities", "--db", str(enriched), "--query", "iran", "--output", "jsonl"]
    )
    assert answer.exit_code == 0, answer.output
    lines = [json.loads(line) for line in answer.stdout.splitlines()]
    assert lines == by_format["jsonl"]
    for what, rows_expected in (("entities", by_format["csv"]), ("mentions", rows["csv"])):
        args = [what, "--db", str(enriched), "--query", "iran", "--output", "parquet"]
        target = enriched.parent / f"{what}.parquet"
        answer = runner.invoke(cli, [*args, "--out", str(target)])
        assert answer.exit_code == 0, answer.output
        assert pq.read_table(target).to_pylist() == rows_expected
    for args in (
        ["mentions", "--db", str(enriched), "--query", "((", "--output", "csv"],
        ["mentions", "--db", str(enriched), "--output", "parquet"],
        ["entities", "--db", str(enriched), "--query", "((", "--output", "csv"],
    ):
        answer = runner.invoke(cli, args)
        assert answer.exit_code == 2 and "Traceback" not in answer.output, answer.output
        assert "Error:" in answer.output


# --- who sees what -------------------------------------------------------------------------


def _published(folder: Path, ids: list[str]) -> None:
    with Archive.open(folder) as archive:
        archive.approve(ids)
        archive.record_edition(None, "test")


def _everything_public_sees(client: TestClient) -> dict[str, Any]:
    return {
        "index": ENTITY_LINK.findall(client.get("/entities").text),
        "api": entity_ids(client),
        "entities": exported(client, "entities", "csv"),
        "mentions": exported(client, "mentions", "jsonl"),
    }


def test_the_public_sees_nothing_before_an_edition_then_only_published_cables(
    enriched: Path, tmp_path: Path
) -> None:
    folder = copy_of(enriched, tmp_path, "public")
    add_people(folder, Clock())
    with Archive.open(folder) as archive:
        top = archive.entities(viewer=EVERYTHING, limit=1)[0]
    with client_of(folder) as visitor:
        seen = _everything_public_sees(visitor)
        assert seen == {"index": [], "api": set(), "entities": [], "mentions": []}
        assert visitor.get(f"/entities/{top.id}").status_code == 404
        assert visitor.get(f"/api/entities/{top.id}").status_code == 404
        assert visitor.get(f"/api/cables/{MANAGUA}/mentions").status_code == 404
    published = [MANAGUA, "08BAGHDAD1784"]
    _published(folder, published)
    with Archive.open(folder) as archive:
        expected = {
            m.entity_id for r in published for m in archive.placed_mentions(r, viewer=EVERYTHING)
        }
        unpublished_only = next(
            e.id for e in archive.entities(viewer=EVERYTHING, limit=500) if e.id not in expected
        )
    with client_of(folder) as visitor:
        seen = _everything_public_sees(visitor)
        assert seen["api"] == expected
        assert {int(i) for i in seen["index"]} <= expected
        assert {r["id"] for r in seen["entities"]} == expected
        assert {r["reference_id"] for r in seen["mentions"]} == set(published)
        assert visitor.get(f"/entities/{unpublished_only}").status_code == 404
        page = visitor.get(f"/entities/{top.id}").text
        assert set(re.findall(r'class="hit-id" href="/cable/([^"]+)"', page)) <= set(published)
        assert visitor.get("/api/cables/04RANGOON88/mentions").status_code == 404
        linked = visitor.get(f"/cable/{MANAGUA}").text
        assert {int(i) for i, _ in MENTION_LINK.findall(linked)} <= expected


def test_a_low_ceiling_reader_gets_only_what_their_ceiling_shows(
    enriched: Path, tmp_path: Path
) -> None:
    folder = copy_of(enriched, tmp_path, "ceiling")
    add_people(folder, Clock())
    fran = Viewer(ceiling=1, foreign=True, redact=True)  # CONFIDENTIAL, foreign
    with Archive.open(folder) as archive:
        fran.compiled = archive.redactor()
        theirs = {e.id: e for e in archive.entities(viewer=fran, limit=10_000)}
        everything = {e.id: e for e in archive.entities(viewer=EVERYTHING, limit=10_000)}
        secret_only = next(i for i in everything if i not in theirs)
        managua = archive.get(MANAGUA, viewer=fran)
        placed = archive.placed_mentions(MANAGUA, viewer=fran)
    assert managua is not None and len(theirs) < len(everything)
    with client_of(folder, "fran") as client:
        assert entity_ids(client) == set(theirs)
        assert client.get(f"/entities/{secret_only}").status_code == 404
        assert client.get(f"/api/entities/{secret_only}").status_code == 404
        assert secret_only not in {r["id"] for r in exported(client, "entities", "jsonl")}
        mentions = exported(client, "mentions", "jsonl", q=f"id:{MANAGUA}")
        assert secret_only not in {r["entity_id"] for r in mentions}
        for row in client.get(f"/api/cables/{MANAGUA}/mentions").json()["mentions"]:
            if row["start"] is not None:
                text = field_text(managua, row["field"], row["paragraph"])
                assert text is not None and text[row["start"] : row["end"]] == row["surface"]
        # Links only in the paragraphs they may read, on the text they read.
        html = client.get(f"/cable/{MANAGUA}").text
        links = MENTION_LINK.findall(html)
        assert links and len(links) <= sum(m.field == "paragraph" for m in placed)
        assert {int(i) for i, _ in links} <= set(theirs)
        withheld = [p.text for p in managua.paragraphs if p.text.startswith("[")]
        assert withheld, "the reader's view of the cable withholds its SECRET paragraphs"


def test_a_burned_name_is_no_entity_anywhere_for_readers(enriched: Path, tmp_path: Path) -> None:
    folder = copy_of(enriched, tmp_path, "burned")
    add_people(folder, Clock())
    with Archive.open(folder) as archive:
        ortega = archive.entities(viewer=EVERYTHING, name="Daniel Ortega")[0]
        page = archive.entity(ortega.id, viewer=EVERYTHING)
        assert page is not None
        aliases = [a for a, _ in page.aliases]
        archive.redact(Rule(kind="name", text="Daniel Ortega", variants=aliases, reason="test"))
        _published(folder, page.cables)
    for who in ("rita", "fran", None):  # a reader, a low ceiling, the public after an edition
        with client_of(folder, who) as client:
            assert client.get(f"/entities/{ortega.id}").status_code == 404, who
            assert client.get(f"/api/entities/{ortega.id}").status_code == 404, who
            assert ortega.id not in entity_ids(client), who
            assert not ENTITY_LINK.findall(client.get("/entities?name=ortega").text), who
            assert ortega.id not in {r["id"] for r in exported(client, "entities", "csv")}
            rows = exported(client, "mentions", "jsonl")
            assert ortega.id not in {r["entity_id"] for r in rows}, who
            assert not any("Ortega" in r["surface"] or "Ortega" in r["name"] for r in rows), who
            for reference_id in page.cables:
                html = client.get(f"/cable/{reference_id}").text
                assert f'href="/entities/{ortega.id}"' not in html, who
                assert "Ortega" not in html, who
                mentions = client.get(f"/api/cables/{reference_id}/mentions").json()
                assert ortega.id not in {m["entity_id"] for m in mentions.get("mentions", [])}
    # The editors still see it (they see the stored record).
    with client_of(folder, "eddie") as editor:
        assert editor.get(f"/entities/{ortega.id}").status_code == 200
        assert ortega.id in entity_ids(editor, name="ortega")


def test_offsets_moved_by_a_burned_name_are_not_handed_out(enriched: Path, tmp_path: Path) -> None:
    """A name burned before a mention in the same paragraph moves the mention in the
    reader's text: it is neither linked nor given the stored offsets (which would tell the
    length of what was burned)."""
    folder = copy_of(enriched, tmp_path, "moved")
    add_people(folder, Clock())
    with Archive.open(folder) as archive:
        stored = archive.placed_mentions(MANAGUA, viewer=EVERYTHING)
        cable = archive.get(MANAGUA, viewer=EVERYTHING)
        assert cable is not None
        # A paragraph the reader may read, where a name stands before another mention.
        first = next(
            m
            for m in stored
            if m.field == "paragraph"
            and m.kind == "person"
            and len(m.surface) != len("[REDACTED]")
            and cable.paragraphs[m.paragraph or 0].marking in ("U", "SBU", "C")
            and any(
                o.paragraph == m.paragraph and (o.start or 0) > (m.end or 0) and o.kind != "person"
                for o in stored
            )
        )
        later = [
            o
            for o in stored
            if o.paragraph == first.paragraph and (o.start or 0) > (first.end or 0)
            and o.kind != "person"
        ]  # fmt: skip
        archive.redact(Rule(kind="name", text=first.surface, reason="test"))
    with client_of(folder, "rita") as client:
        rows = client.get(f"/api/cables/{MANAGUA}/mentions").json()["mentions"]
        viewed = client.get(f"/api/cables/{MANAGUA}").json()["record"]
        text = viewed["paragraphs"][first.paragraph]["text"]
        assert "[REDACTED]" in text
        moved = [
            r
            for r in rows
            if r["paragraph"] == first.paragraph
            and r["field"] == "paragraph"
            and (r["entity_id"], r["surface"]) in {(o.entity_id, o.surface) for o in later}
        ]
        assert moved, "the later mentions are still the reader's"
        for row in rows:
            if row["field"] == "paragraph" and row["start"] is not None:
                paragraph = viewed["paragraphs"][row["paragraph"]]["text"]
                assert paragraph[row["start"] : row["end"]] == row["surface"]
        assert all(r["start"] is None and r["end"] is None for r in moved)
        html = client.get(f"/cable/{MANAGUA}").text
        para = html[html.index(f'id="p{cable.paragraphs[first.paragraph].number}"') :]
        para = para[: para.index("</p>")]
        assert "mention" not in para.split("[REDACTED]", 1)[1]


def test_the_static_edition_cable_page_has_no_entity_links(enriched: Path) -> None:
    from cabledesk.presentation.templating import environment
    from cabledesk.presentation.urls import SiteUrls

    cable = cabledesk.parse_file(SAMPLE / "cable" / "2010" / "02" / f"{MANAGUA}.html")
    html = environment().get_template("cable.html").render(
        cable=cable, urls=SiteUrls(1), section="search", archive_count=1, present=set(),
        citing=[], previous=None, following=None, static_site=True,
        anchors=[f"p{i}" for i in range(len(cable.paragraphs))],
    )  # fmt: skip
    assert 'class="mention"' not in html and "/entities" not in html
