"""What the query language asks of predicted sensitivity (docs/sensitivity.md):
`predicted:secret` and the facet of predicted levels, answered from the scores the asking
reader is granted (archive/sensitivity_view.py: none of a cable with text withheld from
them or a redaction they get)."""

from __future__ import annotations

from typing import Any, Protocol

import tantivy

# Facet buckets, most sensitive first: the three levels a model predicts, then NOFORN.
BUCKETS = ("SECRET", "CONFIDENTIAL", "UNCLASSIFIED", "NOFORN")


class PredictedLookup(Protocol):
    def level_ids(self, level: int) -> list[str]:
        """Ids of the reader's scored cables predicted at that level (0, 1, 2)."""
        ...

    def noforn_ids(self) -> list[str]:
        """Ids of the reader's scored cables predicted NOFORN."""
        ...

    def scored(self) -> bool:
        """Whether the reader is granted any score at all (no facet otherwise)."""
        ...

    def query(self, schema: tantivy.Schema, name: str, ids: list[str]) -> tantivy.Query:
        """A term-set query of `ids` on the id field (`name` keys a cache)."""
        ...

    def shown(self, reference_ids: list[str]) -> dict[str, Any]:
        """The predictions of those of the cables the reader is granted scores of."""
        ...


def ids_of(lookup: PredictedLookup, bucket: str) -> list[str]:
    if bucket == "NOFORN":
        return lookup.noforn_ids()
    return lookup.level_ids(("UNCLASSIFIED", "CONFIDENTIAL", "SECRET").index(bucket))


def facet(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    compiled: tantivy.Query,
    lookup: PredictedLookup,
) -> list[tuple[str, int]]:
    """(bucket, matching cables predicted so) for the non-empty buckets."""
    counts = []
    for bucket in BUCKETS:
        ids = ids_of(lookup, bucket)
        if not ids:
            continue
        among = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (tantivy.Occur.Must, lookup.query(schema, bucket, ids)),
            ]
        )
        found = int(getattr(searcher.search(among, limit=1, count=True), "count", 0) or 0)
        if found:
            counts.append((bucket, found))
    return counts
