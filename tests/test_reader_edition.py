"""Issue 17: a signed-in reader always sees at least the public edition.

A cable the editors published is public: a CONFIDENTIAL reader who signs in must not get
its SECRET paragraphs withheld while a visitor reads them (docs/publishing.md, "Who sees
what")."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.facade import Archive
from cabledesk.redact import Rule, Viewer
from cabledesk.web import create_app
from conftest import SAMPLE

BAGHDAD = "08BAGHDAD1784"  # SECRET//NOFORN; paragraph 6 speaks of the "magic key"
RANGOON = "04RANGOON1100"  # SECRET, not published


def _archive(folder: Path) -> None:
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE, workers=1)
        archive.redact(Rule(kind="name", text="Maliki", reason="test"))
        archive.approve([BAGHDAD])
        archive.record_edition(None, "test")


def _public() -> Viewer:
    return Viewer(redact=True, published_only=True)


def test_a_restricted_reader_gets_at_least_the_published_cable(tmp_path: Path) -> None:
    _archive(tmp_path / "a")
    with Archive.open(tmp_path / "a") as archive:
        public = archive.get(
            BAGHDAD, viewer=Viewer(redact=True, published_only=True, compiled=archive.redactor())
        )
        reader = Viewer(ceiling=1, redact=True, compiled=archive.redactor())
        seen = archive.get(BAGHDAD, viewer=reader)
        assert public is not None and seen is not None
        assert "magic key" in public.text.lower()
        assert [p.text for p in seen.paragraphs] == [p.text for p in public.paragraphs]
        assert "withheld" not in seen.text
        assert "Maliki" not in seen.text and "Maliki" not in (seen.raw or "")
        # A foreign reader too (the cable is NOFORN, but published).
        foreign = archive.get(
            BAGHDAD,
            viewer=Viewer(ceiling=2, foreign=True, redact=True, compiled=archive.redactor()),
        )
        assert foreign is not None and "magic key" in foreign.text.lower()
        # A cable not published keeps the reader's own ceiling.
        rangoon = archive.get(RANGOON, viewer=reader)
        assert rangoon is not None and "withheld" in rangoon.text
        # Exports hold the same record.
        exported = list(archive.export(f"id:{BAGHDAD}", viewer=reader))
        assert [p.text for p in exported[0].paragraphs] == [p.text for p in public.paragraphs]


def test_a_restricted_readers_search_finds_what_the_public_finds(tmp_path: Path) -> None:
    _archive(tmp_path / "a")
    with Archive.open(tmp_path / "a") as archive:
        public = archive.search(
            '"magic key"',
            viewer=Viewer(redact=True, published_only=True, compiled=archive.redactor()),
        )
        assert [h.reference_id for h in public.hits] == [BAGHDAD]
        reader = Viewer(ceiling=1, redact=True, compiled=archive.redactor())
        found = archive.search('"magic key"', viewer=reader)
        assert [h.reference_id for h in found.hits] == [BAGHDAD]
        assert "magic" in found.hits[0].snippet.lower()
        assert list(archive.matching_ids('"magic key"', viewer=reader)) == [BAGHDAD]
        assert sum(m.total for m in archive.timeline('"magic key"', viewer=reader)) == 1
        # The redacted name is found by nobody but editors.
        assert archive.search("maliki", viewer=reader).total == 0
        # Unpublished SECRET text stays out of the CONFIDENTIAL reader's reach.
        assert archive.search("id:04RANGOON1100 AND secret_word_absent", viewer=reader).total == 0


def test_the_desk_shows_a_signed_in_reader_the_published_paragraphs(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    _archive(folder)
    with Archive.open(folder) as archive:
        accounts = Accounts(archive)
        accounts.add("cora", "a long enough password", "reader", "CONFIDENTIAL", False)
        _, secret = accounts.create_token("t", "cora")
    with TestClient(create_app(folder)) as visitor:
        assert "magic key" in visitor.get(f"/cable/{BAGHDAD}").text.lower()
    headers = {"authorization": f"Bearer {secret}"}
    with TestClient(create_app(folder), headers=headers) as reader:
        for path in (f"/cable/{BAGHDAD}", f"/api/cables/{BAGHDAD}"):
            answer = reader.get(path)
            assert answer.status_code == 200
            assert "magic key" in answer.text.lower(), path
            assert "Maliki" not in answer.text, path
        found = reader.get("/api/search", params={"q": '"magic key"'}).json()
        assert [h["reference_id"] for h in found["hits"]] == [BAGHDAD]
