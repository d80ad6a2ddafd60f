"""The entity register (issue 12, curation): editors merge, split, rename, re-type and
delete entities and add aliases; every decision is an append-only register row with its
audit row, is about keys, and survives re-extraction by a new extractor version.

Test data: the bundled sample, ingested and enriched. In it `Lula` (02BRASILIA4227,
10BRASILIA43) is an entity apart from `Luiz Inacio Lula da Silva`, and in 06MANAGUA1003
(UNCLASSIFIED) `Ortega` alone is resolved to Daniel Ortega beside his brother Humberto.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import cabledesk
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import enrich
from cabledesk.archive import entities as entity_store
from cabledesk.archive.entity_register import EntityRegisterError
from cabledesk.archive.schema import SCHEMA_VERSION, schema_version
from cabledesk.cli.main import cli
from cabledesk.entities import EXTRACTOR_VERSION
from cabledesk.entities.model import EntityPage
from cabledesk.record.level import Level
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample" / "cable"
EVERYTHING = Viewer()
LULA = "person:lula"
LUIZ = "person:luiz inacio lula da silva"
DANIEL = "person:daniel ortega"
HUMBERTO = "person:humberto ortega"
MANAGUA = "06MANAGUA1003"  # UNCLASSIFIED: the public may count its mentions once published
READER = Principal(name="reader", role="reader", ceiling=Level.SECRET, foreign=False)
EDITOR = Principal(name="ed", role="editor", ceiling=Level.TOP_SECRET, foreign=False)


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


def publish(archive: cabledesk.Archive, *reference_ids: str) -> None:
    archive.approve(list(reference_ids), account="ed")
    archive.record_edition("ed", "test edition")


# --- every action ---------------------------------------------------------------------


def test_merge_counts_every_mention_under_the_target_and_the_old_id_answers_with_it(
    archive: cabledesk.Archive,
) -> None:
    lula, luiz = entity_id(archive, LULA), entity_id(archive, LUIZ)
    before_lula, before_luiz = page(archive, lula).entity, page(archive, luiz).entity
    both = set(page(archive, lula).cables) | set(page(archive, luiz).cables)
    decision = archive.merge_entities(
        "Lula", "Luiz Inacio Lula da Silva", reason="the same president", account="ed"
    )
    assert decision.action == "merge" and decision.keys == (LULA, LUIZ)
    merged = page(archive, lula)
    assert merged.entity.id == luiz  # the old id answers with the target
    assert merged.entity.name == "Luiz Inacio Lula da Silva"
    assert merged.entity.mentions == before_lula.mentions + before_luiz.mentions
    assert merged.entity.cables == len(both) >= 2
    assert {"Lula", "Luiz Inacio Lula da Silva"} <= {s for s, _ in merged.aliases}
    listed = {e.id for e in archive.entities(viewer=EVERYTHING, limit=10_000)}
    assert luiz in listed and lula not in listed
    assert linked(archive, "02BRASILIA4227", "Lula") == {luiz}
    with pytest.raises(EntityRegisterError, match="one entity already"):
        archive.merge_entities(lula, luiz, reason="again")


def test_rename_and_retype_hold_in_lists_pages_and_mentions(archive: cabledesk.Archive) -> None:
    musharraf = entity_id(archive, "person:musharaf")
    israeli_oc = entity_id(archive, "place:washington")
    archive.rename_entity("person:Musharraf", "Pervez  Musharraf", reason="full name", account="ed")
    archive.retype_entity(israeli_oc, "org", reason="an office, not a person", account="ed")
    assert page(archive, musharraf).entity.name == "Pervez Musharraf"
    assert page(archive, israeli_oc).entity.kind == "org"
    orgs = {e.id for e in archive.entities(viewer=EVERYTHING, kind="org", limit=10_000)}
    people = {e.id for e in archive.entities(viewer=EVERYTHING, kind="person", limit=10_000)}
    assert israeli_oc in orgs and israeli_oc not in people
    cable = page(archive, israeli_oc).cables[0]
    kinds = {row[1] for row in archive.mentions(cable, viewer=EVERYTHING) if row[0] == israeli_oc}
    assert kinds == {"org"}
    # The new name finds the entity, the old spelling by its key still does.
    assert archive.rename_entity("Pervez Musharraf", "Musharraf", reason="x").keys == (
        "person:musharaf",
    )
    with pytest.raises(EntityRegisterError, match="kind"):
        archive.retype_entity(israeli_oc, "alien", reason="x")
    with pytest.raises(EntityRegisterError, match="name"):
        archive.rename_entity(israeli_oc, " - ", reason="x")


def test_a_deleted_entity_is_gone_for_every_viewer(archive: cabledesk.Archive) -> None:
    humberto = entity_id(archive, HUMBERTO)
    publish(archive, MANAGUA)
    assert archive.entity(humberto, viewer=archive.public_viewer()) is not None
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
    assert stored == 3
    with pytest.raises(EntityRegisterError, match="no entity"):
        archive.rename_entity(humberto, "Humberto", reason="x")
    with pytest.raises(EntityRegisterError, match="no entity"):
        archive.merge_entities(DANIEL, "Humberto Ortega", reason="x")


def test_an_alias_pulls_mentions_wherever_the_extractor_put_them(
    archive: cabledesk.Archive,
) -> None:
    lula, luiz = entity_id(archive, LULA), entity_id(archive, LUIZ)
    lula_before, luiz_before = page(archive, lula).entity, page(archive, luiz).entity
    archive.add_alias(luiz, "lula", reason="Lula is the president's name", account="ed")
    # Every mention written `Lula` or `LULA` (the key `person:lula`) moved; its own
    # entity has none left.
    assert archive.entity(lula, viewer=EVERYTHING) is None
    assert page(archive, luiz).entity.mentions == luiz_before.mentions + lula_before.mentions
    assert linked(archive, "10BRASILIA43", "LULA") == {luiz}
    with pytest.raises(EntityRegisterError, match="already"):
        archive.add_alias(luiz, "LULA", reason="x")
    archive.remove_alias(luiz, "Lula", reason="let the key decide", account="ed")
    assert page(archive, lula).entity == lula_before
    assert page(archive, luiz).entity == luiz_before
    with pytest.raises(EntityRegisterError, match="not an alias"):
        archive.remove_alias(luiz, "Lula", reason="x")


def test_split_moves_the_mentions_of_the_given_cables_and_surfaces(
    archive: cabledesk.Archive,
) -> None:
    daniel, humberto = entity_id(archive, DANIEL), entity_id(archive, HUMBERTO)
    moved = len([r for r in archive.mentions(MANAGUA, viewer=EVERYTHING) if r[7] == "Ortega"])
    assert moved > 0 and linked(archive, MANAGUA, "Ortega") == {daniel}
    daniel_before, humberto_before = page(archive, daniel).entity, page(archive, humberto).entity
    archive.split_entity(
        "Daniel Ortega",
        name="Humberto Ortega",
        cables=[MANAGUA.lower()],
        surfaces=["ORTEGA"],
        reason="in this cable `Ortega` is the general, his brother",
        account="ed",
    )
    assert linked(archive, MANAGUA, "Ortega") == {humberto}
    assert linked(archive, MANAGUA, "Daniel Ortega") == {daniel}  # other surfaces stay
    assert linked(archive, "10MANAGUA115", "Ortega") == {daniel}  # other cables stay
    after_daniel, after_humberto = page(archive, daniel).entity, page(archive, humberto).entity
    assert after_daniel.mentions == daniel_before.mentions - moved
    assert after_humberto.mentions == humberto_before.mentions + moved
    assert after_humberto.name == "Humberto Ortega"  # not the name the extractor gave them
    # A name no entity has makes a new one.
    archive.split_entity(
        daniel, name="Ortega (unclear)", cables=["10MANAGUA115"], reason="x", account="ed"
    )
    (new,) = linked(archive, "10MANAGUA115", "Ortega")
    assert new not in (daniel, humberto)
    assert page(archive, new).entity.name == "Ortega (unclear)"
    with pytest.raises(EntityRegisterError, match="give the cables"):
        archive.split_entity(daniel, name="Someone", reason="x")
    with pytest.raises(EntityRegisterError, match="no mention"):
        archive.split_entity(daniel, name="Someone", cables=["02BRASILIA4227"], reason="x")
    with pytest.raises(EntityRegisterError, match="itself"):
        archive.split_entity(daniel, name="Daniel Ortega", surfaces=["Ortega"], reason="x")


def test_undo_is_a_new_row_and_undoing_the_undo_puts_the_decision_back(
    archive: cabledesk.Archive,
) -> None:
    lula, luiz = entity_id(archive, LULA), entity_id(archive, LUIZ)
    merge = archive.merge_entities(lula, luiz, reason="same man", account="ed")
    undo = archive.undo_entity_decision(merge.version, reason="not sure", account="ed")
    assert page(archive, lula).entity.id == lula
    archive.undo_entity_decision(undo.version, reason="sure after all", account="ed")
    assert page(archive, lula).entity.id == luiz
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


def every_action(archive: cabledesk.Archive) -> None:
    archive.merge_entities(LULA, LUIZ, reason="same man", account="ed")
    archive.split_entity(
        DANIEL,
        name="Humberto Ortega",
        cables=[MANAGUA],
        surfaces=["Ortega"],
        reason="b",
        account="ed",
    )
    archive.rename_entity("person:musharaf", "Pervez Musharraf", reason="c", account="ed")
    archive.retype_entity("place:washington", "org", reason="d", account="ed")
    archive.delete_entity("org:israeli national police", reason="e", account="ed")
    archive.add_alias(LUIZ, "Lula da Silva", reason="f", account="ed")
    archive.remove_alias(LUIZ, "Lula da Silva", reason="g", account="ed")
    archive.undo_entity_decision(4, reason="h", account="ed")


def test_the_register_is_append_only(archive: cabledesk.Archive) -> None:
    every_action(archive)
    connection = archive.connection
    for sql in ("UPDATE entity_register SET reason = 'none'", "DELETE FROM entity_register"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"), connection:
            connection.execute(sql)
    assert len(archive.entity_history(viewer=EVERYTHING)) == 8


def test_every_decision_has_its_audit_row_and_a_failed_one_leaves_neither(
    archive: cabledesk.Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_action(archive)
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

    def broken(connection: sqlite3.Connection) -> None:
        raise RuntimeError("the disk filled up during resolution")

    monkeypatch.setattr(entity_store, "resolve", broken)
    with pytest.raises(RuntimeError):
        archive.rename_entity(LUIZ, "Lula", reason="x", account="ed")
    assert len(archive.entity_history(viewer=EVERYTHING)) == 8
    count = archive.connection.execute(
        "SELECT count(*) FROM audit WHERE kind = 'entity_decision'"
    ).fetchone()[0]
    assert count == 8


def test_a_reason_is_required(archive: cabledesk.Archive) -> None:
    with pytest.raises(EntityRegisterError, match="reason"):
        archive.delete_entity(LULA, reason="  ")
    assert archive.entity_history(viewer=EVERYTHING) == []


def test_only_editors_read_the_entity_register(archive: cabledesk.Archive) -> None:
    archive.delete_entity(LULA, reason="test", account="ed")
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
    archive: cabledesk.Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_action(archive)  # the undo lifts the retype
    archive.add_alias(LUIZ, "Lula-looking", reason="i", account="ed")
    keys = [LUIZ, DANIEL, HUMBERTO, "person:musharaf", "place:washington", "person:lula luking"]
    before = state(archive, keys)
    deleted = "org:israeli national police"
    assert archive.connection.execute(
        "SELECT count(*) FROM entity_keys WHERE key = ?", (deleted,)
    ).fetchone() == (0,)
    positions = archive.connection.execute(
        "SELECT cable_id, position, surface FROM mentions ORDER BY cable_id, position"
    ).fetchall()

    # A new extractor version that writes every cable's mentions in another order: every
    # cable is read again and every position renumbered, the keys are the same.
    def reordered(batch: enrich.Batch) -> enrich.Result:
        return [(i, h, rows[::-1]) for i, h, rows in extract_batch(batch)]

    extract_batch = enrich.extract_batch
    monkeypatch.setattr(enrich, "EXTRACTOR_VERSION", EXTRACTOR_VERSION + 1)
    monkeypatch.setattr(enrich, "extract_batch", reordered)
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
        "SELECT count(*) FROM entity_keys WHERE key = ?", (deleted,)
    ).fetchone() == (0,)


def test_an_archive_of_schema_8_gets_the_register_and_keeps_its_entities(folder: Path) -> None:
    with cabledesk.Archive.open(folder) as archive:
        before = archive.entities(viewer=EVERYTHING, limit=10_000)
    connection = sqlite3.connect(folder / "archive.db")
    connection.executescript(
        "BEGIN; DROP TABLE entity_register; DROP INDEX mentions_moved;"
        "ALTER TABLE mentions DROP COLUMN extracted_key;"
        "ALTER TABLE entities DROP COLUMN merged_into;"
        "UPDATE meta SET value = '8' WHERE key = 'schema_version'; COMMIT;"
    )
    connection.close()
    with cabledesk.Archive.open(folder) as archive:
        assert schema_version(archive.connection) == SCHEMA_VERSION == 9
        assert archive.entities(viewer=EVERYTHING, limit=10_000) == before
        archive.merge_entities(LULA, LUIZ, reason="after the upgrade", account="ed")
        assert page(archive, entity_id(archive, LUIZ)).entity.cables == 3


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
    folder: Path,
) -> None:
    with cabledesk.Archive.open(folder) as desk, cabledesk.Archive.open(folder) as editor:
        desk.redact(Rule(kind="name", text="Lula-looking", reason="test"))
        luiz = entity_id(desk, LUIZ)
        reader = desk.viewer(READER)
        assert desk.entity(luiz, viewer=reader) is not None  # the desk remembers: not hidden
        editor.add_alias(luiz, "Lula-looking", reason="test", account="ed")
        assert desk.entity(luiz, viewer=desk.viewer(READER)) is None
        assert luiz not in {e.id for e in desk.entities(viewer=reader, limit=10_000)}
        # A split into a burned name: the new entity is never shown to readers.
        editor.split_entity(
            DANIEL, name="Lula-looking Ortega", cables=[MANAGUA], reason="test", account="ed"
        )
        (new,) = linked(desk, MANAGUA, "Daniel Ortega")
        assert new != entity_id(desk, DANIEL)
        assert desk.entity(new, viewer=reader) is None
        assert new not in {row[0] for row in desk.mentions(MANAGUA, viewer=reader)}
        assert desk.entity(new, viewer=EVERYTHING) is not None


# --- finding entities, and the command line ------------------------------------------------


def test_an_unknown_or_ambiguous_entity_is_one_clear_error(archive: cabledesk.Archive) -> None:
    for reference in ("Nobody Atall", 999_999, "person:nobody", ""):
        with pytest.raises(EntityRegisterError, match=r"no entity|expected an id"):
            archive.delete_entity(reference, reason="x")
    archive.rename_entity(LULA, "Same Name", reason="x", account="ed")
    archive.rename_entity(DANIEL, "Same Name", reason="x", account="ed")
    with pytest.raises(EntityRegisterError, match="more than one entity"):
        archive.delete_entity("same name", reason="x")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_entity_commands(folder: Path) -> None:
    db = ["--db", str(folder), "--account", "ed"]
    code, out = run(
        "entity", "merge", "Lula", "person:luiz inacio lula da silva", "--reason", "a", *db
    )
    assert code == 0, out
    assert "entity decision 1: merged person:lula into person:luiz inacio lula da silva" in out
    code, out = run(
        "entity", "split", "Daniel Ortega", "--name", "Humberto Ortega", "--cable", MANAGUA,
        "--surface", "Ortega", "--reason", "b", *db,
    )  # fmt: skip
    assert code == 0 and "split person:daniel ortega in 06MANAGUA1003" in out, out
    for args in (
        ("rename", "person:musharaf", "Pervez Musharraf"),
        ("retype", "place:washington", "org"),
        ("delete", "org:israeli national police"),
        ("alias", "Luiz Inacio Lula da Silva", "Lula da Silva"),
        ("alias", "Luiz Inacio Lula da Silva", "Lula da Silva", "--remove"),
        ("undo", "4"),
    ):
        code, out = run("entity", *args, "--reason", "test", *db)
        assert code == 0, (args, out)
    code, out = run("entity", "history", "--db", str(folder), "--output", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["action"] for r in rows][-3:] == ["alias_add", "alias_remove", "undo"]
    assert all(r["account"] == "ed" for r in rows) and len(rows) == 8
    code, out = run("entity", "history", "--db", str(folder))
    assert code == 0 and "made person:israeli oc a org" in out and "[lifted]" in out
    code, out = run("entity", "show", str(entity_id_in(folder, LULA)), "--db", str(folder))
    assert code == 0 and out.startswith("Luiz Inacio Lula da Silva (person")
    # One clear error: an unknown entity, a missing reason.
    code, out = run("entity", "delete", "Nobody Atall", "--reason", "x", *db)
    assert code == 1 and out.strip() == (
        "Error: no entity named 'Nobody Atall' (give an id from `cabledesk entities`, or a "
        "key such as person:nouri al-maliki)"
    )
    code, out = run("entity", "delete", "Lula", *db)
    assert code == 2 and "--reason" in out


def entity_id_in(folder: Path, key: str) -> int:
    """The id the entity of this key had (the entities table keeps it after a merge)."""
    with cabledesk.Archive.open(folder) as archive:
        row = archive.connection.execute("SELECT id FROM entities WHERE key = ?", (key,))
        return int(row.fetchone()[0])
