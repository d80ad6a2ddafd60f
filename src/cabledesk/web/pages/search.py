"""The search page and the timeline: one query box, the URL holding the whole state."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cabledesk.archive.copies import WEB_SKETCH_LIMIT, CopiesPending
from cabledesk.presentation import chart
from cabledesk.query import QueryError
from cabledesk.web import params
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.templating import render


def search_page(request: Request) -> Response:
    state = params.for_page(request.query_params)
    context: dict[str, Any] = {
        "section": "search",
        "q": state.q,
        "sort": state.sort,
        "notices": state.notices,
        "error": None,
        "result": None,
        "offset": state.offset,
        "page": state.page,
        "pages": 0,
    }
    # Near-duplicates fold into one hit unless the URL says collapse=0
    # (docs/near-duplicates.md).
    collapse = request.query_params.get("collapse", "1") not in ("0", "false", "no")
    context.update(collapse=collapse, folded={}, copies={})
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        try:
            result = None
            if collapse:
                try:
                    result, context["folded"], context["copies"] = archive.search_collapsed(
                        state.q,
                        limit=state.limit,
                        offset=state.offset,
                        sort=state.sort,
                        facets=True,
                        blank_matches_all=True,
                        viewer=viewer,
                        sketch_limit=WEB_SKETCH_LIMIT,
                    )
                except CopiesPending:
                    context["collapse"] = False
                    state.notices.append("copies are not folded yet: the archive is new to them")
            if result is None:
                result = archive.search(
                    state.q,
                    limit=state.limit,
                    offset=state.offset,
                    sort=state.sort,
                    facets=True,
                    blank_matches_all=True,
                    viewer=viewer,
                )
        except QueryError as exc:
            # Shown beside the box, with the page still usable: never an error page.
            context["error"] = exc
            return render("search.html", status_code=400, request=request, **context)
    note(request, "search", q=state.q, via="page")
    context["result"] = result
    context["pages"] = min(
        math.ceil(result.total / state.limit), params.MAX_OFFSET // params.PAGE_SIZE
    )
    return render("search.html", request=request, **context)


def timeline_page(request: Request) -> Response:
    state = params.for_page(request.query_params)
    context: dict[str, Any] = {
        "section": "timeline",
        "q": state.q,
        "sort": None,
        "notices": state.notices,
        "error": None,
        "chart": None,
        "months": [],
        "total": 0,
    }
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        try:
            months = archive.timeline(state.q, blank_matches_all=True, viewer=viewer)
        except QueryError as exc:
            context["error"] = exc
            return render("timeline.html", status_code=400, request=request, **context)
    note(request, "search", q=state.q, via="timeline")
    context.update(months=months, total=sum(m.total for m in months), chart=chart.build(months))
    return render("timeline.html", request=request, **context)
