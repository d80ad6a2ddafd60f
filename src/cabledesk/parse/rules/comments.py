"""COMMENT ... END COMMENT spans (and a closing `Comment:` paragraph without an end)."""

from __future__ import annotations

import re

from cabledesk.parse.patterns import at_sentence_start, fold
from cabledesk.parse.state import ParseState

# Matched against the lower-cased text, so each pattern starts with a plain literal.
_END = re.compile(r"end\s+(?:of\s+)?comments?\b")
_START = re.compile(r"(?<![a-z])(?:begin\s+)?comments?\s*[:.\-]+")
_LABEL = re.compile(r"^\s*comments?\s*[:.\-]+\s*", re.IGNORECASE)


def comments_rule(state: ParseState) -> None:
    paragraphs = state.cable.paragraphs
    if not paragraphs:
        return
    text = state.paragraph_text()
    lower = text.lower()
    comments: list[str] = []
    if "comment" not in lower:
        return
    position = 0
    for end in _END.finditer(lower):
        start = next(
            (
                m
                for m in _START.finditer(lower, position, end.start())
                if at_sentence_start(lower, m.start())
            ),
            None,
        )
        if start:
            comment = fold(text[start.end() : end.start()]).lstrip(" .-:").rstrip(" -")
            if comment:
                comments.append(comment)
        position = end.end()
    if not comments:
        last = paragraphs[-1]
        label = _LABEL.match(last.text)
        if label or (last.heading or "").strip(" -:.").upper() == "COMMENT":
            comment = fold(last.text[label.end() :] if label else last.text)
            if comment:
                comments.append(comment)
    state.cable.comments = comments
