"""REF: the cables (and other documents) this cable cites.

Items are lettered (`A.`, `A)`, `(A)`, doubled `A. A.`) or not, separated by spaces, `;`,
`AND`; a bare number after AND reuses the station before it (`STATE 1 AND 2`). Each item
keeps its text; cable_id is filled only when the text names a cable (see parse/ids.py).
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.ids import NOT_A_CABLE as _NOT_CITATION
from cabledesk.parse.ids import resolve_reference
from cabledesk.parse.patterns import REF_LINE, fold, head
from cabledesk.parse.rules.subject import ends_caption_item, split_glued
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Reference

_LABEL: Final = re.compile(r"(?:^|(?<=[\s;,]))(?:\(([A-Za-z])\)|([A-Za-z])[.):](?=\s|\(|$))")
_LEADING_REF: Final = re.compile(r"^REF(?:S|TEL|TELS)?\b\s*[:.]?\s*", re.IGNORECASE)
_BARE_NUMBER: Final = re.compile(r"^\d{1,7}$")
_STATION_AND_NUMBER: Final = re.compile(r"^(?P<prefix>.*?)(?P<serial>\d{1,7})\s*$")
# A blank line inside a REF block is followed by more references only like this.
_MORE_REFS: Final = re.compile(r"^\s*(?:\(?[A-Ha-h][.)]\)?\s|\d{1,7}\s*$)")


def references_rule(state: ParseState) -> bool:
    if not head(state.line).startswith("REF"):
        return False
    match = REF_LINE.match(state.line)
    if not match:
        return False
    parts = [state.line[match.end() :]]
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
        if ends_caption_item(line):
            break
        parts.append(line)
        state.pos += 1
    text = split_glued(state, fold(" ".join(parts)))
    cited_year = _citing_year(state)
    state.cable.references.extend(split_references(text, cited_year))
    return True


def _citing_year(state: ParseState) -> int | None:
    cable = state.cable
    stamp = cable.header.sent or cable.created
    if stamp:
        return int(stamp[:4])
    if cable.reference_id_raw and cable.reference_id_raw[:2].isdigit():
        return int(cable.reference_id_raw[:2])
    return None


def split_references(text: str, citing_year: int | None) -> list[Reference]:
    """The items of a REF block, in order."""
    text = _LEADING_REF.sub("", text.strip())
    items: list[tuple[str | None, str]] = []
    labels = list(_LABEL.finditer(text))
    if not labels or labels[0].start() > 0:
        end = labels[0].start() if labels else len(text)
        if text[:end].strip(" ;,."):
            items.append((None, text[:end]))
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        label = (match.group(1) or match.group(2)).upper()
        body = text[match.end() : end]
        if not body.strip(" ;,."):
            continue  # the first of a doubled label (`A. A) 04 STATE 274965`)
        items.append((label, body))
    references: list[Reference] = []
    for label, body in items:
        previous_prefix: str | None = None
        for piece in _pieces(body):
            if _BARE_NUMBER.match(piece) and previous_prefix is not None:
                piece_for_id = f"{previous_prefix} {piece}"
            else:
                piece_for_id = piece
            cable_id = resolve_reference(piece_for_id, citing_year)
            stem = _STATION_AND_NUMBER.match(piece_for_id)
            previous_prefix = stem["prefix"].strip() if stem and cable_id else None
            references.append(Reference(label=label, text=piece, cable_id=cable_id))
    return references


# Where one citation ends and the next begins without a separator:
# `SAO PAULO 433 SAO PAULO 421`, `10 NAIROBI 11 09 NAIROBI 2485`, `709 (08) SAO PAULO 542`.
_CITATION: Final = re.compile(
    r"(?:\(?(?:19|20)?\d{2}\)?\s+)?[A-Z][A-Z.'\-]*(?:\s+[A-Z][A-Z.'\-]*){0,3}\s+\d{1,7}"
    r"(?:\s*\((?:19|20)?\d{2}\))?"
)
_LETTER_PREFIX: Final = re.compile(r"^[A-H]\s+(?=\S)")


def _run_of_citations(part: str) -> list[str] | None:
    """The citations of a part that is nothing but citations one after another."""
    if _NOT_CITATION.search(part):
        return None
    text = part.strip()
    citations: list[str] = []
    position = 0
    # Each citation must start where the last one (and the white space after it) ended: a
    # match there, not a search for the next one anywhere, which on long parts backtracks
    # through every word. (A citation never starts with white space.)
    while position < len(text):
        match = _CITATION.match(text, position)
        if match is None:
            return None
        citations.append(match.group(0))
        position = len(text) - len(text[match.end() :].lstrip())
    return citations if len(citations) >= 2 else None


_CHUNK_SEPARATOR: Final = re.compile(
    r"\s*[;:]\s*|,\s+(?=(?:\(?\d{2,4}\)?\s+)?[A-Z]{3,}[A-Z ]*\s\d)"
)
_AND: Final = re.compile(r"\s+AND\s+(?:PREVIOUS\s+)?", re.IGNORECASE)
_DIGIT: Final = re.compile(r"\d")


def _pieces(body: str) -> list[str]:
    """Split one item on `;`, `:`, `,` and AND (or AND PREVIOUS) between citations."""
    pieces: list[str] = []
    for chunk in _CHUNK_SEPARATOR.split(body):
        parts = _AND.split(chunk)
        merged: list[str] = []
        for part in parts:
            # `CAIRO 5589 AND PREVIOUS`: a part without a number is not a citation of its own.
            if merged and not _DIGIT.search(part):
                merged[-1] = chunk[: chunk.find(part, len(merged[-1])) + len(part)]
            else:
                merged.append(part)
        for part in merged:
            pieces.extend(_run_of_citations(part) or [part])
    return [_LETTER_PREFIX.sub("", p.strip(" ,.")) for p in pieces if p.strip(" ,.")]
