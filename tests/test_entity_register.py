"""The entity register (issue 12, curation): editors merge, split, rename, re-type and
delete entities and add aliases; every decision is an append-only register row with its
audit row, is about keys, and survives re-extraction by a new extractor version.

Test data: the bundled sample, ingested and enriched. The entities a test acts on are
chosen from that archive (`Cast`), never written down as the extractor's keys of the day,
and every count a test expects is read from the archive before the decision: a better
extractor changes which entities these are, not what the tests check. Two real people
are named: in 06MANAGUA1003 (UNCLASSIFIED) `Ortega` alone is Daniel Ortega beside his
brother Humberto, whom only that cable names; the SECRET 10MANAGUA115 names Daniel too.
The tests check those facts before they rely on them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cabledesk
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import enrich, entity_register
from cabledesk.archive import entities as entity_store
from cabledesk.archive.entity_register import EntityRegisterError
from cabledesk.archive.schema import MIGRATIONS, SCHEMA_VERSION, schema_version
from cabledesk.cli.main import cli
from cabledesk.entities import EXTRACTOR_VERSION
from cabledesk.entities.model import ORG, PERSON, PLACE, EntityPage
from cabledesk.entities.names import entity_key, name_key, name_words
from cabledesk.record.level import Level
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample" / "cable"
EVERYTHING = Viewer()
DANIEL = entity_key(PERSON, "Daniel Ortega")
HUMBERTO = entity_key(PERSON, "Humberto Ortega")
MANAGUA = "06MANAGUA1003"  # UNCLASSIFIED: the public may count its mentions once published
SECRET_MANAGUA = "10MANAGUA115"  # SECRET: Daniel Ortega, `Ortega` alone, no Humberto
READER = Principal(name="reader", role="reader", ceiling=Level.SECRET, foreign=False)
EDITOR = Principal(name="ed", role="editor", ceiling=Level.TOP_SECRET, foreign=False)

# Every mention enrichment wrote for a cable's current text, with the entity its key
# belongs to now (NULL: a candidate no one explained, or a deleted entity).
CURRENT = """FROM mentions m JOIN enriched e ON e.cable_id = m.cable_id
             JOIN cables c ON c.id = m.cable_id AND c.text_hash = e.text_hash
             LEFT JOIN entity_keys k ON k.key = m.key"""


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("register") / "archive"
    with cabledesk.Archive.open(folder) as archive:
        archive.ingest([SAMPLE], workers=1)
        archive.enrich(workers=0)
    return folder


@pytest.fixture
def folder(enriched: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(enriched, target)
    return target


@pytest.fixture
def archive(folder: Path) -> Iterator[cabledesk.Archive]:
    with cabledesk.Archive.open(folder) as opened:
        yield opened


# --- the entities the tests act on, chosen from the enriched archive ----------------------


@dataclass(frozen=True)
class Known:
    """An entity of the enriched sample: its id, key and name before any decision."""

    id: int
    key: str
    name: str


@dataclass(frozen=True)
class Cast:
    """The entities the tests act on, chosen by what they are in the enriched archive."""

    short: Known  # a person the extractor knows by one word in some cables (`Lula`) ...
    full: Known  # ... apart from the person named in full with that word elsewhere
    word: str  # that word: as an alias of `full` it pulls every mention written so
    other: Known  # a third entity holding mentions written `word`: an alias finds them too
    renamed: Known  # a person
    retyped: Known  # a place
    deleted: Known  # an organisation
    burned: str  # the commonest surface of a person no decision here touches


def known(archive: cabledesk.Archive, entity_id: int) -> Known:
    key, name = archive.connection.execute(
        "SELECT key, name FROM entities WHERE id = ?", (entity_id,)
    ).fetchone()
    return Known(entity_id, key, name)


def ranked(archive: cabledesk.Archive, kind: str) -> list[Known]:
    """The entities of this kind with a mention, most mentioned first."""
    return [
        Known(e.id, known(archive, e.id).key, e.name)
        for e in archive.entities(viewer=EVERYTHING, kind=kind, limit=10_000)
    ]


def written(
    archive: cabledesk.Archive, word: str
) -> list[tuple[int | None, str, tuple[object, ...]]]:
    """(entity now or None, reference id, place) of every current mention whose surface is
    `word` as a name key (case, accents aside): what an alias `word` pulls."""
    wanted = name_key(word)
    rows = archive.connection.execute(
        f"SELECT k.entity_id, c.reference_id, m.field, m.paragraph, m.start, m.end, m.surface "
        f"{CURRENT}"
    )
    return [(row[0], row[1], tuple(row[2:])) for row in rows if name_key(row[6]) == wanted]


def unique_name(archive: cabledesk.Archive, entity: Known) -> bool:
    """Whether the entity's name finds it, and only it, where an editor types a name."""
    try:
        found, _ = entity_register.lookup(archive.connection, entity.name)
    except EntityRegisterError:
        return False
    return found.id == entity.id


@pytest.fixture(scope="module")
def cast(enriched: Path, tmp_path_factory: pytest.TempPathFactory) -> Cast:
    folder = tmp_path_factory.mktemp("cast") / "archive"
    shutil.copytree(enriched, folder)
    with cabledesk.Archive.open(folder) as archive:
        return choose(archive)


def choose(archive: cabledesk.Archive) -> Cast:
    people = ranked(archive, PERSON)
    ortegas = {entity_id(archive, DANIEL), entity_id(archive, HUMBERTO)}
    pairs = []
    for short in people:
        words = short.key.partition(":")[2].split()
        if len(words) != 1 or short.id in ortegas:
            continue
        for full in people:
            if (
                full.id in ortegas
                or full.id == short.id
                or words[0] not in full.key.partition(":")[2].split()
                or len(name_words(full.name)) <= len(name_words(short.name))
                or not (unique_name(archive, short) and unique_name(archive, full))
            ):
                continue
            holders = Counter(e for e, _, _ in written(archive, words[0]))
            others = [e for e, _ in holders.most_common() if e not in (None, short.id, full.id)]
            cables = set(page(archive, short.id).cables) | set(page(archive, full.id).cables)
            if others and len(cables) >= 2:
                pairs.append((-len(others), -len(cables), short.key, full.key, short, full, others))
    assert pairs, (
        "the sample no longer has a person known by one word apart from the person named "
        "in full with it, whose word other entities' mentions are written as too"
    )
    *_, short, full, others = min(pairs)
    other = known(archive, others[0])
    taken = {short.id, full.id, other.id, *ortegas}
    renamed = next(p for p in people if p.id not in taken)
    retyped = next(p for p in ranked(archive, PLACE) if p.id not in taken)
    deleted = next(p for p in ranked(archive, ORG) if p.id not in taken)
    taken |= {renamed.id, retyped.id, deleted.id}
    # A name a rule may burn without touching the people the test needs visible first.
    kept = set(name_words(full.name)) | set(name_words("Daniel Ortega"))
    burned = next(
        surface
        for p in people
        if p.id not in taken
        for surface, _ in page(archive, p.id).aliases[:1]
        if not set(name_words(surface)) & kept and not set(name_words(p.name)) & kept
    )
    return Cast(short, full, short.key.partition(":")[2], other, renamed, retyped, deleted, burned)


def entity_id(archive: cabledesk.Archive, key: str) -> int:
    row = archive.connection.execute(
        "SELECT entity_id FROM entity_keys WHERE key = ?", (key,)
    ).fetchone()
    assert row is not None, key
    return int(row[0])


def page(archive: cabledesk.Archive, entity: int, viewer: Viewer = EVERYTHING) -> EntityPage:
    found = archive.entity(entity, viewer=viewer)
    assert found is not None
    return found


def linked(archive: cabledesk.Archive, reference_id: str, surface: str) -> set[int]:
    """The entities the mentions written `surface` in this cable link to."""
    rows = archive.mentions(reference_id, viewer=EVERYTHING)
    return {row[0] for row in rows if row[7] == surface}


Place = tuple[object, ...]  # (field, paragraph, start, end, surface) of a mention


def links(archive: cabledesk.Archive, reference_id: str) -> list[tuple[Place, int]]:
    """Every mention of the cable an editor sees: where it stands, the entity it links to."""
    rows = archive.mentions(reference_id, viewer=EVERYTHING)
    return sorted((tuple(row[3:8]), row[0]) for row in rows)


def every_link(archive: cabledesk.Archive) -> dict[str, list[tuple[Place, int]]]:
    cables = archive.connection.execute("SELECT reference_id FROM cables ORDER BY reference_id")
    return {reference_id: links(archive, reference_id) for (reference_id,) in cables}


def publish(archive: cabledesk.Archive, *reference_ids: str) -> None:
    archive.approve(list(reference_ids), account="ed")
    archive.record_edition("ed", "test edition")


def test_the_cast_is_what_the_tests_say_it_is(archive: cabledesk.Archive, cast: Cast) -> None:
    short, full = page(archive, cast.short.id).entity, page(archive, cast.full.id).entity
    assert short.kind == full.kind == PERSON and short.id != full.id
    assert len({cast.short.id, cast.full.id, cast.other.id, cast.renamed.id}) == 4
    assert {cast.retyped.id, cast.deleted.id}.isdisjoint({cast.short.id, cast.full.id})
    assert page(archive, cast.retyped.id).entity.kind == PLACE
    assert page(archive, cast.deleted.id).entity.kind == ORG
    assert cast.other.id in {e for e, _, _ in written(archive, cast.word)}
    # The Ortegas of 06MANAGUA1003, as the tests below rely on them.
    daniel, humberto = entity_id(archive, DANIEL), entity_id(archive, HUMBERTO)
    assert linked(archive, MANAGUA, "Ortega") == {daniel}
    assert linked(archive, MANAGUA, "Daniel Ortega") == {daniel}
    assert linked(archive, SECRET_MANAGUA, "Ortega") == {daniel}
    assert page(archive, humberto).cables == [MANAGUA]
    assert set(page(archive, daniel).cables) == {MANAGUA, SECRET_MANAGUA}
    # A reader below SECRET counts Humberto's mentions, not all of Daniel's.
    low = Viewer(ceiling=Level.UNCLASSIFIED)
    assert page(archive, humberto, low).entity == page(archive, humberto).entity
    assert page(archive, daniel, low).entity.mentions < page(archive, daniel).entity.mentions


# --- every action ---------------------------------------------------------------------


def test_merge_counts_every_mention_under_the_target_and_the_old_id_answers_with_it(
    archive: cabledesk.Archive, cast: Cast
) -> None:
    short, full = cast.short.id, cast.full.id
    before_short, before_full = page(archive, short), page(archive, full)
    both = set(before_short.cables) | set(before_full.cables)
    before_links = {c: links(archive, c) for c in before_short.cables}
    decision = archive.merge_entities(
        cast.short.name, cast.full.name, reason="the same person", account="ed"
    )
    assert decision.action == "merge" and decision.keys == (cast.short.key, cast.full.key)
    merged = page(archive, short)
    assert merged.entity.id == full  # the old id answers with the target
    assert merged.entity.name == cast.full.name  # the fuller name
    assert merged.entity.mentions == before_short.entity.mentions + before_full.entity.mentions
    assert merged.entity.cables == len(both) >= 2
    assert {s for s, _ in before_short.aliases + before_full.aliases} == {
        s for s, _ in merged.aliases
    }
    listed = {e.id for e in archive.entities(viewer=EVERYTHING, limit=10_000)}
    assert full in listed and short not in listed
    # Every mention of the merged entity links to the target; no other mention moved.
    for reference_id, rows in before_links.items():
        assert links(archive, reference_id) == [
            (place, full if entity == short else entity) for place, entity in rows
        ]
    with pytest.raises(EntityRegisterError, match="one entity already"):
        archive.merge_entities(short, full, reason="again")


def test_rename_and_retype_hold_in_lists_pages_and_mentions(
    archive: cabledesk.Archive, cast: Cast
) -> None:
    renamed, retyped = cast.renamed.id, cast.retyped.id
    # Typed as a key in the stored name's spelling: the register finds the key.
    typed_key = f"person:{cast.renamed.name.upper()}"
    archive.rename_entity(typed_key, f"Renamed  {cast.renamed.name}", reason="x", account="ed")
    archive.retype_entity(retyped, "org", reason="an office, not a place", account="ed")
    assert page(archive, renamed).entity.name == f"Renamed {cast.renamed.name}"
    assert page(archive, retyped).entity.kind == "org"
    orgs = {e.id for e in archive.entities(viewer=EVERYTHING, kind="org", limit=10_000)}
    places = {e.id for e in archive.entities(viewer=EVERYTHING, kind="place", limit=10_000)}
    assert retyped in orgs and retyped not in places
    for cable in page(archive, retyped).cables:
        kinds = {row[1] for row in archive.mentions(cable, viewer=EVERYTHING) if row[0] == retyped}
        assert kinds == {"org"}
    # The new name finds the entity; the decision is about its key.
    assert archive.rename_entity(
        f"Renamed {cast.renamed.name}", cast.renamed.name, reason="x"
    ).keys == (cast.renamed.key,)
    with pytest.raises(EntityRegisterError, match="kind"):
        archive.retype_entity(retyped, "alien", reason="x")
    with pytest.raises(EntityRegisterError, match="name"):
        archive.rename_entity(retyped, " - ", reason="x")


def test_a_deleted_entity_is_gone_for_every_viewer(archive: cabledesk.Archive) -> None:
    humberto = entity_id(archive, HUMBERTO)
    publish(archive, MANAGUA)
    assert archive.entity(humberto, viewer=archive.public_viewer()) is not None
    stored_before = page(archive, humberto).entity.mentions
    archive.delete_entity("Humberto Ortega", reason="test: not an entity", account="ed")
    viewers = [
        EVERYTHING,
        archive.viewer(LOCAL),
        archive.viewer(EDITOR),
        archive.viewer(READER),
        Viewer(ceiling=Level.UNCLASSIFIED),
        archive.public_viewer(),
    ]
    for viewer in viewers:
        assert archive.entity(humberto, viewer=viewer) is None
        assert humberto not in {e.id for e in archive.entities(viewer=viewer, limit=10_000)}
        assert humberto not in {row[0] for row in archive.mentions(MANAGUA, viewer=viewer)}
    # The extractor's mentions stay stored; they belong to no entity.
    stored = archive.connection.execute(
        "SELECT count(*) FROM mentions WHERE key = ?", (HUMBERTO,)
    ).fetchone()[0]
    assert stored == stored_before > 0
    with pytest.raises(EntityRegisterError, match="no entity"):
        archive.rename_entity(humberto, "Humberto", reason="x")
    with pytest.raises(EntityRegisterError, match="no entity"):
        archive.merge_entities(DANIEL, "Humberto Ortega", reason="x")


def test_an_alias_pulls_mentions_wherever_the_extractor_put_them(
    archive: cabledesk.Archive, cast: Cast
) -> None:
    full, watched = cast.full.id, (cast.short.id, cast.full.id, cast.other.id)
    before = {e: page(archive, e).entity for e in watched}
    before_links = every_link(archive)
    pulled = [(e, c, place) for e, c, place in written(archive, cast.word) if e != full]
    lost = Counter(e for e, _, _ in pulled)
    unlinked: dict[str, list[Place]] = {}
    for e, c, place in pulled:
        if e is None:  # a candidate no one explained: it joins the entity too
            unlinked.setdefault(c, []).append(place)
    # From the one-word entity and from one more at least; written otherwise than typed.
    assert lost[cast.short.id] > 0 and lost[cast.other.id] > 0
    assert any(place[-1] != cast.word for _, _, place in pulled)

    archive.add_alias(full, cast.word, reason="his name, however written", account="ed")
    assert page(archive, full).entity.mentions == before[full].mentions + len(pulled)
    for e in (cast.short.id, cast.other.id):
        left = before[e].mentions - lost[e]
        found = archive.entity(e, viewer=EVERYTHING)
        assert (found.entity.mentions if found else 0) == left
    for reference_id, rows in every_link(archive).items():
        expected = [
            (place, full if name_key(str(place[-1])) == cast.word else entity)
            for place, entity in before_links[reference_id]
        ] + [(place, full) for place in unlinked.get(reference_id, [])]
        assert rows == sorted(expected), reference_id
    with pytest.raises(EntityRegisterError, match="already"):
        archive.add_alias(full, cast.word.upper(), reason="x")

    archive.remove_alias(full, cast.word.title(), reason="let the key decide", account="ed")
    assert {e: page(archive, e).entity for e in watched} == before
    assert every_link(archive) == before_links
    with pytest.raises(EntityRegisterError, match="not an alias"):
        archive.remove_alias(full, cast.word, reason="x")


def test_split_moves_the_mentions_of_the_given_cables_and_surfaces(
    archive: cabledesk.Archive,
) -> None:
    daniel, humberto = entity_id(archive, DANIEL), entity_id(archive, HUMBERTO)
    managua, secret = links(archive, MANAGUA), links(archive, SECRET_MANAGUA)
    moved = [place for place, e in managua if e == daniel and place[-1] == "Ortega"]
    assert moved and linked(archive, MANAGUA, "Ortega") == {daniel}
    assert any(e == daniel and place[-1] != "Ortega" for place, e in managua)
    daniel_before, humberto_before = page(archive, daniel).entity, page(archive, humberto).entity
    archive.split_entity(
        "Daniel Ortega",
        name="Humberto Ortega",
        cables=[MANAGUA.lower()],
        surfaces=["ORTEGA"],
        reason="in this cable `Ortega` is the general, his brother",
        account="ed",
    )
    # Exactly the selected mentions moved: other surfaces and other cables stay.
    assert links(archive, MANAGUA) == [
        (place, humberto if place in moved else e) for place, e in managua
    ]
    assert links(archive, SECRET_MANAGUA) == secret
    after_daniel, after_humberto = page(archive, daniel).entity, page(archive, humberto).entity
    assert after_daniel.mentions == daniel_before.mentions - len(moved)
    assert after_humberto.mentions == humberto_before.mentions + len(moved)
    assert after_humberto.name == "Humberto Ortega"  # not the name the extractor gave them
    # A name no entity has makes a new one, of every mention of the entity in the cable.
    in_secret = [place for place, e in secret if e == daniel]
    assert in_secret
    archive.split_entity(
        daniel, name="Ortega (unclear)", cables=[SECRET_MANAGUA], reason="x", account="ed"
    )
    (new,) = linked(archive, SECRET_MANAGUA, "Ortega")
    assert new not in (daniel, humberto)
    assert links(archive, SECRET_MANAGUA) == [
        (place, new if place in in_secret else e) for place, e in secret
    ]
    assert page(archive, new).entity.name == "Ortega (unclear)"
    assert page(archive, new).entity.mentions == len(in_secret)
    assert page(archive, daniel).entity.mentions == after_daniel.mentions - len(in_secret)
    with pytest.raises(EntityRegisterError, match="give the cables"):
        archive.split_entity(daniel, name="Someone", reason="x")
    elsewhere = next(
        c
        for (c,) in archive.connection.execute("SELECT reference_id FROM cables")
        if c not in (MANAGUA, SECRET_MANAGUA)
    )
    with pytest.raises(EntityRegisterError, match="no mention"):
        archive.split_entity(daniel, name="Someone", cables=[elsewhere], reason="x")
    with pytest.raises(EntityRegisterError, match="itself"):
        archive.split_entity(daniel, name="Daniel Ortega", surfaces=["Ortega"], reason="x")


def test_undo_is_a_new_row_and_undoing_the_undo_puts_the_decision_back(
    archive: cabledesk.Archive, cast: Cast
) -> None:
    short, full = cast.short.id, cast.full.id
    before = page(archive, short)
    merge = archive.merge_entities(short, full, reason="same man", account="ed")
    undo = archive.undo_entity_decision(merge.version, reason="not sure", account="ed")
    assert page(archive, short) == before
    archive.undo_entity_decision(undo.version, reason="sure after all", account="ed")
    assert page(archive, short).entity.id == full
    history = archive.entity_history(viewer=EVERYTHING)
    assert [(h["version"], h["action"], h["in_force"]) for h in history] == [
        (1, "merge", True),
        (2, "undo", False),
        (3, "undo", True),
    ]
    with pytest.raises(EntityRegisterError, match="lifted already"):
        archive.undo_entity_decision(undo.version, reason="x")
    with pytest.raises(EntityRegisterError, match="no"):
        archive.undo_entity_decision(99, reason="x")


# --- the register and its audit ---------------------------------------------------------


def every_action(archive: cabledesk.Archive, cast: Cast) -> None:
    archive.merge_entities(cast.short.key, cast.full.key, reason="same man", account="ed")
    archive.split_entity(
        DANIEL,
        name="Humberto Ortega",
        cables=[MANAGUA],
        surfaces=["Ortega"],
        reason="b",
        account="ed",
    )
    archive.rename_entity(
        cast.renamed.key, f"Renamed {cast.renamed.name}", reason="c", account="ed"
    )
    archive.retype_entity(cast.retyped.key, "org", reason="d", account="ed")
    archive.delete_entity(cast.deleted.key, reason="e", account="ed")
    archive.add_alias(cast.full.key, cast.other.name, reason="f", account="ed")
    archive.remove_alias(cast.full.key, cast.other.name, reason="g", account="ed")
    archive.undo_entity_decision(4, reason="h", account="ed")


def test_the_register_is_append_only(archive: cabledesk.Archive, cast: Cast) -> None:
    every_action(archive, cast)
    connection = archive.connection
    for sql in ("UPDATE entity_register SET reason = 'none'", "DELETE FROM entity_register"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"), connection:
            connection.execute(sql)
    assert len(archive.entity_history(viewer=EVERYTHING)) == 8


def test_every_decision_has_its_audit_row_and_a_failed_one_leaves_neither(
    archive: cabledesk.Archive, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_action(archive, cast)
    history = archive.entity_history(viewer=EVERYTHING)
    audited = [
        (account, json.loads(detail))
        for account, detail in archive.connection.execute(
            "SELECT account, detail FROM audit WHERE kind = 'entity_decision' ORDER BY id"
        )
    ]
    assert [(a, d["version"], d["action"], d["reason"]) for a, d in audited] == [
        ("ed", h["version"], h["action"], h["reason"]) for h in history
    ]
    assert [h["action"] for h in history] == [
        "merge",
        "split",
        "rename",
        "retype",
        "delete",
        "alias_add",
        "alias_remove",
        "undo",
    ]

    def broken(connection: sqlite3.Connection, decisions_only: bool = False) -> None:
        raise RuntimeError("the disk filled up during resolution")

    monkeypatch.setattr(entity_store, "resolve", broken)
    with pytest.raises(RuntimeError):
        archive.rename_entity(cast.full.key, "Someone Else", reason="x", account="ed")
    assert len(archive.entity_history(viewer=EVERYTHING)) == 8
    count = archive.connection.execute(
        "SELECT count(*) FROM audit WHERE kind = 'entity_decision'"
    ).fetchone()[0]
    assert count == 8


def test_a_reason_is_required(archive: cabledesk.Archive) -> None:
    with pytest.raises(EntityRegisterError, match="reason"):
        archive.delete_entity(DANIEL, reason="  ")
    assert archive.entity_history(viewer=EVERYTHING) == []


def test_only_editors_read_the_entity_register(archive: cabledesk.Archive) -> None:
    archive.delete_entity(HUMBERTO, reason="test", account="ed")
    assert archive.entity_history(viewer=archive.viewer(LOCAL))
    assert archive.entity_history(viewer=archive.viewer(EDITOR))
    for viewer in (
        archive.public_viewer(),
        archive.viewer(READER),
        Viewer(redact=True, ceiling=Level.UNCLASSIFIED),
    ):
        with pytest.raises(AccessError, match="editors only"):
            archive.entity_history(viewer=viewer)


# --- re-extraction ----------------------------------------------------------------------


def state(archive: cabledesk.Archive, keys: list[str]) -> list[object]:
    """What readers get about these entities, and every cable's mention links."""
    out: list[object] = [archive.entities(viewer=EVERYTHING, limit=10_000)]
    for key in keys:
        found = archive.entity(entity_id(archive, key), viewer=EVERYTHING)
        out.append(found and (found.entity, found.aliases, found.cables))
    for (reference_id,) in archive.connection.execute(
        "SELECT reference_id FROM cables ORDER BY reference_id"
    ).fetchall():
        rows = archive.mentions(reference_id, viewer=EVERYTHING)
        out.append(sorted((r[0], r[1], r[2], r[3], r[4], r[5], r[7]) for r in rows))
    return out


def test_decisions_survive_a_new_extractor_version(
    archive: cabledesk.Archive, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_action(archive, cast)  # the undo lifts the retype
    # An alias in force that moves mentions of another entity's key (a split does too).
    full_before = page(archive, cast.full.id).entity.mentions
    archive.add_alias(cast.full.key, cast.word, reason="i", account="ed")
    assert page(archive, cast.full.id).entity.mentions > full_before
    keys = [cast.full.key, DANIEL, HUMBERTO, cast.renamed.key, cast.retyped.key, cast.other.key]
    before = state(archive, keys)
    assert archive.connection.execute(
        "SELECT count(*) FROM entity_keys WHERE key = ?", (cast.deleted.key,)
    ).fetchone() == (0,)
    positions = archive.connection.execute(
        "SELECT cable_id, position, surface FROM mentions ORDER BY cable_id, position"
    ).fetchall()

    # A new extractor version that writes every cable's mentions in another order: every
    # cable is read again and every position renumbered, the keys are the same.
    # (The job's one pass makes each cable's rows with `_mention_rows`.)
    def reordered(cable: Any) -> list[Any]:
        return mention_rows(cable)[::-1]

    mention_rows = enrich._mention_rows
    monkeypatch.setattr(enrich, "EXTRACTOR_VERSION", EXTRACTOR_VERSION + 1)
    monkeypatch.setattr(enrich, "_mention_rows", reordered)
    report = archive.enrich(workers=0)
    cables = archive.connection.execute("SELECT count(*) FROM cables").fetchone()[0]
    assert report.cables == report.pending_before == cables
    assert (
        archive.connection.execute(
            "SELECT cable_id, position, surface FROM mentions ORDER BY cable_id, position"
        ).fetchall()
        != positions
    )
    assert state(archive, keys) == before
    assert archive.connection.execute(
        "SELECT count(*) FROM entity_keys WHERE key = ?", (cast.deleted.key,)
    ).fetchone() == (0,)


def test_an_archive_of_schema_8_gets_the_register_and_keeps_its_entities(
    folder: Path, cast: Cast
) -> None:
    with cabledesk.Archive.open(folder) as archive:
        before = archive.entities(viewer=EVERYTHING, limit=10_000)
        both = set(page(archive, cast.short.id).cables) | set(page(archive, cast.full.id).cables)
        mentions = sum(page(archive, e).entity.mentions for e in (cast.short.id, cast.full.id))
    connection = sqlite3.connect(folder / "archive.db")
    connection.executescript(
        "BEGIN; DROP TABLE entity_register; DROP INDEX mentions_moved;"
        "DROP INDEX entities_mentions; DROP TABLE entity_key_stats;"
        "DELETE FROM meta WHERE key IN ('entity_key_stats', 'mentions_written');"
        "ALTER TABLE mentions DROP COLUMN extracted_key;"
        "ALTER TABLE entities DROP COLUMN merged_into;"
        "UPDATE meta SET value = '8' WHERE key = 'schema_version'; COMMIT;"
    )
    connection.close()
    with cabledesk.Archive.open(folder) as archive:
        assert schema_version(archive.connection) == SCHEMA_VERSION == len(MIGRATIONS)
        assert archive.entities(viewer=EVERYTHING, limit=10_000) == before
        archive.merge_entities(cast.short.key, cast.full.key, reason="upgraded", account="ed")
        merged = page(archive, cast.short.id).entity
        assert (merged.id, merged.mentions, merged.cables) == (cast.full.id, mentions, len(both))


# --- who sees what of the editors' decisions ----------------------------------------------


def test_a_merged_id_answers_only_with_what_the_reader_may_see(
    archive: cabledesk.Archive,
) -> None:
    daniel, humberto = entity_id(archive, DANIEL), entity_id(archive, HUMBERTO)
    archive.merge_entities(humberto, daniel, reason="test", account="ed")
    assert archive.entity(humberto, viewer=archive.public_viewer()) is None  # no edition yet
    publish(archive, MANAGUA)
    public = archive.public_viewer()
    shown = page(archive, humberto, public)
    assert shown.entity.id == daniel
    assert shown.cables == [MANAGUA]  # not the SECRET 10MANAGUA115
    assert shown == page(archive, daniel, public)
    low = Viewer(ceiling=Level.UNCLASSIFIED)
    assert page(archive, humberto, low) == page(archive, daniel, low)
    # Mentions in parts above the ceiling (10MANAGUA115's SECRET paragraphs) do not count.
    assert page(archive, humberto, low).entity.mentions < page(archive, humberto).entity.mentions
    # A rule burning the merged entity's name burns the entity it joined, for readers.
    archive.redact(Rule(kind="name", text="Humberto Ortega", reason="test"))
    for viewer in (archive.viewer(READER), archive.public_viewer()):
        assert archive.entity(humberto, viewer=viewer) is None
        assert archive.entity(daniel, viewer=viewer) is None
        assert daniel not in {e.id for e in archive.entities(viewer=viewer, limit=10_000)}
    assert page(archive, humberto).entity.id == daniel  # editors still see it


def test_a_decision_that_brings_a_burned_name_hides_the_entity_in_every_open_handle(
    folder: Path, cast: Cast
) -> None:
    with cabledesk.Archive.open(folder) as desk, cabledesk.Archive.open(folder) as editor:
        desk.redact(Rule(kind="name", text=cast.burned, reason="test"))
        full, daniel = cast.full.id, entity_id(desk, DANIEL)
        reader = desk.viewer(READER)
        # The desk remembers: neither is hidden before the decisions.
        assert desk.entity(full, viewer=reader) is not None
        assert desk.entity(daniel, viewer=reader) is not None
        editor.add_alias(full, cast.burned, reason="test", account="ed")
        assert desk.entity(full, viewer=desk.viewer(READER)) is None
        assert full not in {e.id for e in desk.entities(viewer=reader, limit=10_000)}
        assert full not in {
            row[0] for c in page(desk, full).cables for row in desk.mentions(c, viewer=reader)
        }
        # A split into a burned name: the new entity is never shown to readers.
        editor.split_entity(
            DANIEL, name=f"{cast.burned} Ortega", cables=[MANAGUA], reason="test", account="ed"
        )
        (new,) = linked(desk, MANAGUA, "Daniel Ortega")
        assert new != daniel
        assert desk.entity(new, viewer=reader) is None
        assert new not in {row[0] for row in desk.mentions(MANAGUA, viewer=reader)}
        assert desk.entity(new, viewer=EVERYTHING) is not None
        assert desk.entity(daniel, viewer=reader) is not None  # what stayed is not burned


# --- finding entities, and the command line ------------------------------------------------


def test_an_unknown_or_ambiguous_entity_is_one_clear_error(
    archive: cabledesk.Archive, cast: Cast
) -> None:
    for reference in ("Nobody Atall", 999_999, "person:nobody", ""):
        with pytest.raises(EntityRegisterError, match=r"no entity|expected an id"):
            archive.delete_entity(reference, reason="x")
    archive.rename_entity(cast.short.key, "Same Name", reason="x", account="ed")
    archive.rename_entity(DANIEL, "Same Name", reason="x", account="ed")
    with pytest.raises(EntityRegisterError, match="more than one entity"):
        archive.delete_entity("same name", reason="x")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_entity_commands(folder: Path, cast: Cast) -> None:
    db = ["--db", str(folder), "--account", "ed"]
    code, out = run("entity", "merge", cast.short.name, cast.full.key, "--reason", "a", *db)
    assert code == 0, out
    assert f"entity decision 1: merged {cast.short.key} into {cast.full.key}" in out
    code, out = run(
        "entity", "split", "Daniel Ortega", "--name", "Humberto Ortega", "--cable", MANAGUA,
        "--surface", "Ortega", "--reason", "b", *db,
    )  # fmt: skip
    assert code == 0 and f"split {DANIEL} in 06MANAGUA1003" in out, out
    for args in (
        ("rename", cast.renamed.key, f"Renamed {cast.renamed.name}"),
        ("retype", cast.retyped.key, "org"),
        ("delete", cast.deleted.key),
        ("alias", cast.full.name, cast.other.name),
        ("alias", cast.full.name, cast.other.name, "--remove"),
        ("undo", "4"),
    ):
        code, out = run("entity", *args, "--reason", "test", *db)
        assert code == 0, (args, out)
    code, out = run("entity", "history", "--db", str(folder), "--output", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["action"] for r in rows] == [
        "merge", "split", "rename", "retype", "delete", "alias_add", "alias_remove", "undo",
    ]  # fmt: skip
    assert all(r["account"] == "ed" for r in rows)
    code, out = run("entity", "history", "--db", str(folder))
    assert code == 0, out
    lines = out.splitlines()
    assert len(lines) == 8
    assert f"made {cast.retyped.key} a org" in lines[3] and "[lifted]" in lines[3]
    assert f"deleted {cast.deleted.key}" in lines[4]
    assert "undid decision 4 (retype)" in lines[7]
    code, out = run(
        "entity", "show", str(entity_id_in(folder, cast.short.key)), "--db", str(folder)
    )
    assert code == 0 and out.startswith(f"{cast.full.name} (person"), out
    # One clear error: an unknown entity, a missing reason.
    code, out = run("entity", "delete", "Nobody Atall", "--reason", "x", *db)
    assert code == 1 and out.strip() == (
        "Error: no entity named 'Nobody Atall' (give an id from `cabledesk entities`, or a "
        "key such as person:nouri al-maliki)"
    )
    code, out = run("entity", "delete", cast.short.name, *db)
    assert code == 2 and "--reason" in out


def entity_id_in(folder: Path, key: str) -> int:
    """The id the entity of this key had (the entities table keeps it after a merge)."""
    with cabledesk.Archive.open(folder) as archive:
        row = archive.connection.execute("SELECT id FROM entities WHERE key = ?", (key,))
        return int(row.fetchone()[0])


# --- an editor's decision without reading every mention ----------------------------------


def resolved_tables(connection: sqlite3.Connection) -> list[object]:
    return [
        connection.execute(
            "SELECT key, kind, name, mentions, cables, merged_into FROM entities ORDER BY key"
        ).fetchall(),
        connection.execute("SELECT key, entity_id FROM entity_keys ORDER BY key").fetchall(),
        connection.execute(
            "SELECT cable_id, position, key, extracted_key FROM mentions "
            "WHERE extracted_key IS NOT NULL ORDER BY cable_id, position"
        ).fetchall(),
    ]


def sql_by_entity(archive: cabledesk.Archive) -> dict[int, set[str]]:
    """The cables each entity is mentioned in (current texts), straight from the tables."""
    found: dict[int, set[str]] = {}
    for entity_id, reference_id in archive.connection.execute(
        f"SELECT k.entity_id, c.reference_id {CURRENT} WHERE k.entity_id IS NOT NULL"
    ):
        found.setdefault(entity_id, set()).add(reference_id)
    return found


def index_by_entity(archive: cabledesk.Archive) -> dict[int, set[str]]:
    """The cables `entity:ID` finds, for every entity (the index after the decision)."""
    found: dict[int, set[str]] = {}
    merged = "SELECT id FROM entities WHERE merged_into IS NULL"  # a merged id: its target
    for (entity_id,) in archive.connection.execute(merged).fetchall():
        hits = set(archive.matching_ids(f"entity:{entity_id}", viewer=EVERYTHING))
        if hits:
            found[entity_id] = hits
    return found


def test_a_decision_resolves_from_what_the_last_resolution_kept(
    archive: cabledesk.Archive, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each decision replays the register from the per-key figures the last full
    resolution kept (`entity_key_stats`), reading only the mentions it may move: the
    tables come out exactly as a full resolution leaves them, after every kind of
    decision in turn; and once the mentions changed, a decision resolves in full."""
    full_reads = 0
    read_mentions = entity_store._read_mentions

    def counted(*args: object) -> object:
        nonlocal full_reads
        full_reads += 1
        return read_mentions(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(entity_store, "_read_mentions", counted)
    steps = [
        lambda: archive.merge_entities(cast.short.key, cast.full.key, reason="a", account="ed"),
        lambda: archive.split_entity(
            DANIEL, name="Humberto Ortega", cables=[MANAGUA], surfaces=["Ortega"], reason="b"
        ),
        lambda: archive.split_entity(
            cast.full.key, name="Someone Else", surfaces=[cast.word], reason="b2"
        ),
        lambda: archive.rename_entity(cast.renamed.key, "Renamed", reason="c"),
        lambda: archive.retype_entity(cast.retyped.key, "org", reason="d"),
        lambda: archive.delete_entity(cast.deleted.key, reason="e"),
        lambda: archive.add_alias(cast.full.key, cast.other.name, reason="f"),
        lambda: archive.remove_alias(cast.full.key, cast.other.name, reason="g"),
        lambda: archive.undo_entity_decision(1, reason="h"),
        lambda: archive.undo_entity_decision(2, reason="i"),
    ]
    connection = archive.connection
    moved: list[int] = []
    for number, step in enumerate(steps):
        step()
        assert full_reads == 0, number
        kept = resolved_tables(connection)
        connection.execute("BEGIN")
        assert entity_store.resolve(connection).read_all
        assert resolved_tables(connection) == kept, number
        connection.execute("ROLLBACK")
        full_reads = 0  # that one was the comparison's
        moved.append(len(kept[2]))
        assert index_by_entity(archive) == sql_by_entity(archive), number
    assert max(moved) > 0  # the splits and aliases moved mentions: compared too
    # New mentions (a cable read again by the extractor): the kept figures are stale.
    cable = connection.execute("SELECT id, text_hash, record FROM cables LIMIT 1").fetchall()
    with connection:
        entity_store.write(connection, EXTRACTOR_VERSION, enrich.extract_batch(cable))
    full_reads = 0
    archive.rename_entity(cast.renamed.key, "Renamed again", reason="j")
    assert full_reads == 1
    # A cable's text changed by an ingest: its mentions no longer count, in full again.
    with connection:
        connection.execute("UPDATE cables SET text_hash = 'changed' WHERE id = ?", (cable[0][0],))
    archive.rename_entity(cast.renamed.key, "Renamed once more", reason="k")
    assert full_reads == 2
    archive.rename_entity(cast.renamed.key, "Renamed at last", reason="l")
    assert full_reads == 2
