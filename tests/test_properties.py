"""Property tests: no input makes the parser raise, and records survive JSON Lines."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cabledesk
from cabledesk.parse import parse_text
from cabledesk.sources import Metadata
from conftest import assert_valid

# Pieces of real cables, so that generated texts exercise the rules, not only the
# "nothing recognised" path.
PIECES = [
    "C O N F I D E N T I A L SECTION 01 OF 03 MADRID 000552",
    "S e c r e t baghdad 001784",
    "UNCLAS SECTION 02 OF 02 STATE 012345",
    "SIPDIS",
    "NOFORN",
    "E.O. 12958: DECL: 02/13/2014",
    "EO 12958 DECL: 2019/09/22 TAGS: PGOV PTER SP",
    "TAGS: OVIP (CLINTON, HILLARY), PGOV, PREL,",
    "SUBJECT: (S) SPAIN: CHIEF PROSECUTOR FORCED TO QUIT",
    "REF: A. MADRID 881 B. 08 STATE 64936 C. DOHA 152 (08); EMAIL OF 5/16",
    "Classified By: Charge d'Affaires a.i. Michele J. Sison for reasons 1.4 (b) and (d).",
    "1. (C) Summary: Polls one month before. End Summary.",
    "2. (S/NF) Soleimani,s &gangs8 ) but *here",
    "3) (SBU//NF) COMMENT: we,ll see (d \n). END COMMENT.",
    "HESITATION OVER A NEW UNSCR",
    "----------------------------",
    "MADRID 00000552 002.2 OF 011",
    "PAGE 02 HARARE 06677 01 OF 03 291400Z",
    "XXXXXXXXXXXX said xxxxxxxxxxxxx",
    "O 140650Z JUN 08 FM AMEMBASSY BAGHDAD TO SECSTATE WASHDC IMMEDIATE 7781 INFO IRAN",
    "VZCZCXRO5433",
    "DE RUEHMD #0293/01 0341458",
    "TO RUEHC/SECSTATE WASHDC PRIORITY 8817",
    "Tuesday, 20 January 2004, 09:44",
    "ID: 190648",
    "AGUIRRE",
    "",
]

texts = st.one_of(
    st.text(max_size=2000),
    st.lists(
        st.one_of(st.sampled_from(PIECES), st.text(string.printable, max_size=80)),
        max_size=40,
    ).map("\n".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=texts, header=st.one_of(st.none(), texts))
def test_arbitrary_text_never_raises(body: str, header: str | None) -> None:
    cable = parse_text(body, header=header)
    assert cable.raw.endswith(body.replace("\r\n", "\n"))
    assert_valid(cabledesk.to_dict(cable))


@settings(max_examples=200, deadline=None)
@given(
    body=texts,
    reference_id=st.one_of(st.none(), st.from_regex(r"\A[0-9]{2}[A-Z]{4,10}[0-9]{1,6}\Z")),
    classification=st.sampled_from(
        [None, "SECRET//NOFORN", "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "CONFIDENTIAL", "BOGUS"]
    ),
)
def test_records_survive_a_json_lines_round_trip(
    body: str, reference_id: str | None, classification: str | None
) -> None:
    metadata = Metadata(
        reference_id=reference_id,
        created="2008-06-14T06:50:00Z",
        classification=classification,
        origin="Embassy Madrid",
    )
    cable = parse_text(body, metadata=metadata)
    line = cabledesk.to_json(cable)
    assert "\n" not in line
    assert cabledesk.from_json(line) == cable
