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
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import orjson

from cabledesk.archive import register
from cabledesk.archive.blob import pack_record
from cabledesk.archive.editions import approved_records, packed_approved_records
from cabledesk.archive.index import process_mapper
from cabledesk.archive.prepare import text_hash
from cabledesk.archive.store import unpack
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


# (reference id, text hash of the stored version, published hash, entry, the public
# record packed as the build cache holds it): what the first pass keeps of a cable.
Viewed = tuple[str, str, str, "Entry", bytes]
# The public viewer of the pass under way, set before its worker processes are forked.
_viewer: Viewer | None = None


def view_packed(rows: list[tuple[str, bytes]]) -> list[Viewed]:
    """The first pass's work on a chunk of stored records, packed as stored (a pure
    function of the chunk and `_viewer`: it runs in worker processes)."""
    assert _viewer is not None
    out: list[Viewed] = []
    for reference_id, packed in rows:
        stored = unpack(packed)
        public = public_record(stored, _viewer)
        record = to_dict(public)
        out.append(
            (reference_id, text_hash(stored), _hash_of(record), entry_of(public),
             pack_record(record))
        )  # fmt: skip
    return out


def approved_plan(
    archive: Archive, spool: Callable[[str, bytes, Entry, str], None], workers: int = 0
) -> Plan:
    """One pass over the approved cables, as `approved_view` sees them, keeping only
    each cable's `Entry` and hashes; `spool(reference id, public record packed, entry,
    published hash)` is given each public record as it is made (the site keeps it to read
    back once the links between cables are known), in reference-id order. With
    `workers`, the cables are viewed in that many processes while this one reads the
    archive and spools (the same results, in the same order). Memory: the entries, not
    the cables."""
    global _viewer
    register_version = register.version(archive.connection)
    entries, hashes, published = [], {}, {}
    _viewer = public_viewer(archive)
    try:
        chunks = packed_approved_records(archive.connection)
        with process_mapper(workers) if workers else nullcontext(None) as pool:
            done = pool(view_packed, chunks) if pool else map(view_packed, chunks)
            for viewed in done:
                for reference_id, stored_hash, published_hash_, entry, packed in viewed:
                    hashes[reference_id] = stored_hash
                    published[reference_id] = published_hash_
                    entries.append(entry)
                    spool(reference_id, packed, entry, published_hash_)
    finally:
        _viewer = None
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
    return hashlib.sha256(canonical_json(record)).hexdigest()


def canonical_json(record: dict[str, Any]) -> bytes:
    """The bytes published_hash hashes: `json.dumps(record, ensure_ascii=False,
    sort_keys=True, separators=(",", ":"))` as UTF-8 (docs/publishing.md). orjson writes
    the same bytes for what a record holds (strings, integers, booleans, null, lists and
    objects with string keys: no floats; keys sorted by code point, which is their UTF-8
    order) some five times faster, and a first pass hashes every approved cable; anything
    it refuses (a lone surrogate, an integer past 64 bits) goes the way of the
    definition. tests/test_publish_hash.py holds the two to the same bytes."""
    try:
        return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return canonical.encode("utf-8")
