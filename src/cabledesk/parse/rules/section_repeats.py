"""Section headers that printouts repeat inside the text.

Received-copy printouts (`00HARARE6677`, and the 1970s telegrams) begin every section
with its distribution codes (`ACTION AF-00`, `INFO LOG-00 NP-00 ...`), the header again,
and the caption block again (`C O N F I D E N T I A L SECTION 02 OF 03 HARARE 006677`,
SIPDIS, passing lines, E.O. and TAGS). Only the first copy belongs to the cable.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import is_caption_item
from cabledesk.parse.rules.classification_line import parse_classification_line
from cabledesk.parse.state import ParseState

_DISTRIBUTION: Final = re.compile(r"^\s*(?:ACTION\s+[A-Z]+-\d\d\b|INFO\s+LOG-\d\d\b)")
_REPEATED_CAPTION: Final = re.compile(
    r"^\s*(?:SIPDIS|NOFORN|SENSITIVE|[A-Z/&.\- ]+\s(?:ALSO\s+)?FOR\s)"
)


def remove_section_repeats(state: ParseState) -> None:
    first = state.classification_line
    if first is None or first.section is None:
        return
    lines = state.lines
    index = state.narrative_start
    removed = 0
    while index < len(lines):
        line = lines[index]
        letter = line[:1]
        # Most lines are text: their first letter rules out distribution codes before any
        # pattern is tried ("" is in every string, so a blank line still goes to it). Only
        # a line that starts with a blank needs stripping to find its first letter.
        if (letter in "AI" or (letter.isspace() and line.lstrip()[:1] in "AI")) and (
            _DISTRIBUTION.match(line)
        ):
            del lines[index]
            removed += 1
            continue
        if letter in "CSU" and " OF " in line.upper():
            repeat = parse_classification_line(line.strip())
            if repeat and (repeat.station, repeat.serial) == (first.station, first.serial):
                del lines[index]
                removed += 1
                while index < len(lines) and (
                    _REPEATED_CAPTION.match(lines[index]) or is_caption_item(lines[index])
                ):
                    del lines[index]
                continue
        index += 1
    state.cable.repairs.page_breaks += removed
