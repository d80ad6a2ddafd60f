"""Single parse rules on the spellings real cables use (cable-format.md §2-§4)."""

from __future__ import annotations

import pytest

from cabledesk.parse import parse_text
from cabledesk.parse.rules.classification_line import parse_classification_line
from cabledesk.parse.rules.classified_by import parse_classified_by, reasons
from cabledesk.parse.rules.eo_line import declassify_date
from cabledesk.parse.rules.repairs import RepairCounts, repair
from cabledesk.parse.rules.tags import split_tags


@pytest.mark.parametrize(
    ("line", "level", "station", "serial"),
    [
        (
            "C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677",
            "CONFIDENTIAL",
            "HARARE",
            "6677",
        ),
        ("S E C R E T RANGOON 000088", "SECRET", "RANGOON", "88"),
        ("UNCLAS SECTION 01 OF 03 MADRID 002164", "UNCLASSIFIED", "MADRID", "2164"),
        ("S e c r e t state 015220", "SECRET", "STATE", "15220"),
        ("E C R E T SANAA 000193", "SECRET", "SANAA", "193"),
        ("SS E C R E T SECTION 01 OF 02 PARIS 000345", "SECRET", "PARIS", "345"),
        ("CC O N F I D E N T I A L LONDON 000001", "CONFIDENTIAL", "LONDON", "1"),
        ("C ONFIDENTIAL BERLIN 000002", "CONFIDENTIAL", "BERLIN", "2"),
        ("SECRET SECTION 01 of 03 KABUL 000693", "SECRET", "KABUL", "693"),
        ("S E C R E T LA PAZ 003153", "SECRET", "LA PAZ", "3153"),
        ("S E C R E T BOGOTA 000243 SIPDIS NOFORN", "SECRET", "BOGOTA", "243"),
        ("LIMITED OFFICIAL USE STATE 017976", "LIMITED OFFICIAL USE", "STATE", "17976"),
    ],
)
def test_classification_lines(line: str, level: str, station: str, serial: str) -> None:
    parsed = parse_classification_line(line)
    assert parsed is not None
    assert (parsed.level, parsed.station, parsed.serial) == (level, station, serial)


@pytest.mark.parametrize("line", ["SIPDIS", "SUBJECT: SECRET TALKS", "SENSITIVE", "TAGS: PREL"])
def test_lines_that_are_not_classification_lines(line: str) -> None:
    assert parse_classification_line(line) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reasons 1.4(b)and(d)", ["1.4(b)", "1.4(d)"]),
        ("1.4(b),(d)", ["1.4(b)", "1.4(d)"]),
        ("1.4(b,d)", ["1.4(b)", "1.4(d)"]),
        ("1.4(b/d)", ["1.4(b)", "1.4(d)"]),
        ("1.4 B AND D", ["1.4(b)", "1.4(d)"]),
        ("1.4 (b and d)", ["1.4(b)", "1.4(d)"]),
        ("1.4 (b) & (d)", ["1.4(b)", "1.4(d)"]),
        ("1.5(b)and(d)", ["1.5(b)", "1.5(d)"]),
        ("1.4 (b+d)", ["1.4(b)", "1.4(d)"]),
        ("1.4, a/b/c/d", ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]),
        ("1.4. (b & d)", ["1.4(b)", "1.4(d)"]),
        ("1.4 (a)(b)(c), and (d)", ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]),
        ("1.4 (b) an d (d).", ["1.4(b)", "1.4(d)"]),
        ("1.4 (b) and (d\n).", ["1.4(b)", "1.4(d)"]),
        ("1.4b,d", ["1.4(b)", "1.4(d)"]),
        ("for reasons b, d.", ["1.4(b)", "1.4(d)"]),
        ("1.4(d). This is a corrected copy", ["1.4(d)"]),
        ("FOR REASON", []),
    ],
)
def test_reason_spellings(text: str, expected: list[str]) -> None:
    assert reasons(text) == expected


@pytest.mark.parametrize(
    ("line", "name", "title"),
    [
        (
            "Classified By: Charge d'Affaires a.i. Michele J. Sison for reasons 1.4 (b) and (d).",
            "Michele J. Sison",
            "Charge d'Affaires a.i.",
        ),
        (
            "CLASSIFIED BY: Chris Stevens, DCM, Embassy Tripoli, Department\n"
            "of State.\nREASON: 1.4 (b), (d)",
            "Chris Stevens",
            "DCM, Embassy Tripoli, Department of State",
        ),
        (
            "CLASSIFIED BY AMBASSADOR TOM MCDONALD FOR REASONS 1.5 (B) AND (D).",
            "TOM MCDONALD",
            "AMBASSADOR",
        ),
        ("Classified By: Ambassador for reasons 1.4 (b) and (d)", None, "Ambassador"),
        (
            "Classified By: PolCouns Janice G. Weiner, reasons 1.4 (b), (d)",
            "Janice G. Weiner",
            "PolCouns",
        ),
        (
            "Classified By: Ambassador Clark T. Randt, Jr. Reasons 1.4 (b) and (d).",
            "Clark T. Randt Jr",
            "Ambassador",
        ),
        ("Classified By: Amb. LeBaron for Reasons 1.4 (b) and (d).", "LeBaron", "Amb."),
    ],
)
def test_classified_by(line: str, name: str | None, title: str | None) -> None:
    parsed = parse_classified_by(line)
    assert (parsed.name, parsed.title) == (name, title)
    assert parsed.reasons


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DECL: 02/13/2014", "2014-02-13"),
        ("decl: 06/12/2018", "2018-06-12"),
        ("DECL: 2019/09/22", "2019-09-22"),
        ("DECL: 11/29/10", "2010-11-29"),
        ("DECL:  6/16/2019", "2019-06-16"),
        ("DECL: 2019-02-12", "2019-02-12"),
        ("07/21/2019", "2019-07-21"),
        ("N/A", None),
        ("DECL: CLOSURE OF ICTY", None),
        ("DECL: MR", None),
        ("DECL: 02/30/2014", None),
    ],
)
def test_declassification_dates(text: str, date: str | None) -> None:
    assert declassify_date(text) == date


def test_tags_in_every_layout() -> None:
    assert split_tags("PGOV PTER SP") == ["PGOV", "PTER", "SP"]
    assert split_tags("PGOV, PREL, KJUS, UNGA, SY, LE") == [
        "PGOV",
        "PREL",
        "KJUS",
        "UNGA",
        "SY",
        "LE",
    ]
    assert split_tags("OVIP (CLINTON, HILLARY), PGOV, PREL,") == [
        "OVIP",
        "CLINTON, HILLARY",
        "PGOV",
        "PREL",
    ]
    assert split_tags("iz, ir, prel") == ["IZ", "IR", "PREL"]


def test_tags_continue_on_the_next_line_and_stop_at_subject() -> None:
    cable = parse_text(
        "TAGS: OVIP (CLINTON, HILLARY), PGOV, PREL, KDEV, ECON,\nNL, IS, SR\n"
        "SUBJECT: A VISIT\n\n1. (U) Text."
    )
    assert cable.tags == [
        "OVIP",
        "CLINTON, HILLARY",
        "PGOV",
        "PREL",
        "KDEV",
        "ECON",
        "NL",
        "IS",
        "SR",
    ]
    assert cable.subject == "A VISIT"
    glued = parse_text("E.O. 12958: DECL: 10/29/2018 TAGS: MARR MASS NO SUBJECT: JETS\n\n1. (C) x")
    assert (glued.declassify_on, glued.tags, glued.subject) == (
        "2018-10-29",
        ["MARR", "MASS", "NO"],
        "JETS",
    )


def repaired(text: str) -> tuple[str, RepairCounts]:
    counts = RepairCounts()
    return repair(text, counts), counts


def test_telegraph_artifacts() -> None:
    text, counts = repaired("Al Maliki was dismissive of Soleimani,s assurances; we,ll see.")
    assert text == "Al Maliki was dismissive of Soleimani's assurances; we'll see."
    assert counts.apostrophes == 2
    text, counts = repaired("only what Iran did on the Sadrist &gangs8 counted.")
    assert text == 'only what Iran did on the Sadrist "gangs" counted.' and counts.quotes == 1
    text, counts = repaired("IRGC-QF head Soleimani ) but had not moved them")
    assert text == "IRGC-QF head Soleimani — but had not moved them" and counts.dashes == 1
    text, counts = repaired('presented "Iraqi evidence) not U.S.-provided evidence"')
    assert text == 'presented "Iraqi evidence — not U.S.-provided evidence"'
    text, counts = repaired("the meeting*not standard for departing*reflects")
    assert text == "the meeting—not standard for departing—reflects" and counts.dashes == 2


@pytest.mark.parametrize(
    "genuine",
    [
        "reasons 1.4 (b,d)",
        "a 1,500 strong force",
        "USD AT&L Young",
        "(see septel on discussion) and more",
        "options: a) first b) second",
        "not/not been denial",
    ],
)
def test_genuine_text_is_left_alone(genuine: str) -> None:
    text, counts = repaired(genuine)
    assert text == genuine
    assert (counts.apostrophes, counts.quotes, counts.dashes) == (0, 0, 0)


def test_markings_are_normalised() -> None:
    body = "\n\n".join(
        [
            "1. (S//NF) a",
            "2. (C NF) b",
            "3. (SBU-N) c",
            "4. (S/Rel Pak) d",
            "5. (c) e",
            "6. (U//FOUO) f",
            "7) (S//REL TO USA, FVEY) g",
            "8 (C) h",
        ]
    )
    cable = parse_text(body)
    assert [(p.number, p.marking) for p in cable.paragraphs] == [
        (1, "S/NF"),
        (2, "C/NF"),
        (3, "SBU/NF"),
        (4, "S/REL PAK"),
        (5, "C"),
        (6, "U/FOUO"),
        (7, "S/REL TO USA, FVEY"),
        (8, "C"),
    ]
    assert cable.paragraphs[0].marking_raw == "(S//NF)"


def test_numbers_inside_paragraphs_are_not_paragraphs() -> None:
    cable = parse_text(
        "1. (C) The talks covered three points:\n1. trade\n2. energy\n\n"
        "2. (C) Second.\n\n2008 was a hard year.\n\n3. (C) Third."
    )
    assert [p.number for p in cable.paragraphs] == [1, 2, 3]
    assert "2008 was a hard year." in cable.paragraphs[1].text


def test_page_breaks_and_stray_sipdis_leave_the_text() -> None:
    cable = parse_text(
        "C O N F I D E N T I A L SECTION 01 OF 02 BEIRUT 000586\n\nSIPDIS\n\n"
        "1. (C) Jumblatt will not see Moussa when Moussa arrives in Beirut\n"
        "SIPDIS May 1 because he is going to Jordan.\n\n"
        "BEIRUT 00000586 002 OF 002\n\n2. (C) More.\n\nSISON"
    )
    assert cable.repairs.page_breaks == 1 and cable.repairs.stray_sipdis == 1
    assert "002 OF 002" not in cable.text
    assert cable.paragraphs[0].text.endswith(
        "arrives in Beirut May 1 because he is going to Jordan."
    )
    assert cable.handling == ["SIPDIS"]


def test_summary_and_comments() -> None:
    cable = parse_text(
        "1. (C) Summary: The talks went well. End summary.\n\n"
        "2. (C) Details. (Comment: They did not. End comment.)\n\n"
        "3. (C) COMMENT. Both sides declined to comment. END COMMENT."
    )
    assert cable.summary == "The talks went well."
    assert cable.comments == ["They did not.", "Both sides declined to comment."]


def test_headings_belong_to_the_next_paragraph() -> None:
    cable = parse_text(
        "SUMMARY\n-------\n\n1. (C) Short.\n\nA HEADING OVER\nTWO LINES\n----------\n\n"
        "2. (C) Two.\n\n3. (C) Three.\n\nRULED HEADING ------------\n4. (C) Four."
    )
    assert [p.heading for p in cable.paragraphs] == [
        "SUMMARY",
        "A HEADING OVER TWO LINES",
        None,
        "RULED HEADING",
    ]


def test_signatures() -> None:
    assert parse_text("1. (C) Text.\n\nSISON\nNNNN").signers == ["SISON"]
    assert parse_text("1. (C) Text inside Burma, as told to us. Martinez").signers == ["Martinez"]
    assert parse_text("1. (C) Text.\n\nTIMKEN JR").signers == ["TIMKEN JR"]
    footer = (
        "1. (C) Text.\n\nVisit London's Classified Website: http://www.intelink.sgov.gov\ntuttle"
    )
    assert parse_text(footer).signers == ["tuttle"]
    assert parse_text("1. (C) Text.\n\nEND COMMENT.").signers == []
    assert parse_text("1. (C) We will follow up\nwith the ministry").signers == []
