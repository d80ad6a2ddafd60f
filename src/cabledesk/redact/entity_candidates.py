"""Redaction candidates by entity: the people a cable names next to a source-protection
marker, proposed as entities (docs/entities.md, "Redaction candidates by entity").

The name-based finder (candidates.py) proposes the capitalised words it finds near a
marker, one spelling at a time. Here each proposal is an entity: every name and alias it
goes by across the archive (as far as the editor may see), so that one redaction rule,
the entity's name with its variants, burns every spelling. This module is pure: the
facade (`Archive.entity_candidates`) gives it each cable as the editor's Viewer reads it
and that cable's mentions placed in that text, and the archive's figures per entity; the
store knows no reader and this layer knows no store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cabledesk.entities.model import SeenMention
from cabledesk.record.model import Cable
from cabledesk.record.words import WORD
from cabledesk.redact.apply import Redactor, burn
from cabledesk.redact.match import NamePattern, compile_rule, fold
from cabledesk.redact.model import REDACTED, Rule

# What drafters write to ask that a source be protected, as cables write it:
# `Fungairino (strictly protect)`, `Juniti Saito (protect)`, `(again, please protect)`,
# `(strictly protect throughout)`, `(strictly protect - see reftels)`, `(PROTECT)`.
# `please protect accordingly` is the handling line of an SBU cable, not about a person,
# and `to protect their country` is prose: neither is a marker.
MARKER = re.compile(
    r"\(\s*(?:(?:again|please|strictly)[\s,]+)*protect\b"
    r"(?:[\s,-]+(?:throughout|source|sources|identity|see\s+\w+))*[\s,.]*\)"
    r"|\bstrictly\s+protect(?:ed)?\b"
    r"|\bplease\s+protect\b(?!\s+accordingly)"
    r"|\bprotect\s+(?:the\s+|this\s+|our\s+|his\s+|her\s+|their\s+)?"
    r"(?:source|sources|identity|identities|contact|contacts)\b"
    r"|\bsource\s+protection\b"
    r"|\bprotected\s+source\b"
    r"|(?:--|\u2014)\s*(?:STRICTLY\s+)?PROTECT\b",
    re.IGNORECASE,
)
# Between a name and the marker that follows it: spaces, a comma, a possessive
# (`Luigi Maccotta's (protect) request`).
_NEXT_TO = re.compile(r"(?:['\u2019,]s|s['\u2019])?[\s,]*")
# A sentence ends at . ! ? before a space, unless the word before is an initial or a
# title's abbreviation (`Dr. Richard Freer`, `U.S. officials`, `Gen. Petraeus`).
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]?\s+")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "amb", "sen", "rep", "gov"}
    | {"st", "jr", "sr", "no", "cdr", "adm", "sgt", "pres"}
)
_PASSAGE = 80
# How close the person stands to the marker, best first.
NEXT_TO, SENTENCE, PARAGRAPH = "next to", "same sentence", "same paragraph"
_CLOSENESS = (NEXT_TO, SENTENCE, PARAGRAPH)


@dataclass(frozen=True, slots=True)
class Sighting:
    """A person named near a marker, in one paragraph of one cable, as the editor's
    viewer reads it: `passage` is that text around the name and the marker."""

    entity_id: int
    reference_id: str
    paragraph: int | None  # the paragraph's number as the cable prints it
    surface: str
    marker: str
    closeness: str
    distance: int  # characters between the name and the marker
    passage: str

    @property
    def position(self) -> str:
        return f"\u00b6{self.paragraph}" if self.paragraph is not None else ""

    @property
    def why(self) -> str:
        where = f" in {self.position}" if self.position else ""
        return f"{self.closeness} {self.marker}{where}"

    def rank(self) -> tuple[int, int]:
        return _CLOSENESS.index(self.closeness), self.distance


@dataclass(frozen=True, slots=True)
class EntityCandidate:
    """One proposal: an entity and the rule that would redact it everywhere.

    `name` and `variants` are the rule (`rule()`): the entity's name and each further
    spelling it is written as, less those another kept spelling already burns
    (`Maliki` burns `PM Maliki`); `too_short` are spellings the register refuses to
    redact everywhere (fewer than three letters), left for the editor. `cables` counts
    the cables mentioning it that the editor may see, `cable_ids` the newest of them,
    `sightings` why it is proposed (best first)."""

    entity_id: int
    kind: str
    name: str
    variants: tuple[str, ...]
    too_short: tuple[str, ...]
    cables: int
    cable_ids: tuple[str, ...]
    sightings: tuple[Sighting, ...]

    def rule(self, reason: str = "") -> Rule:
        return Rule(kind="name", text=self.name, variants=list(self.variants), reason=reason)

    @property
    def marked_cables(self) -> list[str]:
        """The cables where it stands near a marker, in order of first sighting."""
        return list(dict.fromkeys(s.reference_id for s in self.sightings))


@dataclass(frozen=True, slots=True)
class EntityProposals:
    """What the finder found in a set of cables: the proposals (best first), how many
    cables it read, how many of them enrichment has not read in their current text (no
    entity can be proposed from those: the name-based finder still reads them), and how
    many entities near a marker the register already burns in every spelling."""

    candidates: list[EntityCandidate]
    read: int
    not_enriched: list[str]
    already_redacted: int


def markers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, the marker as printed) of every source-protection marker."""
    return [
        (m.start(), m.end(), " ".join(m.group().split()).upper()) for m in MARKER.finditer(text)
    ]


def _sentence_ends(text: str) -> list[int]:
    ends = []
    for match in _SENTENCE_END.finditer(text):
        before = re.search(r"([^\W\d_]+)\W*$", text[max(0, match.start() - 12) : match.start()])
        word = before.group(1) if before else ""
        if len(word) == 1 or word.lower() in _ABBREVIATIONS:
            continue
        ends.append(match.start())
    return ends


def _closeness(text: str, start: int, end: int, marker: tuple[int, int, str]) -> tuple[str, int]:
    low, high = (end, marker[0]) if end <= marker[0] else (marker[1], start)
    distance = max(0, high - low)
    if end <= marker[0] and _NEXT_TO.fullmatch(text, end, marker[0]):
        return NEXT_TO, distance
    if not any(low <= e < high for e in _sentence_ends(text)):
        return SENTENCE, distance
    return PARAGRAPH, distance


def sightings(
    cable: Cable, mentions: Iterable[SeenMention], kinds: Iterable[str]
) -> list[Sighting]:
    """The mentions of `kinds` in a paragraph of `cable` that carries a marker, each with
    the marker closest to it. `cable` is the record as the editor's viewer gives it and
    `mentions` are placed in it (Archive.placed_mentions): a mention with no place in
    that text (a withheld paragraph, a changed text) is never a sighting."""
    wanted = set(kinds)
    found: dict[tuple[int, int], Sighting] = {}
    marked: dict[int, list[tuple[int, int, str]]] = {}
    for mention in mentions:
        if mention.kind not in wanted or mention.field != "paragraph":
            continue
        index, start, end = mention.paragraph, mention.start, mention.end
        if index is None or start is None or end is None or index >= len(cable.paragraphs):
            continue
        text = cable.paragraphs[index].text
        if index not in marked:
            marked[index] = markers(text)
        if not marked[index]:
            continue
        best = min(
            ((*_closeness(text, start, end, m), m) for m in marked[index]),
            key=lambda c: (_CLOSENESS.index(c[0]), c[1]),
        )
        closeness, distance, (m_start, m_end, label) = best
        low, high = min(start, m_start), max(end, m_end)
        passage = " ".join(text[max(0, low - _PASSAGE) : high + _PASSAGE].split())
        sighting = Sighting(
            mention.entity_id,
            cable.reference_id or "",
            cable.paragraphs[index].number,
            mention.surface,
            label,
            closeness,
            distance,
            passage,
        )
        key = (mention.entity_id, index)
        if key not in found or sighting.rank() < found[key].rank():
            found[key] = sighting
    return sorted(found.values(), key=lambda s: (s.rank(), s.reference_id))


def _letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def rule_names(name: str, aliases: Iterable[str]) -> tuple[str, list[str], list[str]]:
    """The rule that burns every spelling: (text, variants, too short). Spellings are
    compared folded (case, accents); a comma between words is dropped (`Doe, John` is
    matched as `Doe John` is: the matcher takes any punctuation between words, and the
    desk's form splits variants at commas); a spelling that a kept one burns whole is
    left out (`Haddad's`, `Karim  HADDAD`), found with the matcher itself, so the rule
    still burns it. A spelling that holds a shorter one (`Karim Haddad`, `Haddad`) is
    kept: the shorter alone would leave `Karim [REDACTED]`."""
    seen: dict[str, str] = {}
    # Of spellings that differ in case only, the one prose writes (`Haddad`, not `HADDAD`).
    ordered = sorted(aliases, key=lambda s: s.isupper())
    for spelling in [name, *ordered]:
        spelling = " ".join(spelling.replace(",", " ").split())
        key = " ".join(fold(w) for w in WORD.findall(spelling))
        if key and key not in seen:
            seen[key] = spelling
    text = " ".join(name.replace(",", " ").split())
    short = [s for s in seen.values() if _letters(s) < 3]
    kept: list[str] = []
    # Fewest words first: `Maliki` is kept before `PM Maliki` is looked at.
    for spelling in sorted(
        (s for s in seen.values() if _letters(s) >= 3), key=lambda s: (len(WORD.findall(s)), s)
    ):
        if not _covers(spelling, kept):
            kept.append(spelling)
    if _letters(text) < 3 and kept:
        # The register refuses a short name everywhere: the rule goes by the fullest.
        text = max(kept, key=lambda s: (len(WORD.findall(s)), len(s)))
    variants = [s for s in kept if s != text]
    return text, variants, short


def _covers(spelling: str, others: Iterable[str]) -> bool:
    """Whether a rule of `others` burns the whole of `spelling` into one `[REDACTED]`.
    Part of it is not enough: `Haddad` alone would leave `Karim [REDACTED]`."""
    patterns = [p for p in (compile_rule(Rule(kind="name", text=o)) for o in others) if p]
    return bool(patterns) and _burns_whole(spelling, patterns)


def _burns_whole(spelling: str, patterns: list[NamePattern]) -> bool:
    return str(burn({"text": spelling}, patterns)["text"]).strip() == REDACTED


def burned_everywhere(candidate: EntityCandidate, redactor: Redactor) -> bool:
    """Whether the rules in force already burn every spelling the proposed rule would,
    each whole (so the editor has nothing left to do for it)."""
    if not redactor.patterns:
        return False
    return all(_burns_whole(s, redactor.patterns) for s in (candidate.name, *candidate.variants))
