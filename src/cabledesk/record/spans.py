"""Which paragraphs hold a cable's summary and comments.

The summary and comments are spans of the paragraphs' text (docs/record.md), folded and
without their labels. A reader should see each passage once: the web desk shows the
paragraphs that hold the summary as the summary, in place, instead of repeating them.
"""

from __future__ import annotations

from collections.abc import Sequence

# Probes taken from a span's start and end to find its paragraphs. A long probe is
# unlikely to recur elsewhere; a short one still fits inside a short last paragraph.
_PROBES = (48, 16)
# A span is shown in place of its paragraphs when it is at least half of their text. A
# remark in parentheses inside a paragraph of reporting (`(Comment: ... End comment.)`)
# stays a part of that paragraph; so does a summary in a paragraph that swallowed the
# ones after it (06BELGRADE1681), which is better shown apart than mislabelled.
# Labels and end markers around a short span (`Summary and comment:`, `End summary and
# comment.`) do not count against it.
_LABELS = 48


def _fold(text: str) -> str:
    return " ".join(text.split())


def _find(texts: Sequence[str], probe: str, start: int) -> int:
    for index in range(start, len(texts)):
        if probe in texts[index]:
            return index
    return -1


def covering(texts: Sequence[str], span: str) -> tuple[int, int] | None:
    """The first and last of the folded paragraph `texts` the folded `span` runs over."""
    for size in _PROBES:
        head, tail = span[:size], span[-size:]
        first = _find(texts, head, 0)
        if first < 0:
            continue
        last = _find(texts, tail, first)
        if last >= 0:
            return first, last
    return None


def paragraph_roles(
    paragraphs: Sequence[str], summary: str | None, comments: Sequence[str]
) -> list[str | None]:
    """For each paragraph text: `summary` or `comment` when the summary or a comment is
    most of it (and of the paragraphs it runs over with it), else None."""
    texts = [_fold(text) for text in paragraphs]
    roles: list[str | None] = [None] * len(texts)
    spans = [("summary", summary)] if summary else []
    spans += [("comment", comment) for comment in comments]
    for role, text in spans:
        span = _fold(text)
        found = covering(texts, span)
        if not found:
            continue
        indices = range(found[0], found[1] + 1)
        if any(roles[i] for i in indices):
            continue
        rest = sum(len(texts[i]) for i in indices) - len(span)
        if rest <= max(len(span), _LABELS):
            for index in indices:
                roles[index] = role
    return roles
