"""Names of the index's text fields, one per visibility class of text.

Text is indexed by who may see it: each paragraph (and the subject) goes to the field of
its level and NOFORN flag (`t2nf`: SECRET//NOFORN text), after the redaction rules are
burned in. A reader's query then searches only the fields at or below their ceiling, so
no hit and no facet count can come from text they may not see. What the rules redacted
goes, as written, to `withheld`, which only editors (and the local desk) search.

`name_keys` is searched by no query: it holds the folded words the index's tokenizer cuts
in pieces (`Kar\u00adzai`, `Sar-\nkozy`: redact.match.joined_keys), so that a new
redaction rule finds every cable it touches (archive.editorial.affected_ids).
"""

from __future__ import annotations

from cabledesk.record.level import Level
from cabledesk.redact.ceiling import may_see

RANKS = tuple(Level)


def text_field(rank: int, noforn: bool) -> str:
    return f"t{int(rank)}{'nf' if noforn else ''}"


def subject_field(rank: int, noforn: bool) -> str:
    return f"s{int(rank)}{'nf' if noforn else ''}"


TEXT_FIELDS = tuple(text_field(r, nf) for r in RANKS for nf in (False, True))
SUBJECT_FIELDS = tuple(subject_field(r, nf) for r in RANKS for nf in (False, True))
WITHHELD = "withheld"
NAME_KEYS = "name_keys"


def visible(ceiling: int, foreign: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(text fields, subject fields) a reader with this ceiling may search."""
    classes = [(r, nf) for r in RANKS for nf in (False, True) if may_see(r, nf, ceiling, foreign)]
    return (
        tuple(text_field(r, nf) for r, nf in classes),
        tuple(subject_field(r, nf) for r, nf in classes),
    )


# Entities (docs/entities.md, "Searching by entity"): each cable's document lists the ids of
# the entities it mentions, once per kind and per *reader's view* (a ceiling, and whether
# the reader is foreign), each field holding only the entities with a mention in a part of
# the cable that view may see. Cumulative, unlike the text fields, so that one terms
# aggregation over one field counts each cable once (a facet), and one term query finds
# it. Four ceilings, foreign or not: 8 views; editors who see everything use the widest.
ENTITY_KINDS = ("person", "org", "place", "post")


def entity_field(kind: str, ceiling: int, foreign: bool) -> str:
    return f"ent_{kind}_{int(ceiling)}{'f' if foreign else ''}"


ENTITY_FIELDS = tuple(
    entity_field(kind, int(ceiling), foreign)
    for kind in ENTITY_KINDS
    for ceiling in RANKS
    for foreign in (False, True)
)


# `has:redactions` (the source's own blanks, `XXXXXXXXXXXX`) per reader's view, like the
# entity fields: a cable's `has` field holds `redactions` when its whole stored text has
# blanks (for those who see everything) and blanks_value(ceiling, foreign) for each view
# whose readable text has some (archive.prepare._blanks_seen), so that no reader learns
# that text withheld from them holds blanks.
def blanks_value(ceiling: int, foreign: bool) -> str:
    return f"redactions_{int(ceiling)}{'f' if foreign else ''}"
