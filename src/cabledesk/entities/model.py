"""What extraction yields: mentions of people, organisations, places and posts."""

from __future__ import annotations

from dataclasses import dataclass

PERSON = "person"
ORG = "org"
PLACE = "place"
POST = "post"
KINDS: tuple[str, ...] = (PERSON, ORG, PLACE, POST)
# A lone capitalised word no rule explains, kept for archive-wide resolution: it becomes
# a mention of a person named in full elsewhere in the archive, or of nobody (never shown).
CANDIDATE = "candidate"

# Where in a cable a mention stands. `paragraph` mentions carry the paragraph's index in
# `Cable.paragraphs`; the others are fields of the record.
FIELDS: tuple[str, ...] = ("subject", "paragraph", "closing", "classified_by", "signature", "tags")


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention: `surface` is `text[start:end]` of the field (or of the paragraph's
    text), `name` the entity's name as this cable resolves it, `key` the name's
    archive-wide key (`names.entity_key`), `how` the rule that found it."""

    kind: str
    name: str
    key: str
    surface: str
    field: str
    paragraph: int | None
    start: int
    end: int
    how: str


@dataclass(frozen=True, slots=True)
class EntityCount:
    """An entity as a list shows it: `mentions` and `cables` count what the asking
    reader may see, nothing else."""

    id: int
    kind: str
    name: str
    mentions: int
    cables: int


@dataclass(frozen=True, slots=True)
class EntityPage:
    """One entity as its page shows it, from the asking reader's view."""

    entity: EntityCount
    aliases: list[tuple[str, int]]
    months: list[tuple[str, int]]
    posts: list[tuple[str, int]]
    related: list[EntityCount]
    cables: list[str]


@dataclass(frozen=True, slots=True)
class SeenMention:
    """One mention of a cable as a reader receives it (Archive.placed_mentions): `start`
    and `end` are offsets into the reader's own text of the field (the paragraph
    `paragraph`, the subject, ...), or None where that text no longer holds the surface
    there (a redaction burned in before it changes lengths): then the reader gets the
    surface without a place, never the stored offsets."""

    entity_id: int
    kind: str
    name: str
    field: str
    paragraph: int | None
    start: int | None
    end: int | None
    surface: str
