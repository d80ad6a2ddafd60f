"""The Cablegate CSV release (`cables.csv`): 8 columns, no header row, one cable per record.

Columns: sequence id, date (`6/14/2008 6:50`), reference id, origin, classification,
referenced ids (comma separated), header, content. Fields are RFC 4180 quoted and span
lines. The reader streams: memory does not grow with the file.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import IO, Any

from cabledesk.sources.dates import us_datetime
from cabledesk.sources.item import Metadata, SourceError, SourceText, snippet

COLUMNS = ("id", "date", "refid", "origin", "classification", "references", "header", "content")

# A single cable text can exceed the csv module's default field limit of 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_csv(handle: IO[str], location: str) -> Iterator[SourceText | SourceError]:
    reader = csv.reader(handle)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield SourceError(f"{location}:{start}", "a CSV record", f"malformed CSV ({exc})")
            return
        where = f"{location}:{start}"
        start = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        # A header row; tested on its first field first, not by lower-casing whole texts.
        if row[0].strip().lower() == "id" and [c.strip().lower() for c in row] == list(COLUMNS):
            continue
        if len(row) != len(COLUMNS):
            yield SourceError(
                where,
                f"{len(COLUMNS)} columns ({', '.join(COLUMNS)})",
                f"{len(row)} columns starting {snippet(row[0])}",
            )
            continue
        yield _cable(row, where)


def _cable(row: list[str], where: str) -> SourceText | SourceError:
    _, date, refid, origin, classification, references, header, content = row
    created = us_datetime(date)
    if created is None:
        return SourceError(where, "a date like 6/14/2008 6:50 in column 2", snippet(date))
    if not content.strip():
        return SourceError(where, "the cable text in column 8", "an empty field")
    # A one-character test is much cheaper than the replace's scan of the text.
    if "\r" in header:
        header = header.replace("\r\n", "\n")
    if "\r" in content:
        content = content.replace("\r\n", "\n")
    return SourceText(
        format="csv",
        location=where,
        header=header if header.strip() else None,
        body=content,
        raw=f"{header}\n\n{content}" if header.strip() else content,
        metadata=Metadata(
            reference_id=refid.strip() or None,
            created=created,
            classification=classification.strip() or None,
            origin=origin.strip() or None,
            cited_ids=[r.strip() for r in references.split(",") if r.strip()],
        ),
    )


def csv_writer(handle: IO[str]) -> Any:  # typeshed names the type only privately
    """A writer of the release layout (exports, tests and the corpus generator use it)."""
    # The release quotes every field; keep that so files we write read like the original.
    return csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
