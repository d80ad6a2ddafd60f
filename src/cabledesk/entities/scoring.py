"""Scoring extracted entities against a hand-made gold set (docs/entities.md, "Accuracy").

A gold line names a cable and lists its entities: kind, canonical name, every surface form
the cable uses. The score is at entity level per cable, as the published figures for
spaCy on cables are: a predicted entity (all the mentions sharing one key in one cable)
is right when its kind is the gold's and one of its forms (its name or a surface) is one
of the gold entity's forms, compared by `names.name_key` after titles are taken off the
front (`PM Maliki` and `Maliki` are one form). Each gold entity matches at most one
predicted entity; an extra entity for the same person counts against precision, which is
how a split person is paid for. Resolution is scored apart: of the gold people found, the
share found as exactly one entity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cabledesk.entities.model import KINDS, Mention
from cabledesk.entities.names import name_key, plain
from cabledesk.entities.titles import PORTFOLIOS, person_titles

QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def form(text: str) -> str:
    """A surface form as the scorer compares it: titles and `the` off the front, a
    qualifier in brackets off the end (`Labour Party (UK)` is `Labour Party`)."""
    text = QUALIFIER.sub("", text)
    words = plain(text).split()
    titles = person_titles()
    # `Finance Minister Zakhilwal` is Zakhilwal: portfolio words before a title go with it.
    lead = 0
    while lead < len(words) - 1 and words[lead] in PORTFOLIOS - {"and", "of", "the", "for"}:
        lead += 1
    if 0 < lead < len(words) - 1 and words[lead] in titles:
        words = words[lead:]
    changed = True
    while changed and len(words) > 1:
        changed = False
        for size in (4, 3, 2, 1):
            if len(words) > size and " ".join(words[:size]) in titles | {"the"}:
                words = words[size:]
                changed = True
                break
    return name_key(" ".join(words))


@dataclass
class Counts:
    true_positive: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    by_kind: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    people_found: int = 0
    people_whole: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # cable, kind, name
    extras: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        out = Counts()
        for counts in self.by_kind.values():
            out.true_positive += counts.true_positive
            out.predicted += counts.predicted
            out.gold += counts.gold
        return out

    @property
    def resolution(self) -> float:
        return self.people_whole / self.people_found if self.people_found else 0.0


@dataclass(frozen=True)
class Predicted:
    kind: str
    name: str
    forms: frozenset[str]


def predicted_entities(mentions: Iterable[Mention]) -> list[Predicted]:
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.kind in KINDS:  # candidates are nobody until the archive says
            groups[mention.key].append(mention)
    out = []
    for group in groups.values():
        forms = {form(group[0].name)} | {form(m.surface) for m in group}
        out.append(Predicted(group[0].kind, group[0].name, frozenset(f for f in forms if f)))
    return out


def score_cable(
    cable_id: str, gold: list[dict[str, object]], mentions: list[Mention], score: Score
) -> None:
    predicted = predicted_entities(mentions)
    used: set[int] = set()
    for entity in predicted:
        score.by_kind[entity.kind].predicted += 1
    for item in gold:
        kind = str(item["kind"])
        aliases = item.get("aliases") or []
        assert isinstance(aliases, list)
        forms = {form(str(item["name"]))} | {form(str(a)) for a in aliases}
        forms.discard("")
        score.by_kind[kind].gold += 1
        overlapping = [
            index
            for index, entity in enumerate(predicted)
            if entity.kind == kind and entity.forms & forms
        ]
        free = [index for index in overlapping if index not in used]
        if free:
            best = max(free, key=lambda i: len(predicted[i].forms & forms))
            used.add(best)
            score.by_kind[kind].true_positive += 1
        else:
            score.misses.append((cable_id, kind, str(item["name"])))
        if kind == "person" and overlapping:
            score.people_found += 1
            score.people_whole += len(overlapping) == 1
    for index, entity in enumerate(predicted):
        if index not in used:
            score.extras.append((cable_id, entity.kind, entity.name))
