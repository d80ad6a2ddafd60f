"""A parsed cable turned into what the archive stores and indexes.

Done in the parser processes, so the single writer only runs SQL and feeds the index:
serialising, compressing and flattening a record costs as much as writing it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from cabledesk.archive.blob import pack_record
from cabledesk.archive.fields import (
    NAME_KEYS,
    RANKS,
    WITHHELD,
    blanks_value,
    subject_field,
    text_field,
    visible,
)
from cabledesk.parse.patterns import REDACTION
from cabledesk.record.codec import from_dict, to_dict
from cabledesk.record.level import Level
from cabledesk.record.model import Cable
from cabledesk.record.rest_text import outside_paragraphs
from cabledesk.record.words import WORD
from cabledesk.redact.apply import Redactor, record_joined_keys, record_texts
from cabledesk.redact.ceiling import portion
from cabledesk.redact.match import fold
from cabledesk.redact.model import REDACTED


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
    # The index document as UTF-8 JSON, made here in the parser process: tantivy reads
    # JSON in Rust far faster than the writer could hand it a Python dict field by field.
    # Bytes, not str, until the writer hands it over: bytes cross the pipe as they are,
    # where a str would be encoded and decoded again on the way.
    document: bytes

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent from a parser process for every cable: a plain tuple of the fields is
        # several times cheaper to pickle than the generic protocol for slots.
        return (
            Prepared,
            (
                self.reference_id,
                self.text_hash,
                self.columns,
                self.record,
                self.paragraphs,
                self.tags,
                self.addressees,
                self.refs,
                self.document,
            ),
        )


def text_hash(cable: Cable) -> str:
    """What decides whether a re-ingested cable is a new version: its original text."""
    return hashlib.sha256(cable.raw.encode()).hexdigest()[:32]


def prepare(cable: Cable, redactor: Redactor | None = None) -> Prepared:
    """Rows, index fields and the packed record of a cable; the index fields have the
    redaction rules of `redactor` burned in (see fields.py)."""
    assert cable.reference_id, "cables without a reference id are not archived"
    date = cable.header.sent or cable.created
    record = to_dict(cable)
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
            Level.known(cable.classification),
            json.dumps(cable.caveats),
            cable.subject,
            cable.header.from_,
            json.dumps(cable.signers),
            cable.redactions.count,
        ),
        record=pack_record(record),
        paragraphs=[(i, p.number, p.marking, p.heading) for i, p in enumerate(cable.paragraphs)],
        tags=[(i, tag) for i, tag in enumerate(cable.tags)],
        addressees=[
            (kind, i, a.name, a.route, a.precedence)
            for kind, group in (("to", cable.header.to), ("info", cable.header.info))
            for i, a in enumerate(group)
        ],
        refs=[(i, r.label, r.text, r.cable_id, r.kind) for i, r in enumerate(cable.references)],
        document=orjson.dumps(index_fields(cable, record, date, redactor)),
    )


def index_document(cable: Cable, redactor: Redactor | None = None) -> bytes:
    """`prepare(cable, redactor).document` alone: what re-indexing a stored cable needs
    (Index.catch_up), without packing its record or making its rows again."""
    date = cable.header.sent or cable.created
    return orjson.dumps(index_fields(cable, to_dict(cable), date, redactor))


def index_fields(
    cable: Cable, record: dict[str, Any], date: str | None, redactor: Redactor | None
) -> dict[str, Any]:
    """The searchable view of a cable, as plain values (see index.py for the schema)."""
    shown, withheld = cable, []
    by_rule: set[int] = set()
    if redactor:
        burned, patterns, by_rule = redactor.burned(cable.reference_id, record)
        if patterns or by_rule:
            shown = from_dict(burned)
            texts = "\n\n".join(record_texts(record))
            for match in (m.group(0) for p in patterns for m in p.pattern.finditer(texts)):
                # Folded too (`Kar\u00adzai` as karzai), so editors find it and a lift
                # finds the cable again (editorial.affected_ids).
                withheld += [match, fold(match)]
    # Each heading counts with its paragraph: out of the text around the paragraphs (the
    # first paragraph's heading stands before its first words), into its own field below.
    rest = _without_headings(outside_paragraphs(shown.text, shown.paragraphs), shown)
    if redactor and by_rule:
        for paragraph in shown.paragraphs:
            if paragraph.number in by_rule:
                withheld += [paragraph.heading or "", paragraph.text]
                paragraph.text, paragraph.heading = "", None
    level, caveats = cable.classification, cable.caveats
    by_class: dict[str, list[str]] = {}
    rank, noforn = portion(cable.subject_marking, level, caveats)
    subject = shown.subject or ""
    by_class.setdefault(text_field(rank, noforn), []).append(subject)
    subject_fields = {subject_field(rank, noforn): [subject]} if subject else {}
    for paragraph in shown.paragraphs:
        rank, noforn = portion(paragraph.marking, level, caveats)
        by_class.setdefault(text_field(rank, noforn), []).append(
            f"{paragraph.heading or ''} {paragraph.text}"
        )
    # The caption block and the signature stand outside the paragraphs: they count at the
    # cable's own level.
    rank, noforn = portion(None, level, caveats)
    by_class.setdefault(text_field(rank, noforn), []).append(rest)
    classified_by = shown.classified_by
    cable_level = Level.known(cable.classification)
    addressees = [a.name for a in (*shown.header.to, *shown.header.info)]
    fields: dict[str, Any] = {
        "id": [cable.reference_id],
        **{name: ["\n".join(parts)] for name, parts in by_class.items()},
        **subject_fields,
        WITHHELD: [" ".join(withheld)] if withheld else [],
        "origin": [shown.origin] if shown.origin else [],
        "tag": list(shown.tags),
        "classification": [cable.classification] if cable.classification else [],
        "class_rank": [int(cable_level)] if cable_level is not None else [],
        "caveat": list(cable.caveats),
        "from": [shown.header.from_] if shown.header.from_ else [],
        "to": addressees,
        "addressee": addressees,
        "signer": list(shown.signers),
        "classified_by": [" ".join(filter(None, [classified_by.title, classified_by.name]))]
        if classified_by and (classified_by.name or classified_by.title)
        else [],
        # Whole values for the facets and `signer:="..."`: as the reader sees them, and
        # never a value a rule burned (facet_value).
        "signer_value": sorted({v for v in map(facet_value, shown.signers) if v}),
        "classified_name": [v]
        if classified_by and (v := facet_value(classified_by.name or ""))
        else [],
        "cites": [r.cable_id for r in cable.references if r.cable_id],
        NAME_KEYS: record_joined_keys(record),
        "has": (["references"] if cable.references else [])
        + (["redactions"] if cable.redactions.count else [])
        + _blanks_seen(by_class),
    }
    if date:
        moment = datetime.fromisoformat(date.replace("Z", "+00:00")).replace(tzinfo=None)
        fields["year"] = [moment.year]
        fields["month"] = [moment.year * 100 + moment.month]
        fields["date"] = [moment.isoformat() + "Z"]
    return fields


def _blanks_seen(by_class: dict[str, list[str]]) -> list[str]:
    """`has` values for `has:redactions` per reader's view (fields.blanks_value): a view
    gets one when text it may read holds the source's own blanks (`XXXXXXXXXXXX`), so a
    reader's `has:redactions` never tells that text withheld from them holds some. The
    bare `redactions` value (the whole stored text) is for those who see everything."""
    holding = {name for name, parts in by_class.items() if any(map(REDACTION.search, parts))}
    if not holding:
        return []
    return [
        blanks_value(int(ceiling), foreign)
        for ceiling in RANKS
        for foreign in (False, True)
        if holding.intersection(visible(int(ceiling), foreign)[0])
    ]


def facet_value(text: str) -> str:
    """A signer or a Classified By name as its facet counts it: spaces collapsed, upper
    case (cables write `BEYRLE` and `Beyrle`, `Josiah Rosenblatt` and `JOSIAH
    ROSENBLATT`). Empty for a value a redaction rule burned (`[REDACTED]`, or a part of
    it) or that the source itself withheld (`XXXXXXXXXXXX`): no facet may count a name a
    reader may not see, nor a row of its blanks (docs/search.md, "Facets")."""
    value = " ".join(text.split()).upper()
    if not value or REDACTED in value or REDACTION.search(value):
        return ""
    return value


def _without_headings(rest: str, cable: Cable) -> str:
    """The text around the paragraphs without any paragraph's heading: a heading belongs
    to its paragraph (withheld with it, indexed at its level), never to the cable's own
    level, which may be lower (08BAGHDAD1784's "Basrah Campaign: The 'Magic Key'")."""
    lowered = rest.lower()
    for paragraph in cable.paragraphs:
        words = WORD.findall(paragraph.heading or "")
        # Only a heading whose first word is there at all is worth a pattern.
        if words and words[0].lower() in lowered:
            heading = r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])"
            rest = re.sub(heading, " ", rest, flags=re.IGNORECASE)
    return rest
