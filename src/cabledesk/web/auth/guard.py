"""Role guards for handlers, and the answers a refused request gets.

    @requires("editor")
    def redactions_page(request: Request) -> Response: ...

marks the handler (the gate reads the mark before the handler runs, so a refused request
never reaches it) and checks again when it is called, so a handler mounted some other way
is still guarded.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from cabledesk.access import PUBLIC, RANK, Principal, Role
from cabledesk.web.auth.rules import ROLE_MARK
from cabledesk.web.templating import render

Handler = TypeVar("Handler", bound=Callable[..., Any])


def principal_of(connection: HTTPConnection) -> Principal:
    """Who is asking; a request the gate has not seen counts as a visitor (fail closed)."""
    principal = connection.scope.get("state", {}).get("principal")
    return principal if isinstance(principal, Principal) else PUBLIC


def requires(role: Role) -> Callable[[Handler], Handler]:
    if role not in RANK:
        raise ValueError(f"role: expected one of {', '.join(RANK)}; found {role!r}")

    def mark(handler: Handler) -> Handler:
        if inspect.iscoroutinefunction(handler):

            @wraps(handler)
            async def guarded_async(request: Request) -> Response:
                refused = refusal(request, role)
                if refused is not None:
                    return refused
                return await cast(Callable[[Request], Awaitable[Response]], handler)(request)

            wrapper: Any = guarded_async
        else:

            @wraps(handler)
            def guarded(request: Request) -> Response:
                refused = refusal(request, role)
                return refused if refused is not None else cast(Response, handler(request))

            wrapper = guarded
        setattr(wrapper, ROLE_MARK, role)
        return cast(Handler, wrapper)

    return mark


def refusal(request: HTTPConnection, role: Role) -> Response | None:
    """None when the principal may act as `role`; otherwise the answer to send instead."""
    principal = principal_of(request)
    if principal.may(role):
        return None
    if principal.role == "public":
        return sign_in_needed(request)
    if principal.role == "local":
        return forbidden(
            request,
            "This desk has no accounts yet. Managing accounts needs an admin account: "
            "create the first one with: cabledesk user add NAME --role admin",
        )
    return forbidden(request, f"This needs the {role} role; {principal.name} is {principal.role}.")


def is_api(request: HTTPConnection) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def sign_in_needed(request: HTTPConnection) -> Response:
    if is_api(request):
        offered = "authorization" in request.headers
        message = (
            "the token was not accepted (unknown, revoked, or its account is disabled)"
            if offered
            else "sign in first: send Authorization: Bearer <token> (cabledesk token create)"
        )
        body = {"error": {"status": 401, "message": message}}
        return JSONResponse(body, 401, headers={"www-authenticate": 'Bearer realm="cabledesk"'})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def forbidden(request: HTTPConnection, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"error": {"status": 403, "message": message}}, 403)
    return render(
        "error.html",
        status_code=403,
        request=request,
        archive_count=None,
        section=None,
        title="Not allowed",
        message=message,
    )
