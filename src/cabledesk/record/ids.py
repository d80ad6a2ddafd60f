"""How a reference id typed or linked by a person is matched to a stored record's id."""

from __future__ import annotations

import re
from typing import Final

# PlusD numbers the documents of one message `_a`, `_b` ... and record ids keep the letter
# as published, in lower case (`77STATE17976_c`; docs/record.md, "Parser round 2").
_PART: Final = re.compile(r"_([A-Za-z])$")


def normal_id(reference_id: str) -> str:
    """`08baghdad1784 ` → `08BAGHDAD1784`; `77state17976_C` → `77STATE17976_c`."""
    text = reference_id.strip().upper()
    return _PART.sub(lambda part: "_" + part[1].lower(), text)


def first_part(reference_id: str) -> str | None:
    """The record a REF to a message split into PlusD documents resolves to: its first
    document (`77STATE17976` → `77STATE17976_a`); None for an id that names a document."""
    return None if _PART.search(reference_id) else reference_id + "_a"


def cited_as(reference_id: str) -> tuple[str, ...]:
    """The ids a REF block may cite this record by: its own, and for a first document the
    message's (`77STATE17976_a` is cited as `77STATE17976`)."""
    if reference_id.endswith("_a"):
        return (reference_id, reference_id[:-2])
    return (reference_id,)
