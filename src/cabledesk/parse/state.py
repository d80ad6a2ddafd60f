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
    # Body lines that are container matter rather than cable text (partner export blocks).
    not_text: list[range] = field(default_factory=list)
    # The signature as it stood, kept for `text` after the signature rule took it off.
    signature_line: str | None = None
    # A post's intranet footer above the signature: text, but no paragraph's.
    footer_lines: list[str] = field(default_factory=list)
    _paragraph_text: str | None = None
    _paragraph_lower: str | None = None
    # The body's lines as split, to tell when `lines` still are (see `lines_text`), and
    # where the first of them starts in the body (a header taken off the top moves it).
    _body_lines: list[str] | None = None
    _body_start: int = 0

    @classmethod
    def start(cls, source: SourceText) -> ParseState:
        """The state a parse begins with: the source's header and body split into lines."""
        lines = source.body.split("\n")
        return cls(
            source=source,
            cable=Cable(),
            header_lines=source.header.split("\n") if source.header else [],
            lines=lines,
            _body_lines=lines.copy(),
        )

    def lines_are_body(self) -> bool:
        """Whether `lines` still are the body's lines as split (so none holds a line break)."""
        return self._body_lines is not None and self.lines == self._body_lines

    def lines_text(self, start: int = 0) -> str:
        """`"\n".join(self.lines[start:])`, sliced from the body while the lines are its own.

        Joining the lines copies the text line by line; while no rule changed them (most
        cables) the body holds the same text. The lists compare item by item, and the items
        are the same strings, so the test is cheap.
        """
        if self.lines_are_body():
            if start >= len(self.lines):
                return ""
            at = self._body_start + sum(map(len, self.lines[:start])) + start
            return self.source.body[at:] if at else self.source.body
        return "\n".join(self.lines[start:])

    def drop_lines(self, count: int) -> None:
        """`del self.lines[:count]`: lines taken off the top (a header found in the body).

        What is left is still the body's, from a later line: `lines_text` goes on slicing
        the body rather than joining the lines.
        """
        if count > 0 and self.lines_are_body() and self._body_lines is not None:
            self._body_start += sum(map(len, self.lines[:count])) + min(count, len(self.lines))
            del self._body_lines[:count]
        del self.lines[:count]

    def hand_back(self, remainder: str) -> None:
        """Give the end of the last consumed line back as a line of its own.

        For parts glued onto one line (`TAGS: ... SUBJECT: ...`): the next rule reads the
        remainder, and `original_lines` is split the same way so `text` loses nothing.
        """
        last = self.pos - 1
        line = self.lines[last]
        tail = remainder.strip()
        cut = line.find(tail[:12]) if tail else -1
        aligned = self.original_lines[last : last + 1] == [line]
        if cut >= 0:
            self.lines[last], tail = line[:cut].rstrip(), line[cut:]
        self.lines.insert(last + 1, tail)
        if aligned:
            # Where the remainder spans wrapped lines it stays in the consumed line for
            # `text`, and an empty line keeps the two lists aligned.
            self.original_lines[last] = self.lines[last] if cut >= 0 else line
            self.original_lines.insert(last + 1, tail if cut >= 0 else "")

    def paragraph_text_lower(self) -> str:
        """The paragraph text lower-cased, to search for ASCII words at the same offsets."""
        if self._paragraph_lower is None:
            text = self.paragraph_text()
            if text.isascii() or "\u0130" in text or "\u212a" in text:
                self._paragraph_lower = text.lower()
            else:
                # str.lower() is slow on non-ASCII text. Lower-casing the ASCII letters alone
                # (bytes.lower()) finds the same ASCII words at the same offsets: only U+0130
                # and U+212A (Kelvin) lower-case to ASCII or change length, and they go above.
                raw = text.encode("utf-8", "surrogatepass")
                self._paragraph_lower = raw.lower().decode("utf-8", "surrogatepass")
        return self._paragraph_lower

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
