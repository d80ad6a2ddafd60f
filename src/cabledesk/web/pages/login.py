"""Signing in and out (/login, /logout). The gate has checked the CSRF token of each POST."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cabledesk.access import LOCK_AFTER, Accounts, Login
from cabledesk.access.errors import ArchiveBusy
from cabledesk.access.lockout import UnknownNames
from cabledesk.web.auth import csrf
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.auth.record import client_of
from cabledesk.web.context import archive_of
from cabledesk.web.redirects import safe_next
from cabledesk.web.templating import render

REJECTED = "That name and password do not match an account that may sign in."


def _page(request: Request, next_path: str, status: int = 200, **extra: object) -> Response:
    context: dict[str, object] = {"error": None, "name": "", "no_accounts": False}
    context.update(extra)
    return render(
        "login.html",
        status_code=status,
        request=request,
        section=None,
        archive_count=None,
        next_path=next_path,
        # The open desk has no form here, so it sets no cookie either.
        csrf_token="" if context["no_accounts"] else csrf.ensure_token(request.session),
        **context,
    )


def login_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    principal = principal_of(request)
    if principal.signed_in:
        return RedirectResponse(next_path, status_code=303)
    if principal.role == "local":
        return _page(request, next_path, no_accounts=True)
    return _page(request, next_path)


async def login_submit(request: Request) -> Response:
    form = form_of(request)
    next_path = safe_next(form.get("next"))
    if principal_of(request).role == "local":
        return RedirectResponse(next_path, status_code=303)
    name, password = form.get("name", "").strip(), form.get("password", "")
    if not name or not password:
        return _page(request, next_path, 400, error="Enter your name and password.", name=name)
    try:
        login = await run_in_threadpool(_authenticate, request, name, password)
    except ArchiveBusy as exc:
        # Nothing was counted or checked: a page that says so, not a 500.
        return _page(request, next_path, 503, error=f"Not signed in: {exc}.", name=name)
    if login.outcome == "locked" and login.locked_until is not None:
        until = login.locked_until.strftime("%H:%M UTC")
        message = (
            f"Too many failed sign-ins for this name ({LOCK_AFTER} within 15 minutes): it is "
            f"locked until {until}. An administrator can lift the lock sooner."
        )
        return _page(request, next_path, 429, error=message, name=name)
    if login.outcome != "ok" or login.principal is None:
        return _page(request, next_path, 401, error=REJECTED, name=name)
    # A new session: nothing from before signing in (its CSRF token included) carries over.
    session = request.session
    session.clear()
    session.update(request.app.state.sessions.new())
    session.update(account=login.principal.name, fp=login.fingerprint, gen=login.generation)
    csrf.ensure_token(session)
    return RedirectResponse(next_path, status_code=303)


def _authenticate(request: Request, name: str, password: str) -> Login:
    unknown: UnknownNames = request.app.state.unknown_names
    with archive_of(request) as archive:
        accounts = Accounts(archive, clock=request.app.state.clock)
        return accounts.authenticate(name, password, client_of(request), unknown)


def logout(request: Request) -> Response:
    principal = principal_of(request)
    if principal.signed_in and principal.name is not None and principal.via == "session":
        with archive_of(request) as archive:
            accounts = Accounts(archive, clock=request.app.state.clock)
            accounts.end_sessions(principal.name, client_of(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
