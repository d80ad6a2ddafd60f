"""Canonical ids and reference resolution (cable-format.md §6)."""

from __future__ import annotations

import pytest

from cabledesk.parse.ids import canonical_id, is_canonical, resolve_reference
from cabledesk.parse.rules.references import split_references


@pytest.mark.parametrize(
    ("published", "canonical"),
    [
        ("08BAGHDAD1784", "08BAGHDAD1784"),
        ("08SCTION02OF02SAOPAULO335", "08SAOPAULO335"),
        ("07SECTION02OF03EIJING483", "07BEIJING483"),
        ("09SECTIOQ1OF06HARARE876", "09HARARE876"),
        ("06EFTOBAKU1165", "06BAKU1165"),
        ("09EFTOUSUNNEWYORK584", "09USUNNEWYORK584"),
        ("10EFTOKABUL668", "10KABUL668"),
        ("09AMEMBASSYHANOI1284", "09HANOI1284"),
        ("09SIFIEDABUJA1673", "09ABUJA1673"),
        ("85NOFORNMOGADISHU1643", "85MOGADISHU1643"),
        ("07SOIA828", "07SOFIA828"),
        ("07QXICO3307", "07MEXICO3307"),
        ("06MADRID002583ZFR2585", "06MADRID2583"),
        ("07OSLO000160ZDK164", "07OSLO160"),
        ("08ACCRA001382SUSPECTEDDUPLICATE1392", "08ACCRA1392"),
        ("90STATE255577TOSEC140323", "90STATE255577"),
        ("7575LIBREVILLE1895", "75LIBREVILLE1895"),
    ],
)
def test_malformed_ids_are_canonicalised(published: str, canonical: str) -> None:
    assert canonical_id(published) == canonical


@pytest.mark.parametrize("published", ["06ASTANA", "092OF5", "", "hello"])
def test_hopeless_ids_are_not_invented(published: str) -> None:
    assert canonical_id(published) is None


def test_canonical_means_known_station_and_unpadded_serial() -> None:
    assert is_canonical("09STATE126780")
    assert not is_canonical("09STATE0126780")
    assert not is_canonical("09NOWHERE12")


@pytest.mark.parametrize(
    ("text", "year", "cable_id"),
    [
        ("MADRID 449", 2008, "08MADRID449"),
        ("07 STATE 1234", 2008, "07STATE1234"),
        ("SECSTATE 74879", 2008, "08STATE74879"),
        ("06 BAGHDAD 0619", 2008, "06BAGHDAD619"),
        ("RIO DE JAN 138", 2009, "09RIODEJANEIRO138"),
        ("2008 SAO PAULO 497", 2009, "08SAOPAULO497"),
        ("DOHA 152 (08)", 2009, "08DOHA152"),
        ("09 USNATO 409", 2010, "09USNATO409"),
        ("10 BUENOS AIRES 118", 2010, "10BUENOSAIRES118"),
        ("08 KIGALI 00830--05/DEC/2008", 2009, "08KIGALI830"),
        ("75 USUN NEW YORK 3886", 1975, "75USUNNEWYORK3886"),
        ("RABAT 185 (NOTAL)", 2009, "09RABAT185"),
        ("ANKARA 1561 (EXDIS)", 2009, "09ANKARA1561"),
        ("EMBASSY VIENNA 1450", 2009, "09VIENNA1450"),
        ("MOSCOW 03242 2008", 2009, "08MOSCOW3242"),
    ],
)
def test_cable_references_resolve(text: str, year: int, cable_id: str) -> None:
    assert resolve_reference(text, year) == cable_id


@pytest.mark.parametrize(
    "text",
    [
        "DAO MADRID IIR 6 889 0175 09",
        "314/07696-07",
        "PARIS POINTS OF 5/16",
        "EMBASSY LONDON DAILY REPORT 9/16/2009",
        "USCINCRED 311345 Z MAY 73",
        "EMBTEL",
        "PARA 2",
        "SEPTEL",
        "BEYRLE-BURNS FEBRUARY 18 E-MAIL",
        "WHITE HOUSE 853",
        "USDOJ 1234",
    ],
)
def test_non_cable_references_stay_text(text: str) -> None:
    assert resolve_reference(text, 2009) is None


def test_reference_without_any_year_is_not_guessed() -> None:
    assert resolve_reference("MADRID 449", None) is None


def items(text: str, year: int = 2009) -> list[tuple[str | None, str, str | None]]:
    return [(r.label, r.text, r.cable_id) for r in split_references(text, year)]


def test_lettered_items_in_every_style() -> None:
    assert items("A. MADRID 881 B. MADRID 919") == [
        ("A", "MADRID 881", "09MADRID881"),
        ("B", "MADRID 919", "09MADRID919"),
    ]
    assert items("A) BUCHAREST 0536 B) 2005 BUCHAREST 2550") == [
        ("A", "BUCHAREST 0536", "09BUCHAREST536"),
        ("B", "2005 BUCHAREST 2550", "05BUCHAREST2550"),
    ]
    assert items("(A) STATE 165022 (B) MOSCOW 11500") == [
        ("A", "STATE 165022", "09STATE165022"),
        ("B", "MOSCOW 11500", "09MOSCOW11500"),
    ]
    assert items("A. A. STATE 99125 B. B. SOFIA 1046") == [
        ("A", "STATE 99125", "09STATE99125"),
        ("B", "SOFIA 1046", "09SOFIA1046"),
    ]
    assert items("A: OSLO 629 B: OSLO 585") == [
        ("A", "OSLO 629", "09OSLO629"),
        ("B", "OSLO 585", "09OSLO585"),
    ]


def test_unlettered_lists_split_into_citations() -> None:
    assert items("BRASILIA 1250; RECIFE 66; (08) SAO PAULO 581") == [
        (None, "BRASILIA 1250", "09BRASILIA1250"),
        (None, "RECIFE 66", "09RECIFE66"),
        (None, "(08) SAO PAULO 581", "08SAOPAULO581"),
    ]
    assert items("STATE 297614 AND PREVIOUS 03 RANGOON 1427", 2004) == [
        (None, "STATE 297614", "04STATE297614"),
        (None, "03 RANGOON 1427", "03RANGOON1427"),
    ]
    assert items("STATE 115778 AND COPENHAGEN 130") == [
        (None, "STATE 115778", "09STATE115778"),
        (None, "COPENHAGEN 130", "09COPENHAGEN130"),
    ]
    assert items("SAO PAULO 433 SAO PAULO 421 BRASILIA 709") == [
        (None, "SAO PAULO 433", "09SAOPAULO433"),
        (None, "SAO PAULO 421", "09SAOPAULO421"),
        (None, "BRASILIA 709", "09BRASILIA709"),
    ]
    assert items("CAIRO 5589 AND PREVIOUS") == [(None, "CAIRO 5589 AND PREVIOUS", "09CAIRO5589")]
