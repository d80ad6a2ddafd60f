"""Searching by entity (issue 12): `person:`, `org:`, `place:`, `entity:` and the entity
facets, checked against a brute-force reading of the `mentions` table for every kind of
reader (everyone, a low ceiling, a foreign reader, the public before and after an
edition, a reader when a rule burns the entity's name or names the cable by id); the
index catching up with enrichment; malformed field values; the desk's page and API."""

from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from cabledesk.archive import editions
from cabledesk.entities.names import name_words
from cabledesk.facade import Archive
from cabledesk.query import QueryError
from cabledesk.query import search as search_module
from cabledesk.query.entities import ENTITY_FACET_SIZE
from cabledesk.redact.apply import burn
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import SAMPLE

EVERYTHING = Viewer()
KINDS = {"person": "person", "org": "org", "place": "place"}


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entity-search") / "archive"
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE / "cable"], workers=1)
        archive.enrich(workers=0)
    return folder


@pytest.fixture(scope="module")
def archive(enriched: Path) -> Iterator[Archive]:
    with Archive.open(enriched) as archive:
        yield archive


def copy_of(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def reader(archive: Archive, ceiling: int = 3, foreign: bool = False) -> Viewer:
    return Viewer(ceiling=ceiling, foreign=foreign, redact=True, compiled=archive.redactor())


def public(archive: Archive) -> Viewer:
    return archive.public_viewer()


# --- the brute force: straight from the tables, in Python -----------------------------


class Brute:
    """Who may find which cable by which entity, read from `mentions` row by row."""

    def __init__(self, connection: sqlite3.Connection, viewer: Viewer) -> None:
        keys = dict(connection.execute("SELECT key, entity_id FROM entity_keys"))
        self.kinds = dict(connection.execute("SELECT id, kind FROM entities"))
        published = editions.published_versions(connection)
        excluded = (
            {r.cable_id for r in viewer.redactor.rules if r.cable_id} if viewer.redact else set()
        )
        self.cables: dict[int, set[str]] = defaultdict(set)
        self.keys: dict[int, set[str]] = defaultdict(set)
        names: dict[int, set[str]] = defaultdict(set)
        for entity_id, name in connection.execute("SELECT id, name FROM entities"):
            names[entity_id].add(name)
        rows = connection.execute(
            """SELECT c.reference_id, c.text_hash, e.text_hash, m.key, m.name, m.surface,
                      m.rank, m.noforn
               FROM mentions m JOIN cables c ON c.id = m.cable_id
               LEFT JOIN enriched e ON e.cable_id = m.cable_id"""
        ).fetchall()
        for reference_id, current, read, key, name, surface, rank, noforn in rows:
            if key not in keys:
                continue  # a candidate no one in the archive explains: nobody
            entity = keys[key]
            names[entity] |= {name, surface}
            if read != current or not viewer.may_see(rank, bool(noforn)):
                continue
            if viewer.published_only and published.get(reference_id) != current:
                continue
            if reference_id in excluded:
                continue
            self.cables[entity].add(reference_id)
            self.keys[entity].add(key)
        patterns = viewer.redactor.patterns if viewer.redact else []
        self.hidden = {
            entity
            for entity, spellings in names.items()
            if patterns and any(burn({"t": n}, patterns) != {"t": n} for n in spellings)
        }

    def entity(self, entity_id: int) -> set[str]:
        return set() if entity_id in self.hidden else set(self.cables.get(entity_id, ()))

    def named(self, kind: str, words: list[str]) -> set[str]:
        found: set[str] = set()
        for entity, keys in self.keys.items():
            if self.kinds[entity] != kind or entity in self.hidden:
                continue
            for key in keys:
                name = key.partition(":")[2].split()
                if any(name[i : i + len(words)] == words for i in range(len(name))):
                    found |= self.cables[entity]
                    break
        return found

    def counts(self, kind: str) -> dict[int, int]:
        return {
            e: len(c)
            for e, c in self.cables.items()
            if self.kinds[e] == kind and e not in self.hidden and c
        }


def found(archive: Archive, query: str, viewer: Viewer) -> set[str]:
    result = archive.search(query, viewer=viewer, limit=1000, facets=False)
    assert result.total == len(result.hits)
    return {hit.reference_id for hit in result.hits}


def probes(archive: Archive, kind: str, count: int = 12) -> list[tuple[int, str]]:
    """(id, name) of entities of `kind`: the most mentioned, and some mentioned once."""
    rows = archive.connection.execute(
        "SELECT id, name FROM entities WHERE kind = ? AND mentions > 0 ORDER BY mentions DESC, id",
        (kind,),
    ).fetchall()
    return rows[:count] + rows[-3:]


VIEWERS = {
    "everything": lambda a: EVERYTHING,
    "ceiling 0": lambda a: reader(a, 0),
    "confidential, foreign": lambda a: reader(a, 1, foreign=True),
    "editor below the ceiling": lambda a: Viewer(ceiling=1),
}


@pytest.mark.parametrize("who", list(VIEWERS))
def test_entity_and_name_fields_find_what_brute_force_finds(archive: Archive, who: str) -> None:
    viewer = VIEWERS[who](archive)
    brute = Brute(archive.connection, viewer)
    checked = 0
    for kind in KINDS.values():
        for entity_id, name in probes(archive, kind):
            assert found(archive, f"entity:{entity_id}", viewer) == brute.entity(entity_id), name
            words = name_words(name)
            last = words[-1]
            assert found(archive, f"{kind}:{last}", viewer) == brute.named(kind, [last]), name
            phrase = " ".join(words)
            assert found(archive, f'{kind}:"{name}"', viewer) == brute.named(kind, words), phrase
            checked += bool(brute.entity(entity_id))
    assert checked >= 10  # the probes found something for this reader


def test_a_low_ceiling_finds_less_by_entity(archive: Archive) -> None:
    everything, low = (
        Brute(archive.connection, EVERYTHING),
        Brute(archive.connection, reader(archive, 0)),
    )
    fewer = [e for e in everything.cables if low.entity(e) < everything.entity(e)]
    assert fewer, "the sample has entities mentioned only above UNCLASSIFIED somewhere"
    entity_id = fewer[0]
    assert found(archive, f"entity:{entity_id}", reader(archive, 0)) == low.entity(entity_id)


@pytest.mark.parametrize("who", ["everything", "ceiling 0", "confidential, foreign"])
def test_entity_facets_count_what_brute_force_counts(archive: Archive, who: str) -> None:
    viewer = VIEWERS[who](archive)
    brute = Brute(archive.connection, viewer)
    result = archive.search("", viewer=viewer, blank_matches_all=True, limit=1)
    for facet, kind in (("people", "person"), ("organisations", "org"), ("places", "place")):
        expected = brute.counts(kind)
        values = result.entity_facets[facet]
        assert values, facet
        assert values[0].count == max(expected.values())
        for value in values:
            assert value.count == expected[value.id], (facet, value)
        # Refining by a facet value finds exactly the cables it counted.
        top = values[0]
        assert archive.search(f"entity:{top.id}", viewer=viewer, facets=False).total == top.count


def assert_facets_match(archive: Archive, query: str, viewer: Viewer) -> int:
    """Every entity facet value of `query` counts what brute force counts over its
    matches, and no entity left out beats the least one shown. Returns the matches."""
    result = archive.search(query, viewer=viewer, limit=1000, blank_matches_all=True)
    matched = {hit.reference_id for hit in result.hits}
    assert len(matched) == result.total
    brute = Brute(archive.connection, viewer)
    for facet, kind in (("people", "person"), ("organisations", "org"), ("places", "place")):
        expected = {
            e: len(brute.entity(e) & matched)
            for e in brute.counts(kind)
            if brute.entity(e) & matched
        }
        values = result.entity_facets[facet]
        assert [v.count for v in values] == sorted(expected.values(), reverse=True)[
            : len(values)
        ], (query, facet)
        assert len(values) == min(len(expected), ENTITY_FACET_SIZE), (query, facet)
        for value in values:
            assert value.count == expected[value.id], (query, facet, value)
    return len(matched)


BROAD_QUERIES = ["", "NOT tag:IR", "-iraq", "NOT origin:XX", "tag:IR"]


@pytest.mark.parametrize("who", list(VIEWERS))
def test_facets_of_broad_searches_are_exact(
    archive: Archive, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search matching most cables counts its entity facets over the cables it leaves
    out (query/search.py, `_by_complement`): the counts are those of the matches, with a
    large top of candidates and with one so small that the answer cannot be proved
    exact from it (then the matches are counted themselves)."""
    viewer = VIEWERS[who](archive)
    broad = 0
    for candidates in (400, 3, 1):
        monkeypatch.setattr(search_module, "_CANDIDATES", candidates)
        archive.index._reload()  # a new searcher: the counts over everything again
        for query in BROAD_QUERIES:
            matched = assert_facets_match(archive, query, viewer)
            broad += 2 * matched > archive.count(viewer=viewer)
    assert broad >= 9  # most of the queries took the complement's path


def test_facets_over_everything_follow_a_change_of_the_index(
    enriched: Path, tmp_path: Path
) -> None:
    """The counts over everything are kept for the searcher they were computed from: a
    rule that withholds a paragraph (the index absorbs it) is counted at once, by this
    handle and by another one open on the same archive."""
    folder = copy_of(enriched, tmp_path, "kept-counts")
    with Archive.open(folder) as archive, Archive.open(folder) as other:
        viewer = reader(archive)
        assert_facets_match(archive, "", viewer)
        assert_facets_match(other, "NOT tag:XX", reader(other))
        top = archive.search("", viewer=viewer, blank_matches_all=True).entity_facets["places"][0]
        row = archive.connection.execute(
            """SELECT c.reference_id, m.paragraph FROM mentions m JOIN cables c
               ON c.id = m.cable_id JOIN entity_keys k ON k.key = m.key
               WHERE k.entity_id = ? AND m.field = 'paragraph' ORDER BY c.reference_id""",
            (top.id,),
        ).fetchone()
        archive.redact(Rule(kind="paragraph", cable_id=row[0], paragraph=row[1] + 1, reason="test"))
        for handle in (archive, other):
            for query in ("", "NOT tag:XX"):
                assert_facets_match(handle, query, reader(handle))
            places = handle.search("", viewer=reader(handle), blank_matches_all=True)
            after = {v.id: v.count for v in places.entity_facets["places"]}
            assert after.get(top.id, 0) == top.count - 1  # the cable's mentions left


def test_facets_follow_the_query(archive: Archive) -> None:
    result = archive.search("tag:IR", viewer=EVERYTHING, limit=1000)
    matched = {hit.reference_id for hit in result.hits}
    brute = Brute(archive.connection, EVERYTHING)
    for value in result.entity_facets["places"]:
        assert value.count == len(brute.entity(value.id) & matched)


def test_malformed_entity_fields_point_at_the_problem(archive: Archive) -> None:
    for query, message, position in (
        ("iran entity:maliki", "entity: takes an entity's number", 5),
        ("entity:12x", "entity: takes an entity's number", 0),
        ("entity:-3", "entity: takes an entity's number", 0),
        ('nuclear person:"--"', "person: takes a name", 8),
        ("org:'' iran", "org: takes a name", 0),
        ('place:"()"', "place: takes a name", 0),
        ("persons:maliki", "unknown field 'persons'", 0),
        ('person:"nouri', "unclosed quote", 7),
    ):
        with pytest.raises(QueryError) as caught:
            archive.search(query, viewer=EVERYTHING)
        assert message in caught.value.message, query
        assert caught.value.position == position, query
        assert "^" in str(caught.value)


def test_an_unknown_entity_and_an_unknown_name_find_nothing(archive: Archive) -> None:
    assert archive.search("entity:999999999", viewer=EVERYTHING).total == 0
    assert archive.search("person:qqqzzz", viewer=EVERYTHING).total == 0
    assert archive.search("iran OR entity:999999999", viewer=EVERYTHING).total > 0


# --- the public, rules, and the index catching up -------------------------------------


def test_the_public_finds_by_entity_only_in_the_published_edition(
    enriched: Path, tmp_path: Path
) -> None:
    folder = copy_of(enriched, tmp_path, "public")
    with Archive.open(folder) as archive:
        top = archive.entities(viewer=EVERYTHING, kind="place", limit=1)[0]
        assert archive.search(f"entity:{top.id}", viewer=public(archive)).total == 0
        before = archive.search("", viewer=public(archive), blank_matches_all=True)
        assert not any(before.entity_facets.values())
        some = sorted(Brute(archive.connection, EVERYTHING).entity(top.id))[:3]
        others = [
            r[0]
            for r in archive.connection.execute(
                "SELECT reference_id FROM cables ORDER BY reference_id LIMIT 10"
            )
        ]
        archive.approve([*some, *others])
        archive.record_edition(None, "test")
        visitor = public(archive)
        brute = Brute(archive.connection, visitor)
        mentioning = Brute(archive.connection, EVERYTHING).entity(top.id)
        assert brute.entity(top.id) == mentioning & {*some, *others}
        assert found(archive, f"entity:{top.id}", visitor) == brute.entity(top.id)
        place = name_words(top.name)[-1]
        assert found(archive, f"place:{place}", visitor) == brute.named("place", [place])
        facets = archive.search("", viewer=visitor, blank_matches_all=True).entity_facets
        for name, kind in (("people", "person"), ("places", "place")):
            expected = brute.counts(kind)
            assert facets[name] and all(v.count == expected[v.id] for v in facets[name])
        # A published cable ingested again with a new text: its entities were read from a
        # text the edition did not publish, and the public no longer finds it by them.
        changed = some[0]
        with archive.connection:
            archive.connection.execute(
                "UPDATE cables SET text_hash = 'new', seq = seq WHERE reference_id = ?",
                (changed,),
            )
        archive.reindex()
        assert changed not in found(archive, f"entity:{top.id}", public(archive))


def test_a_rule_on_the_entitys_name_hides_it_from_readers(enriched: Path, tmp_path: Path) -> None:
    folder = copy_of(enriched, tmp_path, "burned")
    with Archive.open(folder) as archive:
        target = archive.entities(viewer=EVERYTHING, kind="person", limit=1)[0]
        page = archive.entity(target.id, viewer=EVERYTHING)
        assert page is not None
        before = found(archive, f"entity:{target.id}", reader(archive))
        assert before
        spellings = [alias for alias, _ in page.aliases]
        archive.redact(Rule(kind="name", text=target.name, variants=spellings, reason="test"))
        surname = name_words(target.name)[-1]
        for viewer in (reader(archive), reader(archive, 0)):
            brute = Brute(archive.connection, viewer)
            assert target.id in brute.hidden
            assert found(archive, f"entity:{target.id}", viewer) == set()
            assert found(archive, f"person:{surname}", viewer) == brute.named("person", [surname])
            facets = archive.search("", viewer=viewer, blank_matches_all=True, limit=1)
            people = facets.entity_facets["people"]
            assert target.id not in {v.id for v in people}
            assert target.name not in {v.name for v in people}
        # Editors still find it.
        assert found(archive, f"entity:{target.id}", EVERYTHING) >= before


def test_a_rule_naming_a_cable_drops_its_mentions_for_readers(
    enriched: Path, tmp_path: Path
) -> None:
    folder = copy_of(enriched, tmp_path, "by-id")
    with Archive.open(folder) as archive:
        top = archive.entities(viewer=EVERYTHING, kind="place", limit=1)[0]
        cable = sorted(found(archive, f"entity:{top.id}", reader(archive)))[0]
        archive.redact(Rule(kind="paragraph", cable_id=cable, paragraph=1, reason="test"))
        viewer = reader(archive)
        assert cable not in found(archive, f"entity:{top.id}", viewer)
        assert cable in found(archive, f"entity:{top.id}", EVERYTHING)
        brute = Brute(archive.connection, viewer)
        places = archive.search("", viewer=viewer, blank_matches_all=True).entity_facets["places"]
        assert places and all(v.count == brute.counts("place")[v.id] for v in places)


def test_the_index_catches_up_with_enrichment(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE / "cable"], workers=1)
        blank = archive.search("", viewer=EVERYTHING, blank_matches_all=True)
        assert not any(blank.entity_facets.values())
        archive.enrich(workers=0, limit=10)  # a job stopped after 10 cables
        partial = Brute(archive.connection, EVERYTHING)
        assert partial.cables
        for entity_id in list(partial.cables)[:20]:
            assert found(archive, f"entity:{entity_id}", EVERYTHING) == partial.entity(entity_id)
        archive.enrich(workers=0)
        brute = Brute(archive.connection, EVERYTHING)
        for entity_id in sorted(brute.cables, key=lambda e: -len(brute.cables[e]))[:20]:
            assert found(archive, f"entity:{entity_id}", EVERYTHING) == brute.entity(entity_id)
        assert archive.check() == []


def test_marks_left_by_an_enrichment_without_catch_up_are_absorbed_on_opening(
    tmp_path: Path,
) -> None:
    from cabledesk.archive.enrich import run

    folder = tmp_path / "killed"
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE / "cable"], workers=1)
        # As if killed before its catch-up: the job wrote and marked, the index did not absorb.
        run(archive.connection, workers=0)
    with Archive.open(folder) as archive:
        brute = Brute(archive.connection, EVERYTHING)
        top = max(brute.cables, key=lambda e: len(brute.cables[e]))
        assert found(archive, f"entity:{top}", EVERYTHING) == brute.entity(top)


# --- the desk and the API ----------------------------------------------------------------


def validate(payload: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
    jsonschema.validate(payload, schema)


def test_the_api_and_the_search_page_show_entity_facets(enriched: Path, tmp_path: Path) -> None:
    folder = copy_of(enriched, tmp_path, "web")
    with TestClient(create_app(folder), raise_server_exceptions=False) as client:
        answer = client.get("/api/search", params={"q": ""})
        assert answer.status_code == 200
        data = answer.json()
        validate(data, "SearchResult")
        people = data["facets"]["people"]
        assert people and {"value", "count", "entity_id"} <= people[0].keys()
        refined = client.get("/api/search", params={"q": f"entity:{people[0]['entity_id']}"})
        assert refined.json()["total"] == people[0]["count"]
        for kind in ("organisations", "places"):
            assert data["facets"][kind]
        bad = client.get("/api/search", params={"q": "entity:abc"})
        assert bad.status_code == 400
        assert bad.json()["error"]["position"] == 0
        page = client.get("/search", params={"q": ""})
        assert page.status_code == 200
        assert f'data-entity="{people[0]["entity_id"]}"' in page.text
        assert "People" in page.text and "Places" in page.text
