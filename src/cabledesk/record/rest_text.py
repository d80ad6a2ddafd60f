"""The clean text outside the paragraphs: the caption block before them (classification
line, captions, E.O. line, TAGS, SUBJECT, REF, Classified By) and what follows the last
one (the signature, closing lines). It is searchable too, at the cable's own level."""

from __future__ import annotations

from cabledesk.record.model import Paragraph
from cabledesk.record.words import WORD

_ANCHOR_WORDS = 6


def _words_at(text: str, start: int, words: list[str]) -> int:
    """Where `words` end when they stand at `start` with only separators between them
    (what `[\\W_]+` would allow), or -1. Plain string steps: a pattern per cable would
    cost a regex compilation each time."""
    position, size = start, len(text)
    for index, word in enumerate(words):
        if not text.startswith(word, position):
            return -1
        position += len(word)
        if index + 1 < len(words):
            gap = position
            while position < size and (text[position] == "_" or not text[position].isalnum()):
                position += 1
            if position == gap:
                return -1
    return position


def _first(text: str, words: list[str]) -> tuple[int, int] | None:
    start = text.find(words[0])
    while start != -1:
        end = _words_at(text, start, words)
        if end != -1:
            return start, end
        start = text.find(words[0], start + 1)
    return None


def _last_end(text: str, words: list[str], after: int) -> int:
    start = text.rfind(words[0])
    while start >= after:
        end = _words_at(text, start, words)
        if end != -1:
            return end
        start = text.rfind(words[0], 0, start)
    return -1


# Six words nearly always fit in the first slice; a longer one is read when they do not.
_SLICES = (96, 400)


def _head(text: str) -> list[str]:
    """The first words of a paragraph (read from its start only: paragraphs are long)."""
    for size in _SLICES:
        if len(text) <= size:
            return WORD.findall(text)[:_ANCHOR_WORDS]
        words = WORD.findall(text[:size])[:-1]  # the last may be cut
        if len(words) >= _ANCHOR_WORDS:
            break
    return words[:_ANCHOR_WORDS]


def _tail(text: str) -> list[str]:
    for size in _SLICES:
        if len(text) <= size:
            return WORD.findall(text)[-_ANCHOR_WORDS:]
        words = WORD.findall(text[-size:])[1:]  # the first may be cut
        if len(words) >= _ANCHOR_WORDS:
            break
    return words[-_ANCHOR_WORDS:]


def outside_paragraphs(text: str, paragraphs: list[Paragraph]) -> str:
    """`text` without the stretch from the first paragraph's first words to the last
    paragraph's last words; all of `text` when there are no paragraphs."""
    written = [p for p in paragraphs if WORD.search(p.text)]
    if not written:
        return text
    first = _first(text, _head(written[0].text))
    if first is None:
        return ""
    end = _last_end(text, _tail(written[-1].text), first[0])
    tail = text[end:] if end != -1 else ""
    return text[: first[0]] + "\n" + tail
