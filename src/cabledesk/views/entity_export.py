"""Exports of entities and mentions (docs/entities.md): CSV, JSON Lines, Parquet.

The rows come from the facade, built from the asking reader's view
(`Archive.query_entities`, `Archive.query_mentions`); this module only lays them out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from cabledesk.entities.model import EntityCount, SeenMention
from cabledesk.views.export import FORMATS, ExportError, spreadsheet_cell

ENTITY_COLUMNS: tuple[str, ...] = ("id", "kind", "name", "mentions", "cables")
# `start` and `end` are offsets into the field's text in the record the reader receives
# (empty where a redaction moved the text: SeenMention).
MENTION_COLUMNS: tuple[str, ...] = (
    "reference_id",
    "entity_id",
    "kind",
    "name",
    "surface",
    "field",
    "paragraph",
    "start",
    "end",
)
_INTEGERS = frozenset(
    # position, withheld (0 or 1): a collection's export (docs/workspace.md).
    {"id", "mentions", "cables", "entity_id", "paragraph", "start", "end", "position", "withheld"}
)
_PARQUET_BATCH = 5000
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}


def entity_rows(entities: Iterable[EntityCount]) -> Iterator[dict[str, Any]]:
    for e in entities:
        yield {
            "id": e.id,
            "kind": e.kind,
            "name": e.name,
            "mentions": e.mentions,
            "cables": e.cables,
        }


def mention_rows(mentions: Iterable[tuple[str, SeenMention]]) -> Iterator[dict[str, Any]]:
    for reference_id, m in mentions:
        yield {
            "reference_id": reference_id,
            "entity_id": m.entity_id,
            "kind": m.kind,
            "name": m.name,
            "surface": m.surface,
            "field": m.field,
            "paragraph": m.paragraph,
            "start": m.start,
            "end": m.end,
        }


def only(
    mentions: Iterable[tuple[str, SeenMention]], kind: str | None, name: str | None
) -> Iterator[tuple[str, SeenMention]]:
    """The mentions of entities of `kind` whose name contains `name` (case folded)."""
    folded = name.casefold() if name else None
    for reference_id, m in mentions:
        if (kind is None or m.kind == kind) and (folded is None or folded in m.name.casefold()):
            yield reference_id, m


def write_rows(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], output: str, out: Any
) -> int:
    """Write `rows` as `output` (one of FORMATS) to `out` (text for csv and jsonl, bytes
    for parquet); returns the number of rows."""
    if output == "csv":
        return _csv(rows, columns, out)
    if output == "jsonl":
        return _jsonl(rows, out)
    if output == "parquet":
        return _parquet(rows, columns, out)
    raise ExportError(f"export format: expected one of {', '.join(FORMATS)}; found {output!r}")


def write_rows_binary(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], output: str, out: IO[bytes]
) -> int:
    """write_rows to a binary file (a download's spool): text formats as UTF-8."""
    if output == "parquet":
        return write_rows(rows, columns, output, out)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        return write_rows(rows, columns, output, text)
    finally:
        text.detach()  # the file stays open for the caller


def _csv(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({name: spreadsheet_cell(value) for name, value in row.items()})
        count += 1
    return count


def _jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _parquet(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], out: IO[bytes]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'cabledesk[parquet]'"
        ) from None
    schema = pa.schema(
        [(name, pa.int64() if name in _INTEGERS else pa.string()) for name in columns]
    )
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            count += 1
            if len(batch) >= _PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


__all__ = [
    "ENTITY_COLUMNS",
    "FORMATS",
    "MEDIA_TYPES",
    "MENTION_COLUMNS",
    "ExportError",
    "entity_rows",
    "mention_rows",
    "only",
    "write_rows",
    "write_rows_binary",
]
