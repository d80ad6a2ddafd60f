"""The one object every parse rule reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.record.model import Cable, Section
from cabledesk.sources.item import SourceText


@dataclass(slots=True)
class ClassificationLine:
    """`C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677` taken apart."""

    level: str
    station: str | None
    serial: str | None
    trailing: str
    section: Section | None = None


@dataclass(slots=True)
class ParseState:
    source: SourceText
    cable: Cable
    header_lines: list[str]
    # Body lines as published, less page-break lines (see rules/page_breaks.py).
    lines: list[str]
    # The same lines before any rule rewrote one (rules split glued caption lines in place).
    original_lines: list[str] = field(default_factory=list)
    # Caption-block rules advance `pos`; the narrative starts at `narrative_start`.
    pos: int = 0
    caption_start: int = 0
    narrative_start: int = 0
    # Narrative lines after telegraph artifacts were repaired (rules/narrative.py).
    narrative: list[str] = field(default_factory=list)
    classification_line: ClassificationLine | None = None
    # TAGS and SUBJECT that flattened headers carry at their end (newspaper copies).
    header_tags: list[str] = field(default_factory=list)
    header_subject: str | None = None
    # The signature as it stood, kept for `text` after the signature rule took it off.
    signature_line: str | None = None
    _paragraph_text: str | None = None

    def paragraph_text(self) -> str:
        """The paragraphs (headings included) as one text, for span rules (summary, comments)."""
        if self._paragraph_text is None:
            self._paragraph_text = "\n\n".join(
                f"{p.heading}\n{p.text}" if p.heading else p.text for p in self.cable.paragraphs
            )
        return self._paragraph_text

    def warn(self, message: str) -> None:
        if message not in self.cable.warnings:
            self.cable.warnings.append(message)

    @property
    def line(self) -> str:
        return self.lines[self.pos] if self.pos < len(self.lines) else ""

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.lines)
