"""Hand-checked records: the parser must reproduce each of them exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cabledesk
from conftest import EXPECTED, SAMPLE, assert_valid

CASES = sorted(EXPECTED.glob("*.json"))


def test_there_are_enough_hand_checked_records() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_parser_reproduces_the_checked_record(path: Path) -> None:
    expected = json.loads(path.read_text())
    cable = cabledesk.parse_file(SAMPLE / expected["location"])
    record = cabledesk.to_dict(cable)
    record["location"] = expected["location"]
    assert_valid(record)
    for field, value in expected.items():
        assert record[field] == value, f"{path.stem}: field {field!r} differs"
    assert record == expected


def load(reference_id: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((EXPECTED / f"{reference_id}.json").read_text())
    return data


def test_08baghdad1784_in_full() -> None:
    """The plain-text newspaper copy, against the facts stated in the issue."""
    record = cabledesk.to_dict(cabledesk.parse_file(SAMPLE / "text" / "08BAGHDAD1784.txt"))
    assert record["reference_id"] == "08BAGHDAD1784"
    assert record["source"] == "Der Spiegel"
    assert record["created"] == "2008-06-14T06:50:00Z"
    assert record["origin"] == "Embassy Baghdad"
    assert (record["classification"], record["caveats"]) == ("SECRET", ["NOFORN"])
    header = record["header"]
    assert header["precedence"] == "IMMEDIATE"
    assert header["dtg"] == "140650Z JUN 08"
    assert header["sent"] == "2008-06-14T06:50:00Z"
    assert header["from"] == "AMEMBASSY BAGHDAD"
    assert header["to"] == [
        {
            "name": "SECSTATE WASHDC",
            "route": "RUEHC",
            "precedence": "IMMEDIATE",
            "sequence": "7781",
            "route_source": "routing table",
        }
    ]
    assert len(header["info"]) == 20
    assert header["info"][0]["name"] == "GULF COOPERATION COUNCIL COLLECTIVE"
    assert header["info"][-1]["name"] == "USSTRATCOM OFFUTT AFB NE"
    assert {a["precedence"] for a in header["info"]} == {"PRIORITY"}
    assert record["tags"] == ["IZ", "IR", "PREL", "PGOV", "PINR"]
    assert record["subject"] == "PM MALIKI RECOUNTS HIS JUNE 7-9 VISIT TO TEHRAN"
    assert record["declassify_on"] == "2018-06-12"
    assert record["classified_by"]["name"] == "Patricia A. Butenis"
    assert record["classified_by"]["reasons"] == ["1.4(b)", "1.4(c)", "1.4(d)"]
    paragraphs = record["paragraphs"]
    assert [p["number"] for p in paragraphs] == list(range(1, 11))
    assert {p["marking"] for p in paragraphs} == {"S/NF"}
    assert sum(1 for p in paragraphs if p["heading"]) == 5
    assert record["signers"] == ["Butenis"]
    assert record["redactions"]["count"] == 4
    assert record["summary"].startswith("Iraqi Prime Minister Nouri al-Maliki's June 7-9 visit")
    assert record["summary"].endswith("local and regional media reaction.")
    text = record["text"]
    assert "Soleimani's assurances" in text and "Soleimani,s" not in text
    assert '"gangs"' in text and "&gangs8" not in text
    assert "Soleimani — but" in text
    assert "Soleimani,s assurances" in record["raw"]
    assert record["repairs"]["quotes"] == 1
    assert record["repairs"]["dashes"] == 5
