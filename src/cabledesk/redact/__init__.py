"""What leaves the archive: redaction rules and clearance ceilings applied to records.

The stored record is never edited. Every view a reader or the public receives (pages,
snippets, the index they search, the API, exports, the public edition) is built from
`Viewer.view(cable)` and from index fields made from that same view.
"""

from cabledesk.redact.ceiling import withhold
from cabledesk.redact.match import NamePattern, compile_rule
from cabledesk.redact.model import REDACTED, Rule
from cabledesk.redact.viewer import FULL, Viewer

__all__ = [
    "FULL",
    "REDACTED",
    "NamePattern",
    "Rule",
    "Viewer",
    "compile_rule",
    "withhold",
]
