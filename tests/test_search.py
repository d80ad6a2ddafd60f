"""The query language over the bundled sample: every field and operator, checked against
an independent brute-force reading of the records; malformed queries; facets."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cabledesk
from cabledesk.facade import Archive
from cabledesk.query import QueryError
from cabledesk.record.model import Cable
from cabledesk.redact.viewer import FULL, Viewer
from conftest import SAMPLE

Predicate = Callable[[Cable], bool]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = Archive.open(tmp_path_factory.mktemp("search") / "a")
    archive.ingest(SAMPLE, workers=1)
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def cables() -> list[Cable]:
    return [c for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable)]


def words(text: str | None) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W_]+", text or "")}


def has_word(cable: Cable, word: str) -> bool:
    return word in words(cable.text) or word in words(cable.subject)


def has_phrase(cable: Cable, phrase: str) -> bool:
    return has_phrase_in(cable.text, phrase) or has_phrase_in(cable.subject, phrase)


def day(cable: Cable) -> str:
    return (cable.header.sent or cable.created or "")[:10]


RANK = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}

CASES: list[tuple[str, Predicate]] = [
    ("iran", lambda c: has_word(c, "iran")),
    ("IRAN", lambda c: has_word(c, "iran")),
    ("nuclear", lambda c: has_word(c, "nuclear")),
    ("iran iraq", lambda c: has_word(c, "iran") and has_word(c, "iraq")),
    ("iran AND iraq", lambda c: has_word(c, "iran") and has_word(c, "iraq")),
    ("iran OR iraq", lambda c: has_word(c, "iran") or has_word(c, "iraq")),
    ("iran NOT iraq", lambda c: has_word(c, "iran") and not has_word(c, "iraq")),
    ("iran AND NOT iraq", lambda c: has_word(c, "iran") and not has_word(c, "iraq")),
    ("iran -iraq", lambda c: has_word(c, "iran") and not has_word(c, "iraq")),
    ("NOT iran", lambda c: not has_word(c, "iran")),
    (
        "(iran OR iraq) AND syria",
        lambda c: (has_word(c, "iran") or has_word(c, "iraq")) and has_word(c, "syria"),
    ),
    (
        "iran OR (iraq AND syria)",
        lambda c: has_word(c, "iran") or (has_word(c, "iraq") and has_word(c, "syria")),
    ),
    ('"nuclear reactor"', lambda c: has_phrase(c, "nuclear reactor")),
    ('"prime minister"', lambda c: has_phrase(c, "prime minister")),
    ('"Soleimani\'s assurances"', lambda c: has_phrase(c, "soleimani's assurances")),
    ("nucl*", lambda c: any(w.startswith("nucl") for w in words(c.text) | words(c.subject))),
    (
        "presiden*",
        lambda c: any(w.startswith("presiden") for w in words(c.text) | words(c.subject)),
    ),
    ("id:08BAGHDAD1784", lambda c: c.reference_id == "08BAGHDAD1784"),
    ("id:08baghdad1784", lambda c: c.reference_id == "08BAGHDAD1784"),
    ("tag:PREL", lambda c: "PREL" in c.tags),
    ("tag:prel", lambda c: "PREL" in c.tags),
    ("tag:IZ", lambda c: "IZ" in c.tags),
    ('tag:"ORGANIZED CRIME"', lambda c: "ORGANIZED CRIME" in c.tags),
    ("origin:madrid", lambda c: "madrid" in (c.origin or "").lower()),
    ('origin:"Embassy Baghdad"', lambda c: c.origin == "Embassy Baghdad"),
    ('origin:"secretary of state"', lambda c: c.origin == "Secretary of State"),
    ('from:"AMEMBASSY MADRID"', lambda c: has_phrase_in(c.header.from_, "amembassy madrid")),
    ("from:baghdad", lambda c: "baghdad" in words(c.header.from_)),
    (
        'to:"SECSTATE WASHDC"',
        lambda c: any(
            has_phrase_in(a.name, "secstate washdc") for a in c.header.to + c.header.info
        ),
    ),
    ("to:nairobi", lambda c: any("nairobi" in words(a.name) for a in c.header.to + c.header.info)),
    ("class:secret", lambda c: c.classification == "SECRET"),
    ("class:confidential", lambda c: c.classification == "CONFIDENTIAL"),
    ("class:unclassified", lambda c: c.classification == "UNCLASSIFIED"),
    ("class:>=confidential", lambda c: RANK.get(c.classification or "", -1) >= 1),
    ("class:>confidential", lambda c: RANK.get(c.classification or "", -1) > 1),
    ("class:<secret", lambda c: 0 <= RANK.get(c.classification or "", -1) < 2),
    ("class:<=confidential", lambda c: 0 <= RANK.get(c.classification or "", -1) <= 1),
    ("caveat:NOFORN", lambda c: "NOFORN" in c.caveats),
    ('caveat:"for official use only"', lambda c: "FOR OFFICIAL USE ONLY" in c.caveats),
    ("date:2008-06", lambda c: day(c).startswith("2008-06")),
    ("date:2009", lambda c: day(c).startswith("2009")),
    ("date:2008-06-14", lambda c: day(c) == "2008-06-14"),
    ("date:2008-01..2009-06", lambda c: "2008-01-01" <= day(c) <= "2009-06-30"),
    ("date:2004..2006", lambda c: "2004-01-01" <= day(c) <= "2006-12-31"),
    ("year:2009", lambda c: day(c)[:4] == "2009"),
    ("year:1972", lambda c: day(c)[:4] == "1972"),
    ("year:2004..2006", lambda c: "2004" <= day(c)[:4] <= "2006"),
    ("subject:maliki", lambda c: "maliki" in words(c.subject)),
    ('subject:"nuclear reactor"', lambda c: has_phrase_in(c.subject, "nuclear reactor")),
    ("signer:butenis", lambda c: "butenis" in {s.lower() for s in c.signers}),
    ("signer:CLINTON", lambda c: "clinton" in {s.lower() for s in c.signers}),
    (
        "classified_by:sison",
        lambda c: bool(c.classified_by) and "sison" in words(c.classified_by.name),
    ),
    (
        "classified_by:ambassador",
        lambda c: (
            bool(c.classified_by)
            and "ambassador" in words(f"{c.classified_by.name} {c.classified_by.title}")
        ),
    ),
    ("cites:09KUWAIT95", lambda c: "09KUWAIT95" in [r.cable_id for r in c.references]),
    ("has:references", lambda c: bool(c.references)),
    ("has:redactions", lambda c: c.redactions.count > 0),
    (
        "has:redactions class:secret",
        lambda c: c.redactions.count > 0 and c.classification == "SECRET",
    ),
    (
        "iran year:2009 class:>=secret",
        lambda c: (
            has_word(c, "iran")
            and day(c)[:4] == "2009"
            and RANK.get(c.classification or "", -1) >= 2
        ),
    ),
    ("tag:PREL -tag:PGOV", lambda c: "PREL" in c.tags and "PGOV" not in c.tags),
    (
        "origin:madrid OR origin:brasilia",
        lambda c: any(s in (c.origin or "").lower() for s in ("madrid", "brasilia")),
    ),
    ("al-maliki", lambda c: has_phrase(c, "al maliki")),
]


def has_phrase_in(text: str | None, phrase: str) -> bool:
    wanted = " ".join(re.findall(r"[^\W_]+", phrase.lower()))
    return f" {wanted} " in " " + " ".join(re.findall(r"[^\W_]+", (text or "").lower())) + " "


def test_enough_queries_are_checked() -> None:
    assert len(CASES) + len(MALFORMED) >= 60


@pytest.mark.parametrize(("query", "predicate"), CASES, ids=[q for q, _ in CASES])
def test_query_returns_what_brute_force_finds(
    archive: Archive, cables: list[Cable], query: str, predicate: Predicate
) -> None:
    expected = sorted(c.reference_id or "" for c in cables if predicate(c))
    result = archive.search(query, limit=1000, facets=False, viewer=FULL)
    assert sorted(h.reference_id for h in result.hits) == expected
    assert result.total == len(expected)


def test_cited_by_lists_the_cables_a_cable_cites(archive: Archive, cables: list[Cable]) -> None:
    citing = next(c for c in cables if c.reference_id == "10MANAGUA115")
    cited = {r.cable_id for r in citing.references if r.cable_id}
    present = {c.reference_id for c in cables} & cited
    result = archive.search("cited_by:10MANAGUA115", limit=100, facets=False, viewer=FULL)
    assert {h.reference_id for h in result.hits} == present


MALFORMED = [
    ("", "empty query", 0),
    ("   ", "empty query", 0),
    ("iran AND", "the query ends where a term was expected", 8),
    ("OR iran", "OR needs a term on each side", 0),
    ('"unclosed', "unclosed quote", 0),
    ("(iran OR iraq", "'(' is never closed", 0),
    ("iran)", "unmatched ')'", 4),
    ("colour:red", "unknown field 'colour'", 0),
    ("tag:", "tag: needs a value", 4),
    ("class:purple", "class: takes unclassified", 0),
    ("date:2008-13", "date: '2008-13' is not a date", 0),
    ("date:June", "date: takes YYYY, YYYY-MM or YYYY-MM-DD", 0),
    ("date:2009..2008", "date: the range ends before it starts", 0),
    ("year:08", "year: takes a year", 0),
    ("has:pictures", "has: takes references or redactions", 0),
    ("a*", "a prefix needs at least two letters before *", 0),
    ('""', "empty phrase", 0),
    ("%%%", "'%%%' has no letters or digits to search for", 0),
    # Nesting is limited (deeper would exhaust Python's recursion): the caret is at the
    # first bracket or NOT too deep.
    ("(" * 246 + "iran" + ")" * 246, "the query nests too deeply", 32),
    ("-" * 1000 + "iran", "the query nests too deeply", 32),
    ("NOT " * 300 + "iran", "the query nests too deeply", 128),
    ("iran (" + "NOT (" * 16 + "x" + ")" * 17, "the query nests too deeply", 85),
    # So is the number of words that expand to every word with their prefix.
    (" ".join(f"p{c}*" for c in "abcdefghijk"), "too many words ending in *", 40),
    ("ab* subject:cd* " * 5 + "iran OR to:ef*", "too many words ending in *", 88),
]


@pytest.mark.parametrize(
    ("query", "message", "position"), MALFORMED, ids=[m for _, m, _ in MALFORMED]
)
def test_malformed_queries_point_at_the_problem(
    archive: Archive, query: str, message: str, position: int
) -> None:
    with pytest.raises(QueryError) as caught:
        archive.search(query, viewer=FULL)
    assert caught.value.message.startswith(message)
    assert caught.value.position == position
    assert "^" in str(caught.value)


def test_queries_just_within_the_limits_run(archive: Archive) -> None:
    deep = "((" + "NOT (" * 15 + "iran" + ")" * 17  # 32 levels, an odd number of NOTs
    assert (
        archive.search(deep, facets=False, viewer=FULL).total
        == archive.search("NOT iran", viewer=FULL).total
    )
    ten = " OR ".join(
        f"{w[:3]}*"
        for w in (
            "iran",
            "iraq",
            "syria",
            "nuclear",
            "reactor",
            "maliki",
            "baghdad",
            "madrid",
            "embassy",
            "tags",
        )
    )
    assert archive.search(ten, facets=False, viewer=FULL).total > 0


def test_the_limits_hold_for_a_huge_list_of_prefixes_without_searching(archive: Archive) -> None:
    """A 2,000-character list of prefixes (a second of work per request before the limit)
    is refused before tantivy sees it."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    query = " ".join(f"{a}{b}*" for a in letters for b in letters)[:2000].rsplit(" ", 1)[0]
    with pytest.raises(QueryError) as caught:
        archive.search(query, viewer=FULL)
    assert caught.value.message.startswith("too many words ending in *")


HIDDEN = "09BANGKOK1998"  # cites 09BANGKOK385, which is in the sample


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory, cables: list[Cable]) -> Iterator[Archive]:
    """An archive whose edition holds every cable but HIDDEN."""

    archive = Archive.open(tmp_path_factory.mktemp("edition") / "a")
    archive.ingest(SAMPLE, workers=1)
    archive.approve([c.reference_id or "" for c in cables if c.reference_id != HIDDEN])
    archive.record_edition(None, "test")
    yield archive
    archive.close()


def answer(archive: Archive, query: str, viewer: Viewer) -> tuple[int, list[str]] | str:
    try:
        result = archive.search(query, viewer=viewer, limit=100, facets=False)
    except QueryError as exc:
        return exc.message
    return result.total, sorted(h.reference_id for h in result.hits)


def test_an_unpublished_cable_does_not_exist_for_the_public(edition: Archive) -> None:
    """cited_by: reads, in SQLite, the REF block of the cable it names: for a visitor an
    unpublished cable must answer exactly as one that does not exist."""
    cited = (1, ["09BANGKOK385"])
    assert answer(edition, f"cited_by:{HIDDEN}", FULL) == cited  # a leak would show it
    visitor = Viewer(redact=True, published_only=True, compiled=edition.redactor())
    for field in ("cited_by", "cites", "id"):
        nowhere = answer(edition, f"{field}:99NOWHERE1", visitor)
        assert answer(edition, f"{field}:{HIDDEN.lower()}", visitor) == nowhere, field
        assert nowhere == (0, []), field
    # A published cable still answers (its REF block is part of the edition)...
    assert answer(edition, "cited_by:08OSLO670", visitor) == (1, ["08OSLO585"])
    # ...and readers, who search the whole archive, still see every cable's references.
    reader = Viewer(ceiling=3, redact=True, compiled=edition.redactor())
    assert answer(edition, f"cited_by:{HIDDEN}", reader) == cited


FACET_QUERIES = [
    "iran",
    "class:>=confidential",
    "tag:PREL",
    "year:2009",
    "has:references",
    "iran OR iraq",
    "NOT iran",
    "origin:madrid",
    "nucl*",
    '"prime minister"',
    "date:2004..2008",
    "caveat:NOFORN",
]


@pytest.mark.parametrize("query", FACET_QUERIES)
def test_facet_counts_equal_brute_force(archive: Archive, cables: list[Cable], query: str) -> None:
    result = archive.search(query, limit=1000, viewer=FULL)
    matched = {h.reference_id for h in result.hits}
    chosen = [c for c in cables if c.reference_id in matched]
    expected = {
        "origin": Counter(c.origin for c in chosen if c.origin),
        "year": Counter(str(int(day(c)[:4])) for c in chosen if day(c)),
        "classification": Counter(c.classification for c in chosen if c.classification),
        "tag": Counter(t for c in chosen for t in c.tags),
        "addressee": Counter(
            a for c in chosen for a in {x.name for x in c.header.to + c.header.info}
        ),
    }
    for name, counts in expected.items():
        got = dict(result.facets[name])
        top = dict(counts.most_common())
        # Facets list at most 50 values: compare those, and their counts exactly.
        assert all(top[value] == count for value, count in got.items()), name
        assert len(got) == min(50, len(top)), name


def test_sort_by_date_both_ways(archive: Archive) -> None:
    ascending = [
        h.date
        for h in archive.search("iran", sort="date", limit=50, facets=False, viewer=FULL).hits
    ]
    descending = [
        h.date
        for h in archive.search("iran", sort="-date", limit=50, facets=False, viewer=FULL).hits
    ]
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)
    assert ascending[0] == descending[-1]


def test_paging_and_snippets(archive: Archive) -> None:
    everything = archive.search("iran", limit=100, facets=False, viewer=FULL)
    first = archive.search("iran", limit=5, facets=False, viewer=FULL)
    second = archive.search("iran", limit=5, offset=5, facets=False, viewer=FULL)
    assert [h.reference_id for h in first.hits + second.hits] == [
        h.reference_id for h in everything.hits[:10]
    ]
    assert all("[" in h.snippet and "]" in h.snippet for h in first.hits)


def test_search_command_prints_ids_and_reports_bad_queries(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE / "text", workers=1)
    run = [sys.executable, "-m", "cabledesk", "search", "--db", str(folder)]
    ok = subprocess.run([*run, "maliki", "--output", "ids"], capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, "08BAGHDAD1784\n")
    bad = subprocess.run([*run, "maliki AND"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "the query ends where a term was expected at position 11" in bad.stderr


def test_the_command_line_gives_every_match_as_ids_and_json_for_show_and_stats(
    archive: Archive, cables: list[Cable], tmp_path: Path
) -> None:
    """`search --output ids` lists every match unless --limit (it once stopped at 20
    silently); "" is every cable, as in the desk and in `export`; `show` and `stats`
    answer in JSON."""
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    db = str(archive.path)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--db", db])
        assert result.exit_code == 0, result.output
        return result.output

    everything = run("search", "", "--output", "ids").split()
    assert len(everything) == len(cables) > 20
    assert sorted(everything) == sorted(c.reference_id for c in cables)
    by_date = run("search", "", "--output", "ids", "--sort", "date").split()
    assert (
        run(
            "search", "", "--output", "ids", "--sort", "date", "--limit", "5", "--offset", "3"
        ).split()
        == by_date[3:8]
    )
    table = runner.invoke(cli, ["search", "", "--output", "json", "--db", db])
    assert json.loads(table.output)["total"] == len(cables)
    assert len(json.loads(table.output)["hits"]) == 20
    too_many = runner.invoke(cli, ["search", "x", "--limit", "20000", "--db", db])
    assert too_many.exit_code == 2 and "--output ids" in too_many.output
    exported = runner.invoke(cli, ["export", "--db", db, "--output", "jsonl"])
    assert exported.exit_code == 0
    assert len([line for line in exported.stdout.splitlines() if line.startswith("{")]) == len(
        cables
    )
    one = cables[0]
    shown = json.loads(run("show", one.reference_id, "--output", "json"))
    assert shown["cable"]["reference_id"] == one.reference_id
    assert set(shown["cited_by"]) == set(archive.citing(one.reference_id, viewer=Viewer()))
    stats = json.loads(run("stats", "--output", "json"))
    assert sum(row["count"] for row in stats["year"]) == len(cables)


def test_a_phrase_opens_the_snippet_where_it_stands_whole() -> None:
    from cabledesk.query.language import parse_query
    from cabledesk.query.search import passage, words_of

    filler = " ".join(f"filler{n}" for n in range(80))
    text = (
        f"Iraqi security forces moved north. {filler} The force of the argument was weak. "
        f"{filler} Officials said the IRGC-Quds Force, or Quds-Force, trained the groups."
    )
    words = words_of(parse_query('"quds force" iraqi'))
    assert words == ["quds force", "iraqi"]
    cut, marks, before, _ = passage(text, words)
    marked = [cut[a:b] for a, b in marks]
    assert marked[:2] == ["Quds Force", "Quds-Force"]
    assert "force of the argument" not in cut and before
    # Without the phrase in the text, a word of the query opens it.
    cut, marks, before, _ = passage(text.replace("Quds", "Qods"), words)
    assert not before and [cut[a:b] for a, b in marks] == ["Iraqi"]


def test_a_snippet_starts_and_ends_at_a_word_boundary() -> None:
    from cabledesk.query.search import passage

    rng = random.Random(7)
    for _ in range(300):
        words = [
            "".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 12))) for _ in range(200)
        ]
        text = " ".join(words)
        wanted = rng.choice(words)
        cut, marks, before, after = passage(text, [wanted])
        start = text.index(cut)
        assert start == 0 or text[start - 1] == " "
        end = start + len(cut)
        assert end == len(text) or text[end] == " "
        assert before == (start > 0) and after == (end < len(text))
        assert any(cut[a:b].lower().startswith(wanted) for a, b in marks)
