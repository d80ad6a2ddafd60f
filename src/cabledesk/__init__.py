"""cabledesk: parse, archive, search and publish archives of US diplomatic cables."""

from cabledesk.api import parse, parse_file
from cabledesk.archive import Archive
from cabledesk.parse import parse_text
from cabledesk.record import Cable, from_dict, from_json, to_dict, to_json
from cabledesk.sources import Skipped, SourceError

__all__ = [
    "Archive",
    "Cable",
    "Skipped",
    "SourceError",
    "from_dict",
    "from_json",
    "parse",
    "parse_file",
    "parse_text",
    "to_dict",
    "to_json",
]
__version__ = "0.1.0"
