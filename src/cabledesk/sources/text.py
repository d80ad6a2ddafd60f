"""Plain text: newspaper copies (`From: Der Spiegel` + a metadata line) and bare fragments.

A newspaper copy starts with an optional `From: <publisher>` line and a metadata line
`M/D/YYYY H:MM REFID ORIGIN CLASSIFICATION[//CAVEAT]`. Anything else is a fragment: the
parser reads what is there and leaves the rest empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cabledesk.sources.dates import us_datetime
from cabledesk.sources.item import Metadata, SourceError, SourceText

_FROM = re.compile(r"^From:\s*(?P<source>\S.*?)\s*$")
_METADATA = re.compile(
    r"^(?P<date>\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2})\s+(?P<refid>\d{2}[A-Z][A-Z0-9-]*\d)\s+"
    r"(?P<origin>.+?)\s+(?P<classification>(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET)"
    r"(?://[A-Z][A-Z ]*)?)\s*$"
)


def read_text(text: str, location: str) -> Iterator[SourceText | SourceError]:
    if not text.strip():
        yield SourceError(location, "the text of a cable", "an empty file")
        return
    text = text.replace("\r\n", "\n")
    metadata = Metadata()
    lines = text.split("\n")
    index = _skip_blank(lines, 0)
    match = _FROM.match(lines[index]) if index < len(lines) else None
    if match:
        metadata.source = match["source"]
        index = _skip_blank(lines, index + 1)
    match = _METADATA.match(lines[index].strip()) if index < len(lines) else None
    fmt = "fragment"
    if match:
        fmt = "text"
        metadata.created = us_datetime(match["date"])
        metadata.reference_id = match["refid"]
        metadata.origin = match["origin"]
        metadata.classification = match["classification"]
        index += 1
    elif metadata.source:
        fmt = "text"
    yield SourceText(
        format=fmt,
        location=location,
        body="\n".join(lines[index:]),
        raw=text,
        metadata=metadata,
    )


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index
