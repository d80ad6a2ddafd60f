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
from collections.abc import Iterator
from dataclasses import dataclass

from cabledesk.record.model import Cable
from cabledesk.record.rest_text import outside_paragraphs
from cabledesk.redact.match import compile_rule
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer

_PROTECT = re.compile(r"\b(strictly\s+protect|protect\s+source|protect)\b", re.IGNORECASE)
# A run of capitalised words (with initials, particles and hyphens); it is cut at words
# that are not names (below), and each piece of two words or more is proposed as a name.
_RUN = re.compile(
    r"\b(?:[A-Z][a-z]+|[A-Z]\.)(?:[ \t]+(?:(?:al|el|bin|de|del|da|van|von)[ -]|[A-Z]\.[ \t]*)?"
    r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?)+\b"
)
_TOKEN = re.compile(
    r"(?:(?:al|el|bin|de|del|da|van|von)[ -])?(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]\.)"
)
# Capitalised words that are no part of a person's name: words that open a sentence,
# months and days, and institutions ("U.S. Embassy" is not "S. Embassy").
_NOT_NAME_WORDS = frozenset(
    [
        "a",
        "about",
        "according",
        "after",
        "against",
        "also",
        "although",
        "among",
        "an",
        "and",
        "another",
        "any",
        "as",
        "at",
        "before",
        "between",
        "both",
        "but",
        "by",
        "despite",
        "during",
        "each",
        "either",
        "even",
        "following",
        "for",
        "from",
        "further",
        "he",
        "her",
        "here",
        "his",
        "however",
        "if",
        "in",
        "instead",
        "it",
        "its",
        "meanwhile",
        "moreover",
        "most",
        "my",
        "neither",
        "nevertheless",
        "no",
        "nor",
        "not",
        "of",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "over",
        "per",
        "post",
        "pre",
        "regarding",
        "she",
        "since",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "under",
        "unless",
        "until",
        "upon",
        "we",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "with",
        "within",
        "without",
        "yet",
        "you",
        "your",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "embassy",
        "embassies",
        "mission",
        "missions",
        "consulate",
        "consulates",
        "ministry",
        "ministries",
        "government",
        "department",
        "office",
        "council",
        "committee",
        "agency",
        "bureau",
        "secretariat",
        "parliament",
        "assembly",
        "administration",
        "court",
        "party",
        "contact",
        "source",
        "charge",
        "affaires",
    ]
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
    # Found in the text outside the paragraphs (the caption block, the closing lines).
    caption: bool = False
    # The paragraph's place in the record (0 for the first; None: outside the paragraphs),
    # which its predicted sensitivity is stored by (docs/sensitivity.md).
    index: int | None = None

    @property
    def position(self) -> str:
        """Where it is, as printed: `¶4`, `caption`, or nothing (an unnumbered paragraph)."""
        if self.paragraph is not None:
            return f"¶{self.paragraph}"
        return "caption" if self.caption else ""


def _names(text: str, low: int = 0, high: int | None = None) -> Iterator[tuple[int, int]]:
    """Spans of two or more capitalised words that may be a person's name."""
    for run in _RUN.finditer(text, low, len(text) if high is None else high):
        piece: list[re.Match[str]] = []
        for token in [*_TOKEN.finditer(text, run.start(), run.end()), None]:
            if token is not None and not _not_name(text, token):
                piece.append(token)
                continue
            if sum(1 for t in piece if not t.group().endswith(".")) >= 2:
                yield piece[0].start(), piece[-1].end()
            piece = []


def _not_name(text: str, token: re.Match[str]) -> bool:
    word = token.group()
    if word.endswith("."):
        # An initial glued to what stands before it is an abbreviation's tail (`U.S.`).
        return token.start() > 0 and not text[token.start() - 1].isspace()
    return re.sub(r"^(?:al|el|bin|de|del|da|van|von)[ -]", "", word).lower() in _NOT_NAME_WORDS


def _context(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 80) : end + 80].split())


def _add(
    found: dict[tuple[int | None, str, str], Candidate],
    reference_id: str,
    number: int | None,
    text: str,
    span: tuple[int, int],
    why: str,
    caption: bool = False,
    index: int | None = None,
) -> None:
    value = " ".join(text[span[0] : span[1]].split())
    if value in _NOT_NAMES:
        return
    candidate = Candidate(reference_id, number, value, why, _context(text, *span), caption, index)
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
    # The text outside the paragraphs (caption block, closing lines) is searched too, so
    # the finder reads it as well: a cable a query selects by it is not passed over.
    parts: list[tuple[str, int | None, bool, int | None]] = [
        (p.text, p.number, False, i) for i, p in enumerate(cable.paragraphs)
    ]
    parts.append((outside_paragraphs(cable.text or "", cable.paragraphs), None, True, None))
    for text, number, caption, index in parts:
        here = (caption, index)
        for marker in _PROTECT.finditer(text):
            why = marker.group(0).upper()
            low, high = max(0, marker.start() - _WINDOW), min(len(text), marker.end() + _WINDOW)
            for span in _names(text, low, high):
                _add(found, reference_id, number, text, span, f"name near {why}", *here)
            for role in _ROLE.finditer(text, low, high):
                _add(found, reference_id, number, text, role.span(), f"role near {why}", *here)
        if _REDACTION.search(text):
            for span in _names(text):
                why = "name in a paragraph with redactions"
                _add(found, reference_id, number, text, span, why, *here)
        for pattern in listed:
            for match in pattern.pattern.finditer(text):
                why = "on the editor's list"
                _add(found, reference_id, number, text, match.span(), why, *here)
    return sorted(found.values(), key=lambda c: (c.caption, c.paragraph or 0, c.why, c.text))
