"""Redaction markers (runs of X, any case) and where they stand in `raw`."""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.patterns import has_redaction
from cabledesk.parse.state import ParseState

# Markers are `[Xx]{5,}`. Folding `x` to `X` keeps every offset (same length) and turns
# the pattern into one with a literal prefix, which the regex engine finds far faster than
# it tests a character class at every position.
_MARKER: Final = re.compile("XXXXX+")


def redactions_rule(state: ParseState) -> None:
    # Most cables hold no marker: found out from each x and X, without folding the text.
    if not has_redaction(state.cable.raw):
        return
    folded = state.cable.raw.replace("x", "X")
    positions = [match.span() for match in _MARKER.finditer(folded)]
    state.cable.redactions.count = len(positions)
    state.cable.redactions.positions = positions
