"""Facts the container states outside the text: id, dates, origin, classification."""

from __future__ import annotations

from cabledesk.parse.state import ParseState
from cabledesk.record.level import LEVELS


def split_classification(marking: str) -> tuple[str | None, list[str]]:
    """`SECRET//NOFORN` → (`SECRET`, [`NOFORN`]); unknown levels give (None, caveats)."""
    level, *caveats = [part.strip() for part in marking.upper().split("//")]
    return (level if level in LEVELS else None), [c for c in caveats if c]


def apply_metadata(state: ParseState) -> None:
    cable, metadata = state.cable, state.source.metadata
    cable.format = state.source.format
    cable.location = state.source.location
    cable.raw = state.source.raw
    cable.partial_extract = state.source.partial_extract
    cable.reference_id_raw = metadata.reference_id
    cable.created = metadata.created
    cable.released = metadata.released
    cable.origin = metadata.origin
    cable.source = metadata.source
    if metadata.classification:
        cable.classification, cable.caveats = split_classification(metadata.classification)
        if cable.classification is None:
            state.warn(f"unknown classification {metadata.classification!r} in the metadata")
