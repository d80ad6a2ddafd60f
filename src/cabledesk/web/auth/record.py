"""Audit events from web requests: queued to the app's AuditWriter (never waits on SQLite)."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from cabledesk.access.audit import event
from cabledesk.access.writer import AuditWriter
from cabledesk.web.auth.guard import principal_of


def client_of(request: HTTPConnection) -> str | None:
    return request.client.host if request.client else None


def note(request: HTTPConnection, kind: str, **detail: Any) -> None:
    """Record that the principal of `request` did `kind` (cable_view, search, ...)."""
    writer: AuditWriter | None = getattr(request.app.state, "audit", None)
    if writer is None:
        return
    principal = principal_of(request)
    writer.put(event(kind, principal.name, client_of(request), request.app.state.clock, detail))
