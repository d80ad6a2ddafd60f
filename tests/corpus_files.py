"""Build test inputs in the published layouts from parsed cables (no CSV sample exists)."""

from __future__ import annotations

import io
from pathlib import Path

from cabledesk.sources import SourceText, csv_writer, read_paths


def us_date(iso: str) -> str:
    """`2008-06-14T06:50:00Z` in the release's `6/14/2008 6:50` notation."""
    date, time = iso[:10], iso[11:16]
    year, month, day = (int(x) for x in date.split("-"))
    hour, minute = (int(x) for x in time.split(":"))
    return f"{month}/{day}/{year} {hour}:{minute:02d}"


def html_sources(path: Path) -> list[SourceText]:
    return [item for item in read_paths([path]) if isinstance(item, SourceText)]


def csv_row(source: SourceText, number: int) -> list[str]:
    """A WikiLeaks page as a cables.csv row: id, date, refid, origin, classification,
    references, header, content."""
    metadata = source.metadata
    return [
        str(number),
        us_date(metadata.created or "1970-01-01T00:00:00Z"),
        metadata.reference_id or "",
        metadata.origin or "",
        metadata.classification or "",
        "",
        source.header or "",
        source.body,
    ]


def write_csv(sources: list[SourceText], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    for number, source in enumerate(sources, start=1):
        writer.writerow(csv_row(source, number))
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
