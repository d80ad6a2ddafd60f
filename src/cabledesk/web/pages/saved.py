"""Saved searches and batch search on the desk (docs/workspace.md): `/saved` (the list,
each with its new matches), `/saved/{id}` (what is new), the save form's target, and
`/batch` (a list of queries or names: counts and ids, as a table or a CSV download).

Every count and list is made in the asking account's own view (Archive.saved_searches,
Archive.batch_search); a visitor who is not signed in is sent to sign in (rules.py: these
routes are not among the reading routes).
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from cabledesk.access import AccessError
from cabledesk.query import SORTS, QueryError
from cabledesk.record.model import Cable
from cabledesk.web.auth.csrf import ensure_token
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.templating import render
from cabledesk.workspace import batch
from cabledesk.workspace.saved_searches import SavedSearchError

# New matches listed on a saved search's page (the count is whole).
SHOWN = 200
DONE = {
    "saved": "Saved “{name}”.",
    "seen": "Marked “{name}” as seen.",
    "deleted": "Deleted the saved search.",
    "changed": "Changed “{name}”.",
}


def _list(request: Request, status: int = 200, **extra: Any) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    principal = principal_of(request)
    with archive_of(request) as archive:
        count = archive.count(viewer=viewer_of(request, archive))
        found = archive.saved_searches(principal)
    done = request.query_params.get("done", "")
    notice = DONE[done].format(name=request.query_params.get("name", "")) if done in DONE else None
    context: dict[str, Any] = {"error": None, "notice": notice, "form": {}}
    context.update(extra)
    return render(
        "saved_list.html",
        status_code=status,
        request=request,
        section="saved",
        archive_count=count,
        searches=found,
        sorts=SORTS,
        **context,
    )


def saved_page(request: Request) -> Response:
    # `?q=...&sort=...` fills the save form (the search page's link on the open desk).
    query = request.query_params
    form = {"q": query.get("q", "")[:2000], "sort": query.get("sort", "rank"), "name": ""}
    form["name"] = form["q"][:100]
    return _list(request, form=form)


def save_search(request: Request) -> Response:
    form = form_of(request)
    try:
        with archive_of(request) as archive:
            kept = archive.save_search(
                principal_of(request),
                form.get("name", ""),
                form.get("q", ""),
                form.get("sort", "rank") or "rank",
            )
    except QueryError as exc:
        return _list(request, 400, error=f"The query cannot be saved: {exc.message}", form=form)
    except (SavedSearchError, AccessError) as exc:
        return _list(request, 400, error=str(exc), form=form)
    return RedirectResponse(f"/saved?done=saved&name={quote(kept.name)}", status_code=303)


def _search_id(request: Request) -> int:
    return int(request.path_params["search_id"])


def _missing(request: Request, count: int | None) -> Response:
    return render(
        "error.html",
        status_code=404,
        request=request,
        archive_count=count,
        section="saved",
        title="No such saved search",
        message="You have no saved search with that number (the list is at /saved).",
    )


def news_page(request: Request) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    principal = principal_of(request)
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        try:
            news = archive.saved_search(principal, _search_id(request))
        except SavedSearchError:
            return _missing(request, count)
        cables: list[tuple[str, Cable | None]] = [
            (i, archive.get(i, viewer=viewer)) for i in news.ids[:SHOWN]
        ]
    return render(
        "saved_news.html",
        request=request,
        section="saved",
        archive_count=count,
        news=news,
        cables=cables,
        shown=SHOWN,
        sorts=SORTS,
    )


def mark_seen(request: Request) -> Response:
    form = form_of(request)
    try:
        upto = int(form.get("upto", ""))
    except ValueError:
        return _list(request, 400, error="upto: expected the change number the page showed")
    with archive_of(request) as archive:
        try:
            news = archive.saved_search(principal_of(request), _search_id(request))
            archive.mark_seen(principal_of(request), news.search.id, upto)
        except SavedSearchError:
            return _missing(request, None)
    return RedirectResponse(f"/saved?done=seen&name={quote(news.search.name)}", status_code=303)


def change_search(request: Request) -> Response:
    """The news page's "Change" form: `name`, `q`, `sort`. A new query starts the news
    again (docs/workspace.md); a mistake is shown on the list with the form's values."""
    form = form_of(request)
    with archive_of(request) as archive:
        try:
            search_id = archive.saved_search(principal_of(request), _search_id(request)).search.id
        except SavedSearchError:
            return _missing(request, None)
        try:
            kept = archive.change_saved_search(
                principal_of(request),
                search_id,
                name=form.get("name"),
                query=form.get("q"),
                sort=form.get("sort") or None,
            )
        except QueryError as exc:
            return _list(request, 400, error=f"The query cannot be saved: {exc.message}")
        except SavedSearchError as exc:
            return _list(request, 400, error=str(exc))
    return RedirectResponse(f"/saved?done=changed&name={quote(kept.name)}", status_code=303)


def delete_search(request: Request) -> Response:
    with archive_of(request) as archive:
        try:
            archive.delete_saved_search(principal_of(request), _search_id(request))
        except SavedSearchError:
            return _missing(request, None)
    return RedirectResponse("/saved?done=deleted", status_code=303)


def _batch_form(request: Request, status: int = 200, **extra: Any) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    with archive_of(request) as archive:
        count = archive.count(viewer=viewer_of(request, archive))
    context: dict[str, Any] = {"error": None, "rows": None, "form": {}}
    context.update(extra)
    return render(
        "batch.html",
        status_code=status,
        request=request,
        section="batch",
        archive_count=count,
        max_lines=batch.MAX_LINES,
        max_ids=batch.MAX_IDS,
        **context,
    )


def batch_page(request: Request) -> Response:
    return _batch_form(request)


def batch_submit(request: Request) -> Response:
    """The list pasted (or loaded from a file by the page's script) into the form: a
    table, or with `format=csv` the same table as a download."""
    form = form_of(request)
    column = form.get("column", "").strip() or None
    try:
        lines = batch.read_lines(
            form.get("queries", ""),
            column=column,
            names=form.get("names") == "on",
            most=batch.MAX_LINES,
        )
    except batch.BatchError as exc:
        return _batch_form(request, 400, error=str(exc), form=form)
    with archive_of(request) as archive:
        rows = archive.batch_search(lines, viewer=viewer_of(request, archive))
    if form.get("format") == "csv":
        out = io.StringIO()
        batch.write_csv(rows, out)
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="batch-search.csv"'},
        )
    return _batch_form(request, rows=rows, form=form)


ROUTES = [
    Route("/saved", saved_page, methods=["GET"]),
    Route("/saved", save_search, methods=["POST"]),
    Route("/saved/{search_id:int}", news_page, methods=["GET"]),
    Route("/saved/{search_id:int}/seen", mark_seen, methods=["POST"]),
    Route("/saved/{search_id:int}/edit", change_search, methods=["POST"]),
    Route("/saved/{search_id:int}/delete", delete_search, methods=["POST"]),
    Route("/batch", batch_page, methods=["GET"]),
    Route("/batch", batch_submit, methods=["POST"]),
]
