"""Redaction markers (runs of X, any case) and where they stand in `raw`."""

from __future__ import annotations

from cabledesk.parse.patterns import REDACTION
from cabledesk.parse.state import ParseState


def redactions_rule(state: ParseState) -> None:
    raw = state.cable.raw
    # Plain substring tests are far cheaper than scanning with the pattern.
    if "XXXXX" not in raw and "xxxxx" not in raw and "Xx" not in raw and "xX" not in raw:
        return
    positions = [(m.start(), m.end()) for m in REDACTION.finditer(raw)]
    state.cable.redactions.count = len(positions)
    state.cable.redactions.positions = positions
