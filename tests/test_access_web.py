"""Who may see what on the web desk once accounts exist: every route (read from the app,
so a new route is covered the day it is added) for every kind of visitor, and the
sign-in, CSRF, session, lockout and audit rules around them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from access_fixtures import PASSWORD, Clock, add_people, csrf_of, sign_in
from cabledesk.access import Accounts, audit
from cabledesk.access.accounts import fingerprint
from cabledesk.facade import Archive
from cabledesk.web import create_app
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.auth.session import COOKIE
from web_fixtures import HOSTILE_ID, build_web_archive

# Sample values for path parameters; "nobody" keeps the admin forms from changing anyone.
PARAMETERS = {
    "reference_id": "08BAGHDAD1784",
    "by": "origin",
    "name": "nobody",
    "rule_id": "1",
    "entity_id": "1",
    "version": "1",
    "post": "BAGHDAD",
    "collection_id": "1",
    "search_id": "1",
    "note_id": "1",
}


# The reading routes: visitors may use them, and see only the published edition there
# (test_visitors_see_only_the_published_edition checks what they get).
READING = {
    "/",
    "/search",
    "/timeline",
    # The map of origins (issue 15): the reader's own counts; its outline holds no cable.
    "/map",
    "/map/world.svg",
    "/api/map",
    "/cable/{reference_id}",
    "/browse",
    "/browse/{by}",
    "/api",
    "/api/openapi.json",
    "/api/search",
    "/api/timeline",
    "/api/cables/{reference_id}",
    "/api/cables/{reference_id}/citing",
    "/api/stats",
    "/api/browse/{by}",
    "/entities",
    "/entities/{entity_id}",
    "/api/entities",
    "/api/entities/{entity_id}",
    "/api/cables/{reference_id}/mentions",
    "/api/export/entities",
    "/api/export/mentions",
    "/api/export/cables",
    "/api/graph",
    "/api/graph/cables/{reference_id}",
    "/api/graph/cables/{reference_id}/thread",
    "/api/graph/most-cited",
    "/api/graph/export",
    "/api/copies",
    "/api/cables/{reference_id}/copies",
    "/api/graph/cables/{reference_id}/neighbourhood",
    "/cable/{reference_id}/graph",
    "/cable/{reference_id}/thread",
    "/graph/most-cited",
    "/api/cables/{reference_id}/similar",
    "/entities/{entity_id}/network",
    "/network",
    "/api/entities/{entity_id}/network",
    "/api/network",
    "/edition",
    "/coverage",
    "/coverage/missing",
    "/coverage/posts/{post}",
    "/api/coverage",
    "/api/coverage/missing",
    "/api/coverage/posts/{post}",
}


def expected_minimum(template: str) -> str:
    """This test's own statement of the rules (not read from the code under test)."""
    if template in ("/login", "/logout", "/static") or template in READING:
        return "anyone"
    if template.startswith("/admin"):
        return "admin"
    if template.startswith("/editor") or template in EDITORS_API:
        return "editor"
    return "reader"


# The JSON answers that are editors' work (the review queue of docs/sensitivity.md).
EDITORS_API = {"/api/sensitivity/review"}


@dataclass(frozen=True)
class Call:
    template: str
    method: str
    path: str


def calls(app: Starlette) -> list[Call]:
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            found.append(Call(route.path, "GET", route.path + "/desk.css"))
            continue
        assert isinstance(route, Route)
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMETERS[m.group(1)], route.path)
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            found.append(Call(route.path, method, path))
    return found


@dataclass
class Desk:
    app: Starlette
    folder: Path
    clock: Clock
    ids: list[str]
    subjects: list[str]

    def client(self, https: bool = False) -> TestClient:
        base = "https://testserver" if https else "http://testserver"
        return TestClient(
            self.app, base_url=base, follow_redirects=False, raise_server_exceptions=False
        )

    def signed_in(self, name: str) -> TestClient:
        client = self.client()
        answer = sign_in(client, name)
        assert answer.status_code == 303, answer.text
        return client

    def accounts(self) -> Accounts:
        return Accounts(Archive.open(self.folder, create=False), clock=self.clock)

    def events(self, **filters: Any) -> list[audit.Event]:
        self.app.state.audit.flush()
        with Archive.open(self.folder, create=False) as archive:
            return audit.read(archive, **filters)

    def assert_no_cable_data(self, body: str) -> None:
        for marker in [*self.ids, *self.subjects]:
            assert marker not in body, f"{marker!r} leaked into a refusal"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = build_web_archive(tmp_path_factory.mktemp("access-web"))
    clock = Clock()
    add_people(folder, clock)
    with Archive.open(folder, create=False) as archive:
        rows = archive.connection.execute("SELECT reference_id, subject FROM cables").fetchall()
    app = create_app(folder, clock=clock)
    with TestClient(app):  # runs the lifespan (audit writer, pool) for the module
        yield Desk(
            app,
            folder,
            clock,
            [r[0] for r in rows],
            [r[1] for r in rows if r[1] and len(r[1]) > 12],
        )


@pytest.fixture(scope="module")
def sessions(desk: Desk) -> dict[str, TestClient]:
    return {name: desk.signed_in(name) for name in ("ada", "eddie", "rita")}


def _cookie(desk: Desk, client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value
    return value


def visitors(desk: Desk, sessions: dict[str, TestClient]) -> dict[str, tuple[str, TestClient]]:
    """Every kind of visitor: (the role they should be treated as, their client)."""
    codec = desk.app.state.sessions
    accounts = desk.accounts()
    ada_fp = fingerprint(
        accounts.connection.execute(
            "SELECT password_hash FROM accounts WHERE name = 'ada'"
        ).fetchone()[0]
    )

    def with_cookie(value: str) -> TestClient:
        client = desk.client()
        client.cookies.set(COOKIE, value)
        return client

    def with_token(secret: str) -> TestClient:
        client = desk.client()
        client.headers["authorization"] = f"Bearer {secret}"
        return client

    _, live = accounts.create_token("matrix", "rita")
    revoked, dead = accounts.create_token("matrix-revoked", "ada")
    accounts.revoke_token(revoked.id)
    expired = {"issued": codec.now() - 8 * 3600 - 1, "account": "ada", "fp": ada_fp, "csrf": "x"}
    forged = URLSafeSerializer("not the desk's key", salt="cabledesk.session").dumps(
        {"issued": codec.now(), "account": "ada", "fp": ada_fp, "csrf": "x"}
    )
    admin_cookie = _cookie(desk, sessions["ada"])
    tampered = admin_cookie[:10] + ("A" if admin_cookie[10] != "A" else "B") + admin_cookie[11:]
    dora = desk.signed_in("dora")
    accounts.disable("dora")
    accounts.connection.close()
    return {
        "admin": ("admin", sessions["ada"]),
        "editor": ("editor", sessions["eddie"]),
        "reader": ("reader", sessions["rita"]),
        "reader token": ("token", with_token(live)),
        "anonymous": ("anonymous", desk.client()),
        "revoked token": ("refused token", with_token(dead)),
        "garbage token": ("refused token", with_token("cdt_made-up")),
        "expired session": ("anonymous", with_cookie(codec._serializer.dumps(expired))),
        "forged cookie": ("anonymous", with_cookie(forged)),
        "tampered cookie": ("anonymous", with_cookie(tampered)),
        "garbage cookie": ("anonymous", with_cookie("%%%not a cookie%%%")),
        "disabled account": ("anonymous", dora),
    }


RANK = {"refused token": -1, "anonymous": 0, "reader": 1, "token": 1, "editor": 2, "admin": 3}
OPEN_TO_ALL = ("/login", "/logout", "/static")
NEEDS = {"anyone": 0, "reader": 1, "editor": 2, "admin": 3}


def test_every_route_for_every_kind_of_visitor(desk: Desk, sessions: dict[str, TestClient]) -> None:
    routes = calls(desk.app)
    assert len(routes) >= 18, routes
    checked = 0
    for who, (kind, client) in visitors(desk, sessions).items():
        for call in routes:
            answer = client.request(call.method, call.path)
            where = f"{who}: {call.method} {call.path} → {answer.status_code}"
            assert answer.status_code < 500, where
            # A refused token may only sign in; even the reading routes say it is dead.
            allowed = RANK[kind] >= NEEDS[expected_minimum(call.template)] or (
                kind == "refused token" and call.template in OPEN_TO_ALL
            )
            api = call.path.startswith("/api")
            if allowed and call.method == "GET":
                assert answer.status_code not in (401, 403), where
                location = answer.headers.get("location", "")
                assert not location.startswith("/login"), where
            elif allowed:
                # A session's POST without the CSRF token reaches the CSRF check (so the
                # role check let it through) and is refused there; a token needs none.
                if kind == "token":
                    assert answer.status_code not in (401, 403), where
                else:
                    assert answer.status_code == 403 and "CSRF" in answer.text, where
            else:
                if kind in ("anonymous", "refused token") and api:
                    assert answer.status_code == 401, where
                    assert answer.json()["error"]["status"] == 401
                elif kind in ("anonymous", "refused token"):
                    assert answer.status_code == 303, where
                    assert answer.headers["location"].startswith("/login?next=%2F"), where
                else:
                    assert answer.status_code == 403, where
                desk.assert_no_cable_data(answer.text)
            checked += 1
    assert checked == len(routes) * 12


def test_a_new_route_needs_signing_in_and_sees_the_principal(desk: Desk) -> None:
    def whoami(request: Request) -> JSONResponse:
        p = request.state.principal
        assert p == principal_of(request)
        return JSONResponse(
            {"name": p.name, "role": p.role, "ceiling": p.ceiling.label, "foreign": p.foreign}
        )

    app = create_app(desk.folder, clock=desk.clock)
    app.router.routes.append(Route("/whoami", whoami))
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/whoami").status_code == 303
        sign_in(client, "fran")
        assert client.get("/whoami").json() == {
            "name": "fran",
            "role": "reader",
            "ceiling": "CONFIDENTIAL",
            "foreign": True,
        }


def test_without_accounts_the_desk_is_open_and_local(tmp_path: Path) -> None:
    folder = build_web_archive(tmp_path)
    with TestClient(create_app(folder), follow_redirects=False) as client:
        assert client.get("/search").status_code == 200
        assert client.get("/api/cables/08BAGHDAD1784").status_code == 200
        login = client.get("/login")
        assert "This desk has no accounts" in login.text
        admin = client.get("/admin/users")
        assert admin.status_code == 403
        assert "cabledesk user add NAME --role admin" in admin.text
        assert COOKIE not in client.cookies


# Signing in -----------------------------------------------------------------------------


def test_wrong_password_and_unknown_name_read_the_same(desk: Desk) -> None:
    client = desk.client()
    wrong = sign_in(client, "rita", "not her password")
    unknown = sign_in(client, "rita-who", "not her password")
    assert wrong.status_code == unknown.status_code == 401
    message = "That name and password do not match an account that may sign in."
    assert message in wrong.text and message in unknown.text
    desk.accounts().enable("rita")  # clear the failure count for the other tests


def test_lockout_reads_the_same_for_accounts_and_unknown_names(desk: Desk) -> None:
    desk.accounts().add("lola", PASSWORD, "reader")
    pages = {}
    for name in ("lola", "lola-who"):
        client = desk.client()
        answers = [sign_in(client, name, "wrong password!!") for _ in range(6)]
        assert [a.status_code for a in answers] == [401] * 4 + [429, 429]
        pages[name] = answers[-1].text.replace(name, "NAME")
    assert pages["lola"] == pages["lola-who"].replace(
        csrf_of(pages["lola-who"]), csrf_of(pages["lola"])
    )
    assert "locked until 09:15 UTC" in pages["lola"]
    # Locked: the right password is refused too, and the lock is in the audit log.
    assert sign_in(desk.client(), "lola").status_code == 429
    lockouts = desk.events(kind="lockout")
    assert {e.account for e in lockouts} >= {"lola", None}
    assert any(e.detail.get("name") == "lola-who" for e in lockouts)
    assert all(e.client == "testclient" for e in lockouts)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "",
    ],
)
def test_next_never_leaves_the_desk(desk: Desk, target: str) -> None:
    client = desk.client()
    answer = sign_in(client, "eddie", next_path=target)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


def test_next_returns_to_the_page_asked_for(desk: Desk) -> None:
    client = desk.client()
    first = client.get("/editor/candidates?q=iran&names=x")
    assert first.headers["location"] == "/login?next=%2Feditor%2Fcandidates%3Fq%3Diran%26names%3Dx"
    page = client.get(first.headers["location"])
    assert 'name="next" value="/editor/candidates?q=iran&amp;names=x"' in page.text
    answer = client.post(
        "/login",
        data={"name": "eddie", "password": PASSWORD, "next": "/editor/candidates?q=iran&names=x",
              "csrf_token": csrf_of(page.text)},
    )  # fmt: skip
    assert answer.headers["location"] == "/editor/candidates?q=iran&names=x"


@pytest.mark.parametrize("https", [False, True])
def test_the_session_cookie(desk: Desk, https: bool) -> None:
    client = desk.client(https=https)
    answer = sign_in(client, "eddie")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for part in ("Path=/", "Max-Age=28800", "HttpOnly", "SameSite=Lax"):
        assert part in cookie
    assert ("Secure" in cookie) is https


def signed_in_as(client: TestClient) -> str | None:
    """Whose session the desk sees (None: a visitor, who gets the published edition)."""
    found = re.search(r'id="whoami">([^<]+)<', client.get("/search").text)
    return found.group(1) if found else None


def test_sessions_end_eight_hours_after_signing_in(tmp_path: Path) -> None:
    folder = build_web_archive(tmp_path)
    clock = Clock()
    add_people(folder, clock)
    with TestClient(create_app(folder, clock=clock), follow_redirects=False) as client:
        sign_in(client, "rita")
        clock.advance(hours=7, minutes=59)
        assert signed_in_as(client) == "rita"  # activity does not extend it
        clock.advance(minutes=2)
        answer = client.get("/search")
        assert 'id="whoami"' not in answer.text  # a visitor again: the published edition only
        assert "Max-Age=0" in answer.headers["set-cookie"]
        assert client.get("/api/stats").json()["cables"] == 0
        assert client.get("/editor/redactions").status_code == 303


def test_sign_out_ends_the_session_and_copies_of_its_cookie(desk: Desk) -> None:
    client = desk.signed_in("eddie")
    copied = _cookie(desk, client)
    page = client.get("/search")
    assert 'id="whoami">eddie<' in page.text
    desk.clock.advance(seconds=1)
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert signed_in_as(client) is None
    thief = desk.client()
    thief.cookies.set(COOKIE, copied)
    assert signed_in_as(thief) is None
    assert thief.get("/editor/redactions").status_code == 303
    assert desk.events(kind="logout", user="eddie")


def test_a_new_password_ends_existing_sessions(desk: Desk) -> None:
    desk.accounts().add("pat", PASSWORD, "reader")
    client = desk.signed_in("pat")
    assert signed_in_as(client) == "pat"
    desk.accounts().passwd("pat", "another long password")
    assert signed_in_as(client) is None


# CSRF and admin forms -------------------------------------------------------------------


def _add_form(name: str, token: str | None) -> dict[str, str]:
    form = {"name": name, "password": PASSWORD, "password_again": PASSWORD, "role": "reader"}
    if token is not None:
        form["csrf_token"] = token
    return form


def test_admin_forms_need_the_csrf_token(desk: Desk, sessions: dict[str, TestClient]) -> None:
    admin = sessions["ada"]
    token = csrf_of(admin.get("/admin/users").text)
    for form, headers in [
        (_add_form("sam", None), {}),
        (_add_form("sam", "wrong"), {}),
        (_add_form("sam", ""), {"x-csrf-token": "also wrong"}),
    ]:
        answer = admin.post("/admin/users", data=form, headers=headers)
        assert answer.status_code == 403 and "nothing was changed" in answer.text
    assert "sam" not in [a.name for a in desk.accounts().list()]
    assert admin.post("/admin/users", data=_add_form("sam", token)).status_code == 303
    answer = admin.post(
        "/admin/users", data=_add_form("sue", None), headers={"x-csrf-token": token}
    )
    assert answer.status_code == 303
    names = [a.name for a in desk.accounts().list()]
    assert "sam" in names and "sue" in names
    added = desk.events(kind="account_add", user="ada")
    assert {e.detail["name"] for e in added} == {"sam", "sue"}


def test_admin_form_mistakes_stay_on_the_page(desk: Desk, sessions: dict[str, TestClient]) -> None:
    admin = sessions["ada"]
    token = csrf_of(admin.get("/admin/users").text)
    short = {**_add_form("tim", token), "password": "short", "password_again": "short"}
    answer = admin.post("/admin/users", data=short)
    assert answer.status_code == 400 and "password: expected at least 12 characters" in answer.text
    differ = {**_add_form("tim", token), "password_again": "something else!"}
    assert "The two passwords differ." in admin.post("/admin/users", data=differ).text
    self_disable = admin.post("/admin/users/ada/disable", data={"csrf_token": token})
    assert (
        self_disable.status_code == 400 and "cannot disable your own account" in self_disable.text
    )
    unknown = admin.post("/admin/users/nobody/disable", data={"csrf_token": token})
    assert unknown.status_code == 404 and "nobody: no such account" in unknown.text


def test_disabling_an_account_ends_its_session_at_once(
    desk: Desk, sessions: dict[str, TestClient]
) -> None:
    desk.accounts().add("vic", PASSWORD, "reader")
    vic = desk.signed_in("vic")
    assert vic.get("/api/stats").status_code == 200
    admin = sessions["ada"]
    token = csrf_of(admin.get("/admin/users").text)
    answer = admin.post("/admin/users/vic/disable", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "Disabled vic." in admin.get(answer.headers["location"]).text
    assert vic.get("/api/stats").json()["cables"] == 0  # a visitor: nothing is published
    assert signed_in_as(vic) is None
    assert admin.post("/admin/users/vic/enable", data={"csrf_token": token}).status_code == 303


def test_a_token_may_post_without_csrf(desk: Desk) -> None:
    _, secret = desk.accounts().create_token("admin-script", "ada")
    client = desk.client()
    client.headers["authorization"] = f"Bearer {secret}"
    assert client.post("/admin/users", data=_add_form("wes", None)).status_code == 303
    assert "wes" in [a.name for a in desk.accounts().list()]


def test_sign_in_itself_needs_the_csrf_token(desk: Desk) -> None:
    answer = desk.client().post("/login", data={"name": "rita", "password": PASSWORD})
    assert answer.status_code == 403 and "nothing was changed" in answer.text
    assert "set-cookie" not in answer.headers  # not signed in


def test_an_oversized_form_is_refused(desk: Desk, sessions: dict[str, TestClient]) -> None:
    answer = sessions["ada"].post("/admin/users", data={"name": "x" * 70_000})
    assert answer.status_code == 413


# API tokens and audit -------------------------------------------------------------------


def test_tokens_on_the_api(desk: Desk) -> None:
    token, secret = desk.accounts().create_token("notebook", "rita")
    client = desk.client()
    client.headers["authorization"] = f"Bearer {secret}"
    answer = client.get(f"/api/cables/{HOSTILE_ID}")
    assert answer.status_code == 200 and answer.json()["record"]["reference_id"] == HOSTILE_ID
    desk.accounts().revoke_token(token.id)
    refused = client.get(f"/api/cables/{HOSTILE_ID}")
    assert refused.status_code == 401
    assert "the token was not accepted" in refused.json()["error"]["message"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    desk.assert_no_cable_data(refused.text)


def test_views_and_searches_are_audited(desk: Desk, sessions: dict[str, TestClient]) -> None:
    rita = sessions["rita"]
    assert rita.get("/cable/08BAGHDAD1784").status_code == 200
    assert rita.get("/api/cables/08OSLO670").status_code == 200
    assert rita.get("/search", params={"q": "maliki tag:PREL"}).status_code == 200
    assert rita.get("/api/search", params={"q": "oslo"}).status_code == 200
    views = desk.events(user="rita", kind="cable_view")
    assert {(e.detail["reference_id"], e.detail["via"]) for e in views} >= {
        ("08BAGHDAD1784", "page"),
        ("08OSLO670", "api"),
    }
    searches = {(e.detail["q"], e.detail["via"]) for e in desk.events(user="rita", kind="search")}
    assert {("maliki tag:PREL", "page"), ("oslo", "api")} <= searches
    assert all(e.client == "testclient" for e in views)
    page = sessions["ada"].get("/admin/audit", params={"user": "rita", "kind": "search"})
    assert page.status_code == 200 and "maliki tag:PREL" in page.text
    assert "cable_view</td>" not in page.text
    bad = sessions["ada"].get("/admin/audit", params={"since": "last week"})
    assert bad.status_code == 400 and "since: expected a date" in bad.text
