"""What every handler needs from the application: an archive handle for this request,
and the Viewer that decides what this request's reader may see."""

from __future__ import annotations

from contextlib import AbstractContextManager

from starlette.requests import Request

from cabledesk.facade import Archive
from cabledesk.redact import Viewer
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.pool import ArchivePool


def archive_of(request: Request) -> AbstractContextManager[Archive]:
    pool: ArchivePool = request.app.state.pool
    return pool.archive()


def viewer_of(request: Request, archive: Archive) -> Viewer:
    """The Viewer for whoever made this request (the principal the access layer set; a
    request it has not seen counts as a visitor, as everywhere else)."""
    return archive.viewer(principal_of(request))
