"""Browsing what the archive holds: by origin, tag (grouped by kind), month, classification."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cabledesk.facade import Archive
from cabledesk.redact import Viewer
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.templating import render

KINDS = ("origin", "tag", "month", "classification")


def rows_for(archive: Archive, by: str, viewer: Viewer) -> Any:
    """The rows to browse by one of KINDS, as the archive gives them (page and API)."""
    if by == "origin":
        return archive.browse_origins(viewer=viewer)
    if by == "tag":
        return archive.browse_tags(viewer=viewer)
    if by == "month":
        return archive.browse_months(viewer=viewer)
    return archive.browse_classifications(viewer=viewer)


def browse_page(request: Request) -> Response:
    by = str(request.path_params.get("by", "origin"))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        if by not in KINDS:
            return render(
                "error.html",
                status_code=404,
                request=request,
                archive_count=count,
                section="browse",
                title="Nothing to browse there",
                message=f"/browse/{by}: expected one of "
                + ", ".join(f"/browse/{k}" for k in KINDS)
                + ".",
            )
        rows = rows_for(archive, by, viewer)
    if by == "month":  # the page lists months under their years
        rows = [(year, list(group)) for year, group in groupby(rows, key=lambda m: m[0][:4])]
    return render(
        "browse.html", request=request, section="browse", archive_count=count, by=by, rows=rows
    )
