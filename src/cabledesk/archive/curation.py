"""Replaying editors' decisions (the entity register) over the automatic resolution.

Pure Python over what `entities.resolve` read: no SQL here. The automatic resolution maps
every mention key to an entity key; decisions then apply in version order, each to the
state the earlier ones left, so the outcome is deterministic and the same after any
re-extraction that gives the same keys:

- merge: the entity of key A joins the entity of key B (a union: later decisions about A
  reach B's entity);
- rename, retype: the entity's name or kind, whatever the extractor says;
- delete: the entity is not an entity; its mentions count nowhere, for anyone;
- alias_add: every mention whose surface has the alias's name key joins the entity,
  wherever the extractor put it (not one in a deleted entity: deleting is final);
- split: the entity's mentions in the given cables and/or with the given surfaces move to
  the entity of the key of the given name (a new one, or the one that name already is).

Merge, rename, retype and delete act on whole keys; alias and split move single mentions,
named by (cable rowid, position) only within one resolution: they are found again from
the decision's cables and surfaces every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cabledesk.archive.entity_register import (
    ALIAS_ADD,
    DELETE,
    MERGE,
    RENAME,
    RETYPE,
    SPLIT,
    Decision,
)
from cabledesk.entities.names import entity_key, name_key

Place = tuple[int, int]  # (cable rowid, position) of a mention, in this resolution only


@dataclass(frozen=True, slots=True)
class Candidate:
    """A mention some decision in force may move (the rest move only with their key)."""

    cable_id: int
    position: int
    key: str
    name: str
    surface_key: str


@dataclass
class Selectors:
    """What makes a mention a candidate: an alias's surface key, or a split's cables
    (rowids) and surfaces (name keys)."""

    alias_keys: set[str] = field(default_factory=set)
    splits: list[tuple[frozenset[int] | None, frozenset[str] | None]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.alias_keys or self.splits)

    def wants(self, cable_id: int, surface_key: str) -> bool:
        if surface_key in self.alias_keys:
            return True
        return any(_matches(c, s, cable_id, surface_key) for c, s in self.splits)


def _matches(
    cables: frozenset[int] | None, surfaces: frozenset[str] | None, cable_id: int, surface: str
) -> bool:
    return (cables is None or cable_id in cables) and (surfaces is None or surface in surfaces)


def selectors(decisions: Iterable[Decision], cable_ids: dict[str, int]) -> Selectors:
    """The candidate tests for these decisions; `cable_ids` maps reference ids to rowids."""
    out = Selectors()
    for decision in decisions:
        if decision.action == ALIAS_ADD:
            out.alias_keys.add(name_key(decision.payload["surface"]))
        elif decision.action == SPLIT:
            out.splits.append(_split_selector(decision, cable_ids))
    return out


def _split_selector(
    decision: Decision, cable_ids: dict[str, int]
) -> tuple[frozenset[int] | None, frozenset[str] | None]:
    cables = decision.payload.get("cables") or []
    surfaces = decision.payload.get("surfaces") or []
    return (
        frozenset(cable_ids[c] for c in cables if c in cable_ids) if cables else None,
        frozenset(name_key(s) for s in surfaces) if surfaces else None,
    )


class Replay:
    """The state decisions act on: entity keys in a union (merges), mentions moved one by
    one (aliases, splits), names, kinds and deletions of the entities (by their root key)."""

    def __init__(self, target: dict[str, str], kinds: dict[str, str]) -> None:
        self.target = target  # mention key -> entity key, as the automatic resolution says
        self.mention_kinds = kinds  # mention key -> the extractor's kind
        self.parent: dict[str, str] = {}
        self.created: dict[str, str] = {}  # split targets no mention key gives: key -> kind
        self.moved: dict[Place, str] = {}
        self.deleted: set[str] = set()
        self.names: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.applied = 0

    def find(self, key: str) -> str:
        path = []
        while key in self.parent:
            path.append(key)
            key = self.parent[key]
        for step in path:
            self.parent[step] = key
        return key

    def entity_of_key(self, key: str) -> str | None:
        """The root entity key of a mention key or of an entity key, or None (unknown)."""
        if key in self.target:
            return self.find(self.target[key])
        if key in self.created:
            return self.find(key)
        return None

    def entity_of(self, mention: Candidate) -> str:
        place = (mention.cable_id, mention.position)
        return self.find(self.moved[place]) if place in self.moved else self.natural(mention)

    def natural(self, mention: Candidate) -> str:
        """The entity a mention's key gives it (where it stands unless moved); "" for a
        candidate no one explained, which belongs to no entity until a decision moves it."""
        target = self.target.get(mention.key)
        return self.find(target) if target is not None else ""

    def kind_of(self, root: str) -> str:
        if root in self.kinds:
            return self.kinds[root]
        if root in self.created:
            return self.created[root]
        return self.mention_kinds[root]

    def apply(
        self, decision: Decision, candidates: list[Candidate], cable_ids: dict[str, int]
    ) -> bool:
        """Apply one decision; False when it finds nothing to act on (a key no current
        mention has, a deleted entity): it stays in the register, inert, and acts again
        if a later extraction gives the key back."""
        keys = [self.entity_of_key(k) for k in decision.keys]
        if not keys or any(k is None or k in self.deleted for k in keys):
            return False
        entity = keys[0]
        assert entity is not None
        action, payload = decision.action, decision.payload
        if action == MERGE:
            into = keys[1]
            assert into is not None
            if into == entity:
                return False
            self.parent[entity] = into
        elif action == RENAME:
            self.names[entity] = str(payload["name"])
        elif action == RETYPE:
            self.kinds[entity] = str(payload["kind"])
        elif action == DELETE:
            self.deleted.add(entity)
        elif action == ALIAS_ADD:
            alias = name_key(payload["surface"])
            for mention in candidates:
                if mention.surface_key == alias and self.entity_of(mention) not in self.deleted:
                    self.moved[(mention.cable_id, mention.position)] = entity
        elif action == SPLIT:
            return self._split(decision, entity, candidates, cable_ids)
        else:
            return False
        self.applied += 1
        return True

    def _split(
        self,
        decision: Decision,
        entity: str,
        candidates: list[Candidate],
        cable_ids: dict[str, int],
    ) -> bool:
        kind = str(decision.payload.get("kind") or self.kind_of(entity))
        name = str(decision.payload["name"])
        new = entity_key(kind, name)
        into = self.entity_of_key(new)
        if into is None:
            self.created[new] = kind
            self.names[new] = name
            into = new
        if into == entity or into in self.deleted:
            return False
        cables, surfaces = _split_selector(decision, cable_ids)
        for mention in candidates:
            if (
                _matches(cables, surfaces, mention.cable_id, mention.surface_key)
                and self.entity_of(mention) == entity
            ):
                self.moved[(mention.cable_id, mention.position)] = into
        self.applied += 1
        return True

    def moves(self, candidates: list[Candidate]) -> list[tuple[Candidate, str]]:
        """The mentions that end elsewhere than their key puts them, with the root entity
        key they end in (a deleted one: then they count nowhere)."""
        out = []
        for mention in candidates:
            place = (mention.cable_id, mention.position)
            if place not in self.moved:
                continue
            end = self.find(self.moved[place])
            if end != self.natural(mention):
                out.append((mention, end))
        return out
