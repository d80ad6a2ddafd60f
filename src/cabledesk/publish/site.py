"""Writing the public edition as a static website any web server can serve.

Pages are rendered with the templates the web desk uses (`cabledesk.presentation`: the
same cable layout), from the viewed records only, into a folder beside the site: a full
build writes the whole edition there and swaps it in; an incremental one writes only the
files that change and commits them into the site in place, under a journal (commit.py):
a failed build never leaves a half-published site.

The build streams (docs/publishing.md, "At the scale of a release"): one pass over the
approved cables keeps a few fields of each (`edition.Entry`) and spools its public record
to a file beside the site; once the links between cables are known, a second pass reads
the spool back and writes each cable's page and search postings. Every list (the front
page, the browse pages, the cables of an origin, TAG, month or classification) is cut
into pages of `page_size` rows, so no page grows with the edition.
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import multiprocessing.process
import os
import resource
import shutil
import sqlite3
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cabledesk.archive import editions, register
from cabledesk.archive.blob import pack_record, unpack_record
from cabledesk.archive.editions import records_of_versions
from cabledesk.archive.prepare import text_hash
from cabledesk.archive.progress import Reporter, Silent
from cabledesk.archive.store import last_seq, unpack
from cabledesk.facade import Archive
from cabledesk.presentation import STATIC
from cabledesk.presentation.present import paragraph_anchors
from cabledesk.presentation.templating import environment
from cabledesk.presentation.urls import SiteUrls, list_key
from cabledesk.publish import cache, commit
from cabledesk.publish.cache import digest
from cabledesk.publish.edition import (
    Entry,
    Plan,
    approved_plan,
    entry_of,
    linked,
    public_record,
    public_viewer,
    published_hash_of,
)
from cabledesk.publish.errors import PublishError
from cabledesk.publish.paths import inside, plain
from cabledesk.publish.search_index import IndexUpdate, IndexWriter, searchable_parts_of
from cabledesk.query.browse import OriginCount, group_tags
from cabledesk.record.codec import to_dict
from cabledesk.record.level import LEVELS
from cabledesk.record.model import Cable

MANIFEST = "edition.json"
# 2: the hashes are of the public records (published_hash), and nothing of the archive's
# own record (who built it, the register version) is in it. The desk serves no manifest of
# an older kind (web/edition_files.py): those held hashes of the stored, unredacted texts.
MANIFEST_FORMAT = 2
_STATIC_FILES = ("desk.css", "desk.js", "site-search.js")
# Rows of a list page (cables) or of a browse page (origins, TAGS, months): some 450 bytes
# of HTML a cable row, so a page stays near 100 KB however large the edition.
PAGE_SIZE = 200

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "Phase", "PublishError", "SiteReport", "build_site"]


@dataclass(slots=True)
class SiteReport:
    edition: int
    cables: int
    pages: int
    terms: int
    out: Path
    # Built on the previous edition's folder (only what changed read and rendered).
    incremental: bool = False
    read: int = 0  # cables read and viewed
    rendered: int = 0  # pages rendered (the others: left in place from the previous edition)
    moved: int = 0  # files moved into the site by an incremental edition's commit
    deleted: int = 0  # files of the previous edition it deleted
    workers_cpu: float = 0.0  # CPU seconds of the worker processes that rendered pages
    # Where the build spent its time, phase by phase (`Phase`), in order.
    phases: list[Phase] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of a build: CPU seconds of this process and of its worker processes
    (those it waited for during the phase), wall seconds, and this process's peak
    resident memory (MB) at its end."""

    name: str
    cpu: float
    workers_cpu: float
    wall: float
    peak_mb: float

    def line(self) -> str:
        return (
            f"{self.name}: {self.cpu:.1f} s CPU, workers {self.workers_cpu:.1f} s, "
            f"wall {self.wall:.1f} s, peak {self.peak_mb:.0f} MB"
        )


class _Clock:
    """Splits a build into `Phase`s: `lap(name)` closes the phase that ran since the
    last lap (or since the clock was made)."""

    def __init__(self, told: Callable[[Phase], None] | None = None) -> None:
        self.phases: list[Phase] = []
        self.told = told
        self._at = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (time.process_time(), children.ru_utime + children.ru_stime, time.monotonic())

    def lap(self, name: str) -> None:
        now = self._now()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cpu, workers, wall = (b - a for a, b in zip(self._at, now, strict=True))
        self.phases.append(Phase(name, cpu, workers, wall, peak))
        if self.told:
            self.told(self.phases[-1])
        self._at = now


T = TypeVar("T")


def _pages(rows: Sequence[T], size: int) -> list[Sequence[T]]:
    """`rows` cut into pages of `size` (one empty page when there are none)."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [rows[:0]]


def _browse_rows(entries: list[Entry]) -> dict[str, list[Any]]:
    """Each browse page's rows, flat: origins, (TAG, count), (month, count), (level, count)."""
    origins: dict[str, list[str]] = defaultdict(list)
    tags: Counter[str] = Counter()
    months: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for entry in entries:
        date = entry.date[:10]
        if entry.origin:
            origins[entry.origin].append(date)
        tags.update(set(entry.tags))
        if date:
            months[date[:7]] += 1
        if entry.classification:
            levels[entry.classification] += 1
    return {
        "origin": [
            OriginCount(o, len(d), min(filter(None, d), default=None), max(d) or None)
            for o, d in sorted(origins.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "tag": sorted(tags.items(), key=lambda kv: (-kv[1], kv[0])),
        "month": [(month, months[month]) for month in sorted(months)],
        "classification": [(level, levels[level]) for level in LEVELS if levels[level]],
    }


def _shaped(by: str, rows: Sequence[Any]) -> Any:
    """A page of `_browse_rows` as browse.html takes them."""
    if by == "tag":
        return group_tags(rows)
    if by == "month":
        years: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for month, count in rows:
            years[month[:4]].append((month, count))
        return list(years.items())
    return list(rows)


def _lists(entries: list[Entry]) -> Iterator[tuple[str, str, str, list[Entry]]]:
    """(by, value, heading, cables) of every list of cables a browse page links to."""
    by_origin: dict[str, list[Entry]] = defaultdict(list)
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    by_month: dict[str, list[Entry]] = defaultdict(list)
    by_level: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.origin:
            by_origin[entry.origin].append(entry)
        for tag in dict.fromkeys(entry.tags):
            by_tag[tag].append(entry)
        if entry.date[:10]:
            by_month[entry.date[:7]].append(entry)
        if entry.classification:
            by_level[entry.classification].append(entry)
    # Newest first, as the desk lists them (a month: in date order).
    for origin, members in sorted(by_origin.items()):
        yield "origin", origin, f"Cables from {origin}", members[::-1]
    for tag, members in sorted(by_tag.items()):
        yield "tag", tag, f"Cables tagged {tag}", members[::-1]
    for month, members in sorted(by_month.items()):
        yield "month", month, f"Cables of {month}", members
    for level, members in sorted(by_level.items()):
        yield "classification", level, f"Cables classified {level}", members[::-1]


# The header and footer of every page but the front page and the search page: nothing in
# them names the edition's number, size or date, so a page is rewritten only when what it
# shows changes (incremental editions; docs/publishing.md).
_COMMON = {
    "static_site": True,
    "footer_text": "cabledesk public edition",
    "brand": "cabledesk public edition",
}
# Below this many pages to render, worker processes cost more than they save.
_WORKERS_FROM = 2_000


def default_workers() -> int:
    """Processes that render pages beside the one that builds the search index: one on a
    machine of two cores or more, none on one core (the build then does both in turn)."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


@dataclass(slots=True)
class _Page:
    """A list or browse page: its path in the site, template, context and the digest of
    that context (a page whose digest is the previous build's is not rendered again)."""

    parts: tuple[str, ...]
    template: str
    context: dict[str, Any]
    digest: str

    @property
    def path(self) -> str:
        return "/".join(self.parts)


def _created() -> str:
    """When the edition was built: now, or SOURCE_DATE_EPOCH when set (reproducible builds:
    the same edition built twice gives the same bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).isoformat(timespec="seconds")
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_site(
    archive: Archive,
    out: str | Path,
    account: str | None = None,
    page_size: int = PAGE_SIZE,
    progress: Reporter | None = None,
    *,
    full: bool = False,
    workers: int | None = None,
    timings: Callable[[Phase], None] | None = None,
    warm: bool = True,
) -> SiteReport:
    """Build the edition of the approved cables into `out` and record it. `progress`
    is told of each cable read (the first pass) and written (the second).

    When `out` holds the edition this archive last built there (its cache in the archive
    folder agrees with `out`'s edition.json, and the code is the same), the build is
    incremental: only the cables added, changed or touched since are read and viewed, and
    only the pages whose inputs changed are rendered, then committed into `out` in place
    with the files of the previous edition that no longer exist deleted (commit.py); the
    others are left as they are. The result is the same bytes as a full build. `full`
    forces a full build (swapped in whole; the previous tree removed in the background).
    `workers`: processes rendering pages (default_workers).
    `timings` is told of each phase of the build as it ends (SiteReport.phases).
    `warm`: as Archive.record_edition's (the command line passes False and starts a
    `cabledesk warm` of its own, which it does not wait for)."""
    out = Path(out)
    if page_size < 1:
        raise PublishError(f"{page_size}: expected a page size of at least one row")
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out}: expected a folder for the edition's site; found a file")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise PublishError(
            f"{out}: expected an empty folder or an earlier edition; it holds other files"
        )
    progress = progress or Silent()
    clock = _Clock(timings)
    workers = default_workers() if workers is None else max(0, workers)
    building = out.with_name(out.name + ".building")
    spooling = out.with_name(out.name + ".spool")
    connection = archive.connection
    folder = archive.store.path / cache.FOLDER
    # A commit a crash interrupted is rolled forward (or the cache forgotten) first.
    commit.recover(folder, connection)
    # What a failed build left (a full build's tree may hold a million files) and earlier
    # trees whose removal was cut short: renamed aside and removed in the background.
    stale = [Path(p) for p in glob.glob(glob.escape(str(out)) + ".old-*")]
    if out.with_name(out.name + ".old").exists():  # where earlier code put it
        stale.append(out.with_name(out.name + ".old"))
    for leftover in (building, spooling):
        if leftover.exists():
            stale.append(commit.aside(leftover))
            leftover.replace(stale[-1])
    commit.remove_later(stale)
    # The archive's change number before anything is read: a cable changed after it is
    # read again by the next incremental build.
    mark = last_seq(connection)
    store = None if full else _previous(folder, out, page_size, connection)
    plan = None
    building.mkdir(parents=True)
    spooling.mkdir()
    try:
        total = connection.execute(
            "SELECT count(*) FROM approvals WHERE text_hash IS NOT NULL"
        ).fetchone()[0]
        progress.start(2 * int(total), "files")
        if store is not None:
            plan = _incremental_plan(archive, store, progress)
            if plan is None:
                store.abandon()
                store = None
        incremental = store is not None
        if store is None:
            store = cache.BuildCache(folder, fresh=True)
            plan = _full_plan(archive, store, progress, workers)
        assert plan is not None
        clock.lap("first pass: read and view the cables")
        if not plan.entries:
            raise PublishError("no cable is approved for publication: approve some first")
        number = editions.latest(connection) + 1
        # Collections marked for the edition (docs/workspace.md): titles as the public
        # may read them; their pages hold only this edition's cables.
        shelves = archive.published_collections()
        index = _IndexPlan.of(connection, plan.entries)
        report = _build(
            plan,
            store,
            building,
            spooling,
            incremental,
            number,
            page_size,
            progress,
            workers,
            shelves,
            clock,
            index,
            out if incremental else None,
        )
        progress.finish()
    except BaseException:
        # Nothing half-built is left behind (the next build would remove it anyway).
        _discard(building)
        if store is not None:
            store.abandon()
        raise
    finally:
        shutil.rmtree(spooling, ignore_errors=True)
    journal = None
    if incremental:
        # The journal first: from here on, a failure or crash is resolved by the next
        # build (commit.recover), never by this one.
        journal = commit.Journal(
            str(out.resolve()),
            str(building.resolve()),
            number,
            commit.versions_digest(plan.hashes),
            cache.file_hash(building / MANIFEST) or "",
            report[4],
        )
        try:
            journal.write(folder)
        except BaseException:
            _discard(building)
            store.abandon()
            raise
    try:
        if journal is None:
            # Recorded once the site is in place: the public desk then shows the same
            # edition. The previous tree is removed in the background.
            commit.remove_later([old] if (old := commit.swap_in(building, out)) else [])
            clock.lap("replace the previous site")
        # Recording needs the versions only: the entries, links and slots (some hundreds
        # of MB at the release's size) are let go before the archive's indexes take
        # their memory (the edition's peak was in recording).
        cables = len(plan.entries)
        plan.entries, plan.citing, plan.neighbours, plan.published = [], {}, {}, {}
        index.slots = {}
        # The slots of the cables entering the edition (stable from now on).
        editions.keep_slots(connection, index.new, index.average)
        before = last_seq(connection)
        # The index documents of the cables entering the edition are made in as many
        # processes as the build had (the page workers and this one), idle by now.
        edition_id = archive.record_edition(
            account,
            str(out),
            plan.hashes,
            plan.register_version,
            workers=workers + 1 if workers else 0,
            warm=warm,
        )
        after = last_seq(connection)
        clock.lap("record the edition")
        # Recording touches the cables that entered, left or changed version (one change
        # number); when nothing else changed since `mark`, the next build may start after
        # it, else from `mark` (a change made during this build is read again).
        seen = after if before == mark and after == mark + 1 else mark
        store.set_meta(
            {
                "format": cache.FORMAT,
                "fingerprint": cache.fingerprint(),
                "page_size": str(page_size),
                "site": str(out.resolve()),
                "edition": str(edition_id),
                "manifest": journal.manifest if journal else cache.file_hash(out / MANIFEST) or "",
                "seq": str(seen),
            }
        )
        store.commit()
        clock.lap("commit the build's cache")
    except BaseException:
        store.abandon()
        raise
    moved = deleted = 0
    if journal is not None:
        # Recorded and cached first: a crash from here on is rolled forward.
        applied = commit.apply(journal)
        commit.finish(folder, journal)
        moved, deleted = applied.moved, applied.deleted
        clock.lap("commit into the site in place")
    return SiteReport(
        edition_id,
        cables,
        report[0],
        report[1],
        out,
        incremental=incremental,
        read=report[2],
        rendered=report[3],
        moved=moved,
        deleted=deleted,
        workers_cpu=store.workers_cpu,
        phases=clock.phases,
    )


def _previous(
    folder: Path, out: Path, page_size: int, connection: sqlite3.Connection
) -> cache.BuildCache | None:
    """The cache of the edition in `out`, when it can be built on: the same code, page
    size and folder, `out`'s edition.json the one that build wrote, its edition recorded."""
    if not (out / MANIFEST).is_file():
        return None
    store = cache.BuildCache.previous(folder)
    if store is None:
        return None
    meta = store.meta()
    usable = (
        meta.get("format") == cache.FORMAT
        and meta.get("fingerprint") == cache.fingerprint()
        and meta.get("page_size") == str(page_size)
        and meta.get("site") == str(out.resolve())
        and meta.get("edition", "").isdigit()
        and meta.get("seq", "").isdigit()
        # A database older than the cache (restored from a copy) may have lost changes.
        and int(meta["seq"]) <= last_seq(connection)
        and meta.get("manifest") == cache.file_hash(out / MANIFEST)
        and editions.edition(connection, int(meta["edition"])) is not None
    )
    if not usable:
        store.abandon()
        return None
    store.before = meta
    return store


def _full_plan(archive: Archive, store: cache.BuildCache, progress: Reporter, workers: int) -> Plan:
    """Every approved cable read and viewed: in this process and `workers` more (the
    page workers are not started yet), this one reading the archive and writing the
    cache."""

    def put(reference_id: str, record: bytes, entry: Entry, published: str) -> None:
        store.put(reference_id, record, entry, published)
        progress.advance(1, 0)

    total = archive.connection.execute(
        "SELECT count(*) FROM approvals WHERE text_hash IS NOT NULL"
    ).fetchone()[0]
    # Forking costs more than a small edition's views.
    processes = workers + 1 if workers and total >= _WORKERS_FROM else 0
    return approved_plan(archive, put, workers=processes)


def _incremental_plan(archive: Archive, store: cache.BuildCache, progress: Reporter) -> Plan | None:
    """The plan of the next edition from the previous build's cache: the cables approved,
    withdrawn or approved at another version since that edition, and every approved cable
    the archive changed since that build read it (a redaction marked or lifted touches
    the cables it may hit), are read and viewed again; the others are as cached. None
    when the cache does not hold that edition's cables (a full build is due)."""
    connection = archive.connection
    before = editions.edition(connection, int(store.before["edition"]))
    assert before is not None
    published_before = before[1]
    now = editions.approved_versions(connection)
    held = {e.reference_id: (e, p) for e, p, _ in store.entries()}
    if held.keys() != published_before.keys():
        return None
    touched = {
        str(row[0])
        for row in connection.execute(
            "SELECT reference_id FROM cables WHERE seq > ?", (int(store.before["seq"]),)
        )
    }
    view = sorted(i for i, h in now.items() if published_before.get(i) != h or i in touched)
    withdrawn = sorted(held.keys() - now.keys())
    # The previous public records of what is read again or leaves: the search index takes
    # their postings out (search_index.IndexUpdate).
    store.previous_published = {i: p for i, (_, p) in held.items()}
    store.previous_records = dict(store.records(view + withdrawn))
    store.remove(view + withdrawn)
    store.withdrawn = withdrawn
    entries: list[Entry] = []
    hashes: dict[str, str] = {}
    published: dict[str, str] = {}
    again = set(view)
    for reference_id, (entry, hash_) in held.items():
        if reference_id in now and reference_id not in again:
            entries.append(entry)
            published[reference_id] = hash_
            hashes[reference_id] = now[reference_id]
    progress.advance(len(entries), 0)
    viewer = public_viewer(archive)
    for start in range(0, len(view), 500):
        chunk = view[start : start + 500]
        marks = ",".join("?" * len(chunk))
        wanted = (
            "SELECT reference_id, text_hash FROM approvals WHERE text_hash IS NOT NULL "
            f"AND reference_id IN ({marks})"
        )
        for reference_id, stored in records_of_versions(connection, wanted, tuple(chunk)):
            public = public_record(stored, viewer)
            record = to_dict(public)
            entry = entry_of(public)
            hashes[reference_id] = text_hash(stored)
            published[reference_id] = published_hash_of(record)
            entries.append(entry)
            store.put(reference_id, pack_record(record), entry, published[reference_id])
            progress.advance(1, 0)
    store.read = len(view)
    return linked(Plan(entries, hashes, published, register.version(connection)))


def _list_pages(entries: list[Entry], page_size: int) -> Iterator[_Page]:
    """Every browse and list page of the edition, with the digest of what it shows."""
    rows_of = _browse_rows(entries)
    for by, rows in rows_of.items():
        chunks = _pages(rows, page_size)
        for page, chunk in enumerate(chunks, start=1):
            name = f"{by}.html" if page == 1 else f"{by}-{page}.html"
            pager = {
                "page": page,
                "pages": len(chunks),
                "previous": (by if page == 2 else f"{by}-{page - 1}") + ".html"
                if page > 1
                else None,
                "next": f"{by}-{page + 1}.html" if page < len(chunks) else None,
            }
            context = {
                "urls": SiteUrls(1),
                "section": "browse",
                "by": by,
                "rows": _shaped(by, chunk),
                "pager": pager,
            }
            yield _Page(("browse", name), "browse.html", context, digest(repr([by, chunk, pager])))
    known = {e.reference_id: cache.entry_json(e) for e in entries}
    newest = entries[::-1]
    lists = [("all", "cables", "Every cable of this edition", newest), *_lists(entries)]
    for by, value, heading, members in lists:
        chunks = _pages(members, page_size)
        key = list_key(value)
        order = "oldest first" if by == "month" else "newest first"
        for page, chunk in enumerate(chunks, start=1):
            pager = {
                "page": page,
                "pages": len(chunks),
                "previous": f"{key}-{page - 1}.html" if page > 1 else None,
                "next": f"{key}-{page + 1}.html" if page < len(chunks) else None,
            }
            context = {
                "urls": SiteUrls(2),
                "section": "browse",
                "heading": heading,
                "total": len(members),
                "order": order,
                "entries": chunk,
                "pager": pager,
            }
            rows = [known[e.reference_id] for e in chunk]
            shown = digest([heading, len(members), order, pager, rows])
            yield _Page(("list", by, f"{key}-{page}.html"), "site_list.html", context, shown)


def _shelf_pages(
    entries: list[Entry], shelves: Sequence[tuple[int, str, str, list[str]]]
) -> tuple[list[_Page], list[tuple[int, str, int]]]:
    """The published collections' pages, built from the edition's own entries (the
    public's record of each cable), and (number, title, cables) for the front page. A
    cable of the collection the edition does not hold is left out, not named: the
    edition says nothing of the cables it does not publish."""
    by_id = {entry.reference_id: entry for entry in entries}
    known = {e.reference_id: cache.entry_json(e) for e in entries}
    pages: list[_Page] = []
    listed: list[tuple[int, str, int]] = []
    for number, heading, description, member_ids in shelves:
        held = [by_id[i] for i in member_ids if i in by_id]
        context = {
            "urls": SiteUrls(1),
            "section": "search",
            "heading": heading,
            "description": description,
            "entries": held,
        }
        shown = digest([heading, description, [known[e.reference_id] for e in held]])
        pages.append(
            _Page(("collection", f"{number}.html"), "site_collection.html", context, shown)
        )
        listed.append((number, heading, len(held)))
    return pages, listed


def _cable_digest(plan: Plan, entry: Entry, ids: set[str]) -> str:
    """The digest of what a cable's page shows: its public record (by its published
    hash), the cables citing it, its neighbours and which of the cables it cites are in
    the edition."""
    reference_id = entry.reference_id
    return digest(
        [
            plan.published[reference_id],
            plan.citing[reference_id],
            list(plan.neighbours[reference_id]),
            [c for c in entry.cites if c in ids],
        ]
    )


def _write(path: Path, text: str) -> None:
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))


class _Renderer:
    """Renders cable pages and list pages into the folder being built."""

    def __init__(self, plan: Plan, building: Path, ids: set[str]) -> None:
        self.env = environment()
        self.plan, self.building, self.ids = plan, building, ids
        self.cable_page = self.env.get_template("cable.html")

    def cable(self, cable: Cable) -> None:
        reference_id = cable.reference_id or ""
        previous_id, next_id = self.plan.neighbours[reference_id]
        html = self.cable_page.render(
            **_COMMON,
            urls=SiteUrls(1),
            section="search",
            cable=cable,
            present={r.cable_id for r in cable.references if r.cable_id in self.ids},
            citing=self.plan.citing[reference_id],
            previous=previous_id,
            following=next_id,
            anchors=paragraph_anchors([p.number for p in cable.paragraphs]),
        )
        _write(self.building / "cable" / f"{reference_id}.html", html)

    def page(self, page: _Page) -> None:
        html = self.env.get_template(page.template).render(**_COMMON, **page.context)
        _write(self.building.joinpath(*page.parts), html)


def _render_part(
    plan: Plan,
    building: Path,
    ids: set[str],
    database: Path,
    cables: list[str],
    pages: list[_Page],
) -> None:
    """A worker process's share: the cable pages of `cables` (records read from the
    cache `database`) and `pages`."""
    renderer = _Renderer(plan, building, ids)
    connection = sqlite3.connect(database)
    try:
        for start in range(0, len(cables), 500):
            chunk = cables[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for (blob,) in connection.execute(
                f"SELECT record FROM records WHERE reference_id IN ({marks})", chunk
            ):
                renderer.cable(unpack(blob))
        for page in pages:
            renderer.page(page)
    finally:
        connection.close()


def _run_part(*args: Any) -> None:
    try:
        _render_part(*args)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _build(
    plan: Plan,
    store: cache.BuildCache,
    building: Path,
    spooling: Path,
    incremental: bool,
    number: int,
    page_size: int,
    progress: Reporter,
    workers: int,
    shelves: Sequence[tuple[int, str, str, list[str]]] = (),
    clock: _Clock | None = None,
    index: _IndexPlan | None = None,
    previous: Path | None = None,
) -> tuple[int, int, int, int, list[str]]:
    """Write the files of edition `number` into `building`; (pages, search terms, cables
    read, pages rendered, files of the previous edition to delete). A full build writes
    every file; an `incremental` one only the pages whose inputs are not those the cache
    holds for the previous edition (the others stay in the site), and lists the files of
    the previous edition that no longer exist. `previous`: the site holding the previous
    edition, whose search index an incremental build updates (search_index.IndexUpdate).
    Every name is checked: a reference id cannot name a file elsewhere."""
    clock = clock or _Clock()
    env = environment()
    created = _created()
    title = f"cabledesk edition {number}"
    entries = plan.entries
    front = {
        "static_site": True,
        "footer_text": f"{title} · {len(entries):,} cables · built {created[:10]}",
        "brand": title,
    }
    # Every cable's file name is checked before any page is rendered.
    for entry in entries:
        try:
            plain(f"{entry.reference_id}.html")
        except PublishError as exc:
            raise PublishError(
                f"{entry.reference_id!r} is not a reference id a page can be named after "
                f"({exc}); withdraw it from the edition: nothing was published"
            ) from None
    for name in ("cable", "browse", "list", "static"):
        inside(building, name).mkdir()
    ids = {entry.reference_id for entry in entries if entry.reference_id}
    index = index or _IndexPlan.first(entries)
    numbers = index.slots
    docs: list[list[str] | None] = [None] * index.size
    for entry in entries:
        docs[numbers[entry.reference_id]] = _document(entry)
    cached = {e.reference_id: page for e, _, page in store.entries()}
    digests = {e.reference_id: _cable_digest(plan, e, ids) for e in entries}
    render = [i for i in digests if cached.get(i) != digests[i]]
    pages = list(_list_pages(entries, page_size))
    shelf_pages, listed = _shelf_pages(entries, shelves)
    if shelf_pages:
        inside(building, "collection").mkdir()
    pages += shelf_pages
    for by in {page.parts[1] for page in pages if page.parts[0] == "list"}:
        inside(building, "list", by).mkdir()
    seen = store.page_digests()
    changed = [page for page in pages if seen.get(page.path) != page.digest]
    gone: list[str] = []
    if incremental:
        # Known from the cache, never by walking the site: the pages of the cables
        # withdrawn, the list and browse pages that no longer exist.
        gone += [f"cable/{reference_id}.html" for reference_id in store.withdrawn]
        gone += sorted(seen.keys() - {page.path for page in pages})
    store.set_pages({i: digests[i] for i in render})
    store.set_page_digests({page.path: page.digest for page in pages})
    clock.lap("plan the pages (digests against the previous edition's)")
    wanted = set(render)
    update = None
    if previous is not None and index.average is not None:
        # The previous edition's index is updated where its cables changed.
        update = IndexUpdate(previous / "search", inside(building, "search"), index.average)
    search = IndexWriter(inside(building, "search"), spooling / "postings", average=index.average)
    children: list[multiprocessing.process.BaseProcess] = []
    if workers and store.fresh and len(render) + len(changed) >= _WORKERS_FROM:
        # The worker processes render every page; this one builds the search index.
        store.commit_for_readers()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        store.workers_cpu = usage.ru_utime + usage.ru_stime
        context = multiprocessing.get_context("fork")
        for part in range(workers):
            child = context.Process(
                target=_run_part,
                args=(plan, building, ids, store.target, render[part::workers],
                      changed[part::workers]),
            )  # fmt: skip
            child.start()
            children.append(child)
        wanted = set()
    renderer = _Renderer(plan, building, ids)
    try:
        if update is not None:
            for _, blob in store.records(sorted(wanted)):
                renderer.cable(unpack(blob))
            progress.advance(len(entries), len(entries))
        for reference_id, blob in store.records() if update is None else ():
            if reference_id in wanted:
                cable = unpack(blob)
                renderer.cable(cable)
                search.add(numbers[reference_id], cable)
            else:
                # Only the texts searched: no Cable is built for them (the pages are
                # the workers').
                search.add_parts(numbers[reference_id], searchable_parts_of(unpack_record(blob)))
            progress.advance(1, 1)
        clock.lap(
            "second pass: search postings (pages: in the worker processes)"
            if children
            else "second pass: search postings and cable pages"
        )
        updated: list[int] = []
        if update is not None:
            # The index's buckets are updated by `workers` helper processes from now on,
            # beside the pages below, and by this one once they are written.
            updated = _index_changes(update, store, plan, index.slots)
            update.start(helpers=workers)
            clock.lap("search index: the changed cables' terms")
        if not children:
            for page in changed:
                renderer.page(page)
            clock.lap(
                "list and browse pages (the search index updated beside them)"
                if update is not None and update.helpers is not None
                else "list and browse pages"
            )
        root = SiteUrls(0)
        newest = entries[::-1]
        first = _pages(newest, page_size)
        more = len(first) > 1
        _write(
            inside(building, "index.html"),
            env.get_template("site_index.html").render(
                **front,
                urls=root,
                section="search",
                title=title,
                created=created,
                total=len(entries),
                collections=listed,
                entries=first[0],
                pager={
                    "page": 1,
                    "pages": len(first),
                    "previous": None,
                    "next": root.listing("all", "cables", 2) if more else None,
                },
            ),
        )
        _write(
            inside(building, "search.html"),
            env.get_template("site_search.html").render(**front, urls=root, section="search"),
        )
        if not incremental:
            # The same bytes in an incremental edition: they are part of the code's
            # fingerprint, which the cache's must match.
            for name in _STATIC_FILES:
                inside(building, "static", name).write_bytes((STATIC / name).read_bytes())
        clock.lap("front page, search page, static files")
        if update is None:
            # As many helpers as page workers take a share of the buckets left once the
            # page workers have ended (at the release's size, a third into the finish;
            # earlier they would only take turns on the same cores).
            terms = search.finish(
                docs,
                helpers=len(children),
                when=lambda: not any(child.is_alive() for child in children),
            )
            index.average = search.average
            # Written whole: the previous edition's index files it no longer has are
            # deleted by the commit, known from the cache's list of them.
            written = ["search/" + p for p in commit.files_under(building / "search")]
            search_gone = sorted(store.files() - set(written))
        else:
            shutil.rmtree(spooling / "postings", ignore_errors=True)
            terms = update.finish(docs, updated, "cable/")
            clock.lap(f"search index: update ({update.written} files written)")
            # Only the files whose bytes change are in `building`; the others stay.
            written = ["search/" + p for p in commit.files_under(building / "search")]
            search_gone = sorted("search/" + p for p in update.deleted)
        gone += search_gone
        clock.lap("search index: finish")
        # Public: each cable's hash is of its public record (published_hash), never of the
        # stored text, which would let anyone test guesses at a redacted name offline.
        manifest = {
            "format": MANIFEST_FORMAT,
            "edition": number,
            "created": created,
            "cables": dict(sorted(plan.published.items())),
        }
        _write(inside(building, MANIFEST), json.dumps(manifest, indent=2))
    finally:
        if update is not None:
            update.stop()
        for process in children:
            process.join()
    # Written only once no page worker reads the cache: a write that spills to the file
    # holds its lock until the commit, and a worker waiting on it fails (SQLite's
    # "database is locked"), as it did when the pages took longer than the index.
    store.change_files(search_gone, written)
    if children:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        store.workers_cpu = usage.ru_utime + usage.ru_stime - store.workers_cpu
    # The worker processes' CPU is counted when they are waited for: here, all of it.
    clock.lap("manifest, and waiting for the page workers" if children else "manifest")
    if any(process.exitcode for process in children):
        raise PublishError("a process writing the edition's pages failed (see above)")
    rendered = len(render) + len(changed) + 2
    read = len(entries) if store.read is None else store.read
    return len(entries) + len(pages) + 2, terms, read, rendered, gone


def _discard(tree: Path) -> None:
    """Remove a build's folder without waiting for it (renamed aside first)."""
    if tree.exists():
        renamed = commit.aside(tree)
        tree.replace(renamed)
        commit.remove_later([renamed])


def _document(entry: Entry) -> list[str]:
    """An entry's row of the search's document files (search_index.document, of the cable)."""
    return [
        entry.reference_id,
        entry.date[:10],
        entry.origin or "",
        "//".join([entry.classification or "", *entry.caveats]).strip("/"),
        entry.subject or "",
    ]


@dataclass(slots=True)
class _IndexPlan:
    """The search index's cable numbers ("slots", kept in the archive: a cable keeps the
    number it got when it first entered an edition, withdrawn or not; docs/publishing.md,
    "Incremental editions"), the slots given this edition (`new`), how many document rows
    (`size`: the highest slot ever given, plus one) and the BM25 average length frozen at
    the first edition (None: this edition's, known at its end)."""

    slots: dict[str, int]
    new: dict[str, int]
    size: int
    average: float | None

    @classmethod
    def of(cls, connection: sqlite3.Connection, entries: list[Entry]) -> _IndexPlan:
        slots = editions.slots(connection)
        size = max(slots.values(), default=-1) + 1
        new: dict[str, int] = {}
        for entry in entries:  # in date order
            if entry.reference_id not in slots:
                new[entry.reference_id] = slots[entry.reference_id] = size
                size += 1
        return cls(slots, new, size, editions.index_average(connection))

    @classmethod
    def first(cls, entries: list[Entry]) -> _IndexPlan:
        slots = {entry.reference_id: n for n, entry in enumerate(entries)}
        return cls(slots, dict(slots), len(entries), None)


def _index_changes(
    update: IndexUpdate, store: cache.BuildCache, plan: Plan, slots: dict[str, int]
) -> list[int]:
    """The changes to the previous edition's index given to `update`: the postings of the
    cables that left or whose public record changed taken out, those of the changed and
    entering put in; returns their numbers (their document rows change)."""
    before = store.previous_published
    gone = sorted(i for i in store.previous_records if plan.published.get(i) != before.get(i))
    came = sorted(i for i, p in plan.published.items() if before.get(i) != p)
    for reference_id in gone:
        update.remove(slots[reference_id], unpack(store.previous_records[reference_id]))
    for reference_id, blob in store.records(came):
        update.add(slots[reference_id], unpack(blob))
    return [slots[i] for i in gone + came]
