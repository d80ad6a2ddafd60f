"""Administration: accounts (/admin/users) and the audit log (/admin/audit). Admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cabledesk.access import ACCOUNT_ROLES, CEILINGS, AccessError, Accounts, audit
from cabledesk.access.writer import AuditWriter
from cabledesk.web.auth import requires
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.auth.record import client_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.templating import render

AUDIT_ROWS = 500
DONE = {"added": "Added {name}.", "disabled": "Disabled {name}.", "enabled": "Enabled {name}."}


def _users(request: Request, status: int = 200, **extra: Any) -> Response:
    with archive_of(request) as archive:
        accounts = Accounts(archive).list()
        count = archive.count(viewer=viewer_of(request, archive))
    done = request.query_params.get("done", "")
    notice = DONE[done].format(name=request.query_params.get("name", "")) if done in DONE else None
    context: dict[str, Any] = {"error": None, "notice": notice, "form": {}}
    context.update(extra)
    return render(
        "admin_users.html",
        status_code=status,
        request=request,
        section="admin",
        archive_count=count,
        accounts=accounts,
        roles=ACCOUNT_ROLES,
        ceilings=CEILINGS,
        **context,
    )


@requires("admin")
def users_page(request: Request) -> Response:
    return _users(request)


@requires("admin")
def add_user(request: Request) -> Response:
    form = form_of(request)
    if form.get("password", "") != form.get("password_again", ""):
        return _users(request, 400, error="The two passwords differ.", form=form)
    admin = principal_of(request).name
    try:
        with archive_of(request) as archive:
            Accounts(archive, clock=request.app.state.clock).add(
                form.get("name", "").strip(),
                form.get("password", ""),
                role=form.get("role", "reader"),
                ceiling=form.get("ceiling") or None,
                foreign=form.get("foreign") == "on",
                actor=admin,
                client=client_of(request),
            )
    except AccessError as exc:
        return _users(request, 400, error=str(exc), form=form)
    return _done("added", form.get("name", "").strip())


@requires("admin")
def disable_user(request: Request) -> Response:
    return _switch(request, disable=True)


@requires("admin")
def enable_user(request: Request) -> Response:
    return _switch(request, disable=False)


def _switch(request: Request, disable: bool) -> Response:
    name = str(request.path_params["name"])
    admin = principal_of(request).name
    if disable and name == admin:
        return _users(request, 400, error="You cannot disable your own account.")
    try:
        with archive_of(request) as archive:
            accounts = Accounts(archive, clock=request.app.state.clock)
            change = accounts.disable if disable else accounts.enable
            change(name, actor=admin, client=client_of(request))
    except AccessError as exc:
        return _users(request, 404, error=str(exc))
    return _done("disabled" if disable else "enabled", name)


def _done(what: str, name: str) -> Response:
    # Post/redirect/get: reloading the page does not send the form again.
    return RedirectResponse(f"/admin/users?done={what}&name={quote(name)}", status_code=303)


@requires("admin")
def audit_page(request: Request) -> Response:
    writer: AuditWriter = request.app.state.audit
    writer.flush()  # show what just happened, this request's own page view included
    user = request.query_params.get("user", "").strip() or None
    kind = request.query_params.get("kind", "").strip() or None
    since = request.query_params.get("since", "").strip() or None
    error, start = None, None
    if since:
        try:
            start = datetime.fromisoformat(since)
            start = start if start.tzinfo else start.replace(tzinfo=UTC)
        except ValueError:
            error = f"since: expected a date or time like 2026-11-01; found {since!r}"
    if kind and kind not in audit.KINDS:
        error, kind = f"kind: expected one of {', '.join(audit.KINDS)}; found {kind!r}", None
    with archive_of(request) as archive:
        events = audit.read(archive, user=user, kind=kind, since=start, limit=AUDIT_ROWS)
        count = archive.count(viewer=viewer_of(request, archive))
    return render(
        "admin_audit.html",
        status_code=400 if error else 200,
        request=request,
        section="admin",
        archive_count=count,
        events=events,
        kinds=audit.KINDS,
        filters={"user": user or "", "kind": kind or "", "since": since or ""},
        error=error,
        limit=AUDIT_ROWS,
    )
