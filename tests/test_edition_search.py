"""The edition's search index (issue 16, "Search at a few hundred KB"): phrases match
phrases, every shard stays small whatever the edition, the postings are ordered by impact
and cut into blocks, and a spool split for memory gives the same postings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cabledesk import Archive
from cabledesk.publish import build_site, search_index
from cabledesk.publish.edition import approved_view
from cabledesk.publish.search_index import IndexWriter, write_index
from edition_fixtures import edition_archive, entry, ids, load, phrase, postings


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return edition_archive(tmp_path_factory.mktemp("edition-search"))


@pytest.fixture(scope="module")
def site(archive_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition-site") / "site"
    with Archive.open(archive_path) as archive:
        build_site(archive, out)
    return out


def test_a_phrase_matches_the_words_in_a_row_only(site: Path) -> None:
    search = site / "search"
    quds_force = phrase(search, ["quds", "force"])
    assert "08BAGHDAD9001" in quds_force and "08BAGHDAD9002" not in quds_force
    # Both words are in 08BAGHDAD9002 too, apart: the words alone find it.
    quds = ids(search, [c for c, _, _ in postings(search, "quds")])
    force = ids(search, [c for c, _, _ in postings(search, "force")])
    assert {"08BAGHDAD9001", "08BAGHDAD9002"} <= quds & force
    # Three words: both pairs are in 08BAGHDAD9004, never in a row.
    words = ["qarwen", "brigade", "tolmar"]
    assert ids(search, [c for c, _, _ in postings(search, "brigade tolmar")]) == {
        "08BAGHDAD9003",
        "08BAGHDAD9004",
    }
    assert phrase(search, words) == {"08BAGHDAD9003"}
    # A pair never spans two texts (the subject and the first paragraph).
    assert postings(search, "visitors officers") == []


def test_the_site_holds_no_file_that_grows_with_the_edition(site: Path) -> None:
    search = site / "search"
    meta = load(search / "meta.json")
    assert meta["docs"] == 304 and meta["format"] == search_index.FORMAT
    assert not (search / "docs.json").exists()
    assert len(load(search / "d" / "0.json")) == search_index.DOC_CHUNK
    sizes = [p.stat().st_size for p in (search / "t").iterdir()]
    assert max(sizes) <= search_index.LEAF_BYTES + 4_000
    for block in (search / "b").rglob("*.json"):
        assert len(load(block)) > 0


def test_postings_come_by_impact_and_in_blocks(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    search = site / "search"
    the = postings(search, "the")
    found, _ = entry(search, "the")
    assert found is not None and found[0] == len(the) > search_index.INLINE
    assert not isinstance(found[1], list)  # in block files
    levels = [level for _, level, _ in the]
    assert levels == sorted(levels, reverse=True) and levels[0] > levels[-1]
    # Every cable holding a word is in its postings once.
    assert len({c for c, _, _ in the}) == len(the)


def test_shards_split_by_size_and_every_term_is_found(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive.open(archive_path) as archive:
        cables = approved_view(archive).cables
    write_index(cables, tmp_path / "whole")
    # Small shards, small spool files: the tree goes deeper, the spool is split by the
    # next character of its terms (the path that bounds memory at a release's size).
    monkeypatch.setattr(search_index, "LEAF_BYTES", 600)
    monkeypatch.setattr(search_index, "NODE_BYTES", 200)
    monkeypatch.setattr(search_index, "BUCKET_BYTES", 20_000)
    write_index(cables, tmp_path / "split")
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert len(list((split / "t").iterdir())) > 3 * len(list((whole / "t").iterdir()))
    depths = {
        len(bytes.fromhex(p.stem).decode("utf-8", "replace")) for p in (split / "t").iterdir()
    }
    assert max(depths) >= 5
    terms = set()
    for path in (whole / "t").iterdir():
        terms |= set(load(path)["t"])
    sample = sorted(terms)[::37]
    assert len(sample) > 100 and any(" " in t for t in sample)
    for term in sample:
        assert postings(split, term) == postings(whole, term), term
        _, read = entry(split, term)
        assert len(read) <= len(term)
    # A word not in any cable is not found, in either.
    assert entry(whole, "zzqqx")[0] is None and entry(split, "zzqqx")[0] is None


def test_the_index_built_in_any_order_is_the_index_built_in_order(
    archive_path: Path, tmp_path: Path
) -> None:
    with Archive.open(archive_path) as archive:
        cables = approved_view(archive).cables
    write_index(cables, tmp_path / "ordered")
    # Backwards, spooled to disk every few hundred postings.
    writer = IndexWriter(tmp_path / "shuffled", tmp_path / "spool", spool_at=300)
    for number in reversed(range(len(cables))):
        writer.add(number, cables[number])
    writer.finish([search_index.document(c) for c in cables])

    def files(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }

    ordered, shuffled = files(tmp_path / "ordered"), files(tmp_path / "shuffled")
    assert len(ordered) > 50 and any(name.startswith("b/") for name in ordered)
    assert shuffled == ordered
    assert not (tmp_path / "spool").exists()
    assert json.loads(ordered["meta.json"])["docs"] == len(cables)


def _index_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("after", [0, 5])
def test_the_finish_shared_with_helper_processes_writes_the_same_index(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    """The buckets dealt to forked helpers (the site's page workers' count) give the
    same files as one process writing them all, buckets split to disk included (the
    helpers split theirs side by side in the same spool)."""
    with Archive.open(archive_path) as archive:
        cables = approved_view(archive).cables
    monkeypatch.setattr(search_index, "BUCKET_BYTES", 20_000)
    docs = [search_index.document(c) for c in cables]
    write_buckets = IndexWriter._write_buckets
    by = tmp_path / "written-by"
    by.mkdir()

    def noting(self: IndexWriter, buckets: list[int]) -> int:
        (by / str(os.getpid())).write_text(str(len(buckets)))
        return write_buckets(self, buckets)

    monkeypatch.setattr(IndexWriter, "_write_buckets", noting)
    asked: list[bool] = []

    def when() -> bool:
        # The machine has room for helpers from the `after`th bucket on.
        asked.append(len(asked) >= after)
        return asked[-1]

    for helpers in (0, 2):
        writer = IndexWriter(tmp_path / str(helpers), tmp_path / f"spool{helpers}", spool_at=500)
        for number, cable in enumerate(cables):
            writer.add(number, cable)
        asked.clear()
        writer.finish(docs, helpers=helpers, when=when)
        if helpers:
            # Asked before each bucket until it said yes, then no more.
            assert asked == [False] * after + [True]
        if helpers == 0:
            assert [p.name for p in by.iterdir()] == [str(os.getpid())]
            (by / str(os.getpid())).unlink()
    # Three processes wrote buckets, none empty-handed.
    assert len(list(by.iterdir())) == 3 and all(int(p.read_text()) for p in by.iterdir())
    one, shared = _index_files(tmp_path / "0"), _index_files(tmp_path / "2")
    assert len(one) > 50 and any(name.startswith("b/") for name in one)
    assert shared == one
    assert not (tmp_path / "spool2").exists()


def test_a_helper_that_fails_fails_the_finish(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive.open(archive_path) as archive:
        cables = approved_view(archive).cables
    parent = os.getpid()
    write_buckets = IndexWriter._write_buckets

    def failing_elsewhere(self: IndexWriter, buckets: list[int]) -> int:
        if os.getpid() != parent:
            raise OSError("no space left on device")
        return write_buckets(self, buckets)

    monkeypatch.setattr(IndexWriter, "_write_buckets", failing_elsewhere)
    writer = IndexWriter(tmp_path / "index", tmp_path / "spool")
    for number, cable in enumerate(cables):
        writer.add(number, cable)
    with pytest.raises(search_index.PublishError, match="search index failed"):
        writer.finish([search_index.document(c) for c in cables], helpers=1)


def test_the_parts_searched_are_the_same_read_from_the_record_dict(archive_path: Path) -> None:
    """The second pass of a full build reads the texts searched from the cached record
    (a dict) without building the Cable: the same parts, in the same order."""
    from cabledesk.record.codec import to_dict

    with Archive.open(archive_path) as archive:
        cables = approved_view(archive).cables
    assert len(cables) > 20
    for cable in cables:
        expected = search_index.searchable_parts(cable)
        assert search_index.searchable_parts_of(to_dict(cable)) == expected
    assert any(cable.references for cable in cables)
    assert any(p.heading for cable in cables for p in cable.paragraphs)
