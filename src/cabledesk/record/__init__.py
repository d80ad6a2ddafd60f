"""The record stage: what a parsed cable is, and how it travels as JSON."""

from cabledesk.record.codec import RecordError, from_dict, from_json, to_dict, to_json
from cabledesk.record.ids import cited_as, first_part, normal_id
from cabledesk.record.model import (
    Addressee,
    Cable,
    ClassifiedBy,
    Header,
    Paragraph,
    Redactions,
    Reference,
    Repairs,
    Section,
    Transmission,
)

__all__ = [
    "Addressee",
    "Cable",
    "ClassifiedBy",
    "Header",
    "Paragraph",
    "RecordError",
    "Redactions",
    "Reference",
    "Repairs",
    "Section",
    "Transmission",
    "cited_as",
    "first_part",
    "from_dict",
    "from_json",
    "normal_id",
    "to_dict",
    "to_json",
]
