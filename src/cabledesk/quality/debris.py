"""Telegraph machinery a reader would not expect in a record's reading `text`.

`text` is the body with page-break markers removed and the header kept apart
(docs/record.md). Anything below left in it is a line the parser did not recognise as a
marker or as part of the header. Each kind is written from the anatomy of a cable (the
cable-format reference: §2 header, §2.9 printouts, §4.5 markers), with a real example.

Every pattern starts with a literal or is found from one (`str.find`), so that the
regular expression engine skips to it: scanning a 7 KB text for a character class costs
as much as parsing a paragraph.
"""

from __future__ import annotations

import re
from functools import cache

from cabledesk.reference import route_names

# Kinds that fill a line of their own, or start one: one pattern, one pass over the text
# (a newline put before the text, so that its first line starts with one too).
_LINE_KINDS = {
    "NNNN (end of message)": r"NNNN[ \t]*$",
    "BT (break)": r"BT[ \t]*$",
    "DE line": r"DE R[A-Z]{3,6} #\d{3,4}",  # DE RUEHMD #0293/01 0341458
    "DTG line": r"[ZOPR](?: [ZOPR])? \d{6}Z [A-Z]{3} \d{2}\b",  # O 130854Z AUG 09
    "FM/TO/INFO line": r"(?:FM|TO|INFO) (?:R[A-Z]{3,6}/)?"
    r"(?:AMEMBASSY|AMCONSUL|SECSTATE|USMISSION|USINT|USDEL)\b",
    # Received-copy printouts: `ACTION AF-00`, `INFO LOG-00 NP-00 AID-00`, and the rule
    # with a hex id and time, `------------------A54E38  291401Z /38`.
    "distribution codes": r"(?:ACTION|INFO)[ \t]+[A-Z]{2,5}-\d{2}\b",
    "printout rule": r"-{5,}[0-9A-F]{6}[ \t]+\d{6}Z",
    # `<<220571>>`: the sequence number of a partner copy's metadata block.
    "container line": r"<<\d+>>[ \t]*$",
    "printout trailer": r"(?i:END CABLE TEXT)[ \t]*$",
    # The classification repeated at the top of a printout's page (not the first line).
    "classification banner": r"(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)[ \t]*$",
}
_GROUPS = {f"k{i}": kind for i, kind in enumerate(_LINE_KINDS)}
_LINES = re.compile(
    r"\n[ \t]*(?:"
    + "|".join(f"(?P<{group}>{_LINE_KINDS[kind]})" for group, kind in _GROUPS.items())
    + ")",
    re.MULTILINE,
)
# `PAGE 02 HARARE 06677 01 OF 03 291400Z`, `PAGE 02 STATE 017976`, and a printout's
# `PAGE 02 RUEHFRA2440 C O N F I D E N T I A L PARIS 002440` (07PARIS2440).
_PAGE = re.compile(r"PAGE \d{2,3} +[A-Z][A-Z .'\-]*? ?\d{4,6}\b")
# `MADRID 00000552 002.2 OF 011`, `Moscow 00002366 001.2 of 004`, `XXXXXXXXXXXX 002 OF
# 002`: an 8-digit serial (or a redaction), the section, ` OF `, a zero-padded total.
_MARKER_NEEDLES = (" OF 0", " of 0")
_MARKER_BEFORE = re.compile(r"(?:\d{8}|[Xx]{5,})[ \t]+\d{3}(?:\.\d)?$")
_MARKER_AFTER = re.compile(r"\d{2}\b")
_SECURITY = re.compile(r"ZN[RY] (?:UUUUU|CCCCC|SSSSS|TTTTT|RRRRR)\b")  # ZNY CCCCC ZZH
# `RUEHC/SECSTATE WASHDC`, or an indicator alone, of five letters or more (`RUSI` is also
# an institute): `RUEHMD #0293`, glued to a serial `RUEHFRA2440`.
_ROUTE = re.compile(r"R[A-Z]{3,6}(?=/[A-Z]|\d|\b)")


@cache
def _is_route(word: str) -> bool:
    """A routing indicator of the bundled table, or of the State network (`RUEH..`)."""
    return word.startswith("RUEH") or bool(route_names(word))


def _alone(text: str, start: int) -> bool:
    """Whether a match at `start` begins a word."""
    return start == 0 or not text[start - 1].isalnum()


def _sample(text: str, start: int) -> str:
    """The line a match starts on, at most 60 characters."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line if len(line) <= 60 else line[:59] + "…"


def _section_marker(text: str) -> int | None:
    for needle in _MARKER_NEEDLES:
        at = text.find(needle)
        while at >= 0:
            if _MARKER_AFTER.match(text, at + len(needle)) and _MARKER_BEFORE.search(
                text, max(0, at - 40), at
            ):
                return at
            at = text.find(needle, at + 1)
    return None


def _route(text: str) -> int | None:
    for match in _ROUTE.finditer(text):
        word = match.group()
        glued = text[match.end() : match.end() + 1]
        if _alone(text, match.start()) and (len(word) >= 5 or glued == "/") and _is_route(word):
            return match.start()
    return None


def find_debris(text: str) -> list[tuple[str, str]]:
    """(kind, the line it is on) of each kind of debris in `text`, the first of each."""
    found: dict[str, str] = {}
    if "PAGE " in text:
        page = next((m for m in _PAGE.finditer(text) if _alone(text, m.start())), None)
        if page is not None:
            found["PAGE line"] = _sample(text, page.start())
    marker = _section_marker(text)
    if marker is not None:
        found["section marker"] = _sample(text, marker)
    if "VZCZC" in text:
        found["VZCZC (start of message)"] = _sample(text, text.find("VZCZC"))
    security = _SECURITY.search(text)
    if security is not None:
        found["security warning"] = _sample(text, security.start())
    lined = "\n" + text
    first_line = len(lined) - len(lined.lstrip())
    for match in _LINES.finditer(lined):
        group = match.lastgroup or ""
        kind = _GROUPS[group]
        if kind == "classification banner" and match.start() < first_line:
            continue  # the text's own first line
        found.setdefault(kind, _sample(text, max(0, match.start(group) - 1)))
    route = _route(text)
    if route is not None:
        found["routing indicator"] = _sample(text, route)
    return list(found.items())
