"""Section and page markers inserted where WikiLeaks joined a cable's sections.

`BEIRUT 00000586 002 OF 003`, `PARIS 00002069 001.2 OF 002`, and the received-copy form
`PAGE 02 HARARE 06677 01 OF 03 291400Z`. Edited copies unwrapped the text and left some
inside lines (`... the BRASILIA 00000504 002 OF 004 influential ...`). They are removed
before anything else reads the body.
"""

from __future__ import annotations

import re
from typing import Final

from cabledesk.parse.ids import station_code
from cabledesk.parse.patterns import LEVEL, PARAGRAPH_START, is_caption_item
from cabledesk.parse.state import ParseState

# The zero-padded 8-digit serial makes the marker unmistakable; the station before it is
# one to four upper-case words. Media partners redacted some (`XXXXXXXXXXXX 002 OF 002`).
_CORE: Final = re.compile(r"(?:\d{8}|[Xx]{5,})[ \t]+\d{3}(?:\.\d)?[ \t]+(?:OF|of)[ \t]+\d{3}\b")
_WORDS_BEFORE: Final = re.compile(r"(?:^|(?<=\s))(?:[A-Za-z][A-Za-z.'\-]*[ \t]+){1,4}$")
# Received-copy printouts (and 1970s telegrams) head each page with the classification,
# a `PAGE nn` line and, on a section's first page, distribution codes.
_PAGE: Final = re.compile(
    rf"(?:{LEVEL}(?:[ \t]+PTQ\d+)?[ \t]+)?"
    r"PAGE[ \t]+\d{2}[ \t]+[A-Z][A-Z .'\-]*?[ \t]+\d{4,6}"
    r"(?:[ \t]+\d{2}[ \t]+OF[ \t]+\d{2})?(?:[ \t]+\d{6}Z)?\b(?:[ \t]*/\d+)?"
)
_BANNER: Final = re.compile(rf"^[ \t]*{LEVEL}(?:[ \t]+PTQ\d+)?[ \t]*$")
_TRAILING_BANNER: Final = re.compile(rf"[ \t]+{LEVEL}[ \t]*$")
_SENTENCE_END: Final = re.compile(r"[.!?:;\"”’')\]]\s*$")
_ADDRESS_WORDS: Final = ("http", "www.", "sgov.gov")


def _name_after_address(before: str, line: str) -> bool:
    """A lone name after a web address (a post's intranet footer): the signature, which
    the marker separated from the footer, not the rest of a sentence."""
    word = line.strip()
    if not (word.isalpha() and word[:1].isupper()):
        return False
    lower = before.lower()
    return any(address in lower for address in _ADDRESS_WORDS)


def _station_start(text: str) -> int | None:
    """Where the station words before a marker's serial begin in `text`, if they are one."""
    words = _WORDS_BEFORE.search(text)
    if words is None:
        return None
    tokens = text[words.start() :].split()
    for count in range(len(tokens), 0, -1):
        candidate = tokens[-count:]
        # Upper case is the telegram's own; mixed case (`Moscow`) must be a known station.
        if all(t.isupper() for t in candidate) or station_code(" ".join(candidate)):
            return len(text.rstrip()) - len(" ".join(candidate))
    return None


def is_page_break(line: str) -> bool:
    stripped = line.strip()
    page = _PAGE.match(stripped)
    if page and page.end() == len(stripped):
        return True
    core = _CORE.search(stripped)
    if core and core.end() == len(stripped):
        return core.start() == 0 or _station_start(stripped[: core.start()]) == 0
    return False


def remove_page_headers(text: str) -> str:
    """`text` without received-copy page headers (`PAGE 02 STATE 050524 131535Z`), which
    newspaper copies of printouts flatten into running text (the address list above all)."""
    return _PAGE.sub(" ", text) if "PAGE" in text else text


def _remove_inline(line: str) -> tuple[str, int]:
    removed = 0
    while core := _CORE.search(line):
        start = _station_start(line[: core.start()])
        if start is None:
            if line[core.start()].lower() != "x":
                break
            start = core.start()
        line = line[:start] + line[core.end() :].lstrip(" \t")
        removed += 1
    if "PAGE" in line:
        line, count = _PAGE.subn("", line)
        removed += count
    return line, removed


# Every marker has a zero-padded total (` OF 003`) or PAGE: plain substring searches, which
# are much cheaper than any regular expression over the whole text.
_BEFORE_ZERO: Final = (" OF ", " of ")


def _marked_lines(text: str) -> list[int]:
    """Indices of the lines that may hold a marker, found by searching the whole text."""
    offsets: list[int] = []
    # ` OF 0` and ` of 0`: from each `0` (a one-character search runs at memchr's speed, a
    # needle with a blank in it much slower), the four characters before it tested.
    at = text.find("0", 4)
    while at >= 0:
        if text[at - 4 : at] in _BEFORE_ZERO:
            offsets.append(at - 4)
        at = text.find("0", at + 1)
    # `PAGE `: from each `P`, the rest tested (a needle ending with a blank is one of the
    # slowest searches, and `PAGE`, ending with the commonest letter of an all-capitals
    # text, is slow too: one character runs at memchr's speed).
    at = text.find("P")
    while at >= 0:
        if text.startswith("AGE ", at + 1):
            offsets.append(at)
        at = text.find("P", at + 1)
    # Line numbers counted on from one offset to the next, not from the top for each.
    found: list[int] = []
    line = counted = 0
    for at in sorted(offsets):
        line += text.count("\n", counted, at)
        counted = at
        if not found or found[-1] != line:
            found.append(line)
    return found


def _continues(line: str) -> bool:
    """Whether a line can be the rest of a sentence (not a paragraph, mark or heading)."""
    text = line.strip()
    return bool(text) and not (
        PARAGRAPH_START.match(text)
        or text.startswith("(")
        or text.isupper()
        or is_caption_item(text)
    )


def remove_page_breaks(state: ParseState) -> None:
    lines = state.lines
    # Only lines that may hold a marker need a look, and the lines right after a removed
    # marker (or every line of a printout, for its page banners): the runs in between are
    # copied as they are.
    marked = _marked_lines(state.lines_text())
    if not marked:
        return
    printout = any("PAGE " in lines[i] and _PAGE.search(lines[i]) for i in marked)
    count = len(lines)
    marked.append(count)
    removed = 0
    kept: list[str] = []
    rejoin = False
    index = 0
    for upcoming in marked:
        while index < upcoming and (printout or rejoin):
            line = lines[index]
            index += 1
            if printout and _BANNER.match(line) and any(k.strip() for k in kept):
                continue  # the page banner of a printout, not the classification line on top
            rejoin = _keep(kept, line, rejoin)
        kept.extend(lines[index:upcoming])
        if upcoming == count:
            break
        line = lines[upcoming]
        index = upcoming + 1
        if is_page_break(line):
            removed += 1
            if printout and kept:
                kept[-1] = _TRAILING_BANNER.sub("", kept[-1])
            # A marker inside a sentence leaves the sentence whole: drop the blank lines
            # around it and join the two halves.
            blanks = 0
            while kept and not kept[-1].strip():
                kept.pop()
                blanks += 1
            if kept and not _SENTENCE_END.search(kept[-1]) and kept[-1].strip():
                rejoin = True
            elif blanks:
                kept.append("")
            continue
        line, inline = _remove_inline(line)
        removed += inline
        if inline and not line.strip():
            continue
        rejoin = _keep(kept, line, rejoin)
    state.cable.repairs.page_breaks = removed
    state.lines = kept


def _keep(kept: list[str], line: str, rejoin: bool) -> bool:
    """Keep a line without a marker; True while a sentence a marker broke waits for its end."""
    if rejoin:
        if not line.strip():
            return True
        if kept and _continues(line) and not _name_after_address(kept[-1], line):
            # The marker stood inside a sentence: the sentence continues on this line.
            kept[-1] = kept[-1].rstrip() + " " + line.strip()
            return False
    kept.append(line)
    return False
