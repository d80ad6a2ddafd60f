"""The narrative (text after the caption block), cleaned for reading.

Stray SIPDIS captions that landed inside sentences are removed and telegraph artifacts are
repaired (see repairs.py).
"""

from __future__ import annotations

import re

from cabledesk.parse.rules.repairs import RepairCounts, repair
from cabledesk.parse.state import ParseState

_GLUED_NUMBER = re.compile(r"([Xx]{5,})(?=\d{1,3}\.\s*\((?:TS|SBU|U|C|S)\b[^)]{0,20}\))")
# `... arrives in Beirut\nSIPDIS May 1 ...`: the caption broke a sentence; join it again.
_SIPDIS_IN_SENTENCE = re.compile(r"([^\s.!?:;\"”’')\]])[ \t]*\n[ \t]*SIPDIS\b[ \t]*(?=[^\s])")
_STRAY_SIPDIS = re.compile(r"^([ \t]*)SIPDIS\b[ \t]*(\n(?=[ \t]*\S))?", re.MULTILINE)


def clean_narrative(state: ParseState) -> None:
    text = "\n".join(state.lines[state.narrative_start :])
    if "SIPDIS" in text:
        text, inside = _SIPDIS_IN_SENTENCE.subn(r"\1 ", text)
        text, alone = _STRAY_SIPDIS.subn(r"\1", text)
        state.cable.repairs.stray_sipdis = inside + alone
    if "xxxxx" in text or "XXXXX" in text:
        # `... XXXXXXXXXXXX10. (C) Below ...`: a redaction swallowed the paragraph break.
        text = _GLUED_NUMBER.sub("\\1\n\n", text)
    counts = RepairCounts()
    state.narrative = repair(text, counts).split("\n")
    state.cable.repairs.apostrophes = counts.apostrophes
    state.cable.repairs.quotes = counts.quotes
    state.cable.repairs.dashes = counts.dashes
