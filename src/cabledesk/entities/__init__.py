"""Entities: the people, organisations, places and posts a cable names (docs/entities.md).

`extract(cable)` reads one record and returns its mentions, each with the entity's name
and archive-wide key as this cable resolves them. Pure functions of the record and the
bundled tables: the enrichment job runs them anywhere (worker processes, a Dask cluster).
"""

from cabledesk.entities.cable import EXTRACTOR_VERSION, extract
from cabledesk.entities.model import KINDS, ORG, PERSON, PLACE, POST, Mention
from cabledesk.entities.names import entity_key, name_key, person_name

__all__ = [
    "EXTRACTOR_VERSION",
    "KINDS",
    "ORG",
    "PERSON",
    "PLACE",
    "POST",
    "Mention",
    "entity_key",
    "extract",
    "name_key",
    "person_name",
]
