"""The parse audit (issue 11): each check on real fragments that fail and pass it, the
command end to end, and the JSON it prints.

The checks are tested on records built from real cable text (the cable is named beside
each fragment; a fragment written from the cable-format reference instead says so), not
on what the parser makes of the text today: other work changes the parser, and a check
must say the same of the same record whatever parser produced it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cabledesk.cli.main import cli
from cabledesk.parse import Parser
from cabledesk.quality import CHECKS, AuditError, Check, Context, Failure, audit, check_cable
from cabledesk.quality.debris import find_debris
from cabledesk.record.codec import to_json
from cabledesk.record.model import Cable, Paragraph, Reference
from conftest import SAMPLE

NAMES = [check.name for check in CHECKS]


def cable(**fields: Any) -> Cable:
    """A record that passes every check unless `fields` say otherwise (08OSLO670's
    caption block, the sample cable that cites 08OSLO585)."""
    values: dict[str, Any] = {
        "reference_id": "08OSLO670",
        "created": "2008-12-12T15:03:00Z",
        "classification": "CONFIDENTIAL",
        "tags": ["PREL", "PGOV", "NO"],
        "subject": "NORWAY: FM STORE ON THE OSLO CONVENTION",
        "signers": ["WHITNEY"],
        "paragraphs": paragraphs((1, "C", "Summary: ..."), (2, "C", "The minister said ...")),
        "references": [Reference("B", "OSLO 585", "08OSLO585")],
        "text": "C O N F I D E N T I A L OSLO 000670\n\nSIPDIS\n\n1. (C) Summary ...\n\nWHITNEY",
    }
    values.update(fields)
    return Cable(**values)


def paragraphs(*items: tuple[int | None, str | None, str]) -> list[Paragraph]:
    return [Paragraph(number, marking, None, text) for number, marking, text in items]


def verdict(name: str, record: Cable) -> Failure | bool | None:
    return check_cable(record, [c for c in CHECKS if c.name == name])[name]


def failure(name: str, record: Cable) -> Failure:
    found = verdict(name, record)
    assert isinstance(found, Failure), f"{name} passed: {found}"
    return found


def test_the_baseline_record_passes_every_check() -> None:
    # The baseline record is built, not read: it has no raw text to render in other layouts.
    expected = dict.fromkeys(NAMES, True) | {"layouts": None}
    assert check_cable(cable()) == expected


def test_the_table_says_what_each_check_checks_and_why() -> None:
    assert len(set(NAMES)) == len(NAMES) == 9
    for check in CHECKS:
        assert check.name.isidentifier() and check.checks and check.why and check.applies_to


# --- paragraph numbers -------------------------------------------------------------------


def test_paragraphs_numbered_in_order_pass() -> None:
    # 10BRASILIA51, paragraphs 1-3.
    record = cable(
        paragraphs=paragraphs(
            (1, "C", "During Ambassador Shannon's introductory call February 5, Minister ..."),
            (2, "C", "Jobim praised the U.S.-Brazil partnership in Haiti, particularly ..."),
            (3, "C", "Ambassador Shannon said that he had seen President Lula's (and ..."),
        )
    )
    assert verdict("paragraph_numbers", record) is True


def test_a_gap_whose_number_is_in_the_raw_text_is_a_paragraph_the_parser_missed() -> None:
    # 07KABUL185: paragraph 16 is in the cable, the record went from 15 to 17.
    raw = (
        "15. Boucher explained that several key elements should move forward\n\n"
        "16. Boucher said that everyone needed to accept ground spraying\n\n"
        "17. Boucher said that the supplemental budget would allow for an expanded\n"
    )
    record = cable(
        raw=raw,
        paragraphs=paragraphs(
            *((n, "S", "...") for n in range(1, 15)),
            (15, "S", "Boucher explained that several key elements should move forward"),
            (17, "S", "Boucher said that the supplemental budget would allow for an expanded"),
        ),
    )
    found = failure("paragraph_numbers", record)
    assert found.detail == "15 then 17 (16 in the raw text)"
    assert found.items == ("gap, the missing number in the raw text",)


@pytest.mark.parametrize(
    ("raw", "missing"),
    [
        # 07TELAVIV2652: `18,` typed for `18.`, after a heading.
        ("MEETING PARTICIPANTS \n-------------------- \n \n18, (SBU) Accompanying Under", 18),
        # 08ISLAMABAD2802 (an edited copy): paragraph 4 run into paragraph 3.
        ("if Dogar had blocked the impeachment. 4. (C) Zardari said he was trying", 4),
    ],
)
def test_a_missing_number_is_found_where_a_reader_sees_it(raw: str, missing: int) -> None:
    numbers = [n for n in range(1, missing + 2) if n != missing]
    record = cable(raw=raw, paragraphs=paragraphs(*((n, "C", "...") for n in numbers)))
    found = failure("paragraph_numbers", record)
    assert found.detail == f"{missing - 1} then {missing + 1} ({missing} in the raw text)"


def test_a_gap_the_cable_itself_has_is_reported_as_a_plain_gap() -> None:
    # 10BRASILIA140 goes from its summary, paragraph 1, to a heading and paragraph 3.
    raw = (
        "1. (SBU) SUMMARY. At the Copenhagen Conference of the Parties to the UN Framework\n"
        "... END SUMMARY. \n\nTHE NATIONAL CLIMATE CHANGE POLICY LAW \n\n"
        "3. (SBU) At the Bali conference in December 2008, the GOB released its first\n"
    )
    record = cable(
        raw=raw,
        paragraphs=paragraphs(
            (1, "SBU", "SUMMARY. At the Copenhagen Conference of the Parties to the UN"),
            (3, "SBU", "At the Bali conference in December 2008, the GOB released its first"),
        ),
    )
    found = failure("paragraph_numbers", record)
    assert (found.detail, found.items) == ("1 then 3", ("gap",))


def test_a_list_item_in_the_raw_text_is_not_taken_for_the_missing_paragraph() -> None:
    # 09STATE80163: paragraph 3 then 15, with `4) Iran (FPOL-1)` list items between.
    record = cable(
        raw="3. (S/NF) Priority issues and issues outline:\n4) Iran (FPOL-1)\n15. (U) ...",
        paragraphs=paragraphs(*((n, "S/NF", "...") for n in (1, 2, 3)), (15, "U", "...")),
    )
    assert failure("paragraph_numbers", record).items == ("gap",)


def test_a_paragraph_number_left_in_the_text_is_reported() -> None:
    # 05MADRID1324 (a partial extract): `6. (C) Moratinos ...` read as unnumbered text.
    record = cable(
        partial_extract=True,
        paragraphs=paragraphs(
            (None, None, "6. (C) Moratinos said he looked forward to his mid-April visit"),
            (None, None, "7. (C) Moratinos recognized the difficulties in bilateral"),
        ),
    )
    found = failure("paragraph_numbers", record)
    assert found.detail == "numbers left in the text: 6, 7"
    assert found.items == ("number left in the text",)


def test_a_list_item_in_a_numbered_cable_is_not_a_number_left_in_the_text() -> None:
    # 09STATE124636: collection questions `1) (C/NF) HOW DOES ...` inside paragraph 5.
    record = cable(
        paragraphs=paragraphs(
            (1, "C", "..."),
            (None, None, "1) (C/NF) HOW DOES PRESIDENT CALDERON REACT TO VIEWPOINTS THAT"),
        )
    )
    assert verdict("paragraph_numbers", record) is True


def test_a_repeated_number_and_a_late_start_fail() -> None:
    # 10BRASILIA51: `REASON: 1.4(D) 1. (C)` glued to the Classified By line, then `1. (C)`.
    twice = cable(paragraphs=paragraphs((1, "C", ""), (1, "C", "During Ambassador ...")))
    assert failure("paragraph_numbers", twice).detail == "1 twice"
    # 06MANAGUA1003 starts at 2.
    late = cable(paragraphs=paragraphs((2, "C", "..."), (3, "C", "...")))
    assert failure("paragraph_numbers", late).items == ("does not start at 1",)


def test_gaps_in_a_partial_extract_are_the_cut_not_the_parser() -> None:
    # 02BRASILIA4227, "a partial extract of the original cable": 11 then 13.
    numbers = paragraphs(*((n, "C", "...") for n in (1, 11, 13)))
    assert verdict("paragraph_numbers", cable(paragraphs=numbers, partial_extract=True)) is True
    assert isinstance(verdict("paragraph_numbers", cable(paragraphs=numbers)), Failure)
    assert verdict("paragraph_numbers", cable(paragraphs=[])) is None  # nothing to check


# --- portion markings --------------------------------------------------------------------


def test_a_classified_cable_with_every_paragraph_marked_passes() -> None:
    # 07SANTIAGO983's marks: (C), (S/NF), (SBU).
    record = cable(
        classification="SECRET",
        paragraphs=paragraphs(
            (1, "C", "Hugo Chavez's effort to expand his influence into the Southern Cone"),
            (2, "S/NF", "Notwithstanding his tirades and antics, it would be a mistake"),
            (3, "SBU", "We must challenge the mistaken notion that the U.S. is absent"),
        ),
    )
    assert verdict("portion_markings", record) is True


def test_unmarked_paragraphs_of_a_classified_cable_fail() -> None:
    # 08LONDON1115 (SECRET): paragraph 3 of the embedded letter has no marking.
    record = cable(
        classification="SECRET",
        paragraphs=paragraphs(
            (1, "S/NF", "Summary and Action Request. The UK Ministry of Defense summoned"),
            (2, "S/REL UK", "Begin Text of Letter (note internal numbering):"),
            (3, None, "However, recent U2 flights over Turkey/Northern Iraq, and the Lebanon"),
        ),
    )
    found = failure("portion_markings", record)
    assert (found.detail, found.items) == ("unmarked: 3", ("unmarked paragraph",))


def test_a_marking_the_parser_did_not_read_is_pointed_at() -> None:
    # 10ROME1: `1. C) Summary: ...`, a marking without its opening parenthesis.
    record = cable(
        paragraphs=paragraphs(
            (1, None, "C) Summary: The Ambassador visited recuperating Prime Minister"),
            (2, None, "C) Following the Ambassador’s call to Gianni Letta suggesting"),
        )
    )
    found = failure("portion_markings", record)
    assert found.items == ("unmarked, the text starts like a marking",)
    assert found.detail == "unmarked: 1, 2 (2 start like a marking: 'C) Summary:')"


def test_points_that_carry_the_markings_mark_their_paragraph() -> None:
    # 09RIYADH447: `1. KEY POINTS` / `-- (S) Saudi King Abdullah welcomed ...`.
    points = "KEY POINTS\n\n-- (S) Saudi King Abdullah welcomed White House counterterrorism"
    record = cable(classification="SECRET", paragraphs=paragraphs((1, None, points)))
    assert verdict("portion_markings", record) is True
    # 09MADRID1003: paragraph 3 is a redaction only; its marking went with it.
    redacted = paragraphs(
        (1, "C", "Summary: ..."), (2, "C", "The minister said"), (3, None, "XXXXXXXXXXXX")
    )
    assert verdict("portion_markings", cable(paragraphs=redacted)) is True


def test_a_marking_after_a_label_is_pointed_at() -> None:
    # 06PARIS2358: `1. Summary: (C) IO DAS-Equivalent Beatrice Le Fraper ...`.
    text = "Summary: (C) IO DAS-Equivalent Beatrice Le Fraper du Hellen on April 7 regretted"
    found = failure("portion_markings", cable(paragraphs=paragraphs((1, None, text))))
    assert found.items == ("unmarked, the text starts like a marking",)


def test_unnumbered_paragraphs_carry_the_marks_when_nothing_is_numbered() -> None:
    # 10CARACAS107 (SECRET) marks unnumbered paragraphs; a redaction alone needs no mark.
    marked = paragraphs(
        (None, "SBU", "On January 5, 2010 Caracas held its bi-annual Counterintelligence"),
        (None, "S/NF", "RSO stated the current threat levels for post and stressed"),
        (None, None, "XXXXXXXXXXXX"),
    )
    assert verdict("portion_markings", cable(classification="SECRET", paragraphs=marked)) is True
    # 05MADRID1324: the numbered, marked paragraphs were read as unnumbered text.
    unread = paragraphs(
        (None, None, "6. (C) Moratinos said he looked forward to his mid-April visit"),
        (None, None, "XXXXXXXXXXXX"),
    )
    found = failure("portion_markings", cable(paragraphs=unread))
    assert found.detail == "unmarked: 1 of 1 unnumbered (1 start like a marking: '6. (C)')"


def test_unclassified_and_pre_1979_cables_need_no_markings() -> None:
    # 72TEHRAN1164's paragraphs, numbered here.
    unmarked = paragraphs(
        (1, None, "GENERAL AZIMI, MINISTER OF WAR, ON INSTRUCTION OF SHAH ASKS THAT WE TAKE"),
        (2, None, "ACTION REQUESTED: COUNTRY TEAM RECOMMENDS US REVIEW F-4E PRODUCTION LINE"),
    )
    # 72TEHRAN1164 is UNCLASSIFIED.
    assert (
        verdict("portion_markings", cable(classification="UNCLASSIFIED", paragraphs=unmarked))
        is None
    )
    # Written from cable-format §1.3: a 1975 telegram, classified, numbered, unmarked.
    old = cable(reference_id="75STATE95768", created="1975-04-24T00:00:00Z", paragraphs=unmarked)
    assert verdict("portion_markings", old) is None
    assert isinstance(verdict("portion_markings", cable(paragraphs=unmarked)), Failure)


# --- subject, TAGS, signer ---------------------------------------------------------------


def test_a_missing_subject_fails() -> None:
    # 08OSLO585 has no SUBJECT line the parser found.
    assert failure("subject", cable(subject=None)).items == ("missing",)
    assert verdict("subject", cable(subject="SPAIN: CHIEF PROSECUTOR FORCED TO QUIT")) is True


def test_a_subject_that_ran_on_into_the_next_caption_fails() -> None:
    # 10BRASILIA49: the REF line after the subject taken into it.
    ran_on = "BRAZIL'S PRESIDENTIAL ELECTIONS: DILMA ROUSSEFF COMES UP FAST REF: RIO DE JANEIRO 32"
    assert failure("subject", cable(subject=ran_on)).items == ("REF in it",)
    # cable-format §3.6: `SUBJECT: (S) UNMANNED USG AIRCRAFT ...`, the mark is not subject.
    marked = "(S) UNMANNED USG AIRCRAFT"
    assert failure("subject", cable(subject=marked)).items == ("portion marking in it",)
    # Written from cable-format §3.6 and §4.5: a page marker inside a wrapped subject.
    paged = "SCENESETTER FOR THE VISIT MADRID 00000087 002 OF 003 OF THE MINISTER"
    assert failure("subject", cable(subject=paged)).items == ("page marker in it",)


def test_tags_present_and_known() -> None:
    assert failure("tags", cable(tags=[])).items == ("missing",)
    assert verdict("tags_known", cable(tags=[])) is None
    # 09STATE63812: a person's TAG is known by its form; OVIP and KNNP by the table.
    known = ["OVIP", "STEINBERG, JAMES B", "PREL", "KNNP", "IR"]
    assert verdict("tags_known", cable(tags=known)) is True
    # 05SOFIA1207: `Organized Crime`; cable-format §3.5: run-together `ECONEFIN`.
    found = failure("tags_known", cable(tags=["PGOV", "ORGANIZED CRIME", "ECONEFIN"]))
    assert found.items == ("ORGANIZED CRIME", "ECONEFIN")
    assert found.detail == "unknown: ORGANIZED CRIME, ECONEFIN"


def test_a_missing_signer_shows_the_last_line() -> None:
    # 07LAPAZ3153 ends `push ahead\nGOLDBERG`: the surname is there, unread.
    text = "opposition fears that if Chavez wins, he will embolden Evo to\npush ahead\nGOLDBERG\n"
    found = failure("signer", cable(signers=[], text=text))
    assert found.detail == "no signer; last line 'GOLDBERG'"
    assert found.items == ("missing, the last line a surname?",)
    assert verdict("signer", cable(signers=["GOLDBERG"], text=text)) is True
    # 09BEIJING2964, lower-cased by the copy: `Huntsman` / `huntsman`.
    lowered = failure("signer", cable(signers=[], text="cleared this message.\nhuntsman"))
    assert lowered.items == ("missing, the last line a surname?",)
    # 10BAGHDAD112 ends mid-sentence (`interests.`): no signature to see.
    text = "heritage and more by real-world priorities and diverging\ninterests."
    assert failure("signer", cable(signers=[], text=text)).items == ("missing",)


# --- references --------------------------------------------------------------------------


def refs(*items: tuple[str, str | None]) -> list[Reference]:
    return [Reference(None, text, cable_id) for text, cable_id in items]


def test_citations_of_earlier_cables_and_non_cables_pass() -> None:
    # 08OSLO670's REF block; 09MOSCOW405's e-mail; 09HARARE24's IIR; 09BAGHDAD1104's
    # White House, which sends no State telegrams.
    record = cable(
        references=refs(
            ("OSLO 629", "08OSLO629"),
            ("OSLO 585", "08OSLO585"),
            ("BEYRLE-BURNS FEBRUARY 18 E-MAIL", None),
            ("IIR 6 926 0058 09", None),
            ("WHITE HOUSE 853", None),
            ("EMBASSY LONDON DAILY REPORT 9/16/2009 (NOTAL)", None),
        )
    )
    assert verdict("references", record) is True
    assert verdict("references", cable(references=[])) is None


def test_an_undated_citation_of_a_later_cable_has_the_wrong_year() -> None:
    # 09MEXICO193 (23 January 2009) cites `MEXICO 3586`: a December 2008 cable.
    record = cable(
        reference_id="09MEXICO193",
        created="2009-01-23T23:11:00Z",
        references=refs(("CIUDAD JUAREZ 22", "09CIUDADJUAREZ22"), ("MEXICO 3586", "09MEXICO3586")),
    )
    found = failure("references", record)
    assert found.detail == "'MEXICO 3586': cites a later cable, year not written"
    # 10BUENOSAIRES111 writes the year: as the cable says, not a misreading.
    dated = cable(
        reference_id="10BUENOSAIRES111",
        created="2010-02-25T15:03:00Z",
        references=refs(("10 BUENOS AIRES 118", "10BUENOSAIRES118")),
    )
    assert failure("references", dated).items == ("cites a later cable, as written",)
    # 08STATE50524 (May 2008) cites `STATE 162318`: a 2007 serial.
    state = cable(
        reference_id="08STATE50524",
        created="2008-05-13T15:03:00Z",
        references=refs(("STATE 162318", "08STATE162318")),
    )
    assert isinstance(verdict("references", state), Failure)


def test_a_citation_without_an_id_and_ids_that_cannot_be_fail() -> None:
    # 09MADRID982: `MADRID 417 AND PREVIOUS SUMMARY` names a Madrid cable, got no id;
    # 09MOSCOW2366: `Vladivostok 5 Sensitive but unclassified ...`.
    for text in ("MADRID 417 AND PREVIOUS SUMMARY", "Vladivostok 5 Sensitive but unclassified"):
        found = failure("references", cable(references=refs((text, None))))
        assert found.items == ("a cable citation without an id",)
    itself = cable(references=refs(("OSLO 670", "08OSLO670")))
    assert failure("references", itself).items == ("cites the cable itself",)
    # cable-format §6.4: a malformed id kept as published; a station nobody has.
    glued = cable(references=refs(("SAO PAULO 335", "08SCTION02OF02SAOPAULO335")))
    assert failure("references", glued).items == ("malformed id",)
    unknown = cable(references=refs(("ZZZZ 12", "08ZZZZ12")))
    assert failure("references", unknown).items == ("unknown station",)


# --- debris in the text ------------------------------------------------------------------

# Each a real line (or one written from cable-format, marked so) and the kind it is.
DEBRIS = [
    # 07PARIS2440: a printout's page header inside paragraph 1.
    ("FOR THE\nPAGE 02 RUEHFRA2440 C O N F I D E N T I A L PARIS 002440\nPERSIAN", "PAGE line"),
    # cable-format §2.9 (00HARARE6677): a received-copy page line.
    ("text\nPAGE 02 HARARE 06677 01 OF 03 291400Z\nmore", "PAGE line"),
    # cable-format §4.5, an edited copy's marker inside a sentence (08BRASILIA504).
    ("the BRASILIA 00000504 002 OF 004 influential", "section marker"),
    ("Moscow 00002366 001.2 of 004", "section marker"),
    ("XXXXXXXXXXXX 002 OF 002", "section marker"),
    # 10STATE17263 ends `CLINTON / NNNN / End Cable Text`.
    ("Russian Embassy\nCLINTON\n\nNNNN\n\nEnd Cable Text", "NNNN (end of message)"),
    ("Russian Embassy\nCLINTON\n\nNNNN\n\nEnd Cable Text", "printout trailer"),
    # Written from ACP 127 (cable-format §2.8: no BT in Cablegate headers).
    ("last words.\nBT\n#0293", "BT (break)"),
    # cable-format's header lines (06MADRID293).
    ("VZCZCXRO5433\nPP RUEHAG RUEHDF", "VZCZC (start of message)"),
    ("DE RUEHMD #0293/01 0341458", "DE line"),
    ("ZNR UUUUU ZZH", "security warning"),
    ("TO RUEHC/SECSTATE WASHDC PRIORITY 8817", "FM/TO/INFO line"),
    ("TO RUEHC/SECSTATE WASHDC PRIORITY 8817", "routing indicator"),
    # 09ULAANBAATAR234: a partner's metadata block and header inside the text.
    ("<<220571>>\n8/13/2009 8:54\n09ULAANBAATAR234", "container line"),
    ("Embassy Ulaanbaatar\nSECRET\n\nO 130854Z AUG 09\nFM AMEMBASSY ULAANBAATAR", "DTG line"),
    (
        "Embassy Ulaanbaatar\nSECRET\n\nO 130854Z AUG 09\nFM AMEMBASSY ULAANBAATAR",
        "FM/TO/INFO line",
    ),
    ("Embassy Ulaanbaatar\nSECRET\n\nO 130854Z AUG 09", "classification banner"),
    # cable-format §1.1 and §2.9: a received-copy printout's distribution.
    ("ACTION AF-00\n\nINFO  LOG-00   EEB-00  AID-00", "distribution codes"),
    ("------------------A54E38  291401Z /38", "printout rule"),
]


@pytest.mark.parametrize(("text", "kind"), DEBRIS)
def test_each_kind_of_debris_is_found(text: str, kind: str) -> None:
    found = dict(find_debris("C O N F I D E N T I A L PARIS 002440\n\n" + text))
    assert kind in found
    assert found[kind].strip() in text


def test_the_reading_text_of_a_cable_is_not_debris() -> None:
    # Real lines that look a little like debris: 09ASTANA95's `RUSSIA` heading, a
    # classification line with SECTION .. OF .., RUSI (an institute, and an indicator),
    # DEBT, a `TO` in prose, a 1970s `PAGE` word in a sentence.
    text = (
        "C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677\n\n"
        "SIPDIS\n\nRUSSIA\n\n7. (S) General Petraeus said RUSI analysts agreed.\n"
        "DEBT relief came up.\nTO THE MINISTER, the page 02 of the report mattered.\n"
        "The summit of 2009 OF 003 delegates.\n"
    )
    assert find_debris(text) == []
    assert verdict("text_debris", cable(text=text)) is True
    # The first line alone (`SECRET`, as some copies begin) is the classification line.
    assert find_debris("SECRET\n\nSIPDIS\n\n1. (S) Text.") == []


def test_debris_fails_the_cable_with_each_kind_counted() -> None:
    text = "1. (C) Text.\nPAGE 02 STATE 017976\nmore text\nCLINTON\n\nNNNN"
    found = failure("text_debris", cable(text=text))
    assert found.items == ("PAGE line", "NNNN (end of message)")
    assert "PAGE 02 STATE 017976" in found.detail


# --- the audit over a corpus ---------------------------------------------------------------


def broken_record() -> str:
    """08BAGHDAD1784's record, as JSON Lines (passed through unparsed), with paragraph 2
    and the signer taken out: the audit must find both whatever the parser does."""
    from cabledesk.api import parse_file

    record = parse_file(SAMPLE / "text" / "08BAGHDAD1784.txt")
    record.paragraphs = [p for p in record.paragraphs if p.number != 2]
    record.signers = []
    return to_json(record) + "\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of two sample pages, the broken record, a broken page and a note."""
    folder = tmp_path_factory.mktemp("audit")
    for page in ("2009/07/09STATE80163.html", "2008/12/08OSLO670.html"):
        shutil.copy(SAMPLE / "cable" / page, folder)
    (folder / "broken.jsonl").write_text(broken_record(), encoding="utf-8")
    page = (SAMPLE / "cable" / "2008/12/08OSLO670.html").read_text(encoding="utf-8")
    (folder / "truncated.html").write_text(page[:1500], encoding="utf-8")
    (folder / "note.txt").write_text("not a cable\n", encoding="utf-8")
    return folder


def test_the_audit_counts_reads_and_names_offenders(corpus: Path) -> None:
    report = audit([corpus], show=None)
    assert report.cables == 3
    assert report.unreadable == 2
    assert sorted(Path(u.location).name for u in report.unreadable_examples) == [
        "note.txt",
        "truncated.html",
    ]
    numbers = report.checks["paragraph_numbers"]
    assert [o.id for o in numbers.offenders if o.id == "08BAGHDAD1784"] == ["08BAGHDAD1784"]
    (baghdad,) = [o for o in numbers.offenders if o.id == "08BAGHDAD1784"]
    assert baghdad.detail.startswith("1 then 3") and baghdad.location.endswith("broken.jsonl:1")
    assert "08BAGHDAD1784" in [o.id for o in report.checks["signer"].offenders]
    for result in report.checks.values():
        assert result.failed == len(result.offenders) <= result.checked <= report.cables
        assert result.failed == 0 or sum(result.items.values()) >= result.failed
    # 08OSLO670 cites 08OSLO585, which is not in this folder; nothing cites 09STATE80163.
    assert report.references.in_corpus == 0
    assert report.references.cite_cables >= 3


def test_show_bounds_the_offenders_kept_not_the_counts(corpus: Path) -> None:
    everything = audit([corpus], show=None)
    one = audit([corpus], show=1)
    none = audit([corpus], show=0)
    for name in NAMES:
        assert one.checks[name].failed == everything.checks[name].failed
        assert one.checks[name].offenders == everything.checks[name].offenders[:1]
        assert none.checks[name].offenders == []
    assert len(one.unreadable_examples) == 1 and one.unreadable == 2


def test_references_found_in_the_same_corpus() -> None:
    # The sample's two pairs: 08OSLO670 cites 08OSLO585, 09BANGKOK1998 cites 09BANGKOK385.
    pages = [
        SAMPLE / "cable" / "2008/12/08OSLO670.html",
        SAMPLE / "cable" / "2008/10/08OSLO585.html",
    ]
    report = audit(pages)
    assert report.references.in_corpus == 1
    assert report.references.elsewhere == report.references.cite_cables - 1


def test_the_sample_audit_in_workers_is_the_same_as_in_this_process() -> None:
    alone = audit([SAMPLE], workers=1, show=None).to_dict()
    pooled = audit([SAMPLE], workers=2, show=None).to_dict()
    assert pooled["workers"] == 2 and alone["workers"] == 1
    for report in (alone, pooled):
        for key in ("workers", "seconds", "cables_per_second"):
            report.pop(key)
    assert alone == pooled
    assert alone["cables"] == 48 and alone["unreadable"]["count"] == 0


def test_a_parser_of_your_own_is_audited() -> None:
    # Without the signature rule, no cable has a signer: the audit sees the parser it got,
    # also in worker processes.
    parser = Parser()
    parser.core.disable("signature")
    pages = SAMPLE / "cable" / "2008"
    report = audit([pages], parser=parser, workers=2, checks=["signer"])
    assert list(report.checks) == ["signer"]
    assert report.checks["signer"].failed == report.checks["signer"].checked == report.cables > 0


def _starts_with_xyz(record: Cable, context: Context) -> Failure | None:
    return None if record.subject and record.subject.startswith("XYZ") else Failure("not XYZ")


def test_a_check_of_your_own_is_one_entry() -> None:
    mine = Check("xyz", "subjects start with XYZ", "to show a new check", _starts_with_xyz)
    report = audit([SAMPLE / "text"], checks=[*CHECKS, mine], workers=1)
    assert list(report.checks) == [*NAMES, "xyz"]
    assert report.checks["xyz"].failed == 1
    assert report.checks["xyz"].offenders[0].detail == "not XYZ"


def test_bad_arguments_raise_before_reading(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match=r"no such file or folder: .*nowhere"):
        audit([SAMPLE, tmp_path / "nowhere"])
    with pytest.raises(AuditError, match="no check named 'speling'"):
        audit([SAMPLE], checks=["speling"])
    with pytest.raises(AuditError, match="format must be"):
        audit([SAMPLE], format="pdf")


# --- the command ---------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cabledesk", "audit-parse", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_on_the_sample_prints_counts_and_offenders() -> None:
    result = run(str(SAMPLE), "--show", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("48 cables read from 1 path in ")
    for name in NAMES:
        assert f"\n{name} " in out
    assert re.search(r"\nreferences: \d+ REF items, \d+ cite a cable", out)
    # A failing check lists its items and at most two offenders, then how many more.
    blocks = [b for b in out.split("\n\n") if ": " in b.splitlines()[0] and " failed" in b]
    assert blocks
    for block in blocks:
        lines = block.splitlines()
        offenders = [line for line in lines[2:] if not line.startswith("  ...")]
        assert 1 <= len(offenders) <= 2


def test_the_json_report_shape(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["audit-parse", str(corpus), "--json", "--show", "all"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {
        "paths",
        "format",
        "cables",
        "unreadable",
        "skipped",
        "checks",
        "references",
        "workers",
        "seconds",
        "cables_per_second",
    }
    assert data["paths"] == [str(corpus)] and data["format"] == "auto" and data["cables"] == 3
    assert data["unreadable"]["count"] == 2
    assert set(data["unreadable"]["examples"][0]) == {"location", "message"}
    assert list(data["checks"]) == NAMES
    for check in data["checks"].values():
        assert set(check) == {
            "checks",
            "why",
            "applies_to",
            "checked",
            "passed",
            "failed",
            "items",
            "offenders",
        }
        assert check["passed"] + check["failed"] == check["checked"]
        assert check["failed"] == len(check["offenders"])
        for item in check["items"]:
            assert set(item) == {"item", "count"} and item["count"] >= 1
        for offender in check["offenders"]:
            assert set(offender) == {"id", "location", "detail", "partial_extract"}
    assert set(data["references"]) == {"items", "cite_cables", "in_corpus", "elsewhere"}
    numbers = data["checks"]["paragraph_numbers"]["offenders"]
    assert {"id": "08BAGHDAD1784"}.items() <= next(
        o for o in numbers if o["id"] == "08BAGHDAD1784"
    ).items()


def test_bad_paths_and_options_get_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = run(str(SAMPLE / "text"), str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr == f"Error: no such file or folder: {tmp_path / 'missing'}\n"
    assert result.stdout == ""
    result = run(str(SAMPLE / "text"), "--check", "speling")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: no check named 'speling'; the checks are: ")
    result = run(str(SAMPLE / "text"), "--show", "many")
    assert (
        result.returncode == 2 and "'many' is not a number of 0 or more, or 'all'" in result.stderr
    )


def test_check_and_workers_options_reach_the_audit() -> None:
    result = CliRunner().invoke(
        cli,
        ["audit-parse", str(SAMPLE / "text"), "--json", "--check", "subject", "--check", "tags"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data["checks"]) == ["subject", "tags"] and data["workers"] == 1
    result = CliRunner().invoke(
        cli, ["audit-parse", str(SAMPLE / "text"), "--json", "--workers", "2", "--format", "text"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["workers"] == 2


def _sample_cables() -> list[Cable]:
    from cabledesk.api import parse

    return [c for c in parse([SAMPLE]) if isinstance(c, Cable)]


def _no_tags_in_newspaper_copies(state: Any) -> None:
    # A parser that loses the TAGS of a text copy: what the layouts check is there to see.
    if state.source.format in ("text", "fragment"):
        state.cable.tags = []


def test_the_layouts_check_passes_the_sample_and_catches_a_layout_dependent_parser() -> None:
    (layouts,) = [c for c in CHECKS if c.name == "layouts"]
    cables = [c for c in _sample_cables() if c.tags][:5]
    assert cables
    for cable in cables:
        assert layouts.run(cable, Context()) is None, cable.reference_id
    parser = Parser()
    parser.core.after("clean_text", "forget_tags", _no_tags_in_newspaper_copies)
    failure = layouts.run(cables[0], Context(parser=parser))
    assert isinstance(failure, Failure)
    assert "text: tags" in failure.items and "fragment: tags" in failure.items
    assert not any(item.startswith("csv") for item in failure.items)
