"""The workspace (docs/workspace.md): collections and notes, who may see and change what,
`note:` against a brute-force reading of the notes table, and leaks: a redacted name or
text above a collaborator's ceiling never reaches them through a shared collection, its
export, a note or a note search. Pages and API through the desk, the CLI through click."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from access_fixtures import Clock, add_people, csrf_of, sign_in
from cabledesk.access import LOCAL, Accounts, Principal
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.publish import build_site
from cabledesk.redact import Rule
from cabledesk.web import create_app
from cabledesk.workspace import batch
from cabledesk.workspace.collections import NotAllowed, NotFound, WorkspaceError
from test_leaks import leaks
from test_leaks import product_words as _product_words
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


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    folder = build_web_archive(tmp_path_factory.mktemp("workspace"))
    clock = Clock()
    add_people(folder, clock)  # ada admin, eddie editor, rita reader, fran CONFIDENTIAL foreign
    return Desk(folder, clock)


def test_a_collection_is_private_until_shared(desk: Desk) -> None:
    rita, fran, eddie = desk.who("rita"), desk.who("fran"), desk.who("eddie")
    with desk.open() as archive:
        number = archive.create_collection("Tehran", "the F-4s", principal=rita)
        assert archive.add_to_collection(number, [PLAIN_ID, SECRET_ID], principal=rita) == 2
        assert archive.add_to_collection(number, [PLAIN_ID], principal=rita) == 0
        for other in (fran, eddie):
            assert number not in [c.id for c in archive.collections(principal=other)]
            with pytest.raises(NotFound):
                archive.collection(number, principal=other)
        # One that does not exist answers the same.
        with pytest.raises(NotFound) as missing:
            archive.collection(99_999, principal=fran)
        assert "no such collection of yours" in str(missing.value)
        archive.share_collection(number, "fran", "view", principal=rita)
        shelf = archive.collection(number, principal=fran)
        assert shelf.collection.access == "view"
        assert [e.reference_id for e in shelf.entries] == [PLAIN_ID, SECRET_ID]
        with pytest.raises(NotAllowed):
            archive.add_to_collection(number, [SECRET_ID], principal=fran)
        with pytest.raises(NotAllowed):
            archive.share_collection(number, "eddie", "edit", principal=fran)
        archive.share_collection(number, "fran", "edit", principal=rita)
        archive.move_in_collection(number, SECRET_ID, 0, principal=fran)
        assert [e.reference_id for e in archive.collection(number, principal=rita).entries] == [
            SECRET_ID,
            PLAIN_ID,
        ]
        assert archive.remove_from_collection(number, SECRET_ID, principal=fran)
        assert archive.collection(number, principal=rita).collection.cables == 1
        archive.share_collection(number, "fran", None, principal=rita)
        with pytest.raises(NotFound):
            archive.collection(number, principal=fran)
        with pytest.raises(WorkspaceError):
            archive.share_collection(number, "nobody-here", "view", principal=rita)
        # Publishing in the edition is the editors' (a reader may not, even their own).
        with pytest.raises(NotAllowed):
            archive.publish_collection(number, principal=rita)


def test_add_every_match_is_the_readers_own_search(desk: Desk) -> None:
    rita = desk.who("rita")
    with desk.open() as archive:
        number = archive.create_collection("Iran", principal=rita)
        added = archive.add_matches_to_collection(number, "iran", principal=rita)
        expected = list(archive.matching_ids("iran", viewer=archive.viewer(rita), sort="date"))
        assert added == len(expected) > 3
        ids = [e.reference_id for e in archive.collection(number, principal=rita).entries]
        assert ids == expected


def test_a_collaborator_gets_each_cable_as_their_own_view_gives_it(desk: Desk) -> None:
    rita, fran = desk.who("rita"), desk.who("fran")
    with desk.open() as archive:
        number = archive.create_collection("Baghdad", principal=rita)
        archive.add_to_collection(number, [SECRET_ID], principal=rita)
        archive.share_collection(number, "fran", "view", principal=rita)
        subject = archive.get(SECRET_ID, viewer=archive.viewer(rita))
        assert subject is not None and subject.subject and "withheld" not in subject.subject
        fran_sees = archive.collection(number, principal=fran).entries[0].cable
        assert fran_sees is not None
        assert fran_sees.subject is not None and fran_sees.subject.startswith("[subject withheld")
        assert subject.subject not in json.dumps(fran_sees.paragraphs, default=str)


def _notes_world(desk: Desk) -> int:
    rita = desk.who("rita")
    with desk.open() as archive:
        number = archive.create_collection("Noted", principal=rita)
        archive.add_to_collection(number, [SECRET_ID, PLAIN_ID], principal=rita)
        archive.share_collection(number, "fran", "view", principal=rita)
        archive.add_note(PLAIN_ID, "phantom jets sale", principal=rita, collection_id=number)
        archive.add_note(SECRET_ID, "maliki tehran visit", principal=rita, paragraph="p2",
                         collection_id=number)  # fmt: skip
        archive.add_note(SECRET_ID, "private hunch about tehran", principal=rita)
        archive.add_note(SECRET_ID, "whole cable remark", principal=rita, collection_id=number)
        archive.add_note(PLAIN_ID, "eddie's own", principal=desk.who("eddie"))
    return number


def brute_force_note_hits(folder: Path, principal: Principal, words: list[str]) -> set[str]:
    """The cables with a note the principal may read holding `words` in order, read
    straight from the tables (not through the product's access code)."""
    connection = sqlite3.connect(folder / "archive.db")
    name = principal.name
    mine = {
        row[0]
        for row in connection.execute(
            "SELECT id FROM collections WHERE owner = ? UNION "
            "SELECT collection_id FROM collection_shares WHERE account = ?",
            (name, name),
        )
    }
    hits = set()
    for author, reference_id, _paragraph, collection_id, text in connection.execute(
        "SELECT author, reference_id, paragraph, collection_id, text FROM notes"
    ):
        if author != name and collection_id not in mine:
            continue
        # A foreign CONFIDENTIAL reader reads nothing of the SECRET//NOFORN cable but
        # what the viewer leaves of it: no note on one of its paragraphs, nor on the
        # whole of it (a note counts at the level of what it is written on).
        if principal.foreign and reference_id == SECRET_ID:
            continue
        found = re.findall(r"[^\W_]+", text.lower())
        if any(found[i : i + len(words)] == words for i in range(len(found))):
            hits.add(reference_id)
    connection.close()
    return hits


def test_note_search_finds_only_notes_the_reader_may_read(desk: Desk) -> None:
    _notes_world(desk)
    queries = ["phantom", "tehran", "maliki", "hunch", "own", "jets sale", "remark", "nothing"]
    with desk.open() as archive:
        for name in ("rita", "fran", "eddie", "ada"):
            principal = desk.who(name)
            viewer = archive.viewer(principal)
            for words in queries:
                q = f'note:"{words}"' if " " in words else f"note:{words}"
                found = set(archive.matching_ids(q, viewer=viewer))
                expected = brute_force_note_hits(desk.folder, principal, words.split())
                assert found == expected, (name, q)
        # Visitors have no notes.
        public = archive.public_viewer()
        assert list(archive.matching_ids("note:phantom", viewer=public)) == []
        rita = archive.viewer(desk.who("rita"))
        assert set(archive.matching_ids("note:phan*", viewer=rita)) >= {PLAIN_ID}
        assert archive.search("note:phantom AND iran", viewer=rita).total == 1


def test_note_finds_the_same_cables_in_every_view_of_a_search(desk: Desk) -> None:
    """`note:` (like every field that needs more than the index) means the same in the
    desk's search, its timeline and map, exports, a batch search and a saved search's
    news: before the facade made these lookups in one place, the map, batch searches and
    alerts quietly found nothing for `note:`."""
    _notes_world(desk)
    with desk.open() as archive:
        viewer = archive.viewer(desk.who("rita"))
        for q in ("note:phantom", "note:tehran", "note:tehran OR iran", "note:nothing"):
            ids = set(archive.matching_ids(q, viewer=viewer))
            assert archive.search(q, viewer=viewer).total == len(ids), q
            assert sum(m.total for m in archive.timeline(q, viewer=viewer)) == len(ids), q
            assert sum(n for _, n in archive.origin_counts(q, viewer=viewer)) == len(ids), q
            (row,) = archive.batch_search(batch.read_lines(q), viewer=viewer, variants=False)
            assert (row.error, row.count) == (None, len(ids)), q
            # A saved search's news: every matching cable arrived after change 0.
            news, _ = archive._new_matches(q, viewer, 0)
            assert set(news) == ids, q
        assert archive.search("note:tehran", viewer=viewer).total >= 1


def test_notes_on_withheld_paragraphs_never_appear(desk: Desk) -> None:
    number = _notes_world(desk)
    with desk.open() as archive:
        fran = desk.who("fran")
        assert archive.notes(SECRET_ID, principal=fran) == []
        assert "whole cable remark" in [
            n.text for n in archive.notes(SECRET_ID, principal=desk.who("rita"))
        ]
        shelf = archive.collection(number, principal=fran)
        assert not any("maliki" in n.text for e in shelf.entries for n in e.notes)
        assert not any("hunch" in n.text for e in shelf.entries for n in e.notes)  # private
        with pytest.raises(NotAllowed):
            archive.add_note(SECRET_ID, "x", principal=fran, paragraph="p2")
        with pytest.raises(NotAllowed):
            archive.add_note(PLAIN_ID, "x", principal=fran, collection_id=number)
        with pytest.raises(WorkspaceError):
            archive.add_note(PLAIN_ID, "x", principal=fran, paragraph="p99")


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_redacted_name_never_reaches_a_reader_through_the_workspace(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """For a name drawn from a shared collection's cables and written into its title,
    description and notes: once redacted, the reader (and the public edition) never
    meets it in the collection, its export, the notes, a note search or its page."""
    folder = build_web_archive(tmp_path_factory.mktemp("workspace-leak"))
    clock = Clock()
    add_people(folder, clock)
    with Archive.open(folder, create=False) as archive:
        ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
        chosen = data.draw(
            st.lists(st.sampled_from(sorted(ids)), min_size=1, max_size=4, unique=True)
        )
        texts = " ".join(
            p.text
            for i in chosen
            for p in (archive.get(i, viewer=archive.viewer(LOCAL)) or _none()).paragraphs
        )
        # Not a word the product prints itself (a TAG's meaning: `Islamic affairs`).
        printed = _product_words()
        names = sorted(
            {n for n in re.findall(r"\b[A-Z][a-z]{4,}\b", texts) if n.lower() not in printed}
        )
        if not names:
            return
        name = data.draw(st.sampled_from(names))
        eddie = Accounts(archive).principal("eddie")
        rita = Accounts(archive).principal("rita")
        assert eddie is not None and rita is not None
        number = archive.create_collection(
            f"About {name}", f"Where {name} appears", principal=eddie
        )
        archive.add_to_collection(number, chosen, principal=eddie)
        archive.share_collection(number, "rita", "view", principal=eddie)
        for reference_id in chosen:
            archive.add_note(reference_id, f"{name} again", principal=eddie, collection_id=number)
        archive.redact(Rule(kind="name", text=name, reason="leak test"))
        archive.approve(chosen)
        archive.publish_collection(number, principal=eddie)
        shelf = archive.collection(number, principal=rita)
        seen = [shelf.collection.title, shelf.collection.description]
        for entry in shelf.entries:
            assert entry.cable is not None
            seen += [entry.cable.subject or "", entry.cable.text] + [n.text for n in entry.notes]
        seen += [n.text for n in archive.all_notes(principal=rita)]
        assert not any(leaks(s, name) for s in seen), name
        assert list(archive.matching_ids(f"note:{name}", viewer=archive.viewer(rita))) == []
        site = folder.parent / "site"
        build_site(archive, site)
    app = create_app(folder, clock=clock)
    with TestClient(app) as client:
        sign_in(client, "rita")
        for path in (f"/collections/{number}", "/collections", f"/cable/{chosen[0]}"):
            assert not leaks(client.get(path).text, name), path
        for fmt in ("csv", "jsonl"):
            exported = client.get(f"/api/collections/{number}/export?format={fmt}&text=true")
            assert exported.status_code == 200
            assert not leaks(exported.text, name)
    page = (site / "collection" / f"{number}.html").read_text(encoding="utf-8")
    assert "About" in page and not leaks(page, name)


def _none() -> object:
    raise AssertionError("a cable of the archive")


# The desk and the API ----------------------------------------------------------------


@pytest.fixture(scope="module")
def client(desk: Desk) -> Iterator[TestClient]:
    app = create_app(desk.folder, clock=desk.clock)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_collections_on_the_desk(desk: Desk, client: TestClient) -> None:
    assert sign_in(client, "rita").status_code == 303
    page = client.get("/collections")
    assert page.status_code == 200
    token = csrf_of(page.text)
    made = client.post("/collections", data={"title": "Desk story", "csrf_token": token})
    assert made.status_code == 303
    target = made.headers["location"]
    number = int(target.rsplit("/", 1)[1])
    # Without the token nothing happens.
    refused = client.post(f"/collections/{number}/add", data={"ids": PLAIN_ID})
    assert refused.status_code == 403 and "CSRF" in refused.text
    # From the search page: the ticked hits (every `ids` value), then all matches.
    added = client.post(
        "/collections/add",
        data={"collection_id": str(number), "ids": [PLAIN_ID, SECRET_ID], "csrf_token": token},
    )
    assert added.status_code == 303, added.text
    search = client.get("/search", params={"q": "iran"})
    assert 'id="collect-form"' in search.text and 'name="ids"' in search.text
    every = client.post(
        "/collections/add",
        data={"collection_id": str(number), "q": "iran", "all": "1", "csrf_token": token},
    )
    assert every.status_code == 303
    shown = client.get(target)
    assert shown.status_code == 200 and PLAIN_ID in shown.text and "Desk story" in shown.text
    # A note on paragraph 1 of a cable, shown beside that paragraph.
    cable = client.get(f"/cable/{PLAIN_ID}")
    assert 'id="add-to-collection"' in cable.text
    noted = client.post(
        "/notes",
        data={
            "reference_id": PLAIN_ID,
            "paragraph": "p1",
            "text": "look at the delivery dates",
            "collection_id": str(number),
            "csrf_token": token,
        },
    )
    assert noted.status_code == 303 and noted.headers["location"].endswith("#p1")
    cable = client.get(f"/cable/{PLAIN_ID}").text
    paragraph = cable.split('id="p1"', 1)[1].split('class="para"', 1)[0]
    assert "look at the delivery dates" in paragraph
    exported = client.get(f"/api/collections/{number}/export?format=csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["reference_id"] == PLAIN_ID and rows[0]["position"] == "1"
    assert "look at the delivery dates" in rows[0]["notes"]
    parquet = client.get(f"/api/collections/{number}/export?format=parquet")
    assert parquet.status_code == 200 and parquet.content[:4] == b"PAR1"
    # Someone else's collection: 404, as one that does not exist.
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "fran")
    assert client.get(target).status_code == 404
    assert client.get("/collections/999999").status_code == 404
    assert client.get(f"/api/collections/{number}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/collections").text)})


def test_the_api_with_a_token(desk: Desk, client: TestClient) -> None:
    with desk.open() as archive:
        _, secret = Accounts(archive).create_token("notebook", "rita")
    headers = {"authorization": f"Bearer {secret}"}
    made = client.post("/api/collections", json={"title": "API story"}, headers=headers)
    assert made.status_code == 201, made.text
    validate(made.json(), "Collection")
    number = made.json()["id"]
    added = client.post(
        f"/api/collections/{number}/cables", json={"ids": [PLAIN_ID]}, headers=headers
    )
    assert added.status_code == 200 and added.json()["added"] == 1
    validate(added.json(), "Added")
    validate(client.get("/api/collections", headers=headers).json(), "Collections")
    validate(client.get(f"/api/collections/{number}", headers=headers).json(), "Collection")
    bad = client.post(f"/api/collections/{number}/cables", json={"q": "("}, headers=headers)
    assert bad.status_code == 400
    note = client.post(
        "/api/notes",
        json={"reference_id": PLAIN_ID, "text": "api note", "paragraph": "p1"},
        headers=headers,
    )
    assert note.status_code == 201 and note.json()["paragraph"] == "p1"
    validate(note.json(), "Note")
    listed = client.get("/api/notes", params={"reference_id": PLAIN_ID}, headers=headers)
    assert "api note" in [n["text"] for n in listed.json()["notes"]]
    validate(listed.json(), "Notes")
    shared = client.post(
        f"/api/collections/{number}",
        json={"share": {"account": "fran", "access": "view"}},
        headers=headers,
    )
    assert shared.json()["shares"] == [{"account": "fran", "access": "view"}]
    removed = client.delete(f"/api/collections/{number}/cables/{PLAIN_ID}", headers=headers)
    assert removed.json() == {"removed": True}
    validate(removed.json(), "Removed")
    error = client.get("/api/collections/99999", headers=headers)
    assert error.status_code == 404
    validate(error.json(), "Error")
    app = create_app(desk.folder, clock=desk.clock)
    with TestClient(app) as visitor:
        assert visitor.get("/api/collections").status_code == 401
        assert visitor.post("/api/collections", json={"title": "x"}).status_code == 401
    spec = client.get("/api/openapi.json", headers=headers).json()
    assert "/api/collections/{collection_id}/export" in spec["paths"]


def test_the_command_line(desk: Desk) -> None:
    runner = CliRunner()
    db = ["--db", str(desk.folder)]
    made = runner.invoke(cli, ["collection", "create", "CLI story", *db])
    assert made.exit_code == 0, made.output
    number = made.output.strip()
    assert (
        runner.invoke(cli, ["collection", "add", number, PLAIN_ID, SECRET_ID, *db]).exit_code == 0
    )
    noted = runner.invoke(
        cli, ["note", "add", PLAIN_ID, "cli note", "--paragraph", "p1", "--collection", number, *db]
    )
    assert noted.exit_code == 0, noted.output
    assert runner.invoke(cli, ["collection", "share", number, "fran", *db]).exit_code == 0
    shown = runner.invoke(
        cli, ["collection", "show", number, "--account", "fran", "--output", "json", *db]
    )
    answer = json.loads(shown.output)
    secret = next(e for e in answer["entries"] if e["reference_id"] == SECRET_ID)
    assert secret["subject"].startswith("[subject withheld")
    listed = runner.invoke(cli, ["collection", "list", "--account", "fran", *db])
    assert "CLI story" in listed.output
    exported = runner.invoke(cli, ["collection", "export", number, "--format", "jsonl", *db])
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert [r["reference_id"] for r in rows] == [PLAIN_ID, SECRET_ID]
    assert "cli note" in rows[0]["notes"]
    notes = runner.invoke(cli, ["note", "list", PLAIN_ID, "--account", "fran", *db])
    assert "cli note" in notes.output
    refused = runner.invoke(cli, ["collection", "publish", number, "--account", "fran", *db])
    assert refused.exit_code != 0
    assert runner.invoke(cli, ["collection", "publish", number, *db]).exit_code == 0


# Every workspace route for every kind of visitor ---------------------------------------


def _workspace_templates(app: object) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if path.startswith(("/collections", "/notes", "/api/collections", "/api/notes")):
            found |= {(m, path) for m in (route.methods or {"GET"}) - {"HEAD"}}
    return found


def test_every_workspace_route_for_every_kind_of_visitor(desk: Desk) -> None:
    """The owner, a collaborator who may only read, a signed-in stranger, the owner's API
    token and a visitor, on every workspace route (read from the app, so a new route
    must be added here): each gets what docs/workspace.md says, never a 500."""
    rita = desk.who("rita")
    with desk.open() as archive:
        number = archive.create_collection("Access matrix", principal=rita)
        archive.add_to_collection(number, [PLAIN_ID], principal=rita)
        archive.share_collection(number, "fran", "view", principal=rita)
        shared_note = archive.add_note(
            PLAIN_ID, "matrix shared note", principal=rita, collection_id=number
        )
        _, secret = Accounts(archive).create_token("matrix", "rita")
    app = create_app(desk.folder, clock=desk.clock)
    n = str(number)
    # The routes that delete: the owner and the owner's token each delete a collection and
    # a note of their own (shared with the read-only collaborator, as `number` is); the
    # collaborator and the stranger try on `number` and `shared_note`.
    victims: dict[tuple[str, str, str], str] = {}
    with desk.open() as archive:
        for who in ("owner", "token"):
            for method, template in (
                ("POST", "/collections/{collection_id}/delete"),
                ("DELETE", "/api/collections/{collection_id}"),
            ):
                doomed = archive.create_collection("Doomed", principal=rita)
                archive.share_collection(doomed, "fran", "view", principal=rita)
                victims[who, method, template] = str(doomed)
            for method, template in (
                ("POST", "/notes/{note_id}/delete"),
                ("DELETE", "/api/notes/{note_id}"),
            ):
                doomed_note = archive.add_note(
                    PLAIN_ID, "doomed note", principal=rita, collection_id=number
                )
                victims[who, method, template] = str(doomed_note)

    def path_for(who: str, method: str, template: str) -> str:
        victim = victims.get((who, method, template))
        collection = victim if victim and "{collection_id}" in template else n
        note = victim if victim and "{note_id}" in template else str(shared_note)
        return (
            template.replace("{collection_id}", collection)
            .replace("{reference_id}", SECRET_ID)
            .replace("{note_id}", note)
        )

    # (method, route, form or JSON body); the path fills in this collection and a cable.
    plan: list[tuple[str, str, dict[str, object]]] = [
        ("GET", "/collections", {}),
        ("POST", "/collections", {"title": "made in the matrix"}),
        ("POST", "/collections/add", {"collection_id": n, "ids": SECRET_ID}),
        ("GET", "/collections/{collection_id}", {}),
        ("POST", "/collections/{collection_id}/add", {"ids": SECRET_ID}),
        ("POST", "/collections/{collection_id}/remove", {"reference_id": SECRET_ID}),
        ("POST", "/collections/{collection_id}/move", {"reference_id": PLAIN_ID, "position": "0"}),
        ("POST", "/collections/{collection_id}/share", {"account": "fran", "access": "view"}),
        ("POST", "/collections/{collection_id}/publish", {"action": "publish"}),
        ("POST", "/collections/{collection_id}/describe", {"title": "Access matrix"}),
        ("POST", "/collections/{collection_id}/delete", {"confirm": "yes"}),
        ("POST", "/notes", {"reference_id": PLAIN_ID, "text": "matrix note", "collection_id": n}),
        ("POST", "/notes/{note_id}/edit", {"text": "matrix shared note, edited"}),
        ("POST", "/notes/{note_id}/delete", {}),
        ("GET", "/api/collections", {}),
        ("POST", "/api/collections", {"title": "api matrix"}),
        ("GET", "/api/collections/{collection_id}", {}),
        ("POST", "/api/collections/{collection_id}", {"description": "d"}),
        ("DELETE", "/api/collections/{collection_id}", {}),
        ("POST", "/api/collections/{collection_id}/cables", {"ids": [SECRET_ID]}),
        ("DELETE", "/api/collections/{collection_id}/cables/{reference_id}", {}),
        ("GET", "/api/collections/{collection_id}/export", {}),
        ("GET", "/api/notes", {}),
        (
            "POST",
            "/api/notes",
            {"reference_id": PLAIN_ID, "text": "api matrix note", "collection_id": number},
        ),
        ("POST", "/api/notes/{note_id}", {"text": "matrix shared note, edited by api"}),
        ("DELETE", "/api/notes/{note_id}", {}),
    ]
    calls = [
        (method, template, body, template.startswith("/api")) for method, template, body in plan
    ]
    assert {(m, t) for m, t, *_ in calls} == _workspace_templates(app)
    # What the owner's collection routes answer, by who asks: the owner may do all but
    # publish (a reader); the collaborator may read and may not change (403); a stranger
    # is told it does not exist (404). Routes not about this collection: all may use.
    own = {"/collections/{collection_id}", "/api/collections/{collection_id}"}
    reading = {("GET", t) for t in own} | {("GET", "/api/collections/{collection_id}/export")}

    def expected(who: str, method: str, template: str) -> set[int]:
        about = (
            "{collection_id}" in template
            or "{note_id}" in template
            or template == "/collections/add"
            or (method == "POST" and template in ("/notes", "/api/notes"))
        )
        if not about:
            return {200, 201, 303}
        if who in ("owner", "token"):
            return {403} if template.endswith("/publish") else {200, 201, 303}
        if who == "viewer":
            return {200} if (method, template) in reading else {403}
        return {404}

    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as base:
        assert base.get("/").status_code == 200
        people: dict[str, TestClient] = {}
        for who, name in (("owner", "rita"), ("viewer", "fran"), ("stranger", "eddie")):
            client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
            assert sign_in(client, name).status_code == 303
            people[who] = client
        token = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
        token.headers["authorization"] = f"Bearer {secret}"
        people["token"] = token
        people["anonymous"] = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
        for who, client in people.items():
            csrf = "" if who in ("token", "anonymous") else csrf_of(client.get("/collections").text)
            for method, template, body, api in calls:
                path = path_for(who, method, template)
                where = f"{who}: {method} {path}"
                if method == "GET":
                    answer = client.get(path)
                elif api:
                    answer = client.request(
                        method, path, json=body or None, headers={"x-csrf-token": csrf}
                    )
                else:
                    answer = client.request(method, path, data={**body, "csrf_token": csrf})
                assert answer.status_code < 500, where
                if who == "anonymous":
                    assert answer.status_code == (401 if api else 303), where
                    if not api:
                        assert answer.headers["location"].startswith("/login?next="), where
                    assert "Access matrix" not in answer.text
                    continue
                assert answer.status_code in expected(who, method, template), (
                    where,
                    answer.status_code,
                    answer.text[:300],
                )
                if who == "stranger":
                    assert "Access matrix" not in answer.text, where
                if method == "POST" and not api and who != "token":
                    # Without the form token: refused before anything is done.
                    refused = client.post(path, data=body)
                    assert refused.status_code == 403 and "CSRF" in refused.text, where
    # The owner's deletions were done; what the others tried on is still there.
    with desk.open() as archive:
        for (_, _, template), victim in victims.items():
            if "{collection_id}" in template:
                with pytest.raises(NotFound):
                    archive.collection(int(victim), principal=rita)
            else:
                assert int(victim) not in [x.id for x in archive.all_notes(principal=rita)]
        archive.collection(number, principal=rita)
        assert shared_note in [x.id for x in archive.all_notes(principal=rita)]


def test_a_published_collection_is_a_page_of_the_edition_with_its_cables_only(
    tmp_path: Path,
) -> None:
    folder = build_web_archive(tmp_path)
    with Archive.open(folder, create=False) as archive:
        number = archive.create_collection(
            "Tehran, 1972", "what the edition holds", principal=LOCAL
        )
        archive.add_to_collection(number, [SECRET_ID, PLAIN_ID], principal=LOCAL)
        hidden = archive.create_collection("Not for the public", principal=LOCAL)
        archive.add_to_collection(hidden, [PLAIN_ID], principal=LOCAL)
        archive.approve([PLAIN_ID])
        archive.publish_collection(number, principal=LOCAL)
        build_site(archive, tmp_path / "site")
    site = tmp_path / "site"
    page = (site / "collection" / f"{number}.html").read_text(encoding="utf-8")
    assert "Tehran, 1972" in page and "what the edition holds" in page
    assert PLAIN_ID in page
    # Not in the edition: left out without a trace.
    assert SECRET_ID not in page and "withheld" not in page
    assert not (site / "collection" / f"{hidden}.html").exists()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="collection/{number}.html"' in index and "Not for the public" not in index


def test_a_confidential_collaborator_never_meets_secret_text(tmp_path: Path) -> None:
    """Every cable in a collection shared with a CONFIDENTIAL reader, with notes quoting
    each SECRET paragraph (on the paragraph, and on the whole cable): no word only SECRET
    text holds reaches them in the collection, its export with the text, the notes, a
    note search or the pages."""
    from test_leaks import _strings, _words_by_level, product_words

    folder = build_web_archive(tmp_path)
    clock = Clock()
    add_people(folder, clock)
    with Archive.open(folder, create=False) as archive:
        accounts = Accounts(archive)
        accounts.add("cora", "correct horse battery", "reader", "CONFIDENTIAL", False)
        ada, cora = accounts.principal("ada"), accounts.principal("cora")
        assert ada is not None and cora is not None
        secret_only, _ = _words_by_level(archive)
        assert len(secret_only) > 20
        ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
        number = archive.create_collection("Everything", principal=ada)
        archive.add_to_collection(number, ids, principal=ada)
        archive.share_collection(number, "cora", "view", principal=ada)
        quoted = 0
        for reference_id in ids:
            cable = archive.get(reference_id, viewer=archive.viewer(ada))
            assert cable is not None
            anchors = [a for a in _anchors(cable)]
            for anchor, paragraph in zip(anchors, cable.paragraphs, strict=True):
                words = {w.lower() for w in re.findall(r"[^\W_]+", paragraph.text)}
                if words & secret_only:
                    for where in (anchor, None):
                        archive.add_note(
                            reference_id,
                            paragraph.text[:2000],
                            principal=ada,
                            paragraph=where,
                            collection_id=number,
                        )
                    quoted += 1
        assert quoted > 5
        shelf = archive.collection(number, principal=cora)
        seen = [shelf.collection.title] + [
            json.dumps([n.text for n in e.notes]) + (e.cable.text if e.cable else "")
            for e in shelf.entries
        ]
        seen += [n.text for n in archive.all_notes(principal=cora)]
        words = {w.lower() for w in re.findall(r"[^\W_]+", " ".join(seen))}
        assert not (words & secret_only), sorted(words & secret_only)[:10]
        for word in sorted(secret_only)[:60]:
            assert list(archive.matching_ids(f"note:{word}", viewer=archive.viewer(cora))) == []
    printed = product_words()
    with TestClient(create_app(folder, clock=clock)) as client:
        sign_in(client, "cora")
        for path in (
            f"/collections/{number}",
            f"/api/collections/{number}",
            f"/api/collections/{number}/export?format=jsonl&text=true",
            f"/api/collections/{number}/export?format=csv&text=true",
            "/api/notes",
        ):
            answer = client.get(path)
            assert answer.status_code == 200, path
            text = (
                answer.text
                if "export" in path or "/api" not in path
                else " ".join(_strings(answer.json()))
            )
            words = {w.lower() for w in re.findall(r"[^\W_]+", text)}
            assert not (words & secret_only - printed), (path, sorted(words & secret_only)[:10])
        for reference_id in ids[:25]:
            page = client.get(f"/cable/{reference_id}").text
            words = {w.lower() for w in re.findall(r"[^\W_]+", page)}
            assert not (words & secret_only - printed), reference_id


def _anchors(cable: object) -> list[str]:
    from cabledesk.presentation.present import paragraph_anchors

    return paragraph_anchors([p.number for p in cable.paragraphs])  # type: ignore[attr-defined]
