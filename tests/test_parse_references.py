"""Issue 11, families 5 (References) and 8 (Ids): REF blocks in every layout, the kind of
each reference, the year of an undated one, and malformed reference ids.

Fragments quote real cables of the shared corpus (named by id) unless marked "written after
cable-format.md", in which case they follow the forms that document quotes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from starlette.testclient import TestClient

import cabledesk
from cabledesk.facade import Archive
from cabledesk.parse import parse_text
from cabledesk.parse.ids import (
    COMPANION_WINDOW,
    CitingCable,
    canonical_id,
    parse_citation,
    reference_kind,
)
from cabledesk.parse.rules.references import split_references
from cabledesk.record.model import Cable, Reference
from cabledesk.redact import FULL
from cabledesk.sources.item import Metadata
from cabledesk.web import create_app
from conftest import CORPUS, SCHEMA, assert_valid, needs_corpus


def items(
    text: str, citing: CitingCable | int = 2009
) -> list[tuple[str | None, str, str | None, str]]:
    return [(r.label, r.text, r.cable_id, r.kind) for r in split_references(text, citing)]


def cable(body: str, reference_id: str, created: str) -> Cable:
    """A cable as a WikiLeaks page gives it: its id and creation time, and the text."""
    return parse_text(body, metadata=Metadata(reference_id=reference_id, created=created))


# --- family 5: lettered items ---------------------------------------------------------


def test_lettered_items_in_every_style() -> None:
    # 05MOSCOW11807, 06BUCHAREST576, 08STATE15220 (lower case), 08OSLO670 (doubled, colon).
    assert items("(A) STATE 165022 (B) MOSCOW 11500", 2005) == [
        ("A", "STATE 165022", "05STATE165022", "cable"),
        ("B", "MOSCOW 11500", "05MOSCOW11500", "cable"),
    ]
    assert [i[:3] for i in items("A) BUCHAREST 0536 B) 2005 BUCHAREST 2550", 2006)] == [
        ("A", "BUCHAREST 0536", "06BUCHAREST536"),
        ("B", "2005 BUCHAREST 2550", "05BUCHAREST2550"),
    ]
    assert [i[:3] for i in items("a. 05 state 201650 b. 05 berlin 3726", 2008)] == [
        ("A", "05 state 201650", "05STATE201650"),
        ("B", "05 berlin 3726", "05BERLIN3726"),
    ]
    assert [i[:3] for i in items("A. A: OSLO 629 B. B: OSLO 585", 2008)] == [
        ("A", "OSLO 629", "08OSLO629"),
        ("B", "OSLO 585", "08OSLO585"),
    ]


def test_dash_labels() -> None:
    # Written after cable-format.md §3.7 (items lettered and separated by ` - `).
    assert [i[:3] for i in items("A - STATE 12345 B - 07 BAGHDAD 1234", 2008)] == [
        ("A", "STATE 12345", "08STATE12345"),
        ("B", "07 BAGHDAD 1234", "07BAGHDAD1234"),
    ]


def test_a_bare_letter_continues_a_lettered_list() -> None:
    # 09KUALALUMPUR752: the B lost its full stop.
    assert [i[:3] for i in items("A. SECSTATE 90063 B KUALA LUMPUR 739")] == [
        ("A", "SECSTATE 90063", "09STATE90063"),
        ("B", "KUALA LUMPUR 739", "09KUALALUMPUR739"),
    ]


def test_the_article_a_is_not_a_label() -> None:
    # Written after cable-format.md §3.7 (a non-cable reference in words).
    assert items("A MEETING WITH THE MINISTER OF FINANCE ON MAY 5") == [
        (None, "A MEETING WITH THE MINISTER OF FINANCE ON MAY 5", None, "other")
    ]


def test_ref_and_letter_lines_are_lettered_items() -> None:
    # 09ABUDHABI754, as published.
    body = (
        "S E C R E T ABU DHABI 000754\n\nSIPDIS\n\nE.O. 12958: DECL: 07/23/2019\n"
        "TAGS: PREL MARR AE\nSUBJECT: PUMA HELICOPTERS\n\n"
        "REF A SECRETARY'S LETTER TO MBZ ON PUMA HELICOPTERS \nREF B SECSTATE 76108 \n\n"
        "Classified By: Ambassador Richard Olson for reasons 1.4 (b) and (d).\n\n"
        "1. (S) Text of the cable.\n"
    )
    found = cable(body, "09ABUDHABI754", "2009-07-23T09:40:00Z").references
    assert [(r.label, r.text, r.cable_id, r.kind) for r in found] == [
        ("A", "SECRETARY'S LETTER TO MBZ ON PUMA HELICOPTERS", None, "memo"),
        ("B", "SECSTATE 76108", "09STATE76108", "cable"),
    ]


def test_a_second_ref_block_adds_its_items() -> None:
    # Written after cable-format.md §3.7/§3.8 (a REF line after Classified By).
    body = (
        "C O N F I D E N T I A L MADRID 000612\n\nSUBJECT: SPAIN: IRAQ\n\n"
        "REF: A. MADRID 551 B. 2008 MADRID 1281\n\n"
        "Classified By: DCM Arnold A. Chacon for reasons 1.4 (b) and (d)\n\n"
        "REF: C. SADOWSKA E-MAIL JUNE 22\n\n"
        "1. (C) Text.\n"
    )
    found = cable(body, "09MADRID612", "2009-06-26T12:12:00Z")
    assert [(r.label, r.cable_id, r.kind) for r in found.references] == [
        ("A", "09MADRID551", "cable"),
        ("B", "08MADRID1281", "cable"),
        ("C", None, "email"),
    ]
    assert found.classified_by is not None
    assert found.classified_by.name == "Arnold A. Chacon"


def test_references_spread_over_lines() -> None:
    # 08PARIS1698: an item wraps, and the colon inside its parentheses separates nothing.
    body = (
        "C O N F I D E N T I A L PARIS 001698\n\nSUBJECT: FRANCE: AFRICA POLICY\n\n"
        "REF: A. PARIS 1501 \nB. PARIS 1568 \n"
        "C. HOTR WASHINGTON DC//USDAO PARIS (SUBJ: IIR 6 832 \n0617 08) \n"
        "D. HOTR WASHINGTON DC//USDAO PARIS (SUBJ: IIR 6 832 \n0626 08) \n\n"
        "1. (C) SUMMARY: France's new Africa policy may have its limits.\n"
    )
    found = cable(body, "08PARIS1698", "2008-09-09T16:54:00Z").references
    assert [(r.label, r.text, r.cable_id, r.kind) for r in found] == [
        ("A", "PARIS 1501", "08PARIS1501", "cable"),
        ("B", "PARIS 1568", "08PARIS1568", "cable"),
        ("C", "HOTR WASHINGTON DC//USDAO PARIS (SUBJ: IIR 6 832 0617 08)", None, "report"),
        ("D", "HOTR WASHINGTON DC//USDAO PARIS (SUBJ: IIR 6 832 0626 08)", None, "report"),
    ]


def test_items_with_dates_or_titles() -> None:
    # The forms (written after cable-format.md §3.7), in a 2008 cable.
    ref = "A. STATE 12345 (NOTAL) B. 07 BAGHDAD 1234 DATED MAY 5 C. EMAIL FROM DOE 3/4/08"
    assert items(ref, 2008) == [
        ("A", "STATE 12345 (NOTAL)", "08STATE12345", "cable"),
        ("B", "07 BAGHDAD 1234 DATED MAY 5", "07BAGHDAD1234", "cable"),
        ("C", "EMAIL FROM DOE 3/4/08", None, "email"),
    ]
    # 10MANAGUA115 (titles after dashes), 09STATE37561 (date after dashes).
    titled = items("C) 2009 MANAGUA 1090 -- FSLN PROTESTORS ATTACKS U.S. EMBASSY", 2010)
    assert [i[2] for i in titled] == ["09MANAGUA1090"]
    dated = items("A. 08 KIGALI 00830--05/DEC/2008 B. 08 STATE 122706--19/NOV/2008")
    assert [i[2] for i in dated] == [
        "08KIGALI830",
        "08STATE122706",
    ]


def test_a_date_after_the_serial_gives_the_year() -> None:
    # Written after cable-format.md §3.7 (1970s `BONN 14355 (DTG 031628Z SEP 75)`).
    assert items("BONN 14355 (DTG 031628Z SEP 75)", 1976)[0][2] == "75BONN14355"
    assert items("STATE 4321 DATED 12/03/2007", 2008)[0][2] == "07STATE4321"
    assert items("STATE 4321 DATED 12/03/2007", 2008)[0][2] == "07STATE4321"
    # Words after a citation that are no date leave it unresolved.
    assert items("STATE 4321 E-MAIL", 2008)[0][2:] == (None, "email")


# --- family 5: where the block ends ---------------------------------------------------


def test_block_stops_at_a_summary_heading() -> None:
    # 09MADRID982: the page-break line between REF and SUMMARY is gone.
    body = (
        "UNCLAS SECTION 01 OF 02 MADRID 000982 \n\nSUBJECT: SPAIN: INTERNET PIRACY UPDATE \n\n"
        "REF: MADRID 417 AND PREVIOUS \nSUMMARY \n\n"
        "1. (SBU) Secretary of State for Telecommunications Francisco Ros told Econoffs.\n"
    )
    found = cable(body, "09MADRID982", "2009-10-06T16:04:00Z")
    assert [(r.text, r.cable_id) for r in found.references] == [
        ("MADRID 417 AND PREVIOUS", "09MADRID417")
    ]
    assert found.paragraphs[0].heading == "SUMMARY"


def test_block_stops_at_a_caption_glued_on_its_line() -> None:
    # 09MOSCOW2366, as the page-break rule leaves it: one line.
    body = (
        "UNCLAS SECTION 01 OF 04 MOSCOW 002366\n\nSUBJECT: RUSSIAN ILLEGAL LOGGING\n\n"
        "REF: Vladivostok 5 Sensitive but unclassified -- please protect accordingly.\n\n"
        "1. (SBU) SUMMARY: The USG has an opportunity to work with Russia.\n"
    )
    found = cable(body, "09MOSCOW2366", "2009-09-15T11:50:00Z")
    assert [(r.text, r.cable_id) for r in found.references] == [("Vladivostok 5", "09VLADIVOSTOK5")]
    assert "Sensitive but unclassified -- please protect accordingly." in found.text


def test_block_stops_at_classified_by_and_paragraph_one() -> None:
    # 07SANTIAGO983 (Classified By on the next line), 09KUWAIT110 (paragraph 1 next).
    by = cable(
        "C O N F I D E N T I A L SANTIAGO 000983\n\nSUBJECT: CHILE\n\nREF: ASUNCION 396\n"
        "Classified By: AMBASSADOR CRAIG KELLY; Reasons 1.4(b), (d)\n\n1. (C) Text.\n",
        "07SANTIAGO983",
        "2007-06-18T14:45:00Z",
    )
    assert [r.text for r in by.references] == ["ASUNCION 396"]
    assert by.classified_by is not None and by.classified_by.name
    first = cable(
        "UNCLAS KUWAIT 000110\n\nSUBJECT: KUWAIT\n\nREF: KUWAIT 0095\n"
        "1. (U) Embassy Kuwait delivered the demarche on February 4.\n",
        "09KUWAIT110",
        "2009-02-05T16:36:00Z",
    )
    assert [(r.text, r.cable_id) for r in first.references] == [("KUWAIT 0095", "09KUWAIT95")]
    assert first.paragraphs[0].number == 1


# --- family 5: the year of an undated reference ---------------------------------------


def test_undated_reference_takes_the_citing_cables_year() -> None:
    assert items("MADRID 449", 2008)[0][2] == "08MADRID449"


def test_same_post_serial_above_the_cables_own_is_last_years() -> None:
    # 10ISLAMABAD175 (25 January 2010) cites ISLAMABAD 2591 ... 2972: the post was far
    # from 2591 in January, so these are 2009 cables.
    citing = CitingCable(2010, 25, "ISLAMABAD", 175)
    assert items("A. ISLAMABAD 2591 B. ISLAMABAD 2972", citing)[0][2] == "09ISLAMABAD2591"
    # A lower serial of the same post is this year's.
    assert items("KUWAIT 15", CitingCable(2010, 24, "KUWAIT", 45))[0][2] == "10KUWAIT15"


def test_a_companion_sent_alongside_stays_in_the_same_year() -> None:
    # 09BRASILIA1411 cites BRASILIA 1412, the scenesetter sent right after it.
    citing = CitingCable(2009, 344, "BRASILIA", 1411)
    assert items("BRASILIA 1412 (EPD SCENESETTER)", citing)[0][2] == "09BRASILIA1412"
    beyond = f"BRASILIA {1411 + COMPANION_WINDOW + 1}"
    assert items(beyond, citing)[0][2] == f"08BRASILIA{1411 + COMPANION_WINDOW + 1}"


def test_january_cable_citing_a_december_one() -> None:
    # 04RANGOON88 (20 January 2004) cites STATE 297614: the Department sends fewer than
    # 1,200 telegrams a day, so 297614 cannot be of 2004 yet.
    assert items("STATE 297614", CitingCable(2004, 20, "RANGOON", 88))[0][2] == "03STATE297614"
    # 07MOSCOW104 (12 January 2007) cites STATE 203879.
    assert items("STATE 203879", CitingCable(2007, 12, "MOSCOW", 104))[0][2] == "06STATE203879"
    # Another post's serial high for the day: a year earlier (written after
    # cable-format.md §6.3: "early-January cables cite December cables without a year").
    assert items("MADRID 2583", CitingCable(2007, 5, "LISBON", 12))[0][2] == "06MADRID2583"
    # A number that fits the date stays in the citing year.
    assert items("STATE 3557", CitingCable(2008, 25, "BRASILIA", 129))[0][2] == "08STATE3557"


def test_a_written_year_always_wins() -> None:
    # 10BUENOSAIRES111 cites `10 BUENOS AIRES 118`: as written, though above its own.
    citing = CitingCable(2010, 56, "BUENOSAIRES", 111)
    assert items("10 BUENOS AIRES 118", citing)[0][2] == "10BUENOSAIRES118"


def test_cable_id_never_points_at_the_cable_itself() -> None:
    # Written after cable-format.md §3.7: a cable that names its own number.
    body = "C O N F I D E N T I A L MADRID 000449\n\nSUBJECT: SPAIN\n\nREF: {ref}\n\n1. (C) Text.\n"
    written = cable(body.format(ref="09 MADRID 449"), "09MADRID449", "2009-04-01T10:00:00Z")
    assert [(r.cable_id, r.kind) for r in written.references] == [(None, "cable")]
    assert any("names this cable itself" in w for w in written.warnings)
    # Without a year the same number can only be another year's cable.
    undated = cable(body.format(ref="MADRID 449"), "09MADRID449", "2009-04-01T10:00:00Z")
    assert [r.cable_id for r in undated.references] == ["08MADRID449"]


# --- family 5: kinds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("BEYRLE-BURNS FEBRUARY 18 E-MAIL", "email"),  # 09MOSCOW405
        ("EUR/WE E-MAIL OF 09/08/2006", "email"),  # 06MADRID2281
        ("LAMBERT - ENGLEKEN EMAIL 21 FEB 06", "email"),  # 06ISLAMABAD3705
        ("FEB 24 A/S CARSON-AMB SANDERS TELCON", "telcon"),  # 10ABUJA215
        ("OCTOBER 12 DVC (WITH DOS DOD AND EMBASSY LISBON)", "telcon"),  # 06LISBON2365
        ("SECRETARY'S LETTER TO MBZ ON PUMA HELICOPTERS", "memo"),  # 09ABUDHABI754
        ("MEMCON OF THE SECRETARY'S MEETING WITH FM LAVROV", "memo"),  # after §3.7
        ("IIR 6 926 0058 09", "report"),  # 09HARARE24
        ("DAO MADRID IIR 6 889 0175 09", "report"),  # 09MADRID612
        ("314/07696-07", "report"),  # 09STATE124636
        ("TD-314/09169-05", "report"),  # 06MADRID1914
        ("OSC EUP20090329950015", "report"),  # 09MADRID347
        ("EMBASSY LONDON DAILY REPORT 9/16/2009 (NOTAL)", "report"),  # 09LONDON2222
        ("PARIS POINTS OF 5/16", "report"),  # 06PARIS3360
        ("USDAO DUBLIN EI U-0011-06", "report"),  # 06DUBLIN1020
        ("SECDEF MSG DTG 301601z SEP 08", "cable"),  # 08BERLIN1387
        ("USDAO STOCKHOLM DTG 051506ZJUN2008", "cable"),  # 08STOCKHOLM494
        ("USDEL 00007", "cable"),  # 06ABUDHABI1401
        ("WHITE HOUSE 853", "cable"),  # 09BAGHDAD1104
        ("SEPTEL", "cable"),  # cable-format.md §3.7
        ("FREETOWN", "cable"),  # 08FREETOWN389: the number was lost
        ("Beijing XXXXXXXXXXXXX", "cable"),  # 09BEIJING1336: the number redacted
        ("MCWHIRTER 12/14/07", "other"),  # 07BUENOSAIRES2345
        ("2006 AND PRIOR (WWW.STATE.SGOV.GOV/P/EUR/PARIS/INDEX.CFM)", "other"),  # 06PARIS953
        ("XXXXXXXXXXXX", "other"),  # 10BEIJING207
    ],
)
def test_every_reference_gets_a_kind(text: str, kind: str) -> None:
    assert reference_kind(text) == kind
    # And the REF rule gives it, keeping the item.
    (item,) = items(f"A. {text}", 2009)
    assert (item[1], item[3]) == (text, kind)


def test_and_splits_citations_only() -> None:
    # 08ALGIERS198 and 04RANGOON88 split; a telcon naming two people stays one item
    # (written after cable-format.md §3.7).
    assert [i[2] for i in items("D. 07 ALGIERS 1807 AND 08 ALGIERS 0075", 2008)] == [
        "07ALGIERS1807",
        "08ALGIERS75",
    ]
    assert [i[1] for i in items("A. 05 PARIS 7528 AND PREVIOUS B. PARIS POINTS", 2006)] == [
        "05 PARIS 7528 AND PREVIOUS",  # 06PARIS2069, as written
        "PARIS POINTS",
    ]
    assert items("TELCON BETWEEN DAS SMITH AND POLOFF 5/6/09") == [
        (None, "TELCON BETWEEN DAS SMITH AND POLOFF 5/6/09", None, "telcon")
    ]


def test_non_cable_references_are_kept_beside_cables() -> None:
    # 09HARARE24.
    assert items("A. IIR 6 926 0058 09 B. 08 HARARE 1016 C. 08 HARARE 1035") == [
        ("A", "IIR 6 926 0058 09", None, "report"),
        ("B", "08 HARARE 1016", "08HARARE1016", "cable"),
        ("C", "08 HARARE 1035", "08HARARE1035", "cable"),
    ]


def test_station_spellings_from_the_origins_table() -> None:
    # 08CASABLANCA81 writes CASA, 09RPODUBAI379 DUBAI RPO.
    assert items("(A) 05 CASA 1220 (B) 07 CASA 169", 2008)[0][2] == "05CASABLANCA1220"
    assert items("DUBAI RPO 378", 2009)[0][2] == "09RPODUBAI378"
    # A year in parentheses between citations opens the next (09SAOPAULO663).
    assert [i[2] for i in items("BRASILIA 709 (08) SAO PAULO 542", 2009)] == [
        "09BRASILIA709",
        "08SAOPAULO542",
    ]


# --- the record: kind in the schema, the codec, the archive and the page ---------------


def test_kind_round_trips_and_older_records_read() -> None:
    found = cable(
        "C O N F I D E N T I A L MOSCOW 000405\n\nSUBJECT: RUSSIA\n\n"
        "REF: A. BEYRLE-BURNS FEBRUARY 18 E-MAIL B. MOSCOW 357\n\n1. (C) Text.\n",
        "09MOSCOW405",
        "2009-02-18T15:18:00Z",
    )
    record = cabledesk.to_dict(found)
    assert [r["kind"] for r in record["references"]] == ["email", "cable"]
    assert cabledesk.from_dict(record) == found
    # A record stored before kinds existed: a cited cable is a cable, the rest `other`.
    for reference in record["references"]:
        del reference["kind"]
    old = cabledesk.from_dict(record)
    assert [r.kind for r in old.references] == ["other", "cable"]
    assert Reference("A", "SEPTEL").kind == "other"
    assert Reference("A", "STATE 1", "09STATE1").kind == "cable"


def test_the_schema_requires_a_known_kind() -> None:
    found = cable(
        "C O N F I D E N T I A L HARARE 000024\n\nSUBJECT: ZIMBABWE\n\n"
        "REF: A. IIR 6 926 0058 09 B. 08 HARARE 1016\n\n1. (C) Text.\n",
        "09HARARE24",
        "2009-01-09T08:43:00Z",
    )
    record = cabledesk.to_dict(found)
    assert_valid(record)
    schema = json.loads(SCHEMA.read_text())
    record["references"][0]["kind"] = "rumour"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, schema)


def test_the_archive_keeps_kinds_and_the_page_shows_what_is_not_a_cable(tmp_path: Path) -> None:
    found = cable(
        "C O N F I D E N T I A L MADRID 000612\n\nSUBJECT: SPAIN: IRAQ\n\n"
        "REF: A. SADOWSKA E-MAIL JUNE 22 READOUT OF CUESTA MEETINGS B. MADRID 551 "
        "C. DAO MADRID IIR 6 889 0175 09\n\n1. (C) Text of the cable.\n",
        "09MADRID612",
        "2009-06-26T12:12:00Z",
    )
    # Stored before kinds existed: its references have none.
    cited = cable(
        "UNCLAS MADRID 000551\n\nSUBJECT: SPAIN\n\nREF: A. MADRID 201 B. SEPTEL\n\n1. (U) Text.\n",
        "09MADRID551",
        "2009-06-01T10:00:00Z",
    )
    old = cabledesk.to_dict(cited)
    for reference in old["references"]:
        del reference["kind"]
    records = tmp_path / "records.jsonl"
    records.write_text(cabledesk.to_json(found) + "\n" + json.dumps(old) + "\n", encoding="utf-8")
    with Archive.open(tmp_path / "archive") as archive:
        report = archive.ingest([records], workers=1)
        assert report.failed == 0, report.examples
        stored = archive.get("09MADRID612", viewer=FULL)
        assert stored is not None
        assert [(r.label, r.kind) for r in stored.references] == [
            ("A", "email"),
            ("B", "cable"),
            ("C", "report"),
        ]
        older = archive.get("09MADRID551", viewer=FULL)
        assert older is not None
        assert [(r.cable_id, r.kind) for r in older.references] == [
            ("09MADRID201", "cable"),
            (None, "other"),
        ]
    with TestClient(create_app(tmp_path / "archive"), raise_server_exceptions=False) as client:
        page = client.get("/cable/09MADRID612").text
    refs = page[page.index('class="refs"') : page.index("</section>", page.index('class="refs"'))]
    assert '<span class="ref-kind muted">email</span>' in refs
    assert "SADOWSKA E-MAIL JUNE 22 READOUT OF CUESTA MEETINGS" in refs
    assert '<span class="ref-kind muted">report</span>' in refs
    assert '<a href="/cable/09MADRID551">09MADRID551</a>' in refs
    assert refs.count("ref-kind") == 2


# --- family 8: ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "canonical"),
    [
        # The SECTION word garbled past the first pattern (WikiLeaks ids listed by
        # cablemap consts.py, cable-format.md §6.4).
        ("08ECTION02OF02ATHENS959", "08ATHENS959"),
        ("08SECTON01OF02BEIRUT896", "08BEIRUT896"),
        ("08SECTIN03OF03KABUL3036", "08KABUL3036"),
        ("09SECION02OF02NAIROBI417", "09NAIROBI417"),
        ("09SECTION0QF05HANOI297", "09HANOI297"),
        ("10SECION03OF08VIENNA176", "10VIENNA176"),
        ("09SECTION02F02BRUSSELS1639", "09BRUSSELS1639"),
        ("08SECTINN02OF02JAKARTA1486", "08JAKARTA1486"),
        ("07SECTON03OF04DAKAR269", "07DAKAR269"),
        ("06SECTIKN01OF03MINSK1223", "06MINSK1223"),
        ("08SECTION01F03BEIRUT1568", "08BEIRUT1568"),
        ("06SECTION01O02HONGKONG2311", "06HONGKONG2311"),
        ("09ECTION03OF05MANILA924", "09MANILA924"),
        # Misspelt stations and other fragments.
        ("06PORTOFPAIN568", "06PORTOFSPAIN568"),
        ("09NOUKKCHOTT514", "09NOUAKCHOTT514"),
        ("08SANTOOMINGO1959", "08SANTODOMINGO1959"),
        ("08MADRID000762ZFR763", "08MADRID762"),
        ("94STATE183691TOSEC140193", "94STATE183691"),
        ("09EFTORIYADH1110", "09RIYADH1110"),
        # Spaces, case, leading zeros, aliases (written after cable-format.md §6.1/§6.2).
        ("08 BAGHDAD 1784", "08BAGHDAD1784"),
        ("08baghdad001784", "08BAGHDAD1784"),
        ("08 SECSTATE 001379", "08STATE1379"),
        ("10 BUENOS AIRES 118", "10BUENOSAIRES118"),
        # PlusD suffixes and NARA numbers (cable-format.md §6.5).
        ("1977STATE017976_c", "77STATE17976"),
        ("08BAGHDAD1784_a", "08BAGHDAD1784"),
        ("1975STATE095768", "75STATE95768"),
        ("1977MOSCOW02124", "77MOSCOW2124"),
        ("1974MANILA07657", "74MANILA7657"),
        ("1976PRETOR04668", "76PRETORIA4668"),
        ("1975NEWDE12211", "75NEWDELHI12211"),
        ("1978SANJO05140", "78SANJOSE5140"),
        ("1975NATOB04830", "75USNATO4830"),
        ("1975JAKART10964", "75JAKARTA10964"),
        ("1975LOUREN00956", "75MAPUTO956"),
        ("1975DACCA00292_b", "75DHAKA292"),
    ],
)
def test_malformed_ids_in_every_spelling(published: str, canonical: str) -> None:
    assert canonical_id(published) == canonical


@pytest.mark.parametrize(
    "published",
    [
        "1975SECTO10373",  # the Secretary's party: no station to name
        "10AQNA272",  # too garbled to tell from ASTANA or another
        "73BANGKOK-A50",  # an airgram
        "7575",
    ],
)
def test_ids_without_a_sensible_reading_are_not_invented(published: str) -> None:
    assert canonical_id(published) is None


def test_a_station_word_is_never_taken_for_section() -> None:
    # `SECTIO...` must look like SECTION; a station with digits and OF is left alone.
    assert canonical_id("09SOFIA01OF02ROME5") is None


def test_the_record_keeps_the_id_as_published() -> None:
    found = parse_text(
        "LIMITED OFFICIAL USE STATE 095768\n\nSUBJECT: NATO MINISTERIAL\n\n1. Text.\n",
        metadata=Metadata(reference_id="1975STATE095768", created="1975-04-23T00:00:00Z"),
    )
    assert (found.reference_id, found.reference_id_raw) == ("75STATE95768", "1975STATE095768")
    assert (found.station, found.serial) == ("STATE", "95768")
    assert any("1975STATE095768" in w for w in found.warnings)


def test_parse_citation_keeps_year_as_written() -> None:
    citation = parse_citation("(08) SAO PAULO 581")
    assert citation is not None
    assert (citation.station, citation.serial, citation.year) == ("SAOPAULO", "581", 8)
    undated = parse_citation("RABAT 0178 (NOTAL)")
    assert undated is not None and undated.year is None and undated.serial == "178"


# --- the corpus -----------------------------------------------------------------------


@needs_corpus
def test_corpus_references_obey_the_rules() -> None:
    cables = [c for c in cabledesk.parse(CORPUS / "cable") if isinstance(c, Cable)]
    kinds = {"cable", "email", "telcon", "report", "memo", "other"}
    later = []
    for found in cables:
        own = re.match(r"^(\d{2})([A-Z]+?)(\d+)$", found.reference_id or "")
        for reference in found.references:
            assert reference.kind in kinds
            assert reference.cable_id != found.reference_id
            if reference.kind != "cable":
                assert reference.cable_id is None
            cited = re.match(r"^(\d{2})([A-Z]+?)(\d+)$", reference.cable_id or "")
            written_year = re.search(r"\b(?:19|20)?\d{2}\b(?!\d)", reference.text.split()[0])
            same = own and cited and (own[1], own[2]) == (cited[1], cited[2])
            # An undated reference of the same post and year is never sent after it.
            if same and not written_year and int(cited[3]) > int(own[3]) + COMPANION_WINDOW:
                later.append((found.reference_id, reference.text))
    assert later == []
    every = [r for c in cables for r in c.references]
    assert sum(r.kind != "cable" for r in every) >= 60
    assert sum(1 for r in every if r.cable_id) >= 790
