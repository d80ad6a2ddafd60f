"""The parse stage: rules that turn a SourceText into a Cable record."""

from cabledesk.parse.core import Parser, parse_source, parse_text
from cabledesk.parse.ids import canonical_id, is_canonical, resolve_reference
from cabledesk.parse.patterns import REDACTION

__all__ = [
    "REDACTION",
    "Parser",
    "canonical_id",
    "is_canonical",
    "parse_source",
    "parse_text",
    "resolve_reference",
]
