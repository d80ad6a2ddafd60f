"""Rendering a page of the desk: the shared templates (`cabledesk.presentation`) as an
HTML response, with who is signed in."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse

from cabledesk.presentation.templating import environment


def render(
    template: str, /, status_code: int = 200, request: HTTPConnection | None = None, **context: Any
) -> HTMLResponse:
    """Render a page; given the request, the page header shows who is signed in (with a
    sign-out form carrying the session's CSRF token)."""
    principal = request.scope.get("state", {}).get("principal") if request else None
    session = request.scope.get("session", {}) if request else {}
    context.setdefault("principal", principal)
    context.setdefault("csrf_token", session.get("csrf", ""))
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)
