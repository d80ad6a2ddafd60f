"""Entity summaries per class of reader (archive/entity_views.py, docs/entities.md "Entity
reads at scale"): a summary gives every reader exactly what counting their visible
mentions gives; it is used only while the archive is as it was summarised (any change
makes it stale, and readers are answered from the mentions until a new one is built);
the cache is the owner's only and may be deleted or damaged without harm."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cabledesk.archive import entities as entity_store
from cabledesk.archive.entity_views import CACHE, Summaries
from cabledesk.facade import Archive
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer
from conftest import SAMPLE

EVERYTHING = Viewer()
MANAGUA = "10MANAGUA115"  # SECRET, paragraphs marked (S), (C) and (U)
PUBLISHED = [MANAGUA, "08BAGHDAD1784", "04RANGOON88"]


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entity-views") / "archive"
    with Archive.open(folder) as archive:
        assert archive.ingest([SAMPLE], workers=1).failed == 0
        assert archive.enrich(workers=0).mentions > 500
        archive.approve(PUBLISHED)
        archive.record_edition(None, "test")
    return folder


@pytest.fixture
def folder(enriched: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(enriched, target)
    return target


@contextmanager
def counted(archive: Archive) -> Iterator[None]:
    """Answers counted from the mentions, as when no summary is fresh."""
    archive._summaries.fresh = lambda connection, seen: None  # type: ignore[method-assign]
    archive._hidden_entities.clear()
    archive._shown_names.clear()
    try:
        yield
    finally:
        del archive._summaries.fresh
        archive._hidden_entities.clear()
        archive._shown_names.clear()


def readers(archive: Archive) -> dict[str, Viewer]:
    low = Viewer(ceiling=1, foreign=True, redact=True)  # CONFIDENTIAL, foreign
    low.compiled = archive.redactor()
    return {"everything": EVERYTHING, "public": archive.public_viewer(), "confidential": low}


def everything_about_entities(archive: Archive, viewer: Viewer) -> dict[str, Any]:
    listed = archive.entities(viewer=viewer, limit=100_000)
    by_kind = {
        kind: archive.entities(viewer=viewer, kind=kind, limit=20, offset=3)
        for kind in ("person", "org", "place", "post")
    }
    pages = {e.id: archive.entity(e.id, viewer=viewer) for e in listed}
    return {"listed": listed, "by_kind": by_kind, "pages": pages}


def fresh(archive: Archive, viewer: Viewer) -> bool:
    summaries = Summaries(archive.path, archive.path / "archive.db")
    summaries.request = lambda seen: None  # type: ignore[method-assign]
    try:
        return summaries.fresh(archive.connection, archive._seen(viewer)) is not None
    finally:
        summaries.close()


def build_all(archive: Archive) -> None:
    for viewer in readers(archive).values():
        archive._summaries.build(archive._seen(viewer))
        assert fresh(archive, viewer)


def test_every_reader_gets_from_a_summary_what_counting_gives(folder: Path) -> None:
    with Archive.open(folder) as archive:
        build_all(archive)
        for name, viewer in readers(archive).items():
            summarised = everything_about_entities(archive, viewer)
            with counted(archive):
                assert summarised == everything_about_entities(archive, viewer), name
            assert summarised["listed"], name
        # The readers see different things: the summaries are kept apart.
        seen = {
            n: len(archive.entities(viewer=v, limit=100_000)) for n, v in readers(archive).items()
        }
        assert seen["public"] < seen["confidential"] < seen["everything"]


@pytest.mark.parametrize("change", ["edition", "redaction by cable", "merge", "ingest"])
def test_any_change_makes_every_summary_stale_and_answers_follow_it(
    folder: Path, change: str
) -> None:
    with Archive.open(folder) as archive:
        build_all(archive)
        before = {n: everything_about_entities(archive, v) for n, v in readers(archive).items()}
        if change == "edition":
            archive.withdraw([MANAGUA, "04RANGOON88"])
            archive.record_edition(None, "test")
        elif change == "redaction by cable":
            archive.redact(Rule(kind="paragraph", cable_id=MANAGUA, paragraph=2, reason="test"))
        elif change == "merge":
            top = archive.entities(viewer=EVERYTHING, kind="person", limit=2)
            archive.merge_entities(top[1].id, top[0].id, reason="test")
        else:
            # A new text of a published cable: its mentions are of the old text now.
            page = next(SAMPLE.rglob(f"{MANAGUA}.html"))
            changed = folder.parent / "changed" / page.name
            changed.parent.mkdir()
            changed.write_text(page.read_text().replace("Nicaragua", "Nicaraguа", 3))
            report = archive.ingest([changed.parent], workers=1)
            assert report.updated == 1
        for name, viewer in readers(archive).items():
            if change == "edition" and name == "public":
                continue  # record_edition builds the public's summary anew at once
            assert not fresh(archive, viewer), (change, name)
        for name, viewer in readers(archive).items():
            now = everything_about_entities(archive, viewer)
            with counted(archive):
                assert now == everything_about_entities(archive, viewer), (change, name)
        assert any(
            before[n] != everything_about_entities(archive, v) for n, v in readers(archive).items()
        ), change


def test_a_stale_read_builds_the_summary_in_the_background(folder: Path) -> None:
    (folder / CACHE).unlink()
    with Archive.open(folder) as archive:
        public = archive.public_viewer()
        assert not fresh(archive, public)
        counted_answer = archive.entities(viewer=public, limit=1000)  # starts a build
        deadline = time.monotonic() + 60
        while not fresh(archive, public):
            assert time.monotonic() < deadline, "no summary was built"
            time.sleep(0.05)
        assert archive.entities(viewer=public, limit=1000) == counted_answer


def test_the_cache_is_the_owners_only_and_may_be_deleted_or_damaged(folder: Path) -> None:
    cache = folder / CACHE
    assert cache.stat().st_mode & 0o777 == 0o600
    with Archive.open(folder) as archive:
        public = archive.public_viewer()
        expected = archive.entities(viewer=public, limit=1000)
    for damage in ("deleted", "not a database"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        if damage == "not a database":
            cache.write_bytes(b"this is no SQLite file" * 100)
        with Archive.open(folder) as archive:
            assert archive.entities(viewer=public, limit=1000) == expected, damage
            archive._summaries.build(archive._seen(public))
            assert fresh(archive, public), damage
            assert archive.entities(viewer=public, limit=1000) == expected, damage
        assert cache.stat().st_mode & 0o777 == 0o600


def test_a_busy_cache_is_not_taken_for_a_broken_one(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'database is locked' (another process building the same cache) once made the
    build delete the whole cache, every reader's summaries with it."""
    cache = folder / CACHE
    with Archive.open(folder) as archive:
        public = archive.public_viewer()
        archive._summaries.build(archive._seen(public))
        assert fresh(archive, public)
        size = cache.stat().st_size

        def locked(source: object) -> None:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(archive._summaries, "_attach", locked)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            archive._summaries.build(archive._seen(readers(archive)["confidential"]))
        monkeypatch.undo()
        assert cache.exists() and cache.stat().st_size == size
        assert fresh(archive, public)


def test_walking_the_cables_newest_first_lists_what_sorting_lists(folder: Path) -> None:
    with Archive.open(folder) as archive:
        for name, viewer in readers(archive).items():
            seen = archive._seen(viewer)
            for entity in archive.entities(viewer=viewer, limit=100_000):
                for limit in (3, 100):
                    walked = entity_store.cables_of(
                        archive.connection, entity.id, seen, limit, dense=True
                    )
                    sorted_ = entity_store.cables_of(archive.connection, entity.id, seen, limit)
                    assert walked == sorted_, (name, entity.name, limit)
                    assert len(walked) == min(limit, entity.cables)


def test_an_entity_pages_cables_are_those_its_counts_count(folder: Path) -> None:
    """The page lists the newest cables from the index; they are the cables of the
    reader's visible mentions (for an account too, whose searches also find what the
    public's finds), the newest first."""
    with Archive.open(folder) as archive:
        for name, viewer in readers(archive).items():
            seen = archive._seen(viewer)
            for entity in archive.entities(viewer=viewer, limit=100_000):
                page = archive.entity(entity.id, viewer=viewer)
                assert page is not None
                counted_cables = entity_store.cables_of(
                    archive.connection, entity.id, seen, limit=100_000
                )
                assert len(page.cables) == min(100, entity.cables), (name, entity.name)
                if entity.cables <= 100:
                    assert set(page.cables) == {c[1] for c in counted_cables}, (name, entity.name)
                dates = [
                    archive.connection.execute(
                        "SELECT date FROM cables WHERE reference_id = ?", (c,)
                    ).fetchone()[0]
                    or ""
                    for c in page.cables
                ]
                assert dates == sorted(dates, reverse=True), (name, entity.name)


def test_closing_the_archive_stops_its_background_builds(folder: Path, tmp_path: Path) -> None:
    """No thread of a closed archive goes on using its files: a folder is copied, moved
    or deleted right after it is closed (the tests do it; so do people)."""
    for _ in range(3):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{folder / CACHE}{suffix}").unlink(missing_ok=True)
        archive = Archive.open(folder)
        archive.entities(viewer=archive.public_viewer(), limit=10)  # starts a build
        archive.close()
        assert not [t for t in threading.enumerate() if t.name == "entity-views"]
        shutil.copytree(folder, tmp_path / f"copy{_}")


def test_a_summary_handed_out_stays_readable_when_the_archive_moves_on(folder: Path) -> None:
    """One entity page asks for its reader's summary several times; when another handle
    changes the archive in between, the later ask finds the summary stale, and the one
    handed out before still reads (the page then answers from one or the other, never
    from a closed connection: a failure seen under concurrent editors)."""
    with Archive.open(folder) as archive:
        build_all(archive)
        summaries = archive._summaries
        summaries.request = lambda seen: None  # type: ignore[method-assign]
        seen = archive._seen(EVERYTHING)
        first = summaries.fresh(archive.connection, seen)
        assert first is not None
        before = first.counts(limit=5)
        with archive.connection:
            archive.connection.execute(
                "UPDATE meta SET value = value + 1 WHERE key = 'entities_resolved'"
            )
        assert summaries.fresh(archive.connection, seen) is None
        assert first.counts(limit=5) == before
