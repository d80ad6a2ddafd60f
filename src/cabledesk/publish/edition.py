"""The cables of an edition as the public will see them, and their cross-links.

Each approved cable enters as the version an editor approved (its text hash), viewed with
the redactions in force; a newer text waits for its own approval. What the public receives
is `public_record`: the viewed record without anything that only the stored text, or the
archive's own bookkeeping, could tell (docs/publishing.md, "What leaves the archive").
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cabledesk.archive import register
from cabledesk.archive.editions import approved_records
from cabledesk.archive.prepare import text_hash
from cabledesk.facade import Archive
from cabledesk.record.codec import to_dict
from cabledesk.record.model import Cable, Redactions, Repairs
from cabledesk.redact import Viewer

# The source's own blanks (`XXXXXXXXXXXX`), counted as the parser counts them.
_MARKER = re.compile("XXXXX+")


@dataclass(slots=True)
class Edition:
    """The approved cables, viewed with the redactions in force, in date order."""

    cables: list[Cable]
    # {reference id: stored text hash of the version published}: for the archive's own
    # record (edition_cables, the editors' diff) only, never written to a public file.
    hashes: dict[str, str]
    # {reference id: published_hash of the public record}: what edition.json lists.
    published: dict[str, str]
    register_version: int
    citing: dict[str, list[str]] = field(default_factory=dict)
    neighbours: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {c.reference_id for c in self.cables if c.reference_id}


def public_viewer(archive: Archive) -> Viewer:
    return Viewer(redact=True, published_only=True, compiled=archive.redactor())


def public_record(stored: Cable, viewer: Viewer) -> Cable:
    """The record the public receives of `stored`: the viewer's view, less what would
    tell something of the text it withholds or of the archive's own machine."""
    public = viewer.view(stored)
    # Where the cable was read from (a path on the editors' machine) and the parser's
    # notes about the stored text are not part of the cable.
    public.location = None
    public.warnings = []
    numbers = {p.number for p in stored.paragraphs if p.number is not None}
    withheld = viewer.redactor.withheld_paragraphs(stored.reference_id) & numbers
    if withheld:
        # Counted over the whole stored text, these would say what the withheld
        # paragraphs hold (how many blanks, how many repaired artifacts): the blanks are
        # counted again over the text the public sees, and the repairs are not told.
        public.repairs = Repairs()
        public.redactions = Redactions(count=len(_MARKER.findall(public.text.replace("x", "X"))))
    return public


def published_hash(cable: Cable) -> str:
    """The hash edition.json gives for a cable: SHA-256 of its public record as canonical
    JSON (sorted keys, no spaces), so anyone can check a copy of the data release against
    it; computed from what is published only, so it confirms no guess about hidden text."""
    return _hash_of(to_dict(cable))


def approved_view(archive: Archive) -> Edition:
    """What the next edition will hold: every approved cable, as the version approved,
    as the public will see it."""
    viewer = public_viewer(archive)
    register_version = register.version(archive.connection)
    cables, hashes, published = [], {}, {}
    for reference_id, stored in approved_records(archive.connection):
        public = public_record(stored, viewer)
        hashes[reference_id] = text_hash(stored)
        published[reference_id] = published_hash(public)
        cables.append(public)
    cables.sort(key=lambda c: (c.header.sent or c.created or "", c.reference_id or ""))
    edition = Edition(cables, hashes, published, register_version)
    ids = edition.ids
    # Cross-links among the versions published (not the current texts' REF rows, which
    # may belong to a version nobody approved), in the edition's order: oldest first.
    for cable in cables:
        assert cable.reference_id
        edition.citing[cable.reference_id] = []
    for cable in cables:
        for cited in dict.fromkeys(r.cable_id for r in cable.references if r.cable_id):
            if cited in ids:
                edition.citing[cited].append(cable.reference_id or "")
    by_origin: dict[str | None, list[str]] = {}
    for cable in cables:
        by_origin.setdefault(cable.origin, []).append(cable.reference_id or "")
    for members in by_origin.values():
        for index, reference_id in enumerate(members):
            before = members[index - 1] if index else None
            after = members[index + 1] if index + 1 < len(members) else None
            edition.neighbours[reference_id] = (before, after)
    return edition


@dataclass(slots=True)
class Entry:
    """What a list, a browse page or the search's document list tells of a published
    cable: a few fields of its public record, kept for every cable while the site is
    built (the pages themselves are written one cable at a time)."""

    reference_id: str
    date: str  # sent or created, as the public record gives it ("" when undated)
    origin: str | None
    classification: str | None
    caveats: list[str]
    subject: str | None
    tags: list[str]
    cites: list[str]  # the ids its references name, each once, in the cable's order


@dataclass(slots=True)
class Plan:
    """An edition known by its entries only (in date order), and where the public
    records were spooled (`spool`: see `spool_records`)."""

    entries: list[Entry]
    hashes: dict[str, str]
    published: dict[str, str]
    register_version: int
    citing: dict[str, list[str]] = field(default_factory=dict)
    neighbours: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def entry_of(cable: Cable) -> Entry:
    return Entry(
        cable.reference_id or "",
        cable.header.sent or cable.created or "",
        cable.origin,
        cable.classification,
        list(cable.caveats),
        cable.subject,
        list(cable.tags),
        list(dict.fromkeys(r.cable_id for r in cable.references if r.cable_id)),
    )


def approved_plan(
    archive: Archive, spool: Callable[[str, dict[str, Any], Entry, str], None]
) -> Plan:
    """One pass over the approved cables, as `approved_view` sees them, keeping only
    each cable's `Entry` and hashes; `spool(reference id, public record as a dict, entry,
    published hash)` is given each public record as it is made (the site keeps it to read
    back once the links between cables are known). Memory: the entries, not the cables."""
    viewer = public_viewer(archive)
    register_version = register.version(archive.connection)
    entries, hashes, published = [], {}, {}
    for reference_id, stored in approved_records(archive.connection):
        public = public_record(stored, viewer)
        record = to_dict(public)
        hashes[reference_id] = text_hash(stored)
        published[reference_id] = _hash_of(record)
        entry = entry_of(public)
        entries.append(entry)
        spool(reference_id, record, entry, published[reference_id])
    return linked(Plan(entries, hashes, published, register_version))


def linked(plan: Plan) -> Plan:
    """`plan` with its entries in date order and the links between its cables: the same
    links as approved_view's, from the entries."""
    entries = plan.entries
    entries.sort(key=lambda e: (e.date, e.reference_id))
    ids = {e.reference_id for e in entries if e.reference_id}
    plan.citing = {entry.reference_id: [] for entry in entries}
    plan.neighbours = {}
    for entry in entries:
        for cited in entry.cites:
            if cited in ids:
                plan.citing[cited].append(entry.reference_id)
    by_origin: dict[str | None, list[str]] = {}
    for entry in entries:
        by_origin.setdefault(entry.origin, []).append(entry.reference_id)
    for members in by_origin.values():
        for index, reference_id in enumerate(members):
            before = members[index - 1] if index else None
            after = members[index + 1] if index + 1 < len(members) else None
            plan.neighbours[reference_id] = (before, after)
    return plan


def published_hash_of(record: dict[str, Any]) -> str:
    """published_hash of a public record already made a dict (to_dict)."""
    return _hash_of(record)


def _hash_of(record: dict[str, Any]) -> str:
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
