"""Writing the public edition as a static website any web server can serve.

Pages are rendered with the templates the web desk uses (`cabledesk.presentation`: the
same cable layout), from the viewed records only, into a fresh folder that replaces the
previous edition's when every file is written: a failed build never leaves a
half-published site.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cabledesk.archive import editions
from cabledesk.facade import Archive
from cabledesk.presentation import STATIC
from cabledesk.presentation.present import paragraph_anchors
from cabledesk.presentation.templating import environment
from cabledesk.presentation.urls import SiteUrls
from cabledesk.publish.edition import Edition, approved_view
from cabledesk.publish.errors import PublishError
from cabledesk.publish.paths import inside
from cabledesk.publish.search_index import write_index
from cabledesk.query.browse import OriginCount, group_tags
from cabledesk.record.level import LEVELS

MANIFEST = "edition.json"
# 2: the hashes are of the public records (published_hash), and nothing of the archive's
# own record (who built it, the register version) is in it. The desk serves no manifest of
# an older kind (web/edition_files.py): those held hashes of the stored, unredacted texts.
MANIFEST_FORMAT = 2
_STATIC_FILES = ("desk.css", "desk.js", "site-search.js")

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


def _browse_rows(edition: Edition) -> dict[str, Any]:
    origins: dict[str, list[str]] = defaultdict(list)
    tags: Counter[str] = Counter()
    months: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for cable in edition.cables:
        date = (cable.header.sent or cable.created or "")[:10]
        if cable.origin:
            origins[cable.origin].append(date)
        tags.update(set(cable.tags))
        if date:
            months[date[:7]] += 1
        if cable.classification:
            levels[cable.classification] += 1
    years: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for month in sorted(months):
        years[month[:4]].append((month, months[month]))
    return {
        "origin": [
            OriginCount(o, len(d), min(filter(None, d), default=None), max(d) or None)
            for o, d in sorted(origins.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "tag": group_tags(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))),
        "month": list(years.items()),
        "classification": [(level, levels[level]) for level in LEVELS if levels[level]],
    }


def build_site(archive: Archive, out: str | Path, account: str | None = None) -> SiteReport:
    """Build the edition of the approved cables into `out` and record it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out}: expected a folder for the edition's site; found a file")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise PublishError(
            f"{out}: expected an empty folder or an earlier edition; it holds other files"
        )
    edition = approved_view(archive)
    if not edition.cables:
        raise PublishError("no cable is approved for publication: approve some first")
    building = out.with_name(out.name + ".building")
    if building.exists():
        shutil.rmtree(building)
    previous = editions.latest(archive.connection)
    try:
        pages, terms = _build(edition, building, previous + 1)
    except BaseException:
        # Nothing half-built is left behind (the next build would remove it anyway).
        shutil.rmtree(building, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    building.replace(out)
    # Recorded once the site is in place: the public desk then shows the same edition.
    edition_id = archive.record_edition(account, str(out), edition.hashes, edition.register_version)
    return SiteReport(edition_id, len(edition.cables), pages, terms, out)


def _build(edition: Edition, building: Path, number: int) -> tuple[int, int]:
    """Write every file of edition `number` into `building`; (pages, search terms).
    Every path goes through `inside`: a reference id cannot name a file elsewhere."""
    env = environment()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    title = f"cabledesk edition {number}"
    common = {
        "static_site": True,
        "footer_text": f"{title} · {len(edition.cables):,} cables · built {created[:10]}",
        "archive_count": len(edition.cables),
        "brand": title,
    }
    # Every cable's file name is checked before any page is rendered.
    for cable in edition.cables:
        try:
            inside(building, "cable", f"{cable.reference_id}.html")
        except PublishError as exc:
            raise PublishError(
                f"{cable.reference_id!r} is not a reference id a page can be named after "
                f"({exc}); withdraw it from the edition: nothing was published"
            ) from None
    pages = 0
    ids = edition.ids
    for cable in edition.cables:
        assert cable.reference_id
        previous_id, next_id = edition.neighbours[cable.reference_id]
        html = env.get_template("cable.html").render(
            **common,
            urls=SiteUrls(1),
            section="search",
            cable=cable,
            present={r.cable_id for r in cable.references if r.cable_id in ids},
            citing=edition.citing[cable.reference_id],
            previous=previous_id,
            following=next_id,
            anchors=paragraph_anchors([p.number for p in cable.paragraphs]),
        )
        _write(building, ("cable", f"{cable.reference_id}.html"), html)
        pages += 1
    for by, rows in _browse_rows(edition).items():
        html = env.get_template("browse.html").render(
            **common, urls=SiteUrls(1), section="browse", by=by, rows=rows
        )
        _write(building, ("browse", f"{by}.html"), html)
        pages += 1
    root = SiteUrls(0)
    _write(
        building,
        ("index.html",),
        env.get_template("site_index.html").render(
            **common,
            urls=root,
            section="search",
            title=title,
            created=created,
            cables=edition.cables,
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
    terms = write_index(edition.cables, inside(building, "search"))
    # Public: each cable's hash is of its public record (published_hash), never of the
    # stored text, which would let anyone test guesses at a redacted name offline.
    manifest = {
        "format": MANIFEST_FORMAT,
        "edition": number,
        "created": created,
        "cables": dict(sorted(edition.published.items())),
    }
    _write(building, (MANIFEST,), json.dumps(manifest, indent=2))
    return pages, terms
