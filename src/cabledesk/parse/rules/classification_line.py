"""The classification line: `C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677`.

Spelling is tolerant: letter-spaced, unspaced, lower-cased (`S e c r e t baghdad 001784`)
and typed with doubled or dropped letters (`SS E C R E T`, `E C R E T`, `C ONFIDENTIAL`).
Captions or caption items run onto the line after the serial are handed back to the
caption rules.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from cabledesk.parse.state import ClassificationLine, ParseState
from cabledesk.record.model import Section

_LEVEL_WORDS: Final = {
    "UNCLASSIFIED": "UNCLASSIFIED",
    "UNCLAS": "UNCLASSIFIED",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "SECRET": "SECRET",
    "TOPSECRET": "TOP SECRET",
    "LIMITEDOFFICIALUSE": "LIMITED OFFICIAL USE",
}
# Every start of a level word, to tell at once whether more letters can still spell one.
_PREFIXES: Final = frozenset(word[:end] for word in _LEVEL_WORDS for end in range(1, len(word) + 1))
_REST: Final = re.compile(
    r"^(?:SECTION\s+(?P<part>\d{1,2})\s+OF\s+(?P<of>\d{1,2})\s+)?"
    r"(?P<station>[A-Z][A-Z .'\-]*?)\s+(?P<serial>\d{1,7})\b(?P<trailing>.*)$",
    re.IGNORECASE,
)
_CAPTION_TRAIL: Final = re.compile(
    r"\s*(?:SIPDIS|NOFORN|SENSITIVE|EXDIS|NODIS|LIMDIS)\b", re.IGNORECASE
)


def read_level(tokens: list[str]) -> tuple[str, int] | None:
    """The level spelled by the first tokens, and how many tokens spell it."""
    exact = _spelled(tokens, _LEVEL_WORDS.get, exact=True)
    if exact or (len(tokens[0]) > 2 and not _close(tokens[0])):
        return exact
    # Typed with a doubled or dropped letter: `SS E C R E T`, `E C R E T`, `CO N F I ...`.
    return _spelled(tokens, _close, exact=False)


_CUTOFF: Final = 0.82
# Each level word's letters and how often each occurs in it.
_LETTER_COUNTS: Final = tuple(
    (len(word), tuple((c, word.count(c)) for c in sorted(set(word)))) for word in _LEVEL_WORDS
)


@lru_cache(maxsize=4096)
def _close(letters: str) -> str | None:
    if len(letters) < 5 or not _may_be_close(letters):
        return None
    close = difflib.get_close_matches(letters, _LEVEL_WORDS, n=1, cutoff=_CUTOFF)
    return _LEVEL_WORDS[close[0]] if close else None


def _may_be_close(letters: str) -> bool:
    """Whether some level word passes difflib's `quick_ratio` test against `letters`.

    `get_close_matches` keeps a word only if it does (the letters the two have in common,
    counted as multisets, bound the matching ones): most letters tried (`FMAMEMBASSY`,
    `TOSECSTATE`) pass it for none, and are turned away here without building the
    matchers. The same sum, in the same floating point, as difflib's.
    """
    for size, counts in _LETTER_COUNTS:
        common = 0
        for letter, count in counts:
            common += min(count, letters.count(letter))
        if 2.0 * common / (size + len(letters)) >= _CUTOFF:
            return True
    return False


def _spelled(
    tokens: list[str], judge: Callable[[str], str | None], exact: bool
) -> tuple[str, int] | None:
    letters = ""
    best: tuple[str, int] | None = None
    for count, token in enumerate(tokens[:24], start=1):
        if not token.isalpha():
            break
        longer = letters + token.upper()
        if (
            best is not None
            and (len(token) > 2 or letters in _LEVEL_WORDS)
            and longer not in _PREFIXES
        ):
            break
        letters = longer
        if len(letters) > 20:
            break
        if exact and letters not in _PREFIXES:
            # Judged exactly, letters that start no level word never grow into one: most
            # lines (every header and caption line offered) stop at their first token.
            break
        level = judge(letters)
        if level:
            best = (level, count)
    return best


def parse_classification_line(line: str) -> ClassificationLine | None:
    tokens = line.split()
    if not tokens or not tokens[0][:1].isalpha():
        return None
    level = read_level(tokens)
    if level is None:
        return None
    name, used = level
    rest = " ".join(tokens[used:])
    match = _REST.match(rest)
    if not match:
        # A bare level line (`UNCLASSIFIED`, `SECRET`) still says how the cable was classified.
        if rest and not _CAPTION_TRAIL.match(rest):
            return None
        return ClassificationLine(level=name, station=None, serial=None, trailing=rest)
    section = Section(int(match["part"]), int(match["of"])) if match["part"] else None
    return ClassificationLine(
        level=name,
        station=" ".join(match["station"].upper().split()),
        serial=match["serial"].lstrip("0") or "0",
        trailing=match["trailing"].strip(),
        section=section,
    )


_SEARCH_LINES: Final = 6


def classification_line_rule(state: ParseState) -> bool:
    first = state.classification_line
    if first is not None:
        return _repeated(state, first)
    # It stands at the top: after a dateline or export block at most, never lower down.
    if state.pos > _SEARCH_LINES + state.caption_start:
        return False
    line = state.line.strip()
    parsed = parse_classification_line(line)
    if parsed is None:
        return False
    state.classification_line = parsed
    state.cable.section = parsed.section
    state.pos += 1
    if parsed.trailing and parsed.station is not None:
        # What follows the serial on the line is the next part of the caption block, run
        # onto it (`... BAGHDAD 001784 SIPDIS NOFORN`, a newspaper's `S e c r e t baghdad
        # 001784 Noforn E.o. 12958: ...`): the caption rules read it as a line of its own.
        state.hand_back(parsed.trailing)
    return True


def _repeated(state: ParseState, first: ClassificationLine) -> bool:
    """The classification line again, over a repeated caption block: consumed, not kept.

    WikiLeaks copies repeat the dateline and the caption block under the subject
    (`09ISLAMABAD3037`: `S E C R E T SECTION 01 OF 02 ISLAMABAD 003037` twice).
    """
    line = state.line
    # The serial must be on the line: a cheap test before the line is parsed.
    if first.serial is None or first.serial not in line:
        return False
    repeat = parse_classification_line(line.strip())
    if repeat is None or (repeat.station, repeat.serial) != (first.station, first.serial):
        return False
    state.pos += 1
    return True
