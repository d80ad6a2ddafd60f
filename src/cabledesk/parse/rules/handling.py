"""Captions and handling lines: SIPDIS, NOFORN, SENSITIVE, corrected-copy notices."""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import LEVEL
from cabledesk.parse.state import ParseState

CAPTIONS: Final = (
    "SENSITIVE BUT UNCLASSIFIED",
    "NOT FOR INTERNET DISTRIBUTION",
    "FOR ALL CABLE DRAFTERS",
    "SIPDIS",
    "NOFORN",
    "SENSITIVE",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "STADIS",
    "ROGER",
    "CHEROKEE",
    "SPECAT",
    "EFTO",
)
_CAPTION: Final = re.compile(
    r"\s*(?:" + "|".join(c.replace(" ", r"\s+") for c in CAPTIONS) + r")\b[\s,;.]*",
    re.IGNORECASE,
)
_BANNER: Final = re.compile(rf"^\s*{LEVEL}//([A-Z/ ]+?)\s*$")
_CORRECTED: Final = re.compile(
    r"^\s*C\s*O\s*R\s*R\s*E\s*C\s*T\s*E\s*D\s*C\s*O\s*P\s*Y\b\s*[-:]?\s*(.*)$", re.I
)


def add_captions(state: ParseState, text: str) -> bool:
    """Record the captions in `text`; True when nothing else stands on the line."""
    position = 0
    found = []
    while match := _CAPTION.match(text, position):
        if match.end() == position:
            break
        found.append(" ".join(match.group(0).strip(" ,;.").upper().split()))
        position = match.end()
    if text[position:].strip():
        return False
    for caption in found:
        if caption not in state.cable.handling:
            state.cable.handling.append(caption)
    return bool(found)


def handling_rule(state: ParseState) -> bool:
    line = state.line
    banner = _BANNER.match(line)
    if banner:
        # `SECRET//FGI//NOFORN` under the E.O. line of derivative classifications.
        for caveat in banner.group(1).split("//"):
            if caveat.strip() and caveat.strip() not in state.cable.handling:
                state.cable.handling.append(caveat.strip())
        state.pos += 1
        return True
    corrected = _CORRECTED.match(line)
    if corrected:
        state.cable.corrected_copy = corrected.group(1).strip(" ()-") or "CORRECTED COPY"
        state.pos += 1
        return True
    if line.strip() and add_captions(state, line):
        state.pos += 1
        return True
    return False
