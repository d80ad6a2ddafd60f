"""`text`: the cable as a person reads it, without page breaks and with artifacts repaired."""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.state import ParseState

# Lines are right-stripped, so three line breaks in a row mean two blank lines or more.
_BLANK_RUN: Final = re.compile("\n\n\n+")


def clean_text_rule(state: ParseState) -> None:
    caption = state.original_lines[: state.narrative_start]
    if state.not_text:
        caption = [
            line
            for index, line in enumerate(caption)
            if not any(index in skipped for skipped in state.not_text)
        ]
    # map() loops in C: cheaper than comprehensions over every line.
    lines = list(map(str.rstrip, caption))
    lines.extend(map(str.rstrip, state.narrative))
    lines.extend(map(str.rstrip, state.footer_lines))
    # Blank lines at the end go (the text is stripped, or a blank line comes before the
    # signature): the narrative usually ends with one, and without it most texts have no
    # run of blank lines for the substitution below to replace (a search, not a rebuild).
    while lines and not lines[-1]:
        lines.pop()
    if state.signature_line:
        lines.extend(["", state.signature_line])
    # Runs of blank lines squeezed to one: one substitution over the text rather than a
    # test per line (the ends are stripped anyway).
    state.cable.text = _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n")
