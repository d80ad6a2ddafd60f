"""One record from every layout (issue 11, family 1: "Layouts disagree").

Every cable at hand (the bundled sample, the newspaper copy of 08BAGHDAD1784 and, beside
the checkout, the 645 corpus pages) is rendered as a WikiLeaks page, a cables.csv row,
newspaper text and a bare fragment (cabledesk.synthetic.layouts), read back through
`cabledesk.parse`, and must give the record the cable's own file gives, field by field
(`comparable`; what may differ, and why, is `MAY_DIFFER`). Then the hard shapes one by
one, from real cable text.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

import cabledesk
from cabledesk.parse import parse_source, parse_text
from cabledesk.record.model import Cable
from cabledesk.sources import SourceText, read_html, read_paths, read_text
from cabledesk.synthetic.layouts import (
    LAYOUTS,
    MAY_DIFFER,
    MUST_AGREE,
    comparable,
    disagreements,
    render,
)
from conftest import CORPUS, SAMPLE, needs_corpus

# Cables whose layouts are known to disagree, with the reason: {(layout, id): reason}.
# Empty: every corpus cable agrees in every layout. A cable that starts to agree must be
# taken out (the test fails on a stale entry too).
# 08BAGHDAD1784 as Der Spiegel printed it: the bundled copy (the same file as
# ../shared/corpus/text/08BAGHDAD1784.txt, so that the tests run without ../shared).
SEED = SAMPLE / "text" / "08BAGHDAD1784.txt"

KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}


@cache
def sources() -> tuple[SourceText, ...]:
    """Each cable once: the sample's pages are also corpus pages, its text the seed's."""
    paths = [SAMPLE, SEED]
    if (CORPUS / "cable").is_dir():
        paths.append(CORPUS / "cable")
    seen: set[str] = set()
    unique = []
    for item in read_paths(paths):
        if isinstance(item, SourceText):
            key = hashlib.sha256(item.raw.encode("utf-8", "surrogatepass")).hexdigest()
            if key not in seen:
                seen.add(key)
                unique.append(item)
    return tuple(unique)


@cache
def originals() -> tuple[Cable, ...]:
    return tuple(parse_source(source) for source in sources())


def test_the_corpus_is_all_there() -> None:
    formats = [cable.format for cable in originals()]
    assert formats.count("text") == 1  # 08BAGHDAD1784 as Der Spiegel printed it
    expected_pages = 645 if (CORPUS / "cable").is_dir() else 47
    assert formats.count("html") == expected_pages


def _write(layout: str, cables: tuple[Cable, ...], folder: Path) -> Path:
    """The cables in one layout as files: one per cable, or one cables.csv for all."""
    folder.mkdir()
    if layout == "csv":
        path = folder / "cables.csv"
        path.write_text("".join(render(c, "csv") for c in cables), encoding="utf-8")
        return path
    suffix = ".html" if layout == "page" else ".txt"
    for number, cable in enumerate(cables):
        name = f"{number:04d}-{cable.reference_id}{suffix}"
        (folder / name).write_text(render(cable, layout), encoding="utf-8")
    return folder


def _read_back(layout: str, path: Path) -> list[Cable]:
    items = list(cabledesk.parse(path))
    errors = [str(item) for item in items if not isinstance(item, Cable)]
    assert errors == []
    cables = [item for item in items if isinstance(item, Cable)]
    if layout != "csv":
        cables.sort(key=lambda cable: Path(cable.location or "").name)
    return cables


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_cable_gives_one_record_in_every_layout(layout: str, tmp_path: Path) -> None:
    cables = originals()
    read = _read_back(layout, _write(layout, cables, tmp_path / layout))
    assert len(read) == len(cables)
    expected_format = {"page": "html", "csv": "csv", "text": "text", "fragment": "fragment"}
    assert {cable.format for cable in read} == {expected_format[layout]}
    differing: dict[tuple[str, str], list[str]] = {}
    for original, again in zip(cables, read, strict=True):
        wrong = disagreements(comparable(original), comparable(again), layout)
        if wrong:
            differing[(layout, original.reference_id or "?")] = wrong
    known = {key for key in KNOWN_DIFFERENCES if key[0] == layout}
    unexpected = {key: fields for key, fields in differing.items() if key not in known}
    assert unexpected == {}
    assert known - set(differing) == set(), "listed as differing, but agrees now"


# Known, with the reason; the test fails when one of them agrees again (stale entry).
KNOWN_AT_WIDTH: dict[tuple[int, str], str] = {
    # The REF line wraps inside the handling notice glued onto it (`... BRASILIA 1460 (U)
    # THIS CABLE IS` / `SENSITIVE BUT ...`): the notice's second line is read as a REF item
    # and the notice's (U) is lost to the unnumbered paragraph.
    (70, "10BRASILIA140"): "REF block wrapped inside a glued handling notice",
    (80, "10BRASILIA140"): "REF block wrapped inside a glued handling notice",
    # A lower-case `tuttle` set on its own line after a footer address the wrap broke
    # (`index.` / `cfm`): a lower-case last line is never taken for a signer.
    (80, "07LONDON3175"): "lower-case signer after a wrapped footer",
    # The page glues `EIKENBERRY` onto a line ending in a number (`spoiled: 14 EIKENBERRY`),
    # which the page's reading does not take for a signature; the wrap at 80 puts it on a
    # line of its own, where it is one. The text copy is the better reading here.
    (80, "10KABUL131"): "signer glued after a number on the page",
}


@pytest.mark.parametrize("width", [55, 70, 80, 10_000])
def test_the_newspaper_text_wrapped_at_other_widths(width: int) -> None:
    """Other papers wrap elsewhere: other words land at the starts of lines. At 10,000
    columns the header, the caption items and every paragraph are one line each."""
    differing = {}
    for cable in originals():
        (source,) = read_text(render(cable, "text", width=width), "copy.txt")
        assert isinstance(source, SourceText)
        wrong = disagreements(comparable(cable), comparable(parse_source(source)), "text")
        if wrong:
            differing[cable.reference_id] = wrong
    present = {cable.reference_id for cable in originals()}  # without ../shared: the sample
    known = {i for w, i in KNOWN_AT_WIDTH if w == width and i in present}
    assert {i: f for i, f in differing.items() if i not in known} == {}
    assert known - set(differing) == set(), "listed as differing, but agrees now"


_FOLDED_HEADER = re.compile(r"^(?:[ZOPR](?: [ZOPR])? )?\d{6}Z [A-Za-z]{3} \d{2}|^FM ")


def test_the_newspaper_body_alone_gives_the_same_captions() -> None:
    """Without its header the newspaper copy has no upper-case TAGS and SUBJECT to fall back
    on: the lower-cased caption block alone must give them."""
    for cable in originals():
        blocks = render(cable, "text").split("\n\n")
        # The header is the block after the publisher's lines (and a partial extract's notice).
        at = 2 if cable.partial_extract else 1
        if cable.header.dtg or cable.header.from_:
            assert _FOLDED_HEADER.match(blocks[at]), cable.reference_id
            del blocks[at]
        (source,) = read_text("\n\n".join(blocks), "body.txt")
        assert isinstance(source, SourceText)
        again = parse_source(source)
        assert again.header.dtg is None, cable.reference_id
        want, got = comparable(cable), comparable(again)
        del want["header"], got["header"]
        assert disagreements(want, got, "text") == [], cable.reference_id


def test_a_page_reads_back_exactly_as_published() -> None:
    """The page layout is the page: header and body come back character for character."""
    pages = [(s, c) for s, c in zip(sources(), originals(), strict=True) if s.format == "html"]
    for source, cable in pages:
        (again,) = read_html(render(cable, "page").encode(), "again.html")
        assert isinstance(again, SourceText)
        assert (again.header, again.body, again.partial_extract) == (
            source.header,
            source.body,
            source.partial_extract,
        ), cable.reference_id
        assert again.metadata == source.metadata, cable.reference_id


def test_comparable_fields_are_all_explained() -> None:
    cable = originals()[0]
    assert set(comparable(cable)) == set(MUST_AGREE)
    assert all(reason.strip() for reason in MAY_DIFFER.values())


def test_disagreements_allow_only_what_a_layout_cannot_state() -> None:
    page = comparable(_seed())
    fragment = dict(page, header={"precedence": None, "dtg": None, "from": None})
    fragment["classification"] = None
    assert disagreements(page, fragment, "fragment") == []
    # The same gaps in a layout that states them are disagreements.
    assert disagreements(page, fragment, "text") == ["header", "classification"]
    undated = dict(page, references=[["08MADRID449", False]])
    unresolved = dict(page, references=[[None, False]])
    assert disagreements(undated, unresolved, "fragment") == []
    assert disagreements(undated, unresolved, "csv") == ["references"]
    dated = dict(page, references=[["07MADRID449", True]])
    assert disagreements(dated, dict(page, references=[[None, True]]), "fragment") == ["references"]


def _seed() -> Cable:
    return cabledesk.parse_file(SEED)


# --- the newspaper layout looks like the newspaper -----------------------------------------


def test_the_newspaper_layout_sets_the_caption_block_as_der_spiegel_did() -> None:
    beirut = next(c for c in originals() if c.reference_id == "08BEIRUT586")
    text = render(beirut, "text")
    lines = text.split("\n")
    assert lines[0] == "From: Der Spiegel"
    assert lines[1] == "5/1/2008 12:12 08BEIRUT586 Embassy Beirut SECRET"
    assert lines[3].startswith("P 011217Z MAY 08 FM AMEMBASSY BEIRUT TO SECSTATE WASHDC")
    assert "RUEHC/" not in text and "VZCZC" not in text
    assert "S e c r e t section 01 of 03 beirut 000586" in lines
    # `EO 12958 DECL: ...`, `TAGS PGOV, ...` and `SUBJECT: ...` run together, sentence-cased.
    assert "Eo 12958 decl: 04/30/2018 Tags pgov, prel, kjus, unga, sy, le" in text
    assert "Subject: lebanon: jumblatt on possible new unscr," in text
    assert "BEIRUT 00000586" not in text  # page markers dropped
    assert max(len(line) for line in lines) <= 62 or any(" " not in line for line in lines)
    assert "1. (C)" in lines  # number and marking on a line of their own


@needs_corpus
def test_the_newspaper_copy_of_a_partial_extract_keeps_the_notice() -> None:
    brussels = next(c for c in originals() if c.reference_id == "06BRUSSELS524")
    assert brussels.partial_extract
    text = render(brussels, "text")
    assert "This record is a partial extract of the original cable." in text
    (source,) = read_text(text, "06BRUSSELS524.txt")
    assert isinstance(source, SourceText) and source.partial_extract
    assert "partial extract" not in source.body


# --- caption items run together ---------------------------------------------------------

# 08BAGHDAD1784 as Der Spiegel printed it (real).
SPIEGEL_CAPTIONS = """S e c r e t baghdad 001784

Noforn

E.o. 12958: decl: 06/12/2018 Tags: iz, ir, prel, pgov, pinr
Subject: pm maliki recounts his june 7-9 visit to tehran

Classified By: Charge d'Affaires Patricia A. Butenis
for reasons 1.4 (b), (c) and (d).

1. (S/NF)
Iraqi Prime Minister Nouri al-Maliki's June 7-9 visit to
Tehran featured meetings with all of Iran's senior leadership.
"""


def test_captions_run_together_as_der_spiegel_printed_them() -> None:
    cable = parse_text(SPIEGEL_CAPTIONS)
    assert cable.classification == "SECRET"
    assert cable.handling == ["NOFORN"]
    assert cable.declassify_on == "2018-06-12"
    assert cable.declassification == "E.o. 12958: decl: 06/12/2018"
    assert cable.tags == ["IZ", "IR", "PREL", "PGOV", "PINR"]
    assert cable.subject == "pm maliki recounts his june 7-9 visit to tehran"
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "S/NF")]


def test_captions_on_one_line() -> None:
    # Written to the paraphrase in issue 11 and cable-format.md §1.2 (no real cable).
    cable = parse_text(
        "C o n f i d e n t i a l madrid 000293\n\n"
        "E.o. 12958: decl: 03/02/2015 Tags: prel, pgov, sp Subject: the minister goes to "
        "washington\n\n1. (C) The minister goes to Washington.\n"
    )
    assert cable.declassify_on == "2015-03-02"
    assert cable.tags == ["PREL", "PGOV", "SP"]
    assert cable.subject == "the minister goes to washington"
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C")]


def test_one_item_wrapped_into_the_next() -> None:
    # 04RANGOON88's caption block (real words), joined and wrapped as a newspaper does.
    cable = parse_text(
        "S e c r e t rangoon 000088\nSipdis\nNoforn\n"
        "Eo 12958 decl: 01/09/2014 Tags pgov, parm, prel, bm, rs, ks,\n"
        "knpp Subject: burma: rumors of construction of a nuclear\n"
        "reactor near minbu\n"
        "REF: STATE 297614 AND PREVIOUS 03 RANGOON 1427\n"
        "Classified By: COM Carmen Martinez for Reasons 1.5 (B,D)\n"
        "1. (S/NF)\nAn expatriate businessman recently volunteered to\n"
    )
    assert cable.handling == ["SIPDIS", "NOFORN"]
    assert cable.declassify_on == "2014-01-09"
    assert cable.tags == ["PGOV", "PARM", "PREL", "BM", "RS", "KS", "KNPP"]
    assert cable.subject == "burma: rumors of construction of a nuclear reactor near minbu"
    assert cable.references and cable.references[0].text.startswith("STATE 297614")
    assert cable.classified_by is not None and cable.classified_by.name == "Carmen Martinez"
    # `text` keeps the words, each item on a line of its own.
    assert "Tags pgov, parm, prel, bm, rs, ks,\nknpp\nSubject: burma" in cable.text


def test_the_subjects_marking_wrapped_to_the_next_line() -> None:
    # 08ABUJA320 (real words): the wrap left `Subject:` at a line's end.
    cable = parse_text(
        "S e c r e t section 01 of 02 abuja 000320\n\n"
        "E.o. 12958: decl: 02/18/2033 Tags: pgov pinr kcor ni Subject:\n"
        "(s/nf) nigeria: kano businessman alleges yar'adua corruption\n\n"
        "REF: 07 ABUJA 2627\n"
    )
    assert cable.subject_marking == "S/NF"
    assert cable.subject == "nigeria: kano businessman alleges yar'adua corruption"
    assert cable.tags == ["PGOV", "PINR", "KCOR", "NI"]


def test_classified_by_glued_to_a_lower_cased_subject() -> None:
    # 10BRASILIA43 (real): edited copy with Classified By on the SUBJECT line.
    cable = parse_text(
        "C o n f i d e n t i a l brasilia 000043\n\n"
        "E.o. 12958: decl: 2020/02/08 Tags: prel pgov odip ha br\n"
        "Subject: brazil: ambassador presents credentials to president\n"
        "lula CLASSIFIED BY: Thomas A. Shannon, Ambassador, State,\n"
        "Embassy Brasilia; REASON: 1.4(B), (D)\n\n1. (C)\nSummary: Ambassador Shannon\n"
    )
    assert cable.subject == "brazil: ambassador presents credentials to president lula"
    assert cable.classified_by is not None
    assert cable.classified_by.name == "Thomas A. Shannon"
    assert cable.classified_by.reasons == ["1.4(b)", "1.4(d)"]


def test_classified_by_without_its_colon_run_onto_the_subject() -> None:
    # 00HARARE6677's Classified By line (real), run onto a newspaper's caption paragraph.
    cable = parse_text(
        "C o n f i d e n t i a l section 01 of 03 harare 006677\n"
        "Eo 12958 decl: 11/29/10 Tags pgov, prel, econ, pinr, zi, sa Subject: assistant\n"
        "secretary meets with zimbabwe opposition leader CLASSIFIED BY AMBASSADOR TOM\n"
        "MCDONALD FOR REASONS 1.5 (B) AND (D).\n"
        "1. (C) SUMMARY: ASSISTANT SECRETARY SUSAN E. RICE MET MOVEMENT FOR\n"
    )
    assert cable.subject == "assistant secretary meets with zimbabwe opposition leader"
    assert cable.classified_by is not None
    assert (cable.classified_by.name, cable.classified_by.title) == ("TOM MCDONALD", "AMBASSADOR")
    assert cable.classified_by.reasons == ["1.5(b)", "1.5(d)"]
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C")]


def test_the_whole_caption_block_run_onto_the_classification_line() -> None:
    # 08BAGHDAD1784's words with the caption block in one paragraph (cable-format.md §1.2).
    cable = parse_text(
        "S e c r e t baghdad 001784 Noforn E.o. 12958: decl: 06/12/2018 Tags: iz, ir,\n"
        "prel, pgov, pinr Subject: pm maliki recounts his june 7-9 visit to\n"
        "tehran\n\n1. (S/NF)\nIraqi Prime Minister Nouri al-Maliki's June 7-9 visit\n"
    )
    assert (cable.classification, cable.handling) == ("SECRET", ["NOFORN"])
    assert cable.declassify_on == "2018-06-12"
    assert cable.tags == ["IZ", "IR", "PREL", "PGOV", "PINR"]
    assert cable.subject == "pm maliki recounts his june 7-9 visit to tehran"


def test_captions_after_the_serial_on_the_classification_line() -> None:
    # 10BOGOTA243 (real).
    cable = parse_text(
        "S E C R E T BOGOTA 000243 SIPDIS NOFORN\nE.O. 12958: DECL: 2035/02/12\n"
        "TAG: PTER, MOPS, PINS, PREL, PGOV, PHUM, CO\n"
    )
    assert cable.handling == ["SIPDIS", "NOFORN"]
    assert cable.caveats == ["NOFORN"]
    assert cable.tags[:2] == ["PTER", "MOPS"]


def test_an_executive_order_in_the_subject_stays_in_the_subject() -> None:
    # A subject naming an order (07 designations cables: `E.O. 13224`), run together.
    cable = parse_text(
        "UNCLAS STATE 000123\n\nE.O. 12958: N/A TAGS: EFIN, PTER SUBJECT: E.O. 13224 "
        "DESIGNATION OF AL-SHABAAB\n\n1. Text.\n"
    )
    assert cable.declassification == "E.O. 12958: N/A"
    assert cable.tags == ["EFIN", "PTER"]
    assert cable.subject == "E.O. 13224 DESIGNATION OF AL-SHABAAB"


# --- folded headers --------------------------------------------------------------------

SPIEGEL_HEADER = """O 140650Z JUN 08 FM AMEMBASSY BAGHDAD TO SECSTATE WASHDC
IMMEDIATE 7781 INFO GULF COOPERATION COUNCIL COLLECTIVE
PRIORITY IRAN COLLECTIVE PRIORITY IRAQ COLLECTIVE PRIORITY CDR
USCENTCOM MACDILL AFB FL PRIORITY USSTRATCOM OFFUTT AFB NE PRIORITY TAGS:
IZ, IR, PREL, PGOV, PINR SUBJECT: PM MALIKI RECOUNTS HIS JUNE
7-9 VISIT TO TEHRAN"""


def test_a_folded_header_then_the_text() -> None:
    # Der Spiegel's header (real, shortened to its first addressees).
    cable = parse_text(SPIEGEL_HEADER + "\n\n" + SPIEGEL_CAPTIONS)
    header = cable.header
    assert (header.precedence, header.dtg, header.from_) == (
        "IMMEDIATE",
        "140650Z JUN 08",
        "AMEMBASSY BAGHDAD",
    )
    assert [a.name for a in header.to] == ["SECSTATE WASHDC"]
    assert header.info[0].name == "GULF COOPERATION COUNCIL COLLECTIVE"
    assert cable.subject == "PM MALIKI RECOUNTS HIS JUNE 7-9 VISIT TO TEHRAN"  # as sent
    assert cable.reference_id == "08BAGHDAD1784"
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "S/NF")]


def test_a_folded_header_without_a_blank_line_before_the_text() -> None:
    cable = parse_text(SPIEGEL_HEADER + "\n" + SPIEGEL_CAPTIONS)
    assert cable.header.from_ == "AMEMBASSY BAGHDAD"
    assert cable.classification == "SECRET"
    assert cable.tags == ["IZ", "IR", "PREL", "PGOV", "PINR"]
    assert cable.classified_by is not None and cable.classified_by.name == "Patricia A. Butenis"


def test_a_folded_header_with_fm_at_the_end_of_a_line() -> None:
    # 10ISLAMABAD461's header (real), folded and wrapped as a newspaper does.
    cable = parse_text(
        "P 261618Z FEB 10 ZDK TO ALL CITE NUMEROUS SERVICE REQUESTS FM\n"
        "AMEMBASSY ISLAMABAD TO SECSTATE WASHDC PRIORITY 7568 INFO\n"
        "AMEMBASSY KABUL PRIORITY 1554\n\n"
        "C o n f i d e n t i a l section 01 of 03 islamabad 000461\n"
    )
    assert cable.header.dtg == "261618Z FEB 10"
    assert cable.header.from_ == "AMEMBASSY ISLAMABAD"
    assert [a.name for a in cable.header.to] == ["SECSTATE WASHDC"]
    assert [a.name for a in cable.header.info] == ["AMEMBASSY KABUL"]


def test_a_header_that_is_a_date_time_group_alone() -> None:
    # 05MADRID2653 (real): the page's header block is `141216Z Jul 05`.
    cable = parse_text(
        "141216Z Jul 05\n\nC O N F I D E N T I A L SECTION 01 OF 03 MADRID 002653\n\n"
        "SIPDIS\n\nE.O. 12958: DECL: 07/14/2015\nTAGS: PREL, PGOV, PTER, SP, VZ\n"
    )
    assert cable.header.dtg == "141216Z Jul 05"
    assert cable.header.sent == "2005-07-14T12:16:00Z"
    assert cable.classification == "CONFIDENTIAL"
    assert cable.reference_id == "05MADRID2653"
    assert cable.tags == ["PREL", "PGOV", "PTER", "SP", "VZ"]


def test_a_raw_header_keeps_its_blank_line_after_the_relay_line() -> None:
    # 05MADRID4314 (real): `PP RUEHWEB`, a blank line, then `DE ...`.
    cable = parse_text(
        "VZCZCXYZ0008\nPP RUEHWEB\n\nDE RUEHMD #4314/01 3571155\nZNY CCCCC ZZH\n"
        "P 231155Z DEC 05\nFM AMEMBASSY MADRID\nTO RUEHC/SECSTATE WASHDC PRIORITY 8478\n\n"
        "C O N F I D E N T I A L SECTION 01 OF 02 MADRID 004314\n"
    )
    assert cable.header.channel == "XYZ0008"
    assert cable.header.from_ == "AMEMBASSY MADRID"
    assert cable.reference_id == "05MADRID4314"


# --- partial extracts ------------------------------------------------------------------

BRUSSELS_BODY = """C O N F I D E N T I A L SECTION 01 OF 05 BRUSSELS 000524

SIPDIS

DOD FOR HAYNES
NSC FOR WIEGMANN

E.O. 12958: DECL: 02/10/2016
TAGS: PGOV PTER PHUM EUN USEU BRUSSELS
SUBJECT: SECSTATE LEGAL ADVISER ON WAR ON TERROR

Classified By: USEU POLOFF TODD HUIZINGA, FOR REASONS 1.4 (B) AND (D)

1. (C) SUMMARY: Secstate Legal Adviser John Bellinger met
"""


@pytest.mark.parametrize(
    "notice",
    [
        "This record is a partial extract of the original cable. The full text of the "
        "original cable is not available.",
        # Wrapped as a newspaper sets it.
        "This record is a partial extract of the original cable. The full\n"
        "text of the original cable is not available.",
        "This record is a partial extract of the original cable.",
    ],
)
def test_a_text_copy_of_a_partial_extract(notice: str) -> None:
    # 06BRUSSELS524 (real), copied with the page's notice.
    text = (
        "From: Der Spiegel\n2/13/2006 15:45 06BRUSSELS524 USEU Brussels CONFIDENTIAL\n\n"
        f"{notice}\n\n{BRUSSELS_BODY}"
    )
    (source,) = read_text(text, "06BRUSSELS524.txt")
    assert isinstance(source, SourceText)
    assert source.partial_extract and source.body.lstrip().startswith("C O N F I D")
    cable = parse_source(source)
    assert cable.partial_extract
    assert cable.raw == text  # raw stays the whole file
    assert cable.subject == "SECSTATE LEGAL ADVISER ON WAR ON TERROR"
    # As the page gives them (a free-text item of two words: docs/record.md, TAGS).
    assert cable.tags == ["PGOV", "PTER", "PHUM", "EUN", "USEU BRUSSELS"]
    assert cable.classified_by is not None and cable.classified_by.reasons == [
        "1.4(b)",
        "1.4(d)",
    ]
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C")]


def test_a_fragment_that_starts_with_the_notice() -> None:
    notice = "This record is a partial extract of the original cable."
    (source,) = read_text(f"{notice}\n{BRUSSELS_BODY}", "pasted.txt")
    assert isinstance(source, SourceText)
    assert (source.format, source.partial_extract) == ("fragment", True)
    assert parse_source(source).subject == "SECSTATE LEGAL ADVISER ON WAR ON TERROR"


def test_the_notice_inside_a_text_is_text() -> None:
    text = "UNCLAS STATE 000001\n\n1. This record is a partial extract of the original cable.\n"
    (source,) = read_text(text, "x.txt")
    assert isinstance(source, SourceText) and not source.partial_extract


# --- what the re-wrapped text put at the start of lines -----------------------------------


def _abridged(marking: str, count: int) -> str:
    """Paragraphs 1 to `count` of a cable, abridged to a line each (their words do not matter)."""
    return "".join(f"{n}. ({marking}) (Paragraph {n} abridged.)\n\n" for n in range(1, count + 1))


def test_a_number_the_wrap_put_at_the_start_of_a_line_is_no_paragraph() -> None:
    # 09LONDON1064 (real words, paragraphs 1-3 abridged), re-wrapped: `on May` / `5. In fact`.
    cable = parse_text(
        _abridged("C/NF", 3)
        + "4. (C/NF)\nThe only other option - that Brown will step aside voluntarily\n"
        "in the face of criticism - is extremely unlikely, according to\n"
        "Lord Davis and prominent Labour member Lord Bruce Grocott,\n"
        "with whom Poloffs met, along with other Labour Lords, on May\n"
        "5. In fact, they point to his personal resilience in the\n"
        "face of the continuing criticism.\n\n"
        "5. (C/NF)\nA new and worrisome element this time for Brown is the\n"
    )
    assert [(p.number, p.marking) for p in cable.paragraphs][3:] == [(4, "C/NF"), (5, "C/NF")]
    assert "on May 5. In fact" in cable.paragraphs[3].text


def test_an_unmarked_cable_still_numbers_after_a_sentence() -> None:
    # Counterpart: without portion markings a number after a full stop opens a paragraph.
    cable = parse_text("1. The first point.\n2. The second point.\n")
    assert [p.number for p in cable.paragraphs] == [1, 2]


def test_the_marking_wrapped_below_the_number() -> None:
    # 10BRASILIA51 (real words): `1.` / `(C) During ...`.
    cable = parse_text("1.\n(C) During Ambassador Shannon's introductory call February 5,\n")
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C")]
    assert cable.paragraphs[0].text.startswith("During Ambassador Shannon's")


def test_a_paragraph_number_glued_above_and_typed_again() -> None:
    # 10BRASILIA51 (real): `... REASON: 1.4(D) 1. (C)`, then `1. (C) During ...`.
    cable = parse_text(
        "C O N F I D E N T I A L BRASILIA 000051\n\n"
        "CLASSIFIED BY: Thomas Shannon, Ambassador; REASON: 1.4(D) 1. (C) \n\n"
        "1. (C) During Ambassador Shannon's introductory call February 5, Minister of "
        "Defense Nelson Jobim described the overall bilateral security relationship.\n\n"
        "2. (C) Jobim praised the U.S.-Brazil partnership in Haiti.\n"
    )
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C"), (2, "C")]
    assert cable.classified_by is not None and cable.classified_by.reasons == ["1.4(d)"]


def test_paragraph_one_glued_to_classified_by_at_a_lines_end() -> None:
    # 09TRIPOLI663 (real words), re-wrapped: the marking ends the line.
    cable = parse_text(
        "CLASSIFIED BY: Joan Polaschik, Charge d'Affaires, U.S. Embassy\n"
        "Tripoli, Department of State. REASON: 1.4 (b), (d) 1. (C)\n"
        "Summary: Libyan Foreign Minister Musa Kusa told the British\n\n"
        "2. (C) UK Ambassador Sir Vincent Fean told the Charge August 15\n"
    )
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C"), (2, "C")]
    assert cable.classified_by is not None
    assert cable.classified_by.reasons == ["1.4(b)", "1.4(d)"]


# --- the other parts the layouts exposed -------------------------------------------------


def test_reasons_after_the_order_on_the_next_line() -> None:
    # 04ANKARA7211 (real): `reasons: E.O.` / `12958 1.4 (a,b,c,d).`
    cable = parse_text(
        "S E C R E T SECTION 01 OF 05 ANKARA 007211\n\n"
        "(U) Classified by Ambassador Eric Edelman; reasons: E.O. \n"
        "12958 1.4 (a,b,c,d). \n\n1. (C) Summary: PM Erdogan and his ruling AK Party\n"
    )
    assert cable.classified_by is not None
    assert cable.classified_by.reasons == ["1.4(a)", "1.4(b)", "1.4(c)", "1.4(d)"]


def test_tags_continued_with_known_codes() -> None:
    # 07TELAVIV2652 (real): the second line has seven codes and no comma before it.
    cable = parse_text(
        "TAGS: PREL PTER MARR MASS KNNP UNSC PK IR IZ ZP\nJO, EG, RS, CH, LE, SY, IS \n"
        "SUBJECT: U/S BURNS' AUGUST 17 MEETING WITH ISRAELI MOSSAD \nCHIEF MEIR DAGAN \n"
    )
    assert cable.tags[-7:] == ["JO", "EG", "RS", "CH", "LE", "SY", "IS"]
    assert cable.passing == []


def test_a_signature_glued_to_the_footer() -> None:
    # 08LONDON1115 (real).
    cable = parse_text(
        "3. (S/NF) Comment. Embassy London POCs for this issue are Pam Tremont.\n"
        "Visit London's Classified Website: http://www.intelink.sgov.gov/wiki/Portal:Unit "
        "ed_Kingdom LEBARON"
    )
    assert cable.signers == ["LEBARON"]
    assert not cable.paragraphs[-1].text.endswith("LEBARON")


def test_a_footer_address_wrapped_after_the_signature() -> None:
    # 09ANKARA1549 (real words), the footer wrapped inside its address.
    cable = parse_text(
        "3. (C) Comment: antipathy towards Israel is a factor.\n\nJEFFREY\n\n"
        "\u201cVisit Ankara's Classified Web Site at http://www.intelink.s\n"
        "gov.gov/wiki/Portal:Turkey\u201d\n"
    )
    assert cable.signers == ["JEFFREY"]


def test_a_footer_word_inside_the_text_is_no_signature() -> None:
    # Counterpart: an all-caps word after plain words of a footer line is not a name.
    cable = parse_text(
        "1. (U) Text.\nVisit Embassy Amman's classified website through the State "
        "Department's SIPRNET\n"
    )
    assert cable.signers == []


def test_a_numbered_paragraph_citing_a_web_address_is_kept() -> None:
    # 09LONDON2768 (real words, paragraphs 1-6 abridged): an edited copy's paragraph 8
    # above the footer.
    cable = parse_text(
        _abridged("C/NF", 6).replace("\n\n", "\n")
        + "7. (C/NF) Fox said the Conservatives would hold a defense review.\n"
        "8. (SBU/NF) During his meeting with the Ambassador, Fox touched on NATO. (Note: The "
        "full text of the speech is available at www.chathamhouse.org.uk End Note.)\n"
        "Visit London's Classified Website: http://www.intelink.sgov.gov/wiki/Portal:Unit "
        "ed_Kingdom\nSusman"
    )
    numbered = [(p.number, p.marking) for p in cable.paragraphs]
    assert numbered[6:] == [(7, "C/NF"), (8, "SBU/NF")]
    assert cable.signers == ["Susman"]


_BD = ["1.4(b)", "1.4(d)"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # 09MADRID614 (real): the telegraph broke AND; re-wrapped, the break moves.
        (
            "Classified By: Charge D'Affaires Arnold A. Chacon for reasons 1.4 (b) a \nnd (d) ",
            _BD,
        ),
        (
            "Classified By: Charge D'Affaires Arnold A. Chacon for reasons 1.4 (b)\na\nnd (d)",
            _BD,
        ),
        # 05VIENNA3833 (real words), re-wrapped: `an d (d)`.
        ("Classified By: Charge d'Affaires Scott F. Kilner. Reasons: 1.4 (b)\nan d (d).", _BD),
        # 09BAMAKO815 (real words), re-wrapped: `( d).`
        ("Classified By: Ambassador Gillian A. Milovanovic, for reasons 1.4 (b)\n( d).", _BD),
        # 06MADRID857 (real words), re-wrapped: the section at the start of a line.
        (
            "Classified By: Deputy Chief of Mission J. Robert Manzanares; Reasons\n"
            "1. 4 (B) and (D).",
            _BD,
        ),
    ],
)
def test_reasons_continued_on_the_next_line(lines: str, expected: list[str]) -> None:
    cable = parse_text(f"C O N F I D E N T I A L MADRID 000614\n\n{lines}\n\n1. (C) Summary.\n")
    assert cable.classified_by is not None
    assert cable.classified_by.reasons == expected
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C")]


def test_paragraphs_glued_into_one_line_of_an_edited_copy() -> None:
    # 09STATE82013 (real words): an edited copy ran paragraphs 2 and 3 into paragraph 1.
    cable = parse_text(
        "1. (C) Summary: This different perspective is causing considerable unease between "
        "the two. 2. (C) German officials were more cautious about goals for the RevCon. "
        "3. (U) Participants: Ambassador Susan Burk. End Summary\n\n"
        "4. (C) Amb. Burk said the U.S. wanted to see the RevCon reaffirm Parties' support.\n"
    )
    assert [(p.number, p.marking) for p in cable.paragraphs] == [
        (1, "C"),
        (2, "C"),
        (3, "U"),
        (4, "C"),
    ]
    assert cable.warnings == []


def test_a_doubled_paragraph_start() -> None:
    # 08ROME1406 (real): `1. (C) Summary. 1. (C) Summary. The political ...`.
    cable = parse_text(
        "1. (C) Summary. 1. (C) Summary. The political conditions in Italy are dramatically "
        "different.\n\n2. (C) Our reenergized cooperation with Berlusconi.\n"
    )
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C"), (2, "C")]
    assert cable.paragraphs[0].text.startswith("Summary. The political")


def test_a_date_the_wrap_left_before_a_heading_is_no_paragraph() -> None:
    # 08RIYADH1619 (real words, paragraphs 1-6 abridged), re-wrapped at 66 columns.
    cable = parse_text(
        _abridged("S", 6) + "7. (S)\nMOI indicated they plan to present the formal Saudi LOR to\n"
        "GEN Petraeus when he visits the Kingdom, currently scheduled for Nov.\n8.\n"
        "--------------------\nJOINT WORKING GROUPS\n--------------------\n"
        "8. (S)\nA related discussion item was the role of the Joint Working Groups\n"
    )
    numbered = [(p.number, p.marking) for p in cable.paragraphs]
    assert numbered[6:] == [(7, "S"), (8, "S")]
    assert cable.paragraphs[7].heading == "JOINT WORKING GROUPS"


@pytest.mark.parametrize(
    "tail",
    [
        # 08LONDON1001 (real): a mixed-case name after the address's split-off extension.
        "Visit London's Classified Website: http://www.state.sgov.gov/p/eur/london/index. "
        "cfm Tuttle",
        # The same, re-wrapped at 55 columns.
        "Visit London's Classified Website:\nhttp://www.state.sgov.gov/p/eur/london/index. "
        "cfm\nTuttle",
        # 07LONDON3175 (real words), re-wrapped at 80 columns: the extension alone.
        "Visit London's Classified Website: http://www.state.sgov.gov/p/eur/london/index.\n"
        "cfm\n\nTuttle",
    ],
)
def test_a_signature_after_a_wrapped_footer(tail: str) -> None:
    cable = parse_text(f"10. (C/NF) The NSS was a major initiative of the Government.\n{tail}\n")
    assert cable.signers == ["Tuttle"]


def test_a_footer_glued_signature_wrapped_onto_the_next_line() -> None:
    # 08LONDON1115 (real), re-wrapped at 55 columns.
    cable = parse_text(
        "3. (S/NF) Comment. Embassy London POCs for this issue are Pam Tremont.\n"
        "Visit London's Classified Website:\nhttp://www.intelink.sgov.gov/wiki/Portal:Unit\n"
        "ed_Kingdom LEBARON\n"
    )
    assert cable.signers == ["LEBARON"]


def test_a_second_classified_by_takes_its_wrapped_line_along() -> None:
    # 09TALLINN373 (real words), re-wrapped at 48 columns.
    cable = parse_text(
        "CLASSIFIED BY: Marc Nordberg, Political/Economic\nChief; REASON: 1.4(B), (D)\n"
        "Classified by DCM Karen Decker for Reasons 1.4 B\n& D.\n1. (U)\n"
        "Pol Chief and DATT delivered reftel points on\n"
    )
    assert cable.classified_by is not None and cable.classified_by.name == "Marc Nordberg"
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "U")]
    assert cable.warnings == ["two Classified By lines; the first is used"]


def test_caption_lines_split_before_an_unknown_line() -> None:
    # 07BUENOSAIRES2345 (real): a line no rule knows between REF and Classified By is a
    # passing line, also when the items before it were run together on one line.
    cable = parse_text(
        "C o n f i d e n t i a l buenos aires 002345\n\n"
        "E.o. 12958: decl: 12/14/2017 Tags: prel snar cjan econ asec kjus ve ar Subject: "
        "argentine furor continues over u.s. allegations that venezuelan money was intended "
        "for cristina kirchner\n\nREF: (A) BUENOS AIRES 2336 (B) MCWHIRTER 12/14/07\n\n"
        "E-MAIL TO DS COMMAND CENTER\n\n"
        "Classified By: Ambassador Wayne for reasons 1.4 (b) & (d).\n\n1. (C)\nThe GOA\n"
    )
    assert cable.passing == ["E-MAIL TO DS COMMAND CENTER"]
    assert cable.classified_by is not None and cable.classified_by.name == "Wayne"
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "C")]


def test_a_capitalised_footer_word_is_no_signature() -> None:
    cable = parse_text(
        "1. (U) Text.\nVisit our classified website at http://www.state.sgov.gov/p/nea/amman/ "
        "Home\n"
    )
    assert cable.signers == []
