"""Regressions from issue 17, found by reading cables as users do.

Every text below follows a real cable's spelling (cable-format.md §3.4, §4.1); the cable it
comes from is named beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import cabledesk
from cabledesk.parse import parse_text
from cabledesk.parse.rules import eo_line
from cabledesk.record.model import Cable
from cabledesk.web import create_app
from conftest import CORPUS, SAMPLE, needs_corpus
from web_fixtures import build_web_archive

# Summaries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        # 09BAGHDAD1104: the continuation label is parenthesised and glued to the marking.
        (
            "1. (S) SUMMARY: The Iranian response was measured.\n\n"
            "2. (S)(Summary continued) Iran in 2009 faces more constraints. END SUMMARY.\n\n"
            "3. (S) The Quds Force is active.",
            "The Iranian response was measured. Iran in 2009 faces more constraints.",
        ),
        # 08ISLAMABAD2524: two continuation paragraphs.
        (
            "1. (S/NF) Summary. Gilani will be anxious.\n\n"
            "2. (C/NF) Summary continued. Sharif has used his time.\n\n"
            "3. (C/NF) Summary continued. Gilani likely will ask. End Summary.\n\n"
            "4. (C/NF) Prime Minister Gilani.",
            "Gilani will be anxious. Sharif has used his time. Gilani likely will ask.",
        ),
        # 07PARIS2743, 09UNVIEVIENNA540, 09LONDON604, 09CAIRO231: other spellings of it.
        (
            "3. (S) Summary: Burns and Araud met.\n\n"
            "4. (C) Summary cont'd: Araud agreed. End Summary.",
            "Burns and Araud met. Araud agreed.",
        ),
        (
            "1. (S) Summary: Kessler met Nackaerts.\n\n"
            "2. (C) Summary contd.: On Syria, Nackaerts said little. End Summary.",
            "Kessler met Nackaerts. On Syria, Nackaerts said little.",
        ),
        (
            "1. (C/NF) Summary and comment: Emboffs attended.\n\n"
            "2. (C/NF) Summary and comment con\u2019t. Although the Lib Dems lag. "
            "End summary and comment.",
            "Emboffs attended. Although the Lib Dems lag.",
        ),
        # 07ISLAMABAD256, 09BUENOSAIRES641, 10KUWAIT45, 09RIYADH181: `Summary and ...`.
        (
            "1. (S) Summary and introduction: In his January 12 meeting. End summary.",
            "In his January 12 meeting.",
        ),
        (
            "1. (C) Summary and Key Points. During a series of meetings. "
            "End Summary and Key Points.\n\n2. (C) Cohen met.",
            "During a series of meetings.",
        ),
        (
            "1. (C) SUMMARY & COMMENT:  Netherlands Ambassador Ron Strikker spoke. "
            "End summary &\ncomment.\n\n3. (C) After hearing.",
            "Netherlands Ambassador Ron Strikker spoke.",
        ),
        # 04OTTAWA3115: a heading `Summary and Key Themes` underlined, then paragraph 1.
        (
            "Summary and Key Themes\n----------------------\n\n"
            "1. (C/NF) The Canadian Government welcomes your visit. End Summary\n\n"
            "Martin's Minority Government Stable\n-----------------------------------\n\n"
            "2. (C) Martin leads.",
            "The Canadian Government welcomes your visit.",
        ),
        # What worked before still works: a plain label, BEGIN SUMMARY (1970s), no end.
        ("1. (C) Summary: The talks went well. End summary.", "The talks went well."),
        (
            "BEGIN SUMMARY\n\nGENERAL AZIMI ASKS. END SUMMARY\n\n1. ON FEB 24 CHARGE MET.",
            "GENERAL AZIMI ASKS.",
        ),
        ("1. (C) Summary: No end marker here.\n\n2. (C) Details.", "No end marker here."),
    ],
)
def test_a_summary_starts_where_its_label_is(text: str, summary: str) -> None:
    assert parse_text(text).summary == summary


def test_a_continued_summary_without_an_end_marker_keeps_its_continuation() -> None:
    cable = parse_text(
        "1. (C) Summary: Gilani will be anxious.\n\n"
        "2. (C) Summary continued: Sharif waits.\n\n"
        "3. (C) Details."
    )
    assert cable.summary == "Gilani will be anxious. Sharif waits."


# The corpus spells a continued summary these ways (and capitalised); a summary that starts
# with one began at the continuation, not at the summary's own label.
_CONTINUATION = re.compile(r"^\(?(?:continued|cont['\u2019]?d|con['\u2019]?t|contd|and |& )")


@needs_corpus
def test_no_corpus_summary_starts_inside_its_label() -> None:
    cables = [c for c in cabledesk.parse(CORPUS / "cable") if isinstance(c, Cable)]
    assert len(cables) == 645
    wrong = [
        (c.reference_id, c.summary[:60])
        for c in cables
        if c.summary and _CONTINUATION.match(c.summary.lower())
    ]
    assert wrong == []


@needs_corpus
def test_the_summary_reported_in_issue_17() -> None:
    path = next((CORPUS / "cable").rglob("09BAGHDAD1104.html"))
    summary = cabledesk.parse_file(path).summary
    assert summary is not None
    assert summary.startswith("The Iranian response to the drawdown of U.S. military forces")
    assert "Iran in 2009 faces more constraints in Iraq" in summary
    assert "summary continued" not in summary.lower()


# Declassification ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "on", "note"),
    [
        ("E.O. 12958: DECL: 06/14/2018", "2018-06-14", None),
        ("EO 12958 DECL: 01/09/2014", "2014-01-09", None),
        ("E.O. 12958: DECL: 12/31/2015", "2015-12-31", None),
        ("E.O. 12958: N/A", None, "N/A"),
        ("E.O. 12958: DECL: MR", None, "MR"),
        ("EO 12958 DECL: CLOSURE OF ICTY", None, "CLOSURE OF ICTY"),
        ("E.O. 12958: DECL: 1.4(B),(D)", None, "1.4(B),(D)"),
        ("E.O. 12958: DECL: X1", None, "X1"),
        ("E.O. 12958: DECL: 25X1", None, "25X1"),
        ("E.O. 12958: DECL: OADR", None, "OADR"),
        ("E.O. 12958: DNG: CO 01/22/2019", None, "DNG: CO 01/22/2019"),
        # 72TEHRAN1164: a 1972 cable declassified under the amended order. The date is when
        # it was declassified, which is what `declassify_on` tells a reader.
        (
            "E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006",
            "2006-06-21",
            "AS AMENDED; DECLASSIFIED JUNE 21, 2006",
        ),
        # 1970s NARA telegrams (E.O. 11652): a code, then the date.
        ("E.O. 11652: XGDS1, DECLAS 12-31-84", "1984-12-31", "XGDS1, DECLAS 12-31-84"),
        ("E.O. 11652: ADS, DECLAS 12-31-74", "1974-12-31", "ADS, DECLAS 12-31-74"),
        ("E.O. 11652: GDS", None, "GDS"),
    ],
)
def test_declassification_is_a_date_and_a_note(line: str, on: str | None, note: str | None) -> None:
    cable = parse_text(
        f"S E C R E T BAGHDAD 001784\n\n{line}\nTAGS: PREL IZ\nSUBJECT: TEST\n\n1. (C) Text."
    )
    assert cable.declassification == line
    assert cable.declassify_on == on
    assert cable.declassification_note == note


def test_a_derivative_declassify_on_line_is_a_note() -> None:
    # 09STATE63860.
    text = "Source marked 25X1-human, Date of source: June 18, 2009"
    assert eo_line.declassify_date(text) is None
    assert eo_line.declassification_note(text) == text


def test_the_1972_sample_cable_declassification() -> None:
    cable = cabledesk.parse_file(SAMPLE / "cable" / "1972" / "02" / "72TEHRAN1164.html")
    assert cable.declassify_on == "2006-06-21"
    assert cable.declassification_note == "AS AMENDED; DECLASSIFIED JUNE 21, 2006"
    record = cabledesk.to_dict(cable)
    assert cabledesk.from_dict(record) == cable


# The cable page ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    archive = build_web_archive(tmp_path_factory.mktemp("web-issue17"))
    with TestClient(create_app(archive), raise_server_exceptions=False) as client:
        yield client


def _visible(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, white space folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("reference_id", ["09PESHAWAR2", "05ANKARA1730", "72TEHRAN1164"])
def test_the_cable_page_shows_summary_and_comment_once(
    client: TestClient, reference_id: str
) -> None:
    cable = cabledesk.parse_file(next(Path(SAMPLE).rglob(f"{reference_id}*")))
    assert cable.summary and cable.comments
    page = client.get(f"/cable/{reference_id}")
    assert page.status_code == 200
    main = page.text.split('<details class="raw"', 1)[0]  # the raw text shows all of it
    text = _visible(main)
    for span in (cable.summary, *cable.comments):
        # The page shows a redaction as a marked blank, read out as `[redacted]`.
        probe = re.sub(r"[Xx]{5,}", " [redacted] ", span)
        probe = " ".join(probe.split())[:80]
        assert text.count(probe) == 1, (reference_id, probe)
    assert main.count('class="summary') == 1
    assert 'id="summary-h"' in main


def test_the_cable_page_shows_a_declassification_note_as_a_note(client: TestClient) -> None:
    page = client.get("/cable/72TEHRAN1164").text
    assert "<dt>Declassify on</dt><dd>2006-06-21</dd>" in page
    assert "<dd>E.O. 12958" not in page


def test_paragraph_roles() -> None:
    cable = parse_text(
        "1. (C) Summary: The talks went well. End summary.\n\n"
        "2. (C) The minister described the talks at length. "
        "(Comment: They did not. End comment.)\n\n"
        "3. (C) Comment: Both sides declined to comment, as they always do. End comment."
    )
    assert cable.summary == "The talks went well."
    assert cable.paragraph_roles() == ["summary", None, "comment"]


def test_a_summary_in_a_paragraph_that_swallowed_others_is_shown_apart() -> None:
    # 06BELGRADE1681: paragraph 2 runs to the end of the cable.
    cable = parse_text(
        "1. (C) SUMMARY: The USG gave eleven recommendations.\n\n"
        "Moreover, del Ponte criticized the plan. END SUMMARY. " + "More reporting. " * 40
    )
    assert cable.summary and cable.summary.startswith("The USG gave")
    assert cable.paragraph_roles() == [None]
