"""Checks on what an ingest is about to store, before anything is written.

A reference id names a cable everywhere: in URLs, in the edition's file names
(`cable/ID.html`), in the index. So it is checked against a grammar of what ids are,
not trusted as the container gave it (a JSON Lines record or an HTML page may carry
`../../PWNED`).
"""

from __future__ import annotations

import re

# Year, station and serial (`08BAGHDAD1784`, docs/record.md), and the forms real archives
# hold beside them: NARA's `1977MOSCOW02124`, PlusD's `1977STATE017976_c`, airgrams
# (`73BANGKOK-A50`), and malformed WikiLeaks ids kept as written (`092OF5`, `06ASTANA`).
# Letters, digits and inner `-` or `_` only: no dot, slash, backslash, colon, space or
# control character, so an id can never be read as a path, and it starts with a letter
# or digit so it is never taken for a command-line option either.
_REFERENCE_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?")
_SHOWN = 60


def reference_id_problem(reference_id: str) -> str | None:
    """Why `reference_id` cannot be stored, or None when it is a reference id."""
    if _REFERENCE_ID.fullmatch(reference_id):
        return None
    shown = repr(reference_id[:_SHOWN]) + (" ..." if len(reference_id) > _SHOWN else "")
    return (
        "expected a reference id like 08BAGHDAD1784: letters and digits (- or _ between "
        f"them), 64 characters at most; found {shown}"
    )
