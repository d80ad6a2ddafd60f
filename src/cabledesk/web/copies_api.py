"""The JSON API of near-duplicates (docs/near-duplicates.md): `/api/copies` (the report
of the reader's groups) and `/api/cables/{reference_id}/copies` (one cable's copies).
Reading routes: visitors get the published edition's groups (built from it alone)."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cabledesk.archive.copies import WEB_SKETCH_LIMIT, CopiesPending
from cabledesk.record.ids import normal_id
from cabledesk.web import params
from cabledesk.web.api import _unknown
from cabledesk.web.api import error as _error
from cabledesk.web.context import archive_of, viewer_of


def copies_stats(request: Request) -> Response:
    try:
        largest = params.integer(request.query_params, "largest", 10, 0, 100)
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        try:
            found = archive.copies_stats(
                viewer=viewer_of(request, archive), largest=largest, sketch_limit=WEB_SKETCH_LIMIT
            )
        except CopiesPending as exc:
            return _error(503, str(exc))
    keys = (
        "texts", "sketched", "candidates", "checked", "pairs", "copy_pairs",
        "contained_pairs", "contained_seen", "groups", "cables_in_groups", "largest",
        "sizes", "largest_groups",
    )  # fmt: skip
    return JSONResponse({key: found.get(key) for key in keys})


def cable_copies(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        try:
            found = archive.copies(
                reference_id, viewer=viewer_of(request, archive), sketch_limit=WEB_SKETCH_LIMIT
            )
        except CopiesPending as exc:
            return _error(503, str(exc))
    if found is None:
        # Exactly what an id the archive does not hold gets (for visitors: one the edition
        # does not hold).
        return _unknown(reference_id)
    return JSONResponse({"reference_id": reference_id, "copies": [asdict(copy) for copy in found]})


ROUTES = [
    Route("/api/copies", copies_stats),
    Route("/api/cables/{reference_id}/copies", cable_copies),
]
