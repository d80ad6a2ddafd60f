"""Issue 11, families 2 (TAGS) and 3 (SUBJECT): the caption items as real cables write them.

Fragments quote real cables (the id is named; most are in ../shared/corpus). Fragments
marked "after cable-format.md" are written from the anatomy in
../shared/reference/cable-format.md (§1.3, §3.5, §3.6, §4.5), where the corpus has no
example of the variant.
"""

from __future__ import annotations

import pytest

from cabledesk.parse import Parser, parse_text
from cabledesk.parse.rules.tags import split_tags
from cabledesk.record.model import Cable
from cabledesk.reference import tag_info
from cabledesk.sources.item import Metadata, SourceText

TOP = (
    "C O N F I D E N T I A L SECTION 01 OF 02 STATE 078274\n\nSIPDIS\n\n"
    "E.O. 12958: DECL: 07/14/2019\n"
)


def captions(block: str, top: str = TOP) -> Cable:
    """A cable made of a caption block and one paragraph."""
    return parse_text(f"{top}{block}\n\n1. (C) The text of the cable.")


# Family 2: TAGS ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "tags"),
    [
        # 09STATE78274: a trailing comma says the list goes on.
        (
            "TAGS OVIP (CLINTON, HILLARY), PGOV, PREL, KDEV, ECON, \nNL, IS, SR \n"
            "SUBJECT: (U) Secretary Clinton's July 14 conversation",
            ["OVIP", "CLINTON, HILLARY", "PGOV", "PREL", "KDEV", "ECON", "NL", "IS", "SR"],
        ),
        # The example (after cable-format.md §3.5): a code the table does not know
        # (`ETRA`) on the continued line is still taken after the comma.
        (
            "TAGS: PREL, PGOV, ECON,\nETRA, MNUC\nSUBJECT: A VISIT",
            ["PREL", "PGOV", "ECON", "ETRA", "MNUC"],
        ),
        # 07TELAVIV2652: no comma at the end of the line, but the next line is codes.
        (
            "TAGS: PREL PTER MARR MASS KNNP UNSC PK IR IZ ZP\nJO, EG, RS, CH, LE, SY, IS \n"
            "SUBJECT: U/S BURNS' AUGUST 17 MEETING WITH ISRAELI MOSSAD",
            [
                "PREL",
                "PTER",
                "MARR",
                "MASS",
                "KNNP",
                "UNSC",
                "PK",
                "IR",
                "IZ",
                "ZP",
                "JO",
                "EG",
                "RS",
                "CH",
                "LE",
                "SY",
                "IS",
            ],
        ),
        # 09TRIPOLI938 and 07PARIS1844: one code alone on the next line.
        (
            "TAGS: PREL PINS MNUC PARM PINR RS KGIC KNNP KRAD ENRG\nLY\n"
            "SUBJECT: LIBYA HALTS HIGHLY ENRICHED URANIUM FUEL TRANSFER",
            ["PREL", "PINS", "MNUC", "PARM", "PINR", "RS", "KGIC", "KNNP", "KRAD", "ENRG", "LY"],
        ),
        (
            "TAGS: PREL FR EUN IR AF NATO IZ TU UNO LE YI RS\nUNMIK \n"
            "SUBJECT: ENGAGING THE NEW FRENCH GOVERNMENT ON FOREIGN",
            ["PREL", "FR", "EUN", "IR", "AF", "NATO", "IZ", "TU", "UNO", "LE", "YI", "RS", "UNMIK"],
        ),
        # 08BOGOTA683: a non-standard code (`VZ` for Venezuela) on the next line.
        (
            "TAGS: PREF PREL PTER PHUM OAS BR CU FR PM SP SZ\nVZ, CO\n"
            "SUBJECT: GOC TO FACILITATE NEW FARC HOSTAGE RELEASE,",
            ["PREF", "PREL", "PTER", "PHUM", "OAS", "BR", "CU", "FR", "PM", "SP", "SZ", "VZ", "CO"],
        ),
    ],
)
def test_a_tags_list_continues_on_the_next_line(block: str, tags: list[str]) -> None:
    assert captions(block).tags == tags


def test_a_passing_line_under_the_tags_is_no_tag() -> None:
    # After cable-format.md §3 (parts are shuffled; passing lines such as `NSC FOR VOLKER`
    # stand anywhere in the caption block).
    cable = captions("TAGS: PREL PGOV IZ\nNSC FOR VOLKER\nSUBJECT: A VISIT")
    assert cable.tags == ["PREL", "PGOV", "IZ"]
    assert cable.passing == ["NSC FOR VOLKER"]
    assert cable.subject == "A VISIT"


def test_handling_captions_under_the_tags_are_no_tags() -> None:
    # After cable-format.md §3: SIPDIS and NOFORN also stand below the E.O. line.
    cable = captions("TAGS: PREL, PGOV, IZ,\nNOFORN\nSUBJECT: A VISIT")
    assert cable.tags == ["PREL", "PGOV", "IZ"]
    assert "NOFORN" in cable.handling


@pytest.mark.parametrize(
    ("block", "tags"),
    [
        # 08STATE15220 and 08BERLIN1068 (newspaper-style lower case).
        (
            "Tags: parm, prel, ettc, mtcre, ksca, gm, ir\n"
            "Subject: (s) further scheming by german firm to export",
            ["PARM", "PREL", "ETTC", "MTCRE", "KSCA", "GM", "IR"],
        ),
        # The same, continued on a lower-case line (after cable-format.md §3.5).
        (
            "Tags: prel, pgov, econ,\netrd, iz\nSubject: pm maliki recounts his visit",
            ["PREL", "PGOV", "ECON", "ETRD", "IZ"],
        ),
        # Mixed case: codes written Capitalised are still codes.
        ("Tags: Prel, Pgov, Iz\nSubject: A visit", ["PREL", "PGOV", "IZ"]),
        ("Tags: Prel Pgov Iz\nSubject: A visit", ["PREL", "PGOV", "IZ"]),
        # No colon: 08BEIRUT586 (commas) and 02BRASILIA4227-style spaces.
        (
            "TAGS PGOV, PREL, KJUS, UNGA, SY, LE \nSUBJECT: LEBANON: JUMBLATT",
            ["PGOV", "PREL", "KJUS", "UNGA", "SY", "LE"],
        ),
        ("TAGS PREL PGOV\nSUBJECT: A VISIT", ["PREL", "PGOV"]),
        # 09DOHA214: `TAG:` and a double blank.
        (
            "TAG: PTER, PREL, PGOV, ECON, ETTC, EAID, EFIN, EAGR, ASEC, KCIP, ENRG,  QA \n"
            "SUBJECT: QATAR: 2009 CI/KR RESPONSE FOR S/CT",
            [
                "PTER",
                "PREL",
                "PGOV",
                "ECON",
                "ETTC",
                "EAID",
                "EFIN",
                "EAGR",
                "ASEC",
                "KCIP",
                "ENRG",
                "QA",
            ],
        ),
    ],
)
def test_tags_in_any_case_with_or_without_a_colon(block: str, tags: list[str]) -> None:
    assert captions(block).tags == tags


def test_duplicate_tags_are_kept_once_in_their_first_place() -> None:
    # After cable-format.md §3.5 (a code typed twice).
    assert split_tags("PREL, PGOV, PREL, IZ, PGOV") == ["PREL", "PGOV", "IZ"]
    # 09KABUL4150: `KDEMAF` is KDEM and AF run together, and both are already there.
    assert split_tags("KDEM, PGOV, PINR, KDEMAF, AF ") == ["KDEM", "PGOV", "PINR", "AF"]
    # A second TAGS line (a repeated caption block) adds only what is new.
    cable = captions("TAGS: PREL, PGOV\nTAGS: PGOV, IZ\nSUBJECT: A VISIT")
    assert cable.tags == ["PREL", "PGOV", "IZ"]


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("OVIP (RICE, CONDOLEEZZA), PREL, IZ", ["OVIP", "RICE, CONDOLEEZZA", "PREL", "IZ"]),
        ("OVIP RICE CONDOLEEZZA PREL IZ", ["OVIP", "RICE, CONDOLEEZZA", "PREL", "IZ"]),
        ("OVIP RICE, CONDOLEEZZA, PREL, IZ", ["OVIP", "RICE, CONDOLEEZZA", "PREL", "IZ"]),
        ("ovip rice condoleezza prel iz", ["OVIP", "RICE, CONDOLEEZZA", "PREL", "IZ"]),
        # 09SANTIAGO324 and 09BEIJING2964: the person without parentheses.
        (
            "OVIP BIDEN JOSEPH PREL ECON PGOV SOCI UK PK AF",
            ["OVIP", "BIDEN, JOSEPH", "PREL", "ECON", "PGOV", "SOCI", "UK", "PK", "AF"],
        ),
        # Written as the TAGS table spells the person (issue 11, weak spots, item 4).
        (
            "OVIP STEINBERG JAMES PREL MNUC SN CH KN",
            ["OVIP", "STEINBERG, JAMES B.", "PREL", "MNUC", "SN", "CH", "KN"],
        ),
        # 09SINGAPORE529: the initial keeps its period, as the table writes the person.
        (
            "OVIP (STEINBERG, JAMES B.), PREL, MNUC, ECON, SN, CH, KN",
            ["OVIP", "STEINBERG, JAMES B.", "PREL", "MNUC", "ECON", "SN", "CH", "KN"],
        ),
        # 1977STATE017976 (cable-format.md §1.3): a 1970s list with the person in brackets.
        (
            "OVIP (VANCE, CYRUS) IS, SY, SA, EG, LE, JO",
            ["OVIP", "VANCE, CYRUS", "IS", "SY", "SA", "EG", "LE", "JO"],
        ),
        # OVIP without a person: the codes after it stay codes.
        ("OVIP PREL PGOV KPAO IZ", ["OVIP", "PREL", "PGOV", "KPAO", "IZ"]),
        ("OVIP, PREL, MOPPS, IZ", ["OVIP", "PREL", "MOPPS", "IZ"]),
        # Codes the table lacks are no name (after cable-format.md §3.5: TAGS are country
        # codes of two letters and subject or program codes of four).
        ("OVIP KXYZ PXYZ IZ", ["OVIP", "KXYZ", "PXYZ", "IZ"]),
        ("OVIP KERRY JOHN PREL", ["OVIP", "KERRY, JOHN", "PREL"]),
    ],
)
def test_the_person_after_ovip_is_one_tag(text: str, tags: list[str]) -> None:
    assert split_tags(text) == tags


def test_the_person_tag_is_the_one_the_table_knows() -> None:
    [_, person, *_] = split_tags("OVIP (STEINBERG, JAMES B.), PREL")
    info = tag_info(person)
    assert info is not None and info.kind == "person"
    [_, rice, *_] = split_tags("OVIP RICE CONDOLEEZZA PREL")
    info = tag_info(rice)
    assert info is not None and info.kind == "person"


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("ECONPGOV", ["ECON", "PGOV"]),
        # 09PARIS1267 and 09KABUL4150.
        ("ECON EINDETRD KIPR PREL FR", ["ECON", "EIND", "ETRD", "KIPR", "PREL", "FR"]),
        ("KDEM, PGOV, PINR, KDEMAF", ["KDEM", "PGOV", "PINR", "AF"]),
        ("prel, econpgov, iz", ["PREL", "ECON", "PGOV", "IZ"]),
        # Not cut: two country codes alone (`GTMO` is no Guatemala + Morocco), a code the
        # table knows, a word that does not cut into known codes, a word in free text.
        ("MOPS PREL GTMO CU", ["MOPS", "PREL", "GTMO", "CU"]),
        ("PGOV PINR PBTS PREL MARR IRAJ", ["PGOV", "PINR", "PBTS", "PREL", "MARR", "IRAJ"]),
        ("PREL, MTCRE, UNMIK", ["PREL", "MTCRE", "UNMIK"]),
        ("PREL, SOCIAL ISSUES", ["PREL", "SOCIAL ISSUES"]),
        ("PREL, Social", ["PREL", "SOCIAL"]),
    ],
)
def test_run_on_codes_are_cut_when_both_halves_are_tags(text: str, tags: list[str]) -> None:
    assert split_tags(text) == tags
    for tag in tags:
        if tag in ("ECON", "PGOV", "EIND", "ETRD", "AF"):
            assert tag_info(tag) is not None


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        # The example, and 05SOFIA1207.
        ("PREL, PGOV, KDEM, ELECTIONS IN IRAQ", ["PREL", "PGOV", "KDEM", "ELECTIONS IN IRAQ"]),
        (
            "PINR, KCRM, PGOV, EINV, ECON, KCOR, BU, Organized Crime ",
            ["PINR", "KCRM", "PGOV", "EINV", "ECON", "KCOR", "BU", "ORGANIZED CRIME"],
        ),
        # 04SANAA2346, 04BRASILIA3154, 06BRUSSELS524: lists written with spaces alone.
        (
            "MASS MOPS OVIP PARM PINR PREL PTER YM COUNTER TERRORISM",
            ["MASS", "MOPS", "OVIP", "PARM", "PINR", "PREL", "PTER", "YM", "COUNTER TERRORISM"],
        ),
        ("MCAP MARR MASS PREL BR POL MIL", ["MCAP", "MARR", "MASS", "PREL", "BR", "POL MIL"]),
        ("PGOV PTER PHUM EUN USEU BRUSSELS", ["PGOV", "PTER", "PHUM", "EUN", "USEU BRUSSELS"]),
        # Codes in front of the text in the same item stay codes.
        ("PREL PGOV IRAQI FREEDOM, IZ", ["PREL", "PGOV", "IRAQI FREEDOM", "IZ"]),
        # 09BRASILIA757, 10STATE8675: non-standard codes among codes are no free text.
        ("KCRM NAR PREL BR", ["KCRM", "NAR", "PREL", "BR"]),
        ("ENRG ETTC KNNP PARM OTR TC", ["ENRG", "ETTC", "KNNP", "PARM", "OTR", "TC"]),
        # 09BEIJING1582: an organization code with a digit.
        (
            "PREL, ECON, EFIN, EAID, EINV, ETRD, PHUM, AU-1, CH ",
            ["PREL", "ECON", "EFIN", "EAID", "EINV", "ETRD", "PHUM", "AU-1", "CH"],
        ),
        # A two-word organization the table knows.
        ("PREL, EL AL, IS", ["PREL", "EL AL", "IS"]),
    ],
)
def test_free_text_of_several_words_is_one_tag(text: str, tags: list[str]) -> None:
    assert split_tags(text) == tags


def test_a_free_text_tag_continued_after_a_comma() -> None:
    # 05SOFIA1207's free text, wrapped onto the next line (after cable-format.md §3.5).
    cable = captions("TAGS PINR, KCRM, PGOV, EINV, ECON, KCOR, BU,\nOrganized Crime\nSUBJECT: X")
    assert cable.tags[-2:] == ["BU", "ORGANIZED CRIME"]


@pytest.mark.parametrize(
    "block",
    [
        # 08BAGHDAD1784 (the newspaper copy): captions run together on one line.
        "Tags: iz, ir, prel, pgov, pinr Subject: pm maliki recounts his june 7-9 visit to tehran",
        # The same with the list continued before the subject (after cable-format.md §3.5).
        "Tags: iz, ir,\nprel, pgov, pinr Subject: pm maliki recounts his june 7-9 visit to tehran",
    ],
)
def test_tags_followed_by_the_subject_on_the_same_line(block: str) -> None:
    cable = captions(block, top="S e c r e t baghdad 001784\n\nNoforn\n\n")
    assert cable.tags == ["IZ", "IR", "PREL", "PGOV", "PINR"]
    assert cable.subject == "pm maliki recounts his june 7-9 visit to tehran"


# Family 3: SUBJECT ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "subject"),
    [
        # 06PARIS3360: three lines.
        (
            "SUBJECT: DOMINIQUE STRAUSS-KAHN ON CLEARSTREAM, HIS \n"
            "PRESIDENTIAL ASPIRATIONS, AND FRANCE: A COMPREHENSIVE \n"
            "SNAPSHOT OF THE POLITICAL SCENE \n\nClassified By: Ambassador Craig Stapleton",
            "DOMINIQUE STRAUSS-KAHN ON CLEARSTREAM, HIS PRESIDENTIAL ASPIRATIONS, AND FRANCE: "
            "A COMPREHENSIVE SNAPSHOT OF THE POLITICAL SCENE",
        ),
        # 08BERLIN1068: two lower-case lines, then REF.
        (
            "Subject: (s) germany requests release of xxxxxxxxxxxx\n"
            "nonpaper to the german criminal customs office (zka)\n\nRef: a. State 77660",
            "germany requests release of xxxxxxxxxxxx nonpaper to the german criminal customs "
            "office (zka)",
        ),
        # 10MOSCOW293: the third line is a file number.
        (
            "SUBJECT: DEA CHIEF OF OPERATIONS THOMAS HARRIGAN'S MEETING WITH \n"
            "RUSSIAN FEDERAL DRUG CONTROL SERVICE DEPUTY DIRECTOR NIKOLAY AULOV; \n"
            "GFXI-10-4001/FSKN \n",
            "DEA CHIEF OF OPERATIONS THOMAS HARRIGAN'S MEETING WITH RUSSIAN FEDERAL DRUG "
            "CONTROL SERVICE DEPUTY DIRECTOR NIKOLAY AULOV; GFXI-10-4001/FSKN",
        ),
    ],
)
def test_a_subject_continues_over_two_or_three_lines(block: str, subject: str) -> None:
    assert captions(block).subject == subject


@pytest.mark.parametrize(
    ("block", "subject", "reference"),
    [
        # 10BRASILIA49 and 08TEGUCIGALPA459.
        (
            "SUBJECT: BRAZIL'S PRESIDENTIAL ELECTIONS: DILMA ROUSSEFF COMES UP FAST BEHIND "
            "JOSE SERRA REF: RIO DE JANEIRO 32 ",
            "BRAZIL'S PRESIDENTIAL ELECTIONS: DILMA ROUSSEFF COMES UP FAST BEHIND JOSE SERRA",
            "RIO DE JANEIRO 32",
        ),
        (
            "SUBJECT: PRESIDENT JOSE MANUEL ZELAYA ROSALES: PERSONAL REFLECTIONS OF "
            "AMBASSADOR FORD REF: OFFICIAL BIOS ON FILE ",
            "PRESIDENT JOSE MANUEL ZELAYA ROSALES: PERSONAL REFLECTIONS OF AMBASSADOR FORD",
            "OFFICIAL BIOS ON FILE",
        ),
        # 08LONDON1991: the copy lost the line break before REF.
        (
            "SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIMEREF: A. LONDON 1939  "
            "B. LONDON 1704",
            "WHO WOULD REPLACE GORDON BROWN AS UK PRIME",
            "LONDON 1939",
        ),
        # REFS: and Ref(s): (after cable-format.md §3.7), on the subject's second line.
        (
            "SUBJECT: MINISTER ON THE BUDGET\nAND THE ELECTIONS REFS: A. STATE 1234 B. STATE 5678",
            "MINISTER ON THE BUDGET AND THE ELECTIONS",
            "STATE 1234",
        ),
        (
            "Subject: Minister on the budget Ref(s): A. State 1234",
            "Minister on the budget",
            "State 1234",
        ),
    ],
)
def test_a_subject_stops_at_a_ref_on_its_line(block: str, subject: str, reference: str) -> None:
    cable = captions(block)
    assert cable.subject == subject
    assert cable.references and cable.references[0].text == reference
    assert "REF" not in cable.subject.upper().replace("REFLECTIONS", "")


def test_refs_in_the_subjects_own_words_stay() -> None:
    # 08RIYADH1134, 09LAPAZ96, 09MOSCOW2354: REF as a word, REFERENDUM:, REFORM:.
    for subject in (
        "SAUDIS ON IRAN REF UPCOMING NAM FM MEETING",
        "BOLIVIA'S REFERENDUM: MARGIN OF VICTORY MATTERS",
        "MEDVEDEV'S CALL FOR REFORM: ANYONE LISTENING?",
    ):
        assert captions(f"SUBJECT: {subject} \n").subject == subject


@pytest.mark.parametrize(
    "block",
    [
        # 10BRASILIA43: the Classified By line glued on.
        "SUBJECT: BRAZIL: AMBASSADOR PRESENTS CREDENTIALS TO PRESIDENT LULA CLASSIFIED BY: "
        "Thomas A. Shannon, Ambassador, State, Embassy Brasilia; REASON: 1.4(B), (D) ",
        # Without the colon (after cable-format.md §3.8).
        "SUBJECT: BRAZIL: AMBASSADOR PRESENTS CREDENTIALS TO PRESIDENT LULA Classified By "
        "Ambassador Thomas A. Shannon for reasons 1.4 (b) and (d)",
    ],
)
def test_a_subject_stops_at_classified_by_on_its_line(block: str) -> None:
    cable = captions(block)
    assert cable.subject == "BRAZIL: AMBASSADOR PRESENTS CREDENTIALS TO PRESIDENT LULA"
    assert cable.classified_by is not None
    assert cable.classified_by.reasons == ["1.4(b)", "1.4(d)"]


def test_classified_by_in_the_subjects_own_words_stays() -> None:
    # After cable-format.md §3.6: without a reason after it, it is the subject's text.
    for subject in (
        "DOCUMENTS CLASSIFIED BY THE FORMER GOVERNMENT RELEASED",
        "FILES CLASSIFIED BY THE ARMY RELEASED FOR REASONS OF STATE",
    ):
        assert captions(f"SUBJECT: {subject}\n").subject == subject


def test_a_subject_ends_at_a_repeated_classification_line() -> None:
    # 09ISLAMABAD3037: the page repeats the dateline and the whole caption block.
    block = (
        "SUBJECT: BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF \n"
        "BRAHMDAGH BUGTI TO IRELAND\n"
        "Friday, 18 December 2009, 11:04\n"
        "S E C R E T SECTION 01 OF 02 ISLAMABAD 003037 \n"
        "NOFORN \n"
        "SIPDIS \n"
        "EO 12958 DECL: 12/18/2034 \n"
        "TAGS PREL, PGOV, PREF, PK, AF \n"
        "SUBJECT: BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF \n"
        "BRAHMDAGH BUGTI TO IRELAND\n"
        "Classified By: Ambassador Anne W. Patterson, for reasons 1.4 (b)(d)"
    )
    top = (
        "Friday, 18 December 2009, 11:04\nS E C R E T SECTION 01 OF 02 ISLAMABAD 003037 \n"
        "NOFORN \nSIPDIS \nEO 12958 DECL: 12/18/2034 \nTAGS PREL, PGOV, PREF, PK, AF \n"
    )
    cable = captions(block, top=top)
    assert cable.subject == "BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF BRAHMDAGH BUGTI TO IRELAND"
    assert cable.passing == []
    assert cable.tags == ["PREL", "PGOV", "PREF", "PK", "AF"]
    assert cable.classified_by is not None and cable.classified_by.name == "Anne W. Patterson"


def test_a_subject_ends_at_a_classification_banner() -> None:
    # After cable-format.md §1.3: printouts repeat the classification at the foot of a page.
    cable = captions(
        "SUBJECT: SECRETARY'S VISIT TO MIDDLE EAST: COMMUNICATIONS\nLIMITED OFFICIAL USE",
        top="LIMITED OFFICIAL USE STATE 017976\nE.O. 11652: N/A\n",
    )
    assert cable.subject == "SECRETARY'S VISIT TO MIDDLE EAST: COMMUNICATIONS"


def test_a_subject_ends_at_a_page_break_line_of_its_own() -> None:
    # 1977STATE017976 (cable-format.md §1.3, §4.5): `PAGE 02 STATE 017976` heads the next
    # page. The page-break rule normally removes it first; the subject must stop there
    # even when it has not (a parser with that rule turned off).
    text = (
        "LIMITED OFFICIAL USE STATE 017976\nE.O. 11652: N/A\n"
        "TAGS: OVIP (VANCE, CYRUS) IS, SY, SA, EG, LE, JO\n"
        "SUBJECT: SECRETARY'S VISIT TO MIDDLE EAST: COMMUNICATIONS\n"
        "PAGE 02 STATE 017976\n"
        "ARRANGEMENTS FOR THE PARTY ARE AS FOLLOWS.\n\n1. TEXT."
    )
    parser = Parser()
    parser.core.disable("page_breaks")
    source = SourceText(
        format="fragment", location="<t>", header=None, body=text, raw=text, metadata=Metadata()
    )
    cable = parser.parse(source)
    assert cable.subject == "SECRETARY'S VISIT TO MIDDLE EAST: COMMUNICATIONS"
    assert cable.tags == ["OVIP", "VANCE, CYRUS", "IS", "SY", "SA", "EG", "LE", "JO"]


def test_a_subject_wrapped_over_a_page_break_is_joined() -> None:
    # 00HARARE6677: the break stands inside the subject, whose end follows on the next page.
    cable = parse_text(
        "C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677\n\n"
        "E.O. 12958: DECL: 11/28/10\nTAGS: PREL PGOV ZI\n"
        "SUBJECT: ASSISTANT SECRETARY MEETS WITH ZIMBABWE \n CONFIDENTIAL\n"
        "PAGE 02 HARARE 06677 01 OF 03 291400Z OPPOSITION LEADER\nREFTEL: HARARE 6584\n"
        "CLASSIFIED BY AMBASSADOR TOM MCDONALD FOR REASONS 1.5 (B) AND (D).\n"
        "1. (C) SUMMARY: ASSISTANT SECRETARY SUSAN E. RICE MET TSVANGIRAI."
    )
    assert cable.subject == "ASSISTANT SECRETARY MEETS WITH ZIMBABWE OPPOSITION LEADER"


def test_a_subject_ends_at_a_heading_and_a_stray_mark() -> None:
    # 09PRETORIA954: the section marker (removed) joined the heading's rule onto the
    # subject; the heading belongs to paragraph 1.
    cable = captions(
        "SUBJECT: PART 3 OF 3:  THE LIFE AND TIMES OF SOUTH AFRICA’S \nNEW PRESIDENT\n"
        "PRETORIA 00000954 001.2 OF 004\n------- \nSummary\n------- \n"
        "1. (SBU) This is the third of three messages.",
        top="UNCLAS SECTION 01 OF 04 PRETORIA 000954 \n\nSIPDIS\n\n",
    )
    assert cable.subject == "PART 3 OF 3: THE LIFE AND TIMES OF SOUTH AFRICA’S NEW PRESIDENT"
    assert cable.paragraphs[0].heading == "Summary"
    # 09HARARE888: a subject underlined.
    assert captions("SUBJECT: ZIM NOTES 11-09-2009 \n-----------").subject == (
        "ZIM NOTES 11-09-2009"
    )
    # 10MADRID87: a stray `<` under the subject.
    assert (
        captions(
            "SUBJECT: SCENESETTER FOR WHA A/S VALENZUELA'S JANUARY 31 \nFEBRUARY 3 VISIT TO SPAIN "
            "\n <\nREF: A. 2009 MADRID 59 "
        ).subject
        == "SCENESETTER FOR WHA A/S VALENZUELA'S JANUARY 31 FEBRUARY 3 VISIT TO SPAIN"
    )


def test_a_subject_ends_at_a_summary_label() -> None:
    # After cable-format.md §4 (cables without numbered paragraphs open with SUMMARY:).
    cable = captions("SUBJECT: IRAQ: WEEKLY\nSUMMARY OF EVENTS\nSUMMARY: THE WEEK WAS QUIET.")
    assert cable.subject == "IRAQ: WEEKLY SUMMARY OF EVENTS"


@pytest.mark.parametrize(
    ("line", "marking", "subject"),
    [
        (
            "SUBJECT: (C) AFGHAN COMMERCE MINISTER DISCUSSES REFORM AGENDA",  # 09KABUL3714
            "C",
            "AFGHAN COMMERCE MINISTER DISCUSSES REFORM AGENDA",
        ),
        (
            "SUBJECT: (C/NF) KUDOS CABLE FOR EMBASSY BUENOS AIRES",  # corpus
            "C/NF",
            "KUDOS CABLE FOR EMBASSY BUENOS AIRES",
        ),
        # After cable-format.md §3.6 and §4.1 (SBU portion marks).
        ("SUBJECT: (SBU) MINISTER ON THE BUDGET", "SBU", "MINISTER ON THE BUDGET"),
        ("SUBJECT:(C)MINISTER ON THE BUDGET", "C", "MINISTER ON THE BUDGET"),
        # 08BERLIN1068: lower case in a newspaper-style copy.
        ("Subject: (s) germany requests release", "S", "germany requests release"),
    ],
)
def test_a_portion_mark_at_the_start_is_the_subjects_marking(
    line: str, marking: str, subject: str
) -> None:
    cable = captions(line)
    assert (cable.subject_marking, cable.subject) == (marking, subject)


def test_a_repeated_subject_does_not_change_the_marking() -> None:
    cable = captions("SUBJECT: (C) A VISIT\nSUBJECT: (S) A VISIT")
    assert (cable.subject_marking, cable.subject) == ("C", "A VISIT")


def test_a_lower_case_subject_is_kept_as_written() -> None:
    # 08BAGHDAD1784 without the header that carried the subject as sent.
    cable = captions(
        "E.o. 12958: decl: 06/12/2018 \nTags: iz, ir, prel, pgov, pinr\n"
        "Subject: pm maliki recounts his june 7-9 visit to tehran",
        top="S e c r e t baghdad 001784\n\nNoforn\n\n",
    )
    assert cable.subject == "pm maliki recounts his june 7-9 visit to tehran"
    assert cable.subject_marking is None
