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

# The date-time group (cable-format.md §2.3): `140650Z JUN 08`, `280224Z MAR 2009`, also
# with the zone spaced off by OCR (`260517 Z JUN 73`). DTG_PARTS names its parts; DTG is
# the same pattern without names, for patterns that use it more than once.
DTG_PARTS: Final = (
    r"(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})\s?Z"
    r"\s+(?P<month>[A-Za-z]{3})\s+(?P<year>\d{4}|\d{2})\b"
)
DTG: Final = re.sub(r"\(\?P<\w+>", "(?:", DTG_PARTS)
# The precedence letters before it (`O`, `P`, `O P`, `R R`).
DTG_PRECEDENCE: Final = r"[ZOPR](?:\s+[ZOPR])?\s+"
# A classification level as a banner, page head or classification line writes it, spaced
# out letter by letter too (`C O N F I D E N T I A L`, `S E C R E T`).
LEVEL: Final = (
    r"(?:UNCLAS(?:SIFIED)?|LIMITED\s+OFFICIAL\s+USE|CONFIDENTIAL|(?:TOP\s+)?SECRET"
    r"|C\s+O\s+N\s+F\s+I\s+D\s+E\s+N\s+T\s+I\s+A\s+L|(?:T\s+O\s+P\s+)?S\s+E\s+C\s+R\s+E\s+T)"
)

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


# Whole-text tests for runs of X. Each run starts with an `x` or an `X`, which str.find
# reaches at memchr's speed (a letter most texts hold a few dozen times); a search for a
# needle of five (`"XXXXX" in text`) or a folded copy of the text reads every character,
# about three times slower (docs/performance.md, fourth round of issue 11).
def has_run_of(text: str, letter: str, length: int = 5) -> bool:
    """`letter * length in text`, found from each occurrence of `letter`."""
    needle = letter * length
    at = text.find(letter)
    while at >= 0:
        if text.startswith(needle, at):
            return True
        at = text.find(letter, at + 1)
    return False


def has_redaction(text: str) -> bool:
    """Whether `REDACTION` matches somewhere in `text`: five `x` or `X` in a row, any mix."""
    size = len(text)
    for letter in ("x", "X"):
        at = text.find(letter)
        while at >= 0:
            end = at + 1
            while end < size and end - at < 5 and text[end] in "xX":
                end += 1
            if end - at == 5:
                return True
            # Every x or X up to `end` is in the same short run: the next run starts after it.
            at = text.find(letter, end + 1)
    return False


def first_filled(lines: list[str], start: int = 0) -> int:
    """The index of the first line from `start` on that is not blank (len(lines) if none)."""
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start


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
