"""REF: the cables (and other documents) this cable cites.

Real spellings (cable-format.md §3.7 and the corpus):

    REF: A. MADRID 881 B. MADRID 919 C. MADRID 812
    REF: A) BUCHAREST 0536 B) 2005 BUCHAREST 2550
    REF: (A) STATE 165022 (B) MOSCOW 11500
    REF: A. A. STATE 99125 B. B. SOFIA 1046
    REF: A. SECSTATE 90063 B KUALA LUMPUR 739
    REF A SECRETARY'S LETTER TO MBZ ON PUMA HELICOPTERS REF B SECSTATE 76108
    REF: BRASILIA 1250; RECIFE 66; (08) SAO PAULO 581
    REF: SAO PAULO 653; SAO PAULO 433; SAO PAULO 421; BRASILIA 709 (08) SAO PAULO 542
    REF: STATE 297614 AND PREVIOUS 03 RANGOON 1427
    REF: A) MANAGUA 182 -- REQUEST TO RENEW STATUS OF FORCES AGREEMENT
    C. HOTR WASHINGTON DC//USDAO PARIS (SUBJ: IIR 6 832
    0617 08)

Items are lettered (`A.`, `A)`, `(A)`, `A:`, `A -`, doubled `A. A.`, a bare letter in a
lettered list) or not, separated by spaces, `;`, `:` or AND; a bare number after AND reuses
the station before it (`STATE 1 AND 2`). An item may wrap over lines; the block ends at a
blank line (unless more lettered items follow), at Classified By, SUMMARY, paragraph 1 or
a caption. Each item keeps its text and gets a `kind`; `cable_id` is filled only when the
text names a State cable (parse/ids.py), and the year of an undated one is inferred from
the citing cable (`citation_year`, docs/record.md).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from cabledesk.parse.ids import NOT_A_CABLE as _NOT_CITATION
from cabledesk.parse.ids import (
    CitingCable,
    canonical_id,
    citation_year,
    make_id,
    parse_citation,
    reference_kind,
    split_id,
    station_code,
)
from cabledesk.parse.patterns import REF_LINE, fold, head
from cabledesk.parse.rules.subject import ends_caption_item, split_glued
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Reference

# `A.`, `A)`, `A:`, `(A)`: always a label where it stands after a blank or a separator.
_LABEL: Final = re.compile(r"(?:^|(?<=[\s;,]))(?:\(([A-Za-z])\)|([A-Za-z])[.):](?=\s|\(|$))")
# `A - STATE 1234`, and a bare letter (`B KUALA LUMPUR 739`): labels only where the list
# expects that letter next (see `_labels`).
_DASH_LABEL: Final = re.compile(r"(?:^|(?<=\s))([A-Z])\s+-{1,2}\s+(?=\S)")
_BARE_LABEL: Final = re.compile(r"(?:^|(?<=\s))([A-Z])\s+(?=[A-Z0-9(])")
# `... HELICOPTERS REF B SECSTATE 76108`: a further item introduced by REF and its letter.
_REF_LETTER: Final = re.compile(r"\s+REF\s+(?=[A-Z]\s)")
_LEADING_REF: Final = re.compile(r"^REF(?:S|TEL|TELS)?\b\s*[:.]?\s*", re.IGNORECASE)
_BARE_NUMBER: Final = re.compile(r"^\d{1,7}$")
_STATION_AND_NUMBER: Final = re.compile(r"^(?P<prefix>.*?)(?P<serial>\d{1,7})\s*$")
_LETTER_AFTER_REF: Final = re.compile(r"^[A-Za-z]\s+\S")
_PUNCTUATED: Final = re.compile(r"[:.]")
_GLUED_AFTER: Final = re.compile(
    r"\s(?:SENSITIVE\s+BUT\s+UNCLASSIFIED\b|(?:BEGIN\s+)?SUMMARY\s*[:.](?:\s|$))", re.IGNORECASE
)
# A blank line inside a REF block is followed by more references only like this.
_MORE_REFS: Final = re.compile(r"^\s*(?:\(?[A-Ha-h][.)]\)?\s|\d{1,7}\s*$)")
# Lines that start the text after the block, where the page-break line or the blank line
# between them was lost (09MADRID982: `REF: MADRID 417 AND PREVIOUS` / `SUMMARY`;
# 09MOSCOW2366: `REF: Vladivostok 5` / `Sensitive but unclassified -- please protect
# accordingly.`).
_AFTER_BLOCK: Final = re.compile(
    r"^\s*(?:-{3,}|_{3,}|(?:BEGIN\s+)?SUMMARY\s*(?:[:.\-]|AND\b|&|$)|INTRODUCTION\s*(?:[:.]|$)"
    r"|COMMENT\s*[:.]|SENSITIVE\s+BUT\s+UNCLASSIFIED|THIS\s+(?:CABLE|MESSAGE|IS\s+AN?)\b"
    r"|ACTION\s+REQUEST\b)",
    re.IGNORECASE,
)


def references_rule(state: ParseState) -> bool:
    if not head(state.line).startswith("REF"):
        return False
    match = REF_LINE.match(state.line)
    if not match:
        return False
    first = state.line[match.end() :]
    if _LETTER_AFTER_REF.match(first) and not _PUNCTUATED.search(match.group(0)):
        first = f"{first[0]}. {first[1:].lstrip()}"  # `REF B SECSTATE 76108`: item B
    parts = [first]
    state.pos += 1
    while not state.at_end:
        line = state.line
        if not line.strip():
            ahead = state.pos + 1
            while ahead < len(state.lines) and not state.lines[ahead].strip():
                ahead += 1
            if ahead < len(state.lines) and _MORE_REFS.match(state.lines[ahead]):
                state.pos = ahead
                continue
            break
        if ends_caption_item(line) or _AFTER_BLOCK.match(line):
            break
        parts.append(line)
        state.pos += 1
    text = split_glued(state, fold(" ".join(parts)))
    # The next part glued on where a page-break line was taken out between them
    # (09MOSCOW2366: `REF: Vladivostok 5 Sensitive but unclassified -- please protect ...`).
    glued = _GLUED_AFTER.search(text)
    if glued is not None and glued.start() > 0:
        state.hand_back(text[glued.start() :])
        text = text[: glued.start()].strip()
    # A second REF block (after Classified By, or a `REF B` line) adds to the first.
    state.cable.references.extend(split_references(text, citing_cable(state)))
    return True


def citing_cable(state: ParseState) -> CitingCable:
    """What the citing cable tells about itself so far: year, day, station and serial."""
    cable = state.cable
    stamp = cable.header.sent or cable.created
    year: int | None = None
    day: int | None = None
    if stamp and stamp[:4].isdigit():
        year = int(stamp[:4])
        try:
            day = date(year, int(stamp[5:7]), int(stamp[8:10])).timetuple().tm_yday
        except ValueError:
            day = None
    elif cable.reference_id_raw and cable.reference_id_raw[:2].isdigit():
        year = int(cable.reference_id_raw[:2])
    station: str | None = None
    serial: int | None = None
    own = canonical_id(cable.reference_id_raw) if cable.reference_id_raw else None
    parts = split_id(own) if own else None
    if parts:
        station, serial = parts[1], int(parts[2])
    else:
        line = state.classification_line
        if line and line.station and line.serial and line.serial.isdigit():
            station, serial = station_code(line.station), int(line.serial)
    return CitingCable(year, day, station, serial)


def split_references(text: str, citing: CitingCable | int | None) -> list[Reference]:
    """The items of a REF block, in order; `citing` is the citing cable (or its year)."""
    if not isinstance(citing, CitingCable):
        citing = CitingCable(citing)
    text = _REF_LETTER.sub(" ", _LEADING_REF.sub("", text.strip()))
    items: list[tuple[str | None, str]] = []
    labels = _labels(text)
    if not labels or labels[0][0] > 0:
        end = labels[0][0] if labels else len(text)
        if text[:end].strip(" ;,."):
            items.append((None, text[:end]))
    for index, (_, body_start, letter) in enumerate(labels):
        end = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        body = text[body_start:end]
        if not body.strip(" ;,."):
            continue  # the first of a doubled label (`A. A) 04 STATE 274965`)
        items.append((letter, body))
    references: list[Reference] = []
    for label, body in items:
        previous_prefix: str | None = None
        for piece in _pieces(body):
            if _BARE_NUMBER.match(piece) and previous_prefix is not None:
                piece_for_id = f"{previous_prefix} {piece}"
            else:
                piece_for_id = piece
            cable_id = _cable_id(piece_for_id, citing)
            stem = _STATION_AND_NUMBER.match(piece_for_id)
            previous_prefix = stem["prefix"].strip() if stem and cable_id else None
            kind = reference_kind(piece, cable_id)
            references.append(Reference(label=label, text=piece, cable_id=cable_id, kind=kind))
    return references


def _cable_id(text: str, citing: CitingCable) -> str | None:
    citation = parse_citation(text)
    if citation is None:
        return None
    year = citation_year(citation, citing)
    return None if year is None else make_id(year, citation.station, citation.serial)


def _labels(text: str) -> list[tuple[int, int, str]]:
    """(start, end, letter) of each item label, in order.

    `A.`, `A)`, `A:` and `(A)` always label an item; `A -` and a bare letter only where a
    lettered list expects that letter next, and a bare `A` at the start only when a `B`
    follows (`REF A SECRETARY'S LETTER ... REF B SECSTATE 76108`), so that the article in
    `REF: A MEETING WITH ...` stays text.
    """
    found: list[tuple[int, int, str, bool]] = []
    for match in _LABEL.finditer(text):
        found.append((match.start(), match.end(), (match[1] or match[2]).upper(), True))
    strong = {start for start, _, _, _ in found}
    # A dash label needs a `-`: most blocks have none, and the pattern (tried at every
    # position) is not run on them.
    for pattern in (_DASH_LABEL, _BARE_LABEL) if "-" in text else (_BARE_LABEL,):
        for match in pattern.finditer(text):
            if match.start() not in strong:
                found.append((match.start(), match.end(), match[1], False))
    found.sort()
    letters = [letter for _, _, letter, _ in found]
    labels: list[tuple[int, int, str]] = []
    expected = "A"
    for index, (start, end, letter, is_strong) in enumerate(found):
        if labels and start < labels[-1][1]:
            continue  # inside the label just taken (`A - ` also matches as a bare `A `)
        if not is_strong:
            if letter != expected:
                continue
            if not labels and (start > 0 or "B" not in letters[index + 1 :]):
                continue
        labels.append((start, end, letter))
        expected = chr(ord(letter) + 1) if letter < "Z" else "Z"
    return labels


# Where one citation ends and the next begins without a separator:
# `SAO PAULO 433 SAO PAULO 421`, `10 NAIROBI 11 09 NAIROBI 2485`. A year in parentheses
# between two citations opens the second (`BRASILIA 709 (08) SAO PAULO 542`: the same post
# wrote the list as `BRASILIA 709 2008 SAO PAULO 542` in 09SAOPAULO653); at the end it
# closes the last one (`DOHA 152 (08)`).
_CITATION: Final = re.compile(
    r"(?:\(?(?:19|20)?\d{2}\)?\s+)?[A-Z][A-Z.'\-]*(?:\s+[A-Z][A-Z.'\-]*){0,3}\s+\d{1,7}"
    r"(?:\s*\((?:19|20)?\d{2}\)(?=\s*$))?"
)
_LETTER_PREFIX: Final = re.compile(r"^[A-H]\s+(?=\S)")
# Words that open a date, never a station: `DATED MAY 5`, `SENT JUNE 3` (not OF: PORT OF SPAIN).
_NOT_A_STATION: Final = re.compile(
    r"\b(?:DATED|DTD|SENT|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC|JANUARY|"
    r"FEBRUARY|MARCH|APRIL|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)\b",
    re.IGNORECASE,
)


def _run_of_citations(part: str) -> list[str] | None:
    """The citations of a part that is nothing but citations one after another."""
    text = part.strip()
    # Most parts are one citation: the first match then ends the text, and the answer is
    # None whatever the word tests below would say (they are slower than the match).
    first = _CITATION.match(text)
    if first is None or first.end() == len(text):
        return None
    if _NOT_CITATION.search(part):
        return None
    citations: list[str] = []
    position = 0
    # Each citation must start where the last one (and the white space after it) ended: a
    # match there, not a search for the next one anywhere, which on long parts backtracks
    # through every word. (A citation never starts with white space.)
    while position < len(text):
        match = _CITATION.match(text, position)
        if match is None:
            return None
        if _NOT_A_STATION.search(match.group(0)):
            return None  # `07 BAGHDAD 1234 DATED MAY 5` is one citation, not two
        citations.append(match.group(0))
        position = len(text) - len(text[match.end() :].lstrip())
    return citations if len(citations) >= 2 else None


_CHUNK_SEPARATOR: Final = re.compile(
    r"\s*[;:]\s*|,\s+(?=(?:\(?\d{2,4}\)?\s+)?[A-Z]{3,}[A-Z ]*\s\d)"
)
_AND: Final = re.compile(r"\s+AND\s+(?:PREVIOUS\s+)?", re.IGNORECASE)
_DIGIT: Final = re.compile(r"\d")


def _chunks(body: str) -> list[str]:
    """`body` split at `;`, `:` and citation-separating commas outside parentheses
    (`HOTR WASHINGTON DC//USDAO PARIS (SUBJ: IIR 6 832 0617 08)` is one item)."""
    chunks: list[str] = []
    start = 0
    for match in _CHUNK_SEPARATOR.finditer(body):
        before = body[: match.start()]
        if before.count("(") > before.count(")"):
            continue
        chunks.append(body[start : match.start()])
        start = match.end()
    chunks.append(body[start:])
    return chunks


def _pieces(body: str) -> list[str]:
    """Split one item on `;`, `:`, `,` and AND (or AND PREVIOUS) between citations."""
    pieces: list[str] = []
    for chunk in _chunks(body):
        # (start, end) of each part between ANDs, a part joined to the one before unless it
        # stands alone: `CAIRO 5589 AND PREVIOUS` and `TELCON BETWEEN DAS SMITH AND POLOFF
        # 5/6/09` are one item each, `STATE 115778 AND COPENHAGEN 130` two.
        merged: list[tuple[int, int]] = []
        start = 0
        for separator in [*_AND.finditer(chunk), None]:
            end = separator.start() if separator is not None else len(chunk)
            if merged and not _stands_alone(chunk[start:end]):
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
            if separator is not None:
                start = separator.end()
        for first, last in merged:
            part = chunk[first:last]
            pieces.extend(_run_of_citations(part) or [part])
    return [_without_letter(p.strip(" ,.")) for p in pieces if p.strip(" ,.")]


def _stands_alone(part: str) -> bool:
    """A part after AND that is an item of its own: a citation, a run of them, or a bare
    number that reuses the station before it (`STATE 1 AND 2`)."""
    text = part.strip(" ,.")
    if not _DIGIT.search(text):
        return False
    return bool(
        _BARE_NUMBER.match(text)
        or parse_citation(text) is not None
        or _run_of_citations(text) is not None
    )


def _without_letter(piece: str) -> str:
    """`B KUALA LUMPUR 739` without its letter, `A MEETING WITH ...` as written."""
    match = _LETTER_PREFIX.match(piece)
    if match and parse_citation(piece[match.end() :]) is not None:
        return piece[match.end() :]
    return piece
