"""SUMMARY ... END SUMMARY spans, or the paragraph that announces itself as the summary."""

from __future__ import annotations

import re

from cabledesk.parse.patterns import at_sentence_start, fold
from cabledesk.parse.state import ParseState

# Matched against the lower-cased text, so each pattern starts with a plain literal.
_END = re.compile(r"end\s+(?:of\s+)?summary\b")
_START = re.compile(
    r"summary(?:\s+and\s+(?:comment|action\s+request|action))?(?:\s*[:.\-]+|\s*$|\s+(?=\S))"
)
_LABEL = re.compile(
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
        starts = [m for m in _START.finditer(lower, 0, end.start()) if _opens(lower, m.start())]
        begin = starts[-1].end() if starts else 0
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


def _opens(lower: str, position: int) -> bool:
    """`Summary` opening a paragraph or sentence (`BEGIN SUMMARY` too), not `end summary`."""
    if lower[max(0, position - 6) : position].rstrip().endswith("begin"):
        return True
    return at_sentence_start(lower, position)
