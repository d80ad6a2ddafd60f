"""The vectorised index writer (`search_index.IndexWriter`) writes the same bytes as the
first writer of format 3, kept as `edition_search_reference` (issue 16: the index built 5x
faster, the same files): generated cables with the odd cases, the corpus's cables, added
in any order, spooled in many batches, with constants small enough that every path runs
(blocks, split shards, split buckets, the deepest prefix)."""

from __future__ import annotations

import random
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import edition_search_reference as reference
from cabledesk import Archive
from cabledesk.publish import search_index
from cabledesk.publish.edition import approved_view
from cabledesk.record.model import Cable, Paragraph, Reference
from edition_fixtures import edition_archive

SMALL = {
    "LEAF_BYTES": 600,
    "NODE_BYTES": 200,
    "BUCKET_BYTES": 20_000,
    "INLINE": 8,
    "BLOCK": 20,
    "PAIR_BLOCK": 7,
}
ODD_WORDS = [
    "Ürümqi",
    "İstanbul",  # lower case is two code points: i and a combining dot
    "straße",
    "ΑΘΗΝΑ",
    "\u212a",  # the Kelvin sign: k in lower case
    "naïve",
    "Ω",
    "北京",
    "foo_bar",
    "U.S.",
    "x" * 70,
    "x" * 69 + "y",
    "1",
    "a",
    "2009",
]
COMMON = ["the", "of", "and", "to", "in", "embassy", "minister", "iran", "force", "quds"]


def text(rng: random.Random, words: int) -> str:
    pool = [*COMMON, *ODD_WORDS, *(f"w{rng.randrange(400)}" for _ in range(20))]
    weights = [30.0 / (i + 1) for i in range(len(pool))]
    chosen = rng.choices(pool, weights, k=words)
    separators = [" ", " ", " ", ", ", ". ", " — ", " █ ", "\n"]
    return "".join(w + rng.choice(separators) for w in chosen)


def generated(count: int, seed: int = 16) -> list[Cable]:
    rng = random.Random(seed)
    cables = [
        Cable(),  # no text at all
        Cable(subject="Quds"),  # one word
        Cable(subject="quds force quds force quds force", paragraphs=[]),  # a pair again
        Cable(subject="█ █", paragraphs=[Paragraph(1, None, "İİ", "— ÜÜ ü")]),
    ]
    while len(cables) < count:
        paragraphs = [
            Paragraph(i, None, text(rng, 2) if rng.random() < 0.2 else None, text(rng, 60))
            for i in range(rng.randrange(0, 6))
        ]
        references = [Reference(label="A", text=text(rng, 5))] if rng.random() < 0.3 else []
        cables.append(
            Cable(
                reference_id=f"09GEN{len(cables)}",
                subject=text(rng, 6) if rng.random() < 0.9 else None,
                paragraphs=paragraphs,
                references=references,
            )
        )
    return cables


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def build(
    module: ModuleType, cables: list[Cable], folder: Path, spool_at: int, order: list[int]
) -> int:
    writer = module.IndexWriter(folder / "search", folder / "spool", spool_at=spool_at)
    for number in order:
        writer.add(number, cables[number])
    terms: int = writer.finish([module.document(c) for c in cables])
    return terms


def same_bytes(
    cables: list[Cable],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    constants: dict[str, int],
    spool_at: int = 1_000_000,
    shuffle: bool = False,
) -> dict[str, bytes]:
    for name, value in constants.items():
        monkeypatch.setattr(reference, name, value)
        monkeypatch.setattr(search_index, name, value)
    order = list(range(len(cables)))
    if shuffle:
        random.Random(7).shuffle(order)
    old = build(reference, cables, tmp_path / "old", 1_000_000, list(range(len(cables))))
    new = build(search_index, cables, tmp_path / "new", spool_at, order)
    before, after = files(tmp_path / "old" / "search"), files(tmp_path / "new" / "search")
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], name
    assert new == old
    assert not (tmp_path / "new" / "spool").exists()
    return after


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Cable]:
    path = edition_archive(tmp_path_factory.mktemp("edition-reference"))
    with Archive.open(path) as archive:
        return approved_view(archive).cables


def test_generated_cables_with_the_odd_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = same_bytes(generated(300), tmp_path, monkeypatch, {})
    shards = [name for name in written if name.startswith("t/")]
    terms = set()
    for name in shards:
        terms |= set(eval_shard(written[name]))
    # The odd words are terms, as WORD cuts them (İ is i and a combining dot in lower case).
    for term in (
        "ürümqi",
        "i\u0307stanbul",
        "straße",
        "αθηνα",
        "k",
        "北京",
        "foo",
        "bar",
        "x" * 70,
    ):
        assert term in terms, term
    assert "quds force" in terms and any(name.startswith("b/") for name in written)


def eval_shard(data: bytes) -> dict[str, object]:
    import json

    shard: dict[str, object] = json.loads(data)["t"]
    return shard


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_path_small_constants_many_spool_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shuffle: bool
) -> None:
    written = same_bytes(
        generated(200, seed=3), tmp_path, monkeypatch, SMALL, spool_at=700, shuffle=shuffle
    )
    names = [bytes.fromhex(n[2:-5]).decode() for n in written if n.startswith("t/")]
    # Buckets were split (prefixes of three characters and more at the top of the tree).
    assert max(len(n) for n in names) >= 6 and len(names) > 200
    assert sum(n.startswith("b/") for n in written) > 50


def test_the_deepest_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cables = [
        Cable(subject=" ".join(["x" * 70, "x" * 69 + "y", "x" * 68 + "z"] * k))
        for k in range(1, 60)
    ]
    same_bytes(cables, tmp_path, monkeypatch, {**SMALL, "MAX_DEPTH": 8, "BUCKET_BYTES": 2_000})


def test_the_corpus_cables(
    corpus: list[Cable], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    same_bytes(corpus, tmp_path / "default", monkeypatch, {})
    same_bytes(corpus, tmp_path / "small", monkeypatch, SMALL, spool_at=5_000, shuffle=True)


def test_numbers_are_written_as_python_writes_them() -> None:
    values = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 10_001, 123_456, 99_999_999]
    for numbers in (values, values[:9], [10**8, 7, 10**12]):
        array = np.array(numbers, dtype=np.int64)
        text, ends = search_index._format(array)
        expected = ",".join(map(str, numbers)) + ","
        assert text.decode() == expected
        assert ends.tolist() == [
            len(",".join(map(str, numbers[: i + 1]))) + 1 for i in range(len(numbers))
        ]
    assert search_index._format(np.zeros(0, dtype=np.int64))[0] == b""
