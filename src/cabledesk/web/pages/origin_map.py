"""The map of origins: the page `/map?q=`, its JSON `/api/map?q=`, and the outline it is
drawn on (`/map/world.svg`). Counts come from the reader's own view, as the facets do
(Archive.origin_counts)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cabledesk.presentation import world_map
from cabledesk.query import QueryError
from cabledesk.web import params
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.templating import render


def map_page(request: Request) -> Response:
    state = params.for_page(request.query_params)
    context: dict[str, Any] = {
        "section": "map",
        "q": state.q,
        "sort": None,
        "notices": state.notices,
        "error": None,
        "origin_map": None,
    }
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        try:
            counts = archive.origin_counts(
                state.q,
                viewer=viewer,
                blank_matches_all=True,
                variants=params.variants_on(request.query_params),
            )
        except QueryError as exc:
            context["error"] = exc
            return render("map.html", status_code=400, request=request, **context)
    note(request, "search", q=state.q, via="map")
    context["origin_map"] = world_map.build(counts)
    return render("map.html", request=request, **context)


def map_api(request: Request) -> Response:
    try:
        state = params.for_api(request.query_params)
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        try:
            counts = archive.origin_counts(
                state.q,
                viewer=viewer_of(request, archive),
                blank_matches_all=True,
                variants=params.variants_on(request.query_params),
            )
        except QueryError as exc:
            return _error(400, str(exc.message), query=exc.query, position=exc.position)
    note(request, "search", q=state.q, via="api/map")
    drawn = world_map.build(counts)
    return JSONResponse(
        {
            "query": state.q,
            "total": drawn.total,
            "posts": [
                {k: v for k, v in asdict(m).items() if k not in ("x", "y", "r")}
                for m in drawn.marks
            ],
            "unplaced": [{"origin": o, "count": n} for o, n in drawn.unplaced],
        }
    )


def world_outline(request: Request) -> Response:
    """The same for everyone (no cable in it): cached by browsers for a day."""
    return Response(
        world_map.outline_svg(),
        media_type="image/svg+xml",
        headers={"cache-control": "public, max-age=86400"},
    )


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, **extra}}, status)
