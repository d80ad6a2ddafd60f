"""SUMMARY ... END SUMMARY spans, or the paragraph that announces itself as the summary."""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import at_sentence_start, fold
from cabledesk.parse.state import ParseState

# Matched against the lower-cased text, so each pattern starts with a plain literal.
_END: Final = re.compile(r"end\s+(?:of\s+)?summary\b")
_START: Final = re.compile(
    r"summary(?:\s+and\s+(?:comment|action\s+request|action))?(?:\s*[:.\-]+|\s*$|\s+(?=\S))"
)
_LABEL: Final = re.compile(
    r"^\s*(?:BEGIN\s+)?SUMMARY(?:\s+AND\s+(?:COMMENT|ACTION\s+REQUEST))?\s*[:.\-]+\s*",
    re.IGNORECASE,
)


def summary_rule(state: ParseState) -> None:
    paragraphs = state.cable.paragraphs
    if not paragraphs:
        return
    text = state.paragraph_text()
    lower = state.paragraph_text_lower()
    if "summary" not in lower:
        return
    end = _END.search(lower)
    if end:
        begin = _last_start(lower, end.start())
        summary = fold(text[begin : end.start()]).lstrip(" .-:").rstrip(" -")
        state.cable.summary = summary or None
        return
    for paragraph in paragraphs:
        heading = (paragraph.heading or "").strip(" -:.").upper()
        label = _LABEL.match(paragraph.text)
        if label:
            state.cable.summary = fold(paragraph.text[label.end() :]) or None
            return
        if heading == "SUMMARY" or heading.startswith("SUMMARY AND "):
            state.cable.summary = fold(paragraph.text) or None
            return


def _last_start(lower: str, end: int) -> int:
    """Where the text after the last summary label before `end` begins (0: no label).

    Read backwards from `end`: the last label is usually the only one, and the labels
    `_START` finds before `end` are the word `summary` where it matches.
    """
    at = lower.rfind("summary", 0, end)
    while at >= 0:
        match = _START.match(lower, at, end)
        if match and _opens(lower, at):
            return match.end()
        at = lower.rfind("summary", 0, at)
    return 0


def _opens(lower: str, position: int) -> bool:
    """`Summary` opening a paragraph or sentence (`BEGIN SUMMARY` too), not `end summary`."""
    if lower[max(0, position - 6) : position].rstrip().endswith("begin"):
        return True
    return at_sentence_start(lower, position)
