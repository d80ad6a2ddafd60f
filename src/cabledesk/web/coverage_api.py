"""The JSON API of coverage (docs/coverage.md): `/api/coverage` (per post and year),
`/api/coverage/missing` (cited but absent cables) and `/api/coverage/posts/{post}` (a
post's serials per year). Reading routes: each reader's figures are computed from their
own view (visitors: the published edition's), never from another's."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cabledesk.archive.coverage import DEFAULT_METHOD, METHODS, SORTS, Missing, Timeline
from cabledesk.web import params
from cabledesk.web.api import error as _error
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of

_POST = re.compile(r"[A-Za-z]{1,40}")
MISSING_LIMIT = 1000
COLUMNS = (
    "post", "year", "held", "cited_missing", "highest_serial", "method",
    "estimate", "low", "high", "share_held",
)  # fmt: skip
MISSING_COLUMNS = ("id", "post", "year", "serial", "citations", "estimated_date", "estimate")


class Filters:
    """The filters every coverage route and page takes (BadParameter when malformed)."""

    def __init__(self, query: QueryParams) -> None:
        post = (query.get("post") or "").strip()
        if post and not _POST.fullmatch(post):
            raise params.BadParameter("post", "a post's name in letters (like BAGHDAD)", post)
        self.post: str | None = post.upper() or None
        year = params.integer(query, "year", 0, 1966, 2099) if query.get("year") else None
        self.year: int | None = year
        self.sort = query.get("sort") or "post"
        if self.sort not in SORTS:
            raise params.BadParameter("sort", ", ".join(SORTS), self.sort)
        self.method = query.get("method") or DEFAULT_METHOD
        if self.method not in METHODS:
            raise params.BadParameter("method", " or ".join(METHODS), self.method)
        self.min_citations = params.integer(query, "min_citations", 1, 1, 1_000_000)
        self.format = query.get("format") or "json"
        if self.format not in ("json", "csv"):
            raise params.BadParameter("format", "json or csv", self.format)


def missing_dict(m: Missing, citing: list[str] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {c: getattr(m, c) for c in MISSING_COLUMNS}
    if citing is not None:
        row["citing"] = citing
    return row


def timeline_dict(t: Timeline) -> dict[str, Any]:
    return {
        "post": t.post,
        "year": t.year,
        "highest_serial": t.highest,
        "held": t.held,
        "cited_missing": t.missing,
        "unknown": t.highest - len(t.held) - len(t.missing),
    }


def csv_response(
    request: Request, name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> Response:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        count += 1
        writer.writerow(
            [
                " ".join(v) if isinstance(v, list) else ("" if v is None else v)
                for v in (row.get(c) for c in columns)
            ]
        )
    note(request, "export", what=name, format="csv", rows=count, via="api")
    return Response(
        text.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"', "x-rows": str(count)},
    )


def coverage_table(request: Request) -> Response:
    try:
        f = Filters(request.query_params)
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        rows = archive.coverage(
            viewer=viewer_of(request, archive),
            post=f.post,
            year=f.year,
            sort=f.sort,
            method=f.method,  # type: ignore[arg-type]
        )
    found = [r.as_dict() for r in rows]
    if f.format == "csv":
        return csv_response(request, "coverage", COLUMNS, found)
    return JSONResponse(
        {"post": f.post, "year": f.year, "sort": f.sort, "method": f.method, "rows": found}
    )


def coverage_missing(request: Request) -> Response:
    try:
        f = Filters(request.query_params)
        limit = params.integer(request.query_params, "limit", 100, 1, MISSING_LIMIT)
        offset = params.integer(request.query_params, "offset", 0, 0, 10_000_000)
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        found = archive.missing(
            viewer=viewer,
            post=f.post,
            year=f.year,
            min_citations=f.min_citations,
            limit=limit + 1,
            offset=offset,
        )
        rows = [missing_dict(m, archive.missing_citing(m.id, viewer=viewer)) for m in found[:limit]]
    if f.format == "csv":
        return csv_response(request, "missing-cables", (*MISSING_COLUMNS, "citing"), rows)
    return JSONResponse(
        {
            "post": f.post,
            "year": f.year,
            "min_citations": f.min_citations,
            "offset": offset,
            "limit": limit,
            "more": len(found) > limit,
            "cables": rows,
        }
    )


def coverage_post(request: Request) -> Response:
    post = str(request.path_params["post"])
    if not _POST.fullmatch(post):
        return _error(400, f"post: expected a post's name in letters; found {post[:40]!r}")
    with archive_of(request) as archive:
        years = archive.coverage_timeline(post, viewer=viewer_of(request, archive))
    if not years:
        return _error(404, f"{post.upper()}: no serial of this post is held or cited here")
    return JSONResponse({"post": post.upper(), "years": [timeline_dict(t) for t in years]})


ROUTES = [
    Route("/api/coverage", coverage_table),
    Route("/api/coverage/missing", coverage_missing),
    Route("/api/coverage/posts/{post}", coverage_post),
]
