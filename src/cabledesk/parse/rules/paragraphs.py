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
from dataclasses import dataclass, field

from cabledesk.parse.patterns import (
    MARKING,
    PARAGRAPH_START,
    RULED_HEADING,
    UNDERLINE,
    fold,
    normalise_marking,
)
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Paragraph

_LEADING_MARK = re.compile(r"^\s*" + MARKING.pattern, re.IGNORECASE)
_MAX_HEADING = 100
_MAX_HEADING_WORDS = 14
_MAX_GAP = 2
_RULE_CHARS = "-=_*"


@dataclass(slots=True)
class _Open:
    number: int | None
    marking: str | None
    marking_raw: str | None
    heading: str | None
    lines: list[str] = field(default_factory=list)

    def close(self) -> Paragraph:
        blocks: list[str] = []
        current: list[str] = []
        for line in self.lines:
            if line:
                current.append(line)
            elif current:
                blocks.append(fold(" ".join(current)))
                current = []
        if current:
            blocks.append(fold(" ".join(current)))
        return Paragraph(
            number=self.number,
            marking=self.marking,
            heading=self.heading,
            text="\n\n".join(blocks),
            marking_raw=self.marking_raw,
        )


def _is_rule(text: str) -> bool:
    return bool(text) and text[0] in _RULE_CHARS and bool(UNDERLINE.match(text))


def _start(text: str, expected: int, after_blank: bool) -> tuple[int, re.Match[str]] | None:
    if not text[:1].isdigit():
        return None
    match = PARAGRAPH_START.match(text)
    if not match:
        return None
    number = int(match["number"])
    if number == expected:
        return number, match
    marked = bool(_LEADING_MARK.match(text, match.end()))
    if number == 1 and marked:
        return number, match
    if expected < number <= expected + _MAX_GAP and (marked or after_blank):
        return number, match
    return None


def _is_heading(texts: list[str], index: int, expected: int, after_blank: bool) -> bool:
    text = texts[index]
    if len(text) > _MAX_HEADING:
        return False
    following = texts[index + 1] if index + 1 < len(texts) else ""
    if _is_rule(following):
        return len(text.split()) <= _MAX_HEADING_WORDS
    if text[-1] in "-=" and RULED_HEADING.match(text):
        return True
    if not after_blank or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    if index + 2 < len(texts) and following and _is_rule(texts[index + 2]):
        return True  # a heading wrapped over two lines, then underlined
    if text[-1] in ",;" or (text[-1] == "." and len(text.split()) > 4):
        return False
    ahead = index + 1
    while ahead < len(texts) and (not texts[ahead] or _is_rule(texts[ahead])):
        ahead += 1
    return ahead < len(texts) and _start(texts[ahead], expected, True) is not None


def paragraphs_rule(state: ParseState) -> None:
    texts = [line.strip() for line in state.narrative]
    last = len(texts) - 1
    paragraphs: list[Paragraph] = []
    current: _Open | None = None
    heading: str | None = None
    expected = 1
    after_blank = True
    for index, text in enumerate(texts):
        if not text:
            after_blank = True
            if current is not None:
                current.lines.append("")
            continue
        following = texts[index + 1] if index < last else ""
        # Fast path: a line inside a paragraph that cannot start or head anything.
        if (
            current is not None
            and not after_blank
            and not text[0].isdigit()
            and text[0] not in _RULE_CHARS
            and following[:1] not in _RULE_CHARS
            and text[-1] not in "-="
        ):
            current.lines.append(text)
            continue
        if _is_rule(text):
            after_blank = True
            continue
        start = _start(text, expected, after_blank)
        if start is not None:
            number, match = start
            if number != expected:
                state.warn(
                    f"paragraph numbering starts at {number}"
                    if expected == 1
                    else f"paragraph {number} follows paragraph {expected - 1}"
                )
            if current is not None:
                paragraphs.append(current.close())
            current = _opened(number, text[match.end() :], heading)
            heading = None
            expected = number + 1
            after_blank = False
            continue
        if _is_heading(texts, index, expected, after_blank):
            ruled = RULED_HEADING.match(text) if text[-1] in "-=" else None
            words = fold(ruled["heading"] if ruled else text)
            heading = words if heading is None else f"{heading} {words}"
            if current is not None:
                paragraphs.append(current.close())
                current = None
            after_blank = False
            continue
        if current is None or (current.number is None and after_blank and expected == 1):
            if current is not None:
                paragraphs.append(current.close())
            current = _opened(None, text, heading)
            heading = None
        else:
            current.lines.append(text)
        after_blank = False
    if current is not None:
        paragraphs.append(current.close())
    state.cable.paragraphs = [p for p in paragraphs if p.text or p.number is not None]


def _opened(number: int | None, rest: str, heading: str | None) -> _Open:
    """A new paragraph whose first line (after its number) is `rest`."""
    marking = marking_raw = None
    mark = _LEADING_MARK.match(rest) if "(" in rest[:3] else None
    if mark:
        marking = normalise_marking(mark["level"], mark["caveat"])
        marking_raw = mark.group(0).strip()
        rest = rest[mark.end() :].strip()
    return _Open(number, marking, marking_raw, heading, [rest] if rest else [])
