"""Passing and attention lines: `STATE FOR EUR/WE`, `NSC FOR VOLKER`, `PASS TO USAID`.

Lines that stand between the captions and the E.O. line are passing lines whatever they
say (see captions.py); this rule also takes the attention lines that follow the last
caption item (`For the Ambassador or Charge`) and the continuation of a wrapped one.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import fold
from cabledesk.parse.state import ParseState

_ATTENTION: Final = re.compile(
    r"^\s*(?:[A-Z][A-Za-z/&.\-]*(?:\s+[A-Z][A-Za-z/&.\-]*){0,3}\s+)?(?:ALSO\s+)?"
    r"(?:FOR|PASS(?:\s+TO)?|PLEASE\s+PASS)\s+\S",
    re.IGNORECASE,
)
_MAX_WORDS: Final = 12
# A line that says FOR or PASS starts a new passing line. One that does not continues the
# line above when that one ends in a comma or AND, ran to the wrap width, or is long and
# this is a word or two.
_NEW_ADDRESS: Final = re.compile(r"\b(?:FOR|PASS)\b", re.IGNORECASE)
_WRAP_WIDTH: Final = 55
_SHORT_WRAP: Final = 40


def passing_rule(state: ParseState) -> bool:
    line = state.line.strip()
    if not line or len(line.split()) > _MAX_WORDS or line.endswith((".", ":")):
        return False
    if _ATTENTION.match(line):
        state.cable.passing.append(fold(line))
        state.pos += 1
        return True
    return False


def add_passing(state: ParseState, line: str) -> None:
    """An unrecognised caption-block line: a passing line, or the wrap of the one before."""
    previous = state.original_lines[state.pos - 1].strip() if state.pos else ""
    passing = state.cable.passing
    if (
        passing
        and previous
        and fold(previous).endswith(passing[-1][-20:])
        and not _NEW_ADDRESS.search(line)
        and (
            previous.endswith((",", "AND", "/", ";"))
            or line.startswith(("(", "AND "))
            or len(previous) >= _WRAP_WIDTH
            or (len(previous) >= _SHORT_WRAP and len(line.split()) <= 2)
        )
    ):
        passing[-1] = f"{passing[-1]} {fold(line)}"
    else:
        passing.append(fold(line))
