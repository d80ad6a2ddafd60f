"""The parser: a ruler of core rules run in order over one ParseState per cable."""

from __future__ import annotations

from cabledesk.parse.ruler import CoreRule, Ruler
from cabledesk.parse.rules.captions import CaptionBlock, caption_rules
from cabledesk.parse.rules.classified_by_fallback import classified_by_in_paragraph_rule
from cabledesk.parse.rules.clean_text import clean_text_rule
from cabledesk.parse.rules.comments import comments_rule
from cabledesk.parse.rules.header import parse_header
from cabledesk.parse.rules.header_split import split_header
from cabledesk.parse.rules.identity import identity_rule
from cabledesk.parse.rules.metadata import apply_metadata
from cabledesk.parse.rules.narrative import clean_narrative
from cabledesk.parse.rules.page_breaks import remove_page_breaks
from cabledesk.parse.rules.paragraphs import paragraphs_rule
from cabledesk.parse.rules.printout_header import printout_header_rule
from cabledesk.parse.rules.redactions import redactions_rule
from cabledesk.parse.rules.section_repeats import remove_section_repeats
from cabledesk.parse.rules.signature import signature_rule
from cabledesk.parse.rules.summary import summary_rule
from cabledesk.parse.state import ParseState
from cabledesk.record.model import Cable
from cabledesk.sources.item import Metadata, SourceText


def _remember_lines(state: ParseState) -> None:
    state.original_lines = list(state.lines)


class Parser:
    """Parses SourceTexts into Cables. `parser.core` and `parser.captions` can be extended."""

    def __init__(self) -> None:
        self.captions = caption_rules()
        self.core: Ruler[CoreRule] = Ruler(
            [
                ("metadata", apply_metadata),
                ("printout_header", printout_header_rule),
                ("header_split", split_header),
                ("header", parse_header),
                ("page_breaks", remove_page_breaks),
                ("remember_lines", _remember_lines),
                ("captions", CaptionBlock(self.captions)),
                ("section_repeats", remove_section_repeats),
                ("narrative", clean_narrative),
                ("signature", signature_rule),
                ("paragraphs", paragraphs_rule),
                ("classified_by_in_paragraph", classified_by_in_paragraph_rule),
                ("summary", summary_rule),
                ("comments", comments_rule),
                ("identity", identity_rule),
                ("redactions", redactions_rule),
                ("clean_text", clean_text_rule),
            ]
        )
        self._rules: list[CoreRule] = []
        self._built_for: tuple[Ruler[CoreRule], int] | None = None

    def parse(self, source: SourceText) -> Cable:
        if source.record is not None:
            return source.record
        state = ParseState.start(source)
        for rule in self._active():
            rule(state)
        return state.cable

    def _active(self) -> list[CoreRule]:
        """`self.core.rules()`, built again only when the ruler (or its version) changed."""
        built = self._built_for
        if built is None or built[0] is not self.core or built[1] != self.core.version:
            self._rules = self.core.rules()
            self._built_for = (self.core, self.core.version)
        return self._rules


_default = Parser()


def parse_source(source: SourceText) -> Cable:
    return _default.parse(source)


def parse_text(
    text: str,
    *,
    header: str | None = None,
    metadata: Metadata | None = None,
    location: str = "<text>",
) -> Cable:
    """Parse a cable's text (with or without its header); what is absent stays empty."""
    text = text.replace("\r\n", "\n")
    raw = text if header is None else f"{header}\n\n{text}"
    return _default.parse(
        SourceText(
            format="fragment" if metadata is None else "text",
            location=location,
            header=header,
            body=text,
            raw=raw,
            metadata=metadata or Metadata(),
        )
    )
