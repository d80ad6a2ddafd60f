"""Regular expressions that more than one rule needs."""

from __future__ import annotations

import re
from typing import Final

# Portion markings: (C), (S/NF), (S//REL TO USA, FVEY), (SBU-N), (c), (C NF), (U//FOUO).
MARKING: Final = re.compile(
    r"\(\s*(?P<level>TS|SBU|LOU|U|C|S)"
    r"(?:\s*(?:/{1,2}|-|\s)\s*(?P<caveat>NF|NOFORN|N|FOUO|REL\b[^)]{0,40}))?\s*\)",
    re.IGNORECASE,
)

# `1. (C) text`, `12) text`, `3 (S) text`: a number, then a dot or parenthesis, or a marking.
PARAGRAPH_START: Final = re.compile(
    r"^\s*(?P<number>\d{1,3})(?:\s*[.)](?=\s|$|\()|\s+(?=\((?:TS|SBU|LOU|U|C|S)\b))\s*"
)

UNDERLINE: Final = re.compile(r"^\s*(?:[-=_*]\s?){3,}\s*$")
# Edited copies put a heading and its underline on one line: `MARCH 14 AHEAD ----------`.
RULED_HEADING: Final = re.compile(r"^\s*(?P<heading>\S.{0,99}?)(?:\s+|(?<=[Xx]{5}))[-=]{5,}[-= ]*$")

# `Classfied By` is a typo seen in the corpus.
CLASSIFIED_BY: Final = re.compile(r"^\s*(?:\(\w+\)\s*)?classi?fied\s+by\b\s*:?\s*", re.IGNORECASE)
EO_LINE: Final = re.compile(r"\bE\.?\s?O\.?\s*(?P<order>1\d{4})\b\s*:?\s*", re.IGNORECASE)
TAGS_LINE: Final = re.compile(r"^\s*TAGS?\b\s*:?\s*", re.IGNORECASE)
SUBJECT_LINE: Final = re.compile(r"^\s*SUBJ(?:ECT)?\b\s*:?\s*", re.IGNORECASE)
REF_LINE: Final = re.compile(r"^\s*REF(?:S|TEL|TELS)?\b\s*[:.]?\s*(?=\S)", re.IGNORECASE)
SUBJECT_INLINE: Final = re.compile(r"\bSUBJ(?:ECT)?\s*:\s*", re.IGNORECASE)
TAGS_INLINE: Final = re.compile(r"\bTAGS?\s*:\s*", re.IGNORECASE)
CLASSIFIED_BY_INLINE: Final = re.compile(r"\bclassified\s+by\s*:", re.IGNORECASE)

_ORDER_NUMBER: Final = re.compile(r"1\d{4}")


def head(line: str) -> str:
    """The start of a line, upper-cased: cheap to test before any regular expression."""
    return line.lstrip()[:16].upper()


def may_be_eo(line: str) -> bool:
    return bool(_ORDER_NUMBER.search(line, 0, 90))


def is_caption_item(line: str) -> bool:
    """Whether a line starts an E.O., TAGS, SUBJECT, REF or Classified By item."""
    start = head(line)
    if start.startswith(("TAG", "SUBJ")):
        return bool(TAGS_LINE.match(line) or SUBJECT_LINE.match(line))
    if start.startswith("REF"):
        return bool(REF_LINE.match(line))
    if "CLASS" in start:
        return bool(CLASSIFIED_BY.match(line))
    if start.startswith("DECLASSIFY ON"):
        return True
    if may_be_eo(line):
        eo = EO_LINE.search(line)
        return bool(eo) and eo.start() < 60  # type: ignore[union-attr]
    return False


REDACTED_LINE: Final = re.compile(r"^\s*[Xx]{5,}[\s.,]*$")

# Runs of X that media partners put where names were (any case; 5 or more).
REDACTION: Final = re.compile(r"[Xx]{5,}")


def fold(text: str) -> str:
    """Collapse runs of white space (line wraps included) to single spaces."""
    return " ".join(text.split())


def normalise_marking(level: str, caveat: str | None) -> str:
    """`(S//NF)` → `S/NF`, `(C NF)` → `C/NF`, `(SBU-N)` → `SBU/NF`, `(S/Rel Pak)` → `S/REL PAK`."""
    level = level.upper()
    if not caveat:
        return level
    caveat = fold(caveat.upper())
    if caveat in ("NF", "NOFORN", "N"):
        caveat = "NF"
    return f"{level}/{caveat}"


def at_sentence_start(text: str, position: int) -> bool:
    """Whether `position` begins a sentence, a paragraph or a parenthesis in `text`."""
    before = text[:position].rstrip(" \t")
    return not before or before[-1] in ".!?(\n-:\"”'"
