"""The search index updated incrementally (format 4, `search_index.IndexUpdate`): after
cables are added, withdrawn and redacted, the previous edition's index plus the files the
update writes, minus the files it reports deleted, is byte for byte the index a full
build writes with the same cable numbers (slots) and the frozen average; and the update
writes only files whose bytes change. Small constants make every path run: terms moving
between inline and blocks, levels gaining and losing blocks, shards split and merged."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from cabledesk.publish import search_index
from cabledesk.publish.errors import PublishError
from cabledesk.record.model import Cable, Paragraph
from edition_fixtures import decode
from test_edition_search_reference import SMALL, generated


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def full(
    edition: dict[int, Cable], size: int, folder: Path, average: float | None
) -> tuple[int, float]:
    writer = search_index.IndexWriter(folder / "search", folder / "spool", average=average)
    for number in sorted(edition, reverse=True):  # any order
        writer.add(number, edition[number])
    docs = [search_index.document(edition[n]) if n in edition else None for n in range(size)]
    terms = writer.finish(docs)
    return terms, writer.average


def redacted(cable: Cable, rng: random.Random) -> Cable:
    """The cable with a paragraph withheld, or a word of its subject blacked out."""
    if cable.paragraphs and rng.random() < 0.7:
        at = rng.randrange(len(cable.paragraphs))
        paragraphs = list(cable.paragraphs)
        paragraphs[at] = dataclasses.replace(paragraphs[at], text="█ withheld █")
        return dataclasses.replace(cable, paragraphs=paragraphs)
    words = (cable.subject or "quds force").split()
    words[rng.randrange(len(words))] = "█"
    return dataclasses.replace(cable, subject=" ".join(words))


@pytest.mark.parametrize(
    ("constants", "helpers"),
    [({}, 0), (SMALL, 0), (SMALL, 2)],
    ids=["default", "small", "small-two-helpers"],
)
def test_updates_equal_full_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, constants: dict[str, int], helpers: int
) -> None:
    for name, value in constants.items():
        monkeypatch.setattr(search_index, name, value)
    rng = random.Random(16)
    pool = generated(420, seed=5)
    edition = dict(enumerate(pool[:300]))
    size = 300
    live = tmp_path / "live"
    _, average = full(edition, size, live, None)
    shutil.rmtree(live / "spool", ignore_errors=True)
    waiting = pool[300:]
    gone: dict[int, Cable] = {}
    spliced = 0
    for round_ in range(3):
        previous = dict(edition)
        numbers = sorted(edition)
        withdrawn = rng.sample(numbers, 12)
        changed = rng.sample([n for n in numbers if n not in withdrawn], 15)
        for number in withdrawn:
            del edition[number]
        for number in changed:
            edition[number] = redacted(edition[number], rng)
        # Entering: new cables after the highest slot.
        for _ in range(20):
            edition[size] = waiting.pop()
            size += 1
        if gone:
            # A cable withdrawn from the edition before comes back under its old number.
            number, cable = gone.popitem()
            edition[number] = cable
        gone.update({n: previous[n] for n in withdrawn})
        update = search_index.IndexUpdate(live / "search", tmp_path / "new" / "search", average)
        for number in sorted(previous):
            if edition.get(number) is not previous[number]:
                update.remove(number, previous[number])
        for number in sorted(edition):
            if previous.get(number) is not edition[number]:
                update.add(number, edition[number])
        docs = [search_index.document(edition[n]) if n in edition else None for n in range(size)]
        touched = [n for n in range(size) if previous.get(n) is not edition.get(n)]
        # Helper processes take buckets from the queue from `start` on, this one at `finish`.
        update.start(helpers=helpers)
        assert (update.helpers is not None) == bool(helpers)
        terms = update.finish(docs, touched, "cable/")
        if not helpers:
            # Blocks edited in place (_splice) and blocks cut again, both compared below.
            spliced += update.spliced
        expected_terms, _ = full(edition, size, tmp_path / f"full{round_}", average)
        expected = files(tmp_path / f"full{round_}" / "search")
        old = files(live / "search")
        written = files(tmp_path / "new" / "search")
        # Only what changes is written; what is deleted existed and is gone.
        assert written and all(old.get(name) != data for name, data in written.items())
        assert update.deleted and all(name in old for name in update.deleted)
        assert not set(update.deleted) & set(expected)
        # The previous index, the files written, the files deleted: the full build.
        for name, data in written.items():
            path = live / "search" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for name in update.deleted:
            os.unlink(live / "search" / name)
        merged = files(live / "search")
        assert sorted(merged) == sorted(expected)
        assert [name for name in expected if merged[name] != expected[name]] == []
        assert terms == expected_terms
        shutil.rmtree(tmp_path / "new")
    # Blocks moved in and out of use, at several levels.
    assert any(name.startswith("b/") for name in expected)
    assert spliced > 0 or helpers
    if constants:
        # Blocks cut after a boundary cable and blocks cut by the bound (format 5).
        blocks = [name for name in expected if name.startswith("b/")]
        ends = [int(name.rsplit("-", 1)[1][: -len(".json")]) for name in blocks]
        counts = set()
        for name in blocks:
            pair = " " in bytes.fromhex("".join(name.split("/")[1:-1])).decode("utf-8")
            counts.add(len(decode(json.loads(expected[name]), pair)))
        bounds = {
            size * search_index.BLOCK_MAX for size in (search_index.BLOCK, search_index.PAIR_BLOCK)
        }
        assert any(search_index.is_boundary(last, search_index.PAIR_BLOCK) for last in ends)
        assert counts & bounds and max(counts) <= max(bounds)


def test_a_cable_keeps_its_postings_when_nothing_it_shows_changed(tmp_path: Path) -> None:
    cables = {n: Cable(subject=f"quds force {n}", paragraphs=[Paragraph(1, None, None, "x y")])
              for n in range(40)}  # fmt: skip
    _, average = full(cables, 40, tmp_path / "a", None)
    update = search_index.IndexUpdate(tmp_path / "a" / "search", tmp_path / "b", average)
    update.remove(7, cables[7])
    update.add(7, cables[7])
    assert (
        update.finish([search_index.document(cables[n]) for n in range(40)], [7], "x/")
        == (full(cables, 40, tmp_path / "c", average)[0])
    )
    # The document rows and meta.json are unchanged too (cable_path aside).
    assert sorted(files(tmp_path / "b")) in ([], ["meta.json"])
    assert update.deleted == []


def test_a_failing_helper_fails_the_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pool = generated(60, seed=3)
    edition = dict(enumerate(pool[:50]))
    _, average = full(edition, 50, tmp_path / "live", None)
    update = search_index.IndexUpdate(tmp_path / "live" / "search", tmp_path / "new", average)
    for number in range(5):
        update.remove(number, edition[number])
    parent = os.getpid()
    taking = search_index.IndexUpdate._take_buckets

    def failing(self: search_index.IndexUpdate, share: list[int]) -> tuple[int, int, list[str]]:
        if os.getpid() != parent:
            raise OSError("disk full")
        return taking(self, share)

    monkeypatch.setattr(search_index.IndexUpdate, "_take_buckets", failing)
    update.start(helpers=1)
    docs = [search_index.document(c) if n >= 5 else None for n, c in edition.items()]
    with pytest.raises(PublishError, match="writing the search index failed"):
        update.finish(docs, range(5), "cable/")
    assert update.helpers is None
