"""Find a transmission header at the top of a text that does not keep it apart.

Newspaper copies fold the header into a paragraph (`O 140650Z JUN 08 FM AMEMBASSY ...`);
fragments may start with a raw `VZCZC` header. The header ends at the first blank line
after its FM/TO/INFO lines, or where the classification line begins.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.state import ParseState

_HEADER_START: Final = re.compile(
    r"^\s*(?:VZCZC|[ZOPR](?:\s+[ZOPR])?\s+\d{6}Z\s+[A-Z]{3}\s+\d{2,4}\b|FM\s+\S)",
    re.IGNORECASE,
)
_ADDRESS_LINE: Final = re.compile(r"\b(FM|TO|INFO)\b")


def split_header(state: ParseState) -> None:
    if state.header_lines:
        return
    lines = state.lines
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or not _HEADER_START.match(lines[start]):
        return
    end = start
    seen_address = False
    while end < len(lines):
        line = lines[end]
        if not line.strip():
            if seen_address:
                break
        elif _ADDRESS_LINE.search(line):
            seen_address = True
        end += 1
    state.header_lines = lines[start:end]
    del state.lines[:end]
