"""The web desk application: routes, static files, error pages and security headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles

from cabledesk.access import AuditWriter
from cabledesk.access.clock import Clock, utc_now
from cabledesk.access.lockout import UnknownNames
from cabledesk.access.secret import session_secret
from cabledesk.archive import ArchiveError
from cabledesk.archive.errors import IndexBehind
from cabledesk.archive.folder import DATABASE
from cabledesk.presentation import STATIC
from cabledesk.web import alerts_api, api, copies_api, coverage_api, sensitivity_api, workspace_api
from cabledesk.web.auth.gate import Gate
from cabledesk.web.auth.session import SessionCodec
from cabledesk.web.edition_files import EditionFiles
from cabledesk.web.pages import admin, editor, entity_editor, network, origin_map, saved, workspace
from cabledesk.web.pages import coverage as coverage_pages
from cabledesk.web.pages.browse import browse_page
from cabledesk.web.pages.cable import cable_page
from cabledesk.web.pages.entities import entities_page, entity_page
from cabledesk.web.pages.graph import most_cited_page, neighbourhood_page, thread_page
from cabledesk.web.pages.login import login_page, login_submit, logout
from cabledesk.web.pages.review import review_page
from cabledesk.web.pages.search import search_page, timeline_page
from cabledesk.web.pool import ArchivePool
from cabledesk.web.security import HEADERS, SecurityHeaders
from cabledesk.web.templating import render

log = logging.getLogger("cabledesk.web")
TITLES = {404: "Not found", 405: "Method not allowed"}
SESSION_HOURS = 8.0


def _browse_root(request: Request) -> Response:
    return RedirectResponse("/browse/origin", status_code=308)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers at this request's path (several routes may share a
    path, one per method), in a fixed order; HEAD is left out (GET implies it)."""
    router = request.scope.get("router") or request.app.router
    found: set[str] = set()
    for route in router.routes:
        if isinstance(route, Route):
            match, _ = route.matches(request.scope)
            if match != Match.NONE:
                found |= set(route.methods or ())
    order = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return sorted(found - {"HEAD"}, key=lambda m: (order.index(m) if m in order else 9, m))


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    allowed = allowed_methods(request) if status == 405 else []
    answers = " and ".join(", ".join(allowed).rsplit(", ", 1)) or "nothing"
    headers = {"Allow": ", ".join(allowed)} if allowed else None
    if request.url.path.startswith("/api"):
        message = {
            404: f"{request.url.path}: no such endpoint; the list is at /api",
            405: f"{request.method} {request.url.path}: not answered here; it answers {answers}",
        }.get(status, "an internal error; it has been logged")
        response = api.error(status, message)
        if headers:
            response.headers.update(headers)
        return response
    page = render(
        "error.html",
        status_code=status,
        request=request,
        # No footer count: an error page must not depend on the archive (a 500 may come
        # from it), nor block the event loop on SQLite.
        archive_count=None,
        section="search",
        title=TITLES.get(status, "Something went wrong"),
        message={
            404: f"Nothing lives at {request.url.path}.",
            405: f"{request.method} is not answered at {request.url.path} (it answers {answers}).",
        }.get(status, "An internal error; it has been logged."),
    )
    if headers:
        page.headers.update(headers)
    return page


async def _index_behind(request: Request, exc: Exception) -> Response:
    # Fail closed: a restricted reader is not answered from an index that has not yet
    # absorbed an editor's redaction; the reader is asked to come back, not shown a 500.
    message = "The archive is applying an editor's change; try again in a minute."
    response: Response
    if request.url.path.startswith("/api"):
        response = api.error(503, message)
    else:
        response = render(
            "error.html",
            status_code=503,
            request=request,
            archive_count=None,
            section="search",
            title="Busy for a moment",
            message=message,
        )
    response.headers["retry-after"] = "60"
    response.headers.update(HEADERS)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    # The reader gets a page without internals; the operator gets the traceback.
    log.exception("error answering %s", request.url.path, exc_info=exc)
    response = await _http_error(request, exc)
    # This answer is made outside the middleware stack, so it gets the headers here.
    response.headers.update(HEADERS)
    return response


def create_app(
    db: str | Path,
    pool_size: int = 4,
    *,
    clock: Clock = utc_now,
    session_hours: float = SESSION_HOURS,
) -> Starlette:
    """The desk over the archive folder `db` (which must exist; ArchiveError otherwise).

    `clock` tells the time to sessions, lockouts and the audit log (tests shift it);
    a session ends `session_hours` after signing in.
    """
    pool = ArchivePool(db, size=pool_size)
    try:
        secret = session_secret(pool.path)
    except OSError as exc:
        pool.close()
        raise ArchiveError(f"{pool.path}: cannot keep the session key there; {exc}") from None
    codec = SessionCodec(secret, timedelta(hours=session_hours), clock)
    writer = AuditWriter(pool.path / DATABASE)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        writer.close()
        pool.close()

    routes = [
        Route("/", search_page),
        Route("/search", search_page),
        Route("/timeline", timeline_page),
        Route("/map", origin_map.map_page),
        Route("/map/world.svg", origin_map.world_outline),
        Route("/api/map", origin_map.map_api),
        Route("/cable/{reference_id}", cable_page),
        Route("/cable/{reference_id}/graph", neighbourhood_page),
        Route("/cable/{reference_id}/thread", thread_page),
        Route("/graph/most-cited", most_cited_page),
        Route("/coverage", coverage_pages.coverage_page),
        Route("/coverage/missing", coverage_pages.missing_page),
        Route("/coverage/posts/{post}", coverage_pages.post_page),
        Route("/browse", _browse_root),
        Route("/browse/{by}", browse_page),
        Route("/entities", entities_page),
        Route("/entities/{entity_id}", entity_page),
        Route("/collections", workspace.collections_page, methods=["GET"]),
        Route("/collections", workspace.create_collection, methods=["POST"]),
        Route("/collections/add", workspace.add_to_collection, methods=["POST"]),
        Route("/collections/{collection_id}", workspace.collection_page, methods=["GET"]),
        Route("/collections/{collection_id}/add", workspace.add_to_collection, methods=["POST"]),
        Route("/collections/{collection_id}/remove", workspace.remove_cable, methods=["POST"]),
        Route("/collections/{collection_id}/move", workspace.move_cable, methods=["POST"]),
        Route("/collections/{collection_id}/share", workspace.share, methods=["POST"]),
        Route("/collections/{collection_id}/publish", workspace.publish, methods=["POST"]),
        Route("/collections/{collection_id}/describe", workspace.describe, methods=["POST"]),
        Route("/collections/{collection_id}/delete", workspace.delete_collection, methods=["POST"]),
        Route("/notes", workspace.add_note, methods=["POST"]),
        Route("/notes/{note_id}/edit", workspace.edit_note, methods=["POST"]),
        Route("/notes/{note_id}/delete", workspace.delete_note, methods=["POST"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/admin/users", admin.users_page, methods=["GET"]),
        Route("/admin/users", admin.add_user, methods=["POST"]),
        Route("/admin/users/{name}/disable", admin.disable_user, methods=["POST"]),
        Route("/admin/users/{name}/enable", admin.enable_user, methods=["POST"]),
        Route("/admin/audit", admin.audit_page, methods=["GET"]),
        Route("/editor/redactions", editor.redactions_page, methods=["GET"]),
        Route("/editor/redactions", editor.add_redaction, methods=["POST"]),
        Route("/editor/redactions/{rule_id:int}/lift", editor.lift_redaction, methods=["POST"]),
        Route("/editor/candidates", editor.candidates_page, methods=["GET"]),
        Route("/editor/approvals", editor.approvals, methods=["POST"]),
        Route("/editor/editions", editor.editions_page, methods=["GET"]),
        Route("/editor/editions", editor.build_edition, methods=["POST"]),
        Route("/editor/history/{reference_id}", editor.history_page, methods=["GET"]),
        Route("/editor/review", review_page, methods=["GET"]),
        *entity_editor.ROUTES,
        *network.ROUTES,
        *saved.ROUTES,
        *api.ROUTES,
        *copies_api.ROUTES,
        *coverage_api.ROUTES,
        *workspace_api.ROUTES,
        *alerts_api.ROUTES,
        *sensitivity_api.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        # The latest public edition, as built (a static site: the same files any web
        # server would serve).
        Mount("/edition", EditionFiles(editor.edition_folder(pool.path)), name="edition"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            404: _http_error,
            405: _http_error,
            500: _server_error,
            IndexBehind: _index_behind,
        },
        lifespan=lifespan,
    )
    # Inside the security headers; given the router's own list, so a route added later
    # (app.router.routes) is judged by the same rules.
    app.user_middleware.append(Middleware(Gate, routes=app.router.routes, pool=pool, codec=codec))
    app.state.pool = pool
    app.state.clock = clock
    app.state.sessions = codec
    app.state.audit = writer
    app.state.unknown_names = UnknownNames(clock=clock)
    return app
