"""The whole shared corpus: 645 WikiLeaks pages must parse, agree with their metadata, and
obey the rules that hold for every well-formed cable."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

import cabledesk
from cabledesk.parse import is_canonical
from cabledesk.parse.rules.page_breaks import is_page_break
from cabledesk.record.model import Cable
from conftest import CORPUS, SEED_TEXT, assert_valid, needs_corpus

pytestmark = needs_corpus


@cache
def corpus() -> tuple[list[Cable], list[str]]:
    cables, failures = [], []
    for item in cabledesk.parse(CORPUS / "cable"):
        if isinstance(item, Cable):
            cables.append(item)
        else:
            failures.append(str(item))
    return cables, failures


@cache
def truth() -> dict[str, dict[str, str]]:
    rows = [json.loads(line) for line in (CORPUS / "truth.jsonl").read_text().splitlines()]
    return {row["path"]: row for row in rows}


def test_every_page_parses() -> None:
    cables, failures = corpus()
    assert failures == []
    assert len(cables) == len(truth()) == 645


def test_metadata_equals_the_pages_own() -> None:
    mismatches = []
    for cable in corpus()[0]:
        row = truth()[str(Path(cable.location or "").relative_to(CORPUS))]
        marking = "//".join([cable.classification or "", *cable.caveats])
        created = row["created"].replace(" ", "T") + ":00Z"
        got = (cable.reference_id, cable.created, marking, cable.origin)
        want = (row["reference_id"], created, row["classification"], row["origin"])
        if got != want:
            mismatches.append((got, want))
    assert mismatches == []


def test_every_record_matches_the_schema() -> None:
    for cable in corpus()[0]:
        assert_valid(cabledesk.to_dict(cable))


def test_paragraph_numbers_are_contiguous_or_flagged() -> None:
    """Numbering gaps exist in real cables (02BRASILIA4227 has no paragraph 12); each one
    must be reported in warnings, and a cable without a warning numbers 1, 2, 3..."""
    unflagged = []
    for cable in corpus()[0]:
        numbers = [p.number for p in cable.paragraphs if p.number is not None]
        contiguous = numbers == list(range(1, len(numbers) + 1))
        flagged = any("paragraph" in w for w in cable.warnings)
        if not contiguous and not flagged:
            unflagged.append((cable.reference_id, numbers))
    assert unflagged == []
    numbered = [c for c in corpus()[0] if any(p.number for p in c.paragraphs)]
    gaps = [c for c in numbered if any("paragraph" in w for w in c.warnings)]
    assert len(gaps) < 0.05 * len(numbered)


def test_reference_ids_are_well_formed() -> None:
    bad = [
        (c.reference_id, r.text, r.cable_id)
        for c in corpus()[0]
        for r in c.references
        if r.cable_id is not None and not is_canonical(r.cable_id)
    ]
    assert bad == []


def test_most_references_resolve() -> None:
    references = [r for c in corpus()[0] for r in c.references]
    resolved = [r for r in references if r.cable_id]
    assert len(references) > 800
    assert len(resolved) / len(references) > 0.88


def test_no_page_break_survives_in_text() -> None:
    leftovers = [
        (c.reference_id, line)
        for c in corpus()[0]
        for line in c.text.splitlines()
        if is_page_break(line) or re.search(r"\b\d{8} +\d{3}(\.\d)? +OF +\d{3}\b", line, re.I)
    ]
    assert leftovers == []


def test_raw_is_verbatim_and_repairs_stay_out_of_it() -> None:
    for cable in corpus()[0]:
        assert cable.raw.strip()
        for start, end in cable.redactions.positions:
            assert set(cable.raw[start:end].lower()) == {"x"}


def test_caption_parts_are_found_where_cables_have_them() -> None:
    cables = [c for c in corpus()[0] if not c.partial_extract]
    with_subject_line = [c for c in cables if re.search(r"^\s*SUBJ", c.raw, re.M | re.I)]
    assert all(c.subject for c in with_subject_line)
    with_tags_line = [c for c in cables if re.search(r"^\s*TAGS?\b", c.raw, re.M | re.I)]
    assert all(c.tags for c in with_tags_line)
    with_headers = [c for c in cables if "\nFM " in c.raw]
    assert all(c.header.from_ and c.header.to and c.header.sent for c in with_headers)
    classified = [c for c in cables if re.search(r"classified by", c.raw, re.I)]
    found = [c for c in classified if c.classified_by and c.classified_by.reasons]
    assert len(found) / len(classified) > 0.97


def test_summaries_are_found_where_cables_mark_them() -> None:
    marked = [c for c in corpus()[0] if re.search(r"END\s+SUMMARY", c.raw, re.I)]
    assert len(marked) > 400
    assert all(c.summary for c in marked)


def test_newspaper_copy_parses_with_the_corpus() -> None:
    cable = cabledesk.parse_file(SEED_TEXT)
    assert cable.reference_id == "08BAGHDAD1784"
    assert cable.format == "text"


@pytest.mark.parametrize("reference_id", ["08BEIRUT586", "09KUWAIT110"])
def test_signers_of_known_cables(reference_id: str) -> None:
    cable = next(c for c in corpus()[0] if c.reference_id == reference_id)
    assert cable.signers == {"08BEIRUT586": ["SISON"], "09KUWAIT110": ["JONES"]}[reference_id]
