"""Streaming exports of any result set: JSON Lines (full records), CSV (flat), Parquet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from cabledesk.errors import Error
from cabledesk.record.codec import to_json
from cabledesk.record.model import Cable

FORMATS = ("jsonl", "csv", "parquet")
# The flat columns of CSV and Parquet exports; JSON Lines carry the whole record.
COLUMNS = (
    "reference_id",
    "created",
    "sent",
    "origin",
    "classification",
    "caveats",
    "tags",
    "subject",
    "from",
    "to",
    "signers",
    "references",
    "reference_kinds",
    "redactions",
    "text",
)
_PARQUET_BATCH = 2000


class ExportError(Error, RuntimeError):
    pass


def flat(cable: Cable) -> dict[str, Any]:
    return {
        "reference_id": cable.reference_id,
        "created": cable.created,
        "sent": cable.header.sent,
        "origin": cable.origin,
        "classification": cable.classification,
        "caveats": "; ".join(cable.caveats),
        "tags": "; ".join(cable.tags),
        "subject": cable.subject,
        "from": cable.header.from_,
        "to": "; ".join(a.name for a in cable.header.to + cable.header.info),
        "signers": "; ".join(cable.signers),
        "references": "; ".join(r.cable_id for r in cable.references if r.cable_id),
        # Every REF item in order: its kind, and the cable it cites (`cable:08LONDON2666;
        # email; report`), so what `references` leaves out is counted too.
        "reference_kinds": "; ".join(
            f"{r.kind}:{r.cable_id}" if r.cable_id else r.kind for r in cable.references
        ),
        "redactions": cable.redactions.count,
        "text": cable.text,
    }


# The columns of a result set exported from the desk or the API (`/api/export/cables`):
# what people ask for, one row a cable; `text` only when asked for.
RESULT_COLUMNS = (
    "reference_id",
    "date",
    "origin",
    "classification",
    "caveats",
    "subject",
    "classified_by",
    "signers",
    "tags",
    "link",
)


def result_row(cable: Cable, link: str, text: bool) -> dict[str, Any]:
    """One cable of an exported result set, as the reader received it."""
    sent = cable.header.sent or cable.created
    by = cable.classified_by
    row = {
        "reference_id": cable.reference_id,
        "date": sent[:10] if sent else None,
        "origin": cable.origin,
        "classification": cable.classification,
        "caveats": "; ".join(cable.caveats),
        "subject": cable.subject,
        "classified_by": (" ".join(x for x in (by.title, by.name) if x) or by.text) if by else None,
        "signers": "; ".join(cable.signers),
        "tags": "; ".join(cable.tags),
        "link": link,
    }
    if text:
        row["text"] = cable.text
    return row


def write_jsonl(cables: Iterable[Cable], out: IO[str]) -> int:
    count = 0
    for cable in cables:
        out.write(to_json(cable) + "\n")
        count += 1
    return count


# Excel, LibreOffice and Google Sheets hold at most this many characters in a cell; a
# longer one is cut silently or spills into the next rows, shifting every column after it.
CELL_MOST = 32_767


def spreadsheet_cell(value: Any) -> Any:
    """A CSV value a spreadsheet keeps whole: a text over CELL_MOST characters is cut to
    fit, ending with a marker that says so and how long the whole is (the JSON Lines
    export carries it whole). Splitting it over extra columns would give rows of
    different shapes, so it is cut."""
    if not isinstance(value, str) or len(value) <= CELL_MOST:
        return value
    marker = (
        f" [cut by cabledesk: {len(value):,} characters in all;"
        " the JSON Lines export has the whole text]"
    )
    return value[: CELL_MOST - len(marker)] + marker


def write_csv(cables: Iterable[Cable], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for cable in cables:
        writer.writerow({name: spreadsheet_cell(v) for name, v in flat(cable).items()})
        count += 1
    return count


def write_parquet(cables: Iterable[Cable], out: IO[bytes]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'cabledesk[parquet]'"
        ) from None
    schema = pa.schema(
        [(name, pa.int64() if name == "redactions" else pa.string()) for name in COLUMNS]
    )
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for cable in cables:
            batch.append(flat(cable))
            count += 1
            if len(batch) >= _PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


__all__ = ["COLUMNS", "FORMATS", "ExportError", "flat", "write_csv", "write_jsonl", "write_parquet"]
