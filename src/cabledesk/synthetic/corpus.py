"""A synthetic Cablegate release, deterministic for a seed (`cabledesk bench corpus`).

Structure and vocabulary are sampled from real cables (the bundled sample, or any corpus
passed with --source): sentences, headings, subjects, TAGS, addressee lists and Classified
By lines are drawn from them and recombined, so no generated cable copies a real one.
A generated cable draws its sentences from one kind of source cable, plain ASCII
telegraph text or text with typeset characters (curly quotes, dashes), in the shares the
sources have: drawn from all of them alike, nearly every generated cable would mix in a
curly quote, where about a third of real ones have any.
Origins, years and classifications follow the shape of the real release; references point
at earlier generated cables (and sometimes at e-mails and SEPTEL, as real ones do).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from cabledesk.api import parse
from cabledesk.record.model import Cable
from cabledesk.reference import stations
from cabledesk.sources.csv_release import csv_writer

# The six WikiLeaks classification values and how many of the 251,287 cables carry each.
CLASSIFICATION_SHARES = {
    "UNCLASSIFIED": 75_792,
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": 58_095,
    "CONFIDENTIAL": 97_070,
    "CONFIDENTIAL//NOFORN": 4_678,
    "SECRET": 11_322,
    "SECRET//NOFORN": 4_330,
}
# Cables per year: one from 1966, a few hundred a year before 2004, most from 2004 to
# February 2010 (shape of the WikiLeaks release; the exact split is approximate).
YEAR_SHARES = {
    1966: 1, 1972: 2, 1975: 3, 1979: 4, 1985: 60, 1988: 90, 1989: 150, 1990: 220,
    2000: 700, 2001: 1_500, 2002: 2_300, 2003: 3_100, 2004: 11_000, 2005: 26_000,
    2006: 40_000, 2007: 46_000, 2008: 51_000, 2009: 57_000, 2010: 12_000,
}  # fmt: skip
_LETTER_SPACED = {
    "UNCLASSIFIED": "UNCLAS",
    "CONFIDENTIAL": "C O N F I D E N T I A L",
    "SECRET": "S E C R E T",
}
_MARK = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(slots=True)
class Pools:
    sentences: list[str] = field(default_factory=list)
    # The same sentences by the kind of cable they came from: plain ASCII or typeset.
    plain_sentences: list[str] = field(default_factory=list)
    typeset_sentences: list[str] = field(default_factory=list)
    plain_cables: int = 0
    typeset_cables: int = 0
    headings: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    tag_sets: list[list[str]] = field(default_factory=list)
    addressees: list[list[str]] = field(default_factory=list)
    classified_by: list[str] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)

    def learn(self, cable: Cable) -> None:
        plain = cable.raw.isascii()
        if plain:
            self.plain_cables += 1
        else:
            self.typeset_cables += 1
        kind = self.plain_sentences if plain else self.typeset_sentences
        for paragraph in cable.paragraphs:
            for sentence in _SENTENCE.split(paragraph.text):
                if 40 <= len(sentence) <= 400 and "XXXXX" not in sentence.upper():
                    self.sentences.append(sentence)
                    kind.append(sentence)
            if paragraph.heading and len(paragraph.heading) < 80:
                self.headings.append(paragraph.heading)
        if cable.subject:
            self.subjects.append(cable.subject)
        if cable.tags:
            self.tag_sets.append(cable.tags)
        names = [a.name for a in cable.header.to + cable.header.info]
        if names:
            self.addressees.append(names)
        if cable.classified_by and cable.classified_by.text:
            self.classified_by.append(cable.classified_by.text)
        self.signers.extend(cable.signers)

    def kinds(self) -> tuple[Pools, Pools, float]:
        """(plain, typeset, typeset share): pools for a plain ASCII cable (sentences of
        plain cables, the other parts without typeset characters) and for a typeset one."""
        if not self.plain_sentences or not self.typeset_sentences:
            return self, self, 0.0

        def plain(items: list[str]) -> list[str]:
            return [item for item in items if item.isascii()] or items

        plain_kind = replace(
            self,
            # The parser's repairs may have put typeset quotes into a plain cable's text.
            sentences=plain(self.plain_sentences),
            headings=plain(self.headings),
            subjects=plain(self.subjects),
            classified_by=plain(self.classified_by),
            signers=plain(self.signers),
        )
        typeset_kind = replace(self, sentences=self.typeset_sentences)
        share = self.typeset_cables / (self.plain_cables + self.typeset_cables)
        return plain_kind, typeset_kind, share


def learn_pools(sources: Iterable[str | Path]) -> Pools:
    pools = Pools()
    for item in parse(list(sources)):
        if isinstance(item, Cable):
            pools.learn(item)
    if not pools.sentences or not pools.subjects:
        raise ValueError("the source cables gave no sentences or subjects to learn from")
    return pools


def _weighted(choices: dict[int, int] | dict[str, int], rng: random.Random, n: int) -> list:  # type: ignore[type-arg]
    return rng.choices(list(choices), weights=list(choices.values()), k=n)


def _wrap(text: str, width: int = 66) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


def generate_corpus(
    out: IO[str],
    n: int,
    *,
    seed: int = 1,
    sources: Iterable[str | Path],
) -> int:
    """Write `n` cables to `out` in the cables.csv layout; returns the bytes of text written."""
    rng = random.Random(seed)
    pools = learn_pools(sources)
    plain_kind, typeset_kind, typeset_share = pools.kinds()
    posts = sorted(code for code, s in stations().items() if s.origin_name and s.sends_cables)
    post_weights = [40 if code == "STATE" else 1 for code in posts]
    years = sorted(_weighted(YEAR_SHARES, rng, n))
    markings = _weighted(CLASSIFICATION_SHARES, rng, n)
    serials: dict[tuple[int, str], int] = {}
    issued: list[str] = []
    writer = csv_writer(out)
    written = 0
    for number in range(n):
        year = years[number]
        station = rng.choices(posts, weights=post_weights)[0]
        serial = serials.get((year, station), rng.randint(1, 40)) + rng.randint(1, 9)
        serials[(year, station)] = serial
        reference_id = f"{year % 100:02d}{station}{serial}"
        month, day = rng.randint(1, 12 if year != 2010 else 2), rng.randint(1, 28)
        hour, minute = rng.randint(0, 23), rng.randint(0, 59)
        marking = markings[number]
        level, _, caveat = marking.partition("//")
        header = _header(rng, pools, station, serial, year, month, day, hour, minute, level)
        cited = rng.sample(issued[-5000:], k=min(len(issued), rng.choice((0, 0, 1, 2, 3))))
        kind = typeset_kind if rng.random() < typeset_share else plain_kind
        body = _body(rng, kind, station, serial, year, level, caveat, cited)
        origin = stations()[station].origin_name or station
        writer.writerow(
            [
                str(number + 1),
                f"{month}/{day}/{year} {hour}:{minute:02d}",
                reference_id,
                origin,
                marking,
                ",".join(cited),
                header,
                body,
            ]
        )
        written += len(header) + len(body)
        issued.append(reference_id)
    return written


def _header(
    rng: random.Random, pools: Pools, station: str, serial: int, year: int, month: int,
    day: int, hour: int, minute: int, level: str,
) -> str:  # fmt: skip
    precedence = rng.choice("OPR")
    sender = "SECSTATE WASHDC" if station == "STATE" else f"AMEMBASSY {station}"
    warning = {"UNCLASSIFIED": "ZNR UUUUU ZZH", "CONFIDENTIAL": "ZNY CCCCC ZZH"}.get(
        level, "ZNY SSSSS ZZH"
    )
    addressees = rng.choice(pools.addressees)
    lines = [
        f"VZCZCXRO{rng.randint(1000, 9999)}",
        f"{precedence}{precedence} RUEHWEB",
        f"DE RUEH{station[:2]} #{serial % 10000:04d} "
        f"{rng.randint(1, 365):03d}{hour:02d}{minute:02d}",
        warning,
        f"{precedence} {day:02d}{hour:02d}{minute:02d}Z {_MONTHS[month - 1]} {year % 100:02d}",
        f"FM {sender}",
        f"TO {addressees[0]} {rng.choice(('IMMEDIATE', 'PRIORITY', ''))} "
        f"{rng.randint(1, 9999):04d}",
    ]
    if len(addressees) > 1:
        lines.append(f"INFO {addressees[1]}")
        lines.extend(addressees[2:12])
    return "\n".join(line.rstrip() for line in lines)


def _body(
    rng: random.Random, pools: Pools, station: str, serial: int, year: int, level: str,
    caveat: str, cited: list[str],
) -> str:  # fmt: skip
    paragraphs = rng.randint(4, 12)
    sections = rng.choice((0, 0, 0, 2, 3))
    line = f"{_LETTER_SPACED.get(level, level)} "
    line += f"SECTION 01 OF {sections:02d} " if sections else ""
    line += f"{station} {serial:06d}"
    parts = [line, "", "SIPDIS", ""]
    if caveat == "NOFORN":
        parts[2:2] = ["NOFORN"]
    decl = (
        "N/A"
        if level == "UNCLASSIFIED"
        else f"DECL: {rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{year + 10}"
    )
    parts += [f"E.O. 12958: {decl}", "TAGS: " + " ".join(rng.choice(pools.tag_sets))]
    parts += [_wrap("SUBJECT: " + rng.choice(pools.subjects)), ""]
    if cited:
        letters = "ABCDEFGH"
        parts += [
            "REF: " + " ".join(
                f"{letters[i]}. {_citation(ref, year)}" for i, ref in enumerate(cited)
            ),
            "",
        ]  # fmt: skip
    if level != "UNCLASSIFIED":
        parts += [_wrap(rng.choice(pools.classified_by)), ""]
    mark = _MARK.get(level, "U") + ("/NF" if caveat == "NOFORN" else "")
    for number in range(1, paragraphs + 1):
        if number > 1 and rng.random() < 0.2:
            heading = rng.choice(pools.headings)
            parts += [heading, "-" * len(heading), ""]
        text = " ".join(rng.choices(pools.sentences, k=rng.randint(2, 8)))
        if number == 1 and paragraphs > 4:
            text = f"Summary: {text} End summary."
        parts += [_wrap(f"{number}. ({mark}) {text}"), ""]
    parts.append(rng.choice(pools.signers) if pools.signers else "SIGNER")
    return "\n".join(parts)


def _citation(cable_id: str, year: int) -> str:
    match = re.match(r"^(\d{2})([A-Z]+)(\d+)$", cable_id)
    assert match
    cited_year, station, serial = match.groups()
    prefix = "" if int(cited_year) == year % 100 else f"{cited_year} "
    return f"{prefix}{station} {serial}"


def write_corpus(path: Path, n: int, seed: int, sources: Iterable[str | Path]) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        return generate_corpus(handle, n, seed=seed, sources=sources)
