"""What a query may reach for one viewer: which text fields, and which cables.

Readers search only the text at or below their ceiling, redactions burned in; the public
searches only the published edition. Editors and the local desk search everything,
including what the redactions hold back (`withheld`).
"""

from __future__ import annotations

from dataclasses import dataclass

import tantivy

from cabledesk.archive.fields import (
    SUBJECT_FIELDS,
    TEXT_FIELDS,
    WITHHELD,
    blanks_value,
    entity_field,
    visible,
)
from cabledesk.record.level import Level
from cabledesk.redact.viewer import Viewer


@dataclass(frozen=True, slots=True)
class Scope:
    text_fields: tuple[str, ...]
    subject_fields: tuple[str, ...]
    published_only: bool = False
    # The reader's view of entities (fields.entity_field): their ceiling, and whether
    # they are foreign (no NOFORN parts).
    ceiling: int = int(Level.TOP_SECRET)
    foreign: bool = False

    @classmethod
    def of(cls, viewer: Viewer) -> Scope:
        if not viewer.restricted:
            return cls((*TEXT_FIELDS, WITHHELD), (*SUBJECT_FIELDS, WITHHELD))
        text, subject = visible(viewer.ceiling, viewer.foreign)
        return cls(text, subject, viewer.published_only, int(viewer.ceiling), viewer.foreign)

    def entity_field(self, kind: str) -> str:
        """The index field listing the entities of `kind` this reader may see in a cable."""
        return entity_field(kind, self.ceiling, self.foreign)

    def blanks_value(self) -> str:
        """The `has` value `has:redactions` looks for in this reader's view."""
        if WITHHELD in self.text_fields:
            return "redactions"
        return blanks_value(self.ceiling, self.foreign)

    def restrict(self, schema: tantivy.Schema, query: tantivy.Query) -> tantivy.Query:
        if not self.published_only:
            return query
        edition = tantivy.Query.term_query(schema, "published", "yes")
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, edition)]
        )


EVERYTHING = Scope((*TEXT_FIELDS, WITHHELD), (*SUBJECT_FIELDS, WITHHELD))
