"""What the public edition lets out (issue 10, findings 4, 8, 9 and 17).

Nothing derived from a cable's stored (unredacted) text may leave the archive in a public
or reader output; a reference id cannot steer a file out of the edition's folder; a cable
ingested again after it was published stays public as published until an editor approves
the new text; and the path a cable was ingested from is for editors only.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import cabledesk
from cabledesk.archive.prepare import prepare, text_hash
from cabledesk.archive.store import next_seq, write_batch
from cabledesk.facade import Archive
from cabledesk.publish import build_site
from cabledesk.publish.data import write_data
from cabledesk.publish.site import PublishError
from cabledesk.record.model import Cable
from cabledesk.redact import FULL, Rule, Viewer
from conftest import CORPUS, SAMPLE, needs_corpus

BAGHDAD = SAMPLE / "text" / "08BAGHDAD1784.txt"
OSLO = next((SAMPLE / "cable").rglob("08OSLO670.html"))
PESHAWAR = next((SAMPLE / "cable").rglob("09PESHAWAR2.html"))
PUBLIC = Viewer(redact=True, published_only=True)
READER = Viewer(redact=True)


def files_of(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def hidden_values(cable: Cable) -> list[str]:
    """Values only the stored text gives: its hashes (as the archive keeps them and as
    anyone would compute them) and the place it was read from."""
    values = [text_hash(cable)]
    for text in (cable.raw, cable.text):
        values.append(hashlib.sha256(text.encode()).hexdigest())
        values.append(hashlib.md5(text.encode()).hexdigest())
        values.append(hashlib.sha1(text.encode()).hexdigest())
    assert cable.location
    values.append(cable.location)
    return values


def published_outputs(archive: Archive, tmp_path: Path) -> dict[str, bytes]:
    """Every file of the built site and of both data releases."""
    site = tmp_path / "site"
    build_site(archive, site, account="ed")
    outputs = {str(p.relative_to(tmp_path)): data for p, data in files_of(site)}
    for format in ("jsonl", "csv"):
        out = tmp_path / f"release.{format}"
        write_data(archive, out, format, account="ed")
        outputs[out.name] = out.read_bytes()
    return outputs


# --- finding 4: nothing derived from hidden text ---------------------------------------


def test_no_public_file_holds_a_value_derived_from_the_unredacted_text(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        assert archive.ingest([BAGHDAD, OSLO], workers=1).failed == 0
        archive.redact(Rule(kind="name", text="Maliki", reason="a source"))
        archive.approve(["08BAGHDAD1784", "08OSLO670"], account="ed")
        stored = archive.get("08BAGHDAD1784", viewer=FULL)
        assert stored is not None and "Maliki" in stored.raw
        outputs = published_outputs(archive, tmp_path)
    assert "site/edition.json" in outputs and "site/search/meta.json" in outputs
    for value in hidden_values(stored):
        found = [name for name, data in outputs.items() if value.encode() in data]
        assert not found, f"{value!r} (from the stored text) is in {found}"


def test_edition_json_hashes_each_cable_as_published(tmp_path: Path) -> None:
    from cabledesk.publish.edition import published_hash

    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([BAGHDAD, OSLO], workers=1)
        archive.redact(Rule(kind="name", text="Maliki", reason="a source"))
        archive.approve(["08BAGHDAD1784", "08OSLO670"], account="ed")
        outputs = published_outputs(archive, tmp_path)
        internal = dict(
            archive.connection.execute("SELECT reference_id, text_hash FROM edition_cables")
        )
    manifest = json.loads(outputs["site/edition.json"])
    released = {
        c.reference_id: c
        for c in map(cabledesk.from_dict, map(json.loads, outputs["release.jsonl"].splitlines()))
    }
    assert manifest["cables"] == {i: published_hash(c) for i, c in released.items()}
    # The editors' record keeps the stored text's hash (for their diff), never published.
    assert set(internal.values()).isdisjoint(manifest["cables"].values())


def test_counts_over_a_withheld_paragraph_are_not_published(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(PESHAWAR, workers=1)
        stored = archive.get("09PESHAWAR2", viewer=FULL)
        assert stored is not None and stored.redactions.count > 0
        archive.redact(
            Rule(kind="paragraph", text="", cable_id="09PESHAWAR2", paragraph=2, reason="x")
        )
        archive.approve(["09PESHAWAR2"], account="ed")
        outputs = published_outputs(archive, tmp_path)
    (line,) = outputs["release.jsonl"].splitlines()
    public = cabledesk.from_dict(json.loads(line))
    hidden = stored.paragraphs[1]
    assert hidden.number == 2 and "XXXXXXXXXXXX" in hidden.text
    assert hidden.text not in public.text
    # The count of the source's own blanks is of what the public can see, not of the
    # stored text with paragraph 2 in it.
    assert public.redactions.count == len(re.findall("XXXXX+", public.text.replace("x", "X")))
    assert public.redactions.count < stored.redactions.count
    assert public.repairs.total == 0 and public.warnings == []


def test_the_desk_never_serves_an_edition_json_of_the_older_kind(tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from cabledesk.web.edition_files import EditionFiles

    folder = tmp_path / "edition"
    folder.mkdir()
    (folder / "index.html").write_text("<p>edition</p>")
    # As editions were built before: hashes of the stored (unredacted) text.
    old = {"edition": 1, "cables": {"08BAGHDAD1784": "0" * 32}}
    (folder / "edition.json").write_text(json.dumps(old))
    app = Starlette(routes=[Mount("/edition", EditionFiles(folder))])
    with TestClient(app) as client:
        assert client.get("/edition/index.html").status_code == 200
        answer = client.get("/edition/edition.json")
    assert answer.status_code == 404 and "0" * 32 not in answer.text


# --- finding 8: reference ids and output paths -----------------------------------------


def test_ingest_refuses_reference_ids_that_could_name_a_path(tmp_path: Path) -> None:
    good = cabledesk.to_dict(cabledesk.parse_file(BAGHDAD))
    records = tmp_path / "records.jsonl"
    lines = []
    for bad in ("../../PWNED", "08OSLO/670", "..", "08OSLO670\x00", " 08X1", "08OSLO670.html"):
        lines.append(json.dumps({**good, "reference_id": bad}))
    lines.append(json.dumps(good))
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(
        OSLO.read_text(encoding="utf-8").replace(">08OSLO670</a>", ">../../PWNED</a>"),
        encoding="utf-8",
    )
    with Archive.open(tmp_path / "a") as archive:
        report = archive.ingest([records, page], workers=1)
        stored = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
    assert stored == ["08BAGHDAD1784"]
    assert report.ingested == 1 and report.failed == 7
    assert report.reasons == {"invalid reference id": 7}
    assert any("'../../PWNED'" in e and "page.html" in e for e in report.examples)


def test_every_known_good_reference_id_passes() -> None:
    from cabledesk.archive.validate import reference_id_problem

    ids = [c.reference_id for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable)]
    ids += ["08BAGHDAD1784", "73STATE012345", "09USUNNEWYORK123", "06SECSTATE12345"]
    ids += ["10CAIRO91", "09BEIJING2938", "1977MOSCOW02124", "1977STATE017976_c"]
    ids += ["73BANGKOK-A50", "06ASTANA", "092OF5"]
    assert len(ids) > 40
    assert [i for i in ids if i is None or reference_id_problem(i)] == []


@needs_corpus
def test_every_reference_id_of_the_shared_corpus_passes() -> None:
    from cabledesk.archive.validate import reference_id_problem

    truth = (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["reference_id"] for line in truth]
    assert len(ids) == 645 and [i for i in ids if reference_id_problem(i)] == []


def test_publish_never_writes_outside_its_folder(tmp_path: Path) -> None:
    """An archive holding a bad id (stored before ids were checked) cannot publish it."""
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(OSLO, workers=1)
        cable = cabledesk.parse_file(OSLO)
        cable.reference_id = "../../PWNED"
        with archive.connection:
            write_batch(archive.connection, [prepare(cable)], next_seq(archive.connection))
        archive.approve(["../../PWNED", "08OSLO670"], account="ed")
        out = tmp_path / "deep" / "er" / "site"
        with pytest.raises(PublishError, match="PWNED"):
            build_site(archive, out, account="ed")
        assert not (tmp_path / "deep" / "PWNED.html").exists()
        assert not [p for p in tmp_path.rglob("PWNED*")]
        assert archive.connection.execute("SELECT count(*) FROM editions").fetchone()[0] == 0


@pytest.mark.parametrize("parts", [("..", "x"), ("/etc", "passwd"), ("a/../../b",), ("",)])
def test_output_paths_cannot_leave_their_folder(tmp_path: Path, parts: tuple[str, ...]) -> None:
    from cabledesk.publish.paths import inside

    with pytest.raises(PublishError):
        inside(tmp_path, *parts)
    assert inside(tmp_path, "cable", "08OSLO670.html") == tmp_path / "cable" / "08OSLO670.html"


# --- finding 9: a changed cable waits for approval -------------------------------------


def changed_version(archive: Archive, folder: Path, reference_id: str, word: str) -> Path:
    stored = archive.get(reference_id, viewer=FULL)
    assert stored is not None
    record = cabledesk.to_dict(stored)
    record["paragraphs"][0]["text"] += f" {word}"
    record["raw"] += f"\n{word}"
    record["text"] += f"\n{word}"
    path = folder / f"{reference_id}-{word}.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def test_a_changed_published_cable_stays_as_published_until_approved_again(
    tmp_path: Path,
) -> None:
    from cabledesk.archive.editions import published_record, published_records

    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(SAMPLE, workers=1)
        archive.approve(["08OSLO670", "08OSLO585"], account="ed")
        build_site(archive, tmp_path / "site", account="ed")
        approved_hash = text_hash(archive.get("08OSLO670", viewer=FULL) or Cable())
        new = changed_version(archive, tmp_path, "08OSLO670", "ZEBRAFINCH")
        assert archive.ingest(new, workers=1).updated == 1
        assert (
            "ZEBRAFINCH" in (archive.get("08OSLO670", viewer=FULL) or Cable()).text
        )  # editors see it

        public = archive.get("08OSLO670", viewer=PUBLIC)
        assert public is not None and "ZEBRAFINCH" not in cabledesk.to_json(public)
        assert archive.citing("08OSLO585", viewer=PUBLIC) == ["08OSLO670"]
        record = published_record(archive.connection, "08OSLO670")
        assert record is not None and text_hash(record) == approved_hash
        assert published_record(archive.connection, "08BAGHDAD1784") is None
        assert [i for i, _ in published_records(archive.connection)] == [
            "08OSLO585",
            "08OSLO670",
        ]

        waiting = {a.reference_id: a for a in archive.approved(viewer=FULL)}
        assert waiting["08OSLO670"].needs_approval and not waiting["08OSLO585"].needs_approval
        # Publishing again without a new approval keeps the approved version.
        build_site(archive, tmp_path / "site", account="ed")
        page = (tmp_path / "site" / "cable" / "08OSLO670.html").read_text()
        assert "ZEBRAFINCH" not in page
        public = archive.get("08OSLO670", viewer=PUBLIC)
        assert public is not None and "ZEBRAFINCH" not in public.text

        assert archive.approve(["08OSLO670"], account="ed") == 1
        assert not any(a.needs_approval for a in archive.approved(viewer=FULL))
        build_site(archive, tmp_path / "site", account="ed")
        public = archive.get("08OSLO670", viewer=PUBLIC)
        assert public is not None and "ZEBRAFINCH" in public.text


def test_the_desk_shows_visitors_the_published_version(tmp_path: Path) -> None:
    from access_fixtures import Clock, add_people
    from cabledesk.web import create_app

    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE, workers=1)
        archive.approve(["08OSLO670"], account="ed")
        build_site(archive, tmp_path / "site", account="ed")
        archive.ingest(changed_version(archive, tmp_path, "08OSLO670", "ZEBRAFINCH"), workers=1)
    add_people(folder, Clock())
    with TestClient(create_app(folder), raise_server_exceptions=False) as visitor:
        page = visitor.get("/cable/08OSLO670")
        api = visitor.get("/api/cables/08OSLO670")
    assert page.status_code == 200 and api.status_code == 200
    assert "ZEBRAFINCH" not in page.text and "ZEBRAFINCH" not in api.text


def test_approve_list_shows_cables_waiting_for_a_new_approval(tmp_path: Path) -> None:
    from cabledesk.cli.main import cli

    db = tmp_path / "a"
    with Archive.open(db) as archive:
        archive.ingest(SAMPLE, workers=1)
        archive.approve(["08OSLO670", "08OSLO585"], account="ed")
        archive.ingest(changed_version(archive, tmp_path, "08OSLO670", "ZEBRAFINCH"), workers=1)
    shown = CliRunner().invoke(cli, ["approve", "--list", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line for line in shown.output.splitlines()}
    assert "changed since approved" in lines["08OSLO670"]
    assert "changed" not in lines["08OSLO585"]


def test_migration_6_keeps_the_version_each_approval_was_of(tmp_path: Path) -> None:
    db = tmp_path / "a"
    with Archive.open(db) as archive:
        archive.ingest(SAMPLE, workers=1)
        archive.approve(["08OSLO670", "08OSLO585", "09BANGKOK385"], account="ed")
        build_site(archive, tmp_path / "site", account="ed")
        before = text_hash(archive.get("08OSLO670", viewer=FULL) or Cable())
        # Approved at the same second as the edition; the new text comes later.
        archive.ingest(changed_version(archive, tmp_path, "08OSLO670", "ZEBRAFINCH"), workers=1)
    # Back to schema 5, as an archive made before approvals were of a version.
    connection = sqlite3.connect(db / "archive.db")
    connection.executescript(
        "ALTER TABLE approvals DROP COLUMN text_hash;"
        # The REF items' kind came with schema 7.
        "ALTER TABLE refs DROP COLUMN kind;"
        # The entity tables came with schema 8.
        "DROP TABLE mentions; DROP TABLE enriched; DROP TABLE entity_keys; DROP TABLE entities;"
        # The entity register came with schema 9.
        "DROP TABLE entity_register; DROP TABLE entity_key_stats;"
        "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
    )
    connection.close()
    with Archive.open(db) as archive:
        found = {a.reference_id: a for a in archive.approved(viewer=FULL)}
        assert found["08OSLO670"].text_hash == before
        assert found["08OSLO670"].needs_approval
        assert not found["08OSLO585"].needs_approval
        assert not found["09BANGKOK385"].needs_approval


# --- finding 17: where a cable was read from --------------------------------------------


def test_the_ingest_location_is_for_editors_only(tmp_path: Path) -> None:
    from access_fixtures import Clock, add_people, sign_in
    from cabledesk.web import create_app

    home = tmp_path / "home" / "alice-private-notes"
    home.mkdir(parents=True)
    shutil.copy(BAGHDAD, home / "08BAGHDAD1784.txt")
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(home, workers=1)
        stored = archive.get("08BAGHDAD1784", viewer=FULL)
        assert stored is not None and "alice-private-notes" in (stored.location or "")
        assert (archive.get("08BAGHDAD1784", viewer=READER) or Cable()).location is None
        assert (archive.get("08BAGHDAD1784", viewer=Viewer(ceiling=2)) or Cable()).location
        archive.approve(["08BAGHDAD1784"], account="ed")
        outputs = published_outputs(archive, tmp_path)
    assert not [n for n, data in outputs.items() if b"alice-private-notes" in data]
    add_people(folder, Clock())
    with TestClient(create_app(folder), raise_server_exceptions=False) as visitor:
        answers = [visitor.get("/api/cables/08BAGHDAD1784"), visitor.get("/cable/08BAGHDAD1784")]
    with TestClient(create_app(folder), raise_server_exceptions=False) as reader:
        sign_in(reader, "rita")
        answers.append(reader.get("/api/cables/08BAGHDAD1784"))
    with TestClient(create_app(folder), raise_server_exceptions=False) as editor:
        sign_in(editor, "eddie")
        edited = editor.get("/api/cables/08BAGHDAD1784")
    assert all(a.status_code == 200 for a in answers)
    assert not [a.url for a in answers if "alice-private-notes" in a.text]
    assert "alice-private-notes" in edited.text
