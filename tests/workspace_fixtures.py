"""Cables made for the workspace tests: a sample cable re-labelled, with paragraphs of
chosen text and markings (so that a word can sit only in SECRET text), written as JSON
Lines for an ingest."""

from __future__ import annotations

import json
from pathlib import Path

import cabledesk
from cabledesk.access import Accounts
from cabledesk.facade import Archive
from conftest import SAMPLE

_BASE = SAMPLE / "cable" / "2009" / "02" / "09BANGKOK385.html"


def crafted(
    reference_id: str,
    paragraphs: list[tuple[str, str]],
    *,
    classification: str = "SECRET",
    subject: str = "A MADE-UP SUBJECT",
    sent: str | None = None,
) -> dict[str, object]:
    """A record whose text is exactly `paragraphs`: (marking, text) each."""
    record = cabledesk.to_dict(cabledesk.parse_file(_BASE))
    record.update(
        reference_id=reference_id,
        reference_id_raw=reference_id,
        subject=subject,
        summary=None,
        comments=[],
        references=[],
        classification=classification,
        redactions={"count": 0, "positions": []},
    )
    if sent is not None:
        header = record["header"]
        assert isinstance(header, dict)
        header["sent"] = sent
    record["paragraphs"] = [
        {"number": n, "marking": m, "heading": None, "text": t, "marking_raw": f"({m})"}
        for n, (m, t) in enumerate(paragraphs, start=1)
    ]
    body = "\n\n".join(f"{n}. ({m}) {t}" for n, (m, t) in enumerate(paragraphs, start=1))
    record["text"] = record["raw"] = body
    return record


def ingest_records(archive: Archive, folder: Path, records: list[dict[str, object]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"batch-{len(list(folder.iterdir()))}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = archive.ingest([path], workers=1)
    assert report.failed == 0, report.examples


def add_accounts(archive: Archive, people: dict[str, tuple[str, str | None, bool]]) -> None:
    accounts = Accounts(archive)
    for name, (role, ceiling, foreign) in people.items():
        accounts.add(name, "correct horse battery", role, ceiling, foreign)
