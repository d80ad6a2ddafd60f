"""Caption items run together into one paragraph, as newspapers print the caption block.

Der Spiegel's copy of 08BAGHDAD1784 re-wrapped the caption block as running text:

    E.o. 12958: decl: 06/12/2018 Tags: iz, ir, prel, pgov, pinr
    Subject: pm maliki recounts his june 7-9 visit to tehran

and a copy that joined more of it wraps one item into the next:

    Eo 12958 decl: 01/09/2014 Tags pgov, parm, prel, bm, rs, ks,
    knpp Subject: burma: rumors of construction of a nuclear
    reactor near minbu

The paragraph is taken apart at each item's keyword (E.O., TAGS, SUBJECT, REF, Classified
By; in any letter case) into one line per item, so the item rules read each whole;
captions before the first item (`Noforn E.o. 12958: ...`) make a line of their own.
A TAGS without a colon (`Tags pgov`) and an E.O. are items only before the subject:
subjects name executive orders (`E.O. 13224 DESIGNATIONS`). Classified By without its
colon is one only after the subject and before reasons (`... leader CLASSIFIED BY
AMBASSADOR TOM MCDONALD FOR REASONS 1.5 (B) AND (D).`). `text` keeps the paragraph's
words, each item on a line of its own.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import (
    CLASSIFIED_BY,
    EO_LINE,
    MARKING,
    PARAGRAPH_START,
    REF_LINE,
    SUBJECT_LINE,
    TAGS_LINE,
    UNDERLINE,
    fold,
    head,
    may_be_eo,
)
from cabledesk.parse.rules.classification_line import parse_classification_line
from cabledesk.parse.rules.dateline import is_dateline
from cabledesk.parse.rules.handling import CAPTIONS
from cabledesk.parse.rules.subject import is_prose
from cabledesk.parse.state import ParseState

_SUBJECT: Final = re.compile(r"\bSUBJ(?:ECT)?\s*:", re.IGNORECASE)
_TAGS_COLON: Final = re.compile(r"\bTAGS?\s*:", re.IGNORECASE)
# Without a colon, TAGS is followed by a code (`Tags pgov, parm`, `TAGS PGOV PREL`).
_TAGS_BARE: Final = re.compile(r"\bTAGS?\s+(?=\(?[A-Za-z]{2,5}\b)", re.IGNORECASE)
_EO: Final = re.compile(EO_LINE.pattern, re.IGNORECASE)
# After the subject an E.O. item says what it is: `E.O. 12958: DECL: ...`, `E.O. 12958: N/A`.
_EO_ITEM: Final = re.compile(
    r"\bE\.?\s?O\.?\s*1\d{4}\b\s*:?\s*(?:DECL|N/A|DNG|AS\s+AMENDED)", re.IGNORECASE
)
_REF: Final = re.compile(r"\bREF(?:S|TEL|TELS)?\s*:", re.IGNORECASE)
_CLASSIFIED_BY: Final = re.compile(r"\bclassi?fied\s+by\s*:", re.IGNORECASE)
_CLASSIFIED_BARE: Final = re.compile(
    # A reason is a code (`reasons 1.4 (b)`, `reason: b`), not the word alone (`FILES
    # CLASSIFIED BY THE ARMY RELEASED FOR REASONS OF STATE` is a subject).
    r"\bclassi?fied\s+by\b(?=.{0,120}?(?:\breasons?\s*:?\s*(?:1\s*\.\s*[45]|\(?[a-h]\b)"
    r"|\b1\s*\.\s*[45]\b))",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_MARK: Final = re.compile(r"^\s*" + MARKING.pattern, re.IGNORECASE)
_MAX_LINES: Final = 10
# What a second item (or a glued Classified By) starts with.
# Searched in an upper-cased copy: a case-insensitive pattern is much slower to scan.
_SECOND_ITEM: Final = re.compile(
    r"\b(?:TAGS?\b|SUBJ|REF(?:S|TEL|TELS)?\s*:|CLASSI?FIED\s+BY\b|E\.?\s?O\.?\s*1\d{4})"
)
_KEYWORD_REACH: Final = 240
_CAPTION_HEADS: Final = tuple(sorted({caption[:3] for caption in CAPTIONS}))
_ITEM_HEADS: Final = ("TAG", "SUBJ", "E.O", "EO ", "E. O", "E O ")
_LEADING_CAPTIONS: Final = re.compile(
    r"^\s*(?:(?:" + "|".join(c.replace(" ", r"\s+") for c in CAPTIONS) + r")\b[\s,;.]*)*",
    re.IGNORECASE,
)
_OPEN_ITEM: Final = re.compile(r"\b(?:SUBJ(?:ECT)?|TAGS?)\s*:?\s*$", re.IGNORECASE)


def starts_item(line: str, after_captions: bool = False) -> bool:
    """Whether a line starts with an E.O., TAGS or SUBJECT item.

    With `after_captions`, handling captions may stand before it (`Noforn E.o. 12958: ...`).
    """
    start = head(line)
    if after_captions and start.startswith(_CAPTION_HEADS):
        captions = _LEADING_CAPTIONS.match(line)
        if captions and captions.end():
            line = line[captions.end() :]
            start = head(line)
    if start.startswith(("TAG", "SUBJ")):
        return bool(TAGS_LINE.match(line) or SUBJECT_LINE.match(line))
    if not may_be_eo(line):
        return False
    match = EO_LINE.search(line)
    return match is not None and not line[: match.start()].strip()


def item_starts(text: str) -> list[int]:
    """Where each caption item begins in a paragraph of run-together items, in order."""
    subject = _SUBJECT.search(text)
    before = subject.start() if subject else len(text)
    found = {0}
    if subject:
        found.add(subject.start())
    for match in _EO.finditer(text, 0, before):
        found.add(match.start())
    for match in _EO_ITEM.finditer(text, before):
        found.add(match.start())
    for match in _TAGS_COLON.finditer(text):
        found.add(match.start())
    for match in _TAGS_BARE.finditer(text, 0, before):
        found.add(match.start())
    for pattern in (_REF, _CLASSIFIED_BY):
        for match in pattern.finditer(text, 1):
            found.add(match.start())
    if subject:
        # Without its colon, Classified By is known by the reasons that follow it.
        for match in _CLASSIFIED_BARE.finditer(text, subject.end()):
            found.add(match.start())
    return sorted(found)


def _ends_paragraph(line: str) -> bool:
    stripped = line.strip()
    return bool(
        not stripped
        or (stripped[0].isdigit() and PARAGRAPH_START.match(stripped))
        or (stripped[0] == "(" and _LEADING_MARK.match(stripped))
        or REF_LINE.match(stripped)
        or CLASSIFIED_BY.match(stripped)
        or UNDERLINE.match(stripped)
        or is_prose(stripped)
    )


_RULE_AT_END: Final = re.compile(r"\s[-=_]{3,}\s*$")


def run_together_rule(state: ParseState) -> bool:
    """Split a paragraph of run-together caption items into one line per item.

    Says True when it rewrote the lines (the caption rules then read them from the same
    position); False, and changes nothing, when each item already stands on its own line.
    """
    if not starts_item(state.line, after_captions=True):
        return False
    start = state.pos
    # Most caption items stand each on its own line: one pattern looks for a keyword inside
    # a line of the block before the paragraph is taken apart.
    # A line that starts an item of its own is looked at when the rules reach it.
    for index in range(start, min(len(state.lines), start + _MAX_LINES)):
        line = state.lines[index]
        if not line.strip() or (index > start and head(line).startswith(_ITEM_HEADS)):
            return False
        # Caption items are short; a keyword far into a long line would be text.
        if _SECOND_ITEM.search(line[3:_KEYWORD_REACH].upper()):
            break
    else:
        return False
    end = start + 1
    while end < len(state.lines) and end - start < _MAX_LINES:
        if _RULE_AT_END.search(state.lines[end - 1]):
            # A heading's rule ran onto the line (`... new president -------` / `summary`):
            # the heading under it belongs to the text.
            break
        line = state.lines[end]
        if is_dateline(line.strip()) or parse_classification_line(line.strip()) is not None:
            break  # a caption block repeated under this one (09ISLAMABAD3037's page)
        # `Subject:` at the end of a line, `(s/nf) nigeria: ...` on the next: the wrap put
        # the subject's portion mark at the start of a line.
        if _ends_paragraph(line) and not (
            line.lstrip()[:1] == "(" and _OPEN_ITEM.search(state.lines[end - 1])
        ):
            break
        end += 1
    paragraph = [line.strip() for line in state.lines[start:end]]
    text = "\n".join(paragraph)
    starts = item_starts(text)
    # Run together: an item begins inside a line, not at its start.
    if len(starts) < 2 or all(at == 0 or text[at - 1] == "\n" for at in starts):
        return False
    ends = [*starts[1:], len(text)]
    pieces = [text[at:until].strip() for at, until in zip(starts, ends, strict=True)]
    items = [fold(piece) for piece in pieces]
    if state.original_lines[start:end] == state.lines[start:end]:
        # `text` keeps the words as written, each item on its own line(s); the two lists
        # stay aligned line for line.
        state.original_lines[start:end] = pieces
    elif len(items) <= end - start:
        # A rule before this one rewrote these lines: keep the count, so `text` stays whole.
        items += [""] * (end - start - len(items))
    else:
        return False
    state.lines[start:end] = items
    return True
