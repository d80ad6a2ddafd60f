"""JSON Lines of cabledesk records: the project's own interchange format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from cabledesk.record.codec import RecordError, from_dict
from cabledesk.sources.item import SourceError, SourceText, snippet

REQUIRED_KEYS = ("reference_id", "raw", "paragraphs")


def looks_like_records(first_line: str) -> bool:
    """Whether a JSON Lines file holds cabledesk records rather than other JSON."""
    try:
        data = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(data, dict) and all(key in data for key in REQUIRED_KEYS)


def read_jsonl(handle: IO[str], location: str) -> Iterator[SourceText | SourceError]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        where = f"{location}:{number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            yield SourceError(where, "one JSON object per line", f"invalid JSON ({exc})")
            continue
        missing = [k for k in REQUIRED_KEYS if not isinstance(data, dict) or k not in data]
        if missing:
            found = (
                f"an object without {', '.join(missing)}"
                if isinstance(data, dict)
                else snippet(line)
            )
            yield SourceError(where, "a cabledesk record", found)
            continue
        try:
            record = from_dict(data)
        except RecordError as exc:
            yield SourceError(where, "a cabledesk record", str(exc))
            continue
        yield SourceText(
            format="jsonl",
            location=where,
            body=record.raw,
            raw=record.raw,
            record=record,
        )
