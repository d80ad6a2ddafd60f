"""Burning redaction rules into a record (its dict form), field by field.

Name rules apply to every piece of text a record carries, metadata included (an origin
or an addressee can name the person too); only the fields that are structure, not text
(ids, dates, levels, markings, routing, counts) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cabledesk.redact.match import NamePattern, compile_rule
from cabledesk.redact.model import REDACTED, Rule

# Keys whose values are structure, never prose: redacting them would break the record
# and they cannot carry a name (a station code is not a person).
STRUCTURE = frozenset(
    {
        "reference_id",
        "reference_id_raw",
        "created",
        "released",
        "classification",
        "caveats",
        "format",
        "location",
        "station",
        "serial",
        "dtg",
        "sent",
        "route",
        "precedence",
        "sequence",
        "route_source",
        "marking",
        "marking_raw",
        "subject_marking",
        "cable_id",
        "label",
        "filed",
        "section",
        "relay_routes",
        "channel",
        "security_warning",
        "operating_signals",
        "declassify_on",
        "corrected_copy",
        "positions",
        "repairs",
        "redactions",
        "reasons",
    }
)
_WORDS = re.compile(r"[^\W_]+")


class Redactor:
    """The active name and span rules, ready to apply to many records."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = [rule for rule in rules if rule.active]
        self.patterns: list[NamePattern] = [
            p for p in map(compile_rule, self.rules) if p is not None
        ]
        self.paragraph_rules = [r for r in self.rules if r.kind == "paragraph"]

    def __bool__(self) -> bool:
        return bool(self.rules)

    def patterns_for(self, reference_id: str | None, words: set[str]) -> list[NamePattern]:
        """The patterns that may match this cable: its own span rules and the name rules
        whose first word it contains (a set look-up, so thousands of rules stay cheap)."""
        return [
            p
            for p in self.patterns
            if p.rule.applies_to(reference_id) and any(f in words for f in p.firsts)
        ]

    def burned(
        self, reference_id: str | None, record: dict[str, Any]
    ) -> tuple[dict[str, Any], list[NamePattern], set[int]]:
        """What the rules do to one record (its dict form): the record with the matching
        name and span rules burned in (the same dict when none may match), those rules'
        patterns, and the numbers of the paragraphs its paragraph rules withhold. The
        index (archive.prepare) and every reader's view (Viewer) go through this one step."""
        patterns = self.patterns_for(reference_id, words_of(record)) if self.patterns else []
        return burn(record, patterns), patterns, self.withheld_paragraphs(reference_id)

    def withheld_paragraphs(self, reference_id: str | None) -> set[int]:
        return {
            r.paragraph
            for r in self.paragraph_rules
            if r.cable_id == reference_id and r.paragraph is not None
        }


def words_of(record: dict[str, Any]) -> set[str]:
    """Every word of a record's text, lower-cased (to pick the rules worth trying)."""
    found: set[str] = set()
    for text in (record.get("raw") or "", record.get("text") or ""):
        found.update(w.lower() for w in _WORDS.findall(text))
    return found


def burn(value: Any, patterns: list[NamePattern], key: str = "") -> Any:
    """`value` with every match of `patterns` replaced by [REDACTED], recursively."""
    if key in STRUCTURE or not patterns:
        return value
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(REDACTED, value)
        return value
    if isinstance(value, list):
        return [burn(item, patterns, key) for item in value]
    if isinstance(value, dict):
        return {k: burn(v, patterns, k) for k, v in value.items()}
    return value
