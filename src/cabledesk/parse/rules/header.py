"""The transmission header: VZCZC, relay routes, DE, ZN, precedence + DTG, FM, TO, INFO.

Raw headers keep one element per line and a routing indicator before each addressee
(`RUEHC/SECSTATE WASHDC PRIORITY 8817`). Newspaper copies flatten everything into running
text and drop the indicators (`TO SECSTATE WASHDC IMMEDIATE 7781 INFO GULF COOPERATION
COUNCIL COLLECTIVE PRIORITY IRAN COLLECTIVE PRIORITY ...`); then an addressee ends with its
precedence word or its sequence number, where a collective or a Washington address ends
(`IRAQ COLLECTIVE`, `NSC WASHDC`), or where the next post's address begins (`AMEMBASSY`,
`AMCONSUL`, `USMISSION` ...), and the indicator is looked up in the routing table by name.

Each addressee keeps the precedence written after it (`IMMEDIATE`, `PRIORITY`, `NIACT
IMMEDIATE`; none when none is written) and its sequence number (`7781`; a cable sent in
several sections has a range, `IMMEDIATE 3806-3812`). Received-copy printouts repeat a page
header and the classification inside a long address list (`INFO PAGE 02 STATE 050524
131535Z`, `CONFIDENTIAL`); those, `BT`, and Department distribution codes (`LOG-00 NP-00
... /012W`) are never addressees.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from cabledesk.parse.patterns import DTG_PARTS, LEVEL, SUBJECT_INLINE, TAGS_INLINE, fold
from cabledesk.parse.rules.page_breaks import is_page_break, remove_page_headers
from cabledesk.parse.rules.tags import split_tags
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Addressee, Header, Transmission
from cabledesk.reference import route_for_name

PRECEDENCE: Final = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
MONTHS: Final = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}

_CHANNEL: Final = re.compile(r"^VZCZC(\w+)")
_RELAY: Final = re.compile(r"^(?:[ZOPR]{2})\s+((?:R[A-Z0-9]{3,}\s*)+)$")
_ROUTES_ONLY: Final = re.compile(r"^(?:R[A-Z0-9]{3,}\s*)+$")
_DE: Final = re.compile(
    r"^DE\s+(?P<station>[A-Z0-9]+)\s+#(?P<serial>\d+)(?:/(?P<section>\d+))?\s*(?P<filed>\d{7})?"
)
_ZN: Final = re.compile(r"^(ZN[RY]\s+[A-Z]{5}(?:\s.*)?)$")
_DTG: Final = re.compile(
    r"(?:^|\s)(?:(?P<prec>[ZOPR])(?:\s+[ZOPR])?\s+)?"
    rf"(?P<dtg>{DTG_PARTS})(?P<rest>.*)$"
)
# FM after other words on its line (`O 140650Z JUN 08 FM AMEMBASSY`, or at the line's end
# where the wrap left it), or an FM line that goes on with TO or INFO.
_FLATTENED: Final = re.compile(r"\S\s+FM(?:\s|$)|^FM\s.*\s(?:TO|INFO)\s")
_FM_WORD: Final = re.compile(r"\bFM\b")
# What the element patterns can start with, besides a DTG's digits or the white space
# before it: VZCZC, a precedence or relay letter, DE, ZN.
_ELEMENT_STARTS: Final = frozenset("VZOPRD")
_RELAY_STARTS: Final = frozenset("ZOPR")
_KEYWORD: Final = re.compile(r"(?:^|\s)(FM|TO|INFO|XMT)\s+")
_ROUTE: Final = re.compile(r"(?:^|\s)(R[A-Z0-9]{3,7})/")
# Words that always begin a post's address (never stand inside one): in a flattened list
# without precedence words they start the next addressee.
_ADDRESS_STARTS: Final = frozenset(
    {"AMEMBASSY", "AMCONSUL", "AMCONGEN", "USMISSION", "SECSTATE", "SECDEF", "USINT", "USLO"}
)
# A per-addressee counter (`7781`, `0063`), or a range for a cable in sections (`3806-3812`).
_SEQUENCE: Final = re.compile(r"\d{4}(?:-\d{4})?")
_SHORT_SEQUENCE: Final = re.compile(r"\d{1,4}(?:-\d{1,4})?")
# Lines of a printout that stand among the addressees but are none: the classification
# repeated at the foot and head of a page, the break signal, dash lines with the
# distribution counter (`------------------A54E38  291401Z /38`).
_NOT_ADDRESS: Final = re.compile(rf"^\s*(?:{LEVEL}(?:\s+PTQ\d+)?|BT|NNNN|-{{3,}}.*)\s*$")
# Department distribution codes of a received copy (`LOG-00 NP-00 AID-00`, `/012W`, `(TEDE)`).
_DISTRIBUTION_CODE: Final = re.compile(r"[A-Z][A-Z0-9]*-\d{2}|/\d{3}[A-Z]?|\([A-Z]+\)")


def dtg_to_iso(day: int, hour: int, minute: int, month: str, year: str) -> str | None:
    number = MONTHS.get(month.upper())
    if number is None or not (1 <= day <= 31 and hour < 24 and minute < 60):
        return None
    full = (
        int(year) if len(year) == 4 else (1900 + int(year) if int(year) >= 40 else 2000 + int(year))
    )
    return f"{full:04d}-{number:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def parse_header(state: ParseState) -> None:
    lines = [line.strip() for line in state.header_lines if line.strip()]
    if not lines:
        return
    header = state.cable.header
    # Newspaper copies run the DTG, FM, TO and INFO together in one paragraph.
    flattened = any("FM" in line and _FLATTENED.search(line) for line in lines)
    address_lines: list[str] = []
    in_address = False
    for line in lines:
        if in_address and not flattened:
            address_lines.append(line)
            continue
        if _read_element(header, line, state):
            continue
        if flattened or line.startswith("FM "):
            in_address = True
            address_lines.append(line)
    if address_lines:
        _read_addresses(state, header, address_lines, flattened)


def _read_element(header: Header, line: str, state: ParseState) -> bool:
    """One non-address line of a raw header; False when it is not one."""
    # Each element starts with its own letters: a look at the first one spares most lines
    # most of the patterns.
    first = line[:1]
    if not (first in _ELEMENT_STARTS or first.isdigit() or first.isspace()):
        return False
    # Each pattern is tried only on lines starting with its own first letter (VZCZC; a
    # relay's precedence letters; a route's R; DE; ZN).
    if first == "V" and (match := _CHANNEL.match(line)):
        header.channel = match.group(1)
        return True
    if first in _RELAY_STARTS and (match := _RELAY.match(line)):
        header.relay_routes.extend(match.group(1).split())
        return True
    if first == "R" and header.channel and not header.transmission and _ROUTES_ONLY.match(line):
        header.relay_routes.extend(line.split())
        return True
    if first == "D" and (match := _DE.match(line)):
        header.transmission = Transmission(
            station=match["station"],
            serial=match["serial"],
            section=match["section"],
            filed=match["filed"],
        )
        return True
    if first == "Z" and (match := _ZN.match(line)):
        header.security_warning = match.group(1)
        return True
    if header.dtg is None and (match := _DTG.match(line)) and not line.startswith("FM "):
        _read_dtg(header, match)
        rest = match["rest"].strip()
        if rest and not rest.startswith(("FM ", "TO ")):
            # Signals end where a folded header's FM begins (`ZDK ... REQUESTS FM`).
            originator = _FM_WORD.search(rest)
            header.operating_signals = (
                rest[: originator.start()].strip() if originator else rest
            ) or None
        return not _FM_WORD.search(rest)
    return False


def _read_dtg(header: Header, match: re.Match[str]) -> None:
    header.precedence = PRECEDENCE[match["prec"]] if match["prec"] else None
    # NARA's OCR copies space the zone off (`P 260517 Z JUN 73`).
    header.dtg = fold(match["dtg"]).replace(" Z ", "Z ", 1)
    header.sent = dtg_to_iso(
        int(match["day"]), int(match["hour"]), int(match["minute"]), match["month"], match["year"]
    )


def _read_addresses(state: ParseState, header: Header, lines: list[str], flattened: bool) -> None:
    text = "\n".join(lines)
    if flattened:
        text = fold(text)
        if match := _DTG.search(text):
            if header.dtg is None:
                _read_dtg(header, match)
            text = match["rest"]
        # What stands between the DTG and FM is operating signals, whatever words they
        # hold (10ISLAMABAD461: `ZDK TO ALL CITE NUMEROUS SERVICE REQUESTS FM ...`): its TO
        # opens no addressee list.
        originator = _FM_WORD.search(text)
        if originator is not None and originator.start() > 0:
            signals = text[: originator.start()].strip()
            if signals and header.operating_signals is None:
                header.operating_signals = signals
            text = text[originator.start() :]
        # Flattened headers end with the TAGS and SUBJECT lines.
        subject = SUBJECT_INLINE.search(text)
        if subject:
            state.header_subject = fold(text[subject.end() :]) or None
            text = text[: subject.start()]
        tags = TAGS_INLINE.search(text)
        if tags:
            state.header_tags = split_tags(text[tags.end() :])
            text = text[: tags.start()]
        # A printout's page header flattened into the list (`INFO PAGE 02 STATE 050524
        # 131535Z AMEMBASSY BAGHDAD PRIORITY`).
        text = remove_page_headers(text)
    segments = _KEYWORD.split(" " + text if flattened else text)
    # split() with one group gives [before, KEY, body, KEY, body, ...].
    current: list[Addressee] | None = None
    for index in range(1, len(segments), 2):
        keyword, body = segments[index], segments[index + 1]
        exempt = False
        if keyword == "FM":
            if flattened:
                # The originator runs on to TO: nothing of it is an addressee.
                header.from_ = fold(body) or None
                continue
            first, _, remainder = body.partition("\n")
            header.from_ = fold(first) or None
            body = remainder
        elif keyword == "TO":
            current = header.to
        elif keyword == "INFO":
            current = header.info
        else:
            # XMT exempts the post after it from a collective; what follows continues the
            # list that was open (ACP 127 para 133).
            exempt = True
        addressees = _addressees(body, flattened)
        if exempt:
            addressees = addressees[1:]
        if current is not None:
            current.extend(addressees)


def _addressees(body: str, flattened: bool) -> list[Addressee]:
    if flattened and not _ROUTE.search(body):
        return [_with_route(addressee) for addressee in _plain_addressees(fold(body))]
    # One addressee per line, each with or without its routing indicator (`RUEHC/`).
    return [
        Addressee(name, route, precedence, sequence, source)
        for line in body.split("\n")
        for name, route, precedence, sequence, source in _line_addressees(line)
    ]


def _is_printout_line(line: str) -> bool:
    """A page header, banner, break or distribution line standing among the addressees."""
    if not line.strip():
        return False
    if _NOT_ADDRESS.match(line) or ("PAGE" in line and is_page_break(line)):
        return True
    words = line.split()
    return all(_DISTRIBUTION_CODE.fullmatch(word) for word in words)


_AddresseeFields = tuple[str, str | None, str | None, str | None, str | None]


# The same addressee lines (SECSTATE WASHDC, the region's posts) recur in a post's cables:
# each distinct line is read once (whether it is a printout line too); the records get
# addressees of their own.
@lru_cache(maxsize=8192)
def _line_addressees(line: str) -> tuple[_AddresseeFields, ...]:
    if _is_printout_line(line):
        return ()
    result: list[Addressee] = []
    # Each route match starts an entry that runs to the next one; text before the
    # first route (or a line without any) is an addressee without an indicator.
    routes = list(_ROUTE.finditer(line)) if "/" in line else []
    first = routes[0].start(1) if routes else len(line)
    if not routes or line[:first].strip():
        result.extend(_with_route(addressee) for addressee in _plain_addressees(line[:first]))
    for index, route in enumerate(routes):
        end = routes[index + 1].start(1) if index + 1 < len(routes) else len(line)
        addressee = _addressee(line[route.end() : end])
        if addressee:
            addressee.route, addressee.route_source = route.group(1), "header"
            result.append(addressee)
    return tuple((a.name, a.route, a.precedence, a.sequence, a.route_source) for a in result)


_PRECEDENCES: Final = frozenset({"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"})


def _addressee(text: str) -> Addressee | None:
    """`SECSTATE WASHDC PRIORITY 8817` → name, precedence, sequence (read from the end)."""
    words = text.split()
    sequence = precedence = None
    if len(words) > 1 and _SHORT_SEQUENCE.fullmatch(words[-1]):
        sequence = words.pop()
    if len(words) > 1 and words[-1] in _PRECEDENCES:
        precedence = words.pop()
        if precedence == "IMMEDIATE" and len(words) > 1 and words[-1] == "NIACT":
            words.pop()
            precedence = "NIACT IMMEDIATE"
    if not words:
        return None
    return Addressee(name=" ".join(words), precedence=precedence, sequence=sequence)


def _plain_addressees(text: str) -> list[Addressee]:
    """The addressees of a list without routing indicators, in order.

    An addressee's name ends at its precedence word or sequence number, after `COLLECTIVE`
    and a Washington address (`WASHDC`, `WASHINGTON DC`), or where the next post's address
    begins; a precedence word or number after that belongs to it.
    """
    words = text.split()
    result: list[Addressee] = []
    name: list[str] = []
    precedence: str | None = None
    closed = False
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "NIACT" and index < len(words) and words[index] == "IMMEDIATE":
            word = "NIACT IMMEDIATE"
            index += 1
        if word in _PRECEDENCES or word == "NIACT IMMEDIATE":
            if name and precedence is None:
                precedence, closed = word, True
            continue
        if name and (
            _SEQUENCE.fullmatch(word) or (index == len(words) and _SHORT_SEQUENCE.fullmatch(word))
        ):
            result.append(Addressee(" ".join(name), precedence=precedence, sequence=word))
            name, precedence, closed = [], None, False
            continue
        if word == "BT":
            continue
        if name and (closed or word in _ADDRESS_STARTS):
            result.append(Addressee(" ".join(name), precedence=precedence))
            name, precedence, closed = [], None, False
        name.append(word)
        closed = closed or word in ("COLLECTIVE", "WASHDC") or name[-2:] == ["WASHINGTON", "DC"]
    if name:
        result.append(Addressee(" ".join(name), precedence=precedence))
    return result


# The same few addressees (SECSTATE WASHDC, the region's posts) recur in every header: each
# name is looked up in the routing table once.
_route_for_name = lru_cache(maxsize=4096)(route_for_name)


def _with_route(addressee: Addressee) -> Addressee:
    route = _route_for_name(addressee.name)
    if route:
        addressee.route, addressee.route_source = route, "routing table"
    return addressee
