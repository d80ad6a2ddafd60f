"""Telegraph character artifacts, repaired for reading (never in `raw`).

The telegram system's character set turned typographic marks into others:
`Soleimani,s` was `Soleimani's`, `&gangs8` was a quotation “gangs”, a spaced ` ) ` and an
unmatched `)` were dashes, and `meeting*not` was a dash too. Decoding is contextual so that
genuine text (`1,5`, reason codes `b,d`, `AT&L`, parenthetical remarks) stays as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each pattern starts with its literal character so the regex engine can skip to it.
_APOSTROPHE = re.compile(r",(?<=[A-Za-z]{2},)(?=(?:s|t|re|ll|ve|d|m|i)\b)", re.IGNORECASE)
_QUOTE = re.compile(
    r"&(?<![A-Za-z0-9&]&)(?=[A-Za-z])"
    r"(?P<inner>[^&\n]*(?:\n(?!\s*\n)[^&\n]*){0,4}?[A-Za-z.,!?])8(?![0-9A-Za-z])"
)
_STAR = re.compile(r"\*(?<=[a-z]\*)(?=[a-z])")
_PARENTHESIS = re.compile(r"[()]")
_BLOCK = re.compile(r"\n[ \t]*\n")
_LIST_MARKER = re.compile(r"(?:^|\s)\(?[A-Za-z0-9]{1,2}$", re.MULTILINE)
DASH = "—"


@dataclass(slots=True)
class RepairCounts:
    apostrophes: int = 0
    quotes: int = 0
    dashes: int = 0


def repair(text: str, counts: RepairCounts) -> str:
    """Repair narrative text; parentheses are balanced block by block (between blank lines)."""
    if "," in text:
        text, n = _APOSTROPHE.subn("'", text)
        counts.apostrophes += n
    if "&" in text:
        text, n = _QUOTE.subn(lambda m: f'"{m["inner"]}"', text)
        counts.quotes += n
    if "*" in text:
        text, n = _STAR.subn(DASH, text)
        counts.dashes += n
    if ")" in text:
        text = _repair_blocks(text, counts)
    return text


def _repair_blocks(text: str, counts: RepairCounts) -> str:
    pieces: list[str] = []
    position = 0
    for separator in [*_BLOCK.finditer(text), None]:
        end = separator.start() if separator else len(text)
        block = text[position:end]
        if ")" in block:
            block = _unmatched_parentheses(block, counts)
        pieces.append(block)
        if separator:
            pieces.append(separator.group(0))
            position = separator.end()
    return "".join(pieces)


def _unmatched_parentheses(text: str, counts: RepairCounts) -> str:
    """A `)` that closes nothing, standing between words, was a dash."""
    depth = 0
    out: list[str] = []
    position = 0
    for match in _PARENTHESIS.finditer(text):
        index = match.start()
        if match.group(0) == "(":
            depth += 1
            continue
        if depth > 0:
            depth -= 1
            continue
        previous, after = text[index - 1 : index], text[index + 1 : index + 2]
        line_start = text.rfind("\n", 0, index) + 1
        if (
            after in ("", " ", "\n")
            and (previous.isalpha() or previous in " \"'")
            and text[line_start:index].strip()
            and not _LIST_MARKER.search(text, line_start, index)
        ):
            counts.dashes += 1
            out.append(text[position:index])
            out.append(DASH if previous == " " else " " + DASH)
            position = index + 1
    out.append(text[position:])
    return "".join(out)
