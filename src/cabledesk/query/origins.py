"""Matching cables per origin, every origin (the map of origins; the origin facet keeps
only the largest)."""

from __future__ import annotations

import tantivy

# More origins than any archive has (the release has 265): none is left out.
_ORIGINS = 5000
# Per segment, every bucket: otherwise tantivy merges each segment's top few and the
# counts of the rest are estimates.
_EVERY_BUCKET = 2**31


def origin_counts(searcher: tantivy.Searcher, compiled: tantivy.Query) -> list[tuple[str, int]]:
    """(origin, matching cables) for every origin with a match, most first, then by name."""
    request = {
        "origins": {"terms": {"field": "origin", "size": _ORIGINS, "segment_size": _EVERY_BUCKET}}
    }
    buckets = searcher.aggregate(compiled, request)["origins"]["buckets"]
    found = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))
