"""Where a stored mention stands in a record a reader receives.

A mention's offsets are into the STORED record's text of its field. A reader's record can
differ: a redaction burned in replaces a name with `[REDACTED]` (another length), a
withheld paragraph is a placeholder, a withheld subject a notice. The offsets hold in the
reader's record only where its text at them is still the surface; anywhere else the
mention has no place for that reader (fail closed: never point at other text, never hand
out stored offsets that betray the length of what was burned)."""

from __future__ import annotations

from cabledesk.record.model import Cable


def field_text(cable: Cable, field: str, index: int | None) -> str | None:
    """The text of `field` (item `index` of a list field) that mention offsets count in."""
    if field == "paragraph":
        if index is None or not 0 <= index < len(cable.paragraphs):
            return None
        return cable.paragraphs[index].text
    if field == "subject":
        return cable.subject
    if field == "classified_by":
        return cable.classified_by.name if cable.classified_by is not None else None
    if field == "signature":
        if index is None or not 0 <= index < len(cable.signers):
            return None
        return cable.signers[index].strip()
    if field == "tags":
        if index is None or not 0 <= index < len(cable.tags):
            return None
        return cable.tags[index]
    return None


def placed(cable: Cable, field: str, index: int | None, start: int, end: int, surface: str) -> bool:
    """Whether `cable`'s text of the field holds `surface` at [start, end)."""
    text = field_text(cable, field, index)
    return text is not None and 0 <= start < end <= len(text) and text[start:end] == surface
