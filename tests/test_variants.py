"""Spelling and transliteration variants (docs/search.md, "Spelling variants"): the rules,
the groups learnt from a reader's own vocabulary, searches that use them against brute
force, and what a reader may not see (SECRET text, a redacted name, an unpublished cable)
never offered as a variant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from access_fixtures import sign_in
from cabledesk.access import Accounts
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.facade import Archive
from cabledesk.redact.model import Rule
from cabledesk.web import create_app
from cabledesk.workspace import variants
from workspace_fixtures import add_accounts, crafted, ingest_records


def test_the_rules() -> None:
    assert variants.normal("Hezbollah") == "hizbula"
    assert {variants.normal(w) for w in ("Qaddafi", "Qadhafi", "Gaddafi")} == {"kadafi"}
    assert variants.skeleton("Hizballah") == variants.skeleton("Hezbollah")
    assert variants.spelled_alike(variants.normal("hezbollah"), variants.normal("hizballah"))
    assert variants.spelled_alike(variants.normal("khamenei"), variants.normal("khameini"))
    # Two men, six letters: no vowel may differ.
    assert not variants.spelled_alike(variants.normal("khamenei"), variants.normal("khomeini"))
    # An ending is not a spelling.
    assert not variants.spelled_alike(variants.normal("somalia"), variants.normal("somali"))
    assert variants.skeleton("iraq") != variants.skeleton("iraqi")


def test_groups_from_a_vocabulary() -> None:
    vocabulary = {
        "hezbollah": 20,
        "hizballah": 40,
        "hizbollah": 5,
        "hizbulla": 1,  # once: too rare to learn
        "qaddafi": 3,
        "qadhafi": 19,
        "gaddafi": 2,
        "khamenei": 18,
        "khomeini": 9,
        "report": 50,  # a common word
        "reaport": 3,
    }
    built = variants.build(vocabulary, common=frozenset({"report"}))
    assert built.groups == [
        ("hizballah", "hezbollah", "hizbollah"),
        ("qadhafi", "qaddafi", "gaddafi"),
    ]
    assert built.variants["hezbollah"] == ("hizballah", "hizbollah")
    # Capitalisation read from the reader's text decides what is a name.
    lowered = variants.build(
        vocabulary, common=frozenset(), capitalised=lambda words: set(words) - {"qaddafi"}
    )
    assert ("qadhafi", "gaddafi") in lowered.groups


def test_entity_names_join_spellings_the_rules_alone_skip() -> None:
    vocabulary = {
        "nouri": 9,
        "nuri": 1,  # once: too rare for the rules alone
        "maliki": 30,
        "al": 60,
        "iraq": 40,
        "iraqi": 25,
        "hizballah": 40,
        "hezbollah": 20,
        "hekmatyar": 4,
        "gulbuddin": 3,
    }
    names = [
        (1, "person", "Nouri al-Maliki"),
        (1, "person", "Nuri al-Maliki"),
        (1, "person", "PM Maliki"),  # `pm` is not in the vocabulary: the name says nothing
        (2, "place", "Iraq"),
        (2, "place", "Iraqi"),  # an ending, not a spelling
        # A name with a word the reader's vocabulary lacks (burned by a rule, or only in
        # text the reader may not see) says nothing, even of its other words.
        (3, "person", "Gulbuddin Hekmatyr"),
        (3, "person", "Gulbaddin Hekmatyar"),
    ]
    found = variants.entity_names(names, vocabulary)
    assert found.alike == frozenset({("nouri", "nuri")})
    plain = variants.build(vocabulary, common=frozenset())
    assert not any("nuri" in g for g in plain.groups)
    built = variants.build(vocabulary, common=frozenset(), entities=found)
    assert ("nouri", "nuri") in built.groups
    assert ("hizballah", "hezbollah") in built.groups  # the rules' groups stay
    assert not any("iraqi" in g for g in built.groups)
    assert all("gulbaddin" not in g for g in built.groups)
    assert variants.loosely_alike("jowzjan", "jawzjan")
    assert not variants.loosely_alike("korea", "korean")
    assert not variants.loosely_alike("maliki", "nouri")


def test_written_as_name() -> None:
    assert variants.written_as_name("hizballah", ["Leaders of Hizballah met.", "HIZBALLAH"])
    assert not variants.written_as_name("hungry", ["He was hungry. The Hungry Man was not."])
    assert variants.written_as_name("hizballah", ["HIZBALLAH SAID"])  # nothing to go by


PEOPLE = {"rita": ("reader", "SECRET", False), "fran": ("reader", "CONFIDENTIAL", True)}


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive") as opened:
        ingest_records(
            opened,
            tmp_path / "in",
            [
                crafted("09TESTPOST1", [("U", "Leaders of Hezbollah met on Monday.")]),
                crafted("09TESTPOST13", [("U", "Again, Hezbollah and Qadhafi.")]),
                crafted("09TESTPOST2", [("U", "The envoy said Hizballah would wait.")]),
                crafted("09TESTPOST3", [("U", "Both said Hizballah and Qadhafi agreed.")]),
                crafted("09TESTPOST4", [("S", "A source said Hizbollah was armed.")]),
                crafted("09TESTPOST5", [("S", "Later Hizbollah denied it.")]),
                crafted("09TESTPOST6", [("U", "The envoy met Qaddafi in Tripoli.")]),
                crafted("09TESTPOST7", [("U", "The envoy met Qaddafi again.")]),
                crafted("09TESTPOST8", [("U", "He wrote that Khamene'i ruled.")]),
                crafted("09TESTPOST9", [("U", "Then Khamenei spoke, and Khamenei left.")]),
                crafted("09TESTPOST10", [("U", "Then Khamenei spoke once more.")]),
                crafted("09TESTPOST11", [("U", "Others said al-Maliki, some el-Maliki.")]),
                crafted("09TESTPOST12", [("U", "Prime Minister Maliki, said el-Maliki.")]),
            ],
        )
        add_accounts(opened, PEOPLE)
        yield opened


def _who(archive: Archive, name: str) -> Principal:
    found = Accounts(archive).principal(name)
    assert found is not None
    return found


def test_searches_with_variants_against_brute_force(archive: Archive) -> None:
    for who in (LOCAL, _who(archive, "rita"), _who(archive, "fran")):
        viewer = archive.viewer(who)
        for query in ("hezbollah", "Qaddafi", "Khamenei", "Khamene'i", "al-Maliki", "envoy"):
            found = archive.search(query, viewer=viewer, variants=True, limit=100)
            spellings = [query] + [o for _, others in found.also_searched for o in others]
            # Every spelling as written, ORed: what the variants search must find.
            brute = set()
            for spelling in spellings:
                brute |= set(archive.matching_ids(f'"{spelling}"', viewer=viewer))
            assert {h.reference_id for h in found.hits} == brute, (query, spellings)
            exact = archive.search(query, viewer=viewer, limit=100)
            assert exact.also_searched == []
            assert {h.reference_id for h in exact.hits} <= brute
    everything = archive.viewer(LOCAL)
    hez = archive.search("hezbollah", viewer=everything, variants=True)
    assert hez.also_searched == [("hezbollah", ["hizballah", "hizbollah"])]
    assert hez.total == 6
    assert archive.search("Qaddafi", viewer=everything, variants=True).also_searched == [
        ("qaddafi", ["qadhafi"])
    ]
    assert archive.search("Khamenei", viewer=everything, variants=True).total == 3
    assert archive.search("Khamene'i", viewer=everything, variants=True).also_searched == [
        ("khamene i", ["khamenei"])
    ]
    assert archive.search("al-Maliki", viewer=everything, variants=True).also_searched == [
        ("al maliki", ["el maliki", "maliki"])
    ]
    # Quotes and `=word` search one spelling.
    for exact in ('"hezbollah"', "=hezbollah", "=Hezbollah"):
        found = archive.search(exact, viewer=everything, variants=True)
        assert found.total == 2 and found.also_searched == []
    assert "envoy" not in {w for g in archive.variant_groups(viewer=everything) for w in g}


def test_a_variant_only_in_secret_text_is_offered_to_secret_readers_only(
    archive: Archive,
) -> None:
    rita, fran = _who(archive, "rita"), _who(archive, "fran")
    for who, sees in ((rita, True), (fran, False)):
        found = archive.search("hezbollah", viewer=archive.viewer(who), variants=True)
        offered = [o for _, others in found.also_searched for o in others]
        assert ("hizbollah" in offered) is sees
        assert {h.reference_id for h in found.hits} >= {"09TESTPOST1", "09TESTPOST2"}
        assert ("09TESTPOST4" in {h.reference_id for h in found.hits}) is sees
    _every_word_offered_is_found_as_written(archive, fran)


def _every_word_offered_is_found_as_written(archive: Archive, who: Principal) -> None:
    """The leak check: each word of each group a reader is offered is one they can find
    themselves, spelled so, in what they may see."""
    viewer = archive.viewer(who)
    for group in archive.variant_groups(viewer=viewer):
        for word in group:
            assert list(archive.matching_ids(f"={word}", viewer=viewer)), (who.name, word)


def test_a_redacted_name_is_never_a_variant(archive: Archive) -> None:
    archive.redact(Rule(kind="name", text="Hizbollah", reason="a source"))
    rita = _who(archive, "rita")
    found = archive.search("hezbollah", viewer=archive.viewer(rita), variants=True)
    assert found.also_searched == [("hezbollah", ["hizballah"])]
    for hit in found.hits:
        assert "hizbollah" not in (hit.snippet + hit.passage).lower()
    _every_word_offered_is_found_as_written(archive, rita)
    # The desk that reads the stored text still sees it.
    local = archive.search("hezbollah", viewer=archive.viewer(LOCAL), variants=True)
    assert local.also_searched == [("hezbollah", ["hizballah", "hizbollah"])]


def test_the_public_is_offered_only_published_words(archive: Archive, tmp_path: Path) -> None:
    archive.approve(["09TESTPOST1", "09TESTPOST2", "09TESTPOST3", "09TESTPOST13"])
    archive.record_edition(None, str(tmp_path / "site"))
    public = archive.public_viewer()
    # Hizbollah (SECRET, unpublished) and Qaddafi (unpublished) are not the public's words.
    groups = archive.variant_groups(viewer=public)
    assert [sorted(g) for g in groups] == [["hezbollah", "hizballah"]]
    found = archive.search("hezbollah", viewer=public, variants=True)
    assert {h.reference_id for h in found.hits} == {
        "09TESTPOST1",
        "09TESTPOST2",
        "09TESTPOST3",
        "09TESTPOST13",
    }


def test_variants_on_the_desk_and_the_api(archive: Archive) -> None:
    archive.close()
    with TestClient(create_app(archive.path)) as client:
        assert sign_in(client, "rita").status_code in (200, 303)
        page = client.get("/search", params={"q": "hezbollah"})
        assert 'id="also-searched"' in page.text and "<strong>hizballah</strong>" in page.text
        assert "variants=off" in page.text
        exact = client.get("/search", params={"q": "hezbollah", "variants": "off"})
        assert 'id="variants-on"' in exact.text and "<strong>hizballah</strong>" not in exact.text
        answer = client.get("/api/search", params={"q": "hezbollah"}).json()
        assert answer["also_searched"] == [
            {"word": "hezbollah", "variants": ["hizballah", "hizbollah"]}
        ]
        assert answer["total"] == 6
        off = client.get("/api/search", params={"q": "hezbollah", "variants": "off"}).json()
        assert off["total"] == 2 and off["also_searched"] == []
        bad = client.get("/api/search", params={"q": "x", "variants": "maybe"})
        assert bad.status_code == 400
        months = client.get("/api/timeline", params={"q": "hezbollah"}).json()["months"]
        assert sum(m["total"] for m in months) == 6


def test_no_redacted_word_is_ever_offered(archive: Archive) -> None:
    """Every word the SECRET reader is offered, redacted in turn by a name rule: from then
    on it is in none of that reader's groups, offered for no query, shown in no snippet;
    lifting the rule brings it back (so the check is not vacuous)."""
    rita = _who(archive, "rita")
    viewer = archive.viewer(rita)
    offered = sorted({w for g in archive.variant_groups(viewer=viewer) for w in g})
    assert {"hezbollah", "hizballah", "hizbollah", "qadhafi", "qaddafi"} <= set(offered)
    for word in offered:
        rule = archive.redact(Rule(kind="name", text=word, reason="leak test"))
        viewer = archive.viewer(rita)
        assert word not in {w for g in archive.variant_groups(viewer=viewer) for w in g}
        for query in offered:
            if query == word:
                continue
            found = archive.search(query, viewer=viewer, variants=True, limit=50)
            assert word not in {o for _, others in found.also_searched for o in others}
            for hit in found.hits:
                assert word not in (hit.passage + (hit.subject or "")).lower(), (word, query)
        _every_word_offered_is_found_as_written(archive, rita)
        assert rule.id is not None
        archive.lift(rule.id, "leak test done")
        viewer = archive.viewer(rita)
        assert word in {w for g in archive.variant_groups(viewer=viewer) for w in g}


def test_handles_on_one_archive_learn_the_groups_once(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's pool keeps several handles on one archive: the groups of an index's
    state are learnt by one of them, even when two ask at once, and learnt again after
    the next change (archive/index.py, the shared memo)."""
    import threading

    built: list[int] = []
    learn = variants.build

    def counted(*args: object, **kwargs: object) -> variants.Groups:
        built.append(1)
        return learn(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(variants, "build", counted)
    rita = _who(archive, "rita")
    with Archive.open(archive.path, create=False) as second:
        answers: list[list[tuple[str, list[str]]]] = []

        def search(handle: Archive) -> None:
            found = handle.search("hezbollah", viewer=handle.viewer(rita), variants=True)
            answers.append(found.also_searched)

        threads = [threading.Thread(target=search, args=(h,)) for h in (archive, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers[0] == answers[1] and "hizballah" in answers[0][0][1]
        assert len(built) == 1
        search(second)
        assert len(built) == 1
        archive.redact(Rule(kind="name", text="Hizballah", reason="a source"))
        search(second)
        assert "hizballah" not in str(answers[-1]) and len(built) == 2
