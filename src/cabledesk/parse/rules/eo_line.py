"""The E.O. line: the executive order and when (or whether) the cable is declassified.

`E.O. 12958: DECL: 02/13/2014`, `EO 12958 DECL: 01/09/2014`, `E.O. 12958: N/A`,
`DECL: 2019/09/22`, `DECL: 11/29/10`, events (`DECL: CLOSURE OF ICTY`), `DECL: MR`,
downgrades (`DNG: CO 01/22/2019`). A TAGS list may follow on the same line.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from cabledesk.parse.patterns import EO_LINE, TAGS_INLINE, fold, may_be_eo
from cabledesk.parse.rules.handling import add_captions
from cabledesk.parse.state import ParseState

_US_DATE: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_ISO_DATE: Final = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})\b")
_DECL: Final = re.compile(r"^(?:DECL(?:ASSIFY)?\s*(?:ON)?\s*[:.]?\s*)", re.IGNORECASE)


def declassify_date(text: str) -> str | None:
    """ISO date for the declassification text after `E.O. 12958:`; None for N/A and events."""
    text = _DECL.sub("", text.strip(), count=1).strip()
    year = month = day = 0
    if match := _US_DATE.match(text):
        month, day, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_DECLASSIFY_ON: Final = re.compile(r"^\s*declassify\s+on\s*:\s*(.*)$", re.IGNORECASE)
_TAGS_WORD: Final = re.compile(r"\bTAGS\b")


def eo_rule(state: ParseState) -> bool:
    line = state.line
    declassify_on = _DECLASSIFY_ON.match(line)
    if declassify_on:
        # Derivative classification (`Classified By: Derived from ...`) says it this way.
        if state.cable.declassification is None:
            state.cable.declassification = fold(line)
            state.cable.declassify_on = declassify_date(declassify_on.group(1))
        state.pos += 1
        return True
    if not may_be_eo(line):
        return False
    match = EO_LINE.search(line)
    if not match or match.start() > 60:
        return False
    before = line[: match.start()].strip()
    if before and not add_captions(state, before):
        # A passing line glued to the E.O. line: `DEPT FOR WHA/BSC E.O. 12958: DECL: ...`.
        state.cable.passing.append(fold(before))
    rest = line[match.end() :]
    written = line[match.start() :]
    state.pos += 1
    tags = TAGS_INLINE.search(rest) or _TAGS_WORD.search(rest)
    if tags:
        state.hand_back(rest[tags.start() :])
        written = written[: len(written) - len(rest) + tags.start()]
        rest = rest[: tags.start()]
    state.cable.declassification = fold(written) or None
    state.cable.declassify_on = declassify_date(fold(rest))
    return True
