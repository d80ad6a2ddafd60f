"""Canonical reference ids (`08BAGHDAD1784`) and turning REF items into them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

from cabledesk.reference import station_aliases, stations

_ID: Final = re.compile(r"^(\d{2})([A-Z]+)(\d{1,7})$")


@cache
def _station_pattern() -> re.Pattern[str]:
    codes = sorted(stations(), key=len, reverse=True)
    return re.compile(r"^(\d{2})(" + "|".join(map(re.escape, codes)) + r")(\d{1,7})$")


_LETTERS: Final = re.compile("[A-Z]+")


@cache
def _letter_codes() -> frozenset[str] | None:
    """The station codes, when every one is capital letters only (None otherwise)."""
    codes = frozenset(stations())
    return codes if all(_LETTERS.fullmatch(code) for code in codes) else None


def _station_parts(cable_id: str) -> tuple[str, str, str] | None:
    """What `_station_pattern()` matches, as its three groups.

    The pattern tries the ~300 codes one by one (about 1 µs a call). When each code is
    letters only, it matches exactly where `_ID` does with the letters between year and
    serial being one code: a code must end where the serial's digits begin. A set lookup.
    """
    codes = _letter_codes()
    if codes is None:
        match = _station_pattern().match(cable_id)
        return (match.group(1), match.group(2), match.group(3)) if match else None
    match = _ID.match(cable_id)
    if match is None or match.group(2) not in codes:
        return None
    return (match.group(1), match.group(2), match.group(3))


def is_canonical(cable_id: str) -> bool:
    """Two-digit year, a known station code, a serial without leading zeros."""
    parts = _station_parts(cable_id)
    return parts is not None and not parts[2].startswith("0")


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
# `SECTION 01 OF 02` garbled further than the pattern above takes: letters dropped or
# changed in the word (`08ECTION02OF02ATHENS959`, `08SECTINN02OF02JAKARTA1486`,
# `07SECTON03OF04DAKAR269`) and in `OF` (`09SECTION02F02BRUSSELS1639`,
# `08SECTION01GF02BISHIEK21`, `06SECTION01O02HONGKONG2311`, `09SECTION0QF05HANOI297`). The
# word must still look like SECTION (checked in `_strip_section`), so a station is never cut.
_SECTION_WORD: Final = re.compile(r"^(\d{2})([A-Z]{4,8}?)[0-9Q]{1,2}(?:[A-Z]?F|O)\d{1,2}(?=[A-Z])")
_SUFFIX: Final = re.compile(r"^(\d{2}[A-Z]+?)0*(\d{1,7})(?:Z[A-Z]{2}\d+|TOSEC\d+)?$")
# `08ACCRA001382SUSPECTEDDUPLICATE1392` is a copy of 08ACCRA1392.
_DUPLICATE: Final = re.compile(r"^(\d{2}[A-Z]+?)0*\d{1,7}SUSPECTEDDUPLICATE0*(\d{1,7})$")
# PlusD numbers the documents of one message `_a`, `_b` ... (`1977STATE017976_c`).
_PLUSD_SUFFIX: Final = re.compile(r"_[A-Z]$")
# NARA's Message Reference Number: four-digit year, a station cut to five or six letters,
# the serial zero-padded (`1975STATE095768`, `1976PRETOR04668`, `1975NEWDE12211`).
_NARA: Final = re.compile(r"^(?:19|20)(\d{2})([A-Z]{4,})(\d{1,7})$")


def canonical_id(raw: str) -> str | None:
    """A well-formed id for a reference id as published; None when nothing sensible is left.

    Spaces (`08 BAGHDAD 1784`), case, leading zeros, PlusD's `_a` suffixes, NARA's
    four-digit years and cut station names, glued SECTION/EFTO/caveat fragments and
    misspelt stations are repaired (cable-format.md §6.4, §6.5).
    """
    candidate = _PLUSD_SUFFIX.sub("", _SPACE.sub("", raw.upper()))
    if is_canonical(candidate):
        return candidate
    # Doubled year (7575LIBREVILLE1895), before the NARA form takes `7575` for a year.
    doubled = _DOUBLED_YEAR.sub(r"\1", candidate)
    nara = _NARA.match(candidate) if doubled == candidate else None
    if nara:
        code = station_code(nara[2]) or _nara_station(nara[2])
        if code:
            return make_id(nara[1], code, nara[3])
    candidate = _strip_section(doubled)
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


# The suffix as PlusD writes it, before upper-casing (`_c`).
_PART: Final = re.compile(r"_[A-Za-z]$")


def record_id(raw: str) -> str | None:
    """The id of the record a container published as `raw`: `canonical_id`, keeping PlusD's
    document suffix (`1977STATE017976_c` → `77STATE17976_c`), so the documents of one
    message are records of their own; a REF to the message (`77STATE17976`) resolves to its
    first document, `_a` (docs/record.md, "Parser round 2: remaining weak spots")."""
    canonical = canonical_id(raw)
    part = _PART.search(raw.strip())
    if canonical is None or part is None:
        return canonical
    return canonical + part.group().lower()


def message_id(cable_id: str) -> str:
    """The message a record id names, without a PlusD document suffix (`77STATE17976`)."""
    return cable_id[:-2] if _PART.search(cable_id) else cable_id


def _strip_section(candidate: str) -> str:
    match = _SECTION_WORD.match(candidate)
    if match is None:
        return candidate
    word = match.group(2)
    if difflib.SequenceMatcher(None, word, "SECTION").ratio() < 0.7:
        return candidate
    return match.group(1) + candidate[match.end() :]


@lru_cache(maxsize=1024)
def _nara_station(cut: str) -> str | None:
    """The station a NARA number cut short (`PRETOR`, `NEWDE`, `SANJO`): the one known
    station or spelling that starts so."""
    if len(cut) < 5:
        return None
    codes = {code for alias, code in station_aliases().items() if alias.startswith(cut)}
    return codes.pop() if len(codes) == 1 else None


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
    return _station_parts(cable_id)


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
# What may follow a citation and still leave it a plain citation: parenthesised notes
# (`(NOTAL)`, `(EXDIS)`, `(EPD SCENESETTER)`, `(DTG 031628Z SEP 75)`), a title after dashes
# (`MANAGUA 182 -- REQUEST TO RENEW ...`, `08 KIGALI 00830--05/DEC/2008`), AND PREVIOUS.
_TRAILERS: Final = re.compile(
    r"\([^()]*\)|--.*$|\s-\s.*$|\bNOTAL\b|\bAND PREVIOUS\b|\bPREVIOUS\b|[.,;:]",
)
# A date after the citation: `B. 07 BAGHDAD 1234 DATED MAY 5`, `STATE 4321 OF 12/03/2007`.
_DATED: Final = re.compile(
    r"^(?:DATED|DTD|OF|SENT|ON)\s+(?:\d|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"
    r"[A-Z0-9/ \-]*$"
)
# The year of a date written after the citation, when no year stands before or right after
# the serial: `--05/DEC/2008`, `DATED 3/4/08`, `(DTG 031628Z SEP 75)`.
_DATE_YEAR: Final = re.compile(
    r"\b(?:19|20)(\d{2})\b|\b\d{1,2}/\d{1,2}/(\d{2})\b|\d{6}\s?Z\s?[A-Z]{3}\s?(\d{2})\b"
)


@dataclass(frozen=True, slots=True)
class Citation:
    """A State cable as a REF item names it: `[year] STATION serial [(year)]`."""

    station: str
    # Without leading zeros.
    serial: str
    # Two-digit year as written (before or after the serial, or in a date after it); None
    # when the item does not say.
    year: int | None


@lru_cache(maxsize=65536)
def parse_citation(text: str) -> Citation | None:
    """The cable a REF item cites, or None for things that are not State cables: e-mails,
    intelligence reports, meetings, SEPTEL, agencies that send no State telegrams."""
    upper = " ".join(text.upper().split())
    if not upper:
        return None
    match = _CABLE_REF.match(upper)
    if not match or NOT_A_CABLE.search(upper[: match.start("rest")]):
        return None
    rest = _TRAILERS.sub(" ", match["rest"]).strip()
    if rest and not _DATED.match(rest):
        # Trailing words other than the known qualifiers mean this is not a plain citation
        # (`DAO MADRID IIR 6 889 0175 09`, `PARIS POINTS OF 5/16`).
        return None
    station = station_code(match["station"])
    if station is None or not stations()[station].sends_cables:
        return None
    serial = match["serial"].lstrip("0")
    if not serial:
        return None
    year_text = match["year1"] or match["year2"] or match["year3"]
    year: int | None = int(year_text[-2:]) if year_text else None
    if year is None:
        dated = _DATE_YEAR.search(match["rest"])
        if dated:
            year = int(dated[1] or dated[2] or dated[3])
    return Citation(station, serial, year)


@lru_cache(maxsize=65536)
def resolve_reference(text: str, citing_year: int | None) -> str | None:
    """The canonical id a REF item cites (`MADRID 449` in a 2008 cable is `08MADRID449`).

    None for things that are not cables (see `parse_citation`), or without any year. The
    REF rule knows more about the citing cable and uses `citation_year` instead.
    """
    citation = parse_citation(text)
    if citation is None:
        return None
    year = citation.year
    if year is None and citing_year is not None:
        year = citing_year % 100
    return None if year is None else make_id(year, citation.station, citation.serial)


@dataclass(frozen=True, slots=True)
class CitingCable:
    """What the year of an undated reference is inferred from: the citing cable's year,
    the day of that year it was sent, and its own station and serial (each None if unknown)."""

    year: int | None
    day: int | None = None
    station: str | None = None
    serial: int | None = None


# A post's serials count its telegrams from 1 January. A cable with a higher number than
# the citing cable's own, from the same post, was sent after it (or is the companion sent
# right after it, within this many numbers: `09BRASILIA1411` cites `BRASILIA 1412 (EPD
# SCENESETTER)`). See docs/record.md, "References and ids, second round".
COMPANION_WINDOW: Final = 10
# No post sends more than this many telegrams a day on average (the corpus maximum is 76,
# Beijing 2006), the Department no more than this (2007: about 500; 1975: about 840).
_POST_RATE: Final = 150
_STATE_RATE: Final = 1200


def citation_year(citation: Citation, citing: CitingCable) -> int | None:
    """The two-digit year of a cited cable: as written, else the citing cable's year unless
    the serial cannot be of that year yet, then the year before (docs/record.md)."""
    if citation.year is not None:
        return citation.year
    if citing.year is None:
        return None
    year = citing.year
    serial = int(citation.serial)
    if citing.station == citation.station and citing.serial is not None:
        if serial == citing.serial or serial > citing.serial + COMPANION_WINDOW:
            year -= 1
    elif citing.day is not None:
        rate = _STATE_RATE if citation.station == "STATE" else _POST_RATE
        if serial > rate * (citing.day + 1):
            year -= 1
    return year % 100


# --- kinds of reference -----------------------------------------------------------------

_EMAIL: Final = re.compile(r"\bE-?\s?MAILS?\b|\bEMAIL")
_TELCON: Final = re.compile(
    r"\bTELE?CONS?\b|\bTELECONFERENCES?\b|\b(?:TELE)?PHONE\b|\bPHONECALLS?\b|"
    r"\bCONFERENCE CALLS?\b|\bS?VTCS?\b|\bDVCS?\b|\bVIDEO ?CONFERENCES?\b"
)
_MEMO: Final = re.compile(
    r"\bMEMCONS?\b|\bMEMOS?\b|\bMEMORAND(?:UM|A)\b|\bLETTERS?\b|\bNON-?PAPERS?\b|"
    r"\b(?:DIPLOMATIC|DIP|VERBAL) NOTES?\b|\bNOTES? VERBALES?\b|\bTALKING POINTS\b|"
    r"\bAIDE[- ]MEMOIRES?\b"
)
# Reports and intelligence products: IIRs, CIA TD numbers (`TD-314/09169-05`,
# `314/07696-07`), Open Source Center items (`OSC EUP20090329950015`), daily reports
# (`EMBASSY LONDON DAILY REPORT`, `PARIS POINTS OF 5/16`), assessments.
_REPORT: Final = re.compile(
    r"\bIIRS?\b|\bREPORTS?\b|\bDAILY\b|\bOSC\b|\bFBIS\b|\bASSESSMENTS?\b|\bINTSUMS?\b|"
    r"\bSITREPS?\b|\bBULLETINS?\b|\bPOINTS?\b|\bREADOUTS?\b|\bTD-?\s?314\b|"
    r"(?:^|\s)\d{3}/\d{5,6}-\d{2}\b|\b[A-Z]{3}\s?\d{11,}\b"
)
# Telegrams whose id cannot be built: other senders' messages (`SECDEF MSG DTG 301601Z SEP
# 08`, `USCINCRED 311345 Z MAY 73`), the cable's own words for telegrams.
_MESSAGE: Final = re.compile(
    r"\bMSGS?\b|\bMESSAGES?\b|\bTELEGRAMS?\b|\bCABLES?\b|\bSEPTELS?\b|\bREFTELS?\b|"
    r"\bEMBTELS?\b|\bDEPTELS?\b|\bDTG\b|\d{6}\s?Z"
)
# `USDEL 00007`, `WHITE HOUSE 853`, `(08) DOHA 152`: a sender and a number, not a date.
_SENDER_NUMBER: Final = re.compile(
    r"^(?:\(?(?:19|20)?\d{2}\)?\s+)?(?P<sender>[A-Z][A-Z .'&\-]*?)\s*\d{1,7}(?![\d/\-])"
)
_MONTH: Final = re.compile(r"\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)[A-Z]*\.?$")
_REDACTED_SERIAL: Final = re.compile(r"^(?P<sender>[A-Z][A-Z .'\-]*?)\s+X{5,}$")
_ATTACHE: Final = re.compile(r"\b(?:US)?DAOS?\b|\bDATT\b")


def reference_kind(text: str, cable_id: str | None = None) -> str:
    """What a REF item cites: `cable`, `email`, `telcon`, `report`, `memo` or `other`."""
    if cable_id:
        return "cable"
    upper = " ".join(text.upper().split())
    if _EMAIL.search(upper):
        return "email"
    if _TELCON.search(upper):
        return "telcon"
    if _MEMO.search(upper):
        return "memo"
    if _REPORT.search(upper):
        return "report"
    if _MESSAGE.search(upper) or _names_a_telegram(upper):
        return "cable"
    if _ATTACHE.search(upper):
        return "report"  # attache offices' items are their intelligence reports
    return "other"


def _names_a_telegram(upper: str) -> bool:
    """A sender and a number, a station alone (its number lost) or with the number redacted."""
    sender_number = _SENDER_NUMBER.match(upper)
    if sender_number:
        sender = sender_number["sender"].strip()
        return bool(sender) and not _MONTH.search(sender) and not NOT_A_CABLE.search(sender)
    redacted = _REDACTED_SERIAL.match(upper)
    if redacted:
        return station_code(redacted["sender"]) is not None
    return station_code(upper) is not None
