"""The narrative (text after the caption block), cleaned for reading.

Stray SIPDIS captions that landed inside sentences are removed and telegraph artifacts are
repaired (see repairs.py).
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import has_run_of
from cabledesk.parse.rules.repairs import RepairCounts, repair
from cabledesk.parse.state import ParseState

_GLUED_NUMBER: Final = re.compile(r"([Xx]{5,})(?=\d{1,3}\.\s*\((?:TS|SBU|U|C|S)\b[^)]{0,20}\))")
# The number's full stop and the portion mark of a paragraph glued onto the line before:
# found from the literal `.`; the number and the sentence end before it are checked by hand.
_MARK_AFTER_NUMBER: Final = re.compile(r"\.\s*\((?:TS|SBU|U|C|S)(?:/[A-Z/ ]{1,12})?\)\s+[A-Z]")
_SENTENCE_CLOSERS: Final = frozenset('.!?"”’)')
# `... arrives in Beirut\nSIPDIS May 1 ...`: the caption broke a sentence; join it again.
# Found by the caption (literal-prefixed, cheap to search for), then the character before
# the line break is checked by hand: a pattern starting with it would test every position.
_SIPDIS_LINE: Final = re.compile(r"\n[ \t]*SIPDIS\b[ \t]*(?=\S)")
_SENTENCE_END: Final = frozenset(".!?:;\"”’')]")
_X_DIGIT: Final = re.compile(r"X\d")
# A SIPDIS caption standing at the start of a line (after blanks), and the line break after
# it when text follows. Found by its literal: a pattern anchored at every line start
# (`^[ \t]*SIPDIS`, MULTILINE) is tried at every position of the text.
_STRAY_SIPDIS: Final = re.compile(r"SIPDIS\b[ \t]*(?:\n(?=[ \t]*\S))?")


def clean_narrative(state: ParseState) -> None:
    lines = state.lines[state.narrative_start :]
    text = joined = state.lines_text(state.narrative_start)
    if "SIPDIS" in text:
        text, inside = _join_broken_sentences(text)
        text, alone = _remove_stray_sipdis(text)
        state.cable.repairs.stray_sipdis = inside + alone
    if (has_run_of(text, "x") or has_run_of(text, "X")) and _X_DIGIT.search(text.replace("x", "X")):
        # `... XXXXXXXXXXXX10. (C) Below ...`: a redaction swallowed the paragraph break.
        # (The pattern starts with a character class, slow to scan for: it only runs where
        # an X stands right before a digit, found first by a literal-prefixed search.)
        text = _GLUED_NUMBER.sub("\\1\n\n", text)
    text = _split_glued_paragraphs(text)
    counts = RepairCounts()
    text = repair(text, counts)
    if text == joined and (state.lines_are_body() or joined.count("\n") == len(lines) - 1):
        # Nothing to repair (most cables): the lines as they are, rather than the text split
        # into new ones. (The count rules out a line with a line break inside it; the body's
        # own lines, split at line breaks, have none.)
        state.narrative = lines
    else:
        state.narrative = text.split("\n")
    state.cable.repairs.apostrophes = counts.apostrophes
    state.cable.repairs.quotes = counts.quotes
    state.cable.repairs.dashes = counts.dashes


def _join_broken_sentences(text: str) -> tuple[str, int]:
    """Join sentences a SIPDIS caption line broke; how many were joined."""
    out: list[str] = []
    position = joined = 0
    for match in _SIPDIS_LINE.finditer(text):
        end = match.start()
        while end > position and text[end - 1] in " \t":
            end -= 1
        if end == position or text[end - 1].isspace() or text[end - 1] in _SENTENCE_END:
            continue  # the line before ends a sentence (or is blank): not a broken one
        out.append(text[position:end])
        out.append(" ")
        position = match.end()
        joined += 1
    if not joined:
        return text, 0
    out.append(text[position:])
    return "".join(out), joined


def _remove_stray_sipdis(text: str) -> tuple[str, int]:
    """SIPDIS captions left at the start of a line removed (the blanks before them stay)."""
    out: list[str] = []
    position = removed = 0
    for match in _STRAY_SIPDIS.finditer(text):
        start = match.start()
        if text[text.rfind("\n", 0, start) + 1 : start].strip(" \t"):
            continue  # inside a line: not a caption
        out.append(text[position:start])
        position = match.end()
        removed += 1
    if not removed:
        return text, 0
    out.append(text[position:])
    return "".join(out), removed


def _split_glued_paragraphs(text: str) -> str:
    """Paragraphs an edited copy glued into one line, each on a line of its own again.

    `... between the two. 2. (C) German officials ...` (09STATE82013): a number and a
    portion mark after a sentence's end start a new block; the paragraph rule still checks
    the numbering.
    """
    out: list[str] = []
    position = 0
    for at in _candidates(text):
        # Cheap tests first: most candidates are paragraph numbers at a line's start.
        digits = at
        while digits > 0 and at - digits < 2 and text[digits - 1].isdigit():
            digits -= 1
        if digits == at or digits < position or text[digits - 1 : digits] not in (" ", "\t"):
            continue
        blank = digits
        while blank > 0 and text[blank - 1] in " \t":
            blank -= 1
        if blank == 0 or text[blank - 1] not in _SENTENCE_CLOSERS:
            continue
        if _MARK_AFTER_NUMBER.match(text, at) is None:
            continue
        out.append(text[position:blank])
        out.append("\n\n")
        position = digits
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


def _candidates(text: str) -> list[int]:
    """Offsets of `. (` and `.` + line break + `(` after a number of one or two digits that
    follows a blank: where a glued mark may be.

    Found from each `(` (str.find jumps to it with memchr): a pattern stops at every full
    stop (one ends nearly every sentence), and a search for `.\n(` reads the text slowly.
    """
    found: list[int] = []
    at = text.find("(", 3)
    while at >= 0:
        if text[at - 1] in " \n" and text[at - 2] == "." and _number_before(text, at - 2):
            found.append(at - 2)
        at = text.find("(", at + 1)
    return found


def _number_before(text: str, stop: int) -> bool:
    """Whether one or two digits, after a space or tab, stand right before offset `stop`."""
    if stop < 2 or not text[stop - 1].isdecimal():
        return False
    if text[stop - 2] in " \t":
        return True
    return stop >= 3 and text[stop - 2].isdecimal() and text[stop - 3] in " \t"
