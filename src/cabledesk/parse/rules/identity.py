"""Who and what the cable is: canonical id, origin and classification, checked against the text.

Container metadata wins; what the container does not say is read from the text (the
classification line, the FM line, the DTG) and never guessed beyond it.
"""

from __future__ import annotations

from typing import Final

from cabledesk.parse.ids import make_id, message_id, record_id, split_id, station_code
from cabledesk.parse.state import ParseState
from cabledesk.reference import stations

_TEXT_LEVELS: Final = {"LIMITED OFFICIAL USE": ("UNCLASSIFIED", "LIMITED OFFICIAL USE")}


def identity_rule(state: ParseState) -> None:
    cable = state.cable
    line = state.classification_line
    if cable.reference_id_raw:
        cable.reference_id = record_id(cable.reference_id_raw) or cable.reference_id_raw
        if cable.reference_id != cable.reference_id_raw:
            state.warn(
                f"malformed reference id {cable.reference_id_raw!r} read as {cable.reference_id}"
            )
    elif line and line.station and line.serial and cable.header.sent:
        cable.reference_id = make_id(cable.header.sent[:4], line.station, line.serial)
    # A PlusD document (`77STATE17976_c`) is one part of its message: the parts share it.
    message = message_id(cable.reference_id) if cable.reference_id else None
    parts = split_id(message) if message else None
    for reference in cable.references:
        # A cable never cites itself: `REF: 09 MADRID 449` in 09MADRID449 is a slip, and a
        # link to the page one is reading would be noise.
        if reference.cable_id is not None and reference.cable_id == message:
            reference.cable_id = None
            state.warn(f"reference {reference.text!r} names this cable itself; not linked")
    if parts:
        cable.station, cable.serial = parts[1], parts[2]
    if line and line.station and line.serial and parts:
        code = station_code(line.station)
        if (code, line.serial) != (parts[1], parts[2]) and not _same_post(code, parts[1]):
            state.warn(
                f"classification line names {line.station} {line.serial}, "
                f"not the reference id {cable.reference_id}"
            )
    if cable.origin is None:
        cable.origin = _origin_from_text(state)
    if cable.classification and line is not None:
        level = _TEXT_LEVELS.get(line.level, (line.level, None))[0]
        if level != cable.classification:
            state.warn(f"the text is marked {line.level}, the metadata says {cable.classification}")
    if cable.classification is None and line is not None:
        level, caveat = _TEXT_LEVELS.get(line.level, (line.level, None))
        cable.classification = level
        if caveat:
            cable.caveats.append(caveat)
        if "NOFORN" in cable.handling and "NOFORN" not in cable.caveats:
            cable.caveats.append("NOFORN")
    if not cable.tags and state.header_tags:
        cable.tags = list(state.header_tags)
    if state.header_subject and (cable.subject is None or cable.subject.islower()):
        # Newspaper copies lower-case the caption block but keep the header's subject as sent.
        cable.subject = state.header_subject


def _same_post(code: str | None, station: str) -> bool:
    if code is None:
        return False
    # Brussels, Dubai and Taipei posts write one station on the line and another in ids.
    pairs = {frozenset(("BRUSSELS", "USEUBRUSSELS")), frozenset(("RPODUBAI", "IRANRPODUBAI"))}
    return frozenset((code, station)) in pairs


def _origin_from_text(state: ParseState) -> str | None:
    sender = state.cable.header.from_
    code = station_code(sender) if sender else None
    if code is None and state.cable.station:
        code = state.cable.station
    if code is None and state.classification_line and state.classification_line.station:
        code = station_code(state.classification_line.station)
    station = stations().get(code) if code else None
    return station.origin_name if station else None
