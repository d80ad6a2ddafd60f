"""Facts about cables that ship with cabledesk: stations, routing indicators, TAGS, markings.

The CSV files in data/reference are copied from the project's reference material; each row
names its source. They are read once, on first use.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Station:
    code: str
    origin_name: str | None
    country: str | None
    kind: str
    name_confirmed: bool
    # False for agencies that appear in REF lines but send no State telegrams (USDOJ, CDC).
    sends_cables: bool


@dataclass(frozen=True, slots=True)
class TagInfo:
    tag: str
    kind: str
    meaning: str | None


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("cabledesk") / "data" / "reference" / name
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@cache
def stations() -> dict[str, Station]:
    """Station code as written in reference ids (`BAGHDAD`) to what it is."""
    return {
        row["canonical_code"]: Station(
            code=row["canonical_code"],
            origin_name=row["origin_name"] or None,
            country=row["country"] or None,
            kind=row["kind"],
            name_confirmed=row["name_source"] == "wikileaks",
            sends_cables=not row["notes"].startswith(("Not a post", "Unknown station")),
        )
        for row in _rows("origins.csv")
    }


@cache
def station_aliases() -> dict[str, str]:
    """Every spelling of a station seen in REF lines (spaces removed) to its code."""
    table: dict[str, str] = {}
    for row in _rows("origins.csv"):
        code = row["canonical_code"]
        table[code] = code
        for alias in filter(None, row["aliases"].split("|")):
            table.setdefault(alias.replace(" ", "").upper(), code)
    return table


@cache
def stations_by_origin() -> dict[str, str]:
    """WikiLeaks origin name (`Embassy Baghdad`) to station code."""
    return {s.origin_name: s.code for s in stations().values() if s.origin_name}


@cache
def _routing() -> tuple[dict[str, list[str]], dict[str, str]]:
    names: dict[str, list[str]] = {}
    best: dict[str, tuple[int, str]] = {}
    for row in _rows("routing.csv"):
        indicator, name = row["indicator"], row["name"].upper()
        names.setdefault(indicator, []).append(name)
        # A name seen in cables outranks the ACP 117 book; more sightings outrank fewer.
        score = int(row["corpus_count"] or 0) + (1_000_000 if row["source"] == "corpus" else 0)
        if name not in best or score > best[name][0]:
            best[name] = (score, indicator)
    return names, {name: indicator for name, (_, indicator) in best.items()}


def route_names(indicator: str) -> list[str]:
    """Plain-language names a routing indicator (`RUEHC`) fronts."""
    return _routing()[0].get(indicator, [])


def route_for_name(name: str) -> str | None:
    """The routing indicator for a plain-language address, when the table knows one."""
    key = " ".join(name.upper().split())
    found = _routing()[1].get(key)
    if found is None and "//" in key:
        # `USCENTCOM INTEL CEN MACDILL AFB FL//CCJ2//`: the office symbol is not in the table.
        found = _routing()[1].get(key.split("//", 1)[0].strip())
    return found


@cache
def tags() -> dict[str, TagInfo]:
    return {
        row["tag"]: TagInfo(tag=row["tag"], kind=row["kind"], meaning=row["meaning"] or None)
        for row in _rows("tags.csv")
    }


@cache
def code_words() -> frozenset[str]:
    """Words (`SOCIAL`, `PREFER`, `THEMES`) that read as TAG codes run together
    (`SOCI`+`AL`) but are English words: a TAGS line's word among them is never cut."""
    return frozenset(row["word"] for row in _rows("code_words.csv"))


def tag_info(tag: str) -> TagInfo | None:
    """Kind and meaning of a TAG (`PREL`, `IZ`, `CLINTON, HILLARY`)."""
    return tags().get(tag.upper())


@cache
def markings() -> dict[str, dict[str, str]]:
    """classification.csv by code: levels, caveats, captions, reasons."""
    return {row["code"]: row for row in _rows("classification.csv")}


def reason_meaning(code: str) -> str | None:
    row = markings().get(code)
    return row["name"] if row else None
