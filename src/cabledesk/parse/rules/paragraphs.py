"""Numbered, portion-marked paragraphs and the section headings that stand before them.

A line opens paragraph N when it starts with N followed by `.` or `)` (or a portion
marking) and N continues the numbering; other numbers inside paragraphs (lists, dates)
stay text. Unnumbered blocks before paragraph 1 are paragraphs without a number; after
it they belong to the paragraph they follow. A heading is a short line underlined with
dashes (on the next line or its own), or a short line standing alone right before a
paragraph; it belongs to the paragraph that follows it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from typing import Final

from cabledesk.parse.patterns import (
    MARKING,
    PARAGRAPH_START,
    RULED_HEADING,
    UNDERLINE,
    fold,
    normalise_marking,
)
from cabledesk.parse.rules.repairs import join_broken_blocks
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Paragraph

_LEADING_MARK: Final = re.compile(r"^\s*" + MARKING.pattern, re.IGNORECASE)
_MAX_HEADING: Final = 100
_MAX_HEADING_WORDS: Final = 14
_MAX_GAP: Final = 2
_MAX_JUMP: Final = 20
# `Major Party Differences on Relations with the U.S.` ends in a full stop yet is a heading.
_ABBREVIATION_END: Final = re.compile(r"\b(?:[A-Z]\.){2,}$")
_RULE_CHARS: Final = "-=_*"
# Lines this long only occur in edited copies, which dropped the hard wraps.
_UNWRAPPED_LINE: Final = 120


class _Open:
    """A paragraph being read: its first line's text and the range of lines after it.

    A plain class: a dataclass compiled by mypyc keeps an interpreted `__init__` (built
    for every paragraph, about 5x slower; docs/performance.md, sixth round of issue 11).
    """

    __slots__ = ("first", "heading", "hyphen", "marking", "marking_raw", "number", "skip", "start")

    def __init__(
        self,
        number: int | None,
        marking: str | None,
        marking_raw: str | None,
        heading: str | None,
        first: str,
        start: int,
    ) -> None:
        self.number = number
        self.marking = marking
        self.marking_raw = marking_raw
        self.heading = heading
        self.first = first
        self.start = start
        self.skip: list[int] = []
        # Whether a line after the first ends with `-` (a word the wrap may have broken).
        self.hyphen = False

    def close(self, texts: list[str], end: int, unwrapped: bool) -> Paragraph:
        lines = texts[self.start : end]
        for index in reversed(self.skip):
            del lines[index - self.start]
        if not unwrapped:
            # Blank lines at the end only separate empty blocks, which are dropped: without
            # them most paragraphs are one block, folded without splitting into blocks.
            while lines and not lines[-1]:
                lines.pop()
            if "" not in lines:
                if self.hyphen or self.first.endswith("-"):
                    body = "\n".join([self.first, *lines]) if self.first else "\n".join(lines)
                    return self._paragraph(_fold_lines(body))
                # No broken word to join: the lines joined with spaces directly.
                body = " ".join([self.first, *lines]) if self.first else " ".join(lines)
                return self._paragraph(_fold_spaces(body))
        body = "\n".join([self.first, *lines]) if self.first else "\n".join(lines)
        if unwrapped:
            # Edited copies have no hard wraps: every line is a block of its own.
            blocks = [_fold_lines(line) for line in body.split("\n")]
        else:
            blocks = [_fold_lines(block) for block in join_broken_blocks(body.split("\n\n"))]
        return self._paragraph("\n\n".join(b for b in blocks if b))

    def _paragraph(self, text: str) -> Paragraph:
        return Paragraph(
            number=self.number,
            marking=self.marking,
            heading=self.heading,
            text=text,
            marking_raw=self.marking_raw,
        )


# Patterns that start with a literal: the regex engine jumps from one occurrence to the next
# instead of trying the pattern at every position (a leading look-behind or character class
# costs that full scan, which dominated this rule).
_SPACES: Final = re.compile("  +")


# A word broken at a hyphen by the line wrap (`TIME-\nSENSITIVE`) is joined without a space,
# except a suspended hyphen (`WHO-\nand FAO-affiliated`).
_WRAPPED_HYPHEN: Final = re.compile(r"-\n(?<=[A-Za-z0-9]-\n)(?!(?:and|or|to|nor)\b)(?=[A-Za-z0-9])")


def _fold_lines(block: str) -> str:
    """Join stripped lines with single spaces (cheaper than split/join on long text)."""
    if "-\n" in block:
        block = _WRAPPED_HYPHEN.sub("-", block)
    return _fold_spaces(block.replace("\n", " "))


def _fold_spaces(block: str) -> str:
    """Runs of spaces and tabs in a block of lines joined with spaces made single spaces."""
    block = block.strip()
    if "\t" in block:
        block = block.replace("\t", " ")  # then a lone tab is a space, as a run of two is
    return _SPACES.sub(" ", block) if "  " in block else block


def _is_rule(text: str) -> bool:
    return bool(text) and text[0] in _RULE_CHARS and bool(UNDERLINE.match(text))


def _start(
    text: str, expected: int, after_blank: bool, style: str | None = None
) -> tuple[int, re.Match[str]] | None:
    if not text[:1].isdigit():
        return None
    match = PARAGRAPH_START.match(text)
    if not match:
        return None
    number = int(match["number"])
    marked = bool(MARKING.match(text, match.end()))
    if style is not None and expected > 1 and _style(match) != style:
        # `4) Iran` inside a cable numbered `1.`, `2.` is a list item, unless it is the
        # next number and carries a portion marking (`10  (C)` where `9.` came before).
        return (number, match) if number == expected and marked else None
    if number == expected:
        return number, match
    if number == 1 and marked:
        return number, match
    if expected < number <= expected + _MAX_GAP and (marked or after_blank):
        return number, match
    if (
        style is not None
        and expected < number <= expected + _MAX_JUMP
        and after_blank
        and _style(match) == style
    ):
        return number, match  # numbering that skips (`3.` then `15.`), flagged as a warning
    return None


def _wrapped_number(
    texts: list[str], index: int, after_blank: bool, current: _Open | None, match: re.Match[str]
) -> bool:
    """A number the line wrap put at the start of a line (`... on May` / `5. In fact, ...`).

    In a cable whose paragraphs carry portion markings, a number without one, inside a
    block, after a line that ends mid-sentence (or standing alone before a blank line or a
    rule), continues that sentence.
    """
    if after_blank or current is None or current.marking is None:
        return False
    text = texts[index]
    if MARKING.match(text, match.end()):
        return False
    if not text[match.end() :].strip() and (not texts[index + 1] or _is_rule(texts[index + 1])):
        return True  # `... scheduled for Nov.` / `8.` / a heading's rule: the date's end
    previous = texts[index - 1] if index else ""
    return bool(previous) and (previous[-1].isalnum() or previous[-1] == ",")


def _style(match: re.Match[str]) -> str:
    """How a paragraph number is written: `.`, `)` or a bare number before a marking."""
    tail = match.group(0)[len(match["number"]) :].strip()
    return tail[0] if tail and tail[0] in ".)" else " "


def _is_heading(texts: list[str], index: int, expected: int, after_blank: bool) -> bool:
    text = texts[index]
    if len(text) > _MAX_HEADING:
        return False
    following = texts[index + 1] if index + 1 < len(texts) else ""
    if _is_rule(following):
        # Underlined: a heading, unless the line closes a sentence of the text above it.
        return len(text.split()) <= _MAX_HEADING_WORDS and (
            after_blank or text[-1] not in ".;,)" or bool(_ABBREVIATION_END.search(text))
        )
    if text[-1] in "-=" and RULED_HEADING.match(text):
        return True
    if not after_blank or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    if index + 2 < len(texts) and following and _is_rule(texts[index + 2]):
        return True  # a heading wrapped over two lines, then underlined
    if text[-1] in ",;" or (
        text[-1] == "." and len(text.split()) > 4 and not _ABBREVIATION_END.search(text)
    ):
        return False
    ahead = index + 1
    while ahead < len(texts) and (not texts[ahead] or _is_rule(texts[ahead])):
        ahead += 1
    return ahead < len(texts) and _start(texts[ahead], expected, True) is not None


def paragraphs_rule(state: ParseState) -> None:
    texts = list(map(str.strip, state.narrative))  # map() loops in C: cheaper here
    count = len(texts)
    # Most texts have no line that long: max() over the lengths loops in C, the count not.
    unwrapped = False
    if count and max(map(len, texts)) > _UNWRAPPED_LINE:
        long_lines = len([t for t in texts if len(t) > _UNWRAPPED_LINE])
        unwrapped = long_lines >= max(1, (count - texts.count("")) // 3)
    # A blank line after the last: `texts[index + 1]` needs no bounds test, and what reads
    # ahead finds a blank line there as it found nothing before.
    texts.append("")
    style: str | None = None
    heading_closed = False
    paragraphs: list[Paragraph] = []
    current: _Open | None = None
    heading: str | None = None
    expected = 1
    after_blank = True
    for index in range(count):
        text = texts[index]
        if not text:
            after_blank = True
            continue
        following = texts[index + 1]
        # Fast path: a line inside a paragraph that cannot start or head anything (not even
        # as the last line of a block: a heading needs a blank line before it, or a rule
        # after it).
        if not after_blank and current is not None:
            first = text[0]
            if (
                first not in _RULE_CHARS
                and not first.isdigit()
                and (not following or following[0] not in _RULE_CHARS)
                and text[-1] not in "-="
            ):
                continue
        if _is_rule(text):
            if current is not None:
                current.skip.append(index)
            after_blank = True
            continue
        start = _start(text, expected, after_blank, style)
        if start is not None and _wrapped_number(texts, index, after_blank, current, start[1]):
            start = None
        if start is not None:
            number, match = start
            style = style or _style(match)
            if number != expected:
                state.warn(
                    f"paragraph numbering starts at {number}"
                    if expected == 1
                    else f"paragraph {number} follows paragraph {expected - 1}"
                )
            if current is not None:
                paragraphs.append(current.close(texts, index, unwrapped))
            rest, after = text[match.end() :], index + 1
            if not rest and following[:1] == "(" and _LEADING_MARK.match(following):
                # `1.` alone, `(C) ...` on the next line: the wrap moved the marking down.
                rest, after = following, index + 2
            current = _opened(number, rest, heading, after)
            heading = None
            expected = number + 1
            after_blank = False
            continue
        continuing = heading is not None and not heading_closed
        if _is_heading(texts, index, expected, after_blank or continuing):
            ruled = RULED_HEADING.match(text) if text[-1] in "-=" else None
            words = fold(ruled["heading"] if ruled else text)
            if heading is None:
                heading = words
            else:
                # A heading wrapped over two lines continues; a second underlined heading
                # (a subsection under a section) is kept after a slash.
                heading = f"{heading} / {words}" if heading_closed else f"{heading} {words}"
            heading_closed = (following[:1] in _RULE_CHARS and _is_rule(following)) or bool(ruled)
            if current is not None:
                paragraphs.append(current.close(texts, index, unwrapped))
                current = None
            after_blank = False
            continue
        if current is None or (current.number is None and after_blank and expected == 1):
            if current is not None:
                paragraphs.append(current.close(texts, index, unwrapped))
            current = _opened(None, text, heading, index + 1)
            heading = None
        elif text[-1] == "-":
            # The fast path above never takes a line ending with `-`: every line of a
            # paragraph that does comes here.
            current.hyphen = True
        after_blank = False
    if current is not None:
        paragraphs.append(current.close(texts, count, unwrapped))
    kept = [p for p in paragraphs if p.text or p.number is not None]
    # Numbers written twice in a row are rare: the pairs are compared only when they occur.
    numbers = [p.number for p in kept]
    if any(n is not None and n == m for n, m in pairwise(numbers)):
        kept = [p for index, p in enumerate(kept) if not _written_twice(kept, index)]
    state.cable.paragraphs = kept


def _written_twice(paragraphs: list[Paragraph], index: int) -> bool:
    """Paragraph N right before paragraph N with the same marking that repeats its start.

    `CLASSIFIED BY: ...; REASON: 1.4(D) 1. (C)`, then `1. (C) During ...` (10BRASILIA51):
    the number and marking glued to the line above were typed again below it; `1. (C)
    Summary. 1. (C) Summary. The political ...` (08ROME1406): an edited copy's doubled start.
    """
    paragraph = paragraphs[index]
    if paragraph.number is None or index + 1 >= len(paragraphs):
        return False
    following = paragraphs[index + 1]
    return (following.number, following.marking) == (
        paragraph.number,
        paragraph.marking,
    ) and following.text.startswith(paragraph.text)


def _opened(number: int | None, rest: str, heading: str | None, start: int) -> _Open:
    """A new paragraph whose first line (after its number) is `rest`; more lines from `start`."""
    if "(" in rest[:3]:
        # A marking ends at the first `)` (none inside it), so that start decides the match:
        # the few markings a cable uses are read once each.
        close = rest.find(")")
        if close >= 0:
            marking, marking_raw, end = _read_marking(rest[: close + 1])
            if end:
                return _Open(number, marking, marking_raw, heading, rest[end:].strip(), start)
    return _Open(number, None, None, heading, rest, start)


@lru_cache(maxsize=1024)
def _read_marking(start: str) -> tuple[str | None, str | None, int]:
    """A leading marking: normalised, as written, and where it ends (0: no marking)."""
    mark = _LEADING_MARK.match(start)
    if not mark:
        return None, None, 0
    return normalise_marking(mark["level"], mark["caveat"]), mark.group(0).strip(), mark.end()
