"""Coverage on the desk (docs/coverage.md): the table per post and year with its chart,
sortable (best and worst covered first); the missing cables, filterable by post, year
and citations; a post's serial timeline. Reading pages, each built from the asking
reader's own coverage (a visitor's: the published edition's)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from cabledesk.archive.coverage import DEFAULT_METHOD, METHODS, SORTS
from cabledesk.presentation import coverage_chart
from cabledesk.web import params
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.coverage_api import Filters
from cabledesk.web.templating import render

TABLE_ROWS = 60
MISSING_ROWS = 50
# The citing cables shown per missing cable (the exports hold all).
CITING_SHOWN = 10


def _url(path: str, **query: object) -> str:
    kept = {
        k: v
        for k, v in query.items()
        if v not in (None, "") and not (k in ("page", "min_citations") and v == 1)
    }
    return path + ("?" + urlencode(kept) if kept else "")


def _page(request: Request, size: int, total: int) -> int:
    raw = request.query_params.get("page") or "1"
    try:
        value = int(raw)
    except ValueError:
        return 1
    return value if 1 <= value <= max(1, math.ceil(total / size)) else 1


def _filters(request: Request) -> tuple[Filters, list[str]]:
    try:
        return Filters(request.query_params), []
    except params.BadParameter as exc:
        return Filters(request.query_params.__class__("")), [f"{exc}; shown without filters"]


def coverage_page(request: Request) -> Response:
    f, notices = _filters(request)
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        rows = archive.coverage(
            viewer=viewer,
            post=f.post,
            year=f.year,
            sort=f.sort,
            method=f.method,  # type: ignore[arg-type]
        )
    page = _page(request, TABLE_ROWS, len(rows))
    shown = rows[(page - 1) * TABLE_ROWS : page * TABLE_ROWS]
    held = sum(r.held for r in rows)
    sent = sum(r.chosen.point or 0 for r in rows)
    state = {
        "post": f.post,
        "year": f.year,
        "sort": None if f.sort == "post" else f.sort,
        "method": None if f.method == DEFAULT_METHOD else f.method,
    }

    def url(**change: object) -> str:
        return _url("/coverage", **{**state, "page": page, **change})

    api = {k: v for k, v in state.items() if v is not None}
    return render(
        "coverage.html",
        request=request,
        section="coverage",
        archive_count=count,
        rows=shown,
        total=len(rows),
        held=held,
        sent=sent,
        page=page,
        more=page * TABLE_ROWS < len(rows),
        offset=(page - 1) * TABLE_ROWS,
        chart=coverage_chart.share_chart(shown),
        colours={"held": coverage_chart.HELD},
        f=f,
        sorts=SORTS,
        methods=METHODS,
        notices=notices,
        url=url,
        json_url=_url("/api/coverage", **api),
        csv_url=_url("/api/coverage", **api, format="csv"),
        missing_url=_url("/coverage/missing", post=f.post, year=f.year),
        post_url=lambda post: f"/coverage/posts/{quote(post)}",
    )


def missing_page(request: Request) -> Response:
    f, notices = _filters(request)
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        found = archive.missing(
            viewer=viewer, post=f.post, year=f.year, min_citations=f.min_citations
        )
        page = _page(request, MISSING_ROWS, len(found))
        shown = found[(page - 1) * MISSING_ROWS : page * MISSING_ROWS]
        citing = {m.id: archive.missing_citing(m.id, viewer=viewer) for m in shown}
    state = {"post": f.post, "year": f.year, "min_citations": f.min_citations}

    def url(**change: object) -> str:
        return _url("/coverage/missing", **{**state, "page": page, **change})

    api = {k: v for k, v in state.items() if v is not None}
    return render(
        "coverage_missing.html",
        request=request,
        section="coverage",
        archive_count=count,
        rows=shown,
        total=len(found),
        citing=citing,
        citing_shown=CITING_SHOWN,
        page=page,
        more=page * MISSING_ROWS < len(found),
        offset=(page - 1) * MISSING_ROWS,
        f=f,
        notices=notices,
        url=url,
        json_url=_url("/api/coverage/missing", **api),
        csv_url=_url("/api/coverage/missing", **api, format="csv", limit=1000),
        post_url=lambda post: f"/coverage/posts/{quote(post)}",
    )


def post_page(request: Request) -> Response:
    post = str(request.path_params["post"]).upper()
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        years = archive.coverage_timeline(post, viewer=viewer) if post.isalpha() else []
        rows = archive.coverage(viewer=viewer, post=post) if years else []
    if not years:
        return render(
            "error.html",
            status_code=404,
            request=request,
            archive_count=count,
            section="coverage",
            title="No such post",
            message=f"{post[:40]}: no serial of this post is held or cited here.",
        )
    context: dict[str, Any] = {
        "section": "coverage",
        "archive_count": count,
        "post": post,
        "rows": rows,
        "drawing": coverage_chart.serial_timeline(years),
        "colours": {
            "held": coverage_chart.HELD,
            "cited but missing": coverage_chart.MISSING,
            "unknown": coverage_chart.UNKNOWN,
        },
        "json_url": f"/api/coverage/posts/{quote(post)}",
        "csv_url": _url("/api/coverage", post=post, format="csv"),
        "missing_url": _url("/coverage/missing", post=post),
    }
    return render("coverage_post.html", request=request, **context)
