"""Redaction markers (runs of X, any case) and where they stand in `raw`."""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.state import ParseState

# Markers are `[Xx]{5,}`. Folding `x` to `X` keeps every offset (same length) and turns
# the pattern into one with a literal prefix, which the regex engine finds far faster than
# it tests a character class at every position.
_MARKER: Final = re.compile("XXXXX+")


def redactions_rule(state: ParseState) -> None:
    folded = state.cable.raw.replace("x", "X")
    if "XXXXX" not in folded:
        return
    positions = [match.span() for match in _MARKER.finditer(folded)]
    state.cable.redactions.count = len(positions)
    state.cable.redactions.positions = positions
