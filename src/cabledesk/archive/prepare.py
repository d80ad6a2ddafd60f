"""A parsed cable turned into what the archive stores and indexes.

Done in the parser processes, so the single writer only runs SQL and feeds the index:
serialising, compressing and flattening a record costs as much as writing it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cabledesk.archive.blob import pack_record
from cabledesk.record.codec import to_dict
from cabledesk.record.model import Cable

CLASS_RANK = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}


@dataclass(slots=True)
class Prepared:
    reference_id: str
    text_hash: str
    columns: tuple[Any, ...]
    record: bytes
    paragraphs: list[tuple[Any, ...]]
    tags: list[tuple[Any, ...]]
    addressees: list[tuple[Any, ...]]
    refs: list[tuple[Any, ...]]
    fields: dict[str, Any]


def pack(cable: Cable) -> bytes:
    """A record as stored (see blob.py)."""
    return pack_record(to_dict(cable))


def text_hash(cable: Cable) -> str:
    """What decides whether a re-ingested cable is a new version: its original text."""
    return hashlib.sha256(cable.raw.encode()).hexdigest()[:32]


def prepare(cable: Cable) -> Prepared:
    assert cable.reference_id, "cables without a reference id are not archived"
    date = cable.header.sent or cable.created
    addressees = [*cable.header.to, *cable.header.info]
    return Prepared(
        reference_id=cable.reference_id,
        text_hash=text_hash(cable),
        columns=(
            cable.created,
            cable.header.sent,
            date[:10] if date else None,
            int(date[:4]) if date else None,
            cable.origin,
            cable.station,
            cable.classification,
            CLASS_RANK.get(cable.classification or ""),
            json.dumps(cable.caveats),
            cable.subject,
            cable.header.from_,
            json.dumps(cable.signers),
            cable.redactions.count,
        ),
        record=pack(cable),
        paragraphs=[(i, p.number, p.marking, p.heading) for i, p in enumerate(cable.paragraphs)],
        tags=[(i, tag) for i, tag in enumerate(cable.tags)],
        addressees=[
            (kind, i, a.name, a.route, a.precedence)
            for kind, group in (("to", cable.header.to), ("info", cable.header.info))
            for i, a in enumerate(group)
        ],
        refs=[(i, r.label, r.text, r.cable_id) for i, r in enumerate(cable.references)],
        fields=_fields(cable, date, [a.name for a in addressees]),
    )


def _fields(cable: Cable, date: str | None, addressees: list[str]) -> dict[str, Any]:
    """The searchable view of a cable, as plain values (see index.py for the schema)."""
    classified_by = cable.classified_by
    fields: dict[str, Any] = {
        "id": [cable.reference_id],
        "subject": [cable.subject or ""],
        "body": [cable.text],
        "origin": [cable.origin] if cable.origin else [],
        "tag": list(cable.tags),
        "classification": [cable.classification] if cable.classification else [],
        "class_rank": [CLASS_RANK[cable.classification]] if cable.classification else [],
        "caveat": list(cable.caveats),
        "from": [cable.header.from_] if cable.header.from_ else [],
        "to": addressees,
        "addressee": addressees,
        "signer": list(cable.signers),
        "classified_by": [" ".join(filter(None, [classified_by.name, classified_by.title]))]
        if classified_by and (classified_by.name or classified_by.title)
        else [],
        "cites": [r.cable_id for r in cable.references if r.cable_id],
        "has": (["references"] if cable.references else [])
        + (["redactions"] if cable.redactions.count else []),
    }
    if date:
        moment = datetime.fromisoformat(date.replace("Z", "+00:00")).replace(tzinfo=None)
        fields["year"] = [moment.year]
        fields["month"] = [moment.year * 100 + moment.month]
        fields["date"] = [moment]
    return fields
