"""Deleting and changing in the workspace (docs/workspace.md, "Deleting and changing"):
a collection deleted by its owner only, the notes shared with it kept as private notes
of their authors, a published one left out of the next edition; a note changed or deleted
by its author only (403 for a reader who reads it, 404 for anyone else); the same on the
desk (forms with CSRF), the API (in the OpenAPI document) and the command line; and the
405 answer naming the methods a route answers."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from access_fixtures import Clock, add_people, csrf_of, sign_in
from cabledesk.access import LOCAL, Accounts, Principal, audit
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.publish import build_site
from cabledesk.web import create_app
from cabledesk.workspace.collections import NotAllowed, NotFound, WorkspaceError
from cabledesk.workspace.notes import NOTE_MOST
from test_web import validate
from web_fixtures import build_web_archive

SECRET_ID = "08BAGHDAD1784"  # SECRET//NOFORN, its paragraph 2 marked (S)
PLAIN_ID = "72TEHRAN1164"  # UNCLASSIFIED


@dataclass
class Desk:
    folder: Path
    clock: Clock

    def open(self) -> Archive:
        return Archive.open(self.folder, create=False)

    def who(self, name: str) -> Principal:
        with self.open() as archive:
            found = Accounts(archive).principal(name)
        assert found is not None
        return found

    def rows(self, sql: str, *values: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.folder / "archive.db") as connection:
            return connection.execute(sql, values).fetchall()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    folder = build_web_archive(tmp_path_factory.mktemp("workspace-delete"))
    clock = Clock()
    add_people(folder, clock)  # ada admin, eddie editor, rita reader, fran CONFIDENTIAL foreign
    return Desk(folder, clock)


def _events(archive: Archive, kind: str) -> list[audit.Event]:
    return audit.read(archive, kind=kind)


def test_deleting_a_collection_keeps_the_notes_shared_with_it(desk: Desk, tmp_path: Path) -> None:
    eddie, fran, rita, ada = (desk.who(n) for n in ("eddie", "fran", "rita", "ada"))
    with desk.open() as archive:
        number = archive.create_collection("Doomed story", "to be deleted", principal=eddie)
        archive.add_to_collection(number, [PLAIN_ID, SECRET_ID], principal=eddie)
        archive.share_collection(number, "fran", "edit", principal=eddie)
        archive.share_collection(number, "rita", "view", principal=eddie)
        frans = archive.add_note(
            PLAIN_ID, "fran's shared thought", principal=fran, collection_id=number
        )
        eddies = archive.add_note(
            PLAIN_ID,
            "eddie's shared thought",
            principal=eddie,
            paragraph="p1",
            collection_id=number,
        )
        archive.publish_collection(number, principal=eddie)
        assert number in [n for n, *_ in archive.published_collections()]
        archive.approve([PLAIN_ID])
        build_site(archive, tmp_path / "before")
        assert (tmp_path / "before" / "collection" / f"{number}.html").exists()
        assert "fran's shared thought" in [n.text for n in archive.all_notes(principal=rita)]
        # Only the owner: a collaborator who may change it, one who may read it: 403; a
        # stranger: 404, as for one that does not exist.
        with pytest.raises(NotAllowed, match="only the collection's owner"):
            archive.delete_collection(number, principal=fran)
        with pytest.raises(NotAllowed):
            archive.delete_collection(number, principal=rita)
        with pytest.raises(NotFound, match="no such collection of yours"):
            archive.delete_collection(number, principal=ada)
        with pytest.raises(NotFound):
            archive.delete_collection(99_999, principal=eddie)
        gone = archive.delete_collection(number, principal=eddie)
        assert (gone.id, gone.title, gone.cables, gone.shares) == (number, "Doomed story", 2, 2)
        assert gone.notes_kept_private == 2 and gone.was_published
        with pytest.raises(NotFound):
            archive.collection(number, principal=eddie)
        for who in (eddie, fran, rita):
            assert number not in [c.id for c in archive.collections(principal=who)]
        # The notes are their authors' private notes now, text and anchor unchanged.
        fran_notes = {n.id: n for n in archive.all_notes(principal=fran)}
        assert fran_notes[frans].collection_id is None
        assert fran_notes[frans].text == "fran's shared thought"
        assert eddies not in fran_notes
        eddie_notes = {n.id: n for n in archive.all_notes(principal=eddie)}
        assert eddie_notes[eddies].collection_id is None and eddie_notes[eddies].paragraph == "p1"
        assert frans not in eddie_notes
        assert not {frans, eddies} & {n.id for n in archive.all_notes(principal=rita)}
        # Nothing of it is left in the tables, and the next edition leaves it out.
        assert number not in [n for n, *_ in archive.published_collections()]
        build_site(archive, tmp_path / "site")
        assert not (tmp_path / "site" / "collection" / f"{number}.html").exists()
        assert "Doomed story" not in (tmp_path / "site" / "index.html").read_text("utf-8")
        [event] = [
            e for e in _events(archive, "collection_delete") if e.detail["collection"] == number
        ]
        assert event.account == "eddie"
        assert event.detail == {
            "collection": number,
            "cables": 2,
            "shares": 2,
            "notes_kept_private": 2,
            "published": True,
        }
    for table, column in (
        ("collections", "id"),
        ("collection_cables", "collection_id"),
        ("collection_shares", "collection_id"),
        ("notes", "collection_id"),
    ):
        assert desk.rows(f"SELECT count(*) FROM {table} WHERE {column} = ?", number) == [(0,)]


def test_a_note_is_changed_and_deleted_by_its_author_only(desk: Desk) -> None:
    rita, fran, eddie = desk.who("rita"), desk.who("fran"), desk.who("eddie")
    with desk.open() as archive:
        number = archive.create_collection("Notes story", principal=rita)
        archive.add_to_collection(number, [PLAIN_ID, SECRET_ID], principal=rita)
        archive.share_collection(number, "fran", "view", principal=rita)
        note = archive.add_note(PLAIN_ID, "first words", principal=rita, collection_id=number)
        # On a SECRET//NOFORN cable: fran (CONFIDENTIAL, foreign) never reads it.
        hidden = archive.add_note(
            SECRET_ID, "on the secret", principal=rita, paragraph="p2", collection_id=number
        )
        assert hidden not in [n.id for n in archive.all_notes(principal=fran)]
        # fran reads the note but did not write it: 403; eddie does not read it: 404.
        for change in (
            lambda who, i: archive.edit_note(i, "changed", principal=who),
            lambda who, i: archive.delete_note(i, principal=who),
        ):
            with pytest.raises(NotAllowed, match="rita's to"):
                change(fran, note)
            with pytest.raises(NotFound, match="no such note of yours"):
                change(eddie, note)
            # A note fran's view withholds answers as one that does not exist.
            with pytest.raises(NotFound, match="no such note of yours"):
                change(fran, hidden)
            with pytest.raises(NotFound):
                change(rita, 99_999)
        with pytest.raises(WorkspaceError, match="needs some text"):
            archive.edit_note(note, "   ", principal=rita)
        with pytest.raises(WorkspaceError, match="at most"):
            archive.edit_note(note, "x" * (NOTE_MOST + 1), principal=rita)
        archive.edit_note(note, "  second words ", principal=rita)
        [changed] = [n for n in archive.notes(PLAIN_ID, principal=fran) if n.id == note]
        assert changed.text == "second words" and changed.collection_id == number
        stored = desk.rows("SELECT created, updated FROM notes WHERE id = ?", note)[0]
        assert stored[1] >= stored[0]
        assert "second words" in [
            n.text for n in archive.collection(number, principal=fran).entries[0].notes
        ]
        archive.delete_note(note, principal=rita)
        assert note not in [n.id for n in archive.all_notes(principal=rita)]
        with pytest.raises(NotFound):
            archive.delete_note(note, principal=rita)
        edits = [e for e in _events(archive, "note_edit") if e.detail["note"] == note]
        deletes = [e for e in _events(archive, "note_delete") if e.detail["note"] == note]
        assert [e.account for e in edits] == ["rita"]
        assert [(e.account, e.detail["reference_id"]) for e in deletes] == [("rita", PLAIN_ID)]


def test_deleting_and_editing_on_the_desk(desk: Desk) -> None:
    rita = desk.who("rita")
    with desk.open() as archive:
        number = archive.create_collection("Desk doomed", principal=rita)
        archive.add_to_collection(number, [PLAIN_ID], principal=rita)
        archive.share_collection(number, "fran", "view", principal=rita)
        note = archive.add_note(
            PLAIN_ID, "desk note", principal=rita, paragraph="p1", collection_id=number
        )
    app = create_app(desk.folder, clock=desk.clock)
    with (
        TestClient(app, follow_redirects=False) as client,
        TestClient(app, follow_redirects=False) as other,
    ):
        assert sign_in(client, "rita").status_code == 303
        assert sign_in(other, "fran").status_code == 303
        # The author sees "edit" beside the note, on the cable and the collection pages;
        # the collaborator reads the note without it.
        page = client.get(f"/cable/{PLAIN_ID}").text
        paragraph = page.split('id="p1"', 1)[1].split('class="para"', 1)[0]
        assert f'action="/notes/{note}/edit"' in paragraph
        assert f'action="/notes/{note}/delete"' in paragraph
        shelf = client.get(f"/collections/{number}").text
        assert f'action="/notes/{note}/edit"' in shelf and 'id="delete-collection"' in shelf
        theirs = other.get(f"/cable/{PLAIN_ID}").text
        assert "desk note" in theirs and f"/notes/{note}/edit" not in theirs
        their_shelf = other.get(f"/collections/{number}").text
        assert "desk note" in their_shelf and 'id="delete-collection"' not in their_shelf
        token = csrf_of(page)
        their_token = csrf_of(theirs)
        # Without the form token nothing happens; fran may not; rita may.
        assert client.post(f"/notes/{note}/edit", data={"text": "x"}).status_code == 403
        refused = other.post(f"/notes/{note}/edit", data={"text": "x", "csrf_token": their_token})
        assert refused.status_code == 403 and "rita" in refused.text
        edited = client.post(
            f"/notes/{note}/edit",
            data={
                "text": "desk note, edited",
                "next": f"/cable/{PLAIN_ID}#p1",
                "csrf_token": token,
            },
        )
        assert edited.status_code == 303
        assert edited.headers["location"].startswith(f"/cable/{PLAIN_ID}?notice=")
        assert edited.headers["location"].endswith("#p1")
        assert "desk note, edited" in client.get(f"/cable/{PLAIN_ID}").text
        deleted = client.post(f"/notes/{note}/delete", data={"csrf_token": token})
        assert deleted.status_code == 303
        assert "desk note, edited" not in client.get(f"/cable/{PLAIN_ID}").text
        assert client.post(f"/notes/{note}/delete", data={"csrf_token": token}).status_code == 404
        # Deleting the collection needs the box ticked, and is the owner's.
        unticked = client.post(f"/collections/{number}/delete", data={"csrf_token": token})
        assert unticked.status_code == 400 and "yes, delete it" in unticked.text
        assert client.get(f"/collections/{number}").status_code == 200
        for data in ({"csrf_token": their_token}, {"confirm": "yes", "csrf_token": their_token}):
            theirs = other.post(f"/collections/{number}/delete", data=data)
            assert theirs.status_code == 403 and "Not allowed" in theirs.text
        stranger = TestClient(app, follow_redirects=False)
        sign_in(stranger, "eddie")
        eddie_token = csrf_of(stranger.get("/collections").text)
        for data in ({"csrf_token": eddie_token}, {"confirm": "yes", "csrf_token": eddie_token}):
            answer = stranger.post(f"/collections/{number}/delete", data=data)
            assert answer.status_code == 404 and "Desk doomed" not in answer.text
        done = client.post(
            f"/collections/{number}/delete", data={"confirm": "yes", "csrf_token": token}
        )
        assert done.status_code == 303 and done.headers["location"].startswith("/collections?")
        assert client.get(f"/collections/{number}").status_code == 404


def test_deleting_and_editing_through_the_api(desk: Desk) -> None:
    with desk.open() as archive:
        _, secret = Accounts(archive).create_token("deleter", "rita")
        _, other = Accounts(archive).create_token("onlooker", "fran")
    app = create_app(desk.folder, clock=desk.clock)
    with TestClient(app) as client:
        mine = {"authorization": f"Bearer {secret}"}
        theirs = {"authorization": f"Bearer {other}"}
        made = client.post("/api/collections", json={"title": "API doomed"}, headers=mine).json()
        number = made["id"]
        client.post(f"/api/collections/{number}/cables", json={"ids": [PLAIN_ID]}, headers=mine)
        client.post(
            f"/api/collections/{number}",
            json={"share": {"account": "fran", "access": "view"}},
            headers=mine,
        )
        note = client.post(
            "/api/notes",
            json={"reference_id": PLAIN_ID, "text": "api words", "collection_id": number},
            headers=mine,
        ).json()["id"]
        # Someone who reads it may not change it (403); a wrong body is a 400.
        assert (
            client.post(f"/api/notes/{note}", json={"text": "no"}, headers=theirs).status_code
            == 403
        )
        assert client.delete(f"/api/notes/{note}", headers=theirs).status_code == 403
        assert client.post(f"/api/notes/{note}", json={"text": 3}, headers=mine).status_code == 400
        assert client.post(f"/api/notes/{note}", content=b"[", headers=mine).status_code == 400
        assert client.post("/api/notes/x1", json={"text": "a"}, headers=mine).status_code == 404
        changed = client.post(f"/api/notes/{note}", json={"text": "api words, later"}, headers=mine)
        assert changed.status_code == 200, changed.text
        validate(changed.json(), "Note")
        assert changed.json()["text"] == "api words, later"
        assert changed.json()["collection_id"] == number
        refused = client.delete(f"/api/collections/{number}", headers=theirs)
        assert refused.status_code == 403
        validate(refused.json(), "Error")
        gone = client.delete(f"/api/collections/{number}", headers=mine)
        assert gone.status_code == 200
        validate(gone.json(), "CollectionDeleted")
        assert gone.json() == {
            "deleted": number,
            "cables": 1,
            "shares": 1,
            "notes_kept_private": 1,
            "withdrawn_from_next_edition": False,
        }
        assert client.get(f"/api/collections/{number}", headers=mine).status_code == 404
        # The note is rita's private note now: fran no longer reads it, nor may touch it.
        assert client.delete(f"/api/notes/{note}", headers=theirs).status_code == 404
        kept = client.get("/api/notes", params={"reference_id": PLAIN_ID}, headers=mine).json()
        assert [n["collection_id"] for n in kept["notes"] if n["id"] == note] == [None]
        deleted = client.delete(f"/api/notes/{note}", headers=mine)
        assert deleted.status_code == 200 and deleted.json() == {"deleted": note}
        validate(deleted.json(), "NoteDeleted")
        assert client.delete(f"/api/notes/{note}", headers=mine).status_code == 404
        paths = client.get("/api/openapi.json", headers=mine).json()["paths"]
        assert {"get", "post", "delete"} <= set(paths["/api/collections/{collection_id}"])
        assert {"post", "delete"} <= set(paths["/api/notes/{note_id}"])


def test_a_405_names_the_methods_the_route_answers(desk: Desk) -> None:
    with desk.open() as archive:
        _, secret = Accounts(archive).create_token("methods", "rita")
    app = create_app(desk.folder, clock=desk.clock)
    with TestClient(app) as client:
        client.headers["authorization"] = f"Bearer {secret}"
        for method, path, answers in (
            ("DELETE", "/api/collections", "GET and POST"),
            ("PUT", "/api/collections/1", "GET, POST and DELETE"),
            ("GET", "/api/notes/1", "POST and DELETE"),
            ("POST", "/api/stats", "GET"),
        ):
            answer = client.request(method, path)
            assert answer.status_code == 405, (method, path, answer.text)
            message = answer.json()["error"]["message"]
            assert message == f"{method} {path}: not answered here; it answers {answers}"
            assert answer.headers["allow"] == answers.replace(" and ", ", ")
        page = client.request("PUT", "/collections/1/delete")
        assert page.status_code == 405 and "(it answers POST)" in page.text


def test_deleting_and_editing_on_the_command_line(desk: Desk) -> None:
    runner = CliRunner()
    db = ["--db", str(desk.folder)]
    number = runner.invoke(cli, ["collection", "create", "CLI doomed", *db]).output.strip()
    runner.invoke(cli, ["collection", "add", number, PLAIN_ID, *db])
    runner.invoke(cli, ["collection", "share", number, "fran", "--access", "edit", *db])
    noted = runner.invoke(cli, ["note", "add", PLAIN_ID, "cli words", "--collection", number, *db])
    note = noted.output.strip()
    # Another account (even one who may change the collection) may not.
    refused = runner.invoke(
        cli, ["collection", "delete", number, "--yes", "--account", "fran", *db]
    )
    assert refused.exit_code != 0 and "only the collection's owner" in refused.output
    refused = runner.invoke(cli, ["note", "edit", note, "theirs", "--account", "fran", *db])
    assert refused.exit_code != 0 and "the archive's owner's to change" in refused.output
    refused = runner.invoke(cli, ["note", "delete", note, "--account", "eddie", *db])
    assert refused.exit_code != 0 and "no such note of yours" in refused.output
    edited = runner.invoke(cli, ["note", "edit", note, "cli words, later", *db])
    assert edited.exit_code == 0, edited.output
    listed = runner.invoke(cli, ["note", "list", PLAIN_ID, "--output", "json", *db])
    assert "cli words, later" in [n["text"] for n in json.loads(listed.output)]
    # Asked first; "n" keeps it.
    kept = runner.invoke(cli, ["collection", "delete", number, *db], input="n\n")
    assert kept.exit_code != 0
    assert runner.invoke(cli, ["collection", "show", number, *db]).exit_code == 0
    gone = runner.invoke(cli, ["collection", "delete", number, *db], input="y\n")
    assert gone.exit_code == 0, gone.output
    assert f"deleted collection {number} (1 cables, 1 shares)" in gone.output
    assert "1 shared notes kept as private notes" in gone.output
    assert runner.invoke(cli, ["collection", "show", number, *db]).exit_code != 0
    deleted = runner.invoke(cli, ["note", "delete", note, *db])
    assert deleted.exit_code == 0 and f"deleted note {note}" in deleted.output
    assert runner.invoke(cli, ["note", "delete", note, *db]).exit_code != 0
    with Archive.open(desk.folder, create=False) as archive:
        assert int(note) not in [n.id for n in archive.all_notes(principal=LOCAL)]
