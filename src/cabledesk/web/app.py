"""The web desk application: routes, static files, error pages and security headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from cabledesk.web import api
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.pages.browse import browse_page
from cabledesk.web.pages.cable import cable_page
from cabledesk.web.pages.search import search_page, timeline_page
from cabledesk.web.pool import ArchivePool
from cabledesk.web.security import HEADERS, SecurityHeaders
from cabledesk.web.templating import render

log = logging.getLogger("cabledesk.web")
STATIC = Path(__file__).parent / "static"
TITLES = {404: "Not found", 405: "Method not allowed"}


def _browse_root(request: Request) -> Response:
    return RedirectResponse("/browse/origin", status_code=308)


def _archive_count(request: Request) -> int:
    with archive_of(request) as archive:
        return archive.count(viewer_of(request, archive))


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/api"):
        message = {
            404: f"{request.url.path}: no such endpoint; the list is at /api",
            405: f"{request.method} {request.url.path}: only GET is answered here",
        }.get(status, "an internal error; it has been logged")
        return api.error(status, message)
    return render(
        "error.html",
        status_code=status,
        archive_count=_archive_count(request),
        section="search",
        title=TITLES.get(status, "Something went wrong"),
        message={
            404: f"Nothing lives at {request.url.path}.",
            405: f"{request.method} is not answered at {request.url.path}.",
        }.get(status, "An internal error; it has been logged."),
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    # The reader gets a page without internals; the operator gets the traceback.
    log.exception("error answering %s", request.url.path, exc_info=exc)
    response = await _http_error(request, exc)
    # This answer is made outside the middleware stack, so it gets the headers here.
    response.headers.update(HEADERS)
    return response


def create_app(db: str | Path, pool_size: int = 4) -> Starlette:
    """The desk over the archive folder `db` (which must exist; ArchiveError otherwise)."""
    pool = ArchivePool(db, size=pool_size)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pool.close()

    routes = [
        Route("/", search_page),
        Route("/search", search_page),
        Route("/timeline", timeline_page),
        Route("/cable/{reference_id}", cable_page),
        Route("/browse", _browse_root),
        Route("/browse/{by}", browse_page),
        *api.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: _http_error, 405: _http_error, 500: _server_error},
        lifespan=lifespan,
    )
    app.state.pool = pool
    return app
