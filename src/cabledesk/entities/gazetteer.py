"""The names the extractor knows: places, organisations, countries and their adjectives,
the posts. Read once per process from data/entities/*.tsv and the reference tables.

Every table is keyed by a phrase's plain words (`names.plain`), so `U.S. Embassy`,
`US EMBASSY` and `u.s. embassy` are one key; the extractor decides from the text's case
whether a match counts (docs/entities.md, "How mentions are found").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from cabledesk.entities.model import ORG, PLACE, POST
from cabledesk.entities.names import plain
from cabledesk.reference import station_aliases, stations, tags

# Talks and operations (`Six-Party Talks`, `OEF`): read whole so that their words make
# nothing else (`... for the Six-Party Talks Pamela Park`), never an entity themselves.
EVENT = "event"

MAX_PHRASE = 6


@dataclass(frozen=True, slots=True)
class Entry:
    """A known name: what it is, its canonical name, the country it belongs to (FIPS) and
    whether it counts only when written capitalised in mixed-case text (`State`, `WHO`)."""

    kind: str
    name: str
    country: str = ""
    mixed_case_only: bool = False
    weight: int = 0
    # Known only as an all-capitals acronym that spells a common word (`PLAN`, the PLA
    # Navy): in mixed-case text it counts only written in capitals (`the Plan` is not).
    capitals_only: bool = False


@dataclass
class Gazetteer:
    phrases: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    # Country adjectives and other names of a country: `iraqi` -> IZ, `u s` -> US.
    adjectives: dict[tuple[str, ...], str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)  # FIPS -> canonical name
    post_cities: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    adjective_first_words: set[str] = field(default_factory=set)
    # The most words a known phrase starting with this word has.
    first_words: dict[str, int] = field(default_factory=dict)

    def add(self, text: str, entry: Entry) -> None:
        key = tuple(plain(text).split())
        if not key or len(key) > MAX_PHRASE:
            return
        known = self.phrases.get(key)
        # Where two tables know one phrase, the more specific entry wins: an organisation
        # over a city (`Hamas`), a country over a city of the same name (`Djibouti`), a
        # bigger city over a smaller one.
        if known is None or entry.weight > known.weight:
            self.phrases[key] = entry
        self.first_words[key[0]] = max(self.first_words.get(key[0], 0), len(key))


def _tsv(name: str) -> list[dict[str, str]]:
    resource = files("cabledesk").joinpath("data", "entities", name)
    if not resource.is_file():
        return []
    lines = [
        line
        for line in resource.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t"))


def _split(aliases: str | None) -> list[str]:
    return [a.strip() for a in (aliases or "").split("|") if a.strip()]


def station_aliases_of(code: str) -> list[str]:
    return [alias for alias, canonical in station_aliases().items() if canonical == code]


@cache
def gazetteer() -> Gazetteer:
    table = Gazetteer()
    for row in _tsv("places.tsv"):
        population = int(row["population"] or 0)
        weight = 50 if row["kind"] == "country" else 10 + min(population // 1_000_000, 9)
        table.add(row["name"], Entry(PLACE, row["name"], row["fips"], weight=weight))
    for row in _tsv("demonyms.tsv"):
        fips, country = row["fips"], row["country"]
        table.country_names[fips] = country
        for name in [country, *_split(row.get("aliases"))]:
            table.add(name, Entry(PLACE, country, fips, weight=60))
            table.adjectives[tuple(plain(name).split())] = fips
            table.adjective_first_words.add(plain(name).partition(" ")[0])
        for adjective in _split(row.get("adjectives")):
            table.adjectives[tuple(plain(adjective).split())] = fips
            table.adjective_first_words.add(plain(adjective).partition(" ")[0])
    for row in _tsv("regions.tsv"):
        for name in [row["name"], *_split(row.get("aliases"))]:
            table.add(name, Entry(PLACE, row["name"], row.get("country") or "", weight=40))
    for info in tags().values():
        if info.kind == "country" and info.meaning and info.tag not in table.country_names:
            table.country_names[info.tag] = info.meaning
    from cabledesk.entities.titles import common_words

    common = common_words()
    for row in _tsv("orgs.tsv"):
        country = row.get("country") or ""
        for alias in [row["name"], *_split(row.get("aliases"))]:
            risky = alias.endswith("*")
            alias = alias.rstrip("*").strip()
            capitals = alias.isupper() and alias.isalpha() and alias.lower() in common
            kind = EVENT if row.get("kind") == "event" else ORG
            entry = Entry(kind, row["name"], country, risky, 70, capitals_only=capitals)
            table.add(alias, entry)
    for station in stations().values():
        if not station.origin_name or station.kind not in ("embassy", "consulate", "mission"):
            continue
        words = station.origin_name.split(maxsplit=1)
        if station.kind == "mission" or len(words) < 2:
            # Missions go by their short names in prose: USUN, USEU, USNATO, UNVIE.
            for short in {station.code, *station_aliases_of(station.code)}:
                if short.startswith(("US", "UN")) and len(short) <= 8:
                    table.add(short, Entry(POST, station.origin_name, station.country or ""))
            continue
        city = tuple(plain(words[1]).split())
        table.post_cities[city] = (station.code, station.origin_name)
    return table
