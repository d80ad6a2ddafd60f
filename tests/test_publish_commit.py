"""The incremental edition committed into the live site in place (issue 16; commit.py):
a failure at any point of the commit leaves a journal the next build resolves, rolling
the site forward to the edition the archive recorded (or dropping a commit that never
began), so no build starts from a half-committed site; a full build over a site swaps
the trees and removes the old one without waiting for it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from cabledesk import Archive
from cabledesk.publish import build_site, cache, commit
from cabledesk.redact.model import Rule
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE
from test_publish_incremental import EPOCH, files, folders

PAGE = 20


class Boom(RuntimeError):
    pass


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A folder (archive, site) holding edition 1 of 150 cables and changes made since
    (12 approved, 8 withdrawn, a paragraph redacted), and edition 1's files."""
    root = tmp_path_factory.mktemp("commit")
    csv = root / "cables.csv"
    write_corpus(csv, 220, 19, [SAMPLE])
    # Built where every test works (restore): a snapshot kept in "state".
    state, work = root / "state", root / "work"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with Archive.open(work / "archive") as archive:
            archive.ingest([csv], workers=1)
            ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
            archive.approve(ids[:150])
            build_site(archive, work / "site", page_size=PAGE)
            archive.approve(ids[150:162])
            archive.withdraw(ids[:150:19])
            archive.redact(Rule(kind="paragraph", cable_id=ids[3], paragraph=1, reason="t"))
    shutil.copytree(work, state)
    return state, files(state / "site")


def restore(changed: tuple[Path, dict[str, bytes]]) -> Path:
    """A fresh copy of the state, always at the same place (the cache names its site's
    folder: a build elsewhere would be a full one)."""
    work = changed[0].with_name("work")
    if work.exists():
        # A full build's previous tree may be being removed in the background meanwhile.
        gone = work.with_name(f"gone-{time.monotonic_ns()}")
        work.rename(gone)
        shutil.rmtree(gone, ignore_errors=True)
    shutil.copytree(changed[0], work)
    return work


@pytest.fixture(scope="module")
def reference(
    changed: tuple[Path, dict[str, bytes]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, bytes], set[str], int]:
    """The next edition built without a failure: its files, folders, files moved."""
    work = restore(changed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with Archive.open(work / "archive") as archive:
            report = build_site(archive, work / "site", page_size=PAGE)
    assert report.incremental and report.deleted >= 8 and report.moved > 0
    # The files replaced and deleted were kept aside (linked, renamed: nothing freed by
    # the commit) and are removed in the background.
    assert gone_in_time(work, ["archive", "site"])
    return files(work / "site"), folders(work / "site"), report.moved


def gone_in_time(folder: Path, left: list[str]) -> bool:
    """Whether `folder` holds only `left` within a minute (the background removals)."""
    deadline = time.monotonic() + 60
    while sorted(p.name for p in folder.iterdir()) != left and time.monotonic() < deadline:
        time.sleep(0.1)
    return sorted(p.name for p in folder.iterdir()) == left


def failing_at(count: int, real: Any) -> Any:
    calls = {"n": 0}

    def call(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == count:
            raise Boom(f"call {count}")
        return real(*args, **kwargs)

    return call


@pytest.mark.parametrize(
    "where", ["record", "cache", "first move", "a middle move", "edition.json", "a deletion"]
)
def test_a_commit_cut_short_is_resolved_by_the_next_build(
    where: str,
    changed: tuple[Path, dict[str, bytes]],
    reference: tuple[dict[str, bytes], set[str], int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    before = changed[1]
    expected, expected_folders, moves = reference
    tmp_path = restore(changed)
    site = tmp_path / "site"
    with monkeypatch.context() as patch:
        if where == "record":
            patch.setattr(Archive, "record_edition", failing_at(1, Archive.record_edition))
        elif where == "cache":
            patch.setattr(cache.BuildCache, "commit", failing_at(1, cache.BuildCache.commit))
        elif where == "a deletion":
            patch.setattr(commit, "_remove", failing_at(3, commit._remove))
        else:
            at = {"first move": 1, "a middle move": moves // 2, "edition.json": moves}[where]
            patch.setattr(commit, "_replace", failing_at(at, commit._replace))
        with Archive.open(tmp_path / "archive") as archive, pytest.raises(Boom):
            build_site(archive, site, page_size=PAGE)
    folder = tmp_path / "archive" / cache.FOLDER
    assert (folder / commit.JOURNAL).exists()
    half = files(site)
    if where in ("record", "cache"):
        # Nothing is moved before the edition is recorded and cached.
        assert half == before
    elif where != "first move":
        assert half != before and half != expected
    with Archive.open(tmp_path / "archive") as archive:
        outcome = commit.recover(folder, archive.connection)
        assert not (folder / commit.JOURNAL).exists()
        assert not (tmp_path / "site.building").exists()
        if where == "record":
            # Never recorded: dropped, the site is edition 1; the next build is edition 2.
            assert outcome == "dropped" and files(site) == before
            again = build_site(archive, site, page_size=PAGE)
            assert again.incremental
            assert files(site) == expected and folders(site) == expected_folders
            return
        # Recorded: rolled forward to exactly the edition a commit without failure makes.
        assert outcome == "rolled forward"
        assert files(site) == expected and folders(site) == expected_folders
        again = build_site(archive, site, page_size=PAGE)
        # The cache had not committed: it describes edition 1, the site is edition 2.
        assert again.incremental is (where != "cache")
        if again.incremental:
            assert again.read == 0
        assert again.edition == 3


def test_a_commit_whose_building_folder_was_lost_is_never_built_on(
    changed: tuple[Path, dict[str, bytes]],
    reference: tuple[dict[str, bytes], set[str], int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    tmp_path = restore(changed)
    site = tmp_path / "site"
    with monkeypatch.context() as patch:
        patch.setattr(commit, "_replace", failing_at(reference[2] // 2, commit._replace))
        with Archive.open(tmp_path / "archive") as archive, pytest.raises(Boom):
            build_site(archive, site, page_size=PAGE)
    shutil.rmtree(tmp_path / "site.building")
    folder = tmp_path / "archive" / cache.FOLDER
    with Archive.open(tmp_path / "archive") as archive:
        assert commit.recover(folder, archive.connection) == "forgotten"
        assert not (folder / cache.NAME).exists()
        again = build_site(archive, site, page_size=PAGE)
    assert not again.incremental and again.edition == 3
    built = files(site)
    # The full build's edition 3 is edition 2 but for the number on the front pages.
    differ = sorted(
        p for p in built.keys() | reference[0].keys() if built.get(p) != reference[0].get(p)
    )
    assert differ == ["edition.json", "index.html", "search.html"]


def test_a_torn_journal_means_a_full_build(
    changed: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    tmp_path = restore(changed)
    folder = tmp_path / "archive" / cache.FOLDER
    (folder / commit.JOURNAL).write_text('{"site": "/x", "buil')
    with Archive.open(tmp_path / "archive") as archive:
        assert commit.recover(folder, archive.connection) == "forgotten"
        assert not (folder / commit.JOURNAL).exists()
        assert build_site(archive, tmp_path / "site", page_size=PAGE).incremental is False


def test_a_full_build_swaps_the_trees_and_removes_the_old_one_later(
    changed: tuple[Path, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(changed[0], tmp_path, dirs_exist_ok=True)
    site = tmp_path / "site"
    later: list[Path] = []
    real = commit.remove_later

    def remove_later(paths: Any) -> None:
        paths = list(paths)
        later.extend(paths)
        real(paths)

    monkeypatch.setattr(commit, "remove_later", remove_later)
    # A full build's leftover and a tree whose removal was cut short are removed too.
    (tmp_path / "site.building" / "cable").mkdir(parents=True)
    (tmp_path / "site.old-1-2").mkdir()
    with Archive.open(tmp_path / "archive") as archive:
        report = build_site(archive, site, page_size=PAGE, full=True)
    assert not report.incremental and (site / "edition.json").is_file()
    names = [p.name for p in later]
    assert "site.old-1-2" in names
    assert sum(n.startswith("site.building.old-") for n in names) == 1
    assert sum(n.startswith("site.old-") for n in names) == 2  # the stale one, the replaced
    assert gone_in_time(tmp_path, ["archive", "site"])


def test_the_commit_frees_nothing_itself(
    changed: tuple[Path, dict[str, bytes]],
    reference: tuple[dict[str, bytes], set[str], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the commit replaces or deletes is kept aside (replaced: linked first, deleted:
    renamed) in one folder beside the site, handed to the background removal."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    work = restore(changed)
    later: list[Path] = []
    monkeypatch.setattr(commit, "remove_later", lambda paths: later.extend(paths))
    with Archive.open(work / "archive") as archive:
        report = build_site(archive, work / "site", page_size=PAGE)
    assert report.incremental
    before, expected = changed[1], reference[0]
    assert files(work / "site") == expected
    assert [p.name.startswith("site.old-") for p in later] == [True]
    kept = sorted(p.read_bytes() for p in later[0].iterdir())
    gone = sorted(data for name, data in before.items() if expected.get(name) != data)
    assert kept == gone and len(kept) > report.deleted
