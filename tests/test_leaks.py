"""Leak tests: for random sets of redactions, no redacted string reaches any public output
(every page of the built site, its search index, data releases, public searches with
their snippets and facets, exports); and no withheld paragraph reaches a reader below it.

Runs over the bundled sample, and over the shared corpus when it is beside the checkout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cabledesk
from cabledesk.archive import Archive
from cabledesk.publish import build_site
from cabledesk.publish.data import write_data
from cabledesk.record.model import Cable
from cabledesk.redact import Rule, Viewer
from cabledesk.redact.ceiling import portion
from conftest import CORPUS, SAMPLE

_NAME = re.compile(r"\b[A-Z][a-z]{3,}(?: [A-Z][a-z]{3,})?\b")
_WORD = re.compile(r"[^\W_]+")


def leaks(text: str, name: str) -> bool:
    words = _WORD.findall(name)
    pattern = r"(?<![^\W\d_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W\d_])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def structure_text(cable: Cable) -> str:
    """Text that is structure, not prose (ids, origins, addresses, TAGS): a name found
    there is not a fair test of redaction, so such names are not drawn."""
    header = cable.header
    parts = [cable.reference_id or "", cable.origin or "", header.from_ or "", *cable.tags]
    parts += [a.name for a in (*header.to, *header.info)]
    parts += [r.cable_id or "" for r in cable.references]
    return " ".join(parts)


def corpus_paths() -> list[Path]:
    return [SAMPLE, CORPUS / "cable"] if (CORPUS / "cable").exists() else [SAMPLE]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, list[str], Path]]:
    folder = tmp_path_factory.mktemp("leaks")
    archive = Archive.open(folder / "archive")
    archive.ingest(corpus_paths(), workers=2)
    ids = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
    cables = [c for c in (archive.get(i) for i in ids) if c is not None]
    structure = " ".join(structure_text(c) for c in cables)
    names = sorted(
        {
            m.group(0)
            for c in cables
            for p in c.paragraphs
            for m in _NAME.finditer(p.text)
            if not leaks(structure, m.group(0))
        }
    )
    archive.approve(ids[:60] + [c.reference_id for c in cables if c.redactions.count][:20])
    yield archive, names, folder
    archive.close()


def public_outputs(archive: Archive, folder: Path, names: list[str]) -> Iterator[tuple[str, str]]:
    """(where, text) of everything the public receives."""
    site = folder / "site"
    build_site(archive, site, account="test")
    for path in site.rglob("*"):
        if path.is_file():
            yield str(path.relative_to(site)), path.read_text(encoding="utf-8")
    data = folder / "edition.jsonl"
    write_data(archive, data, "jsonl")
    yield "edition.jsonl", data.read_text(encoding="utf-8")
    public = Viewer(redact=True, published_only=True, rules=archive.rules())
    for name in names:
        result = archive.search(f'"{name}"', limit=50, viewer=public)
        yield f"search {name!r}: total", "" if result.total == 0 else f"{result.total} hits"
        for hit in result.hits:
            yield f"search {name!r}: hit {hit.reference_id}", f"{hit.subject} {hit.passage}"
        facets = " ".join(v for buckets in result.facets.values() for v, _ in buckets)
        yield f"search {name!r}: facets", facets
    for hit in archive.search("", blank_matches_all=True, limit=100, viewer=public).hits:
        yield f"browse hit {hit.reference_id}", f"{hit.subject} {hit.passage} {hit.snippet}"
    for cable in archive.export("", sort="date", viewer=public, blank_matches_all=True):
        yield f"export {cable.reference_id}", cabledesk.to_json(cable)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_redacted_name_reaches_the_public(
    world: tuple[Archive, list[str], Path], data: st.DataObject
) -> None:
    archive, names, folder = world
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    marked = [archive.redact(Rule(kind="name", text=n, reason="leak test")) for n in chosen]
    try:
        for where, text in public_outputs(archive, folder, chosen):
            for name in chosen:
                assert not leaks(text, name), f"{name!r} leaked in {where}"
        public = Viewer(redact=True, published_only=True, rules=archive.rules())
        for name in chosen:
            assert archive.search(f'"{name}"', viewer=public).total == 0
    finally:
        for rule in marked:
            archive.lift(rule.id or 0, reason="end of example")


def _words_by_level(archive: Archive) -> tuple[set[str], set[str]]:
    """Words of SECRET-and-above text, and words of text a CONFIDENTIAL reader sees."""
    high: set[str] = set()
    low: set[str] = set()
    ids = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
    for cable in (archive.get(i) for i in ids):
        assert cable is not None
        seen = Viewer(ceiling=1, redact=True).view(cable)
        low.update(w.lower() for w in _WORD.findall(cabledesk.to_json(seen)))
        for p in cable.paragraphs:
            rank, _ = portion(p.marking, cable.classification, cable.caveats)
            if rank >= 2:
                high.update(w.lower() for w in _WORD.findall(p.text) if len(w) > 5)
    return high - low, low


def test_a_confidential_reader_never_meets_secret_text(
    world: tuple[Archive, list[str], Path],
) -> None:
    archive, _, _ = world
    secret_only, _ = _words_by_level(archive)
    assert len(secret_only) > 20
    reader = Viewer(ceiling=1, redact=True, rules=archive.rules())
    for word in sorted(secret_only)[:200]:
        result = archive.search(word, viewer=reader)
        assert result.total == 0, word
        assert not any(result.facets.values()), word
    for cable in archive.export("", sort="date", viewer=reader, blank_matches_all=True):
        words = {w.lower() for w in _WORD.findall(cabledesk.to_json(cable))}
        assert not (words & secret_only), cable.reference_id
    ids = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
    for reference_id in ids:
        seen = archive.get(reference_id, viewer=reader)
        assert seen is not None
        words = {w.lower() for w in _WORD.findall(cabledesk.to_json(seen))}
        assert not (words & secret_only), reference_id
