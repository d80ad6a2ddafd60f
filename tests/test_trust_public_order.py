"""The public's results depend on nothing but the published edition (trust review #15)."""

from __future__ import annotations

import json
from pathlib import Path

from cabledesk import Archive, to_dict
from cabledesk.redact import FULL, Viewer
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE

PUBLIC = Viewer(redact=True, published_only=True)


def visitor_answer(archive: Archive, query: str) -> list[tuple[str, float]]:
    found = archive.search(query, limit=50, facets=False, viewer=PUBLIC)
    return [(hit.reference_id, hit.score) for hit in found.hits]


def test_unpublished_cables_do_not_move_the_publics_ranking(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "archive") as archive:
        archive.ingest([SAMPLE], workers=1)
        published = list(archive.matching_ids("", viewer=FULL, blank_matches_all=True))[:30]
        archive.approve(published)
        archive.record_edition(None, "test")
        queries = ["embassy", "government minister", "iran OR iraq", "security"]
        before = {q: visitor_answer(archive, q) for q in queries}
        assert any(before.values())
        release = tmp_path / "cables.csv"
        write_corpus(release, 600, 5, [SAMPLE])
        archive.ingest([release], workers=1)
        after = {q: visitor_answer(archive, q) for q in queries}
    # The same hits, in the same order, with the same scores: the public's BM25 is
    # computed over the edition's own index.
    assert after == before
    assert any(score > 0 for answer in after.values() for _, score in answer)


def test_new_text_of_a_published_cable_is_not_found_by_the_public(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "archive") as archive:
        archive.ingest([SAMPLE], workers=1)
        archive.approve(["08BAGHDAD1784"])
        archive.record_edition(None, "test")
        assert archive.search('"magic key"', viewer=PUBLIC).total == 1
        record = to_dict(archive.get("08BAGHDAD1784", viewer=Viewer()))
        record["paragraphs"][0]["text"] += " Zanzibarian marmalade unapproved."
        record["text"] += " Zanzibarian marmalade unapproved."
        record["raw"] += "\nZanzibarian marmalade unapproved."
        changed = tmp_path / "changed.jsonl"
        changed.write_text(json.dumps(record) + "\n")
        assert archive.ingest([changed], workers=1).updated == 1
        # Editors find the new text; the public keeps the version approved.
        assert archive.search("zanzibarian", viewer=Viewer()).total == 1
        assert archive.search("zanzibarian", viewer=PUBLIC).total == 0
        hits = archive.search('"magic key"', viewer=PUBLIC).hits
        assert [h.reference_id for h in hits] == ["08BAGHDAD1784"]
        assert "Zanzibarian" not in hits[0].passage
        assert archive.check() == []
