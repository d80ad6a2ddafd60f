"""A collection as one reader receives it (`Archive.collection`): its cables viewed with
that reader's viewer and the notes they may read on them."""

from __future__ import annotations

from dataclasses import dataclass

from cabledesk.record.model import Cable
from cabledesk.workspace.collections import Collection, Member
from cabledesk.workspace.notes import Note


@dataclass(frozen=True, slots=True)
class Entry:
    member: Member
    cable: Cable | None  # None: withheld from this reader (no subject, no text)
    notes: list[Note]

    @property
    def reference_id(self) -> str:
        return self.member.reference_id

    @property
    def withheld(self) -> bool:
        return self.cable is None


@dataclass(frozen=True, slots=True)
class Shelf:
    collection: Collection
    entries: list[Entry]
    shares: list[tuple[str, str]]  # (account, view|edit)
