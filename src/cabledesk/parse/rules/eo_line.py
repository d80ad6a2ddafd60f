"""The E.O. line: the executive order and when (or whether) the cable is declassified.

`E.O. 12958: DECL: 02/13/2014`, `EO 12958 DECL: 01/09/2014`, `E.O. 12958: N/A`,
`DECL: 2019/09/22`, `DECL: 11/29/10`, events (`DECL: CLOSURE OF ICTY`), `DECL: MR`,
downgrades (`DNG: CO 01/22/2019`), a note on a 1972 cable (`E.O. 12958: AS AMENDED;
DECLASSIFIED JUNE 21, 2006`), 1970s codes (`E.O. 11652: XGDS1, DECLAS 12-31-84`,
`E.O. 11652: GDS`). A TAGS list may follow on the same line.

The record keeps the line as written (`declassification`), the date the cable is or was
declassified on (`declassify_on`, ISO, or None), and whatever else the instruction says
(`declassification_note`): readers are shown a date as a date and the rest as a note.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from cabledesk.parse.patterns import EO_LINE, TAGS_INLINE, fold, may_be_eo
from cabledesk.parse.rules.handling import add_captions
from cabledesk.parse.state import ParseState

# `DECL:`, `DECLASSIFY ON:` before the instruction; not the start of `DECLASSIFIED`.
_DECL: Final = re.compile(r"^DECL(?:ASSIFY)?(?:\s+ON)?(?![A-Z])\s*[:.]?\s*", re.IGNORECASE)
_MONTHS: Final = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC"
_MONTH: Final = r"(?P<month_name>" + _MONTHS.replace(" ", "|") + r")[A-Z]*\.?"
# The spellings of a date: `02/13/2014`, `6/16/2019`, `11/29/10`, `12-31-84` (1970s),
# `2019/09/22`, `2019-02-12`, `JUNE 21, 2006`, `21 JUN 2006`.
_DATE: Final = re.compile(
    r"(?:(?P<us_month>\d{1,2})[/-](?P<us_day>\d{1,2})[/-](?P<us_year>\d{4}|\d{2})"
    r"|(?P<iso_year>\d{4})[/-](?P<iso_month>\d{1,2})[/-](?P<iso_day>\d{1,2})"
    r"|" + _MONTH + r"\s+(?P<named_day>\d{1,2}),?\s+(?P<named_year>\d{4})"
    r"|(?P<day_first>\d{1,2})\s+" + _MONTH.replace("month_name", "month_second") + r",?\s+"
    r"(?P<second_year>\d{4}))(?![\d/-])",
    re.IGNORECASE,
)
# Inside a longer instruction, the date that declassifies: `XGDS1, DECLAS 12-31-84`
# (E.O. 11652), `AS AMENDED; DECLASSIFIED JUNE 21, 2006` (72TEHRAN1164). Other dates in it
# are not (`DNG: CO 01/22/2019` downgrades; `Date of source: June 18, 2009`).
_DECLAS_AT: Final = re.compile(
    r"\bDECLAS(?:SIFIED|SIFY)?(?:\s+ON)?\s*[:,]?\s*(?=\d|[A-Z]{3})", re.IGNORECASE
)
# What may trail a date that is the whole instruction: `DECL: 10/29/2018.`
_TRAILING: Final = " .,;:"


def _month(name: str) -> int:
    """1-12 for a month name or its abbreviation (`JUNE`, `Jun.`)."""
    return _MONTHS.index(name[:3].upper()) // 4 + 1


def _iso(match: re.Match[str]) -> str | None:
    """The ISO date of a `_DATE` match; None when it is no calendar date (`02/30/2014`)."""
    if match.group("us_year"):
        year, month, day = (int(match.group(g)) for g in ("us_year", "us_month", "us_day"))
        if len(match.group("us_year")) == 2:
            # As for DTGs: 40-99 are 19xx (E.O. 11652 telegrams), the rest 20xx.
            year += 1900 if year >= 40 else 2000
    elif match.group("iso_year"):
        year, month, day = (int(match.group(g)) for g in ("iso_year", "iso_month", "iso_day"))
    elif match.group("named_year"):
        year, day = int(match.group("named_year")), int(match.group("named_day"))
        month = _month(match.group("month_name"))
    else:
        year, day = int(match.group("second_year")), int(match.group("day_first"))
        month = _month(match.group("month_second"))
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _instruction(text: str) -> str:
    """The declassification instruction: after the order, without `DECL:`, folded."""
    return _DECL.sub("", fold(text), count=1).strip()


def declassify_date(text: str) -> str | None:
    """ISO date for the declassification text after `E.O. 12958:`; None for N/A and events.

    `DECL: 06/14/2018`, `DECL: 12/31/2015`, `DECL: 2019/09/22`, `DECL: 11/29/10`,
    `07/21/2019`; inside a longer instruction the date after `DECLAS`/`DECLASSIFIED`
    (`XGDS1, DECLAS 12-31-84`, `AS AMENDED; DECLASSIFIED JUNE 21, 2006`). None for
    `N/A`, `MR`, `OADR`, `X1`, `25X1`, `DECL: 1.4(B),(D)`, `CLOSURE OF ICTY` and downgrades.
    """
    text = _instruction(text)
    match = _DATE.match(text)
    if match is None:
        declas = _DECLAS_AT.search(text)
        if declas is None:
            return None
        match = _DATE.match(text, declas.end())
        if match is None:
            return None
    return _iso(match)


def declassification_note(text: str) -> str | None:
    """The declassification instruction as written when it is more than a date.

    `N/A`, `MR`, `OADR`, `X1`, `25X1`, `1.4(B),(D)`, `CLOSURE OF ICTY`,
    `DNG: CO 01/22/2019`, `AS AMENDED; DECLASSIFIED JUNE 21, 2006`, `XGDS1, DECLAS 12-31-84`,
    `Source marked 25X1-human, Date of source: June 18, 2009`; None for a date alone
    (`DECL: 06/14/2018`) and for nothing at all.
    """
    text = _instruction(text)
    match = _DATE.match(text)
    if match is not None and not text[match.end() :].strip(_TRAILING):
        return None
    return text.strip(_TRAILING) or None


_DECLASSIFY_ON: Final = re.compile(r"^\s*declassify\s+on\s*:\s*(.*)$", re.IGNORECASE)
_TAGS_WORD: Final = re.compile(r"\bTAGS\b")
_OTHER_ITEM: Final = re.compile(
    r"(?:SUBJ(?:ECT)?|TAGS?|REF(?:S|TEL|TELS)?)\b|classi?fied\s+by\b", re.I
)


def eo_rule(state: ParseState) -> bool:
    line = state.line
    declassify_on = _DECLASSIFY_ON.match(line)
    if declassify_on:
        # Derivative classification (`Classified By: Derived from ...`) says it this way.
        if state.cable.declassification is None:
            state.cable.declassification = fold(line)
            state.cable.declassify_on = declassify_date(declassify_on.group(1))
            state.cable.declassification_note = declassification_note(declassify_on.group(1))
        state.pos += 1
        return True
    if not may_be_eo(line):
        return False
    match = EO_LINE.search(line)
    if not match or match.start() > 60:
        return False
    before = line[: match.start()].strip()
    if before and _OTHER_ITEM.match(before):
        # `SUBJECT: E.O. 13224 DESIGNATIONS`: an order the subject (or a REF) names.
        return False
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
    state.cable.declassify_on = declassify_date(rest)
    state.cable.declassification_note = declassification_note(rest)
    return True
