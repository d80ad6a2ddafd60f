"""The caption block: everything between the top of the text and the first paragraph.

Its parts come in a usual order (classification line, captions, passing lines, E.O., TAGS,
SUBJECT, REF, Classified By) but each is optional and real cables shuffle them, so every
block rule is tried at every line. Lines no rule knows that stand before the last caption
item are passing/attention lines (`STATE FOR EUR/WE`, `NSC FOR VOLKER`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from cabledesk.parse.patterns import (
    CLASSIFIED_BY,
    PARAGRAPH_START,
    REDACTED_LINE,
    head,
    is_caption_item,
    may_be_eo,
)
from cabledesk.parse.ruler import BlockRule, Ruler
from cabledesk.parse.rules.classification_line import classification_line_rule
from cabledesk.parse.rules.classified_by import classified_by_rule
from cabledesk.parse.rules.dateline import dateline_rule, partner_export_rule
from cabledesk.parse.rules.eo_line import eo_rule
from cabledesk.parse.rules.handling import handling_rule
from cabledesk.parse.rules.passing import add_passing, passing_rule
from cabledesk.parse.rules.references import references_rule
from cabledesk.parse.rules.run_together import run_together_rule
from cabledesk.parse.rules.subject import is_prose, subject_rule
from cabledesk.parse.rules.tags import tags_rule
from cabledesk.parse.state import ParseState

_REGION_LINES: Final = 60


# Cheap tests of a line (and its upper-cased start) before a rule is offered it; a rule an
# extension adds has no trigger and sees every line.
_HANDLING_STARTS: Final = (
    "SIPDIS", "NOFORN", "SENSITIVE", "NOT FOR", "FOR ALL", "EXDIS", "NODIS", "LIMDIS",
    "STADIS", "ROGER", "CHEROKEE", "SPECAT", "EFTO", "C O R", "CORR", "C ORR",
)  # fmt: skip
_TRIGGERS: dict[str, Callable[[str, str], bool]] = {
    "dateline": lambda line, start: "day," in line[:14],
    "partner_export": lambda line, start: ":" in line[:16],
    "handling": lambda line, start: start.startswith(_HANDLING_STARTS) or "//" in line[:40],
    "classified_by": lambda line, start: "CLASS" in start,
    "run_together": lambda line, start: (
        start.startswith(("TAG", "SUBJ", *_HANDLING_STARTS)) or may_be_eo(line)
    ),
    "eo_line": lambda line, start: start.startswith("DECLASSIFY") or may_be_eo(line),
    "tags": lambda line, start: start.startswith("TAG"),
    "subject": lambda line, start: start.startswith("SUBJ"),
    "references": lambda line, start: start.startswith("REF"),
    "passing": lambda line, start: "FOR" in (upper := line.upper()) or "PASS" in upper,
}


def caption_rules() -> Ruler[BlockRule]:
    return Ruler(
        [
            ("dateline", dateline_rule),
            ("partner_export", partner_export_rule),
            ("classification_line", classification_line_rule),
            ("handling", handling_rule),
            # Before the E.O. rule: `Classified By: ... for E.O. 12958 reasons 1.4 (b)`.
            ("classified_by", classified_by_rule),
            # Before the item rules: they read items that stand on lines of their own.
            ("run_together", run_together_rule),
            ("eo_line", eo_rule),
            ("tags", tags_rule),
            ("subject", subject_rule),
            ("references", references_rule),
            ("passing", passing_rule),
        ]
    )


def _last_caption_item(lines: list[str], start: int) -> int:
    """Index of the last caption item before the narrative visibly begins (-1: none)."""
    last = -1
    for index in range(start, min(len(lines), start + _REGION_LINES)):
        line = lines[index]
        if line[:4].strip()[:1].isdigit() and PARAGRAPH_START.match(line):
            break
        if is_caption_item(line):
            last = index
        elif is_prose(line):
            break
    return last


class CaptionBlock:
    """The core rule that runs the caption block rules over the top of the text."""

    def __init__(self, ruler: Ruler[BlockRule]) -> None:
        self.ruler = ruler
        # The active rules with their triggers, built again only when the ruler (or its
        # version) changed: building them for each cable cost 2 µs.
        self._rules: list[tuple[Callable[[str, str], bool] | None, BlockRule]] = []
        self._built_for: tuple[Ruler[BlockRule], int] | None = None

    def _active(self) -> list[tuple[Callable[[str, str], bool] | None, BlockRule]]:
        built = self._built_for
        if built is None or built[0] is not self.ruler or built[1] != self.ruler.version:
            self._rules = [(_TRIGGERS.get(named.name), named.rule) for named in self.ruler.active()]
            self._built_for = (self.ruler, self.ruler.version)
        return self._rules

    def __reduce__(self) -> tuple[type[CaptionBlock], tuple[Ruler[BlockRule]]]:
        # Compiled by mypyc, the class would be rebuilt by calling it with no arguments;
        # a parser sent to the ingest's worker processes carries its caption rules.
        return (CaptionBlock, (self.ruler,))

    def __call__(self, state: ParseState) -> None:
        rules = self._active()
        state.caption_start = state.pos
        # Where the last caption item stands is only needed for a line no rule takes, which
        # many cables never have: looked up then, in the lines as they stand (rules split
        # glued lines as they go, which moves the lines after them: then again).
        last_item = -1
        counted = (-1, -1)
        while state.pos < len(state.lines):
            line = state.lines[state.pos]
            if not line.strip():
                state.pos += 1
                continue
            if (
                line.lstrip()[:1].isdigit()
                and PARAGRAPH_START.match(line)
                and not CLASSIFIED_BY.match(line)
            ):
                break
            start = head(line)
            # A plain loop: a generator under any() costs more than the tests it runs.
            for trigger, rule in rules:
                if (trigger is None or trigger(line, start)) and rule(state):
                    break
            else:
                if counted != (len(state.lines), state.caption_start):
                    counted = (len(state.lines), state.caption_start)
                    last_item = _last_caption_item(state.lines, state.caption_start)
                if state.pos >= last_item:
                    break
                if not REDACTED_LINE.match(line):
                    add_passing(state, line)
                state.pos += 1
        state.narrative_start = state.pos
