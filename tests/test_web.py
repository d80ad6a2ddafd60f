"""The web desk's pages and JSON API, through the real application (no browser)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import cabledesk
from cabledesk.facade import Archive
from cabledesk.presentation.present import paragraph_anchors, refine
from cabledesk.record.model import Cable
from cabledesk.redact import FULL
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from cabledesk.web.security import HEADERS
from conftest import SAMPLE
from web_fixtures import HOSTILE_ID, build_web_archive, hostile_record


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_archive(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(archive_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(archive_path), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def cables() -> list[Cable]:
    """Every cable the web archive holds, parsed independently of it."""
    sample = [c for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable)]
    return [*sample, cabledesk.from_dict(hostile_record())]


def validate(payload: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
    jsonschema.validate(payload, schema)


# Pages ----------------------------------------------------------------------------------


def test_start_page_lists_every_cable_with_facets(client: TestClient) -> None:
    for path in ("/", "/search", "/search?q="):
        page = client.get(path)
        assert page.status_code == 200
        assert "49 cables" in page.text
        assert 'class="facet"' in page.text


def test_search_page_shows_hits_with_marked_snippets(client: TestClient) -> None:
    page = client.get("/search", params={"q": "maliki"})
    assert page.status_code == 200
    assert '<a class="hit-id" href="/cable/08BAGHDAD1784">08BAGHDAD1784</a>' in page.text
    assert re.search(r"<mark>Maliki[^<]*</mark>", page.text, re.IGNORECASE)
    assert "badge lv-s" in page.text


def test_facet_links_refine_the_query(client: TestClient) -> None:
    page = client.get("/search", params={"q": "iran"})
    links = re.findall(r'<a href="([^"]+)" data-facet="origin">Embassy Tehran</a>', page.text)
    assert links, "the origin facet links to a refined query"
    refined = client.get(links[0].replace("&amp;", "&"))
    assert 'value="iran origin:&#34;Embassy Tehran&#34;"' in refined.text
    assert "1 cable match" in refined.text


def test_paging_keeps_the_query_and_sort(client: TestClient) -> None:
    first = client.get("/search", params={"q": "", "sort": "date"})
    assert 'href="/search?q=&amp;sort=date&amp;page=2"' in first.text
    second = client.get("/search", params={"q": "", "sort": "date", "page": "2"})
    assert "page 2 of 3" in second.text
    assert 'start="21"' in second.text


def test_malformed_query_is_shown_beside_the_box(client: TestClient) -> None:
    page = client.get("/search", params={"q": 'iran AND ("unclosed'})
    assert page.status_code == 400
    assert 'id="query-error"' in page.text
    assert "unclosed quote" in page.text
    assert 'aria-invalid="true"' in page.text
    assert "<form" in page.text  # the page itself, not an error page


def test_bad_page_and_sort_values_fall_back_with_a_notice(client: TestClient) -> None:
    page = client.get("/search", params={"q": "iran", "page": "abc", "sort": "sideways"})
    assert page.status_code == 200
    assert "page: expected a whole number" in page.text
    assert "sort: expected rank or date or -date" in page.text


def test_very_long_query_gives_a_page(client: TestClient) -> None:
    page = client.get("/search", params={"q": "iran " * 2000})
    assert page.status_code == 200
    assert "only the first 2,000 characters are used" in page.text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=80))
def test_any_query_string_gives_a_page_never_a_500(client: TestClient, q: str) -> None:
    for path in ("/search", "/timeline", "/api/search"):
        answer = client.get(path, params={"q": q, "page": q[:5], "sort": q[:3]})
        assert answer.status_code in (200, 400), (path, q, answer.status_code)


def test_cable_page_has_everything_the_reader_needs(client: TestClient) -> None:
    page = client.get("/cable/08BAGHDAD1784")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "SECRET//NOFORN",
        "140650Z JUN 08",
        "AMEMBASSY BAGHDAD",
        "SECSTATE WASHDC",
        "RUEHC",
        "IRAN COLLECTIVE",
        "External Political Relations",  # PREL's meaning
        "Patricia A. Butenis",
        "foreign government information",  # 1.4(b) spelled out
        "2018-06-12",
        'id="p1"',
        'href="#p1"',
        "Summary",
        "Original text, as published",
        "Cited by",
    ):
        assert expected in text, expected


def test_cable_page_links_references_both_ways(client: TestClient) -> None:
    citing = client.get("/cable/08OSLO670").text
    assert '<a href="/cable/08OSLO585">08OSLO585</a>' in citing
    cited = client.get("/cable/08OSLO585").text
    assert '<a href="/cable/08OSLO670">08OSLO670</a>' in cited
    missing = client.get("/cable/08OSLO670").text
    assert "(not in this archive)" in missing


def test_cable_page_previous_and_next_from_the_same_origin(client: TestClient) -> None:
    page = client.get("/cable/06MADRID293").text
    assert '<a rel="prev" href="/cable/04MADRID527">' in page
    assert '<a rel="next" href="/cable/07MADRID208">' in page


def test_redactions_are_marked_blanks(client: TestClient) -> None:
    page = client.get("/cable/05SOFIA1207").text
    body = page.split('<section class="body"', 1)[1].split("</section>", 1)[0]
    assert 'class="redacted"' in body
    assert "XXXXX" not in body


def test_cable_text_is_escaped_everywhere(client: TestClient) -> None:
    pages = [
        client.get(f"/cable/{HOSTILE_ID}").text,
        client.get("/search", params={"q": "bold"}).text,
        client.get("/search", params={"q": f"id:{HOSTILE_ID}"}).text,
        client.get("/browse/tag").text,
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "<b>bold</b>" not in page
        assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[0]


def test_unknown_cable_is_a_404_page(client: TestClient) -> None:
    page = client.get("/cable/99NOWHERE1")
    assert page.status_code == 404
    assert "99NOWHERE1: expected the reference id of a cable in this archive" in page.text


def test_timeline_counts_months_by_classification(client: TestClient, cables: list[Cable]) -> None:
    page = client.get("/timeline", params={"q": "iran", "whole": "1"})
    assert page.status_code == 200
    bars = re.findall(r'data-month="(\d{4}-\d{2})"', page.text)
    api = client.get("/api/timeline", params={"q": "iran"}).json()
    assert bars == [m["month"] for m in api["months"]]
    # By default a small tail far from the rest is left off the axis, and named.
    bulk = client.get("/timeline", params={"q": "iran"}).text
    shown = re.findall(r'data-month="(\d{4}-\d{2})"', bulk)
    left = sorted(set(bars) - set(shown))
    assert set(shown) <= set(bars) and all(m in bulk for m in left)
    link = re.search(r'<a href="([^"]+)" aria-label="2008-06: ', page.text)
    assert link and "date%3A2008-06" in link.group(1)


def test_timeline_equals_brute_force(client: TestClient, cables: list[Cable]) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    for cable in cables:
        stamp = cable.header.sent or cable.created
        if stamp and cable.classification:
            expected[(stamp[:7], cable.classification)] += 1
    months = client.get("/api/timeline").json()["months"]
    found = Counter(
        {(m["month"], level): n for m in months for level, n in m["by_classification"].items()}
    )
    assert found == expected


def test_browse_pages(client: TestClient, cables: list[Cable]) -> None:
    origins = client.get("/browse/origin").text
    assert "Secretary of State" in origins and "2007-11-03" in origins
    tags = client.get("/browse/tag").text
    for heading in ("Subject tags", "Country tags", "Organization tags"):
        assert heading in tags
    months = client.get("/browse/month").text
    assert ">2008-06</a>" in months
    levels = client.get("/browse/classification").text
    assert "TOP SECRET" not in levels or "lv-ts" in levels
    assert client.get("/browse/nothing").status_code == 404
    assert client.get("/browse", follow_redirects=False).status_code == 308


def test_security_headers_on_pages_errors_and_static(client: TestClient) -> None:
    for path in ("/", "/cable/08BAGHDAD1784", "/cable/NOPE", "/api/search", "/static/desk.css"):
        answer = client.get(path)
        for name, value in HEADERS.items():
            assert answer.headers.get(name) == value, (path, name)


def test_pages_need_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/", "/cable/08BAGHDAD1784", "/timeline", "/browse/tag"):
        html = client.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path


# API ------------------------------------------------------------------------------------


def test_api_search_with_facets(client: TestClient, cables: list[Cable]) -> None:
    answer = client.get("/api/search", params={"q": "iran", "limit": 5, "sort": "-date"})
    assert answer.status_code == 200
    data = answer.json()
    validate(data, "SearchResult")
    mention = [c for c in cables if re.search(r"\biran\b", f"{c.subject} {c.text}", re.I)]
    assert data["total"] == len(mention) and len(data["hits"]) == 5
    dates = [h["date"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert set(data["facets"]) == {"origin", "year", "classification", "tag", "addressee"} | {
        "month",
        "caveat",
        "signer",
        "classified_by",  # issue 15 (tests/test_facets.py)
    } | {
        "people",
        "organisations",
        "places",  # the entity facets (tests/test_entity_search.py); empty: never enriched
    }
    hit = data["hits"][0]
    for start, end in hit["highlights"]:
        assert hit["passage"][start:end].lower().startswith("iran")


def test_api_search_paging_and_no_facets(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "", "limit": 10, "sort": "date"}).json()
    second = client.get(
        "/api/search", params={"q": "", "limit": 10, "offset": 10, "sort": "date", "facets": "0"}
    ).json()
    assert second["facets"] == {}
    ids = [h["reference_id"] for h in first["hits"] + second["hits"]]
    assert len(set(ids)) == 20


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"sort": "random"}, "sort"),
        ({"facets": "maybe"}, "facets"),
        ({"q": "x" * 2001}, "q"),
    ],
)
def test_api_rejects_bad_parameters(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 400
    validate(answer.json(), "Error")
    assert answer.json()["error"]["parameter"] == parameter
    assert "expected" in answer.json()["error"]["message"]


def test_api_malformed_query_says_where(client: TestClient) -> None:
    for path in ("/api/search", "/api/timeline"):
        answer = client.get(path, params={"q": "maliki AND"})
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert error["position"] == 10 and "term was expected" in error["message"]


def test_api_cable_and_citing(client: TestClient, cables: list[Cable]) -> None:
    answer = client.get("/api/cables/08baghdad1784")
    assert answer.status_code == 200
    data = answer.json()
    validate(data, "Cable")
    expected = next(c for c in cables if c.reference_id == "08BAGHDAD1784")
    assert cabledesk.from_dict(data["record"]) == expected
    citing = client.get("/api/cables/08OSLO585/citing").json()
    validate(citing, "Citing")
    assert citing["citing"] == ["08OSLO670"]
    assert client.get("/api/cables/08OSLO670").json()["references_in_archive"] == ["08OSLO585"]


def test_api_unknown_ids_are_404(client: TestClient) -> None:
    for path in ("/api/cables/99NOWHERE1", "/api/cables/99NOWHERE1/citing"):
        answer = client.get(path)
        assert answer.status_code == 404
        validate(answer.json(), "Error")
        assert "99NOWHERE1" in answer.json()["error"]["message"]


def test_api_cited_but_missing_cable_still_lists_its_citers(client: TestClient) -> None:
    answer = client.get("/api/cables/08OSLO629/citing")  # cited by 08OSLO670, not archived
    assert answer.status_code == 200
    assert answer.json()["citing"] == ["08OSLO670"]


def test_api_stats_and_browse(client: TestClient, archive_path: Path) -> None:
    stats = client.get("/api/stats").json()
    validate(stats, "Stats")
    assert stats["cables"] == 49
    assert sum(row["count"] for row in stats["classification"]) == 49
    for by in ("origin", "tag", "month", "classification"):
        data = client.get(f"/api/browse/{by}").json()
        validate(data, "Browse")
    with Archive.open(archive_path, create=False) as archive:
        origins = {o.origin: o.count for o in archive.browse_origins(viewer=FULL)}
        assert sum(origins.values()) == 49
        assert origins["Secretary of State"] == 9


def test_api_errors_are_json(client: TestClient) -> None:
    answer = client.get("/api/nothing/here")
    assert answer.status_code == 404
    validate(answer.json(), "Error")
    answer = client.post("/api/search")
    assert answer.status_code == 405
    validate(answer.json(), "Error")
    assert client.get("/api/browse/colour").status_code == 404


def test_openapi_describes_every_api_route(client: TestClient) -> None:
    described = client.get("/api/openapi.json").json()
    assert described["openapi"].startswith("3.1")
    routes = {
        getattr(route, "path", "")
        for route in client.app.routes  # type: ignore[attr-defined]
        if getattr(route, "path", "").startswith("/api")
    }
    assert routes == set(described["paths"])
    validate(client.get("/api").json(), "Index")
    json.dumps(described)


# Presentation helpers ---------------------------------------------------------------------


def test_refine_quotes_and_groups() -> None:
    assert refine("", "origin", "Embassy Baghdad") == 'origin:"Embassy Baghdad"'
    assert refine("iran", "classification", "TOP SECRET") == "iran class:top_secret"
    assert refine("iran OR iraq", "year", "2008") == "(iran OR iraq) year:2008"
    assert refine("x", "tag", 'A"B') == "x tag:AB"


def test_paragraph_anchors_are_stable_and_unique() -> None:
    assert paragraph_anchors([1, 2, None, 2, None]) == ["p1", "p2", "u1", "p2-2", "u2"]


def test_every_cable_and_paragraph_can_be_cited(client: TestClient, cables: list[Cable]) -> None:
    """ "Cite" on a cable and on each paragraph: the plain reference with the paragraph,
    a Chicago-style note and the permalink, all as text to copy."""
    import html

    cable = next(c for c in cables if c.reference_id == "08BAGHDAD1784")
    page = client.get("/cable/08BAGHDAD1784")
    assert page.status_code == 200
    text = html.unescape(page.text)
    permalink = "http://testserver/cable/08BAGHDAD1784"
    assert f'data-style="permalink">{permalink}</code>' in text
    chicago = re.search(
        r'<details class="cite" id="cite">.*?data-style="chicago">([^<]*)<', text, re.S
    )
    assert chicago is not None
    note = chicago.group(1)
    assert note.startswith(f"{cable.origin} to ")
    assert f"\u201c{cable.subject},\u201d cable 08BAGHDAD1784, " in note
    assert note.endswith(f", {permalink}.")
    anchors = paragraph_anchors([p.number for p in cable.paragraphs])
    cited = re.findall(r'<details class="cite-para">.*?data-style="plain">([^<]*)<', text, re.S)
    assert len(cited) == len(cable.paragraphs) == len(anchors)
    for anchor, plain, paragraph in zip(anchors, cited, cable.paragraphs, strict=True):
        if paragraph.number is not None and "-" not in anchor:
            assert plain == f"08BAGHDAD1784 ¶{paragraph.number}"
        assert f"{permalink}#{anchor}." in text


def test_search_results_export_every_match_with_the_fields_people_ask_for(
    client: TestClient, cables: list[Cable]
) -> None:
    import csv
    import io

    page = client.get("/search", params={"q": "iraq", "sort": "date"}).text
    links = dict(re.findall(r'<a href="([^"]+)" data-format="([^"]+)"', page))
    assert set(links.values()) == {"csv", "jsonl", "parquet", "jsonl-text"}
    total = client.get("/api/search", params={"q": "iraq"}).json()["total"]
    by_format = {fmt: href.replace("&amp;", "&") for href, fmt in links.items()}
    answer = client.get(by_format["csv"])
    assert answer.status_code == 200 and answer.headers["x-rows"] == str(total)
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == total > 0
    assert list(rows[0]) == [
        "reference_id", "date", "origin", "classification", "caveats", "subject",
        "classified_by", "signers", "tags", "link",
    ]  # fmt: skip
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert all(r["link"] == f"http://testserver/cable/{r['reference_id']}" for r in rows)
    with_text = [json.loads(x) for x in client.get(by_format["jsonl-text"]).text.splitlines()]
    by_id = {c.reference_id: c for c in cables}
    assert {r["reference_id"] for r in with_text} == {r["reference_id"] for r in rows}
    assert all(r["text"] == by_id[r["reference_id"]].text for r in with_text)
    every = client.get("/api/export/cables", params={"format": "jsonl"})
    assert len(every.text.splitlines()) == len(cables)
    bad = client.get("/api/export/cables", params={"q": "iraq AND", "format": "csv"})
    assert bad.status_code == 400 and "position" in bad.json()["error"]
    assert client.get("/api/export/cables", params={"format": "xls"}).status_code == 400


def _months(counts: dict[str, int]) -> list[Any]:
    from cabledesk.query.timeline import Month

    return [
        Month(month=m, total=n, by_classification={"SECRET": n}) for m, n in sorted(counts.items())
    ]


def test_the_timeline_axis_leaves_off_a_small_far_tail_and_says_so() -> None:
    from cabledesk.presentation import chart

    bulk = {f"{y}-{m:02d}": 10 for y in range(2004, 2011) for m in (1, 6, 11)}
    drawn = chart.build(_months({"1972-03": 1, **bulk}))
    assert drawn is not None
    assert (drawn.first, drawn.last) == ("2004-01", "2010-11")
    assert (drawn.left_out, drawn.left_out_months) == (1, ["1972-03"])
    whole = chart.build(_months({"1972-03": 1, **bulk}), whole=True)
    assert whole is not None and (whole.first, whole.left_out) == ("1972-03", 0)
    # A tail that is a large part of the matches, or near the rest, stays on the axis.
    assert chart.axis(_months({"1972-03": 40, **bulk}))[0] == "1972-03"
    assert chart.axis(_months({"2002-03": 1, **bulk}))[0] == "2002-03"
    # Both ends, and never the bulk: two far months of equal weight both stay.
    assert chart.axis(_months({"1972-03": 1, **bulk, "2030-01": 2})) == ("2004-01", "2010-11")
    assert chart.axis(_months({"1972-03": 1, "2008-01": 1})) == ("1972-03", "2008-01")
    zoom = chart.build(_months({"1972-03": 1, **bulk}), first="2008-01", last="2008-12")
    assert zoom is not None and [b.month for b in zoom.bars if b.total] == [
        "2008-01",
        "2008-06",
        "2008-11",
    ]
    assert zoom.left_out == 1 + 10 * 3 * 6


def test_the_timeline_can_show_each_months_share_of_all_cables() -> None:
    from cabledesk.presentation import chart

    matches = _months({"2008-01": 1, "2008-02": 4})
    everything = _months({"2008-01": 2, "2008-02": 40})
    drawn = chart.build(matches, all_cables=everything)
    assert drawn is not None and drawn.share
    january, february = drawn.bars
    assert (january.share, february.share) == (0.5, 0.1)
    # Heights follow the share: January (half its cables) is the tallest bar.
    height = {b.month: sum(s.height for s in b.segments) for b in drawn.bars}
    assert height["2008-01"] == pytest.approx(5 * height["2008-02"])
    assert january.label == "2008-01: 1 cable, 50.0% of the month's 2 (secret 1)"
    counted = chart.build(matches)
    assert counted is not None
    assert [b.label for b in counted.bars] == [
        "2008-01: 1 cable (secret 1)",
        "2008-02: 4 cables (secret 4)",
    ]


def test_the_timeline_page_zooms_shares_and_reports_what_it_left_off(client: TestClient) -> None:
    page = client.get("/timeline").text
    assert 'id="left-out"' in page and "1972-02" in page and 'id="show-whole"' in page
    assert 'data-month="1972-02"' not in page
    assert 'data-month="1972-02"' in client.get("/timeline", params={"whole": "1"}).text
    zoomed = client.get("/timeline", params={"from": "2008-01", "to": "2008-12"}).text
    months = re.findall(r'data-month="([^"]+)"', zoomed)
    assert months and all(m.startswith("2008-") for m in months) and 'id="zoom-out"' in zoomed
    assert re.search(r'class="zoom" data-year="2008"', page)
    shared = client.get("/timeline", params={"share": "1"}).text
    assert "% of the month" in shared and 'id="show-counts"' in shared
    bad = client.get("/timeline", params={"from": "June"})
    assert bad.status_code == 200 and "expected a month like 2008-06" in bad.text
