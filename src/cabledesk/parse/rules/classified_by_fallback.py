"""A Classified By line written as paragraph 1 (`1. (U) Classified by Ambassador ...`)."""

from __future__ import annotations

from cabledesk.parse.patterns import CLASSIFIED_BY
from cabledesk.parse.rules.classified_by import parse_classified_by
from cabledesk.parse.state import ParseState


def classified_by_in_paragraph_rule(state: ParseState) -> None:
    if state.cable.classified_by is not None:
        return
    for paragraph in state.cable.paragraphs[:2]:
        if CLASSIFIED_BY.match(paragraph.text):
            sentence_end = paragraph.text.find(". ", paragraph.text.find("1."))
            text = paragraph.text if sentence_end < 0 else paragraph.text[: sentence_end + 1]
            state.cable.classified_by = parse_classified_by(text)
            return
