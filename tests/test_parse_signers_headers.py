"""Issue 11, families 4 (signers), 6 (headers) and 7 (Classified By).

Fragments are quoted from real cables (the id is named) from the shared corpus, from PlusD
copies of 1970s telegrams, or from the issue; where no real text was at hand the fragment
is written to ../shared/reference/cable-format.md and says so.
"""

from __future__ import annotations

import pytest

import cabledesk
from cabledesk.parse import parse_text
from cabledesk.parse.rules.classified_by import parse_classified_by
from cabledesk.record.model import Addressee
from conftest import SAMPLE, assert_valid

# ---------------------------------------------------------------------------------------
# Family 4: signers


def signers(text: str) -> list[str]:
    return parse_text(text).signers


def test_surname_after_the_last_sentence_of_an_all_capitals_cable() -> None:
    # 72TEHRAN1164, the end of the cable.
    text = (
        "8. ACTION REQUESTED. IN ORDER TO DIMINISH AS MUCH AS POSSIBLE NEGATIVE\nIMPACT. \n \nHECK"
    )
    assert signers(text) == ["HECK"]


def test_surname_after_end_text_and_after_a_comment() -> None:
    # cable-format.md §4.6: `(Complimentary closing) / End Text. AGUIRRE`.
    assert signers("3. (C) Begin text: ...\n(Complimentary closing)\nEnd Text.\nAGUIRRE") == [
        "AGUIRRE"
    ]
    # 10BOGOTA13, with El Pais' desk tag after the name (kept out of `text`).
    cable = parse_text(
        "our support of the GOC as it develops these initiatives, being\n"
        "careful not to get too far out in front. End comment.\nBROWNFIELD\n\nEPET @ EL P"
    )
    assert cable.signers == ["BROWNFIELD"]
    assert "EPET" not in cable.text
    # 1970s repeats end the quotation, then the Secretary's name (written to
    # cable-format.md §1.3, TOSEC/SECTO cables signed with the Secretary's name).
    assert signers("2. WE HAVE NO OBJECTION.\nUNQUOTE\nKISSINGER") == ["KISSINGER"]
    assert signers("2. WE HAVE NO OBJECTION. UNQUOTE KISSINGER") == ["KISSINGER"]


def test_surname_before_and_after_a_page_header() -> None:
    # Written to cable-format.md §1.3/§4.5: `PAGE 02 STATE 017976` page headers of a
    # 1970s telegram, the classification repeated at the foot of the page.
    before = (
        "LIMITED OFFICIAL USE\nPAGE 01 STATE 017976\n\n1. THE SECRETARY WILL ARRIVE\n"
        "AT 1400.\nLIMITED OFFICIAL USE\n\nLIMITED OFFICIAL USE\n"
        "PAGE 02 STATE 017976\nVANCE\n"
    )
    assert signers(before) == ["VANCE"]
    after = (
        "1. THE SECRETARY WILL ARRIVE AT 1400.\nVANCE\n\nLIMITED OFFICIAL USE\n\n"
        "LIMITED OFFICIAL USE\nPAGE 03 STATE 017976\n"
    )
    assert signers(after) == ["VANCE"]


def test_nara_end_markers_after_the_name() -> None:
    # NARA copies end with `NNN`/`NNNN`, `<< END OF DOCUMENT >>` and the current handling
    # lines (the end markers leuc/ACP-127 strips from 2 million 1973-79 telegrams).
    text = (
        "3. EMBASSY WILL REPORT FURTHER.\nHABIB\n\n\nNNN\n"
        "*** Current Handling Restrictions *** n/a\n<< END OF DOCUMENT >>"
    )
    assert signers(text) == ["HABIB"]


def test_surname_after_a_break_signal() -> None:
    # Written to cable-format.md §2.1 / ACP 127: `BT` then the station serial and `NNNN`.
    assert signers("4. (C) WE CONCUR.\nBT\nCROCKER\n#1784\nNNNN") == ["CROCKER"]
    assert signers("4. (C) WE CONCUR.\nCROCKER\nBT\n#1784\nNNNN") == ["CROCKER"]


def test_two_signers_on_consecutive_lines() -> None:
    # Written to cable-format.md §4.6 ("two signers"): a joint message, one surname a line.
    assert signers("5. (U) END TEXT.\n\nRICE\nBOLTON") == ["RICE", "BOLTON"]
    # Not a list of names introduced by a colon: only the last line signs.
    assert signers("5. THE DELEGATION:\nSMITH\nJONES") == []
    # Two on one line, and a suffix.
    assert signers("1. (C) Text.\n\nKEEGAN PAAL") == ["KEEGAN", "PAAL"]
    assert signers("1. (C) Text.\n\nTIMKEN JR") == ["TIMKEN JR"]


def test_capitals_surname_in_a_mixed_case_cable_after_an_unfinished_line() -> None:
    # 07LAPAZ3153: the last sentence was cut off, the signature stands.
    text = "opposition fears that if Chavez wins, he will embolden Evo to \npush ahead \nGOLDBERG"
    assert signers(text) == ["GOLDBERG"]
    # 10STATE17263: a list of participants, then the Secretary, then trailers.
    text = (
        "Oleg Pozdnyakov, First Secretary, Russian Embassy \n\n"
        "Vadim Sergeev, Interpreter, Russian Embassy\nCLINTON \n\nNNNN \n\nEnd Cable Text"
    )
    assert signers(text) == ["CLINTON"]


def test_footer_after_the_name_and_page_marker_between_footer_and_name() -> None:
    # 09ANKARA1472: the intranet footer after the name, its address wrapped.
    cable = parse_text(
        "but the relationship has begun to sour. \n \nJEFFREY \n \n"
        "           \"Visit Ankara's Classified Web Site at http://www.intelink.s \n"
        'gov.gov/wiki/Portal:Turkey"'
    )
    assert cable.signers == ["JEFFREY"]
    assert cable.text.endswith('gov.gov/wiki/Portal:Turkey"')
    # 08ANKARA536: a section marker stands between the footer and the name.
    cable = parse_text(
        "C O N F I D E N T I A L SECTION 01 OF 02 ANKARA 000536\n\n"
        "6. (C) Comment: it is hard to believe it would not garner a solid majority.\n\n"
        "Visit Ankara's Classified Web Site at "
        "http://www.intelink.sgov.gov/wiki/Portal:Turk ey\n\n"
        "Ankara 00000536 002 of 002\n\nWilson"
    )
    assert cable.signers == ["Wilson"]


def test_name_typed_twice() -> None:
    # 09BEIJING2964.
    assert signers("28. (U) The Deputy Secretary cleared this message.\nHuntsman\nhuntsman") == [
        "Huntsman"
    ]


def test_redaction_is_no_signer() -> None:
    # 09MADRID671.
    text = "issues and regional hotspots.  END SUMMARY AND COMMENT. \n \nXXXXXXXXXXXX\nCHACON"
    assert signers(text) == ["CHACON"]


@pytest.mark.parametrize(
    "text",
    [
        # 06ASUNCION589: the last line is a sentence.
        "and assist them in making the transition to stability as well \n"
        "as efforts to expand GOP support for victims in the interior \nof the country.",
        # Written to cable-format.md: an all-capitals paragraph ending in a name-like word.
        "4. THE AMBASSADOR WILL DISCUSS THE MATTER TOMORROW WITH\nHABIB",
        "4. THE AMBASSADOR WILL DISCUSS THE MATTER TOMORROW WITH FOREIGN\nMINISTER KHALATBARI.",
        # A mixed-case paragraph ending in a capitals word after a connecting word.
        "5. (C) The program will be funded by\nUSAID",
        "5. (C) The question will go to\nNATO",
        "5. (C) The group voiced concerns about\nFARC",
        # 09STATE81957 without its signature: a list ending in a person's name.
        "Russian Embassy\nAlexei Markov\nMaxim Elovik",
        # Trailers alone.
        "1. (C) Text.\n\nNNNN",
        "1. (C) Text.\nBT\n#0293\nNNNN",
        # The classification repeated at the end.
        "3. NO FURTHER ACTION IS REQUIRED.\n\nLIMITED OFFICIAL USE",
        "3. NO FURTHER ACTION IS REQUIRED.\n\nC O N F I D E N T I A L",
        "3. (C) No further action is required.\n\nCONFIDENTIAL",
        # Closing sentences.
        "3. PLEASE ADVISE.",
        "4. (U) Thank you.",
        "1. (C) Text.\n\nEND COMMENT.",
    ],
)
def test_no_signer_invented(text: str) -> None:
    assert signers(text) == []


# ---------------------------------------------------------------------------------------
# Family 6: headers


def names(addressees: list[Addressee]) -> list[str]:
    return [a.name for a in addressees]


def test_page_header_inside_the_address_list_is_no_addressee() -> None:
    # 08STATE50524 (received copy: the page header after INFO).
    header = (
        "O P 131528Z MAY 08\nFM SECSTATE WASHDC\nTO AMEMBASSY BEIJING IMMEDIATE\n"
        "INFO PAGE 02        STATE   050524  131535Z\nAMEMBASSY BAGHDAD PRIORITY"
    )
    cable = parse_text("S E C R E T STATE 050524\n\n1. (S) Text.", header=header)
    assert names(cable.header.info) == ["AMEMBASSY BAGHDAD"]
    assert cable.header.info[0].precedence == "PRIORITY"
    assert cable.header.to[0].precedence == "IMMEDIATE"


def test_page_break_with_banners_inside_a_1970s_address_list() -> None:
    # The 1977STATE017976 layout of cable-format.md §1.3, its list run over a page break.
    header = (
        "CONFIDENTIAL\nPAGE 01 STATE 017976\nORIGIN SS-15\n"
        "INFO OCT-01 AS-01 NEA-10 ISO-00 SSO-00 CCO-00 OC-06 /033 R\n"
        "DRAFTED BY S/S-S:JJACOBSON\nAPPROVED BY S/S-S:LJREDDY\n"
        "------------------270429Z 060566 /61\nP 262340Z JAN 77\nFM SECSTATE WASHDC\n"
        "TO AMEMBASSY TEL AVIV PRIORITY\nAMEMBASSY CAIRO PRIORITY\n"
        "INFO USMISSION USUN NEW YORK\nCONFIDENTIAL\n\nCONFIDENTIAL\n"
        "PAGE 02 STATE 017976 262345Z\nAMEMBASSY AMMAN\nIRAQ COLLECTIVE\nBT"
    )
    cable = parse_text("CONFIDENTIAL STATE 017976\n\n1. TEXT.\nVANCE", header=header)
    assert names(cable.header.to) == ["AMEMBASSY TEL AVIV", "AMEMBASSY CAIRO"]
    assert names(cable.header.info) == [
        "USMISSION USUN NEW YORK",
        "AMEMBASSY AMMAN",
        "IRAQ COLLECTIVE",
    ]
    assert [a.precedence for a in cable.header.to] == ["PRIORITY", "PRIORITY"]
    assert cable.header.dtg == "262340Z JAN 77"
    assert cable.header.from_ == "SECSTATE WASHDC"


def test_distribution_lines_are_no_addressees() -> None:
    # 09STATE37566's Department distribution, here after an INFO keyword of its own.
    header = (
        "R 161417Z APR 09\nFM SECSTATE WASHDC\nTO AMEMBASSY BAMAKO\n"
        "INFO  LOG-00   EEB-00   AF-00    AGRE-00  VIN-00   AID-00   AMAD-00\n"
        "      SAS-00   DTT-00   FA-00      /001R\n"
        "AMEMBASSY LONDON"
    )
    cable = parse_text("S E C R E T STATE 037566\n\n1. (S/NF) Text.", header=header)
    assert names(cable.header.info) == ["AMEMBASSY LONDON"]


def test_per_addressee_precedence_and_sequence_of_the_seed_cable() -> None:
    cable = cabledesk.parse_file(SAMPLE / "text" / "08BAGHDAD1784.txt")
    to = cable.header.to
    assert [(a.name, a.precedence, a.sequence) for a in to] == [
        ("SECSTATE WASHDC", "IMMEDIATE", "7781")
    ]
    info = {a.name: (a.precedence, a.sequence) for a in cable.header.info}
    assert info["GULF COOPERATION COUNCIL COLLECTIVE"] == ("PRIORITY", None)
    assert info["IRAQ COLLECTIVE"] == ("PRIORITY", None)
    assert info["IRAN RPO DUBAI"] == ("PRIORITY", "0063")
    assert info["REO KIRKUK"] == ("PRIORITY", "2272")
    assert len(cable.header.info) == 20


def test_sequence_range_of_a_cable_in_sections() -> None:
    # 09STATE81957.
    header = (
        "VZCZCXYZ0003\nOO RUEHWEB\n\nDE RUEHC #1957 2230144\nZNY SSSSS ZZH ZDS\n"
        "O 061630Z AUG 09\nFM SECSTATE WASHDC\nTO RUEHMO/AMEMBASSY MOSCOW IMMEDIATE 2593-2599\n"
        "INFO RUEHBO/AMEMBASSY BOGOTA IMMEDIATE 3806-3812\n"
        "RUEHSI/AMEMBASSY TBILISI IMMEDIATE 1072-1078"
    )
    cable = parse_text("S E C R E T STATE 081957\n\n1. (S/NF) Text.", header=header)
    moscow = cable.header.to[0]
    assert (moscow.name, moscow.route, moscow.precedence, moscow.sequence) == (
        "AMEMBASSY MOSCOW",
        "RUEHMO",
        "IMMEDIATE",
        "2593-2599",
    )
    assert [a.sequence for a in cable.header.info] == ["3806-3812", "1072-1078"]
    assert_valid(cabledesk.to_dict(cable))


def test_flattened_list_keeps_addressees_without_a_precedence_word() -> None:
    # The 08BAGHDAD1784 header as Der Spiegel flattened it, with INFO addressees that carry
    # no precedence (ROUTINE by convention: cable-format.md §2.5) - written to §2.7.
    text = (
        "O 140650Z JUN 08 FM AMEMBASSY BAGHDAD TO SECSTATE WASHDC\n"
        "IMMEDIATE 7781 INFO AMEMBASSY AMMAN AMEMBASSY RIYADH 0012 IRAQ COLLECTIVE\n"
        "IRAN COLLECTIVE PRIORITY NSC WASHDC\n\nS E C R E T BAGHDAD 001784\n\n1. (S) Text."
    )
    info = parse_text(text).header.info
    assert [(a.name, a.precedence, a.sequence) for a in info] == [
        ("AMEMBASSY AMMAN", None, None),
        ("AMEMBASSY RIYADH", None, "0012"),
        ("IRAQ COLLECTIVE", None, None),
        ("IRAN COLLECTIVE", "PRIORITY", None),
        ("NSC WASHDC", None, None),
    ]
    assert info[2].route == "RUCNRAQ"  # looked up by name for a copy without indicators


def test_flattened_list_with_page_header_and_exempted_post() -> None:
    # 09STATE63860's addressees (with XMT) and 08STATE50524's page header, flattened as a
    # newspaper copy prints a header (cable-format.md §1.2).
    text = (
        "P 191717Z JUN 09 FM SECSTATE WASHDC TO SECURITY OFFICER COLLECTIVE PRIORITY\n"
        "AMEMBASSY TRIPOLI PRIORITY INFO PAGE 02 STATE 063860 191722Z AMCONSUL CASABLANCA\n"
        "PRIORITY XMT AMCONSUL JOHANNESBURG AMCONSUL JOHANNESBURG\n\n"
        "S E C R E T STATE 063860\n\n1. (U) Text."
    )
    header = parse_text(text).header
    assert [(a.name, a.precedence) for a in header.to] == [
        ("SECURITY OFFICER COLLECTIVE", "PRIORITY"),
        ("AMEMBASSY TRIPOLI", "PRIORITY"),
    ]
    assert names(header.info) == ["AMCONSUL CASABLANCA", "AMCONSUL JOHANNESBURG"]


PLUSD_1976 = """LIMITED OFFICIAL USE
PAGE 01 STATE 187673
14
ORIGIN SS-25
INFO OCT-01 ISO-00 SSO-00 /026 R
DRAFTED BY S/S-O:APSHANKLE:EO
APPROVED BY S/S - MR. BRIDGES
OC/T - MR. GENDRON (SUBST)
S:JPCOVEY
S/S: JLHOGANSON
--------------------- 053129
O 290346Z JUL 76
FM SECSTATE WASHDC
TO AMEMBASSY TEHRAN IMMEDIATE
AMEMBASSY KABUL IMMEDIATE
AMEMBASSY ISLAMABAD IMMEDIATE
AMEMBASSY THE HAGUE IMMEDIATE
LIMITED OFFICIAL USE STATE 187673
EXDIS
E.O. 11652: N/A
TAGS: OVIP (KISSINGER, HENRY A.), ACOM
SUBJECT: SECRETARY'S VISIT: COMMUNICATIONS - CABLE
TRAFFIC
1. POST WILL BE EXPECTED TO PROVIDE 24-HOUR COVERAGE DUE
TO ADDITIONAL HIGH PRECEDENCE TRAFFIC TO AND FROM PARTY.
2. THE EXECUTIVE SECRETARIAT (S/S) MEMBER OF THE
SECRETARY'S PARTY WILL CONTACT THE C&R OFFICER UPON
ARRIVAL AT POST TO COORDINATE DETAILS OF SUPPORT.
LIMITED OFFICIAL USE
LIMITED OFFICIAL USE
PAGE 02 STATE 187673
3. AS OUTLINED IN STATE 085417 (15 APRIL 1975) ALL TRAFFIC
WILL BE ADDRESSED TO USDEL SECRETARY.
ROBINSON
LIMITED OFFICIAL USE
"""


def test_printout_header_at_the_top_of_a_text() -> None:
    # 1976STATE187673 as PlusD prints it (its last paragraph and signature shortened).
    cable = parse_text(PLUSD_1976)
    header = cable.header
    assert (header.precedence, header.dtg, header.sent) == (
        "IMMEDIATE",
        "290346Z JUL 76",
        "1976-07-29T03:46:00Z",
    )
    assert header.from_ == "SECSTATE WASHDC"
    assert names(header.to) == [
        "AMEMBASSY TEHRAN",
        "AMEMBASSY KABUL",
        "AMEMBASSY ISLAMABAD",
        "AMEMBASSY THE HAGUE",
    ]
    assert {a.precedence for a in header.to} == {"IMMEDIATE"}
    assert header.info == []
    # The distribution and drafting lines are header matter, not passing lines or text.
    assert cable.passing == []
    assert "OCT-01" not in cable.text and "DRAFTED BY" not in cable.text
    assert cable.subject == "SECRETARY'S VISIT: COMMUNICATIONS - CABLE TRAFFIC"
    assert [p.number for p in cable.paragraphs] == [1, 2, 3]
    assert cable.signers == ["ROBINSON"]


def test_printout_header_with_a_dtg_spaced_by_ocr() -> None:
    # 1973STATE124337 as PlusD prints it (NARA's OCR: `260517 Z`).
    text = (
        "UNCLASSIFIED\nPAGE 01 STATE 124337\n14\nORIGIN SS-15\n"
        "INFO OCT-01 AF-10 ARA-11 EUR-25 EA-11 NEA-10 ADP-00 PCH-04\n"
        "PRS-01 EB-11 ACDA-19 NSC-10 INR-10 INRE-00 RSC-01\nPA-03 USIE-00 CIAE-00 IO-13 /155 R\n"
        "DRAFTED BY: S/ S- O: KKURZE\nAPPROVED BY: S/ S- O KKURZE\n"
        "--------------------- 050106\nP 260517 Z JUN 73\nFM SECSTATE WASHDC\n"
        "TO AMEMBASSY ABU DHABI PRIORITY\nAMEMBASSY BERN PRIORITY\nUSLO PEKING PRIORITY\n"
        "UNCLAS STATE 124337\nE. O. 11652: N/ A\nTAGS: OGEN, PARM\n"
        "SUBJ: KISSINGER PRESS BRIEFING ON NIXON- BREZHNEV COMMUNIQUE\n"
    )
    cable = parse_text(text)
    assert cable.header.dtg == "260517Z JUN 73"
    assert cable.header.sent == "1973-06-26T05:17:00Z"
    assert names(cable.header.to) == ["AMEMBASSY ABU DHABI", "AMEMBASSY BERN", "USLO PEKING"]
    assert cable.passing == []
    assert cable.tags == ["OGEN", "PARM"]


def test_text_that_starts_with_a_banner_but_has_no_header_is_left_alone() -> None:
    # Written to cable-format.md §3.1: a body with the classification on top, no header.
    cable = parse_text("CONFIDENTIAL\n\nSUBJECT: TALKS\n\n1. (C) Text.\n\nSMITH")
    assert cable.header.from_ is None and cable.header.to == []
    assert cable.subject == "TALKS"
    assert cable.signers == ["SMITH"]


def test_records_stored_before_addressees_had_a_precedence_still_read() -> None:
    record = cabledesk.to_dict(cabledesk.parse_file(SAMPLE / "text" / "08BAGHDAD1784.txt"))
    for addressee in record["header"]["to"] + record["header"]["info"]:
        del addressee["precedence"], addressee["sequence"], addressee["route_source"]
    cable = cabledesk.from_dict(record)
    assert cable.header.to[0] == Addressee("SECSTATE WASHDC", "RUEHC")
    assert all(a.precedence is None for a in cable.header.info)
    again = cabledesk.to_dict(cable)
    assert again["header"]["to"][0] == {
        "name": "SECSTATE WASHDC",
        "route": "RUEHC",
        "precedence": None,
        "sequence": None,
        "route_source": None,
    }


# ---------------------------------------------------------------------------------------
# Family 7: Classified By


@pytest.mark.parametrize(
    ("line", "name", "title", "found"),
    [
        # The example (an office before the title and the name).
        (
            "Classified by NEA/I DAS, Jane Q. Doe, Reason 1.4 (b) (d)",
            "Jane Q. Doe",
            "NEA/I DAS",
            ["1.4(b)", "1.4(d)"],
        ),
        # 10NAIROBI59: NAME, TITLE; REASON.
        (
            "CLASSIFIED BY: Michael E. Ranneberger, Ambassador, DOS, EXEC; REASON: 1.4(B), (D)",
            "Michael E. Ranneberger",
            "Ambassador, DOS, EXEC",
            ["1.4(b)", "1.4(d)"],
        ),
        # Written to the issue: capitals, the older order's section 1.5.
        (
            "CLASSIFIED BY: JOHN SMITH, POLITICAL COUNSELOR; REASON: 1.5 (B), (D)",
            "JOHN SMITH",
            "POLITICAL COUNSELOR",
            ["1.5(b)", "1.5(d)"],
        ),
        # 05BOGOTA7402.
        (
            "Classified By: Ambassador William B. Wood; reasons 1.4 (b) and (d)",
            "William B. Wood",
            "Ambassador",
            ["1.4(b)", "1.4(d)"],
        ),
        # 00HARARE6677 (1.5, before E.O. 13292).
        (
            "CLASSIFIED BY AMBASSADOR TOM MCDONALD FOR REASONS 1.5 (B) AND (D).",
            "TOM MCDONALD",
            "AMBASSADOR",
            ["1.5(b)", "1.5(d)"],
        ),
        # 5 FAH-1 H-246's example as cable-format.md §3.8 quotes it.
        (
            "(U) Classified by John Doe, Ambassador, Reason 1.5b and d",
            "John Doe",
            "Ambassador",
            ["1.5(b)", "1.5(d)"],
        ),
        # 09HARARE24, 10STATE9124, 10SEOUL62: an initial that is also a title word (`d'`).
        (
            "Classified By: Ambassador James D. McGee for reason 1.4 (d)",
            "James D. McGee",
            "Ambassador",
            ["1.4(d)"],
        ),
        (
            "Classified by NEA Assistant Secretary Jeffrey D. Feltman for Reasons 1.4 (b) and (d).",
            "Jeffrey D. Feltman",
            "NEA Assistant Secretary",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "Classified By: Ambassador D. Kathleen Stephens. Reasons 1.4 (b/d).",
            "D. Kathleen Stephens",
            "Ambassador",
            ["1.4(b)", "1.4(d)"],
        ),
        # 04RANGOON1100: `A.I.` is no initial.
        (
            "Classified By: CDA, A.I. RON MCMULLEN FOR REASON 1.5 (A/C).",
            "RON MCMULLEN",
            "CDA, A.I.",
            ["1.5(a)", "1.5(c)"],
        ),
        # 09MADRID612: the wrap split `and` (`a nd`), which is no reason (a).
        (
            "Classified By: Charge D'Affaires Arnold A. Chacon for reasons 1.4 (b) a\nnd (d)",
            "Arnold A. Chacon",
            "Charge D'Affaires",
            ["1.4(b)", "1.4(d)"],
        ),
        # 09BAGHDAD383: the wrap broke the given name.
        (
            "Classified By: Minister-Counselor for Political Military Affairs Michae \n"
            "l Corbin for reasons 1.4 (b, d).",
            "Michael Corbin",
            "Minister-Counselor for Political Military Affairs",
            ["1.4(b)", "1.4(d)"],
        ),
        # 04ANKARA7211: the order named before the reasons, over two lines.
        (
            "(U) Classified by Ambassador Eric Edelman; reasons: E.O. \n12958 1.4 (a,b,c,d).",
            "Eric Edelman",
            "Ambassador",
            ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"],
        ),
        # Written to cable-format.md §3.8: `under E.O. 12958`, and a name before its title.
        (
            "Classified By: Ambassador Eric Edelman under E.O. 12958, reasons 1.4 (b) and (d).",
            "Eric Edelman",
            "Ambassador",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "Classified By: ELISSA G. PITTERLE DIRECTOR, REASON: 1.4(C).",
            "ELISSA G. PITTERLE",
            "DIRECTOR",
            ["1.4(c)"],
        ),
    ],
)
def test_classified_by_official_and_reasons(
    line: str, name: str, title: str, found: list[str]
) -> None:
    parsed = parse_classified_by(line)
    assert (parsed.name, parsed.title, parsed.reasons) == (name, title, found)


CAPTIONS = "S E C R E T ANKARA 007211\n\nSUBJECT: TEST\n"


@pytest.mark.parametrize(
    ("block", "found"),
    [
        # 04ANKARA7211: the first line alone reads like finished reasons (`E.O.`).
        (
            "(U) Classified by Ambassador Eric Edelman; reasons: E.O. \n12958 1.4 (a,b,c,d). \n",
            ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"],
        ),
        # 08BAGHDAD1784: reasons on the next line.
        (
            "Classified By: Charge d'Affaires Patricia A. Butenis\n"
            "for reasons 1.4 (b), (c) and (d).",
            ["1.4(b)", "1.4(c)", "1.4(d)"],
        ),
        # 09MADRID612: `a` / `nd (d)`.
        (
            "Classified By: Charge D'Affaires Arnold A. Chacon for reasons 1.4 (b) a\nnd (d)\n",
            ["1.4(b)", "1.4(d)"],
        ),
        # Written to cable-format.md §3.8: the codes alone on the next line.
        ("Classified By: Ambassador X, REASONS 1.4 B AND\nD\n", ["1.4(b)", "1.4(d)"]),
        ("Classified By: Ambassador X for reasons 1.4 (b),\n(d)\n", ["1.4(b)", "1.4(d)"]),
        ("Classified By: Ambassador X for reasons 1.4\n\n(b) and (d).\n", ["1.4(b)", "1.4(d)"]),
    ],
)
def test_reasons_split_across_lines(block: str, found: list[str]) -> None:
    cable = parse_text(f"{CAPTIONS}\n{block}\n1. (C) Text.")
    assert cable.classified_by is not None
    assert cable.classified_by.reasons == found
    assert cable.paragraphs[0].text == "Text."


def test_summary_right_after_the_reasons_is_not_swallowed() -> None:
    # Written to cable-format.md §3.8 ("run into the next heading"): no blank line, and
    # reasons without a closing mark.
    cable = parse_text(
        f"{CAPTIONS}\nClassified By: DCM Tom Williams for reasons 1.4 b and d\n"
        "SUMMARY: The minister said no. END SUMMARY.\n\n1. (C) Text."
    )
    assert cable.classified_by is not None
    assert cable.classified_by.text == "Classified By: DCM Tom Williams for reasons 1.4 b and d"
    assert cable.summary == "The minister said no."


@pytest.mark.parametrize(
    "block",
    [
        # 08DJIBOUTI380: REF, then Classified By on the next line, then paragraph 1.
        "REF: A. DJIBOUTI 378  B. DJIBOUTI 377\n"
        "Classified By: ERIC WONG, CHARGE D’AFFAIRES, A.I.\n"
        "1. (S) SUMMARY. Talks are underway.",
        # 10NAIROBI59's form after a lettered REF block over two lines.
        "REF: A. NAIROBI 22\n     B. NAIROBI 15\n"
        "CLASSIFIED BY: Michael E. Ranneberger, Ambassador, DOS, EXEC; REASON: 1.4(B), (D)\n"
        "\n1. (S) SUMMARY. Talks are underway.",
    ],
)
def test_classified_by_is_never_swallowed_by_a_ref_block(block: str) -> None:
    cable = parse_text(f"{CAPTIONS}{block}")
    assert cable.classified_by is not None
    assert cable.classified_by.name in ("ERIC WONG", "Michael E. Ranneberger")
    assert len(cable.references) == 2
    assert not any("lassified" in r.text.lower() for r in cable.references)
    assert cable.paragraphs[0].number == 1


@pytest.mark.parametrize(
    "name",
    [
        "2000/11/00HARARE6677.html",
        "2009/06/09STATE63860.html",
        "2009/09/09STATE100153.html",
        "2003/06/03ABUDHABI2641.html",
        "2009/03/09DOHA214.html",
    ],
)
def test_printout_read_as_a_fragment_gives_the_page_header(name: str) -> None:
    # The whole page text (header, then body) given as a fragment: the received copy's
    # header is found at the top (00HARARE6677: DTG above the banner; 09STATE63860: the
    # distribution first; 09STATE100153: the classification line over the DTG;
    # 03ABUDHABI2641, 09DOHA214: an embassy database printout with the raw header under
    # its form) and read as the page's header is.
    page = cabledesk.parse_file(SAMPLE / "cable" / name)
    fragment = parse_text(page.raw)
    for part in ("dtg", "sent", "from_", "to", "info"):
        assert getattr(fragment.header, part) == getattr(page.header, part), part
    assert fragment.passing == page.passing
    assert (fragment.subject, fragment.signers) == (page.subject, page.signers)
    assert fragment.classified_by == page.classified_by
