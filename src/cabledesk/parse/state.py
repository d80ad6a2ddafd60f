"""The one object every parse rule reads and writes."""

from __future__ import annotations

from cabledesk.record.model import Cable, Section
from cabledesk.sources.item import SourceText


class ClassificationLine:
    """`C O N F I D E N T I A L SECTION 01 OF 03 HARARE 006677` taken apart.

    A plain class, not a dataclass: compiled by mypyc, a dataclass keeps the `__init__`
    the dataclasses module generates (interpreted Python, about 5x slower to build), while
    this one is native (docs/performance.md, sixth round of issue 11).
    """

    __slots__ = ("level", "section", "serial", "station", "trailing")

    def __init__(
        self,
        level: str,
        station: str | None,
        serial: str | None,
        trailing: str,
        section: Section | None = None,
    ) -> None:
        self.level = level
        self.station = station
        self.serial = serial
        self.trailing = trailing
        self.section = section

    def _key(self) -> tuple[str, str | None, str | None, str, Section | None]:
        return (self.level, self.station, self.serial, self.trailing, self.section)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClassificationLine):
            return NotImplemented
        return self._key() == other._key()

    def __repr__(self) -> str:
        return (
            f"ClassificationLine(level={self.level!r}, station={self.station!r}, "
            f"serial={self.serial!r}, trailing={self.trailing!r}, section={self.section!r})"
        )


class ParseState:
    """A plain class for the same reason as ClassificationLine: built once a cable."""

    __slots__ = (
        "_body_lines",
        "_body_start",
        "_paragraph_lower",
        "_paragraph_text",
        "cable",
        "caption_start",
        "classification_line",
        "footer_lines",
        "header_lines",
        "header_subject",
        "header_tags",
        "lines",
        "narrative",
        "narrative_start",
        "not_text",
        "original_lines",
        "pos",
        "signature_line",
        "source",
    )  # fmt: skip

    def __init__(
        self,
        source: SourceText,
        cable: Cable,
        header_lines: list[str],
        lines: list[str],
        original_lines: list[str] | None = None,
        pos: int = 0,
        caption_start: int = 0,
        narrative_start: int = 0,
        narrative: list[str] | None = None,
        classification_line: ClassificationLine | None = None,
        header_tags: list[str] | None = None,
        header_subject: str | None = None,
        not_text: list[range] | None = None,
        signature_line: str | None = None,
        footer_lines: list[str] | None = None,
        _paragraph_text: str | None = None,
        _paragraph_lower: str | None = None,
        _body_lines: list[str] | None = None,
        _body_start: int = 0,
    ) -> None:
        self.source = source
        self.cable = cable
        self.header_lines = header_lines
        # Body lines as published, less page-break lines (see rules/page_breaks.py).
        self.lines = lines
        # The same lines before any rule rewrote one (rules split glued caption lines in
        # place).
        self.original_lines: list[str] = [] if original_lines is None else original_lines
        # Caption-block rules advance `pos`; the narrative starts at `narrative_start`.
        self.pos = pos
        self.caption_start = caption_start
        self.narrative_start = narrative_start
        # Narrative lines after telegraph artifacts were repaired (rules/narrative.py).
        self.narrative: list[str] = [] if narrative is None else narrative
        self.classification_line = classification_line
        # TAGS and SUBJECT that flattened headers carry at their end (newspaper copies).
        self.header_tags: list[str] = [] if header_tags is None else header_tags
        self.header_subject = header_subject
        # Body lines that are container matter rather than cable text (partner export
        # blocks).
        self.not_text: list[range] = [] if not_text is None else not_text
        # The signature as it stood, kept for `text` after the signature rule took it off.
        self.signature_line = signature_line
        # A post's intranet footer above the signature: text, but no paragraph's.
        self.footer_lines: list[str] = [] if footer_lines is None else footer_lines
        self._paragraph_text = _paragraph_text
        self._paragraph_lower = _paragraph_lower
        # The body's lines as split, to tell when `lines` still are (see `lines_text`), and
        # where the first of them starts in the body (a header taken off the top moves it).
        self._body_lines = _body_lines
        self._body_start = _body_start

    @classmethod
    def start(cls, source: SourceText) -> ParseState:
        """The state a parse begins with: the source's header and body split into lines."""
        lines = source.body.split("\n")
        # Built by name, not by `cls`: mypyc then calls the native constructor directly
        # instead of the generic type call with keywords (a compiled class has no
        # interpreted subclasses).
        return ParseState(
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
