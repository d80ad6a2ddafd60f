"""What every handler needs from the application: an archive handle for this request,
and the Viewer that decides what this request's reader may see."""

from __future__ import annotations

from contextlib import AbstractContextManager

from starlette.requests import Request

from cabledesk.archive import Archive
from cabledesk.redact import FULL, Viewer, level_rank
from cabledesk.web.pool import ArchivePool

# Roles that see the stored record, redactions not burned in (within their ceiling).
EDITORIAL = frozenset({"local", "admin", "editor"})


def archive_of(request: Request) -> AbstractContextManager[Archive]:
    pool: ArchivePool = request.app.state.pool
    return pool.archive()


def viewer_of(request: Request, archive: Archive) -> Viewer:
    """The Viewer for whoever made this request (set by the access layer as
    `request.state.principal`; without one this is the single-user local desk)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return FULL
    role = str(principal.role)
    ceiling = level_rank(getattr(principal, "ceiling", None) or "TOP SECRET")
    foreign = bool(getattr(principal, "foreign", False))
    if role in EDITORIAL:
        if ceiling == 3 and not foreign:
            return FULL
        return Viewer(ceiling=ceiling, foreign=foreign)
    if role == "public":
        return Viewer(redact=True, published_only=True, compiled=archive.redactor())
    return Viewer(ceiling=ceiling, foreign=foreign, redact=True, compiled=archive.redactor())
