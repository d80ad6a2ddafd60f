"""Cables for the redaction candidates by entity (tests/test_entity_candidates.py and the
trust tests): two fragments written for these tests in the newspaper layout of
cable-format.md 1.2 (marked so in their first line; not real cables), with the markers
as real cables write them (`Fungairino (strictly protect)`, `Juniti Saito (protect)`).

08BAGHDAD9990 (SECRET//NOFORN): 1. (C) `Karim Haddad (strictly protect)`, and
Ambassador Crocker in the same paragraph; 2. (S/NF) `Colonel Samir Jaber (protect)`, and
`Karim al-Haddad`, a spelling only this paragraph has; 3. (U) `Haddad`, no marker.
08BAGHDAD9991 (CONFIDENTIAL): Karim Haddad again, no marker, and `HADDAD,s`.
"""

from __future__ import annotations

from pathlib import Path

from access_fixtures import PASSWORD
from cabledesk.access import Accounts
from cabledesk.facade import Archive
from conftest import SAMPLE

FRAGMENTS = Path(__file__).resolve().parent / "data" / "candidates"
MARKED, OTHER = "08BAGHDAD9990", "08BAGHDAD9991"
# Words that stand only in the S/NF paragraph of 08BAGHDAD9990.
SECRET_ONLY = {"samir", "jaber", "colonel", "threatened", "al-haddad"}
# name: (role, ceiling, foreign)
EDITORS = {
    "sam": ("editor", "SECRET", False),
    "cleo": ("editor", "CONFIDENTIAL", False),
    "fred": ("editor", "SECRET", True),
    "una": ("editor", "UNCLASSIFIED", False),
    "rita": ("reader", None, False),
}


def build(folder: Path, *, enrich: bool = True, accounts: bool = False) -> Path:
    """An archive of the newspaper copy of 08BAGHDAD1784 and the two fragments."""
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE / "text", FRAGMENTS], workers=1)
        if enrich:
            archive.enrich(workers=0)
        if accounts:
            people = Accounts(archive)
            for name, (role, ceiling, foreign) in EDITORS.items():
                people.add(name, PASSWORD, role, ceiling, foreign)
    return folder
