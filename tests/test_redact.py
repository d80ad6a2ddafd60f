"""Redactions and clearance ceilings: what leaves the archive never holds what is withheld."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import cabledesk
from cabledesk.archive.register import RegisterError
from cabledesk.facade import Archive
from cabledesk.record.model import Cable, Repairs
from cabledesk.redact import FULL, REDACTED, Rule, Viewer
from conftest import SAMPLE

BAGHDAD = SAMPLE / "text" / "08BAGHDAD1784.txt"
READER_C = Viewer(ceiling=1, redact=True)
READER_S_FOREIGN = Viewer(ceiling=2, foreign=True, redact=True)


def leaks(text: str, name: str) -> bool:
    """The name anywhere in text: any case, its words split by spaces, breaks or marks."""
    words = re.findall(r"[^\W_]+", name)
    pattern = r"(?<![^\W\d_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W\d_])"
    return re.search(pattern, text, re.IGNORECASE) is not None


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(SAMPLE, workers=1)
        yield archive


def test_ceiling_withholds_paragraphs_above_it() -> None:
    cable = cabledesk.parse_file(BAGHDAD)  # SECRET//NOFORN, every paragraph S/NF
    seen = READER_C.view(cable)
    assert [p.text for p in seen.paragraphs][:2] == [
        "[paragraph 1 withheld: S/NF]",
        "[paragraph 2 withheld: S/NF]",
    ]
    assert not leaks(cabledesk.to_json(seen), "Soleimani")
    assert seen.raw.startswith("[The original text is withheld")
    assert cable.paragraphs[0].text.startswith("Iraqi Prime Minister")  # stored copy intact


def test_foreign_accounts_see_no_noforn_text() -> None:
    cable = cabledesk.parse_file(BAGHDAD)
    seen = READER_S_FOREIGN.view(cable)
    assert all("withheld: S/NF" in p.text for p in seen.paragraphs)
    assert Viewer(ceiling=2, redact=True).view(cable).paragraphs[0].text.startswith("Iraqi")


def test_a_reader_gets_no_parser_note_nor_count_of_text_withheld_from_them() -> None:
    """The parser's notes quote the stored text and its repair and blank counts are counted
    over all of it: when anything of a cable is withheld from a reader, they would tell
    what it holds (docs/publishing.md, "What leaves the archive"), as the public edition
    already decided for its records."""
    havana = cabledesk.parse_file(SAMPLE / "cable" / "2009" / "02" / "09HAVANA132.html")
    # SECRET, its paragraphs marked (C): a CONFIDENTIAL reader reads them, not the caption
    # block, whose classification line names another telegram.
    assert "MOSCOW 512" in " ".join(havana.warnings)
    seen = READER_C.view(havana)
    assert seen.subject is not None and seen.subject.startswith("[subject withheld")
    assert "MOSCOW 512" not in cabledesk.to_json(seen)
    assert seen.warnings == [] and seen.repairs == Repairs()
    # A reader who is withheld nothing keeps the notes on what they read.
    assert Viewer(ceiling=2, redact=True).view(havana).warnings == havana.warnings
    state = cabledesk.parse_file(SAMPLE / "cable" / "2009" / "07" / "09STATE80163.html")
    assert state.repairs.page_breaks > 0
    seen = READER_C.view(state)
    assert any("withheld" in p.text for p in seen.paragraphs)
    assert seen.warnings == [] and seen.repairs == Repairs()
    assert seen.redactions.count == len(re.findall("XXXXX+", seen.text.replace("x", "X")))
    # A published cable: what the reader's ceiling withholds is shown as published, and the
    # blanks are counted over the text so assembled.
    bangkok = cabledesk.parse_file(SAMPLE / "cable" / "2009" / "08" / "09BANGKOK1998.html")
    public = Viewer(redact=True, published_only=True)
    seen = READER_C.view_published(bangkok, bangkok, public)
    blanks = len(re.findall("XXXXX+", seen.text.replace("x", "X")))
    assert blanks > 0 and seen.redactions.count == blanks


def test_has_redactions_finds_exactly_the_blanks_each_reader_receives(archive: Archive) -> None:
    """`has:redactions` must not tell a reader that text withheld from them holds the
    source's blanks (the attacker's session of 2026-12-07 found 7 of a CONFIDENTIAL
    reader's 17 hits held blanks only in withheld text): for every reader's view, it
    finds the cables whose record as that reader receives it holds a blank."""
    blank = re.compile("[Xx]{5,}")
    everything = {
        h.reference_id
        for h in archive.search("", blank_matches_all=True, limit=1000, viewer=FULL).hits
    }
    views = [FULL] + [
        Viewer(ceiling=ceiling, foreign=foreign, redact=True, compiled=archive.redactor())
        for ceiling in (0, 1, 2, 3)
        for foreign in (False, True)
    ]
    withheld_somewhere = False
    for viewer in views:
        found = {
            h.reference_id for h in archive.search("has:redactions", limit=1000, viewer=viewer).hits
        }
        received = set()
        for reference_id in everything:
            seen = archive.get(reference_id, viewer=viewer)
            if seen is not None and blank.search(seen.text):
                received.add(reference_id)
        assert found == received, (viewer.ceiling, viewer.foreign)
        whole = {i for i in everything if blank.search(archive.get(i, viewer=FULL).text)}
        withheld_somewhere |= received != whole
    assert withheld_somewhere  # some view is told fewer cables than the whole archive's


def test_name_rule_burns_in_every_form() -> None:
    cable = cabledesk.parse_file(BAGHDAD)
    rule = Rule(kind="name", text="Soleimani", reason="test")
    seen = Viewer(redact=True, rules=[rule]).view(cable)
    dump = cabledesk.to_json(seen)
    assert not leaks(dump, "Soleimani")
    assert REDACTED in seen.raw and REDACTED in seen.text
    assert "[REDACTED],s" in seen.raw  # the telegraph's apostrophe around the blank
    assert seen.reference_id == "08BAGHDAD1784"  # structure is not redacted


def test_multi_word_name_split_across_lines() -> None:
    cable = cabledesk.parse_file(BAGHDAD)
    rule = Rule(kind="name", text="Supreme Leader Khamenei", reason="test")
    seen = Viewer(redact=True, rules=[rule]).view(cable)
    assert not leaks(seen.raw, "Supreme Leader Khamenei")
    assert not leaks(cabledesk.to_json(seen), "Supreme Leader Khamenei")


def test_paragraph_rule_withholds_one_paragraph() -> None:
    cable = cabledesk.parse_file(BAGHDAD)
    rule = Rule(kind="paragraph", cable_id="08BAGHDAD1784", paragraph=3, reason="test")
    seen = Viewer(redact=True, rules=[rule]).view(cable)
    third = next(p for p in seen.paragraphs if p.number == 3)
    assert third.text == "[paragraph 3 withheld: withheld by the editors]"
    original = next(p for p in cable.paragraphs if p.number == 3).text
    assert original[:40] not in cabledesk.to_json(seen)


def test_search_by_a_reader_never_answers_from_withheld_text(archive: Archive) -> None:
    assert archive.search("soleimani", viewer=FULL).total >= 1
    result = archive.search("soleimani", viewer=READER_C)
    assert result.total == 0
    assert all(not buckets for buckets in result.facets.values())
    # SECRET readers see S/NF paragraphs; foreign SECRET readers do not.
    assert archive.search("soleimani", viewer=Viewer(ceiling=2, redact=True)).total >= 1
    assert archive.search("soleimani", viewer=READER_S_FOREIGN).total == 0


def test_marking_a_name_applies_at_once_everywhere_and_lifting_restores(
    archive: Archive,
) -> None:
    reader = Viewer(ceiling=3, redact=True, rules=[])
    assert archive.search("maliki", viewer=reader).total >= 1
    rule = archive.redact(Rule(kind="name", text="Maliki", reason="protect"), account="ed")
    reader = Viewer(ceiling=3, redact=True, compiled=archive.redactor())
    result = archive.search("maliki", viewer=reader)
    assert result.total == 0
    editor = archive.search("maliki", viewer=FULL)
    assert editor.total >= 1  # editors still find it (in `withheld`)
    for hit in archive.search("iraq", viewer=reader).hits:
        assert not leaks(hit.passage, "Maliki") and not leaks(hit.subject or "", "Maliki")
    seen = archive.get("08BAGHDAD1784", viewer=reader)
    assert seen is not None and not leaks(cabledesk.to_json(seen), "Maliki")
    for cable in archive.export("iraq", viewer=reader):
        assert not leaks(cabledesk.to_json(cable), "Maliki")
    assert archive.get("08BAGHDAD1784", viewer=FULL) is not None
    stored = archive.get("08BAGHDAD1784", viewer=FULL)
    assert stored is not None and "Maliki" in stored.text  # the stored record is intact

    archive.lift(rule.id or 0, reason="source died in 2019", account="ed")
    reader = Viewer(ceiling=3, redact=True, compiled=archive.redactor())
    assert archive.search("maliki", viewer=reader).total == editor.total
    history = archive.register_history(viewer=FULL)
    assert [h["action"] for h in history] == ["mark", "lift"]
    assert history[1]["reason"] == "source died in 2019"


def test_register_log_is_append_only(archive: Archive) -> None:
    archive.redact(Rule(kind="name", text="Maliki", reason="protect"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        archive.connection.execute("UPDATE register_log SET reason = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        archive.connection.execute("DELETE FROM register_log")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule(kind="name", text="Maliki", reason=""), "needs a reason"),
        (Rule(kind="name", text="Al", reason="x"), "too short"),
        (Rule(kind="span", text="x y z", cable_id="99NOPE1", reason="x"), "archived cable"),
        (Rule(kind="paragraph", cable_id="08BAGHDAD1784", reason="x"), "number of a paragraph"),
        (Rule(kind="colour", text="x", reason="x"), "kind: expected"),
    ],
)
def test_bad_redactions_are_refused_clearly(archive: Archive, rule: Rule, message: str) -> None:
    with pytest.raises(RegisterError, match=message):
        archive.redact(rule)
    assert archive.register(viewer=FULL) == []


def test_public_sees_only_the_published_edition(archive: Archive) -> None:

    public = Viewer(redact=True, published_only=True)
    assert archive.search("", blank_matches_all=True, viewer=public).total == 0
    archive.approve(["08BAGHDAD1784", "08OSLO670"], account="ed")
    archive.record_edition("ed", "test")
    result = archive.search("", blank_matches_all=True, viewer=public)
    assert sorted(h.reference_id for h in result.hits) == ["08BAGHDAD1784", "08OSLO670"]
    assert archive.get("08OSLO585", viewer=public) is None
    assert archive.citing("08OSLO585", viewer=public) == ["08OSLO670"]
    assert archive.present(["08OSLO585", "08OSLO670"], viewer=public) == {"08OSLO670"}
    assert archive.count(viewer=public) == 2
    assert sum(n for _, n in archive.browse_classifications(viewer=public)) == 2
    assert archive.stats(viewer=public)["year"] == [("2008", 2)]


def test_every_sample_cable_survives_every_viewer(archive: Archive) -> None:
    viewers = [READER_C, READER_S_FOREIGN, Viewer(ceiling=0, redact=True)]
    for item in cabledesk.parse(SAMPLE):
        assert isinstance(item, Cable)
        for viewer in viewers:
            seen = viewer.view(item)
            assert cabledesk.from_dict(cabledesk.to_dict(seen)) == seen


def test_rules_apply_to_cables_ingested_later(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(SAMPLE / "cable" / "2008", workers=1)
        assert archive.get("08BAGHDAD1784", viewer=FULL) is None
        archive.redact(Rule(kind="name", text="Soleimani", reason="before ingest"))
        archive.ingest(SAMPLE / "text", workers=2)  # 08BAGHDAD1784 arrives now
        reader = Viewer(ceiling=3, redact=True, compiled=archive.redactor())
        assert archive.search("soleimani", viewer=FULL).total == 1  # editors find it
        assert archive.search("soleimani", viewer=reader).total == 0
        seen = archive.get("08BAGHDAD1784", viewer=reader)
        assert seen is not None and not leaks(cabledesk.to_json(seen), "Soleimani")


def test_export_command_can_export_as_a_reader(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    db = str(tmp_path / "a")
    with Archive.open(db) as archive:
        archive.ingest(BAGHDAD, workers=1)
        archive.redact(Rule(kind="name", text="Maliki", reason="test"))
    runner = CliRunner()
    full = runner.invoke(cli, ["export", "tehran", "--db", db])
    assert full.exit_code == 0 and "Maliki" in full.stdout
    redacted = runner.invoke(cli, ["export", "tehran", "--db", db, "--redact"])
    assert redacted.exit_code == 0 and not leaks(redacted.stdout, "Maliki")
    capped = runner.invoke(
        cli, ["export", "id:08BAGHDAD1784", "--db", db, "--ceiling", "CONFIDENTIAL"]
    )
    assert capped.exit_code == 0 and "withheld: S/NF" in capped.stdout
    assert "Iraqi Prime Minister" not in capped.stdout
    hidden = runner.invoke(cli, ["export", "tehran", "--db", db, "--ceiling", "CONFIDENTIAL"])
    assert hidden.exit_code == 0 and hidden.stdout == ""  # the match is in withheld text


def test_approve_by_query_approves_the_matches_and_exports_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    db = str(tmp_path / "a")
    with Archive.open(db) as archive:
        archive.ingest(SAMPLE, workers=1)
        expected = archive.search("tag:PREL", facets=False, limit=100, viewer=FULL).total
    runner = CliRunner()
    result = runner.invoke(cli, ["approve", "--query", "tag:PREL", "--db", db])
    assert result.exit_code == 0, result.output
    with Archive.open(db) as archive:
        assert 0 < len(archive.approved(viewer=FULL)) == expected
        kinds = {r[0] for r in archive.connection.execute("SELECT kind FROM audit")}
        assert "export" not in kinds
    bad = runner.invoke(cli, ["approve", "--query", "tag:", "--db", db])
    assert bad.exit_code == 2 and "tag: needs a value" in bad.output
