"""SUBJECT: one line, whitespace folded, continuation lines joined, portion mark kept apart.

Real spellings (cable-format.md §3.6 and the corpus):

    SUBJECT: DOMINIQUE STRAUSS-KAHN ON CLEARSTREAM, HIS
    PRESIDENTIAL ASPIRATIONS, AND FRANCE: A COMPREHENSIVE
    SNAPSHOT OF THE POLITICAL SCENE
    SUBJECT: (C/NF) KUDOS CABLE FOR EMBASSY BUENOS AIRES
    Subject: (s) germany requests release of xxxxxxxxxxxx
    nonpaper to the german criminal customs office (zka)
    SUBJECT: BRAZIL'S PRESIDENTIAL ELECTIONS: ... BEHIND JOSE SERRA REF: RIO DE JANEIRO 32
    SUBJECT: ... TO PRESIDENT LULA CLASSIFIED BY: Thomas A. Shannon, Ambassador, ...
    SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIMEREF: A. LONDON 1939
    SUBJECT: BALOCH REQUEST UNHCR FACILITATE MOVEMENT OF
    BRAHMDAGH BUGTI TO IRELAND
    SUBJECT: (U) Secretary Clinton’s March 24, 2009
    (blank line)
    Conversation with Australian Prime Minister Kevin Rudd
    SUBJECT: SCOTTISH PARLIAMENT HOLDS EMERGENCY
    SESSION AS
    (blank line)
    DEBATE OVER MEGRAHI DECISION REACHES FEVER PITCH
    Friday, 18 December 2009, 11:04
    S E C R E T SECTION 01 OF 02 ISLAMABAD 003037
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import (
    CLASSIFIED_BY_INLINE,
    LEVEL,
    MARKING,
    PARAGRAPH_START,
    SUBJECT_LINE,
    UNDERLINE,
    fold,
    head,
    is_caption_item,
    normalise_marking,
)
from cabledesk.parse.rules.classification_line import parse_classification_line
from cabledesk.parse.rules.dateline import is_dateline
from cabledesk.parse.rules.page_breaks import is_page_break
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


# What stops a subject on its own line (the subject rule alone: a REF block has its own
# ends). A page-break line (`PAGE 02 STATE 017976`), a classification banner or the
# classification line repeated, the partner's dateline repeated, a heading underline or a
# summary label: the subject never runs into them.
_LEVEL_BANNER: Final = re.compile(
    rf"^\s*{LEVEL}(?:\s*//.*)?\s*$",
    re.IGNORECASE,
)
_SUMMARY_LABEL: Final = re.compile(
    r"^\s*(?:\(\w+\)\s*)?(?:BEGIN\s+)?SUMMARY(?:\s*(?:[:.\-]|AND\s+COMMENT\b)|\s*$)",
    re.IGNORECASE,
)
# Items glued onto the subject's line: `... JOSE SERRA REF: RIO DE JANEIRO 32`,
# `... Ref(s): A. STATE 123`, `... CLASSIFIED BY AMBASSADOR X FOR REASONS 1.4 (B)`.
_INLINE_REF: Final = re.compile(r"\sREF(?:S|\(S\)|TELS?)?\s*:", re.IGNORECASE)
# An edited copy lost the line break and glued REF onto the last word
# (`08LONDON1991`: `... AS UK PRIMEREF: A. LONDON 1939  B. LONDON 1704`): taken only in
# capitals and before what starts a citation (`A.`, `(A)`, `LONDON 1939`, `08 STATE 12`).
_GLUED_REF: Final = re.compile(
    r"(?<=[A-Z])REF(?:S|TELS?)?:(?=\s*(?:\(?[A-Z][.)]\s|\d{2}\s+[A-Z]|[A-Z][A-Z .]*\s\d))"
)
_INLINE_CLASSIFIED: Final = re.compile(
    r"\sCLASSIFIED\s+BY\b(?=.{0,160}?(?:\bREASONS?\s*:?\s*(?:1\.[45]|\(?[A-H]\b)"
    r"|\b1\.[45]\s*\(?[A-H]\b|\bE\.?O\.?\s*1\d{4}))",
    re.IGNORECASE,
)
_TRAILING_RULE: Final = re.compile(r"\s*(?<!\w)[-=_]{3,}$")
_TRAILING_STRAY: Final = re.compile(r"\s+[<>|~^]+$")
# The texts these two are tried on have no line break: they can only match a text that ends
# with one of their characters, tested first (a pattern starting with `\s` is tried at
# every position of the text).
_RULE_ENDS: Final = ("-", "=", "_")
_STRAY_ENDS: Final = ("<", ">", "|", "~", "^")
# A subject wraps over two or three lines; more lines than this are something else.
_MAX_CONTINUATION: Final = 4


def _glued_item(text: str) -> re.Match[str] | None:
    """The first REF or Classified By item glued onto a subject line, if any."""
    if ":" not in text and "LASSIFIED" not in text.upper():
        return None
    ref = (_INLINE_REF.search(text) or _glued_ref(text)) if ":" in text else None
    classified = _INLINE_CLASSIFIED.search(text)
    if ref and classified:
        return ref if ref.start() < classified.start() else classified
    return ref or classified


def _glued_ref(text: str) -> re.Match[str] | None:
    """A REF glued onto the last word, in capitals, or in a copy a newspaper set all in
    lower case (`... as uk primeref: a. london 1939`): there read as capitals. A mixed-case
    line never has one (`Chiefref:` is not how a telegram lost its line break)."""
    found = _GLUED_REF.search(text)
    if found is None and text.islower():
        upper = text.upper()
        if len(upper) == len(text):  # the offsets hold (`ß` would become `SS`)
            found = _GLUED_REF.search(upper)
    return found


def _ends_subject(state: ParseState, line: str, following: str) -> bool:
    if ends_caption_item(line):
        return True
    stripped = line.strip()
    if not any(c.isalnum() for c in stripped) or UNDERLINE.match(following):
        return True  # an underline, stray punctuation, or a heading over its underline
    if is_page_break(stripped) or _LEVEL_BANNER.match(stripped) or _SUMMARY_LABEL.match(line):
        return True
    if is_dateline(line):
        return True
    first = state.classification_line
    if first is not None and stripped[:1].isalpha():
        repeat = parse_classification_line(stripped)
        if repeat is not None and (repeat.station, repeat.serial) == (first.station, first.serial):
            return True
    return False


# Words a subject cannot end on: the phrase goes on (`... EMERGENCY SESSION AS`).
# fmt: off
_OPEN_WORDS: Final = frozenset((
    "A", "AN", "THE", "OF", "TO", "FOR", "WITH", "ON", "IN", "AT", "BY", "AS", "FROM",
    "AND", "OR", "BUT", "NOR", "INTO", "ONTO", "OVER", "UNDER", "ABOUT", "AGAINST", "BETWEEN",
    "AMONG", "VIA", "PER", "TOWARD", "TOWARDS", "THROUGH", "UPON", "ITS", "THEIR", "HIS",
    "HER", "OUR", "YOUR", "THAN", "THAT", "WHICH", "WHO", "WHOSE", "IS", "ARE", "WAS",
    "WERE", "WILL", "WOULD", "CAN", "COULD", "SHOULD", "MUST", "NOT",
))
# fmt: on
# A possessive still waiting for its noun: `... BY BROWN’S`, `Secretary Clinton’s March 24,
# 2009` (a date between the possessive and the noun it qualifies).
_OPEN_POSSESSIVE: Final = re.compile(
    r"(?:[’']S|S[’'])(?:\s+(?:(?:JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)[A-Z]*\.?"
    r"|\d{1,4}(?:ST|ND|RD|TH)?,?|\d{1,2}/\d{1,2}(?:/\d{2,4})?))*$",
    re.IGNORECASE,
)
# The blank lines a subject may run over (09STATE30049 has one).
_MAX_BLANK: Final = 2


def _is_open(subject: str) -> bool:
    """Whether a subject stops mid-phrase: on a function word, a possessive, a comma."""
    text = subject.rstrip()
    if not text or text[-1] in '.?!;)"”':
        return False
    if text[-1] in ",:-/&":
        return True
    words = text.split()
    return words[-1].upper() in _OPEN_WORDS or bool(_OPEN_POSSESSIVE.search(text[-40:]))


def _continuation_after_blank(state: ParseState, parts: list[str]) -> int:
    """Where the subject goes on after a blank line the copy put inside it, or -1.

    Taken only when the subject stops mid-phrase or the line after the blank starts in
    lower case, and that line is no caption item, paragraph, mark, heading, page break,
    banner, summary label or sentence of its own: so the first paragraph of a cable whose
    subject is complete is never swallowed.
    """
    index = state.pos
    while index < len(state.lines) and not state.lines[index].strip():
        index += 1
    if index == state.pos or index - state.pos > _MAX_BLANK or index >= len(state.lines):
        return -1
    line = state.lines[index]
    following = state.lines[index + 1] if index + 1 < len(state.lines) else ""
    stripped = line.strip()
    if _ends_subject(state, line, following) or stripped.endswith("."):
        return -1
    subject = fold(" ".join(parts))
    if not (_is_open(subject) or stripped[0].islower()):
        return -1
    return index


def subject_rule(state: ParseState) -> bool:
    if not head(state.line).startswith("SUBJ"):
        return False
    match = SUBJECT_LINE.match(state.line)
    if not match:
        return False
    parts = [state.line[match.end() :]]
    glued = _glued_item(parts[0])
    state.pos += 1
    while glued is None and not state.at_end and len(parts) <= _MAX_CONTINUATION:
        last = parts[-1].rstrip()
        if last.endswith(_RULE_ENDS) and _TRAILING_RULE.search(last):
            # A heading's rule ran onto the subject's last line (`... NEW PRESIDENT -------`
            # / `summary` / `-------`): the heading under it is none of the subject.
            break
        line = state.line
        following = state.lines[state.pos + 1] if state.pos + 1 < len(state.lines) else ""
        if not line.strip() and len(parts) <= _MAX_CONTINUATION:
            # A blank line inside the subject (09STATE30049): go on past it when the
            # subject is plainly unfinished.
            after = _continuation_after_blank(state, parts)
            if after >= 0:
                state.pos = after
                continue
        if _ends_subject(state, line, following):
            # Stray punctuation under the subject (`<`) is no part of anything.
            if line.strip() and not any(c.isalnum() for c in line) and not UNDERLINE.match(line):
                state.pos += 1
            break
        parts.append(line)
        glued = _glued_item(line)
        state.pos += 1
    subject = fold(" ".join(parts))
    glued = _glued_item(subject)
    if glued is not None and glued.start() > 0:
        # `SUBJECT: ... REF: ...` on one line: hand the item back to its own rule.
        state.hand_back(subject[glued.start() :])
        subject = subject[: glued.start()].strip()
    subject = split_glued(state, subject)
    # A heading rule a page break joined onto the last line (`NEW PRESIDENT -------`).
    if subject.endswith(_RULE_ENDS):
        subject = _TRAILING_RULE.sub("", subject)
    # Stray punctuation under the subject, joined onto it by a re-wrap (`... SPAIN <`).
    if subject.endswith(_STRAY_ENDS):
        subject = _TRAILING_STRAY.sub("", subject)
    if state.cable.subject is not None:
        # A caption block repeated (WikiLeaks copies): the first subject stands, unless the
        # repeat is the same subject whole where the first was cut off (09ULAANBAATAR234:
        # `... WITH DPRK VICE FOREIGN`, then `... with dprk vice foreign` / `minister kim`).
        mark = _LEADING_MARK.match(subject)
        repeat = subject[mark.end() :].strip() if mark else subject
        first = state.cable.subject
        if len(repeat) > len(first) and repeat.casefold().startswith(first.casefold() + " "):
            rest = repeat[len(first) :]
            # In the first one's letter case: a newspaper's repeat is lower-cased.
            state.cable.subject = first + (rest.upper() if first.isupper() else rest)
        return True
    mark = _LEADING_MARK.match(subject)
    if mark:
        state.cable.subject_marking = normalise_marking(mark["level"], mark["caveat"])
        subject = subject[mark.end() :].strip()
    state.cable.subject = subject or None
    return True
