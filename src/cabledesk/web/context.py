"""What every handler needs from the application: an archive handle for this request."""

from __future__ import annotations

from contextlib import AbstractContextManager

from starlette.requests import Request

from cabledesk.archive import Archive
from cabledesk.web.pool import ArchivePool


def archive_of(request: Request) -> AbstractContextManager[Archive]:
    pool: ArchivePool = request.app.state.pool
    return pool.archive()
