"""An archive for the web tests: the bundled sample plus one cable full of markup."""

from __future__ import annotations

import json
from pathlib import Path

import cabledesk
from cabledesk.facade import Archive
from conftest import SAMPLE

HOSTILE_ID = "09TESTPOST1"
HOSTILE = "<script>alert(\"x\")</script> & <b>bold</b> 'quoted'"


def hostile_record() -> dict[str, object]:
    """A sample cable re-labelled, with markup in the subject, a paragraph and the raw text."""
    cable = cabledesk.parse_file(SAMPLE / "cable" / "2009" / "02" / "09BANGKOK385.html")
    record = cabledesk.to_dict(cable)
    record["reference_id"] = record["reference_id_raw"] = HOSTILE_ID
    record["subject"] = f"SUBJECT WITH {HOSTILE}"
    record["tags"] = ["PREL", '"><img src=x onerror=alert(1)>']
    paragraphs = record["paragraphs"]
    assert isinstance(paragraphs, list)
    paragraphs[0]["text"] = f"First paragraph {HOSTILE} XXXXXXXXXXXX end."
    record["raw"] = f"{record['raw']}\n{HOSTILE}"
    record["text"] = f"{record['text']}\n{HOSTILE}"
    return record


def build_web_archive(folder: Path) -> Path:
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps(hostile_record()) + "\n", encoding="utf-8")
    with Archive.open(folder / "archive") as archive:
        report = archive.ingest([SAMPLE, hostile], workers=1)
        assert report.failed == 0, report.examples
    return folder / "archive"
