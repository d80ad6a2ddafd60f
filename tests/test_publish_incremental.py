"""Incremental editions (issue 16): the next edition, built on the previous edition's
folder after cables were added, withdrawn and redacted, is byte for byte the edition a
full build makes, and reads and renders only what changed."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cabledesk import Archive
from cabledesk.archive.store import unpack
from cabledesk.publish import build_site
from cabledesk.redact.model import Rule
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE

EPOCH = "1764590400"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 600 generated cables, the first 450 approved."""
    root = tmp_path_factory.mktemp("incremental")
    csv = root / "cables.csv"
    write_corpus(csv, 600, 17, [SAMPLE])
    with Archive.open(root / "archive") as archive:
        archive.ingest([csv], workers=1)
        ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
        archive.approve(ids[:450])
    return root / "archive"


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def folders(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_dir()}


def a_name(archive: Archive, ids: list[str]) -> str:
    """A capitalised word of the paragraphs of a few of `ids` (2 to 12 of them)."""
    counts: Counter[str] = Counter()
    for reference_id in ids:
        row = archive.connection.execute(
            "SELECT record FROM cables WHERE reference_id = ?", (reference_id,)
        ).fetchone()
        text = " ".join(p.text for p in unpack(row[0]).paragraphs)
        counts.update(set(re.findall(r"\b[A-Z][a-z]{6,}\b", text)))
    return next(w for w, n in counts.most_common() if 2 <= n <= 12)


def test_the_next_edition_built_on_the_last_is_a_full_build(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    work = tmp_path / "a"
    shutil.copytree(release, work / "archive")
    with Archive.open(work / "archive") as archive:
        first = build_site(archive, work / "site", page_size=20)
        assert not first.incremental
        approved = sorted(
            r[0] for r in archive.connection.execute("SELECT reference_id FROM approvals")
        )
        waiting = [
            r[0]
            for r in archive.connection.execute(
                "SELECT reference_id FROM cables WHERE reference_id NOT IN "
                "(SELECT reference_id FROM approvals) ORDER BY id"
            )
        ]
        name = a_name(archive, approved[:150])
        archive.approve(waiting[:25])
        archive.withdraw(approved[::30])
        archive.redact(Rule(kind="name", text=name, reason="test"))
        archive.redact(Rule(kind="paragraph", cable_id=approved[7], paragraph=1, reason="test"))
    # The same archive twice: one builds on its previous edition, the other in full.
    shutil.copytree(work, tmp_path / "b")
    with Archive.open(work / "archive") as archive:
        again = build_site(archive, work / "site", page_size=20)
    with Archive.open(tmp_path / "b" / "archive") as archive:
        whole = build_site(archive, tmp_path / "b" / "site", page_size=20, full=True)
    assert again.incremental and not whole.incremental
    assert (again.edition, again.cables, again.pages, again.terms) == (
        whole.edition,
        whole.cables,
        whole.pages,
        whole.terms,
    )
    # Read again: the 25 added, the redacted ones; never the whole edition.
    assert 25 < again.read < whole.read / 2
    assert again.rendered < whole.rendered
    built, expected = files(work / "site"), files(tmp_path / "b" / "site")
    assert built.keys() == expected.keys()
    assert [p for p in built if built[p] != expected[p]] == []
    assert folders(work / "site") == folders(tmp_path / "b" / "site")
    # The new redaction is burned into every page (it was on some before).
    assert all(name.encode() not in data for path, data in built.items() if "cable/" in path)
    with Archive.open(work / "archive") as archive:
        assert archive.edition_index.verify(archive.connection) == []
    # No leftovers beside the site.
    assert sorted(p.name for p in work.iterdir()) == ["archive", "site"]


def test_a_changed_folder_or_full_builds_everything(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    shutil.copytree(release, tmp_path / "archive")
    site = tmp_path / "site"
    with Archive.open(tmp_path / "archive") as archive:
        build_site(archive, site)
        nothing = build_site(archive, site)
        assert nothing.incremental and nothing.read == 0
        assert build_site(archive, site, full=True).incremental is False
        # edition.json is not the one the cache describes: built in full.
        manifest = site / "edition.json"
        manifest.write_text(manifest.read_text() + " ")
        assert build_site(archive, site).incremental is False
        # Another folder: in full, and the first folder is no longer the cache's.
        assert build_site(archive, tmp_path / "other").incremental is False
        assert build_site(archive, site).incremental is False
        # A different page size: in full.
        assert build_site(archive, site, page_size=7).incremental is False
