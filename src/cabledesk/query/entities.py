"""What the query fields `person:`, `org:`, `place:`, `entity:` and the entity facets ask
of the entities, as one reader may see them (docs/entities.md, "Searching by entity").

The query layer knows no entity table: the facade hands the compiler an `EntityLookup`
built from the reader's view (`Archive._seen`, `Archive._hidden`), so that a name, an id
or a facet value a reader may not see answers exactly as one the archive does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The query fields that name entities, and the kind each looks for.
NAME_FIELDS = {"person": "person", "org": "org", "place": "place"}
# The entity facets beside the others, and the kind each counts.
ENTITY_FACETS = {"people": "person", "organisations": "org", "places": "place"}
ENTITY_FACET_SIZE = 20


class EntityLookup(Protocol):
    @property
    def excluded(self) -> frozenset[str]:
        """Cables whose mentions do not count for this reader (an editor's rule names
        them by id): no entity finds them and no facet counts them."""
        ...

    def named(self, kind: str, words: list[str]) -> list[int]:
        """Ids of the entities of `kind` this reader may see with a name holding `words`
        (name keys: cabledesk.entities.names.name_words) in a row."""
        ...

    def current(self, entity_id: int) -> tuple[str, int] | None:
        """(kind, id) of the entity this id names now (an entity merged into another
        names that one), or None when it does not exist for this reader."""
        ...

    def shown(self, entity_ids: list[int]) -> dict[int, str]:
        """The names of those of `entity_ids` this reader may see."""
        ...


@dataclass(frozen=True, slots=True)
class EntityFacet:
    """One value of an entity facet: the entity, and how many matching cables mention it
    where the reader may see it."""

    id: int
    name: str
    count: int
