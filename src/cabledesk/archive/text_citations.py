"""Cable ids cited in a cable's paragraphs (docs/graph.md, "Edges from the text").

Cables cite others in running text as well as in their REF blocks: "(see MEXICO 3586)",
"see reftel LONDON 02582", "This corrected cable replaces WARSAW 01071", "BRASILIA 000905
PROVIDED A SOLID PREVIEW", and now and then a full id (`08BAGHDAD1784`). `find` returns
the ids such a text cites, normalised by the same code as the REF items
(parse.ids: `station_code`, `citation_year`, `make_id`, `canonical_id`).

Precision over recall: a station name followed by a number is taken for a citation only
when a citing word stands right before it (`see`, `reftel`, `septel`, `per`, `replaces`,
`copy of` ...) or the serial is zero-padded as in a telegram's own caption (`BRASILIA
000905`); never a page-break caption (`C O N F I D E N T I A L PARIS 002440`, `STATE
00123 001.2 OF 002`), never a number that reads as a year (`BAGHDAD 2008`), never a
station in lower case (`the Mexico 2 team`). A station must be one that sends
telegrams.

The graph finds citations in each paragraph as the reader receives it (withheld
paragraphs are not read, the reader's redactions are burned in first): `Cited` keeps the
paragraph's number, marking and text so that each reader's graph can do so without
reading the records again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from cabledesk.parse.ids import (
    Citation,
    CitingCable,
    canonical_id,
    citation_year,
    make_id,
    split_id,
    station_code,
)
from cabledesk.record.model import Cable
from cabledesk.reference import stations

# A full id as written in text: two-digit year, station, serial (no spaces).
_FULL: Final = re.compile(r"\b\d{2}[A-Z]{3,}\d{1,7}\b")
# A serial: digits after a capital letter and a space, not part of a date, a time, a
# decimal or a fraction; then a year in brackets, then more serials of the same station
# (`MEXICO 2371, 3498`, `STATE 1234 AND 5678`).
_SERIAL: Final = re.compile(
    r"(?<=[A-Z] )(?P<serial>\d{1,7})\b(?!\s*[/:%]|[.,]\d)"
    r"(?:\s*\((?P<year2>\d{2})\))?"
    r"(?P<more>(?:\s*(?:,|\bAND\b|\band\b)\s*\d{1,7}\b(?![/:%]|[.,]\d))*)"
)
# The station's words right before a serial (at most three), and a year before them
# (`08 STATE`, `2008 SAO PAULO`, `(08) DOHA`).
_STATION_BEFORE: Final = re.compile(
    r"(?:(?:\b(?P<year1>(?:19|20)?\d{2})|\((?P<year0>\d{2})\))\s+)?"
    r"(?P<station>\b[A-Z][A-Z'\-]*(?:\s[A-Z][A-Z'\-]*){0,2})\s$"
)
_MORE: Final = re.compile(r"\d{1,7}")
# Words that make a station and a number a citation when they stand right before it.
_CUE: Final = re.compile(
    r"(?:\b(?:SEE(?:\s+ALSO)?|REF(?:TEL)?S?|REF\s+[A-Z]|SEPTEL|PER|CF|REPLACES|"
    r"COPY\s+OF|REPEATS?|REPEATED|PARA\s+\d+\s+OF|IN|AND|OR|ALSO|UNDER|FROM|TO|BY)"
    r"\s*[(:,]?\s*|\(\s*)$",
    re.IGNORECASE,
)
# A telegram's caption repeated at a page break: the classification (often letter-spaced)
# before the station, or `001.2 OF 002` after the serial.
_BANNER: Final = re.compile(
    r"(?:C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|S\s?E\s?C\s?R\s?E\s?T|"
    r"U\s?N\s?C\s?L\s?A\s?S(?:\s?S\s?I\s?F\s?I\s?E\s?D)?|SENSITIVE|NOFORN|"
    r"SECTION\s+\d+\s+OF\s+\d+)\s*$"
)
_PAGE: Final = re.compile(r"^\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}")
_YEARLIKE: Final = re.compile(r"^(?:19[4-9]\d|20[0-3]\d)$")


@dataclass(frozen=True, slots=True)
class Cited:
    """The ids one paragraph cites, with what each reader's graph needs to decide whether
    the paragraph and the citation reach them."""

    position: int  # the paragraph's index in the record
    number: int | None
    marking: str | None
    text: str
    ids: tuple[str, ...]


def citing_of(cable: Cable) -> CitingCable:
    """What an undated citation's year is inferred from, as for the REF items."""
    stamp = cable.header.sent or cable.created
    year: int | None = None
    day: int | None = None
    if stamp and stamp[:4].isdigit():
        year = int(stamp[:4])
        try:
            day = date(year, int(stamp[5:7]), int(stamp[8:10])).timetuple().tm_yday
        except ValueError:
            day = None
    elif cable.reference_id and cable.reference_id[:2].isdigit():
        year = int(cable.reference_id[:2])
    station: str | None = None
    serial: int | None = None
    own = canonical_id(cable.reference_id) if cable.reference_id else None
    parts = split_id(own) if own else None
    if parts:
        station, serial = parts[1], int(parts[2])
    return CitingCable(year, day, station, serial)


def _station(words: str) -> tuple[str, str] | None:
    """The station the last words name (the longest run that is one), with those words."""
    parts = words.split()
    for start in range(len(parts)):
        written = " ".join(parts[start:])
        code = station_code(written)
        if code is not None and stations()[code].sends_cables:
            return code, written
    return None


def find(text: str, citing: CitingCable) -> list[str]:
    """The ids `text` cites, in order of first mention, each once."""
    found: dict[str, None] = {}
    for match in _FULL.finditer(text):
        cable_id = canonical_id(match.group())
        if cable_id is not None and cable_id == match.group():
            found[cable_id] = None
    for match in _SERIAL.finditer(text):
        head_start = max(0, match.start() - 48)
        head = text[head_start : match.start()]
        words = _STATION_BEFORE.search(head)
        if words is None:
            continue
        named = _station(words["station"])
        if named is None:
            continue
        code, written = named
        dated = words["year1"] or words["year0"]
        station_start = words.start("station") + len(words["station"]) - len(written)
        start = words.start() if dated and written == words["station"] else station_start
        before = text[max(0, head_start + start - 40) : head_start + start]
        serial = match["serial"]
        padded = serial.startswith("0") and len(serial) >= 4
        caption = text[max(0, head_start + station_start - 60) : head_start + station_start]
        if _BANNER.search(caption) or _PAGE.match(text[match.end("serial") :]):
            continue
        if not padded and not _CUE.search(before):
            continue
        written_year = (dated if written == words["station"] else None) or match["year2"]
        serials = [serial, *_MORE.findall(match["more"] or "")]
        for number in serials:
            if not number.startswith("0") and _YEARLIKE.match(number):
                continue
            digits = number.lstrip("0")
            if not digits:
                continue
            year = (
                int(written_year[-2:])
                if written_year
                else citation_year(Citation(code, digits, None), citing)
            )
            if year is None:
                continue
            cable_id = make_id(year, code, digits)
            if cable_id is not None:
                found[cable_id] = None
    return list(found)


def cited_in(cable: Cable) -> list[Cited]:
    """Each paragraph of the record that cites a cable, with the ids it cites (the cable's
    own id left out)."""
    citing = citing_of(cable)
    own = {cable.reference_id, canonical_id(cable.reference_id or "")}
    found = []
    for position, paragraph in enumerate(cable.paragraphs):
        ids = tuple(i for i in find(paragraph.text, citing) if i not in own)
        if ids:
            found.append(Cited(position, paragraph.number, paragraph.marking, paragraph.text, ids))
    return found
