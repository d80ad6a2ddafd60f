"""The facets beyond the first five (month, handling caveat, signer, Classified By), their
query fields (`month:`, `signer:="..."`, `classified_by:="..."`), the search page's chips,
and that no facet counts a name a redaction rule withholds (issue 15).

Checked against an independent brute-force reading of the bundled sample's records, as
tests/test_search.py does for the rest of the language."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import cabledesk
from cabledesk.access import Accounts
from cabledesk.facade import Archive
from cabledesk.presentation.present import chips, refine
from cabledesk.query import QueryError
from cabledesk.record.model import Cable
from cabledesk.redact import Rule
from cabledesk.redact.viewer import FULL, Viewer
from cabledesk.web import create_app
from conftest import SAMPLE

Predicate = Callable[[Cable], bool]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = Archive.open(tmp_path_factory.mktemp("facets") / "a")
    archive.ingest(SAMPLE, workers=1)
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def cables() -> list[Cable]:
    return [c for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable)]


def month(cable: Cable) -> str:
    return (cable.header.sent or cable.created or "")[:7]


def whole(text: str | None) -> str:
    """A value as a whole, written independently of the product: spaces collapsed, any case."""
    return " ".join((text or "").split()).upper()


def signers(cable: Cable) -> set[str]:
    return {whole(s) for s in cable.signers if s.strip()}


def classifier(cable: Cable) -> str:
    return whole(cable.classified_by.name) if cable.classified_by else ""


def addressees(cable: Cable) -> set[str]:
    return {a.name for a in cable.header.to + cable.header.info}


CASES: list[tuple[str, Predicate]] = [
    ("month:2009-02", lambda c: month(c) == "2009-02"),
    ("month:2008-06", lambda c: month(c) == "2008-06"),
    ("month:2008-01..2009-06", lambda c: "2008-01" <= month(c) <= "2009-06"),
    ("month:1972-01..1999-12", lambda c: "1972-01" <= month(c) <= "1999-12"),
    ("-month:2009-02", lambda c: month(c) != "2009-02"),
    ('signer:="CLINTON"', lambda c: "CLINTON" in signers(c)),
    ('signer:="clinton"', lambda c: "CLINTON" in signers(c)),
    ("signer:=RICE", lambda c: "RICE" in signers(c)),
    ('signer:="RICE" OR signer:="CLINTON"', lambda c: bool({"RICE", "CLINTON"} & signers(c))),
    ('classified_by:="Eric G. John"', lambda c: classifier(c) == "ERIC G. JOHN"),
    ('classified_by:="ERIC   G. JOHN"', lambda c: classifier(c) == "ERIC G. JOHN"),
    # The exact form is the whole name: a part of it finds nothing.
    ('classified_by:="John"', lambda c: classifier(c) == "JOHN"),
    ('to:="CIA WASHINGTON DC"', lambda c: "CIA WASHINGTON DC" in addressees(c)),
    ('to:="cia washington dc"', lambda c: "CIA WASHINGTON DC" in addressees(c)),
    ("caveat:noforn", lambda c: "NOFORN" in c.caveats),
    ("-caveat:noforn", lambda c: "NOFORN" not in c.caveats),
    (
        'iran month:2009-01..2009-12 -caveat:"for official use only"',
        lambda c: (
            "iran" in re.findall(r"[^\W_]+", f"{c.text} {c.subject}".lower())
            and month(c).startswith("2009")
            and "FOR OFFICIAL USE ONLY" not in c.caveats
        ),
    ),
]


@pytest.mark.parametrize(("query", "predicate"), CASES, ids=[q for q, _ in CASES])
def test_query_returns_what_brute_force_finds(
    archive: Archive, cables: list[Cable], query: str, predicate: Predicate
) -> None:
    expected = sorted(c.reference_id or "" for c in cables if predicate(c))
    result = archive.search(query, limit=1000, facets=False, viewer=FULL)
    assert sorted(h.reference_id for h in result.hits) == expected
    assert result.total == len(expected)


def test_the_cases_are_not_vacuous(cables: list[Cable]) -> None:
    # Each query above finds something and leaves something out, or it tests nothing.
    for query, predicate in CASES:
        found = sum(1 for c in cables if predicate(c))
        if query != 'classified_by:="John"':
            assert 0 < found < len(cables), query


MALFORMED = [
    ("month:2009", "month: takes a month (2009-03) or a range", 0),
    ("month:2009-13", "month: a month runs from 01 to 12", 0),
    ("month:2009-06..2009-01", "month: the range ends before it starts", 0),
    ("iran month:03-2009", "month: takes a month", 5),
    ('tag:="PREL"', "tag: takes no exact value", 0),
    ('signer:=""', "signer: needs a value", 0),
    ('signer:="RICE', "unclosed quote", 7),
]


@pytest.mark.parametrize(("query", "message", "position"), MALFORMED)
def test_malformed_queries_point_at_the_problem(
    archive: Archive, query: str, message: str, position: int
) -> None:
    with pytest.raises(QueryError) as caught:
        archive.search(query, viewer=FULL)
    assert caught.value.message.startswith(message)
    assert caught.value.position == position


@pytest.mark.parametrize("query", ["", "iran", "tag:PREL", "class:secret", "nucl*"])
def test_the_new_facets_count_what_brute_force_counts(
    archive: Archive, cables: list[Cable], query: str
) -> None:
    result = archive.search(query, limit=1000, viewer=FULL, blank_matches_all=True)
    matched = {h.reference_id for h in result.hits}
    chosen = [c for c in cables if c.reference_id in matched]
    expected = {
        "month": Counter(month(c) for c in chosen if month(c)),
        "caveat": Counter(v for c in chosen for v in c.caveats),
        "signer": Counter(s for c in chosen for s in signers(c)),
        "classified_by": Counter(classifier(c) for c in chosen if classifier(c)),
    }
    for name, counts in expected.items():
        got = dict(result.facets[name])
        assert got, (name, query)
        assert all(counts[value] == count for value, count in got.items()), name
        assert len(got) == min(50, len(counts)), name


def test_each_facet_value_narrows_to_exactly_its_count(archive: Archive) -> None:
    """Choosing a value (the link the page draws: present.refine) finds as many cables as
    the facet said, for every value of every facet; and the chip it makes takes it out."""
    base = "iran OR nuclear"
    result = archive.search(base, limit=1, viewer=FULL)
    tried = 0
    for name, buckets in result.facets.items():
        for value, count in buckets:
            narrowed = refine(base, name, value)
            assert archive.search(narrowed, limit=1, facets=False, viewer=FULL).total == count, (
                narrowed
            )
            made = chips(narrowed)
            assert len(made) == 1 and made[0].without == f"({base})", narrowed
            tried += 1
    assert tried > 40


def test_chips_name_each_narrowing_and_drop_only_it() -> None:
    q = 'iran AND signer:="C. RICE" -caveat:NOFORN (a OR b) month:2009-03 entity:12'
    found = chips(q, {12: "Nouri al-Maliki"})
    assert [(c.title, c.value, c.negated) for c in found] == [
        ("Signer", "C. RICE", False),
        ("Handling caveat", "NOFORN", True),
        ("Month", "2009-03", False),
        ("Entity", "Nouri al-Maliki", False),
    ]
    assert found[0].without == "iran -caveat:NOFORN (a OR b) month:2009-03 entity:12"
    assert found[1].without == 'iran signer:="C. RICE" (a OR b) month:2009-03 entity:12'
    assert found[3].without == 'iran signer:="C. RICE" -caveat:NOFORN (a OR b) month:2009-03'
    # An entity the reader may not see is named by its number only.
    assert chips("entity:99", {})[0].value == "entity 99"
    # A top-level OR is one part, not a narrowing; an unreadable query has no chips.
    assert chips("tag:PREL OR tag:PGOV") == []
    assert chips("tag:PREL AND") == []


# --- Fail closed: a name a rule withholds is no facet value and no count --------------


@pytest.fixture(scope="module")
def redacted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, Path, str]]:
    """The sample with a signer and a Classified By name redacted everywhere, an account
    for a reader and a token, and about half of the cables published."""
    folder = tmp_path_factory.mktemp("facet-leaks") / "a"
    archive = Archive.open(folder)
    archive.ingest(SAMPLE, workers=1)
    accounts = Accounts(archive)
    accounts.add("rita", "a long enough password", "reader", ceiling="SECRET")
    _, secret = accounts.create_token("facets", "rita")
    ids = sorted(r[0] for r in archive.connection.execute("SELECT reference_id FROM cables"))
    archive.approve(ids[::2])
    yield archive, folder, secret
    archive.close()


def _leaks(text: str, name: str) -> bool:
    words = re.findall(r"[^\W_]+", name)
    return bool(re.search(r"(?<![^\W_])" + r"[\W_]+".join(words) + r"(?![^\W_])", text, re.I))


def test_a_redacted_signer_or_classifier_is_never_a_facet_value(
    redacted: tuple[Archive, Path, str], cables: list[Cable]
) -> None:
    archive, folder, secret = redacted
    everyone = Counter(s for c in cables for s in signers(c))
    classifiers = Counter(classifier(c) for c in cables if classifier(c))
    # The most frequent signer and classifier, and one of several words: the rules name
    # them as the cables write them.
    signer = everyone.most_common(1)[0][0]
    named = next(n for n, _ in classifiers.most_common() if len(n.split()) > 1)
    surname = named.split()[-1]
    full = archive.search("", blank_matches_all=True, limit=1, viewer=FULL)
    assert signer in dict(full.facets["signer"])
    assert named in dict(full.facets["classified_by"])
    rules = [
        archive.redact(Rule(kind="name", text=signer.title(), reason="facet leak test")),
        archive.redact(Rule(kind="name", text=surname.title(), reason="facet leak test")),
    ]
    try:
        viewers = {
            "public": archive.public_viewer(),
            "reader": Viewer(ceiling=2, redact=True, compiled=archive.redactor()),
            "foreign reader": Viewer(
                ceiling=1, foreign=True, redact=True, compiled=archive.redactor()
            ),
        }
        for who, viewer in viewers.items():
            for q in ("", "iran", "tag:PREL", "class:secret"):
                result = archive.search(q, blank_matches_all=True, limit=1, viewer=viewer)
                values = [v for name in ("signer", "classified_by") for v, _ in result.facets[name]]
                for value in values:
                    assert not _leaks(value, signer), (who, q, value)
                    assert not _leaks(value, surname), (who, q, value)
                    assert "REDACTED" not in value and "XXXXX" not in value, (who, value)
            # Nor does the exact form find the cables by the withheld name.
            for q in (f'signer:="{signer}"', f'classified_by:="{named}"'):
                assert archive.search(q, limit=1, viewer=viewer).total == 0, (who, q)
        with (
            TestClient(create_app(folder)) as visitor,
            TestClient(create_app(folder), headers={"authorization": f"Bearer {secret}"}) as rita,
        ):
            for client in (visitor, rita):
                answer = client.get("/api/search", params={"q": ""}).json()
                text = str([answer["facets"].get("signer"), answer["facets"].get("classified_by")])
                if client is rita:
                    assert answer["facets"]["signer"], "the facet is not empty"
                assert not _leaks(text, signer) and not _leaks(text, surname)
                page = client.get("/search", params={"q": ""}).text
                aside = "".join(re.findall(r"<aside.*?</aside>", page, re.S))
                assert aside and not _leaks(unescape(aside), signer)
                assert not _leaks(unescape(aside), surname)
    finally:
        for rule in rules:
            archive.lift(rule.id or 0, reason="end of test")
    # Lifted: the names count again (the test could fail).
    full = archive.search("", blank_matches_all=True, limit=1, viewer=FULL)
    assert signer in dict(full.facets["signer"])


# --- The search page: facets, chips ---------------------------------------------------


@pytest.fixture(scope="module")
def desk(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(archive.store.path)) as client:
        yield client


def test_the_page_shows_every_facet_and_a_chosen_one_as_a_removable_chip(
    desk: TestClient, archive: Archive
) -> None:
    page = desk.get("/search", params={"q": "iran"}).text
    for title in ("Month", "Handling caveat", "Signer", "Classified by"):
        assert f"<h2>{title}</h2>" in page, title
    link = re.search(r'href="([^"]+)" data-facet="signer">([^<]+)</a>', page)
    assert link
    url, value = unescape(link.group(1)), unescape(link.group(2))
    q = parse_qs(urlsplit(url).query)["q"][0]
    assert q == f'iran signer:="{value}"'
    narrowed = desk.get(url).text
    chip = re.search(r'<li class="chip" data-field="signer">(.*?)</li>', narrowed, re.S)
    assert chip and value in unescape(chip.group(1))
    removal = re.search(r'class="chip-remove" href="([^"]+)"', chip.group(1))
    assert removal
    assert parse_qs(urlsplit(unescape(removal.group(1))).query)["q"] == ["iran"]
    total = archive.search(q, limit=1, facets=False, viewer=FULL).total
    assert re.search(rf"<h1[^>]*>{total} cables? match", narrowed)


_PIECES = st.sampled_from(
    [
        'signer:="',
        "signer:=",
        "month:",
        "2009-03",
        "..",
        '"',
        "(",
        ")",
        "-",
        "AND ",
        "OR ",
        "classified_by:=",
        "to:=",
        "caveat:",
        "NOFORN",
        "tag:=",
        "entity:",
        "12",
        " ",
        "=",
        "iran",
    ]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.lists(_PIECES | st.text(max_size=6), max_size=8).map("".join))
def test_any_query_gives_chips_a_page_and_a_map_never_a_500(desk: TestClient, q: str) -> None:
    answers = {path: desk.get(path, params={"q": q}) for path in ("/search", "/map", "/api/map")}
    for path, answer in answers.items():
        assert answer.status_code in (200, 400), (path, q, answer.status_code)
    if answers["/search"].status_code == 200:
        # A query that runs shows its chips; each chip's query (the others as written)
        # runs too.
        for made in chips(q):
            assert made.without != q
            assert desk.get("/search", params={"q": made.without}).status_code == 200, made
