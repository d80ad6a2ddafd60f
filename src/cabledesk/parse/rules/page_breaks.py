"""Section and page markers inserted where WikiLeaks joined a cable's sections.

`BEIRUT 00000586 002 OF 003`, `PARIS 00002069 001.2 OF 002`, and the received-copy form
`PAGE 02 HARARE 06677 01 OF 03 291400Z`. Edited copies unwrapped the text and left some
inside lines (`... the BRASILIA 00000504 002 OF 004 influential ...`). They are removed
before anything else reads the body.
"""

from __future__ import annotations

import re

from cabledesk.parse.state import ParseState

# The zero-padded 8-digit serial makes the marker unmistakable; the station before it is
# one to four upper-case words.
_CORE = re.compile(r"\d{8}[ \t]+\d{3}(?:\.\d)?[ \t]+OF[ \t]+\d{3}\b")
_STATION_BEFORE = re.compile(r"(?:^|(?<=\s))(?:[A-Z][A-Z.'\-]*[ \t]+){1,4}$")
_PAGE = re.compile(
    r"^[ \t]*PAGE[ \t]+\d{2}[ \t]+[A-Z][A-Z .'\-]*?[ \t]+\d{4,6}"
    r"(?:[ \t]+\d{2}[ \t]+OF[ \t]+\d{2})?(?:[ \t]+\d{6}Z)?[ \t]*$"
)


def is_page_break(line: str) -> bool:
    stripped = line.strip()
    core = _CORE.search(stripped)
    if core and core.end() == len(stripped):
        station = _STATION_BEFORE.search(stripped[: core.start()])
        return bool(station) and station.start() == 0  # type: ignore[union-attr]
    return bool(_PAGE.match(line))


def remove_page_breaks(state: ParseState) -> None:
    removed = 0
    kept: list[str] = []
    for line in state.lines:
        if " OF " not in line and "PAGE" not in line:
            kept.append(line)
            continue
        if is_page_break(line):
            removed += 1
            continue
        while core := _CORE.search(line):
            station = _STATION_BEFORE.search(line[: core.start()])
            if station is None:
                break
            line = line[: station.start()] + line[core.end() :].lstrip(" \t")
            removed += 1
        if line.strip():
            kept.append(line)
    state.cable.repairs.page_breaks = removed
    state.lines = kept
