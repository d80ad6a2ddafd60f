"""SUBJECT: one line, whitespace folded, continuation lines joined, portion mark kept apart."""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import (
    CLASSIFIED_BY_INLINE,
    MARKING,
    PARAGRAPH_START,
    SUBJECT_LINE,
    fold,
    head,
    is_caption_item,
    normalise_marking,
)
from cabledesk.parse.state import ParseState

_LEADING_MARK: Final = re.compile(r"^\s*" + MARKING.pattern, re.IGNORECASE)


def is_prose(line: str) -> bool:
    """A long line with lower-case words: an unwrapped paragraph, not a caption."""
    text = line.strip()
    return len(text) > 100 and sum(c.islower() for c in text) > len(text) // 4


def ends_caption_item(line: str) -> bool:
    """Whether a line starts something else, so a wrapped caption item stops before it."""
    stripped = line.lstrip()
    return bool(
        not stripped
        or (stripped[0] == "(" and _LEADING_MARK.match(line))
        or (stripped[0].isdigit() and PARAGRAPH_START.match(line))
        or is_prose(line)
        or is_caption_item(line)
    )


# Edited copies run the caption block together: `REF: BRASILIA 123 (U) THIS CABLE IS ...`.
_GLUED_PARAGRAPH: Final = re.compile(r"\s\((?:U|SBU|C|S|TS)(?:/\w+)?\)\s+(?:[A-Za-z,']+\s+){3}")


def split_glued(state: ParseState, text: str) -> str:
    """A caption item with the next item (or a paragraph) on its line: hand the rest back."""
    # Each pattern needs a `:` or a `(` (tested first: a pattern starting with a word
    # boundary or a blank is tried at every position).
    glued = (CLASSIFIED_BY_INLINE.search(text) if ":" in text else None) or (
        _GLUED_PARAGRAPH.search(text) if "(" in text else None
    )
    if glued is None or glued.start() == 0:
        return text
    state.hand_back(text[glued.start() :])
    return text[: glued.start()].strip()


def subject_rule(state: ParseState) -> bool:
    if not head(state.line).startswith("SUBJ"):
        return False
    match = SUBJECT_LINE.match(state.line)
    if not match:
        return False
    parts = [state.line[match.end() :]]
    state.pos += 1
    while not state.at_end and not ends_caption_item(state.line):
        parts.append(state.line)
        state.pos += 1
    subject = split_glued(state, fold(" ".join(parts)))
    mark = _LEADING_MARK.match(subject)
    if mark:
        state.cable.subject_marking = normalise_marking(mark["level"], mark["caveat"])
        subject = subject[mark.end() :].strip()
    if state.cable.subject is None:
        state.cable.subject = subject or None
    return True
