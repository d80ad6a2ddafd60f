"""What a careful reader checks in a REF block: each citation of a cable has a well-formed
id, and it is neither the cable itself nor a cable written after it.

Written from the anatomy of a reference id (`YY` + station + serial, the station one of
the bundled table's: cable-format §6.1) and of a REF item (`[year] STATION number`,
§3.7, §6.3), not from the parser's rules, so that the check does not share their blind
spots.
"""

from __future__ import annotations

import re

from cabledesk.record.model import Cable, Reference
from cabledesk.reference import station_aliases, stations

CABLE_ID = re.compile(r"(\d{2})([A-Z]+)(\d{1,7})")

# A REF item that names a year: `07 STATE 1234`, `2008 SAO PAULO 497`, `(08) SAO PAULO
# 581`, `DOHA 152 (08)`, `... 118 2010`. Without one, the parser takes the citing year.
_WRITTEN_YEAR = re.compile(
    r"^\s*\(?(?:19|20)?\d{2}\)?\s+[A-Za-z]|\((?:19|20)?\d{2}\)|\d\s+(?:19|20)\d{2}\s*$"
)
# One to four words and a number: where a station followed by a serial may be.
_WORDS_AND_NUMBER = re.compile(r"((?:[A-Za-z][A-Za-z'.\-]*\s+){1,4})0*(\d{1,7})\b")


def full_year(two_digits: str) -> int:
    """`08` → 2008, `72` → 1972 (the pivot the record uses: 40-99 are 19xx)."""
    value = int(two_digits)
    return 1900 + value if value >= 40 else 2000 + value


def well_formed(cable_id: str) -> bool:
    """Whether an id is `YY` + a station of the bundled table + a serial."""
    found = CABLE_ID.fullmatch(cable_id)
    return found is not None and found.group(2) in stations()


def looks_like_citation(text: str) -> bool:
    """Whether a REF item names a station that sends cables, followed by a number
    (`MADRID 417 AND PREVIOUS`, `Vladivostok 5`): a cable it should have an id for."""
    aliases, known = station_aliases(), stations()
    for found in _WORDS_AND_NUMBER.finditer(text):
        words = found.group(1).split()
        for count in range(1, len(words) + 1):
            name = "".join(words[-count:]).upper().replace("-", "").replace("'", "")
            code = aliases.get(name.replace(".", ""))
            # Two letters (`BA`, `HK`) are too easily something else.
            if code is not None and len(name) > 2 and known[code].sends_cables:
                return True
    return False


def _problem(cable: Cable, reference: Reference) -> str | None:
    cited = reference.cable_id
    if cited is None:
        return "a cable citation without an id" if looks_like_citation(reference.text) else None
    found = CABLE_ID.fullmatch(cited)
    if found is None:
        return "malformed id"
    year, station, serial = found.groups()
    if station not in stations():
        return "unknown station"
    if cited == cable.reference_id:
        return "cites the cable itself"
    own = CABLE_ID.fullmatch(cable.reference_id or "")
    if own is None:
        return None
    own_year = cable.year or full_year(own.group(1))
    later = full_year(year) > own_year or (
        full_year(year) == own_year and station == own.group(2) and int(serial) > int(own.group(3))
    )
    if not later:
        return None
    if _WRITTEN_YEAR.search(reference.text):
        return "cites a later cable, as written"
    return "cites a later cable, year not written"


def reference_problems(cable: Cable) -> list[tuple[str, str]]:
    """(the item as written, what is wrong with it) for each REF item a reader would
    stop at."""
    found = []
    for reference in cable.references:
        problem = _problem(cable, reference)
        if problem is not None:
            found.append((reference.text, problem))
    return found


def cited_ids(cable: Cable) -> list[str]:
    """The well-formed ids the cable cites, each once: what the audit looks for in the
    corpus."""
    return list(
        dict.fromkeys(
            r.cable_id
            for r in cable.references
            if r.cable_id is not None
            and r.cable_id != cable.reference_id
            and well_formed(r.cable_id)
        )
    )
