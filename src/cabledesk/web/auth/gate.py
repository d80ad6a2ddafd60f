"""The gate every request passes: session, principal, access rule, CSRF.

1. Reads the session cookie (a forged, altered or expired one is no session).
2. Puts the `Principal` on the request (`request.state.principal`): `local` while the
   archive has no accounts; then a bearer token's account, the session's account (if it
   is still enabled, its password unchanged and its session generation current: not
   signed out or disabled since), or `public` (not signed in).
3. Refuses what the principal may not see (rules.py; the handler's @requires mark):
   a visitor is sent to /login (pages) or gets 401 (API); an account without the role
   gets 403. A refused request never reaches its handler.
4. For POST, PUT, PATCH and DELETE: reads the (small) form and checks its CSRF token
   against the session's, unless an API token authenticated the request.
5. Writes the session cookie back when it changed, or clears a bad one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cabledesk.access import LOCAL, PUBLIC, Accounts, Principal
from cabledesk.web.auth import csrf
from cabledesk.web.auth.guard import forbidden, refusal
from cabledesk.web.auth.rules import OPEN, find_route, required_role
from cabledesk.web.auth.session import COOKIE, SessionCodec
from cabledesk.web.pool import ArchivePool

FORM = "cabledesk.form"
REFUSED_TOKEN = "refused token"
MAX_FORM = 64 * 1024  # sign-in and account forms are tiny; anything bigger is refused


class Gate:
    def __init__(
        self, app: ASGIApp, routes: Sequence[BaseRoute], pool: ArchivePool, codec: SessionCodec
    ) -> None:
        self.app = app
        self.routes = routes
        self.pool = pool
        self.codec = codec
        self.accounts_exist = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The style sheet and script are the same for everyone and come with every page:
        # no session or account look-up for them.
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        raw = connection.cookies.get(COOKIE)
        session = self.codec.load(raw)
        scope["session"] = session
        before = dict(session)
        authorization = connection.headers.get("authorization")
        principal = await run_in_threadpool(self._principal, authorization, session)
        scope.setdefault("state", {})["principal"] = principal
        send = self._cookie_writer(scope, send, before, stale=raw is not None and not before)

        route, runs = find_route(self.routes, scope)
        # A token that is offered and refused is an error, even where visitors may read:
        # a script must learn its token is dead, not quietly get the public edition.
        needed = required_role(route)
        if principal.via == REFUSED_TOKEN and getattr(route, "path", None) not in OPEN:
            needed = "reader"
        refused = refusal(connection, needed)
        if refused is not None:
            await refused(scope, receive, send)
            return
        if scope["method"] not in csrf.SAFE_METHODS and runs:
            body = await _read_body(receive)
            if body is None:
                await PlainTextResponse("The form is too large.", 413)(scope, receive, send)
                return
            form = _form(scope, body)
            scope[FORM] = form
            offered = form.get(csrf.FIELD) or connection.headers.get(csrf.HEADER)
            if principal.via != "token" and not csrf.valid(session, offered):
                await forbidden(connection, csrf.MESSAGE)(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _principal(self, authorization: str | None, session: dict[str, Any]) -> Principal:
        # Runs on a worker thread: SQLite look-ups must not block the event loop.
        with self.pool.archive() as archive:
            accounts = Accounts(archive, clock=self.codec.clock)
            # Accounts are disabled, never deleted: once there is one, there always is.
            if not self.accounts_exist:
                if not accounts.exist():
                    return LOCAL
                self.accounts_exist = True
            if authorization is not None:
                scheme, _, secret = authorization.partition(" ")
                found = None
                if scheme.lower() == "bearer":
                    found = accounts.token_principal(secret.strip())
                # A token that is offered and refused never falls back to the cookie.
                return found or replace(PUBLIC, via=REFUSED_TOKEN)
            name, fingerprint = session.get("account"), session.get("fp")
            generation = session.get("gen")
            if isinstance(name, str):
                if isinstance(fingerprint, str) and isinstance(generation, int):
                    found = accounts.principal(name, fingerprint, generation)
                    if found is not None:
                        return found
                # Disabled, signed out, the password changed, or a cookie from before
                # session generations: the session is over.
                session.clear()
            return PUBLIC

    def _cookie_writer(self, scope: Scope, send: Send, before: dict[str, Any], stale: bool) -> Send:
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                value = None
                if session and session != before:
                    # A session's clock starts when it is first written (absolute expiry).
                    session.setdefault("issued", self.codec.now())
                    value = self.codec.set_cookie(session, secure)
                elif (before or stale) and not session:
                    value = self.codec.clear_cookie(secure)
                if value is not None:
                    MutableHeaders(scope=message).append("set-cookie", value)
            await send(message)

        return send_with_cookie


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _form(scope: Scope, body: bytes) -> dict[str, str]:
    headers = dict(scope.get("headers", []))
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if kind != b"application/x-www-form-urlencoded":
        return {}
    form: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(key, value)
    return form


def _replay(body: bytes, receive: Receive) -> Receive:
    """The handler reads the body the gate already consumed."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def form_of(connection: HTTPConnection) -> dict[str, str]:
    """The url-encoded form of a POST the gate has checked (empty for other requests)."""
    form = connection.scope.get(FORM)
    return form if isinstance(form, dict) else {}
