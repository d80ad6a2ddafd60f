"""Entities (issue 12): extraction on real cable fragments, the gold set, the enrichment
job on every path (in process, worker processes, a Dask LocalCluster), and who sees what."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cabledesk
from cabledesk.entities import extract
from cabledesk.entities.scoring import Score, score_cable
from cabledesk.record.model import Cable, ClassifiedBy, Paragraph
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample"
GOLD = ROOT / "tests" / "data" / "entities_gold.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus" / "wikileaks-html"
EVERYTHING = Viewer()


def found(cable: Cable) -> set[tuple[str, str]]:
    return {(m.kind, m.name) for m in extract(cable)}


def cable_of(*texts: str, reference_id: str = "08BAGHDAD1784", **fields: object) -> Cable:
    paragraphs = [
        Paragraph(number=i + 1, marking=None, heading=None, text=t) for i, t in enumerate(texts)
    ]
    return Cable(reference_id=reference_id, paragraphs=paragraphs, **fields)  # type: ignore[arg-type]


# --- extraction, on fragments of real cables ---------------------------------------------


def test_titled_names_and_surnames_resolve_to_the_person_named_in_full() -> None:
    # 08BAGHDAD1784 (the newspaper copy) names Maliki by surname only; here he is named
    # in full first, as most cables do.
    cable = cable_of(
        "Prime Minister Nouri al-Maliki met Ambassador Crocker.",
        "PM Maliki told the Ambassador that MALIKI's patience was thin; Crocker agreed.",
    )
    mentions = extract(cable)
    maliki = {m.key for m in mentions if m.surface in ("Nouri al-Maliki", "Maliki", "MALIKI")}
    assert maliki == {"person:nuri maliki"}
    assert ("person", "Crocker") in found(cable)


def test_a_text_may_end_on_a_places_possessive() -> None:
    # Version 11 looked past the last word for the name a place's possessive owns
    # (`Brazil's Congress`): a paragraph ending on one stopped the whole enrichment job
    # of the generated release at 118,000 cables.
    for text in ("Funds came from Iraq's", "IRAQ'S", "as did Brazil's", "He spoke of Dubai's"):
        extract(cable_of("Ambassador Crocker met FM Zebari.", text))
    owned = found(cable_of("Senegal's Anti-Corruption Commission met.", "as did Brazil's"))
    assert ("org", "Anti-Corruption Commission") in owned


_WORDS = (
    "Iraq's", "Brazil's", "IRAQ'S", "Dubai's", "the", "Ministry", "of", "Foreign", "Affairs",
    "Prime", "Minister", "Maliki", "MALIKI", "Ambassador", "Crocker", "GOI", "(GOI)", "and",
    "Embassy", "Baghdad", "U.S.", "military", "forces", "Parliament", "Speaker", "Treasury",
    "Secretary", "Six-Party", "Talks", "XXXXXXXXXXXX", "-", ",", ".", "'s", "Mr.", "Dr.",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12), min_size=1, max_size=3))
def test_any_sequence_of_name_words_is_read_without_failing(texts: list[list[str]]) -> None:
    # The reader looks ahead and behind by token index in many rules: any order of the
    # words those rules react to, ending anywhere, must be read (and no blank is a name).
    cable = cable_of(*(" ".join(words) for words in texts))
    assert all("XXXXX" not in m.surface for m in extract(cable))


def test_a_titled_surname_is_not_a_namesake_named_in_full() -> None:
    # 10KABUL693-style: the president and his brother in one cable.
    cable = cable_of(
        "Ahmed Wali Karzai (AWK) runs Kandahar.", "President Karzai defended his brother."
    )
    keys = {m.surface: m.key for m in extract(cable)}
    assert keys["Ahmed Wali Karzai"] != keys["Karzai"]


def test_governments_by_initials_follow_the_cables_country() -> None:
    # `GOI` is Iraq's government in a Baghdad cable (08BAGHDAD1784) and Indonesia's in a
    # Jakarta one.
    assert ("org", "Government of Iraq") in found(cable_of("The GOI protested."))
    jakarta = cable_of("The GOI protested.", reference_id="09JAKARTA100")
    assert ("org", "Government of Indonesia") in found(jakarta)


def test_ministries_belong_to_the_host_country() -> None:
    names = found(
        cable_of("The MFA and the Interior Ministry replied.", reference_id="09MADRID392")
    )
    assert ("org", "Ministry of Foreign Affairs (Spain)") in names
    assert ("org", "Ministry of Interior (Spain)") in names


def test_all_caps_prose_is_not_a_list_of_names() -> None:
    # 72TEHRAN1164: `GENERAL AZIMI, MINISTER OF WAR, ON INSTRUCTION OF SHAH ASKS THAT WE...`
    cable = cable_of(
        "GENERAL AZIMI, MINISTER OF WAR, ON INSTRUCTION OF SHAH ASKS THAT WE TAKE ANOTHER "
        "HARD LOOK AT F-4E PRODUCTION LINE. SHAH FEELS HE CAN LOOK TO US FOR COOPERATION."
    )
    names = found(cable)
    assert ("person", "Azimi") in names
    assert not {n for k, n in names if k == "person"} - {"Azimi"}
    assert ("place", "United States") not in names  # `LOOK TO US FOR`: the pronoun


def test_us_abbreviation_is_the_country_not_an_under_secretary() -> None:
    names = found(cable_of("He met U.S. officials and U/S Burns in Madrid."))
    assert ("place", "United States") in names
    assert ("person", "Burns") in names


def test_redaction_markers_are_never_entities() -> None:
    cable = cable_of(
        "XXXXXXXXXXXX told PolOff that XXXXXXXXXXXX and Minister XXXXXXXXXXXX met.",
        # 09BAGHDAD759, 10SEOUL248, 09BANGKOK385: a marker glued to a word.
        "As spokesman, XXXXXXXXXXXXdid most of the speaking; Thexxxxxxxxxx said so.",
    )
    assert all("XXXX" not in m.surface.upper() for m in extract(cable))


def test_acronyms_spelled_out_in_the_cable_name_the_same_entity() -> None:
    cable = cable_of(
        "The Chinese Academy of Sciences (CAS) hosted the visit.", "CAS officials said little."
    )
    keys = {m.key for m in extract(cable) if m.surface in ("Chinese Academy of Sciences", "CAS")}
    assert len(keys) == 1


def test_a_period_ends_a_sentence_and_its_next_word_may_be_prose() -> None:
    # 04ANKARA7211: `Who` starting a sentence is not the World Health Organization; `Dr.`
    # and an initial still do not end one.
    cable = cable_of(
        "The man who won Turkey the beginning of accession negotiations with the EU. Who "
        "broke loose three decades of frozen Turkish policy on Cyprus.",
        "Ambassador Ryan C. Crocker met Dr. Rice.",
    )
    names = found(cable)
    assert ("org", "World Health Organization") not in names
    assert {("person", "Ryan C . Crocker"), ("person", "Rice")} <= names


def test_a_known_organisation_wins_over_the_title_it_starts_with() -> None:
    # 08ANKARA536: `Justice` is a judge's title, not here.
    names = found(
        cable_of(
            "Summary: Turkey's ruling Justice and Development Party (AKP) is drafting a "
            "mini-constitutional amendment package.",
            reference_id="08ANKARA536",
        )
    )
    assert ("org", "Justice and Development Party") in names
    assert ("org", "Development Party") not in names


def test_a_cables_own_acronym_wins_over_the_tables() -> None:
    # 10BRASILIA51: SADC is the Southern African Development Community in the tables.
    cable = cable_of(
        "Contacts between Defense Ministers, through the South American Defense Council "
        "(SADC), he said, had been good.",
        "The SADC would not need U.S. approval.",
        reference_id="10BRASILIA51",
    )
    sadc = {(m.kind, m.name) for m in extract(cable) if m.surface == "SADC"}
    assert sadc == {("org", "South American Defense Council")}
    # 09BAMAKO776: a person's initials, whatever verb follows; `an Algerian General.`
    # ends a sentence (it is not `Gen.`) and makes no one of the next word.
    cable = cable_of(
        "The Ambassador met with Malian President Amadou Toumani Toure (ATT).",
        "It is to be attended by an Algerian General. ATT said he is planning a trip.",
        reference_id="09BAMAKO776",
    )
    assert {m.key for m in extract(cable) if m.surface == "ATT"} == {"person:amadu tumani ture"}


def test_a_translated_name_and_a_shorter_form_are_the_known_organisation() -> None:
    # 05MADRID1141: `Socialist Party (PSOE)`; 04MADRID527: `Popular Party`, then `PP`.
    cable = cable_of(
        "The Socialist Party (PSOE) as a whole also gets much higher marks today.",
        "Polls point to victory for the Popular Party and Aznar's successor as party "
        "leader, Mariano Rajoy. The PP hopes not just for a plurality.",
        reference_id="05MADRID1141",
    )
    mentions = extract(cable)
    assert {m.name for m in mentions if m.surface in ("Socialist Party", "PSOE")} == {
        "Spanish Socialist Workers' Party"
    }
    assert len({m.key for m in mentions if m.surface in ("Popular Party", "PP")}) == 1


def test_known_places_joined_by_a_hyphen_are_each_a_place() -> None:
    # 09BAGHDAD1104; `Mercedes-Benz` (a city's name and a company's) names no place.
    names = found(
        cable_of(
            "The drawdown will remove some threats the Iranians perceive near the Iran-Iraq "
            "border. He drove a Mercedes-Benz."
        )
    )
    assert {("place", "Iran"), ("place", "Iraq")} <= names
    assert not {n for k, n in names if k == "place"} - {"Iran", "Iraq"}


def test_titles_nicknames_and_the_sipdis_marker_around_names() -> None:
    # 10MADRID25: NSA is the National Security Advisor before a name, not the agency;
    # 09TEGUCIGALPA645: a nickname in quotes; 08BRASILIA429: the SIPDIS marker.
    names = found(
        cable_of(
            "The meeting followed a January 7 meeting in Washington between NSA Jones, Leon, "
            'and Solomont. It followed the forced removal of President Manuel "Mel" Zelaya.',
            "In meetings with Secretaries Rice and Gates and National Security Advisor "
            "SIPDIS Hadley, Jobim remained cautious.",
        )
    )
    assert {("person", "Jones"), ("person", "Manuel Zelaya"), ("person", "Hadley")} <= names
    assert ("org", "National Security Agency") not in names


def test_organisations_read_whole_but_not_across_a_title_or_an_acronym() -> None:
    names = found(
        cable_of(
            # 05PARIS5335, 09BERLIN1577, 07DUBAI355, 08MADRID1092.
            "Ambassador Stapleton and National Economic Council Director Allan Hubbard met "
            "with the Interior Minister.",
            "He was concerned that what the German Customs and BAFA were doing was wrong.",
            "Brigadier Mohammad al-Qemzi, Director of the Dubai General Department of State "
            "Security, attended.",
            "The Ambassador also referenced shared interests in the context of the U.S. "
            "Africa Command.",
            # 08LONDON1939: the office of the host country's head of government.
            "A call which the Prime Minister's office termed ridiculous.",
            reference_id="08LONDON1939",
        )
    )
    orgs = {n for k, n in names if k == "org"}
    assert {
        "National Economic Council",
        "German Customs",
        "Dubai General Department of State Security",
        "United States Africa Command",
        "Prime Minister's Office (United Kingdom)",
    } <= orgs
    assert not any(" and " in n for n in orgs)


def test_places_named_by_a_part_or_a_country_and_towns_that_are_first_names() -> None:
    names = found(
        cable_of(
            # 09ANKARA1594, 08RABAT727, 08BOGOTA683.
            "The US wants to know whether Turkey will take over an active role in Northern "
            "Iraq or not.",
            "The POLISARIO, the ethnically Sahrawi resistance based in Tindouf, Algeria, "
            "seeks independence.",
            "The GOC had located the four--Gloria Polanco, Luis Eladio Perez, Orlando "
            "Beltran, and Jorge Eduardo Gechem.",
        )
    )
    assert {("place", "Northern Iraq"), ("place", "Tindouf")} <= names
    assert ("person", "Orlando Beltran") in names
    assert ("place", "Orlando") not in names


def test_an_acronym_that_spells_a_word_and_a_name_in_brackets() -> None:
    # 04OTTAWA3115: `Plan` is not PLAN, the PLA Navy; 07MADRID2282: the court's Spanish
    # name in brackets is the court, not a person.
    names = found(
        cable_of(
            "Starting with the December 2001 Smart Border Action Plan with the U.S., changes "
            "include enhancements to aviation security.",
            "Baltasar Garzon, a high-profile investigative magistrate in Madrid's powerful "
            "National Court (Audiencia Nacional), was upbeat.",
        )
    )
    assert ("org", "PLA Navy") not in names
    assert ("person", "Audiencia Nacional") not in names
    assert ("org", "National Court") in names


def test_governments_ministries_and_bodies_spelled_out() -> None:
    """Extractor version 9: a country's long name after `Government of`, a ministry's
    whole portfolio, a country before `Ministry of`, a body named with a plural title,
    and no connector left at a name's end (fragments of corpus cables outside the gold)."""
    # 10CARACAS163 and 10ABUJA215.
    venezuela = cable_of(
        "the Government of the Bolivarian Republic of Venezuela (GBRV) has reduced "
        "its output. The GBRV said so.",
        reference_id="10CARACAS163",
    )
    assert found(venezuela) == {("org", "Government of Venezuela")}
    assert ("org", "Government of the Federation") in found(
        cable_of(
            "The AgP said he would ask the Secretary to the Government of the Federation "
            "(SGF) to inquire.",
            reference_id="10ABUJA215",
        )
    )
    # 06ASUNCION589; a list of portfolios ends with `and`; a name ends a portfolio.
    ministries = found(
        cable_of(
            "In addition, the Ministry of Women's Affairs has ambitious plans. The Ministry "
            "of Industry, Energy and Tourism agreed. The Ministry of Interior, National "
            "Police said. Ministry of Interior Jawad Bolani spoke.",
            reference_id="06ASUNCION589",
        )
    )
    assert ("org", "Ministry of Women's Affairs (Paraguay)") in ministries
    assert ("org", "Ministry of Industry, Energy and Tourism (Paraguay)") in ministries
    assert ("org", "Ministry of Interior (Paraguay)") in ministries
    assert ("person", "Jawad Bolani") in ministries
    assert not any("Police" in name and "Ministry" in name for _, name in ministries)
    # A country's adjective or name before `Ministry of`: that country's ministry.
    assert found(
        cable_of(
            "the Russian Ministry of Defense and Iran's Ministry of Interior met.",
            reference_id="09MOSCOW532",
        )
    ) == {("org", "Ministry of Defense (Russia)"), ("org", "Ministry of Interior (Iran)")}
    # 07ANKARA1842-like: `the parliament, and not the Council of Ministers, was to decide`.
    bodies = found(
        cable_of(
            "He noted that the parliament, and not the Council of Ministers, was to decide. "
            "The Council of Minister Ahmed met.",
            reference_id="07ANKARA1905",
        )
    )
    assert ("org", "Council of Ministers") in bodies
    assert not any(name.endswith(" of") for _, name in bodies)


def test_a_class_noun_next_to_a_name_says_what_it_names() -> None:
    """`the opposition newspaper Azadliq`, `The British firm Tullow Oil`, `the town of
    Palomares` (06BAKU1835, 09KAMPALA1197, 09MADRID612); not a description (`the Italian
    firm`, `a Socialist party boss`) nor a person after a title (`party MEP ...`)."""
    assert found(
        cable_of(
            "The Azerbaijani press (to include the opposition newspaper Azadliq) quoted him.",
            reference_id="06BAKU1835",
        )
    ) >= {("org", "Azadliq")}
    assert ("org", "Tullow Oil") in found(
        cable_of(
            "The British firm Tullow Oil, has made major discoveries.",
            reference_id="09KAMPALA1197",
        )
    )
    assert ("place", "Palomares") in found(
        cable_of(
            "three hydrogen bombs fell near the town of Palomares after a collision.",
            reference_id="09MADRID612",
        )
    )
    described = found(
        cable_of(
            "The Italian firm won. Chaves, a long-time Socialist party boss, spoke. The "
            "Socialist party MEP Catherine Trautmann said. The Sadr movement met.",
            reference_id="04MADRID2164",
        )
    )
    assert not any(kind == "org" and name in ("Italian", "Socialist") for kind, name in described)
    assert ("org", "Catherine Trautmann") not in described
    assert ("org", "Sadrist Trend") in described


def test_programmes_and_initiatives_are_organisations() -> None:
    """The gold counts programmes as organisations (`EXBS`, `Merida Initiative`)."""
    assert ("org", "National Solidarity Program") in found(
        cable_of(
            "he gets high marks for his management of the National Solidarity Program.",
            reference_id="09KABUL100",
        )
    )


def test_structure_gives_signers_classifier_and_ovip_persons() -> None:
    cable = cable_of(
        "Ambassador Ryan Crocker met the Secretary.",
        signers=["CROCKER"],
        classified_by=ClassifiedBy(name="Ryan C. Crocker", title="Ambassador"),
        tags=["PREL", "OVIP", "RICE, CONDOLEEZZA"],
    )
    mentions = extract(cable)
    crocker = {m.key for m in mentions if "rocker" in m.surface.lower()}
    assert len(crocker) == 1
    assert ("person", "Condoleezza Rice") in {(m.kind, m.name) for m in mentions}


def test_a_name_made_a_person_only_by_its_capitals_is_an_organisation_with_an_acronym() -> None:
    # 09NAIROBI1057, 09MOSCOW3144, 10ROME87: capitalised words with their initials in
    # brackets are an organisation's name; a person's has a first name (08KABUL3030).
    cable = cable_of(
        "The TFG's negotiations with Ahlu Sunnah Wal Jama'a (ASWJ) had produced no results."
        " ASWJ continued to push for ministerial positions.",
        "A deposition by Price Waterhouse Coopers (PWC) may show that PWC received pressure.",
        "Reinstating Sher Mohammad Akhunzada (SMA) as governor; SMA is popular.",
    )
    got = found(cable)
    assert ("org", "Ahlu Sunnah Wal Jama'a") in got
    assert ("org", "Price Waterhouse Coopers") in got
    assert ("person", "Sher Mohammad Akhunzada") in got
    kinds = {m.surface: m.kind for m in extract(cable)}
    assert kinds["ASWJ"] == "org" and kinds["PWC"] == "org" and kinds["SMA"] == "person"


def test_office_symbols_quotations_and_acronyms_after_titles_are_no_people() -> None:
    cable = cable_of(
        # 09STATE82013, 10STATE18437
        "Ambassador Burk met the Director for Middle East/NPT issues. NPT Parties agreed.",
        "S/SECC Jonathan Pershing said the talks would go on.",
        # 05MADRID171, 07BEIJING1840, 09CARACAS1551
        'The local daily "El Mundo" cited an MFA source. She starred in "Miami Vice" and'
        ' praised "Barrio Adentro" clinics.',
        # 07ABUDHABI187, 08BUENOSAIRES235
        "He met Commander USAF and the Director FBI in Abu Dhabi.",
    )
    people = {name for kind, name in found(cable) if kind == "person"}
    assert people == {"Burk", "Jonathan Pershing"}
    assert ("org", "El Mundo") in found(cable)


def test_a_party_word_before_a_name_and_shortened_titles() -> None:
    # 07PARIS1791, 04AMMAN1288, 09TELAVIV2777
    cable = cable_of(
        "Socialist Segolene Royal lost; Segolene Royal conceded and Royal left.",
        "Marwan Muasher spoke. FonMin Muasher later called. DefMin Barak agreed.",
    )
    got = found(cable)
    assert ("person", "Segolene Royal") in got and ("person", "Marwan Muasher") in got
    assert not any("Socialist" in name or "FonMin" in name for _, name in got)
    assert ("person", "Barak") in got


def test_shorter_forms_of_a_full_name_are_that_person() -> None:
    cable = cable_of(
        # 09MADRID392, 09BERLIN1528, 09MADRID59
        "Chief Prosecutor Candido Conde Pumpido spoke; Conde Pumpido later agreed.",
        "Interior Minister Thomas de Maiziere spoke. Ambassador Murphy met with Interior"
        " Minister de Maiziere on November 5.",
        "Cristina Fernandez de Kirchner won; Fernandez Kirchner thanked voters.",
        # 10BRASILIA43, 06LAPAZ886, 09ABUDHABI754, 09MADRID392
        "President Luiz Inacio Lula da Silva arrived; President Lula spoke and Lula left.",
        "President Evo Morales Ayma spoke; President Morales said that Morales would go.",
        "Crown Prince Mohammed bin Zayed met him; MbZ was frank.",
        "Attorney General Alberto Gonzales spoke; Alberto Gonzalez was frank.",
        # 08ISLAMABAD3783: a misspelt surname inside the word
        "Foreign Minister Mehmood Qureshi met the Ambassador; Queshi was frank.",
    )
    by_surface: dict[str, set[str]] = {}
    for m in extract(cable):
        by_surface.setdefault(m.surface, set()).add(m.key)
    same = [
        ("Candido Conde Pumpido", "Conde Pumpido"),
        ("Thomas de Maiziere", "de Maiziere"),
        ("Cristina Fernandez de Kirchner", "Fernandez Kirchner"),
        ("Luiz Inacio Lula da Silva", "Lula"),
        ("Evo Morales Ayma", "Morales"),
        ("Mohammed bin Zayed", "MbZ"),
        ("Alberto Gonzales", "Alberto Gonzalez"),
        ("Mehmood Qureshi", "Queshi"),
    ]
    for full, short in same:
        assert by_surface[short] == by_surface[full], (full, short)


def test_middle_words_and_misspellings_are_not_stretched() -> None:
    # 10RIYADH178: King Abdullah is not Ali Abdullah Saleh; 08LONDON1991: Alan Johnson is
    # not Alan Johnston; 06BUENOSAIRES1594: Argentines are no misspelt Argentinas.
    cable = cable_of(
        "Ali Abdullah Saleh is weak, King Abdullah said; Abdullah was blunt.",
        "Home Secretary Alan Johnson met the family of Alan Johnston.",
        "Aerolineas Argentinas flew; Argentines complained.",
    )
    keys = {m.surface: m.key for m in extract(cable)}
    assert keys["Abdullah"] != keys["Ali Abdullah Saleh"]
    assert keys["Alan Johnson"] != keys["Alan Johnston"]
    assert "Argentines" not in keys or keys["Argentines"] != keys.get("Aerolineas Argentinas")


def test_armed_forces_parliaments_possessives_and_portfolios() -> None:
    """Version 11, on fragments of corpus cables outside the gold."""
    # 09ISLAMABAD270, 08BRASILIA429: `military` after a country's adjective is its armed
    # forces as a noun, not before another noun.
    forces = found(
        cable_of(
            "But, Kayani said, the Pakistani military could not fight everyone at once.",
            "Brazil will have the same access to U.S. military technology as others.",
            reference_id="09ISLAMABAD270",
        )
    )
    assert ("org", "Armed Forces of Pakistan") in forces
    assert not any(name.startswith("Armed Forces of United States") for _, name in forces)
    # 08TUNIS193, 07ANKARA1258: a country's possessive only says whose the body is;
    # 06ABUDHABI1401: not when a common word's known name follows.
    owned = found(
        cable_of(
            "He met Tunisia's External Communications Agency (ATCE) on Monday.",
            "Dubai's State Security Organization detained him.",
            reference_id="08TUNIS193",
        )
    )
    assert ("org", "External Communications Agency") in owned
    assert ("place", "Tunisia") in owned
    assert ("org", "Department of State") not in owned
    # 09LONDON2742, 08LONDON1939: `Treasury Secretary` is a title; `Labour's` is the party.
    titled = found(
        cable_of(
            "He was disappointed that Treasury Secretary Geithner refused to support it.",
            "Nick Brown, Labour's Deputy Chief Whip, told Poloff.",
            reference_id="09LONDON2742",
        )
    )
    assert ("org", "Department of the Treasury") not in titled
    assert ("org", "Labour Party (UK)") in titled
    # 08OSLO585: `Parliament` alone is the host country's; `Speaker of Parliament` a title.
    parliament = found(
        cable_of(
            "The GON will make a recommendation to the Parliament on December 19.",
            "Speaker of Parliament Ali Larijani spoke.",
            reference_id="08OSLO585",
        )
    )
    assert ("org", "Parliament of Norway") in parliament
    assert ("person", "Ali Larijani") in parliament
    assert not any("Parliament" in name for kind, name in parliament if kind == "person")
    # 09BRASILIA1206: `CT` is counterterrorism, not the State Department's office; a bare
    # head word before `and` is a body of its own.
    rest = found(
        cable_of(
            "There is a lack of CT legislation. The Department and DoD agreed.",
            reference_id="09BRASILIA1206",
        )
    )
    assert ("org", "Office of the Coordinator for Counterterrorism") not in rest
    # 08BERLIN1387 and Beijing cables: talks and operations are events, no organisations,
    # and their words make nothing else.
    events = found(
        cable_of(
            "The Bundestag renewed the German contribution to OEF for another year.",
            "Special Envoy for the Six-Party Talks Sung Kim arrived on Monday.",
            reference_id="08BERLIN1387",
        )
    )
    assert not any(name in ("Six-Party Talks", "Operation Enduring Freedom") for _, name in events)
    assert ("person", "Sung Kim") in events
    assert ("org", "Department of Defense") in rest
    assert not any(" and " in name for _, name in rest)


# --- the gold set -------------------------------------------------------------------------


@pytest.mark.corpus
def test_gold_set_accuracy_stays_at_its_measured_level() -> None:
    """The floors are what docs/entities.md reports, less a margin: a change that loses
    accuracy on the hand-checked cables fails here (the goals are in the docs). The dev and
    test splits (tuned on, and looked at) are held apart from the fresh split (annotated
    blind, never tuned on), so a gain on the first cannot hide a loss on the second."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    scores = {
        (split, caps): Score()
        for split in ("first", "fresh", "fresh2", "fresh3")
        for caps in (False, True)
    }
    for line in GOLD.read_text().splitlines():
        item = json.loads(line)
        cable = cabledesk.parse_file(CORPUS / item["path"])
        split = item["split"] if item["split"] in ("fresh", "fresh2", "fresh3") else "first"
        score = scores[(split, item["caps"])]
        score_cable(item["id"], item["entities"], extract(cable), score)
    # Version 11: measured 0.870, 0.831 (all-caps) and 218 of 223 people.
    assert scores[("first", False)].total.f1 >= 0.86
    assert scores[("first", True)].total.f1 >= 0.82
    assert scores[("first", False)].resolution >= 0.96
    # Measured 0.865 and 147 of 149 people; the fresh split's two all-caps cables hold two
    # entities between them, too few for a floor.
    assert scores[("fresh", False)].total.f1 >= 0.85
    assert scores[("fresh", False)].resolution >= 0.97
    # fresh2 (15 mixed-case cables, annotated blind for version 9): measured 0.838 and 103
    # of 105 people.
    assert scores[("fresh2", False)].total.f1 >= 0.83
    assert scores[("fresh2", False)].resolution >= 0.96
    # fresh3 (15 mixed-case cables, annotated blind for version 10): measured 0.835 and 156
    # of 161 people (version 11).
    assert scores[("fresh3", False)].total.f1 >= 0.82
    assert scores[("fresh3", False)].resolution >= 0.95


def test_gold_file_is_well_formed() -> None:
    lines = [json.loads(line) for line in GOLD.read_text().splitlines()]
    assert len(lines) >= 60
    assert sum(item["caps"] for item in lines) >= 10
    assert sum(item["split"] == "fresh" and not item["caps"] for item in lines) >= 18
    assert sum(item["split"] == "fresh2" and not item["caps"] for item in lines) >= 15
    assert sum(item["split"] == "fresh3" and not item["caps"] for item in lines) >= 15
    assert len({item["id"] for item in lines}) == len(lines)
    for item in lines:
        assert item["split"] in ("dev", "test", "fresh", "fresh2", "fresh3")
        for entity in item["entities"]:
            assert entity["kind"] in ("person", "org", "place", "post")
            assert entity["name"] and isinstance(entity["aliases"], list)


# --- the enrichment job -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entities") / "archive"
    with cabledesk.Archive.open(folder) as archive:
        archive.ingest([SAMPLE / "cable"], workers=1)
    return folder


def copy_of(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def archive_file(folder: Path) -> Path:
    return folder / "archive.db"


def test_enrichment_is_the_same_in_process_in_workers_and_resumed(
    ingested: Path, tmp_path: Path
) -> None:
    one = copy_of(ingested, tmp_path, "one")
    pool = copy_of(ingested, tmp_path, "pool")
    resumed = copy_of(ingested, tmp_path, "resumed")
    with cabledesk.Archive.open(one) as archive:
        first = archive.enrich(workers=0)
        assert first.cables == first.pending_before > 40 and first.mentions > 500
        again = archive.enrich(workers=0)
        assert again.pending_before == 0 and again.cables == 0  # idempotent
    with cabledesk.Archive.open(pool) as archive:
        archive.enrich(workers=2)
    with cabledesk.Archive.open(resumed) as archive:
        partial = archive.enrich(workers=0, limit=7)  # as if killed after 7 cables
        assert partial.cables == 7
        rest = archive.enrich(workers=0)
        assert rest.cables == first.cables - 7
    assert rows_of(one) == rows_of(pool) == rows_of(resumed)
    connection = sqlite3.connect(archive_file(one))
    stored = connection.execute("SELECT count(*) FROM mentions").fetchone()[0]
    connection.close()
    # Every mention is stored; those of candidates no one in the archive explains belong
    # to no entity (and are shown nowhere).
    assert stored == first.mentions > len(rows_of(one)) > 0


def mention_indexes(folder: Path) -> set[str]:
    connection = sqlite3.connect(archive_file(folder))
    try:
        return {
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mentions'"
            )
        }
    finally:
        connection.close()


def test_a_job_killed_without_its_key_index_leaves_it_to_the_next_opening(
    ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cabledesk.archive import entities as entity_store

    clean = copy_of(ingested, tmp_path, "clean")
    killed = copy_of(ingested, tmp_path, "killed")
    with cabledesk.Archive.open(clean) as archive:
        archive.enrich(workers=0)
    assert "mentions_key" in mention_indexes(clean)
    # A first enrichment rewrites every cable: the key index is dropped for the run.
    # Interrupted in its first batch (as a kill would, nothing runs after it), the archive
    # is left without it.
    written: list[int] = []
    write = entity_store.write

    def write_then_stop(*args: object) -> int:
        if not written:
            raise KeyboardInterrupt
        written.append(1)
        return write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(entity_store, "write", write_then_stop)
    archive = cabledesk.Archive.open(killed)
    with pytest.raises(KeyboardInterrupt):
        archive.enrich(workers=0)
    archive.store.connection.close()
    monkeypatch.setattr(entity_store, "write", write)
    assert "mentions_key" not in mention_indexes(killed)
    # The next opening builds it again; the next run finishes the job with the same rows.
    with cabledesk.Archive.open(killed) as archive:
        assert "mentions_key" in mention_indexes(killed)
        rest = archive.enrich(workers=0)
        assert rest.cables == rest.pending_before > 40
    assert mention_indexes(killed) == mention_indexes(clean)
    assert rows_of(killed) == rows_of(clean)


def test_a_job_that_fails_builds_the_key_index_again_at_once(
    ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cabledesk.archive import entities as entity_store

    folder = copy_of(ingested, tmp_path, "failed")

    def fail(*args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(entity_store, "write", fail)
    with cabledesk.Archive.open(folder) as archive, pytest.raises(RuntimeError):
        archive.enrich(workers=0)
    assert "mentions_key" in mention_indexes(folder)


def rows_of(folder: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(archive_file(folder))
    try:
        return connection.execute(
            """SELECT c.reference_id, m.position, m.kind, m.key, m.surface, m.start, m.end,
                      m.rank, n.name
               FROM mentions m JOIN cables c ON c.id = m.cable_id
               JOIN entity_keys k ON k.key = m.key JOIN entities n ON n.id = k.entity_id
               ORDER BY c.reference_id, m.position"""
        ).fetchall()
    finally:
        connection.close()


def test_enrichment_on_a_dask_cluster_gives_the_same_entities(
    ingested: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    local = copy_of(ingested, tmp_path, "local")
    cluster_copy = copy_of(ingested, tmp_path, "cluster")
    with cabledesk.Archive.open(local) as archive:
        archive.enrich(workers=0)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        cabledesk.Archive.open(cluster_copy) as archive,
    ):
        report = archive.enrich(scheduler=client)
        assert report.cables > 40
    assert rows_of(local) == rows_of(cluster_copy)


def test_an_unreachable_scheduler_is_one_clear_error(ingested: Path, tmp_path: Path) -> None:
    from cabledesk.archive.enrich import EnrichError

    folder = copy_of(ingested, tmp_path, "unreachable")
    with cabledesk.Archive.open(folder) as archive, pytest.raises(EnrichError, match="scheduler"):
        archive.enrich(scheduler="tcp://127.0.0.1:1")
    with cabledesk.Archive.open(folder) as archive:
        assert archive.enrich(workers=0).cables > 40  # nothing was lost


def test_a_changed_text_is_pending_again(ingested: Path, tmp_path: Path) -> None:
    folder = copy_of(ingested, tmp_path, "changed")
    with cabledesk.Archive.open(folder) as archive:
        archive.enrich(workers=0)
        connection = archive.connection
        with connection:
            connection.execute(
                "UPDATE cables SET text_hash = 'changed' WHERE id = (SELECT min(id) FROM cables)"
            )
        assert archive.enrich(workers=0).cables == 1


def test_a_cable_the_extractor_fails_on_costs_that_cable_not_the_job(
    ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from cabledesk.archive import enrich as job
    from cabledesk.cli.main import cli

    folder = copy_of(ingested, tmp_path, "one-fails")
    connection = sqlite3.connect(archive_file(folder))
    broken_id, broken = connection.execute(
        "SELECT id, reference_id FROM cables ORDER BY id LIMIT 1 OFFSET 3"
    ).fetchone()
    total = connection.execute("SELECT count(*) FROM cables").fetchone()[0]
    connection.close()
    mention_rows = job._mention_rows

    def failing(cable: Cable) -> list[object]:
        if cable.reference_id == broken:
            raise IndexError("list index out of range")
        return mention_rows(cable)

    monkeypatch.setattr(job, "_mention_rows", failing)
    with cabledesk.Archive.open(folder) as archive:
        report = archive.enrich(workers=0)
    assert report.failed == [(broken, "IndexError: list index out of range")]
    assert report.cables == total - 1 and report.mentions > 500
    connection = sqlite3.connect(archive_file(folder))
    enriched = {row[0] for row in connection.execute("SELECT cable_id FROM enriched")}
    connection.close()
    assert broken_id not in enriched and len(enriched) == total - 1
    # The command says which cable and why, once, with no traceback, and fails.
    result = CliRunner().invoke(cli, ["enrich", "--db", str(folder), "--workers", "0"])
    assert result.exit_code == 1, result.output
    assert f"{broken}: IndexError: list index out of range" in result.output
    assert "failed on 1 cable;" in result.output and "Traceback" not in result.output
    # Fixed, the next run reads that cable alone.
    monkeypatch.setattr(job, "_mention_rows", mention_rows)
    with cabledesk.Archive.open(folder) as archive:
        again = archive.enrich(workers=0)
    assert again.cables == 1 and again.failed == []


# --- who sees what ------------------------------------------------------------------------


def test_readers_never_receive_an_entity_a_rule_burns(ingested: Path, tmp_path: Path) -> None:
    folder = copy_of(ingested, tmp_path, "burned")
    with cabledesk.Archive.open(folder) as archive:
        archive.enrich(workers=0)
        people = archive.entities(viewer=EVERYTHING, kind="person", limit=5)
        target = people[0]
        names = [alias for alias, _ in archive.entity(target.id, viewer=EVERYTHING).aliases]  # type: ignore[union-attr]
        archive.redact(Rule(kind="name", text=target.name, variants=names, reason="test"))
        reader = Viewer(redact=True, compiled=archive.redactor())
        assert archive.entity(target.id, viewer=reader) is None
        assert target.id not in {e.id for e in archive.entities(viewer=reader, limit=500)}
        for reference_id in archive.entity(target.id, viewer=EVERYTHING).cables:  # type: ignore[union-attr]
            assert target.id not in {m[0] for m in archive.mentions(reference_id, viewer=reader)}
        # Editors still see it (they see the stored record).
        assert archive.entity(target.id, viewer=EVERYTHING) is not None


def test_mentions_above_the_ceiling_do_not_count(ingested: Path, tmp_path: Path) -> None:
    folder = copy_of(ingested, tmp_path, "ceiling")
    with cabledesk.Archive.open(folder) as archive:
        archive.enrich(workers=0)
        everything = {e.id: e.mentions for e in archive.entities(viewer=EVERYTHING, limit=10_000)}
        unclassified = {
            e.id: e.mentions for e in archive.entities(viewer=Viewer(ceiling=0), limit=10_000)
        }
        assert sum(unclassified.values()) < sum(everything.values())
        assert all(unclassified[i] <= everything[i] for i in unclassified)
        connection = archive.connection
        secret_only = connection.execute(
            """SELECT k.entity_id FROM mentions m JOIN entity_keys k ON k.key = m.key
               GROUP BY k.entity_id HAVING min(m.rank) > 0 LIMIT 1"""
        ).fetchone()
        assert secret_only is not None
        assert archive.entity(secret_only[0], viewer=Viewer(ceiling=0)) is None


def test_the_public_sees_no_entity_before_an_edition(ingested: Path, tmp_path: Path) -> None:
    folder = copy_of(ingested, tmp_path, "public")
    with cabledesk.Archive.open(folder) as archive:
        archive.enrich(workers=0)
        assert archive.entities(viewer=archive.public_viewer()) == []


def test_a_reader_below_the_ceiling_never_sees_a_name_only_a_higher_part_spells(
    tmp_path: Path,
) -> None:
    """An entity's stored name is its fullest spelling anywhere; a reader who sees only
    the UNCLASSIFIED paragraph gets the name that paragraph spells, never the SECRET one."""
    text = (
        "From: Test\n"
        "6/14/2008 6:50 08BAGHDAD9998 Embassy Baghdad SECRET\n\n"
        "O 140650Z JUN 08 FM AMEMBASSY BAGHDAD TO SECSTATE WASHDC IMMEDIATE 7781\n\n"
        "S E C R E T baghdad 009998\n\n"
        "E.o. 12958: N/A Tags: prel\nSubject: a test of names\n\n"
        "1. (S) Prime Minister Zoltan Quernwick met the Ambassador.\n\n"
        "2. (U) PM Quernwick spoke to the press.\n\nCROCKER\n"
    )
    folder = tmp_path / "cables"
    folder.mkdir()
    (folder / "08BAGHDAD9998.txt").write_text(text, encoding="utf-8")
    with cabledesk.Archive.open(tmp_path / "archive") as archive:
        archive.ingest([folder], workers=1)
        archive.enrich(workers=0)
        everything = {e.name for e in archive.entities(viewer=EVERYTHING, kind="person")}
        assert "Zoltan Quernwick" in everything
        reader = Viewer(ceiling=0)
        names = {e.name for e in archive.entities(viewer=reader, kind="person", limit=500)}
        assert "Quernwick" in names
        assert not any("Zoltan" in n for n in names)
        assert archive.entities(viewer=reader, name="zoltan") == []
        for row in archive.mentions("08BAGHDAD9998", viewer=reader):
            assert "Zoltan" not in row[2]


def test_the_stored_counts_are_the_counts_of_every_mention(ingested: Path, tmp_path: Path) -> None:
    """A reader who sees everything is answered from the counts resolution keeps; they
    must be what counting every mention gives, for every kind and a name filter."""
    from cabledesk.archive import entities as entity_store
    from cabledesk.entities.model import EntityCount

    folder = copy_of(ingested, tmp_path, "stored")
    with cabledesk.Archive.open(folder) as archive:
        archive.enrich(workers=0)
        everything = entity_store.Visibility()
        for kind in (None, "person", "org", "place", "post"):
            counted = entity_store.counts(archive.connection, everything, kind=kind, limit=-1)
            shown = archive.entities(viewer=EVERYTHING, kind=kind, limit=100_000)
            assert shown == [EntityCount(*row) for row in counted] != []
        counted = entity_store.counts(archive.connection, everything, name="ort", limit=-1)
        assert archive.entities(viewer=EVERYTHING, name="ort", limit=1000) == [
            EntityCount(*row) for row in counted
        ]
