"""Issue 12: the redaction candidate finder proposes people by entity: each person named
near a source-protection marker, with every spelling of their name the editor may see
(one rule burns them all), their cables, and why; an editor turns a proposal into that
rule in one step, from the command line or the desk. Editors only, each held to their
ceiling. Cables: the bundled sample, and fragments written for these tests
(tests/candidate_fixtures.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from access_fixtures import sign_in
from cabledesk.access.errors import AccessError
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.record.codec import to_dict
from cabledesk.record.level import Level
from cabledesk.redact import Rule, Viewer
from cabledesk.redact.apply import Redactor, burn, record_texts
from cabledesk.redact.entity_candidates import (
    NEXT_TO,
    PARAGRAPH,
    EntityCandidate,
    EntityProposals,
    markers,
    rule_names,
)
from cabledesk.web import create_app
from candidate_fixtures import MARKED, OTHER, SECRET_ONLY, build
from conftest import SAMPLE

EDITOR = Viewer()  # an editor at the top ceiling (and the local desk)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} | {
        w.lower() for w in re.findall(r"[^\W_]+", text)
    }


def proposal_words(found: EntityProposals) -> set[str]:
    """Every word a proposal shows: names, variants, surfaces, markers, passages."""
    out: set[str] = set()
    for c in found.candidates:
        out |= words(" ".join([c.name, *c.variants, *c.too_short, *c.cable_ids]))
        for s in c.sightings:
            out |= words(" ".join([s.surface, s.marker, s.passage, s.reference_id]))
    return out


def by_name(found: EntityProposals) -> dict[str, EntityCandidate]:
    return {c.name: c for c in found.candidates}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("candidates") / "archive")


@pytest.fixture
def archive(folder: Path, tmp_path: Path) -> Iterator[Archive]:
    """A copy of the enriched archive a test may change."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    with Archive.open(copy) as opened:
        yield opened


# --- markers, as cables write them ---------------------------------------------------


def test_markers_are_requests_to_protect_a_source_not_prose() -> None:
    # As corpus cables write them.
    for text, marker in [
        ("Fungairino (strictly protect) dismissed the", "(STRICTLY PROTECT)"),
        ("Brigadier Juniti Saito (protect), pulled", "(PROTECT)"),
        ("He specifically noted (again, please protect) that", "(AGAIN, PLEASE PROTECT)"),
        ("Omar Nottaro (strictly protect throughout) called", "(STRICTLY PROTECT THROUGHOUT)"),
        ("met with xxxxx (strictly protect - see reftels).", "(STRICTLY PROTECT - SEE REFTELS)"),
        ("diplomat XXXXXXXXXXXX\n(PROTECT), who was", "(PROTECT)"),
        ("Italian Ambassador Luigi Maccotta's (protect) request", "(PROTECT)"),
        ("asked us to protect his identity.", "PROTECT HIS IDENTITY"),
    ]:
        assert [m[2] for m in markers(text)] == [marker], text
    for prose in [
        "Sensitive but unclassified -- please protect accordingly.",
        "ready to sacrifice their blood to protect their country and their flag.",
        "SAG AGREES TO USG STEPS TO PROTECT OIL FACILITIES",
        "Ortega and the FSLN agreed to protect the boxer in the courts",
    ]:
        assert markers(prose) == [], prose


# --- the rule a proposal makes ---------------------------------------------------------


def test_the_rule_keeps_every_spelling_it_needs_and_drops_what_another_burns_whole() -> None:
    text, variants, short = rule_names(
        "Karim al-Haddad",
        ["Karim Haddad", "HADDAD", "Haddad", "Haddad's", "Haddad, Karim", "KH", "Karim  Haddad"],
    )
    assert text == "Karim al-Haddad"
    # `Karim Haddad` stays beside `Haddad`: `Haddad` alone would leave `Karim [REDACTED]`.
    assert variants == ["Haddad", "Haddad Karim", "Karim Haddad"]
    assert short == ["KH"]
    rule = Rule(kind="name", text=text, variants=variants)
    patterns = Redactor([rule]).patterns
    for spelling in ["Karim Haddad", "Haddad's", "Haddad, Karim", "Karim al-Haddad", "HADDAD"]:
        assert burn({"text": spelling}, patterns) == {"text": "[REDACTED]"}, spelling
    # The telegraph's apostrophe stays beside the burned name (docs/publishing.md).
    assert burn({"text": "KARIM HADDAD,s"}, patterns) == {"text": "[REDACTED],s"}


# --- proposals from the archive --------------------------------------------------------


def test_a_person_next_to_a_marker_is_proposed_with_every_spelling_and_cable(
    archive: Archive,
) -> None:
    found = archive.entity_candidates([MARKED, OTHER, "08BAGHDAD1784"], viewer=EDITOR)
    assert found.read == 3 and found.not_enriched == [] and found.already_redacted == 0
    people = by_name(found)
    haddad = people["Karim al-Haddad"]
    assert haddad.kind == "person"
    assert {"Haddad", "Karim Haddad"} <= set(haddad.variants)
    assert haddad.cables == 2 and set(haddad.cable_ids) == {MARKED, OTHER}
    first = haddad.sightings[0]
    assert (first.reference_id, first.paragraph, first.closeness, first.marker) == (
        MARKED,
        1,
        NEXT_TO,
        "(STRICTLY PROTECT)",
    )
    assert "Karim Haddad (strictly protect)" in first.passage
    assert people["Samir Jaber"].sightings[0].closeness == NEXT_TO
    # The ambassador in the same paragraph is proposed too, after them: the editor decides.
    assert people["Crocker"].sightings[0].closeness == PARAGRAPH
    order = [c.name for c in found.candidates]
    assert order.index("Crocker") > max(order.index("Karim al-Haddad"), order.index("Samir Jaber"))
    # 08BAGHDAD1784 carries no marker; 08BAGHDAD9991 none either: all proposals are from 9990.
    assert {s.reference_id for c in found.candidates for s in c.sightings} == {MARKED}


def test_the_proposed_rule_burns_every_spelling_for_readers_and_ends_the_proposal(
    archive: Archive,
) -> None:
    haddad = by_name(archive.entity_candidates([MARKED], viewer=EDITOR))["Karim al-Haddad"]
    archive.redact(haddad.rule(reason="protect source"), account="test")
    reader = Viewer(redact=True, compiled=archive.redactor())
    for reference_id in (MARKED, OTHER):
        record = archive.get(reference_id, viewer=reader)
        assert record is not None
        assert "haddad" not in " ".join(record_texts(to_dict(record))).lower()
    again = archive.entity_candidates([MARKED], viewer=EDITOR)
    assert "Karim al-Haddad" not in by_name(again) and again.already_redacted == 1
    assert "Samir Jaber" in by_name(again)


def test_a_rule_that_burns_only_part_of_a_name_leaves_the_proposal(archive: Archive) -> None:
    # `Haddad` alone leaves `Karim [REDACTED]`: the person is still named.
    archive.redact(Rule(kind="name", text="Haddad", reason="partial"), account="test")
    found = archive.entity_candidates([MARKED], viewer=EDITOR)
    assert any(c.entity_id for c in found.candidates if "Haddad" in c.name)
    assert found.already_redacted == 0


@pytest.mark.parametrize(
    ("ceiling", "foreign"),
    [(Level.CONFIDENTIAL, False), (Level.SECRET, True), (Level.UNCLASSIFIED, False)],
)
def test_an_editor_held_to_a_ceiling_sees_only_proposals_from_text_within_it(
    folder: Path, ceiling: Level, foreign: bool
) -> None:
    held = Viewer(ceiling=ceiling, foreign=foreign)
    with Archive.open(folder) as archive:
        found = archive.entity_candidates([MARKED, OTHER], viewer=held)
        shown = proposal_words(found)
        assert not shown & SECRET_ONLY, shown & SECRET_ONLY
        if ceiling == Level.UNCLASSIFIED:
            # The marker stands in a (C) paragraph: nothing to propose from below it.
            assert found.candidates == []
            return
        haddad = by_name(found)["Karim Haddad"]  # the spelling of the parts they see
        assert "Karim al-Haddad" not in haddad.variants
        assert [s.paragraph for s in haddad.sightings] == [1]
        assert "Samir Jaber" not in by_name(found)
        # One step from here gives the rule of what they see, never more.
        rule = archive.entity_rule(haddad.entity_id, viewer=held)
        assert not words(" ".join([rule.text, *rule.variants])) & SECRET_ONLY


def test_readers_and_the_public_get_no_proposals(archive: Archive) -> None:
    readers = [
        archive.public_viewer(),
        Viewer(redact=True, compiled=archive.redactor()),
        Viewer(ceiling=Level.SECRET, redact=True, compiled=archive.redactor()),
    ]
    haddad = by_name(archive.entity_candidates([MARKED], viewer=EDITOR))["Karim al-Haddad"]
    for reader in readers:
        with pytest.raises(AccessError, match="editors only"):
            archive.entity_candidates([MARKED], viewer=reader)
        with pytest.raises(AccessError, match="editors only"):
            archive.entity_rule(haddad.entity_id, viewer=reader)
    # After an edition, the same.
    archive.approve([MARKED, OTHER], account="test")
    from cabledesk.publish import build_site

    build_site(archive, archive.path / "edition", account="test")
    assert archive.published() >= {MARKED, OTHER}
    with pytest.raises(AccessError):
        archive.entity_candidates([MARKED], viewer=archive.public_viewer())


def test_an_archive_without_enrichment_keeps_the_name_proposals(tmp_path: Path) -> None:
    folder = build(tmp_path / "plain", enrich=False)
    with Archive.open(folder) as archive:
        found = archive.entity_candidates([MARKED, OTHER], viewer=EDITOR)
        assert found.candidates == [] and sorted(found.not_enriched) == [MARKED, OTHER]
    result = CliRunner().invoke(cli, ["redact", "candidates", f"id:{MARKED}", "--db", str(folder)])
    assert result.exit_code == 0, result.output
    assert "'Karim Haddad'  (name near STRICTLY PROTECT)" in result.stdout
    assert "entity " not in result.stdout
    assert "not enriched" in result.stderr


# --- one step to a rule: the command line and the desk --------------------------------


def test_the_command_line_proposes_entities_and_redacts_one_in_one_step(
    folder: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "cli"
    shutil.copytree(folder, copy)
    runner = CliRunner()
    listed = runner.invoke(cli, ["redact", "candidates", f"id:{MARKED}", "--db", str(copy)])
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.stdout.splitlines() if "'Karim al-Haddad' (person)" in x)
    entity_id = int(line.split()[1])
    assert "named in 2 cables" in line and "'Karim Haddad'" in line
    assert f"cabledesk redact add --entity {entity_id} --reason" in listed.stdout
    # The name-based proposals follow, as before.
    assert "'Colonel Samir Jaber'  (name near PROTECT)" in listed.stdout
    added = runner.invoke(
        cli,
        [
            "redact",
            "add",
            "--entity",
            str(entity_id),
            "--reason",
            "protect source",
            "--db",
            str(copy),
        ],
    )
    assert added.exit_code == 0, added.output
    with Archive.open(copy) as archive:
        (rule,) = archive.register(viewer=EDITOR)
        assert rule.kind == "name" and rule.text == "Karim al-Haddad"
        assert {"Haddad", "Karim Haddad"} <= set(rule.variants)
    again = runner.invoke(cli, ["redact", "candidates", f"id:{MARKED}", "--db", str(copy)])
    assert "'Karim al-Haddad' (person)" not in again.stdout
    assert "every spelling already redacted" in again.stderr
    for bad in (["--entity", "999999"], ["--entity", "1", "Haddad"]):
        wrong = runner.invoke(cli, ["redact", "add", *bad, "--reason", "x", "--db", str(copy)])
        assert wrong.exit_code in (1, 2), wrong.output  # a ClickException or a UsageError
        assert isinstance(wrong.exception, SystemExit), wrong.exception
    missing = runner.invoke(
        cli, ["redact", "add", "--entity", "999999", "--reason", "x", "--db", str(copy)]
    )
    assert "Error: entity 999999: expected the number of an entity" in missing.output


def test_the_desk_turns_a_proposal_into_a_rule_in_one_step(folder: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "desk"
    shutil.copytree(folder, copy)
    build_accounts(copy)
    with TestClient(create_app(copy)) as client:
        sign_in(client, "sam")
        page = client.get(f"/editor/candidates?q=id:{MARKED}")
        assert page.status_code == 200, page.text
        section = re.search(
            r'<section class="entity-candidate" id="entity-\d+">.*?</section>', page.text, re.S
        )
        assert section and "Karim al-Haddad" in section.group()
        form = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'name="(\w+)" (?:value|required value)="([^"]*)"', section.group()
            )
        }
        variants = re.search(
            r'<textarea name="variants"[^>]*>(.*?)</textarea>', section.group(), re.S
        )
        assert variants is not None
        form["variants"] = html.unescape(variants.group(1))
        answer = client.post("/editor/redactions", data=form, follow_redirects=False)
        assert answer.status_code == 303, answer.text
    with Archive.open(copy) as archive:
        (rule,) = archive.register(viewer=EDITOR)
        # sam (SECRET) reads the S/NF paragraph: its spelling is in the rule too.
        spellings = {rule.text, *rule.variants}
        assert {"Karim al-Haddad", "Karim Haddad", "Haddad"} <= spellings, spellings
        assert rule.reason.startswith("protect source")


def build_accounts(folder: Path) -> None:
    from access_fixtures import PASSWORD
    from cabledesk.access import Accounts
    from candidate_fixtures import EDITORS

    with Archive.open(folder) as archive:
        people = Accounts(archive)
        for name, (role, ceiling, foreign) in EDITORS.items():
            people.add(name, PASSWORD, role, ceiling, foreign)


# --- the bundled sample ----------------------------------------------------------------


def test_the_bundled_sample(tmp_path: Path) -> None:
    """The sample's markers are two `(please protect)`: after an organisation in
    09LONDON339 and after a redacted source in 10BEIJING207; no person stands next to
    either. Its other uses of `protect` are prose and propose nothing."""
    with Archive.open(tmp_path / "sample") as archive:
        archive.ingest([SAMPLE], workers=1)
        archive.enrich(workers=0)
        every = list(archive.matching_ids("", viewer=EDITOR, blank_matches_all=True))
        found = archive.entity_candidates(every, viewer=EDITOR)
        assert found.read == len(every) == 48 and found.not_enriched == []
        marked = set()
        for reference_id in every:
            cable = archive.get(reference_id, viewer=EDITOR)
            assert cable is not None
            if any(markers(p.text) for p in cable.paragraphs):
                marked.add(reference_id)
        assert marked == {"09LONDON339", "10BEIJING207"}
        sightings = [s for c in found.candidates for s in c.sightings]
        assert {s.reference_id for s in sightings} <= marked
        assert all(s.closeness != NEXT_TO for s in sightings)
