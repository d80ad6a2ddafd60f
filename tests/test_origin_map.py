"""The map of origins (issue 15): every origin's matching cables, counted from the reader's
view and checked against the records; the posts' places; the page, the search page's map,
the JSON API (against the OpenAPI schema) and the command line."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import cabledesk
from cabledesk.access import Accounts
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.presentation import world_map
from cabledesk.record.model import Cable
from cabledesk.redact.viewer import FULL, Viewer
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import SAMPLE


def validate(payload: object, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
    jsonschema.validate(payload, schema)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("origin-map") / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE, workers=1)
    return folder


@pytest.fixture(scope="module")
def cables() -> list[Cable]:
    return [c for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable)]


def words(cable: Cable) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W_]+", f"{cable.subject} {cable.text}")}


QUERIES = {
    "": lambda c: True,
    "iran": lambda c: "iran" in words(c),
    "class:secret": lambda c: c.classification == "SECRET",
    "tag:PREL -tag:PGOV": lambda c: "PREL" in c.tags and "PGOV" not in c.tags,
}


@pytest.mark.parametrize("query", list(QUERIES))
def test_every_origin_counts_what_brute_force_counts(
    folder: Path, cables: list[Cable], query: str
) -> None:
    expected = Counter(c.origin for c in cables if c.origin and QUERIES[query](c))
    with Archive.open(folder) as archive:
        got = archive.origin_counts(query, viewer=FULL, blank_matches_all=True)
    assert dict(got) == dict(expected)
    assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)


def test_every_post_of_the_sample_is_placed_at_its_city(cables: list[Cable]) -> None:
    posts = world_map.posts()
    origins = {c.origin for c in cables if c.origin}
    assert origins <= set(posts), origins - set(posts)
    # A few places, written down independently (latitude, longitude to a degree).
    known = {
        "Embassy Baghdad": (33.3, 44.4),
        "Embassy Madrid": (40.4, -3.7),
        "Secretary of State": (38.9, -77.0),
        "Embassy Brasilia": (-15.8, -47.9),
        "Embassy London": (51.5, -0.1),
        "Mission USNATO": (50.8, 4.4),
    }
    for origin, (lat, lon) in known.items():
        post = posts[origin]
        assert abs(post.lat - lat) < 1 and abs(post.lon - lon) < 1, post
    for post in posts.values():
        assert -60 < post.lat < 84 and -180 <= post.lon <= 180, post


def test_the_drawing_places_and_sizes_each_post() -> None:
    drawn = world_map.build([("Embassy London", 100), ("Embassy Madrid", 25), ("Nowhere", 4)])
    london, madrid = drawn.marks
    assert (london.origin, madrid.origin) == ("Embassy London", "Embassy Madrid")
    # Areas in proportion to the counts.
    assert math.isclose((london.r / madrid.r) ** 2, 4, rel_tol=0.02)
    assert london.r == world_map.MOST_RADIUS
    # North is up, east is right: London lies north of Madrid, and east of it.
    assert london.y < madrid.y and london.x > madrid.x
    assert 0 < london.x < drawn.width and 0 < london.y < drawn.height
    assert drawn.unplaced == [("Nowhere", 4)] and drawn.total == 129
    # The outline is drawn from the committed table, within the map.
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", world_map.outline())]
    assert len(numbers) > 1000
    assert min(numbers) >= 0 and max(numbers) <= drawn.width


@pytest.fixture(scope="module")
def desk(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(folder)) as client:
        yield client


def test_the_map_page_and_the_search_page_draw_the_query(
    desk: TestClient, folder: Path, cables: list[Cable]
) -> None:
    expected = Counter(c.origin for c in cables if c.origin and "iran" in words(c))
    for path in ("/map", "/search"):
        page = desk.get(path, params={"q": "iran"}).text
        marks = re.findall(r'<a href="([^"]+)" data-origin="([^"]+)" data-count="(\d+)">', page)
        assert {unescape(o): int(n) for _, o, n in marks} == dict(expected), path
        for href, origin, _ in marks:
            q = parse_qs(urlsplit(unescape(href)).query)["q"][0]
            assert q == f'iran origin:"{unescape(origin)}"'
        assert 'href="/map/world.svg"' in page
    table = desk.get("/map", params={"q": "iran"}).text
    assert 'id="origin-table"' in table
    outline = desk.get("/map/world.svg")
    assert outline.headers["content-type"].startswith("image/svg+xml")
    assert outline.text.startswith("<svg") and "<path" in outline.text
    bad = desk.get("/map", params={"q": "iran AND"})
    assert bad.status_code == 400 and "expected" in bad.text


def test_the_api_answers_the_same_and_matches_its_schema(
    desk: TestClient, cables: list[Cable]
) -> None:
    answer = desk.get("/api/map", params={"q": "class:secret"})
    assert answer.status_code == 200
    data = answer.json()
    validate(data, "OriginMap")
    expected = Counter(c.origin for c in cables if c.origin and c.classification == "SECRET")
    assert {p["origin"]: p["count"] for p in data["posts"]} == dict(expected)
    assert data["total"] == sum(expected.values()) and data["unplaced"] == []
    assert "/api/map" in spec()["paths"]
    bad = desk.get("/api/map", params={"q": "("})
    # The same message as the search's, pointing at the same place.
    assert bad.status_code == 400
    assert bad.json() == desk.get("/api/search", params={"q": "("}).json()


def test_counts_come_from_the_readers_view(folder: Path, tmp_path: Path) -> None:
    """The public counts the published edition only; a reader, what their ceiling lets
    them find: the same set the search finds for them."""
    with Archive.open(folder) as archive:
        ids = sorted(r[0] for r in archive.connection.execute("SELECT reference_id FROM cables"))
        archive.approve(ids[::4])
        Accounts(archive).add("rita", "a long enough password", "reader", ceiling="CONFIDENTIAL")
        _, secret = Accounts(archive).create_token("map", "rita")
        published = archive.published()
        by_origin = dict(
            archive.connection.execute("SELECT reference_id, origin FROM cables").fetchall()
        )
        reader = Viewer(ceiling=1, redact=True, compiled=archive.redactor())
        for q in ("", "iran", "government"):
            found = archive.matching_ids(q, viewer=reader, blank_matches_all=True)
            expected = Counter(by_origin[i] for i in found if by_origin.get(i))
            got = archive.origin_counts(q, viewer=reader, blank_matches_all=True)
            assert dict(got) == dict(expected), q
    public = Counter(by_origin[i] for i in published if by_origin.get(i))
    with (
        TestClient(create_app(folder)) as visitor,
        TestClient(create_app(folder), headers={"authorization": f"Bearer {secret}"}) as rita,
    ):
        data = visitor.get("/api/map", params={"q": ""}).json()
        assert {p["origin"]: p["count"] for p in data["posts"]} == dict(public)
        page = visitor.get("/map").text
        assert sum(int(n) for n in re.findall(r'data-count="(\d+)"', page)) == len(published)
        assert rita.get("/api/map").status_code == 200
        assert visitor.get("/map/world.svg").status_code == 200


def test_the_command_line_prints_the_counts_and_the_svg(folder: Path, cables: list[Cable]) -> None:
    runner = CliRunner()
    answer = runner.invoke(cli, ["map", "iran", "--db", str(folder), "--output", "json"])
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.output)
    expected = Counter(c.origin for c in cables if c.origin and "iran" in words(c))
    assert {p["origin"]: p["count"] for p in data["posts"]} == dict(expected)
    drawn = runner.invoke(cli, ["map", "iran", "--db", str(folder), "--output", "svg"])
    assert drawn.exit_code == 0
    assert drawn.output.startswith("<svg") and drawn.output.count("<circle") == len(expected)
    table = runner.invoke(cli, ["map", "--db", str(folder)])
    assert "Secretary of State  (Washington, US" in table.output
    bad = runner.invoke(cli, ["map", "iran AND", "--db", str(folder)])
    assert bad.exit_code == 2
