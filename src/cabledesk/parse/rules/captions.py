"""The caption block: everything between the top of the text and the first paragraph.

Its parts come in a usual order (classification line, captions, passing lines, E.O., TAGS,
SUBJECT, REF, Classified By) but each is optional and real cables shuffle them, so every
block rule is tried at every line. Lines no rule knows that stand before the last caption
item are passing/attention lines (`STATE FOR EUR/WE`, `NSC FOR VOLKER`).
"""

from __future__ import annotations

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
# Each built-in rule's trigger by a number, tested in `_fires`: a direct call of compiled
# code (the tests as callables cost a generic call each, some ten a caption line), and the
# E.O. test, which two triggers ask, made once a line.
_ALWAYS: Final = 0
_DATELINE: Final = 1
_PARTNER_EXPORT: Final = 2
_HANDLING: Final = 3
_CLASSIFIED_BY: Final = 4
_RUN_TOGETHER: Final = 5
_EO_LINE: Final = 6
_TAGS: Final = 7
_SUBJECT: Final = 8
_REFERENCES: Final = 9
_PASSING: Final = 10
_TRIGGERS: Final = {
    "dateline": _DATELINE,
    "partner_export": _PARTNER_EXPORT,
    "handling": _HANDLING,
    "classified_by": _CLASSIFIED_BY,
    "run_together": _RUN_TOGETHER,
    "eo_line": _EO_LINE,
    "tags": _TAGS,
    "subject": _SUBJECT,
    "references": _REFERENCES,
    "passing": _PASSING,
}
# `may_be_eo(line)` not yet known.
_UNKNOWN: Final = -1


def _fires(code: int, line: str, start: str, eo: int) -> bool:
    """Whether the rule with trigger `code` is offered `line` (`start`: its `head`; `eo`:
    `may_be_eo(line)` as 0 or 1, already known because the caller asked `_needs_eo`)."""
    if code == _ALWAYS:
        return True
    if code == _DATELINE:
        return "day," in line[:14]
    if code == _PARTNER_EXPORT:
        return ":" in line[:16]
    if code == _HANDLING:
        return start.startswith(_HANDLING_STARTS) or "//" in line[:40]
    if code == _CLASSIFIED_BY:
        return "CLASS" in start
    if code == _RUN_TOGETHER:
        return start.startswith(("TAG", "SUBJ", *_HANDLING_STARTS)) or eo == 1
    if code == _EO_LINE:
        return start.startswith("DECLASSIFY") or eo == 1
    if code == _TAGS:
        return start.startswith("TAG")
    if code == _SUBJECT:
        return start.startswith("SUBJ")
    if code == _REFERENCES:
        return start.startswith("REF")
    upper = line.upper()  # _PASSING
    return "FOR" in upper or "PASS" in upper


def _needs_eo(code: int, start: str) -> bool:
    """Whether `_fires` reads `eo` for this rule and line (the tests before it in its `or`
    did not decide)."""
    if code == _RUN_TOGETHER:
        return not start.startswith(("TAG", "SUBJ", *_HANDLING_STARTS))
    return code == _EO_LINE and not start.startswith("DECLASSIFY")


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
        # (trigger code, rule); a rule an extension adds has none (`_ALWAYS`).
        self._rules: list[tuple[int, BlockRule]] = []
        self._built_for: tuple[Ruler[BlockRule], int] | None = None

    def _active(self) -> list[tuple[int, BlockRule]]:
        built = self._built_for
        if built is None or built[0] is not self.ruler or built[1] != self.ruler.version:
            self._rules = [
                (_TRIGGERS.get(named.name, _ALWAYS), named.rule) for named in self.ruler.active()
            ]
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
            eo = _UNKNOWN
            # A plain loop: a generator under any() costs more than the tests it runs.
            for code, rule in rules:
                if eo == _UNKNOWN and _needs_eo(code, start):
                    eo = 1 if may_be_eo(line) else 0
                if _fires(code, line, start, eo) and rule(state):
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
