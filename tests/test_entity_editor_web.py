"""Entity curation on the web desk (issue 12): the editor panel of an entity's page
(rename, re-type, delete, merge, split, aliases) and the entity register's page with its
undo buttons (`/editor/entities`).

Every decision goes through the web as an editor and its result is read back from the
pages; every form needs the session's CSRF token; readers, token readers and the public
never see the forms and are refused by every route; a bad form is one line on the page,
never a 500 (the clients raise server exceptions). The test data is the bundled sample,
ingested and enriched; the entities acted on are chosen from it, never written down as
the extractor's names of the day, and every count expected is read before the decision.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import cabledesk
from access_fixtures import PASSWORD, Clock, add_people, csrf_of, sign_in
from cabledesk.access import Accounts, audit
from cabledesk.access.principal import Principal
from cabledesk.archive import entity_register
from cabledesk.archive.entity_register import EntityRegisterError
from cabledesk.entities.model import EntityCount
from cabledesk.record.level import Level
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer
from cabledesk.web import create_app
from conftest import SAMPLE

EVERYTHING = Viewer()
LOW_EDITOR = "cleo"  # an editor whose ceiling is CONFIDENTIAL
ACTIONS = ("rename", "retype", "delete", "merge", "split", "alias", "alias/remove")
ERROR_LINE = re.compile(r'<p id="editor-error">([^<]*)</p>')


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entity-editor") / "archive"
    with cabledesk.Archive.open(folder) as archive:
        assert archive.ingest([SAMPLE], workers=1).failed == 0
        assert archive.enrich(workers=0).mentions > 500
    return folder


@pytest.fixture
def bare(enriched: Path, tmp_path: Path) -> Path:
    """A copy without accounts: the local desk."""
    target = tmp_path / "bare"
    shutil.copytree(enriched, target)
    return target


@pytest.fixture
def folder(enriched: Path, tmp_path: Path) -> Path:
    """A copy with the people of access_fixtures and a low-ceiling editor."""
    target = tmp_path / "archive"
    shutil.copytree(enriched, target)
    clock = Clock()
    add_people(target, clock)
    with cabledesk.Archive.open(target, create=False) as archive:
        Accounts(archive, clock=clock).add(LOW_EDITOR, PASSWORD, "editor", "CONFIDENTIAL", False)
    return target


@contextmanager
def desk(folder: Path, who: str | None = None) -> Iterator[TestClient]:
    with TestClient(
        create_app(folder, clock=Clock()), follow_redirects=False, raise_server_exceptions=True
    ) as client:
        if who is not None:
            assert sign_in(client, who).status_code == 303
        yield client


def token_of(client: TestClient) -> str:
    """The session's CSRF token: from the register page (editors), the sign-out form
    (anyone signed in) or the sign-in form (visitors)."""
    for path in ("/editor/entities", "/search", "/login"):
        page = client.get(path)
        if page.status_code == 200 and 'name="csrf_token"' in page.text:
            return csrf_of(page.text)
    raise AssertionError("no page of the desk gave this client a CSRF token")


def post(client: TestClient, path: str, **data: str) -> Any:
    return client.post(path, data={"csrf_token": token_of(client), **data})


def decide(client: TestClient, entity_id: int, action: str, **data: str) -> Any:
    return post(client, f"/editor/entities/{entity_id}/{action}", **data)


def notice_of(answer: Any) -> str:
    """The page a successful decision redirects to, and that page's notice."""
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def error_of(answer: Any) -> str:
    found = ERROR_LINE.findall(answer.text)
    assert len(found) == 1, answer.text[:2000]
    return html.unescape(found[0])


def h1(page: str) -> str:
    found = re.search(r"<h1>([^<]*)</h1>", page)
    assert found, page[:1000]
    return html.unescape(found.group(1))


def mention_count(page: str) -> int:
    found = re.search(r'<span id="mention-count">([\d,]+)</span>', page)
    assert found, page[:1000]
    return int(found.group(1).replace(",", ""))


def register_rows(folder: Path) -> list[dict[str, object]]:
    with cabledesk.Archive.open(folder, create=False) as archive:
        return archive.entity_history(viewer=EVERYTHING)


def unique_names(archive: cabledesk.Archive, kind: str) -> list[EntityCount]:
    """The entities of this kind, most mentioned first, whose name finds them and only them
    where an editor types a name."""
    out = []
    for e in archive.entities(viewer=EVERYTHING, kind=kind, limit=200):
        try:
            found, _ = entity_register.lookup(archive.connection, e.name)
        except EntityRegisterError:
            continue
        if found.id == e.id:
            out.append(e)
    return out


def several_cables(archive: cabledesk.Archive) -> EntityCount:
    return next(e for e in unique_names(archive, "person") if e.cables >= 2)


# --- the panel: editors only ----------------------------------------------------------------


def test_the_panel_is_for_editors_admins_and_the_local_desk_only(bare: Path, folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = archive.entities(viewer=EVERYTHING, kind="place", limit=1)[0]
        published = archive.entity(entity.id, viewer=EVERYTHING)
        assert published is not None
        archive.approve(published.cables[:1])
        archive.record_edition(None, "test")
        _, secret = Accounts(archive, clock=Clock()).create_token("script", "rita")
    page = f"/entities/{entity.id}"
    form = f'action="/editor/entities/{entity.id}/rename"'
    with desk(bare) as local:
        assert form in local.get(page).text
        assert local.get("/editor/entities").status_code == 200
    for who in ("eddie", "ada"):
        with desk(folder, who) as editor:
            shown = editor.get(page)
            assert shown.status_code == 200 and form in shown.text
            for action in ACTIONS[:-1]:
                assert f'action="/editor/entities/{entity.id}/{action}"' in shown.text
            assert shown.text.count('name="csrf_token"') >= len(ACTIONS)
    with desk(folder, "rita") as reader, desk(folder) as visitor, desk(folder) as script:
        script.headers["authorization"] = f"Bearer {secret}"
        for client in (reader, visitor, script):
            shown = client.get(f"{page}?notice=Entity+decision+99")
            # The public sees it too, from the edition: the page, without the panel.
            assert shown.status_code == 200
            assert "editor-panel" not in shown.text and "/editor/entities" not in shown.text
            assert "Entity decision 99" not in shown.text


# --- every action, through the web ---------------------------------------------------------


def test_rename_and_retype_show_on_the_page_and_in_the_audit(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = unique_names(archive, "place")[0]
    with desk(folder, "eddie") as editor:
        answer = decide(editor, entity.id, "rename", name="  A  Better  Name ", reason="spelling")
        assert notice_of(answer).startswith(f"/entities/{entity.id}?notice=Entity%20decision%201")
        page = editor.get(answer.headers["location"])
        assert h1(page.text) == "A Better Name"
        assert "Entity decision 1: renamed" in html.unescape(page.text)
        answer = decide(editor, entity.id, "retype", kind="org", reason="an office")
        page = editor.get(notice_of(answer)).text
        assert re.search(r"Entities</a> · org</p>", page), page[:1000]
        # What readers get changes too: the facade decided, not the page.
        api = editor.get(f"/api/entities/{entity.id}").json()
        assert (api["name"], api["kind"]) == ("A Better Name", "org")
    rows = register_rows(folder)
    assert [(r["action"], r["account"], r["reason"]) for r in rows] == [
        ("rename", "eddie", "spelling"),
        ("retype", "eddie", "an office"),
    ]
    with cabledesk.Archive.open(folder, create=False) as archive:
        events = audit.read(archive, kind="entity_decision")
    assert sorted((e.account, e.detail["version"]) for e in events) == [("eddie", 1), ("eddie", 2)]


def test_merge_by_name_and_by_id_counts_everything_under_the_target(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        target, source, third = unique_names(archive, "person")[:3]
    with desk(folder, "eddie") as editor:
        answer = decide(editor, source.id, "merge", into=target.name, reason="the same man")
        assert notice_of(answer).startswith(f"/entities/{target.id}?")
        page = editor.get(f"/entities/{target.id}").text
        assert mention_count(page) == target.mentions + source.mentions
        # The old id answers with the entity it joined.
        assert h1(editor.get(f"/entities/{source.id}").text) == target.name
        answer = decide(editor, third.id, "merge", into=str(target.id), reason="him again")
        assert notice_of(answer).startswith(f"/entities/{target.id}?")
        total = target.mentions + source.mentions + third.mentions
        assert mention_count(editor.get(f"/entities/{target.id}").text) == total
        # The merge shows in the panel's decisions of the target.
        assert editor.get(f"/entities/{target.id}").text.count("merge by eddie") == 2


def test_split_by_cable_and_by_surface_moves_those_mentions(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = several_cables(archive)
        page = archive.entity(entity.id, viewer=EVERYTHING)
        assert page is not None
        moved_cable = page.cables[-1]
        surface, written = page.aliases[0]
    with desk(folder, "eddie") as editor:
        answer = decide(
            editor, entity.id, "split", name="Someone Else Entirely", cables=moved_cable.lower(),
            reason="a namesake in that cable",
        )  # fmt: skip
        assert notice_of(answer).startswith(f"/entities/{entity.id}?")
        after = editor.get(f"/entities/{entity.id}").text
        assert f'href="/cable/{moved_cable}"' not in after
        assert mention_count(after) < entity.mentions
    with cabledesk.Archive.open(folder, create=False) as archive:
        new = archive.find_entity("Someone Else Entirely", viewer=EVERYTHING)
        assert (new.cables, new.kind) == (1, entity.kind)
        assert new.mentions + mention_count(after) == entity.mentions
        rest = archive.entity(entity.id, viewer=EVERYTHING)
        assert rest is not None
        left = dict(rest.aliases)
    with desk(folder, "eddie") as editor:
        answer = decide(
            editor, entity.id, "split", name="Written So", surfaces=f"{surface}\n",
            kind="org", reason="that spelling is an office",
        )  # fmt: skip
        notice_of(answer)
    with cabledesk.Archive.open(folder, create=False) as archive:
        org = archive.find_entity("Written So", viewer=EVERYTHING)
        assert (org.kind, org.mentions) == ("org", left[surface])
        assert written >= left[surface] > 0


def test_an_alias_is_listed_on_the_page_and_its_removal_lifts_it(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity, other = unique_names(archive, "person")[:2]
        other_page = archive.entity(other.id, viewer=EVERYTHING)
        assert other_page is not None
        surface = other_page.aliases[0][0]
    with desk(folder, "eddie") as editor:
        notice_of(decide(editor, entity.id, "alias", surface=surface, reason="the same man"))
        page = editor.get(f"/entities/{entity.id}").text
        assert f'<input type="hidden" name="surface" value="{html.escape(surface)}">' in page
        assert mention_count(page) > entity.mentions
        again = decide(editor, entity.id, "alias", surface=surface, reason="twice")
        assert again.status_code == 400 and "already" in error_of(again)
        answer = decide(editor, entity.id, "alias/remove", surface=surface, reason="not him")
        page = editor.get(notice_of(answer)).text
        assert mention_count(page) == entity.mentions
        assert 'name="surface" value=' not in page
    assert [r["action"] for r in register_rows(folder)] == ["alias_add", "alias_remove"]


def test_delete_then_undo_and_undo_the_undo_from_the_register(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = archive.entities(viewer=EVERYTHING, kind="org", limit=1)[0]
    with desk(folder, "eddie") as editor:
        answer = decide(editor, entity.id, "delete", reason="not an entity")
        assert notice_of(answer).startswith("/editor/entities?notice=Entity%20decision%201")
        assert editor.get(f"/entities/{entity.id}").status_code == 404
        register = editor.get(answer.headers["location"]).text
        assert 'action="/editor/entities/undo/1"' in register
        assert "not an entity" in register and "eddie" in register
        notice_of(post(editor, "/editor/entities/undo/1", reason="it is one"))
        assert mention_count(editor.get(f"/entities/{entity.id}").text) == entity.mentions
        register = editor.get("/editor/entities").text
        assert 'action="/editor/entities/undo/1"' not in register  # lifted
        assert "Undo (restore)" in register
        notice_of(post(editor, "/editor/entities/undo/2", reason="it is not, after all"))
        assert editor.get(f"/entities/{entity.id}").status_code == 404
    assert [(r["action"], r["in_force"]) for r in register_rows(folder)] == [
        ("delete", True),
        ("undo", False),
        ("undo", True),
    ]


# --- bad input: one line on the page -----------------------------------------------------------


def test_bad_forms_are_one_line_on_the_page_and_change_nothing(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = several_cables(archive)
    with desk(folder, "eddie") as editor:
        cases: list[tuple[str, dict[str, str], str]] = [
            ("rename", {"name": "X", "reason": "  "}, "reason: every entity decision needs"),
            ("rename", {"name": "...", "reason": "r"}, "name: expected a name"),
            ("rename", {"name": "n" * 201, "reason": "r"}, "name: at most 200 characters"),
            ("retype", {"kind": "planet", "reason": "r"}, "kind: expected one of"),
            ("merge", {"into": "", "reason": "r"}, "into: give the number or the name"),
            ("merge", {"into": "Nobody Ever Named", "reason": "r"}, "no entity named"),
            ("merge", {"into": "99999999", "reason": "r"}, "no entity 99999999"),
            ("merge", {"into": str(entity.id), "reason": "r"}, "are one entity already"),
            ("split", {"name": "Y", "reason": "r"}, "split: give the cables"),
            (
                "split",
                {"name": "Y", "cables": "99NOWHERE1", "reason": "r"},
                "no cable 99NOWHERE1 in",
            ),
            ("split", {"name": entity.name, "cables": "x", "reason": "r"}, "no cable X"),
            ("alias", {"surface": "--", "reason": "r"}, "alias: expected a name"),
            ("alias/remove", {"surface": "Nobody", "reason": "r"}, "is not an alias"),
            ("delete", {"reason": ""}, "reason: every entity decision needs"),
        ]
        for action, data, expected in cases:
            answer = decide(editor, entity.id, action, form=action, **data)
            assert answer.status_code == 400, (action, data, answer.status_code)
            assert expected in error_of(answer), (action, data, error_of(answer))
            assert h1(answer.text) == entity.name  # the entity's page, panel open
        # What was typed comes back in its form.
        answer = decide(
            editor, entity.id, "merge", form="merge", into="Nobody Ever Named", reason="r"
        )
        assert 'name="into" required value="Nobody Ever Named"' in answer.text
        for missing in ("999999", "99999999999999999999"):
            answer = decide(editor, int(missing), "rename", name="Z", reason="r")
            assert answer.status_code == 404 and "nothing was changed" in answer.text
        undo = post(editor, "/editor/entities/undo/7", reason="r")
        assert undo.status_code == 400 and "there is none" in error_of(undo)
    assert register_rows(folder) == []


def test_every_form_needs_the_csrf_token(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = archive.entities(viewer=EVERYTHING, kind="org", limit=1)[0]
    with desk(folder, "eddie") as editor:
        editor.get("/editor/entities")  # the session has a token; the posts below do not carry it
        for action in ACTIONS:
            path = f"/editor/entities/{entity.id}/{action}"
            for data in ({"reason": "r", "name": "N"}, {"reason": "r", "csrf_token": "forged"}):
                answer = editor.post(path, data=data)
                assert answer.status_code == 403 and "CSRF" in answer.text, (path, data)
        assert editor.post("/editor/entities/undo/1", data={"reason": "r"}).status_code == 403
    assert register_rows(folder) == []


def test_readers_tokens_and_the_public_are_refused_everywhere(folder: Path) -> None:
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = archive.entities(viewer=EVERYTHING, kind="org", limit=1)[0]
        _, secret = Accounts(archive, clock=Clock()).create_token("script", "rita")
        # A rule burns the entity's name: readers no longer see it, editors still do.
        archive.redact(Rule(kind="name", text=entity.name, reason="source"), account="eddie")
    paths = [f"/editor/entities/{entity.id}/{a}" for a in ACTIONS] + ["/editor/entities/undo/1"]
    with desk(folder, "rita") as reader, desk(folder) as visitor, desk(folder) as script:
        script.headers["authorization"] = f"Bearer {secret}"
        assert reader.get(f"/entities/{entity.id}").status_code == 404
        for client, refused in ((reader, 403), (script, 403), (visitor, 303)):
            token = token_of(client) if client is not script else ""
            register = client.get("/editor/entities")
            assert register.status_code == refused
            for path in paths:
                answer = client.post(path, data={"csrf_token": token, "reason": "r", "name": "N"})
                assert answer.status_code == refused, (path, answer.status_code)
                if refused == 303:
                    assert answer.headers["location"].startswith("/login?next=")
                else:
                    assert "editor role" in answer.text
    assert register_rows(folder) == []
    with desk(folder, "eddie") as editor:
        assert "editor-panel" in editor.get(f"/entities/{entity.id}").text


def test_an_editor_below_the_ceiling_acts_only_on_what_they_may_see(folder: Path) -> None:
    low = Principal(name=LOW_EDITOR, role="editor", ceiling=Level.CONFIDENTIAL, foreign=False)
    with cabledesk.Archive.open(folder, create=False) as archive:
        viewer = archive.viewer(low)
        people = unique_names(archive, "person")
        hidden = next(e for e in people if archive.entity(e.id, viewer=viewer) is None)
        seen = next(e for e in people if archive.entity(e.id, viewer=viewer) is not None)
    with desk(folder, LOW_EDITOR) as editor:
        assert editor.get(f"/entities/{hidden.id}").status_code == 404
        answer = decide(editor, hidden.id, "rename", name="Z", reason="r")
        assert answer.status_code == 404
        # Into an entity beyond their ceiling, by name or by id: the same line as for a
        # name no entity has.
        lines = set()
        for into in (hidden.name, str(hidden.id), "Nobody Ever Named"):
            answer = decide(editor, seen.id, "merge", into=into, reason="r")
            assert answer.status_code == 400
            lines.add(error_of(answer).replace(into, "INTO"))
        assert lines == {"no entity 'INTO' among those you may see (give the number on its page)"}
        # The register is editors' reading all the same (it names what was decided).
        assert editor.get("/editor/entities").status_code == 200
        notice_of(decide(editor, seen.id, "rename", name="Seen By Cleo", reason="r"))
    assert [(r["action"], r["account"]) for r in register_rows(folder)] == [("rename", "cleo")]


def test_a_busy_index_writer_is_a_line_on_the_page_not_a_500(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ingest (here: another handle) holds the index writer past the change's wait.
    monkeypatch.setattr("cabledesk.archive.folder.CHANGE_WAIT", 0.2)
    with cabledesk.Archive.open(folder, create=False) as archive:
        entity = unique_names(archive, "place")[0]
    with cabledesk.Archive.open(folder, create=False) as other, desk(folder, "eddie") as editor:
        token = token_of(editor)
        with other.store.index.writing():
            answer = editor.post(
                f"/editor/entities/{entity.id}/rename",
                data={"csrf_token": token, "name": "Elsewhere", "reason": "r"},
            )
    assert answer.status_code == 400, answer.text[:500]
    assert "nothing was changed" in error_of(answer)
    assert h1(answer.text) == entity.name
    assert register_rows(folder) == []
