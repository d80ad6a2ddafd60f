"""Writing the public edition as a static website any web server can serve.

Pages are rendered with the templates the web desk uses (`cabledesk.presentation`: the
same cable layout), from the viewed records only, into a fresh folder that replaces the
previous edition's when every file is written: a failed build never leaves a
half-published site.

The build streams (docs/publishing.md, "At the scale of a release"): one pass over the
approved cables keeps a few fields of each (`edition.Entry`) and spools its public record
to a file beside the site; once the links between cables are known, a second pass reads
the spool back and writes each cable's page and search postings. Every list (the front
page, the browse pages, the cables of an origin, TAG, month or classification) is cut
into pages of `page_size` rows, so no page grows with the edition.
"""

from __future__ import annotations

import json
import shutil
import struct
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cabledesk.archive import editions
from cabledesk.archive.blob import pack_record
from cabledesk.archive.progress import Reporter, Silent
from cabledesk.archive.store import unpack
from cabledesk.facade import Archive
from cabledesk.presentation import STATIC
from cabledesk.presentation.present import paragraph_anchors
from cabledesk.presentation.templating import environment
from cabledesk.presentation.urls import SiteUrls, list_key
from cabledesk.publish.edition import Entry, Plan, approved_plan
from cabledesk.publish.errors import PublishError
from cabledesk.publish.paths import inside
from cabledesk.publish.search_index import IndexWriter
from cabledesk.query.browse import OriginCount, group_tags
from cabledesk.record.level import LEVELS

MANIFEST = "edition.json"
# 2: the hashes are of the public records (published_hash), and nothing of the archive's
# own record (who built it, the register version) is in it. The desk serves no manifest of
# an older kind (web/edition_files.py): those held hashes of the stored, unredacted texts.
MANIFEST_FORMAT = 2
_STATIC_FILES = ("desk.css", "desk.js", "site-search.js")
# Rows of a list page (cables) or of a browse page (origins, TAGS, months): some 450 bytes
# of HTML a cable row, so a page stays near 100 KB however large the edition.
PAGE_SIZE = 200

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "PublishError", "SiteReport", "build_site"]


@dataclass(slots=True)
class SiteReport:
    edition: int
    cables: int
    pages: int
    terms: int
    out: Path


def _write(folder: Path, parts: tuple[str, ...], html: str) -> None:
    path = inside(folder, *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


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


class _Spool:
    """The public records of a build, in a file beside the site, read back in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("wb")

    def put(self, reference_id: str, record: dict[str, Any]) -> None:
        key = reference_id.encode("utf-8")
        blob = pack_record(record)
        self.handle.write(struct.pack("<II", len(key), len(blob)) + key + blob)

    def read(self) -> Iterator[tuple[str, bytes]]:
        self.handle.close()
        with self.path.open("rb") as handle:
            while head := handle.read(8):
                lengths = struct.unpack("<II", head)
                key = handle.read(lengths[0]).decode("utf-8")
                yield key, handle.read(lengths[1])

    def remove(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


def build_site(
    archive: Archive,
    out: str | Path,
    account: str | None = None,
    page_size: int = PAGE_SIZE,
    progress: Reporter | None = None,
) -> SiteReport:
    """Build the edition of the approved cables into `out` and record it. `progress`
    is told of each cable read (the first pass) and written (the second)."""
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
    building = out.with_name(out.name + ".building")
    spooling = out.with_name(out.name + ".spool")
    for leftover in (building, spooling):
        if leftover.exists():
            shutil.rmtree(leftover)
    building.mkdir(parents=True)
    spooling.mkdir()
    spool = _Spool(spooling / "records")
    try:
        total = archive.connection.execute(
            "SELECT count(*) FROM approvals WHERE text_hash IS NOT NULL"
        ).fetchone()[0]
        progress.start(2 * int(total), "files")

        def put(reference_id: str, record: dict[str, Any]) -> None:
            spool.put(reference_id, record)
            progress.advance(1, 0)

        plan = approved_plan(archive, put)
        if not plan.entries:
            raise PublishError("no cable is approved for publication: approve some first")
        previous = editions.latest(archive.connection)
        # Collections marked for the edition (docs/workspace.md): titles as the public
        # may read them; their pages hold only this edition's cables.
        shelves = archive.published_collections()
        pages, terms = _build(
            plan, spool, building, spooling, previous + 1, page_size, progress, shelves
        )
        progress.finish()
    except BaseException:
        # Nothing half-built is left behind (the next build would remove it anyway).
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        spool.remove()
        shutil.rmtree(spooling, ignore_errors=True)
    if out.exists():
        shutil.rmtree(out)
    building.replace(out)
    # Recorded once the site is in place: the public desk then shows the same edition.
    edition_id = archive.record_edition(account, str(out), plan.hashes, plan.register_version)
    return SiteReport(edition_id, len(plan.entries), pages, terms, out)


def _build(
    plan: Plan,
    spool: _Spool,
    building: Path,
    spooling: Path,
    number: int,
    page_size: int,
    progress: Reporter,
    shelves: Sequence[tuple[int, str, str, list[str]]] = (),
) -> tuple[int, int]:
    """Write every file of edition `number` into `building`; (pages, search terms).
    Every path goes through `inside`: a reference id cannot name a file elsewhere."""
    env = environment()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    title = f"cabledesk edition {number}"
    entries = plan.entries
    common = {
        "static_site": True,
        "footer_text": f"{title} · {len(entries):,} cables · built {created[:10]}",
        "archive_count": len(entries),
        "brand": title,
    }
    # Every cable's file name is checked before any page is rendered.
    for entry in entries:
        try:
            inside(building, "cable", f"{entry.reference_id}.html")
        except PublishError as exc:
            raise PublishError(
                f"{entry.reference_id!r} is not a reference id a page can be named after "
                f"({exc}); withdraw it from the edition: nothing was published"
            ) from None
    pages = 0
    ids = {entry.reference_id for entry in entries if entry.reference_id}
    numbers = {entry.reference_id: n for n, entry in enumerate(entries)}
    search = IndexWriter(inside(building, "search"), spooling / "postings")
    cable_page = env.get_template("cable.html")
    for _, blob in spool.read():
        cable = unpack(blob)
        reference_id = cable.reference_id or ""
        previous_id, next_id = plan.neighbours[reference_id]
        html = cable_page.render(
            **common,
            urls=SiteUrls(1),
            section="search",
            cable=cable,
            present={r.cable_id for r in cable.references if r.cable_id in ids},
            citing=plan.citing[reference_id],
            previous=previous_id,
            following=next_id,
            anchors=paragraph_anchors([p.number for p in cable.paragraphs]),
        )
        _write(building, ("cable", f"{reference_id}.html"), html)
        search.add(numbers[reference_id], cable)
        pages += 1
        progress.advance(1, 1)
    browse = env.get_template("browse.html")
    for by, rows in _browse_rows(entries).items():
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
            html = browse.render(
                **common,
                urls=SiteUrls(1),
                section="browse",
                by=by,
                rows=_shaped(by, chunk),
                pager=pager,
            )
            _write(building, ("browse", name), html)
            pages += 1
    listing = env.get_template("site_list.html")
    newest = entries[::-1]
    lists = [("all", "cables", "Every cable of this edition", newest), *_lists(entries)]
    for by, value, heading, members in lists:
        chunks = _pages(members, page_size)
        key = list_key(value)
        for page, chunk in enumerate(chunks, start=1):
            pager = {
                "page": page,
                "pages": len(chunks),
                "previous": f"{key}-{page - 1}.html" if page > 1 else None,
                "next": f"{key}-{page + 1}.html" if page < len(chunks) else None,
            }
            html = listing.render(
                **common,
                urls=SiteUrls(2),
                section="browse",
                heading=heading,
                total=len(members),
                order="oldest first" if by == "month" else "newest first",
                entries=chunk,
                pager=pager,
            )
            _write(building, ("list", by, f"{key}-{page}.html"), html)
            pages += 1
    # Published collections: built from the edition's own entries (the public's record of
    # each cable); a cable of the collection the edition does not hold is left out, not
    # named: the edition says nothing of the cables it does not publish.
    by_id = {entry.reference_id: entry for entry in entries}
    listed = []
    shelf_page = env.get_template("site_collection.html")
    for number, heading, description, member_ids in shelves:
        held = [by_id[i] for i in member_ids if i in by_id]
        html = shelf_page.render(
            **common,
            urls=SiteUrls(1),
            section="search",
            heading=heading,
            description=description,
            entries=held,
        )
        _write(building, ("collection", f"{number}.html"), html)
        listed.append((number, heading, len(held)))
        pages += 1
    root = SiteUrls(0)
    first = _pages(newest, page_size)
    more = len(first) > 1
    _write(
        building,
        ("index.html",),
        env.get_template("site_index.html").render(
            **common,
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
        building,
        ("search.html",),
        env.get_template("site_search.html").render(**common, urls=root, section="search"),
    )
    pages += 2
    inside(building, "static").mkdir()
    for name in _STATIC_FILES:
        inside(building, "static", name).write_bytes((STATIC / name).read_bytes())
    terms = search.finish([_document(e) for e in entries])
    # Public: each cable's hash is of its public record (published_hash), never of the
    # stored text, which would let anyone test guesses at a redacted name offline.
    manifest = {
        "format": MANIFEST_FORMAT,
        "edition": number,
        "created": created,
        "cables": dict(sorted(plan.published.items())),
    }
    _write(building, (MANIFEST,), json.dumps(manifest, indent=2))
    return pages, terms


def _document(entry: Entry) -> list[str]:
    """An entry's row of the search's document files (search_index.document, of the cable)."""
    return [
        entry.reference_id,
        entry.date[:10],
        entry.origin or "",
        "//".join([entry.classification or "", *entry.caveats]).strip("/"),
        entry.subject or "",
    ]
