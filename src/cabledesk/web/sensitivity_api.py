"""The JSON API of predicted sensitivity (docs/sensitivity.md): the editors' review queue,
`/api/sensitivity/review`. A cable's predicted classification comes with its record
(`/api/cables/{id}`, `predicted`) and with search hits, to readers granted its scores."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cabledesk.archive.sensitivity import REVIEW_KINDS
from cabledesk.web import params
from cabledesk.web.api import error as _error
from cabledesk.web.auth import requires
from cabledesk.web.context import archive_of, viewer_of

REVIEW_PAGE = 50
REVIEW_MOST = 500


class ReviewFilters:
    """The review queue's parameters (BadParameter when malformed)."""

    def __init__(self, query: QueryParams) -> None:
        kind = (query.get("kind") or "").strip()
        if kind and kind not in REVIEW_KINDS:
            raise params.BadParameter("kind", ", ".join(REVIEW_KINDS), kind)
        self.kind: str | None = kind or None
        approved = (query.get("approved") or "").lower()
        if approved not in ("", "0", "1", "true", "false", "yes", "no"):
            raise params.BadParameter("approved", "true or false", approved)
        self.approved = approved in ("1", "true", "yes")
        self.limit = params.integer(query, "limit", REVIEW_PAGE, 1, REVIEW_MOST)
        self.offset = params.integer(query, "offset", 0, 0, 10_000_000)


def review_dict(page: Any, f: ReviewFilters) -> dict[str, Any]:
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "kind": f.kind,
        "approved": f.approved,
        "items": [asdict(item) for item in page.items],
    }


@requires("editor")
def review(request: Request) -> Response:
    try:
        f = ReviewFilters(request.query_params)
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        page = archive.review(
            viewer=viewer_of(request, archive),
            kind=f.kind,
            approved=f.approved,
            limit=f.limit,
            offset=f.offset,
        )
    return JSONResponse(review_dict(page, f))


ROUTES = [Route("/api/sensitivity/review", review)]
