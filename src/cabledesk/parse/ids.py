"""Canonical reference ids (`08BAGHDAD1784`) and turning REF items into them."""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache
from typing import Final

from cabledesk.reference import station_aliases, stations

_ID: Final = re.compile(r"^(\d{2})([A-Z]+)(\d{1,7})$")


@cache
def _station_pattern() -> re.Pattern[str]:
    codes = sorted(stations(), key=len, reverse=True)
    return re.compile(r"^(\d{2})(" + "|".join(map(re.escape, codes)) + r")(\d{1,7})$")


def is_canonical(cable_id: str) -> bool:
    """Two-digit year, a known station code, a serial without leading zeros."""
    match = _station_pattern().match(cable_id)
    return bool(match) and not match.group(3).startswith("0")  # type: ignore[union-attr]


def make_id(year: int | str, station: str, serial: str | int) -> str | None:
    """Build an id from its parts; None when the station is unknown or the serial is not one."""
    code = station_code(str(station))
    digits = str(serial).lstrip("0")
    if code is None or not str(serial).isdigit() or not digits or len(digits) > 7:
        return None
    return f"{int(year) % 100:02d}{code}{digits}"


_POST_PREFIX: Final = re.compile(
    r"^(?:(?:AM)?(?:EMBASSY|CONSUL(?:ATE)?(?:\s+GENERAL)?)|USMISSION)\s+"
)
# Compiled once: re.sub() with a pattern string looks it up in re's cache on every call.
_KEY_NOISE: Final = re.compile(r"[\s'.\-]+")
_SPACE: Final = re.compile(r"\s+")
_DOUBLED_YEAR: Final = re.compile(r"^(\d{2})\1(?=[A-Z])")


@lru_cache(maxsize=8192)
def station_code(words: str) -> str | None:
    """The station code for a station as written in a cable (`RIO DE JAN`, `SECSTATE`)."""
    key = _KEY_NOISE.sub("", _POST_PREFIX.sub("", words.upper()))
    if not key:
        return None
    aliases = station_aliases()
    if key in aliases:
        return aliases[key]
    # Wraps and typing cut station names short (`RIO DE JAN` for RIO DE JANEIRO).
    if len(key) >= 6:
        starts = {code for alias, code in aliases.items() if alias.startswith(key)}
        if len(starts) == 1:
            return starts.pop()
    return None


# Fragments that WikiLeaks glued into malformed ids (see docs/record.md).
_GLUED: Final = [
    re.compile(r"S[A-Z]{0,3}C?TIO[A-Z]?\d{1,2}OF\d{1,2}"),  # SECTION 01 OF 02, misspelt
    re.compile(r"^(\d{2})\d{2}OF\d{2}"),  # 0901OF02RPODUBAI288
    re.compile(r"EFTO"),
    re.compile(r"AMEMBASSY|AMCONSUL|USMISSION"),
    re.compile(r"NOFORN|SIFIED|CONFIDENTIAL|SECRET|UNCLAS"),
]
_SUFFIX: Final = re.compile(r"^(\d{2}[A-Z]+?)0*(\d{1,7})(?:Z[A-Z]{2}\d+|TOSEC\d+)?$")
# `08ACCRA001382SUSPECTEDDUPLICATE1392` is a copy of 08ACCRA1392.
_DUPLICATE: Final = re.compile(r"^(\d{2}[A-Z]+?)0*\d{1,7}SUSPECTEDDUPLICATE0*(\d{1,7})$")


def canonical_id(raw: str) -> str | None:
    """A well-formed id for a reference id as published; None when nothing sensible is left."""
    candidate = _SPACE.sub("", raw.upper())
    if is_canonical(candidate):
        return candidate
    # Doubled year (7575LIBREVILLE1895).
    candidate = _DOUBLED_YEAR.sub(r"\1", candidate)
    match = _GLUED[1].match(candidate)
    if match:
        candidate = match.group(1) + candidate[match.end() :]
    for pattern in (_GLUED[0], *_GLUED[2:]):
        candidate = pattern.sub("", candidate)
    match = _DUPLICATE.match(candidate) or _SUFFIX.match(candidate)
    if not match:
        return None
    head, serial = match.groups()
    year, station = head[:2], head[2:]
    code = station_code(station) or _closest_station(station)
    return make_id(year, code, serial) if code else None


def _closest_station(station: str) -> str | None:
    """A garbled station (`QXICO`, `SOIA`) when one known station is clearly closest."""
    scored = sorted(
        ((difflib.SequenceMatcher(None, station, code).ratio(), code) for code in stations()),
        reverse=True,
    )
    (best, code), (second, _) = scored[0], scored[1]
    return code if best >= 0.7 and best - second >= 0.05 else None


def split_id(cable_id: str) -> tuple[str, str, str] | None:
    """(year, station, serial) of a canonical id."""
    match = _station_pattern().match(cable_id)
    return (match.group(1), match.group(2), match.group(3)) if match else None


# --- references -------------------------------------------------------------------------

NOT_A_CABLE: Final = re.compile(
    r"\b(E-?MAILS?|IIRS?|TELCONS?|TELECONS?|MEMCONS?|PHONE|CALLS?|LETTERS?|REPORTS?|"
    r"SEPTELS?|MEETINGS?|POINTS?|FAX|DAO|WEBSITE|CONVERSATIONS?|DISCUSSIONS?|DTG|OSC|DAILY|"
    r"DVC|READOUT)\b|\d{6}Z"
)
_CABLE_REF: Final = re.compile(
    r"^(?:\(?(?P<year1>(?:19|20)?\d{2})\)?\s+)?"
    r"(?P<station>[A-Z][A-Z .'\-]*?[A-Z])\s*[-:]?\s*"
    r"(?P<serial>\d{1,7})"
    r"(?:\s*\(\s*(?P<year2>(?:19|20)?\d{2})\s*\)|\s+(?P<year3>(?:19|20)\d{2})(?=\s*$))?"
    r"(?P<rest>.*)$"
)
_TRAILERS: Final = re.compile(
    r"\([^()]*\)|--.*$|\bNOTAL\b|\bAND PREVIOUS\b"
    r"|\bPREVIOUS\b|[.,;:]",
)


@lru_cache(maxsize=65536)
def resolve_reference(text: str, citing_year: int | None) -> str | None:
    """The canonical id a REF item cites (`MADRID 449` in a 2008 cable is `08MADRID449`).

    None for things that are not cables: e-mails, intelligence reports, meetings, SEPTEL,
    or a station that is not one.
    """
    upper = " ".join(text.upper().split())
    if not upper or NOT_A_CABLE.search(upper):
        return None
    match = _CABLE_REF.match(upper)
    if not match:
        return None
    rest = _TRAILERS.sub(" ", match["rest"]).strip()
    if rest:
        # Trailing words other than the known qualifiers mean this is not a plain citation
        # (`DAO MADRID IIR 6 889 0175 09`, `PARIS POINTS OF 5/16`).
        return None
    station = station_code(match["station"])
    year_text = match["year1"] or match["year2"] or match["year3"]
    if station is None or not stations()[station].sends_cables:
        return None
    if year_text is not None:
        year = int(year_text[-2:])
    elif citing_year is not None:
        year = citing_year % 100
    else:
        return None
    return make_id(year, station, match["serial"])
