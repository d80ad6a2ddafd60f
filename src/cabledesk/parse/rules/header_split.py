"""Find a transmission header at the top of a text that does not keep it apart.

Newspaper copies fold the header into a paragraph (`O 140650Z JUN 08 FM AMEMBASSY BAGHDAD
TO SECSTATE WASHDC`, wrapped at about 62 columns, ending in `TAGS: ... SUBJECT: ...`);
fragments may start with a raw `VZCZC` header, or with a bare date-time group (`141216Z Jul
05`, the header of some edited copies). The header ends at the first blank line after its
FM/TO/INFO lines, at a blank line that no header line follows (`PP RUEHWEB`, blank, `DE
...` goes on), or where the classification line or the E.O. line begins.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from cabledesk.parse.patterns import DTG, DTG_PRECEDENCE, EO_LINE, first_filled, may_be_eo
from cabledesk.parse.rules.classification_line import parse_classification_line
from cabledesk.parse.state import ParseState

_HEADER_START: Final = re.compile(
    rf"^\s*(?:VZCZC|{DTG_PRECEDENCE}{DTG}|{DTG}|FM\s+\S)", re.IGNORECASE
)
# The lines a raw header goes on with after a blank line.
_HEADER_LINE: Final = re.compile(
    rf"^\s*(?:VZCZC|DE\s+R|ZN[RY]\s|[ZOPR]{{1,2}}\s+R[A-Z]{{3}}|{DTG_PRECEDENCE}{DTG}"
    rf"|{DTG}|FM\s|TO\s|INFO\s|XMT\s|R[A-Z0-9]{{3,7}}/)",
    re.IGNORECASE,
)
_ADDRESS_LINE: Final = re.compile(r"\b(FM|TO|INFO)\b")


def split_header(state: ParseState) -> None:
    if state.header_lines:
        return
    lines = state.lines
    start = first_filled(lines)
    if start >= len(lines) or not _HEADER_START.match(lines[start]):
        return
    end = start
    seen_address = False
    while end < len(lines):
        line = lines[end]
        if not line.strip():
            if seen_address or not _header_goes_on(lines, end):
                break
        elif end > start and _starts_text(line):
            break  # a header folded without a blank line after it
        elif not seen_address and _ADDRESS_LINE.search(line):
            seen_address = True  # (once seen, the lines after it need not be searched)
        end += 1
    state.header_lines = lines[start:end]
    state.drop_lines(end)


def _header_goes_on(lines: list[str], blank: int) -> bool:
    """Whether a header line follows the blank line at `blank` (and the blank lines after)."""
    ahead = blank + 1
    while ahead < len(lines) and not lines[ahead].strip():
        ahead += 1
    return ahead < len(lines) and bool(_HEADER_LINE.match(lines[ahead]))


# Header lines recur from cable to cable (a post's address, SECSTATE WASHDC, the relay
# lines): each distinct line is tested once (three in four lines are seen before).
@lru_cache(maxsize=8192)
def _starts_text(line: str) -> bool:
    """The classification line (`S e c r e t baghdad 001784`) or the E.O. line."""
    if may_be_eo(line):
        match = EO_LINE.search(line)
        if match is not None and not line[: match.start()].strip():
            return True
    stripped = line.strip()
    parsed = parse_classification_line(stripped) if stripped[:1].isalpha() else None
    return parsed is not None and (parsed.serial is not None or stripped.isupper())
