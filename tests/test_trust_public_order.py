"""The public's results depend on nothing but the published edition (trust review #15)."""

from __future__ import annotations

from pathlib import Path

from cabledesk.archive import Archive, editorial
from cabledesk.redact import Viewer
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE

PUBLIC = Viewer(redact=True, published_only=True)


def visitor_answer(archive: Archive, query: str) -> list[tuple[str, float]]:
    found = archive.search(query, limit=50, facets=False, viewer=PUBLIC)
    return [(hit.reference_id, hit.score) for hit in found.hits]


def test_unpublished_cables_do_not_move_the_publics_ranking(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "archive") as archive:
        archive.ingest([SAMPLE], workers=1)
        published = list(archive.matching_ids("", blank_matches_all=True))[:30]
        archive.approve(published)
        editorial.record_edition(archive, None, "test")
        queries = ["embassy", "government minister", "iran OR iraq", "security"]
        before = {q: visitor_answer(archive, q) for q in queries}
        assert any(before.values())
        release = tmp_path / "cables.csv"
        write_corpus(release, 600, 5, [SAMPLE])
        archive.ingest([release], workers=1)
        after = {q: visitor_answer(archive, q) for q in queries}
    assert after == before
    # And no score derived from the whole index reaches a visitor.
    assert all(score == 0.0 for answer in after.values() for _, score in answer)
