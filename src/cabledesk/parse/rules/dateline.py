"""Lines that media partners put above the caption block.

The Guardian's dateline (`Tuesday, 20 January 2004, 09:44`: the DTG with correct minutes)
and the partner export block (`ID:`, `ORIGIN:`, ... `DESTINATION:`), whose values repeat
the metadata and whose DESTINATION is a mangled header that is not parsed.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.state import ParseState

_DATELINE: Final = re.compile(
    r"^\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+\d{1,2}\s+"
    r"[A-Z][a-z]+\s+\d{4},\s+\d{1,2}:\d{2}\s*$"
)
_REDACTED: Final = re.compile(r"^\s*[Xx]{5,}\s*$")
_EXPORT: Final = re.compile(r"^\s*(?:ID|ORIGIN|DATE|SOURCE|CLASSIFICATION|MISC|DESTINATION):\s")


def is_dateline(line: str) -> bool:
    """`Friday, 18 December 2009, 11:04`: the line a partner put above the caption block."""
    return "day," in line[:12] and bool(_DATELINE.match(line))


def dateline_rule(state: ParseState) -> bool:
    if "day," not in state.line[:12] or not _DATELINE.match(state.line):
        return False
    if state.cable.dateline is None:
        state.cable.dateline = state.line.strip()
        state.caption_start = state.pos + 1
    elif state.cable.dateline != state.line.strip():
        return False
    # The same dateline again stands over a repeated caption block (`09ISLAMABAD3037`).
    state.pos += 1
    return True


def partner_export_rule(state: ParseState) -> bool:
    if (
        state.classification_line is not None
        or ":" not in state.line[:16]
        or not _EXPORT.match(state.line)
    ):
        return False
    start = state.pos
    while not state.at_end and (_EXPORT.match(state.line) or _REDACTED.match(state.line)):
        state.pos += 1
    # Partner metadata, not cable text: kept in `raw`, left out of `text`.
    state.not_text.append(range(start, state.pos))
    state.caption_start = state.pos
    return True
