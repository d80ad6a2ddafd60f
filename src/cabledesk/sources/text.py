"""Plain text: newspaper copies (`From: Der Spiegel` + a metadata line) and bare fragments.

A newspaper copy starts with an optional `From: <publisher>` line and a metadata line
`M/D/YYYY H:MM REFID ORIGIN CLASSIFICATION[//CAVEAT]`. Anything else is a fragment: the
parser reads what is there and leaves the rest empty. A copy of a partial extract keeps
WikiLeaks' notice after them; the record says `partial_extract` and the body starts after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from cabledesk.sources.dates import us_datetime
from cabledesk.sources.item import Metadata, SourceError, SourceText

_PARTIAL_EXTRACT: Final = re.compile(
    r"\s*This\s+record\s+is\s+a\s+partial\s+extract\s+of\s+the\s+original\s+cable\."
    r"(?:\s+The\s+full\s+text\s+of\s+the\s+original\s+cable\s+is\s+not\s+available\.)?"
    r"[ \t]*(?:\n|$)",
    re.IGNORECASE,
)
_FROM = re.compile(r"^From:\s*(?P<source>\S.*?)\s*$")
_METADATA = re.compile(
    r"^(?P<date>\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2})\s+(?P<refid>\d{2}[A-Z][A-Z0-9-]*\d)\s+"
    r"(?P<origin>.+?)\s+(?P<classification>(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET)"
    r"(?://[A-Z][A-Z ]*)?)\s*$"
)


def read_text(text: str, location: str) -> Iterator[SourceText | SourceError]:
    if not text or text.isspace():  # strip() would copy the whole text to say the same
        yield SourceError(location, "the text of a cable", "an empty file")
        return
    if "\r" in text:  # a one-character test is much cheaper than the replace's scan
        text = text.replace("\r\n", "\n")
    metadata = Metadata()
    # The metadata lines are found by offsets into the text: splitting the whole text into
    # lines and joining them again to drop one line costs more than the rest of the reader.
    start = _skip_blank(text, 0)
    line, after = _line_at(text, start)
    match = _FROM.match(line) if start <= len(text) else None
    if match:
        metadata.source = match["source"]
        start = _skip_blank(text, after)
        line, after = _line_at(text, start)
    match = _METADATA.match(line.strip()) if start <= len(text) else None
    fmt = "fragment"
    if match:
        fmt = "text"
        metadata.created = us_datetime(match["date"])
        metadata.reference_id = match["refid"]
        metadata.origin = match["origin"]
        metadata.classification = match["classification"]
        start = after
    elif metadata.source:
        fmt = "text"
    # A copy of a WikiLeaks page keeps its notice (`This record is a partial extract of the
    # original cable. The full text ...`), where the header would stand, wrapped or not.
    notice = _PARTIAL_EXTRACT.match(text, start)
    if notice:
        start = notice.end()
    yield SourceText(
        format=fmt,
        location=location,
        body=text[start:],
        raw=text,
        metadata=metadata,
        partial_extract=notice is not None,
    )


def _line_at(text: str, start: int) -> tuple[str, int]:
    """The line starting at offset `start`, and the offset of the line after it.

    Past the last line (`start` is `len(text) + 1`) the line is empty.
    """
    end = text.find("\n", start)
    if end < 0:
        end = len(text)
    return text[start:end], end + 1


def _skip_blank(text: str, start: int) -> int:
    """The offset of the first line from `start` on with more than white space in it."""
    while start <= len(text):
        line, after = _line_at(text, start)
        if line.strip():
            return start
        start = after
    return start
