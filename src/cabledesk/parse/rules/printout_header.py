"""The header of a received-copy printout at the top of a text that does not keep it apart.

1970s telegrams (NARA, PlusD) and received copies of later ones (`00HARARE6677`,
`09STATE63860`) start with the page banner and the Department's internal distribution
before the transmission header, and the classification line comes right after the last
addressee, with no blank line:

    LIMITED OFFICIAL USE
    PAGE 01 STATE 187673
    ORIGIN SS-25
    INFO OCT-01 ISO-00 SSO-00 /026 R
    DRAFTED BY S/S-O:APSHANKLE:EO
    APPROVED BY S/S - MR. BRIDGES
    --------------------- 053129
    O 290346Z JUL 76
    FM SECSTATE WASHDC
    TO AMEMBASSY TEHRAN IMMEDIATE
    AMEMBASSY KABUL IMMEDIATE
    LIMITED OFFICIAL USE STATE 187673

A received copy may carry the date-time group above the banner (`291359Z Nov 00`, the
layout of `00HARARE6677`), or start with the distribution (`INFO  LOG-00   MFA-00 ...`,
`09STATE63860`), or with the classification line over the DTG (`09STATE100153`); an
embassy database printout carries a raw header under its own form (`03ABUDHABI2641`).
Without this rule every line of it would be read as a passing line.

The block from the top to the last addressee becomes the header (the header rule reads
the DTG, FM, TO and INFO and skips the distribution lines); a page break inside a long
address list (`CONFIDENTIAL` / `PAGE 02 STATE 017976 262345Z`) stays inside it. Runs
before `header_split`, which then finds the header taken.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import DTG, DTG_PRECEDENCE, LEVEL, first_filled
from cabledesk.parse.rules.page_breaks import is_page_break
from cabledesk.parse.state import ParseState

# The classification alone (a page banner), with a printer's code (`CONFIDENTIAL PTQ1859`).
_BANNER: Final = re.compile(rf"^\s*{LEVEL}(?:\s+PTQ\d+)?\s*$")
_PAGE_ONE: Final = re.compile(r"^\s*PAGE\s+01\s+[A-Z]")
# The Department's distribution, where a copy starts with it (`INFO  LOG-00   MFA-00 ...`).
_DISTRIBUTION: Final = re.compile(r"^\s*(?:ORIGIN|ACTION|INFO)\s+[A-Z][A-Z0-9]*-\d{2}\b")
_DTG: Final = re.compile(rf"^\s*(?:{DTG_PRECEDENCE})?{DTG}")
_FM: Final = re.compile(r"^\s*FM\s+\S")
# The classification line that follows the addressees (`LIMITED OFFICIAL USE STATE 187673`,
# `C O N F I D E N T I A L SECTION 01 OF 02 STATE 237171`, `UNCLAS STATE 124337`).
_CLASSIFICATION_LINE: Final = re.compile(
    rf"^\s*{LEVEL}\s+(?:SECTION\s+\d+\s+OF\s+\d+\s+)?[A-Z][A-Z .'\-]*\s\d{{2,8}}\b"
)
_KEYWORD: Final = re.compile(r"^\s*(?:TO|INFO|XMT)\s+\S")
# How far down the DTG and FM lines may stand (a long distribution list comes first).
_REACH: Final = 80


def printout_header_rule(state: ParseState) -> None:
    if state.header_lines:
        return
    lines = state.lines
    start = first_filled(lines)
    if start >= len(lines):
        return
    if not _printout_top(lines, start):
        return
    fm = _find_fm(lines, start)
    if fm is None:
        return
    end = _address_end(lines, fm)
    state.header_lines = lines[start:end]
    del lines[:end]


def _printout_top(lines: list[str], start: int) -> bool:
    """Whether the text starts the way a printout does."""
    first = lines[start]
    following = _next_line(lines, start)
    if _DTG.match(first):
        # A copy that puts the date-time group above the page (`291359Z Nov 00`).
        first, following = following, _next_line(lines, _next_index(lines, start))
    if _BANNER.match(first) or _PAGE_ONE.match(first) or _DISTRIBUTION.match(first):
        return True
    if _CLASSIFICATION_LINE.match(first) and _DTG.match(following):
        return True  # `UNCLASSIFIED   STATE   00100153` over the DTG (09STATE100153)
    # An embassy database printout (`Stephen H Rogerson  12/02/2009 11:08:08 AM  From
    # DB/Inbox:  Search Results`, 03ABUDHABI2641, 09DOHA214), its raw header further down.
    return any("DB/Inbox" in line for line in lines[start : start + 3])


def _next_index(lines: list[str], index: int) -> int:
    index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _next_line(lines: list[str], index: int) -> str:
    following = _next_index(lines, index)
    return lines[following] if following < len(lines) else ""


def _find_fm(lines: list[str], start: int) -> int | None:
    """The FM line, when a DTG line stands before it within reach."""
    seen_dtg = False
    for index in range(start, min(len(lines), start + _REACH)):
        line = lines[index]
        if _DTG.match(line):
            seen_dtg = True
        elif _FM.match(line):
            return index if seen_dtg else None
    return None


def _address_end(lines: list[str], fm: int) -> int:
    """Where the address list that starts at the FM line ends (the line after its last)."""
    index = fm + 1
    last = fm
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            # A blank line ends the list, unless a page break continues it.
            ahead = index + 1
            while ahead < len(lines) and not lines[ahead].strip():
                ahead += 1
            if ahead < len(lines) and _page_matter(lines[ahead]):
                index = ahead
                continue
            break
        if _CLASSIFICATION_LINE.match(line) and not _KEYWORD.match(line):
            break
        if not _page_matter(line) and _caption_start(line):
            break
        last = index
        index += 1
    return last + 1


def _page_matter(line: str) -> bool:
    return bool(_BANNER.match(line)) or ("PAGE" in line and is_page_break(line))


def _caption_start(line: str) -> bool:
    """The caption block begun without a classification line (`E.O. 11652: N/A`, `TAGS:`)."""
    start = line.lstrip()[:8].upper()
    return start.startswith(("E.O.", "E. O.", "EO 1", "TAGS", "SUBJ", "REF", "SIPDIS"))
