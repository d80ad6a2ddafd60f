"""What the query language asks of the citation graph (docs/graph.md): `cited:`,
`thread:` and `sort=cited`, answered from the asking reader's own graph.

The query layer knows no graph table: the facade hands the compiler a `GraphLookup` made
from the reader's graph (`archive.graph.Lookup`), so citation counts are that reader's
(the public's: counted over the published edition only) and a thread is theirs.
"""

from __future__ import annotations

from typing import Protocol


class GraphLookup(Protocol):
    def cited(self, low: int, high: int | None) -> list[str]:
        """Ids of the reader's cables cited by at least `low` (at most `high`, None: no
        limit) of the reader's cables."""
        ...

    def thread(self, reference_id: str) -> list[str]:
        """Ids of the cables of that cable's thread (the reader's; empty when it is not
        one of the reader's cables)."""
        ...

    def ranked(self) -> tuple[list[str], list[int]]:
        """The reader's cited cables, most cited first (ties by id), and how many of the
        reader's cables cite each."""
        ...
