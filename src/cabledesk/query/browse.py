"""What an archive holds, counted for browsing: origins, tags by kind, months, levels.

Plain SQL over the SQLite part (the index is not needed to count what is stored).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from cabledesk.archive.editions import IN_EDITION
from cabledesk.record.ids import first_part
from cabledesk.record.level import LEVELS
from cabledesk.reference import tag_info

# The order a reader scans TAGS in; `other` and `person` are the reference table's own kinds.
TAG_KINDS = ("subject", "country", "organization", "program", "person", "other", "unknown")


def _and(edition: bool) -> str:
    return f" AND {IN_EDITION}" if edition else ""


@dataclass(slots=True)
class OriginCount:
    origin: str
    count: int
    first: str | None
    last: str | None


@dataclass(slots=True)
class TagCount:
    tag: str
    count: int
    kind: str
    meaning: str | None


def origins(connection: sqlite3.Connection, edition: bool = False) -> list[OriginCount]:
    """Every origin with its number of cables and the span of their dates, largest first."""
    rows = connection.execute(
        "SELECT origin, count(*) n, min(date), max(date) FROM cables "
        f"WHERE origin IS NOT NULL{_and(edition)} GROUP BY origin ORDER BY n DESC, origin"
    )
    return [OriginCount(*row) for row in rows]


def tags(connection: sqlite3.Connection, edition: bool = False) -> dict[str, list[TagCount]]:
    """Every TAG with its number of cables, grouped by kind (subject, country, ...)."""
    where = f"WHERE cable_id IN (SELECT id FROM cables WHERE {IN_EDITION})" if edition else ""
    rows = connection.execute(
        f"SELECT tag, count(DISTINCT cable_id) n FROM tags {where} GROUP BY tag "
        "ORDER BY n DESC, tag"
    )
    return group_tags(rows)


def group_tags(counts: Iterable[tuple[str, int]]) -> dict[str, list[TagCount]]:
    """(TAG, cables) pairs, most cables first, grouped by the TAGS table's kinds in the
    order a reader scans them; kinds without a TAG are left out."""
    groups: dict[str, list[TagCount]] = {kind: [] for kind in TAG_KINDS}
    for tag, count in counts:
        info = tag_info(tag)
        kind = info.kind if info and info.kind in groups else "unknown"
        groups[kind].append(TagCount(tag, count, kind, info.meaning if info else None))
    return {kind: found for kind, found in groups.items() if found}


def months(connection: sqlite3.Connection, edition: bool = False) -> list[tuple[str, int]]:
    """(YYYY-MM, cables) for every month with cables, oldest first."""
    rows = connection.execute(
        "SELECT substr(date, 1, 7) m, count(*) FROM cables "
        f"WHERE date IS NOT NULL{_and(edition)} GROUP BY m ORDER BY m"
    )
    return [(str(month), int(count)) for month, count in rows]


def classifications(connection: sqlite3.Connection, edition: bool = False) -> list[tuple[str, int]]:
    """(level, cables) from UNCLASSIFIED up; cables without a level are left out."""
    counts = dict(
        connection.execute(
            "SELECT classification, count(*) FROM cables "
            f"WHERE classification IS NOT NULL{_and(edition)} GROUP BY classification"
        ).fetchall()
    )
    return [(level, int(counts[level])) for level in LEVELS if level in counts]


def neighbours(
    connection: sqlite3.Connection, reference_id: str, edition: bool = False
) -> tuple[str | None, str | None]:
    """The cables just before and after this one from the same origin, by date then id
    (a cable without a date has none)."""
    row = connection.execute(
        "SELECT origin, date FROM cables WHERE reference_id = ?", (reference_id,)
    ).fetchone()
    if row is None or row[0] is None or row[1] is None:
        return None, None
    key = (row[0], row[1], reference_id)
    before = connection.execute(
        "SELECT reference_id FROM cables WHERE origin = ? AND (date, reference_id) < (?, ?)"
        f"{_and(edition)} ORDER BY date DESC, reference_id DESC LIMIT 1",
        key,
    ).fetchone()
    after = connection.execute(
        "SELECT reference_id FROM cables WHERE origin = ? AND (date, reference_id) > (?, ?)"
        f"{_and(edition)} ORDER BY date, reference_id LIMIT 1",
        key,
    ).fetchone()
    return (before[0] if before else None), (after[0] if after else None)


def present(
    connection: sqlite3.Connection, reference_ids: list[str], *, exact: bool = False
) -> set[str]:
    """Which of these ids the archive holds (a message's id when it holds the message's
    first PlusD document, `77STATE17976` for `77STATE17976_a`, unless `exact`)."""
    if not reference_ids:
        return set()
    asked = {reference_id: reference_id for reference_id in reference_ids}
    for reference_id in [] if exact else reference_ids:
        part = first_part(reference_id)
        if part is not None:
            asked.setdefault(part, reference_id)
    wanted = list(asked)
    found: set[str] = set()
    # In pages: SQLite takes so many variables at most (approving a whole release of
    # 251,287 cables asked for more in one statement).
    for start in range(0, len(wanted), _PAGE):
        page = wanted[start : start + _PAGE]
        marks = ",".join("?" * len(page))
        rows = connection.execute(
            f"SELECT reference_id FROM cables WHERE reference_id IN ({marks})", page
        )
        found.update(asked[row[0]] for row in rows)
    return found


_PAGE = 10_000


def stats(connection: sqlite3.Connection, edition: bool) -> dict[str, list[tuple[str, int]]]:
    """Counts of archived (of the edition's, for `edition`) cables by year, origin,
    classification and tag."""
    where = f"WHERE {IN_EDITION}" if edition else ""
    tag_where = f"WHERE cable_id IN (SELECT id FROM cables WHERE {IN_EDITION})" if edition else ""
    queries = {
        "year": f"SELECT year, count(*) FROM cables {where} GROUP BY year ORDER BY year",
        "origin": f"SELECT origin, count(*) n FROM cables {where} GROUP BY origin ORDER BY n DESC",
        "classification": f"SELECT classification, count(*) n FROM cables {where} "
        "GROUP BY classification ORDER BY class_rank",
        "tag": f"SELECT tag, count(DISTINCT cable_id) n FROM tags {tag_where} GROUP BY tag "
        "ORDER BY n DESC, tag",
    }
    return {
        name: [(str(value), int(count)) for value, count in connection.execute(sql)]
        for name, sql in queries.items()
    }
