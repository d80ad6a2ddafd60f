"""The cables of an edition as the public will see them, and their cross-links."""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.archive import Archive
from cabledesk.archive import register as register_store
from cabledesk.archive.prepare import text_hash
from cabledesk.record.model import Cable
from cabledesk.redact import Viewer


@dataclass(slots=True)
class Edition:
    """The approved cables, viewed with the redactions in force, in date order."""

    cables: list[Cable]
    hashes: dict[str, str]
    register_version: int
    citing: dict[str, list[str]] = field(default_factory=dict)
    neighbours: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {c.reference_id for c in self.cables if c.reference_id}


def public_viewer(archive: Archive) -> Viewer:
    return Viewer(redact=True, compiled=archive.redactor())


def approved_view(archive: Archive) -> Edition:
    """What the next edition will hold: every approved cable as the public will see it."""
    viewer = public_viewer(archive)
    cables, hashes = [], {}
    for reference_id in archive.approved():
        stored = archive.get(reference_id)
        if stored is None:
            continue
        hashes[reference_id] = text_hash(stored)
        cables.append(viewer.view(stored))
    cables.sort(key=lambda c: (c.header.sent or c.created or "", c.reference_id or ""))
    edition = Edition(cables, hashes, register_store.version(archive.connection))
    ids = edition.ids
    for cable in cables:
        assert cable.reference_id
        edition.citing[cable.reference_id] = [
            i for i in archive.citing(cable.reference_id) if i in ids
        ]
    by_origin: dict[str | None, list[str]] = {}
    for cable in cables:
        by_origin.setdefault(cable.origin, []).append(cable.reference_id or "")
    for members in by_origin.values():
        for index, reference_id in enumerate(members):
            before = members[index - 1] if index else None
            after = members[index + 1] if index + 1 < len(members) else None
            edition.neighbours[reference_id] = (before, after)
    return edition
