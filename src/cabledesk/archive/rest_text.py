"""The clean text outside the paragraphs: the caption block before them (classification
line, captions, E.O. line, TAGS, SUBJECT, REF, Classified By) and what follows the last
one (the signature, closing lines). It is searchable too, at the cable's own level."""

from __future__ import annotations

import re

from cabledesk.record.model import Paragraph

_WORD = re.compile(r"[^\W_]+")
_ANCHOR_WORDS = 6


def _anchor(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"[\W_]+".join(map(re.escape, words)))


def outside_paragraphs(text: str, paragraphs: list[Paragraph]) -> str:
    """`text` without the stretch from the first paragraph's first words to the last
    paragraph's last words; all of `text` when there are no paragraphs."""
    written = [p for p in paragraphs if _WORD.search(p.text)]
    if not written:
        return text
    first = _WORD.findall(written[0].text)[:_ANCHOR_WORDS]
    last = _WORD.findall(written[-1].text)[-_ANCHOR_WORDS:]
    start = _anchor(first).search(text)
    if start is None:
        return ""
    ends = [m.end() for m in _anchor(last).finditer(text, start.start())]
    tail = text[ends[-1] :] if ends else ""
    return text[: start.start()] + "\n" + tail
