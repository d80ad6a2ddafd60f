"""The JSON API of saved searches and batch search (docs/workspace.md). Signed-in
accounts only (a token acts for its account); every count and id is made in the asking
account's view. Writes take url-encoded forms, as the desk's do (the gate reads them;
a session also sends its CSRF token, a token needs none)."""

from __future__ import annotations

import io
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cabledesk.query import QueryError
from cabledesk.web.api import error
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.workspace import batch
from cabledesk.workspace.saved_searches import News, SavedSearchError


def _news(news: News) -> dict[str, Any]:
    kept = news.search
    return {
        "id": kept.id,
        "name": kept.name,
        "query": kept.query,
        "sort": kept.sort,
        "created": kept.created,
        "visited_at": kept.visited_at,
        "new": news.count,
        "ids": news.ids,
        "upto": news.upto,
        "error": news.error,
    }


def _no_search(request: Request) -> JSONResponse:
    shown = str(request.path_params["search_id"])[:20]
    return error(404, f"no saved search {shown!r} of yours (GET /api/saved-searches lists them)")


def _search_id(request: Request) -> int | None:
    raw = str(request.path_params["search_id"])
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def saved_list(request: Request) -> Response:
    with archive_of(request) as archive:
        found = archive.saved_searches(principal_of(request))
    return JSONResponse({"saved_searches": [_news(n) for n in found]})


def saved_add(request: Request) -> Response:
    form = form_of(request)
    with archive_of(request) as archive:
        try:
            kept = archive.save_search(
                principal_of(request),
                form.get("name", ""),
                form.get("q", ""),
                form.get("sort", "") or "rank",
            )
            news = archive.saved_search(principal_of(request), kept.id)
        except QueryError as exc:
            return error(400, str(exc.message), query=exc.query, position=exc.position)
        except SavedSearchError as exc:
            return error(400, str(exc))
    return JSONResponse(_news(news), 201)


def saved_one(request: Request) -> Response:
    search_id = _search_id(request)
    if search_id is None:
        return _no_search(request)
    with archive_of(request) as archive:
        try:
            news = archive.saved_search(principal_of(request), search_id)
        except SavedSearchError:
            return _no_search(request)
    return JSONResponse(_news(news))


def saved_delete(request: Request) -> Response:
    search_id = _search_id(request)
    if search_id is None:
        return _no_search(request)
    with archive_of(request) as archive:
        try:
            archive.delete_saved_search(principal_of(request), search_id)
        except SavedSearchError:
            return _no_search(request)
    return JSONResponse({"deleted": search_id})


def saved_change(request: Request) -> Response:
    """POST /api/saved-searches/{id}: `name`, `q`, `sort` (a field left out is kept). A new
    query starts the news again; a new name or sort keeps it."""
    form = form_of(request)
    search_id = _search_id(request)
    if search_id is None:
        return _no_search(request)
    sort = form.get("sort")
    with archive_of(request) as archive:
        try:
            archive.saved_search(principal_of(request), search_id)
        except SavedSearchError:
            return _no_search(request)
        try:
            archive.change_saved_search(
                principal_of(request),
                search_id,
                name=form.get("name"),
                query=form.get("q"),
                sort=sort or None,
            )
            news = archive.saved_search(principal_of(request), search_id)
        except QueryError as exc:
            return error(400, str(exc.message), query=exc.query, position=exc.position)
        except SavedSearchError as exc:
            return error(400, str(exc))
    return JSONResponse(_news(news))


def saved_seen(request: Request) -> Response:
    form = form_of(request)
    try:
        upto = int(form.get("upto", ""))
    except ValueError:
        return error(400, "upto: expected the `upto` of the answer whose news was read")
    search_id = _search_id(request)
    if search_id is None:
        return _no_search(request)
    with archive_of(request) as archive:
        try:
            archive.mark_seen(principal_of(request), search_id, upto)
            news = archive.saved_search(principal_of(request), search_id)
        except SavedSearchError:
            return _no_search(request)
    return JSONResponse(_news(news))


def batch_search(request: Request) -> Response:
    form = form_of(request)
    wanted = form.get("format", "") or "json"
    if wanted not in ("json", "csv"):
        return error(400, f"format: expected json or csv; found {wanted[:20]!r}")
    raw_ids = form.get("max_ids", "") or str(batch.MAX_IDS)
    if not raw_ids.isdigit() or not 0 < int(raw_ids) <= 10_000:
        return error(
            400, f"max_ids: expected a whole number from 1 to 10000; found {raw_ids[:20]!r}"
        )
    try:
        lines = batch.read_lines(
            form.get("queries", ""),
            column=form.get("column", "").strip() or None,
            names=form.get("names", "") in ("1", "true", "on", "yes"),
            most=batch.MAX_LINES,
        )
    except batch.BatchError as exc:
        return error(400, str(exc))
    with archive_of(request) as archive:
        rows = archive.batch_search(lines, viewer=viewer_of(request, archive), max_ids=int(raw_ids))
    if wanted == "csv":
        out = io.StringIO()
        batch.write_csv(rows, out)
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="batch-search.csv"'},
        )
    return Response(batch.to_json(rows), media_type="application/json")


ROUTES = [
    Route("/api/saved-searches", saved_list, methods=["GET"]),
    Route("/api/saved-searches", saved_add, methods=["POST"]),
    Route("/api/saved-searches/{search_id}", saved_one, methods=["GET"]),
    Route("/api/saved-searches/{search_id}", saved_change, methods=["POST"]),
    Route("/api/saved-searches/{search_id}", saved_delete, methods=["DELETE"]),
    Route("/api/saved-searches/{search_id}/seen", saved_seen, methods=["POST"]),
    Route("/api/batch-search", batch_search, methods=["POST"]),
]
