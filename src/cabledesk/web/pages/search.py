"""The search page and the timeline: one query box, the URL holding the whole state."""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from cabledesk.archive.copies import WEB_SKETCH_LIMIT, CopiesPending
from cabledesk.presentation import chart, world_map
from cabledesk.presentation.present import chips
from cabledesk.query import QueryError
from cabledesk.web import params
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.pages.workspace import workspace_context
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
    # Spelling variants are searched too unless the URL says variants=off (docs/search.md).
    variants = params.variants_on(request.query_params)
    context["variants"] = variants
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        # The add-to-collection form (docs/workspace.md): the reader's own collections,
        # and what the form did (it comes back here with a notice).
        context.update(workspace_context(request, archive, make_token=False))
        done = request.query_params.get("notice", "")[:300]
        if done and context["editable"]:
            state.notices.append(done)
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
                        variants=variants,
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
                    variants=variants,
                )
        except QueryError as exc:
            # Shown beside the box, with the page still usable: never an error page.
            context["error"] = exc
            return render("search.html", status_code=400, request=request, **context)
        # The map of origins beside the facets: every origin, from the reader's view.
        context["origin_map"] = world_map.build(
            archive.origin_counts(state.q, viewer=viewer, blank_matches_all=True, variants=variants)
        )
        # The chips name an `entity:N` by the name this reader is shown, or its number.
        wanted = [int(c.value) for c in chips(state.q) if c.field == "entity" and c.value.isdigit()]
        if wanted:
            context["entity_names"] = archive.entity_names(wanted, viewer=viewer)
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
    view = _timeline_view(request.query_params, state.notices)
    everything = None
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        try:
            months = archive.timeline(
                state.q,
                blank_matches_all=True,
                viewer=viewer,
                variants=params.variants_on(request.query_params),
            )
        except QueryError as exc:
            context["error"] = exc
            return render("timeline.html", status_code=400, request=request, **context)
        if view["share"]:
            # The reader's own cables per month: the share is of what they may see.
            everything = archive.timeline("", blank_matches_all=True, viewer=viewer)
    note(request, "search", q=state.q, via="timeline")
    drawn = chart.build(
        months, first=view["from"], last=view["to"], whole=view["whole"], all_cables=everything
    )
    context.update(months=months, total=sum(m.total for m in months), chart=drawn, view=view)
    return render("timeline.html", request=request, **context)


_MONTH = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])")


def _timeline_view(query: QueryParams, notices: list[str]) -> dict[str, Any]:
    """The timeline's own options from its URL: `from` and `to` (YYYY-MM, a zoom),
    `whole=1` (every month, outliers too), `share=1` (matches as a part of each month's
    cables). What cannot be used is reported and left out, never fatal."""
    view: dict[str, Any] = {"from": None, "to": None, "whole": False, "share": False}
    for name in ("from", "to"):
        value = query.get(name, "")
        if value and _MONTH.fullmatch(value):
            view[name] = value
        elif value:
            notices.append(f"{name}: expected a month like 2008-06, not {value[:20]!r}; ignored")
    view["whole"] = query.get("whole", "") in ("1", "true")
    view["share"] = query.get("share", "") in ("1", "true")
    return view
