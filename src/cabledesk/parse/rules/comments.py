"""COMMENT ... END COMMENT spans (and a closing `Comment:` paragraph without an end)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from cabledesk.parse.patterns import at_sentence_start, fold
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Paragraph

# Matched against the lower-cased text, so each pattern starts with a plain literal.
_END: Final = re.compile(r"end\s+(?:of\s+)?comments?\b")
# `Comment:`, `COMMENT.`, or a `Comment` heading on a line of its own.
_START: Final = re.compile(r"comments?(?:\s*[:.\-]+|[ \t]*\n)")
_ACTION: Final = re.compile(r"^\s*(?:ACTION\s+REQUEST|REQUESTED\s+ACTION)", re.IGNORECASE)
_LABEL: Final = re.compile(r"^\s*comments?\s*[:.\-]+\s*", re.IGNORECASE)


def comments_rule(state: ParseState) -> None:
    paragraphs = state.cable.paragraphs
    if not paragraphs:
        return
    text = state.paragraph_text()
    lower = state.paragraph_text_lower()
    comments: list[str] = []
    # The first `comment` is where the search for END COMMENT starts: the text before it
    # is read once (in most cables the word stands only in the closing comment).
    first = lower.find("comment")
    if first < 0:
        return
    position = 0
    for end_start, end_end in _ends(lower, first):
        start = next(
            (m for m in _START.finditer(lower, position, end_start) if _opens(lower, m.start())),
            None,
        )
        if start:
            comment = fold(text[start.end() : end_start]).lstrip(" .-:").rstrip(" -")
            if comment:
                comments.append(comment)
        position = end_end
    if not comments:
        comments = _closing_section(paragraphs)
    state.cable.comments = comments


def _ends(lower: str, first: int) -> Iterator[tuple[int, int]]:
    """The spans `_END.finditer(lower)` gives, found from the word `comment` (the first
    at `first`).

    `end` is a frequent prefix (`spend`, `attend`) where the pattern is tried in vain; the
    word after it is rarer, and what stands before the word is checked by hand.
    """
    at = first
    while at >= 0:
        stop = at + 7
        if lower.startswith("s", stop) and _word_ends(lower, stop + 1):
            stop += 1
        elif not _word_ends(lower, stop):
            at = lower.find("comment", stop)
            continue
        start = _end_before(lower, at)
        if start >= 0:
            yield start, stop
        at = lower.find("comment", stop)


def _word_ends(text: str, position: int) -> bool:
    """A word boundary after a word character: no letter, digit or `_` at `position`."""
    return position >= len(text) or not (text[position].isalnum() or text[position] == "_")


def _end_before(lower: str, position: int) -> int:
    """Where `end` + blanks, or `end` + blanks + `of` + blanks, ending at `position` starts."""
    blank = position
    while blank > 0 and lower[blank - 1].isspace():
        blank -= 1
    if blank == position:
        return -1
    if lower.endswith("end", 0, blank):
        return blank - 3
    if lower.endswith("of", 0, blank):
        word = blank - 2
        blank = word
        while blank > 0 and lower[blank - 1].isspace():
            blank -= 1
        if blank < word and lower.endswith("end", 0, blank):
            return blank - 3
    return -1


def _opens(lower: str, position: int) -> bool:
    """`Comment:` opening a sentence, paragraph or parenthesis (`BEGIN COMMENT` too)."""
    if position and lower[position - 1].isalpha():
        return False
    if lower[max(0, position - 6) : position].rstrip().endswith("begin"):
        return True
    return at_sentence_start(lower, position)


def _closing_section(paragraphs: list[Paragraph]) -> list[str]:
    """A closing comment without an end marker: from the paragraph labelled `Comment:` (or
    headed COMMENT) to the end of the cable, or to the next heading."""
    for index in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 6), -1):
        paragraph = paragraphs[index]
        label = _LABEL.match(paragraph.text)
        heading = (paragraph.heading or "").strip(" -:.").upper()
        if label or heading in ("COMMENT", "COMMENTS"):
            texts = [paragraph.text[label.end() :] if label else paragraph.text]
            for following in paragraphs[index + 1 :]:
                if following.heading or _ACTION.match(following.text):
                    break
                texts.append(following.text)
            comment = "\n\n".join(fold(t) for t in texts if t.strip())
            return [comment] if comment else []
    return []
