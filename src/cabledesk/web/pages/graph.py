"""The citation graph on the desk (docs/graph.md, "Pages"): a cable's neighbourhood drawn
as server-side SVG, its thread, and the most cited cables. Each page is built from the
asking reader's own graph by the facade; for a visitor that is the published edition's,
where a cable the archive holds but has not published is at most "not in this archive"
(and one nobody published cites is no page at all, as an id nobody knows).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from cabledesk.archive.graph import Node
from cabledesk.presentation.graph_drawing import layout
from cabledesk.presentation.urls import DeskUrls
from cabledesk.query import QueryError
from cabledesk.record.ids import normal_id
from cabledesk.redact import Viewer
from cabledesk.views.graph_export import FORMATS
from cabledesk.web import params
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.templating import render

PAGE_SIZE = 50
# The thread page reads each listed cable's subject as the reader receives it.
THREAD_ROWS = 300
_URLS = DeskUrls()
_ARCHIVED = {"all": None, "yes": True, "no": False}


def node_href(node: Node) -> str:
    """A node's link: its cable when the reader's archive holds it, else its own graph."""
    return _URLS.cable(node.id) if node.archived else _URLS.cable_graph(node.id)


def _api(path: str, **query: object) -> str:
    kept = {k: v for k, v in query.items() if v not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def _not_found(request: Request, viewer: Viewer, reference_id: str, count: int) -> Response:
    # The same answer for an id nobody knows and, for a visitor, a cable held but not
    # published that no published cable cites.
    where = "the published edition" if viewer.published_only else "this archive"
    return render(
        "error.html",
        status_code=404,
        request=request,
        archive_count=count,
        section="graph",
        title="Not in the citation graph",
        message=f"{reference_id}: no cable of {where} has this id or cites it.",
        sign_in=f"/login?next={quote(request.url.path, safe='')}"
        if viewer.published_only
        else None,
    )


def _subject(archive: Any, node: Node, viewer: Viewer) -> str | None:
    if not node.archived:
        return None
    cable = archive.get(node.id, viewer=viewer)
    return cable.subject if cable is not None else None


def neighbourhood_page(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        found = archive.graph_neighbourhood(reference_id, viewer=viewer)
        if found is None:
            return _not_found(request, viewer, reference_id, count)
        subject = _subject(archive, found.centre, viewer)
    note(request, "cable_view", reference_id=found.centre.id, via="graph")
    api = f"/api/graph/cables/{quote(found.centre.id)}/neighbourhood"
    return render(
        "graph_cable.html",
        request=request,
        section="graph",
        archive_count=count,
        n=found,
        centre=found.centre,
        subject=subject,
        drawing=layout(found, node_href),
        node_href=node_href,
        json_url=api,
        exports=[(f, _api(api, format=f)) for f in FORMATS],
    )


def thread_page(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    notices = []
    try:
        hops = params.integer(request.query_params, "hops", 3, 1, 10)
    except params.BadParameter as exc:
        hops = 3
        notices.append(f"{exc}; 3 hops instead")
    try:
        days = params.integer(request.query_params, "days", 183, 0, 36600)
    except params.BadParameter as exc:
        days = 183
        notices.append(f"{exc}; 183 days instead")
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        entries = archive.graph_thread(reference_id, viewer=viewer, hops=hops, days=days)
        if entries is None:
            return _not_found(request, viewer, reference_id, count)
        subjects = {e.node.id: _subject(archive, e.node, viewer) for e in entries[:THREAD_ROWS]}
    note(request, "cable_view", reference_id=reference_id, via="thread")
    centre = next(e.node.id for e in entries if e.distance == 0)
    api = f"/api/graph/cables/{quote(centre)}/thread"
    return render(
        "graph_thread.html",
        request=request,
        section="graph",
        archive_count=count,
        centre=centre,
        entries=entries[:THREAD_ROWS],
        total=len(entries),
        subjects=subjects,
        hops=hops,
        days=days,
        notices=notices,
        json_url=_api(api, hops=hops, days=days),
        exports=[(f, _api(api, hops=hops, days=days, format=f)) for f in FORMATS],
    )


def most_cited_page(request: Request) -> Response:
    state = params.for_page(request.query_params)
    archived = request.query_params.get("archived") or "all"
    if archived not in _ARCHIVED:
        state.notices.append(f"archived: expected all, yes or no; found {archived[:40]!r}")
        archived = "all"
    # Its own page size (params.for_page counts search pages of 20).
    page = _page(request)
    state.offset = (page - 1) * PAGE_SIZE
    context: dict[str, Any] = {
        "section": "graph",
        "q": state.q,
        "sort": None,
        "archived": archived,
        "notices": state.notices,
        "error": None,
        "rows": [],
        "page": page,
        "offset": state.offset,
        "page_size": PAGE_SIZE,
        "summary": {},
        "node_href": node_href,
        "json_url": _api("/api/graph/most-cited", q=state.q, archived=archived),
        "exports": [(f, _api("/api/graph/export", q=state.q, format=f)) for f in FORMATS],
        "url": lambda **change: _api(
            "/graph/most-cited", **{"q": state.q, "archived": archived, **change}
        ),
    }
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        try:
            rows = archive.graph_most_cited(
                viewer=viewer,
                query=state.q,
                archived=_ARCHIVED[archived],
                limit=PAGE_SIZE + 1,
                offset=state.offset,
            )
        except QueryError as exc:
            context["error"] = exc
            return render("graph_most_cited.html", status_code=400, request=request, **context)
        context["summary"] = archive.graph_stats(viewer=viewer)
    note(request, "search", q=state.q, via="most-cited")
    context["rows"] = rows[:PAGE_SIZE]
    context["more"] = len(rows) > PAGE_SIZE
    return render("graph_most_cited.html", request=request, **context)


def _page(request: Request) -> int:
    raw = request.query_params.get("page") or "1"
    try:
        value = int(raw)
    except ValueError:
        return 1
    return value if 1 <= value <= math.ceil(params.MAX_OFFSET / PAGE_SIZE) else 1
