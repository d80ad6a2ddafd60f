"""Matching cables per month, split by classification, for a query (the timeline chart)."""

from __future__ import annotations

from dataclasses import dataclass, field

import tantivy

# More months than any archive spans (1966-2010 is 540), so no month is left out.
_MONTHS = 5000


@dataclass(slots=True)
class Month:
    month: str  # "2008-06"
    total: int
    by_classification: dict[str, int] = field(default_factory=dict)


def timeline(searcher: tantivy.Searcher, compiled: tantivy.Query) -> list[Month]:
    """Every month with matching cables, oldest first (months without any are absent)."""
    request = {
        "months": {
            "terms": {"field": "month", "size": _MONTHS},
            "aggs": {"levels": {"terms": {"field": "classification", "size": 10}}},
        }
    }
    buckets = searcher.aggregate(compiled, request)["months"]["buckets"]
    months = [
        Month(
            month=f"{int(b['key']) // 100:04d}-{int(b['key']) % 100:02d}",
            total=int(b["doc_count"]),
            by_classification={
                str(level["key"]): int(level["doc_count"]) for level in b["levels"]["buckets"]
            },
        )
        for b in buckets
    ]
    return sorted(months, key=lambda m: m.month)
