"""Batch search (a watch list): many queries or names at once, one per line or one column
of a CSV file, each answered with its count and matching cable ids (docs/workspace.md).

This module reads the list and writes the table; the facade runs each query in the
asking reader's view (Archive.batch_search). A line that cannot be used (a query the
language cannot read, a name without letters) gets one message with its line number and
the other lines go on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from cabledesk.errors import Error
from cabledesk.record.words import WORD

# Matching ids listed per query by default (the count is always whole): a watch list of
# a thousand common names must not make a file of millions of ids.
MAX_IDS = 1000
# Lines in one batch from the desk or the API (the command line takes any number).
MAX_LINES = 1000
MAX_LINE = 2000
COLUMNS = ("line", "query", "count", "ids", "error")


class BatchError(Error, ValueError):
    """A list that cannot be read at all (no such column, nothing in it, too long)."""


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # in the file (1 = its first line; a CSV's header is line 1)
    text: str  # as written
    query: str  # what is searched (a name: its words as a phrase)
    error: str | None = None


@dataclass(slots=True)
class Row:
    line: int
    text: str
    query: str
    count: int = 0
    ids: list[str] = field(default_factory=list)
    error: str | None = None
    # More ids match than are listed (`count` says how many).
    truncated: bool = False
    # Spelling variants searched besides (docs/search.md, "Spelling variants").
    variants: list[str] = field(default_factory=list)


def as_name(text: str) -> str:
    """A name searched as a phrase: its words in order, whatever punctuation was between
    (`Nouri al-Maliki` -> `"Nouri al Maliki"`)."""
    return '"' + " ".join(WORD.findall(text)) + '"'


def read_lines(
    text: str, *, column: str | None = None, names: bool = False, most: int | None = None
) -> list[Line]:
    """The queries of a list: one per line, or (`column`: a header's name or a 1-based
    number) one per row of that CSV column. Blank lines and lines starting with `#` are
    skipped. `names`: each line is a name, searched as a phrase. BatchError when the list
    has nothing to search, more than `most` lines, or no such column."""
    found: list[Line] = []
    for number, raw in _entries(text, column):
        value = raw.strip()
        if not value or value.startswith("#"):
            continue
        if len(value) > MAX_LINE:
            found.append(Line(number, value[:80] + "…", "", f"longer than {MAX_LINE} characters"))
            continue
        if names:
            if not WORD.search(value):
                found.append(Line(number, value, "", "a name needs letters or digits"))
                continue
            found.append(Line(number, value, as_name(value)))
        else:
            found.append(Line(number, value, value))
        if most is not None and len(found) > most:
            raise BatchError(f"at most {most:,} queries in one batch (the command line takes any)")
    if not found:
        raise BatchError("the list has no query to search (one per line, or a CSV column)")
    return found


def _entries(text: str, column: str | None) -> Iterable[tuple[int, str]]:
    if column is None:
        yield from enumerate(text.splitlines(), start=1)
        return
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise BatchError("the CSV file is empty") from None
    wanted = column.strip()
    if wanted.isdigit() and 1 <= int(wanted) <= len(header):
        place = int(wanted) - 1
    else:
        names = [h.strip().lower() for h in header]
        if wanted.lower() not in names:
            shown = ", ".join(repr(h) for h in header[:10])
            raise BatchError(f"no column {column!r} in the CSV header (it has {shown})")
        place = names.index(wanted.lower())
    for row in reader:
        # csv counts lines itself (a quoted cell may hold line breaks).
        yield reader.line_num, row[place] if place < len(row) else ""


def write_csv(rows: list[Row], handle: IO[str]) -> None:
    """One row per query: its line, the query, the count, the ids (space-separated; `…`
    at the end when more match than are listed) and the error, if any."""
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    for row in rows:
        ids = " ".join(row.ids) + (" …" if row.truncated else "")
        writer.writerow([row.line, row.text, row.count, ids, row.error or ""])


def to_json(rows: list[Row]) -> str:
    return json.dumps(
        {
            "queries": [
                {
                    "line": r.line,
                    "text": r.text,
                    "query": r.query,
                    "count": r.count,
                    "ids": r.ids,
                    "truncated": r.truncated,
                    "variants": r.variants,
                    "error": r.error,
                }
                for r in rows
            ]
        },
        ensure_ascii=False,
    )
