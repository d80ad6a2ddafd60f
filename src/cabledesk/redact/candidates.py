"""Candidate finder: where a cable likely names a protected source. It proposes; an editor
decides. Three signals, each reported with the passage that raised it:

- a name or a role next to PROTECT / STRICTLY PROTECT / "protect source";
- a name in a paragraph that already carries XXXXXXXXXXXX redactions (the source was
  redacted in one place and may be named in another);
- any name the editor listed.

An editor sees the redactions unburned (they must see what they redact) but nothing above
their own ceiling, nor NOFORN text when foreign: the finder reads the cable as their
Viewer gives it, so a withheld paragraph offers neither a name nor a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cabledesk.record.model import Cable
from cabledesk.redact.match import compile_rule
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer

_PROTECT = re.compile(r"\b(strictly\s+protect|protect\s+source|protect)\b", re.IGNORECASE)
# Two to four capitalised words (with initials, particles and hyphens): a person's name.
_NAME = re.compile(
    r"\b(?:[A-Z][a-z]+|[A-Z]\.)(?:[ \t]+(?:(?:al|el|bin|de|del|da|van|von)[ -]|[A-Z]\.[ \t]*)?"
    r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,3}\b"
)
_ROLE = re.compile(
    r"\b(?:contact|source|interlocutor|official|officer|member|leader|activist|journalist|"
    r"businessman|advisor|adviser|aide|deputy|director|minister|chief)\b[^.;]{0,60}",
    re.IGNORECASE,
)
_REDACTION = re.compile(r"[Xx]{5,}")
_WINDOW = 200
# Capitalised pairs that are not people: too common in cables to be worth proposing.
_NOT_NAMES = frozenset(
    {
        "Prime Minister",
        "Foreign Minister",
        "United States",
        "Supreme Leader",
        "End Summary",
        "End Comment",
        "Classified By",
        "Embassy Officer",
    }
)


@dataclass(frozen=True, slots=True)
class Candidate:
    reference_id: str
    paragraph: int | None
    text: str
    why: str
    context: str


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 80) : end + 80].split())


def _add(
    found: dict[tuple[int | None, str, str], Candidate],
    reference_id: str,
    number: int | None,
    text: str,
    span: tuple[int, int],
    why: str,
) -> None:
    value = " ".join(text[span[0] : span[1]].split())
    if value in _NOT_NAMES:
        return
    candidate = Candidate(reference_id, number, value, why, _context(text, *span))
    found.setdefault((number, value.lower(), why), candidate)


def find_candidates(cable: Cable, names: list[str] | None, viewer: Viewer) -> list[Candidate]:
    """The proposals for one stored cable, from what `viewer` (the editor's, redactions
    not burned in) may see of it: a CONFIDENTIAL editor gets nothing from 04RANGOON1100's
    SECRET paragraphs. The viewer is required, so no caller forgets the ceiling."""
    found: dict[tuple[int | None, str, str], Candidate] = {}
    reference_id = cable.reference_id or ""
    cable = viewer.view(cable)
    listed = [
        p for p in (compile_rule(Rule(kind="name", text=n)) for n in names or []) if p is not None
    ]
    for paragraph in cable.paragraphs:
        text, number = paragraph.text, paragraph.number
        for marker in _PROTECT.finditer(text):
            why = marker.group(0).upper()
            low, high = max(0, marker.start() - _WINDOW), marker.end() + _WINDOW
            for name in _NAME.finditer(text, low, high):
                _add(found, reference_id, number, text, name.span(), f"name near {why}")
            for role in _ROLE.finditer(text, low, high):
                _add(found, reference_id, number, text, role.span(), f"role near {why}")
        if _REDACTION.search(text):
            for name in _NAME.finditer(text):
                why = "name in a paragraph with redactions"
                _add(found, reference_id, number, text, name.span(), why)
        for pattern in listed:
            for match in pattern.pattern.finditer(text):
                _add(found, reference_id, number, text, match.span(), "on the editor's list")
    return sorted(found.values(), key=lambda c: (c.paragraph or 0, c.why, c.text))
