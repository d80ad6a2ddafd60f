"""What the editor panel of an entity's page lists (editors only): the aliases editors gave
the entity that are in force, and the entity register's rows about it."""

from __future__ import annotations

from dataclasses import dataclass

from cabledesk.facade import Archive
from cabledesk.redact import Viewer


@dataclass(frozen=True, slots=True)
class Curation:
    aliases: list[str]
    decisions: list[dict[str, object]]  # entity_history rows, newest first


def curation_of(archive: Archive, entity_id: int, viewer: Viewer) -> Curation:
    """From the register's history, which only an editor's viewer may read (AccessError
    for anyone else: the page asks only for editors)."""
    rows = [r for r in archive.entity_history(viewer=viewer) if entity_id in _ids(r)]
    aliases = [
        str(_payload(r)["surface"])
        for r in rows
        if r["action"] == "alias_add" and r["in_force"] and _ids(r)[:1] == [entity_id]
    ]
    return Curation(aliases=aliases, decisions=list(reversed(rows)))


def _ids(row: dict[str, object]) -> list[object]:
    entities = row["entities"]
    return list(entities) if isinstance(entities, list) else []


def _payload(row: dict[str, object]) -> dict[str, object]:
    payload = row["payload"]
    return payload if isinstance(payload, dict) else {}
