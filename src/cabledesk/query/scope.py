"""What a query may reach for one viewer: which text fields, and which cables.

Readers search only the text at or below their ceiling, redactions burned in; the public
searches only the published edition. Editors and the local desk search everything,
including what the redactions hold back (`withheld`).
"""

from __future__ import annotations

from dataclasses import dataclass

import tantivy

from cabledesk.archive.fields import SUBJECT_FIELDS, TEXT_FIELDS, WITHHELD, visible
from cabledesk.redact.viewer import Viewer


@dataclass(frozen=True, slots=True)
class Scope:
    text_fields: tuple[str, ...]
    subject_fields: tuple[str, ...]
    published_only: bool = False

    @classmethod
    def of(cls, viewer: Viewer) -> Scope:
        if not viewer.restricted:
            return cls((*TEXT_FIELDS, WITHHELD), (*SUBJECT_FIELDS, WITHHELD))
        text, subject = visible(viewer.ceiling, viewer.foreign)
        return cls(text, subject, viewer.published_only)

    def restrict(self, schema: tantivy.Schema, query: tantivy.Query) -> tantivy.Query:
        if not self.published_only:
            return query
        edition = tantivy.Query.term_query(schema, "published", "yes")
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, edition)]
        )


EVERYTHING = Scope((*TEXT_FIELDS, WITHHELD), (*SUBJECT_FIELDS, WITHHELD))
