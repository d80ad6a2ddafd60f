"""Telegraph character artifacts, repaired for reading (never in `raw`).

The telegram system's character set turned typographic marks into others:
`Soleimani,s` was `Soleimani's`, `&gangs8` was a quotation “gangs”, a spaced ` ) ` and an
unmatched `)` were dashes, and `meeting*not` was a dash too. Decoding is contextual so that
genuine text (`1,5`, reason codes `b,d`, `AT&L`, parenthetical remarks) stays as it is.
"""

from __future__ import annotations

import re
from typing import Final

# Each pattern starts with its literal character so the regex engine can skip to it.
# `Soleimani,s`, `don,t`, `we,ll`, `Khamene,i`, `Shi,a`, and after an abbreviation `U.S.,s`.
# (Most commas are followed by a blank: `(?!\s)` turns them away at once, before the nine
# case-insensitive alternatives are tried one by one.)
_APOSTROPHE: Final = re.compile(
    r",(?!\s)(?=(?:s|t|re|ll|ve|d|m|i|a)\b)(?:(?<=[A-Za-z]{2},)|(?<=[A-Z]\.,))", re.IGNORECASE
)
# What may follow the comma of an `_APOSTROPHE` match: the first letter of an ending, in
# either case. (The pattern's case folding also matches ſ, ı, İ and the Kelvin sign to
# ASCII letters: a character beyond ASCII after a comma goes to the pattern.)
_AFTER_COMMA: Final = frozenset("strlvdmiaSTRLVDMIA")


def _may_hold_apostrophe(text: str) -> bool:
    """Whether some comma in `text` may start an `_APOSTROPHE` match.

    Most commas are followed by a blank: found one by one (str.find of one character runs
    at memchr's speed) and turned away by the character after them, they cost less than
    the pattern's scan of the whole text, which now runs only on a text with a candidate.
    """
    at = text.find(",")
    while at >= 0:
        after = text[at + 1 : at + 2]
        if after in _AFTER_COMMA or (after and not after.isascii()):
            return True
        at = text.find(",", at + 1)
    return False


_QUOTE: Final = re.compile(
    r"&(?<![A-Za-z0-9&]&)(?=[A-Za-z])"
    r"(?P<inner>[^&\n]*(?:\n(?!\s*\n)[^&\n]*){0,4}?[A-Za-z.,!?])8(?![0-9A-Za-z])"
)
_EIGHT: Final = re.compile(r"8(?<=[a-z]8)(?=[\s.,;:!?)]|$)")
_STAR: Final = re.compile(r"\*(?<=[a-z]\*)(?=[A-Za-z])")
_PARENTHESIS: Final = re.compile(r"[()]")
_BLOCK_SPLIT: Final = re.compile(r"\n[ \t]*\n")
_LIST_MARKER: Final = re.compile(r"(?:^|\s)\(?[A-Za-z0-9]{1,2}$", re.MULTILINE)
DASH: Final = "—"


class RepairCounts:
    """What the repairs counted (a plain class: see `ClassificationLine` in state.py)."""

    __slots__ = ("apostrophes", "dashes", "quotes")

    def __init__(self, apostrophes: int = 0, quotes: int = 0, dashes: int = 0) -> None:
        self.apostrophes = apostrophes
        self.quotes = quotes
        self.dashes = dashes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RepairCounts):
            return NotImplemented
        return (self.apostrophes, self.quotes, self.dashes) == (
            other.apostrophes,
            other.quotes,
            other.dashes,
        )

    def __repr__(self) -> str:
        return (
            f"RepairCounts(apostrophes={self.apostrophes!r}, quotes={self.quotes!r}, "
            f"dashes={self.dashes!r})"
        )


def repair(text: str, counts: RepairCounts) -> str:
    """Repair narrative text; parentheses are balanced block by block (between blank lines)."""
    if _may_hold_apostrophe(text):
        text, n = _APOSTROPHE.subn("'", text)
        counts.apostrophes += n
    if "&" in text:
        text, n = _QUOTE.subn(lambda m: f'"{m["inner"]}"', text)
        counts.quotes += n
    if '"' in text and "8" in text:
        text = _closing_eight(text, counts)
    if "*" in text:
        text, n = _STAR.subn(DASH, text)
        counts.dashes += n
    if ")" in text:
        text = _repair_blocks(text, counts)
    return text


_SENTENCE_END: Final = re.compile(r"[.!?:;\"”’')\]\-]\s*$")


def join_broken_blocks(blocks: list[str]) -> list[str]:
    """Blocks separated by a blank line inside a sentence (a wrap artifact) joined again."""
    joined: list[str] = []
    for block in blocks:
        head = block.lstrip()
        if (
            joined
            and head[:1].islower()
            and joined[-1].strip()
            and not _SENTENCE_END.search(joined[-1])
        ):
            joined[-1] = joined[-1].rstrip() + "\n" + head
        else:
            joined.append(block)
    return joined


def _closing_eight(text: str, counts: RepairCounts) -> str:
    """`"so-called Internet freedom8`: a real opening quote closed by the telegraph 8."""
    out: list[str] = []
    position = 0
    for match in _EIGHT.finditer(text):
        block_start = max(text.rfind("\n\n", 0, match.start()), 0)
        if text.count('"', block_start, match.start()) % 2 == 1:
            out.append(text[position : match.start()] + '"')
            position = match.end()
            counts.quotes += 1
    out.append(text[position:])
    return "".join(out)


def _has_unmatched(text: str, start: int, end: int) -> bool:
    """Whether some `)` in `text[start:end]` closes nothing: more `)` than `(` up to it.

    Counting with str methods is much cheaper than stripping matched pairs with a pattern
    or scanning for both characters with a character class.
    """
    opens = closes = 0
    counted = start  # `opens` counts the `(` before this offset
    at = text.find(")", start, end)
    while at >= 0:
        opens += text.count("(", counted, at)
        counted = at
        closes += 1
        if opens < closes:
            return True
        at = text.find(")", at + 1, end)
    return False


def _repair_blocks(text: str, counts: RepairCounts) -> str:
    """Balance parentheses per paragraph block; a blank line inside a sentence is no block end.

    Blocks are read by their offsets in the text: almost every block is balanced, and
    slicing the text into blocks and joining them again cost more than the counting.
    """
    out: list[str] = []
    position = 0  # how much of the text `out` holds
    group = 0  # where the block group being read starts
    separators = _block_separators(text)
    if _blocks_balanced(text, separators):
        # Then every group of blocks is too (it is whole blocks): nothing to repair.
        return text
    separators.append((len(text), len(text)))
    for index in range(len(separators) - 1):
        end, piece = separators[index]
        first = text[piece : piece + 1]
        if first.isspace():
            first = text[piece : separators[index + 1][0]].lstrip()[:1]
        if first.islower():
            before = text[group:end]
            if before.strip() and not _SENTENCE_END.search(before):
                continue  # the next block continues this one's sentence
        position = _balanced(text, group, end, out, position, counts)
        group = piece
    position = _balanced(text, group, len(text), out, position, counts)
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


def _block_separators(text: str) -> list[tuple[int, int]]:
    """The spans `_BLOCK_SPLIT.finditer(text)` gives, found from each line break.

    str.find of one character runs at memchr's speed; the pattern stops at every line
    break too, and costs more at each. A match is a line break, blanks and tabs, and a
    line break: the blanks taken greedily leave nothing to backtrack into.
    """
    spans: list[tuple[int, int]] = []
    size = len(text)
    at = text.find("\n")
    while at >= 0:
        end = at + 1
        while end < size and text[end] in " \t":
            end += 1
        if end < size and text[end] == "\n":
            spans.append((at, end + 1))
            at = text.find("\n", end + 1)
        else:
            at = text.find("\n", end)
    return spans


def _blocks_balanced(text: str, separators: list[tuple[int, int]]) -> bool:
    """Whether no block has a `)` that closes nothing, read from one `)` to the next."""
    opens = closes = 0
    counted = 0  # `opens` counts the `(` of the block before this offset
    following = 0  # the first separator after the block being read
    at = text.find(")")
    while at >= 0:
        while following < len(separators) and separators[following][1] <= at:
            counted = separators[following][1]  # `at` is in a later block
            opens = closes = 0
            following += 1
        opens += text.count("(", counted, at)
        counted = at
        closes += 1
        if opens < closes:
            return False
        at = text.find(")", at + 1)
    return True


def _balanced(
    text: str, start: int, end: int, out: list[str], position: int, counts: RepairCounts
) -> int:
    """Repair the block group `text[start:end]` if it needs it, into `out`; the new position."""
    if text.find(")", start, end) < 0 or not _has_unmatched(text, start, end):
        return position
    group = text[start:end]
    repaired = _unmatched_parentheses(group, counts)
    if repaired == group:
        return position
    out.append(text[position:start])
    out.append(repaired)
    return end


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
