"""What every handler needs from the application: an archive handle for this request,
and the Viewer that decides what this request's reader may see."""

from __future__ import annotations

from contextlib import AbstractContextManager

from starlette.requests import Request

from cabledesk.archive import Archive
from cabledesk.redact import FULL, Viewer, level_rank
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.pool import ArchivePool


def archive_of(request: Request) -> AbstractContextManager[Archive]:
    pool: ArchivePool = request.app.state.pool
    return pool.archive()


def viewer_of(request: Request, archive: Archive) -> Viewer:
    """The Viewer for whoever made this request (the principal the access layer set; a
    request it has not seen counts as a visitor, as everywhere else)."""
    principal = principal_of(request)
    ceiling, foreign = level_rank(principal.ceiling), principal.foreign
    if principal.may("editor"):
        # Editors (and the single-user local desk) see the stored record, redactions not
        # burned in, within their ceiling.
        if ceiling == 3 and not foreign:
            return FULL
        return Viewer(ceiling=ceiling, foreign=foreign)
    if principal.role == "public":
        return Viewer(redact=True, published_only=True, compiled=archive.redactor())
    return Viewer(ceiling=ceiling, foreign=foreign, redact=True, compiled=archive.redactor())
