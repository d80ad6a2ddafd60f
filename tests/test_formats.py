"""The same cable from every container gives the same record."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import cabledesk
from cabledesk.record.model import Cable
from cabledesk.sources import Skipped, SourceError, SourceText, read_paths
from cabledesk.sources.item import Metadata
from conftest import CORPUS, SAMPLE, assert_valid, needs_corpus
from corpus_files import html_sources, write_csv

# What a container says about itself rather than about the cable.
CONTAINER_FIELDS = {"format", "location", "released", "partial_extract"}


def comparable(cable: Cable) -> dict[str, object]:
    record = cabledesk.to_dict(cable)
    return {k: v for k, v in record.items() if k not in CONTAINER_FIELDS}


def parse_all(path: Path, **options: str) -> list[Cable]:
    items = list(cabledesk.parse(path, **options))
    failures = [str(i) for i in items if isinstance(i, SourceError)]
    assert failures == []
    return [i for i in items if isinstance(i, Cable)]


def html_sample() -> list[Cable]:
    return parse_all(SAMPLE / "cable")


def test_html_csv_and_jsonl_give_equal_records(tmp_path: Path) -> None:
    from_html = html_sample()
    from_csv = parse_all(write_csv(html_sources(SAMPLE / "cable"), tmp_path / "cables.csv"))
    assert [c.format for c in from_csv] == ["csv"] * len(from_html)
    for html_cable, csv_cable in zip(from_html, from_csv, strict=True):
        assert comparable(csv_cable) == comparable(html_cable), html_cable.reference_id
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("".join(cabledesk.to_json(c) + "\n" for c in from_html))
    from_jsonl = parse_all(jsonl)
    assert from_jsonl == from_html


@needs_corpus
def test_whole_corpus_reads_the_same_through_csv(tmp_path: Path) -> None:
    from_html = parse_all(CORPUS / "cable")
    from_csv = parse_all(write_csv(html_sources(CORPUS / "cable"), tmp_path / "cables.csv"))
    differing = [
        h.reference_id
        for h, c in zip(from_html, from_csv, strict=True)
        if comparable(h) != comparable(c)
    ]
    assert differing == []


def test_format_is_detected_from_content_not_name(tmp_path: Path) -> None:
    page = next((SAMPLE / "cable").rglob("*.html"))
    disguised = tmp_path / "cable.txt"
    disguised.write_bytes(page.read_bytes())
    (cable,) = parse_all(disguised)
    assert cable.format == "html"


def test_format_option_overrides_detection(tmp_path: Path) -> None:
    page = next((SAMPLE / "cable").rglob("*.html"))
    items = list(cabledesk.parse(page, format="csv"))
    assert all(isinstance(i, SourceError) for i in items)
    (cable,) = parse_all(page, format="html")
    assert cable.reference_id


def test_fragment_body_without_metadata(tmp_path: Path) -> None:
    body = (
        "S E C R E T SECTION 01 OF 02 MADRID 000293\n\nSIPDIS\n\n"
        "E.O. 12958: DECL: 02/13/2016\nTAGS: PGOV PTER SP\n"
        "SUBJECT: SPAIN: CHIEF PROSECUTOR FORCED TO QUIT\n\n"
        "REF: A. MADRID 881 B. MADRID 919\n\n"
        "1. (S) First paragraph.\n\n2. (C) Second paragraph.\n\nAGUIRRE\n"
    )
    path = tmp_path / "fragment.txt"
    path.write_text(body)
    (cable,) = parse_all(path)
    record = cabledesk.to_dict(cable)
    assert_valid(record)
    assert cable.format == "fragment"
    # Nothing the fragment does not say is filled in.
    assert cable.reference_id is None  # no DTG, so no year
    assert cable.created is None and cable.released is None and cable.source is None
    assert cable.header.dtg is None and cable.header.to == []
    assert cable.classification == "SECRET" and cable.caveats == []
    assert cable.section is not None and (cable.section.part, cable.section.of) == (1, 2)
    assert cable.tags == ["PGOV", "PTER", "SP"]
    assert cable.declassify_on == "2016-02-13"
    # Without a year the references cannot be resolved to ids; their text is kept.
    assert [(r.label, r.text, r.cable_id) for r in cable.references] == [
        ("A", "MADRID 881", None),
        ("B", "MADRID 919", None),
    ]
    assert [(p.number, p.marking) for p in cable.paragraphs] == [(1, "S"), (2, "C")]
    assert cable.signers == ["AGUIRRE"]
    assert cable.origin == "Embassy Madrid"


def test_fragment_header_alone(tmp_path: Path) -> None:
    header = (
        "VZCZCXRO5433\nPP RUEHAG RUEHDF\nDE RUEHMD #0293/01 0341458\nZNR UUUUU ZZH\n"
        "P 031458Z FEB 06\nFM AMEMBASSY MADRID\nTO RUEHC/SECSTATE WASHDC PRIORITY 8817\n"
        "INFO RUCNMEM/EU MEMBER STATES COLLECTIVE PRIORITY\nRUEAWJA/DEPT OF JUSTICE WASHDC\n"
    )
    path = tmp_path / "header.txt"
    path.write_text(header)
    (cable,) = parse_all(path)
    h = cable.header
    assert (h.precedence, h.dtg, h.sent) == ("PRIORITY", "031458Z FEB 06", "2006-02-03T14:58:00Z")
    assert h.transmission is not None
    assert (h.transmission.station, h.transmission.serial, h.transmission.section) == (
        "RUEHMD",
        "0293",
        "01",
    )
    assert h.relay_routes == ["RUEHAG", "RUEHDF"]
    assert [(a.name, a.route, a.precedence, a.sequence) for a in h.to] == [
        ("SECSTATE WASHDC", "RUEHC", "PRIORITY", "8817")
    ]
    assert [a.name for a in h.info] == ["EU MEMBER STATES COLLECTIVE", "DEPT OF JUSTICE WASHDC"]
    assert h.info[1].precedence is None
    assert cable.paragraphs == [] and cable.classification is None
    assert cable.origin == "Embassy Madrid"


def test_text_that_is_no_cable_is_one_clear_failure(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list: eggs, milk\n")
    (item,) = cabledesk.parse(path)
    assert isinstance(item, SourceError)
    assert "expected a cable" in str(item) and "notes.txt" in str(item)


def test_directory_walk_skips_foreign_json_lines(tmp_path: Path) -> None:
    (tmp_path / "truth.jsonl").write_text(json.dumps({"path": "x", "reference_id": "y"}) + "\n")
    (tmp_path / "a.txt").write_text((SAMPLE / "text" / "08BAGHDAD1784.txt").read_text())
    items = list(cabledesk.parse(tmp_path))
    assert [type(i).__name__ for i in items] == ["Cable", "Skipped"]
    skipped = items[1]
    assert isinstance(skipped, Skipped) and "truth.jsonl" in skipped.location


def test_named_foreign_json_lines_are_errors_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    good = cabledesk.to_json(html_sample()[0])
    path.write_text(good + "\n{not json\n" + json.dumps({"a": 1}) + "\n" + good + "\n")
    items = list(cabledesk.parse(path))
    assert [type(i).__name__ for i in items] == ["Cable", "SourceError", "SourceError", "Cable"]
    assert str(items[1]).startswith(f"{path}:2: expected one JSON object per line")
    assert str(items[2]).startswith(f"{path}:3: expected a cabledesk record")


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary", b"<html><body>hi</body></html>"])
def test_unreadable_files_fail_alone(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.html"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text((SAMPLE / "text" / "08BAGHDAD1784.txt").read_text())
    items = list(cabledesk.parse([bad, good]))
    assert isinstance(items[0], SourceError) and str(items[0]).startswith(str(bad))
    assert isinstance(items[1], Cable)


def test_source_texts_cross_to_parser_processes_unchanged(tmp_path: Path) -> None:
    # Ingest pickles every SourceText for a parser process, leaving out `raw` where it can
    # be rebuilt (the body, or the header and body joined): what arrives must be equal.
    csv_file = tmp_path / "cables.csv"
    write_csv([s for s in html_sources(SAMPLE) if s.format == "html"][:5], csv_file)
    sources = [s for s in read_paths([SAMPLE, csv_file]) if isinstance(s, SourceText)]
    assert {s.format for s in sources} >= {"html", "csv", "text"}
    odd = SourceText(
        format="text",
        location="x",
        body="body",
        raw="From: Der Spiegel\nbody",
        header="head",
        metadata=Metadata(reference_id="08X1", cited_ids=["07Y2"]),
    )
    near = SourceText(format="csv", location="y", body="b", raw="h\n\nb ", header="h")
    for source in [*sources, odd, near]:
        again = pickle.loads(pickle.dumps(source))
        assert again == source and again.raw == source.raw
