"""Burning redaction rules into a record (its dict form), field by field.

Name rules apply to every piece of text a record carries, metadata included (an origin
or an addressee can name the person too); only the fields that are structure, not text
(ids, dates, levels, markings, routing, counts) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from cabledesk.redact.match import ANY_NAME, NamePattern, compile_rule, fold, joined_keys, name_keys
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


# Up to this many rules that may apply, a record's folded text is searched for each;
# beyond, its name keys are computed once and looked up.
_SCAN_AT_MOST = 32


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

    def patterns_for(self, reference_id: str | None, record: dict[str, Any]) -> list[NamePattern]:
        """The patterns that may match this record: its own span rules and the name rules
        whose first word, folded, occurs in its folded text (match.fold: a superset of
        what the patterns match, in any dress). With many rules, a set look-up of the
        record's name keys instead, so thousands of rules stay cheap."""
        candidates = [p for p in self.patterns if p.rule.applies_to(reference_id)]
        if not candidates:
            return []
        text = "\n\n".join(record_texts(record))
        if len(candidates) <= _SCAN_AT_MOST:
            folded = fold(text)
            return [p for p in candidates if any(f in folded for f in p.firsts)]
        keys = name_keys(text)
        every = ANY_NAME in keys
        return [p for p in candidates if every or any(f in keys for f in p.firsts)]

    def burned(
        self, reference_id: str | None, record: dict[str, Any]
    ) -> tuple[dict[str, Any], list[NamePattern], set[int]]:
        """What the rules do to one record (its dict form): the record with the matching
        name and span rules burned in (the same dict when none may match), those rules'
        patterns, and the numbers of the paragraphs its paragraph rules withhold. The
        index (archive.prepare) and every reader's view (Viewer) go through this one step."""
        patterns = self.patterns_for(reference_id, record) if self.patterns else []
        return burn(record, patterns), patterns, self.withheld_paragraphs(reference_id)

    def withheld_paragraphs(self, reference_id: str | None) -> set[int]:
        return {
            r.paragraph
            for r in self.paragraph_rules
            if r.cable_id == reference_id and r.paragraph is not None
        }


def record_texts(record: Any, key: str = "") -> Iterator[str]:
    """Every text of a record that `burn` burns (all but the structure fields)."""
    if key in STRUCTURE:
        return
    if isinstance(record, str):
        yield record
    elif isinstance(record, list):
        for item in record:
            yield from record_texts(item, key)
    elif isinstance(record, dict):
        for name, item in record.items():
            yield from record_texts(item, name)


def record_joined_keys(record: dict[str, Any]) -> list[str]:
    """The keys (match.joined_keys) of the words of a record that the index's tokenizer
    cuts in pieces; kept in the index so a new rule finds every cable it touches."""
    return sorted(joined_keys("\n\n".join(record_texts(record))))


def burn(value: Any, patterns: list[NamePattern], key: str = "") -> Any:
    """`value` with every match of `patterns` replaced by [REDACTED], recursively."""
    if key in STRUCTURE or not patterns:
        return value
    if isinstance(value, str):
        folded = fold(value)
        for pattern in patterns:
            burned = pattern.sub(REDACTED, value, folded)
            if burned is not value:
                value, folded = burned, fold(burned)
        return value
    if isinstance(value, list):
        return [burn(item, patterns, key) for item in value]
    if isinstance(value, dict):
        return {k: burn(v, patterns, k) for k, v in value.items()}
    return value
