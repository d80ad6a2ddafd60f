"""The record stage: what a parsed cable is, and how it travels as JSON."""

from cabledesk.record.codec import RecordError, from_dict, from_json, to_dict, to_json
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
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]
