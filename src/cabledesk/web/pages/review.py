"""The editors' review queue (docs/sensitivity.md, "The review queue"): what the
sensitivity models find more sensitive than its label, highest margin first, paged, each
item linked to its cable and paragraph. Editors (and the local desk) only."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from cabledesk.archive.sensitivity import REVIEW_KINDS
from cabledesk.presentation.present import paragraph_anchors
from cabledesk.web import params
from cabledesk.web.auth import requires
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.sensitivity_api import ReviewFilters
from cabledesk.web.templating import render

KIND_TITLES = {
    "above-marking": "paragraph predicted above its marking",
    "unmarked-secret": "unmarked paragraph predicted SECRET",
    "unclassified-reads-secret": "UNCLASSIFIED cable that reads like a SECRET one",
}
PAGE = 25


@requires("editor")
def review_page(request: Request) -> Response:
    error = None
    try:
        f = ReviewFilters(request.query_params)
    except params.BadParameter as exc:
        error, f = str(exc), ReviewFilters(request.query_params.__class__(""))
    if "limit" not in request.query_params:
        f.limit = PAGE
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        page = archive.review(
            viewer=viewer, kind=f.kind, approved=f.approved, limit=f.limit, offset=f.offset
        )
        # Each paragraph's address on its cable's page (`p5`, `u2` for an unnumbered one).
        anchors: dict[tuple[str, int], str] = {}
        for reference_id in {i.reference_id for i in page.items if i.position is not None}:
            cable = archive.get(reference_id, viewer=viewer)
            if cable is not None:
                numbers = [p.number for p in cable.paragraphs]
                for position, anchor in enumerate(paragraph_anchors(numbers)):
                    anchors[(reference_id, position)] = anchor

    def link(offset: int) -> str:
        query: dict[str, str | int] = {}
        if f.kind:
            query["kind"] = f.kind
        if f.approved:
            query["approved"] = 1
        if offset:
            query["offset"] = offset
        return "/editor/review" + ("?" + urlencode(query) if query else "")

    return render(
        "editor_review.html",
        status_code=400 if error else 200,
        request=request,
        section="editor",
        archive_count=count,
        error=error,
        page=page,
        kind=f.kind,
        approved=f.approved,
        kinds=[(k, KIND_TITLES[k]) for k in REVIEW_KINDS],
        titles=KIND_TITLES,
        anchors=anchors,
        previous=link(max(0, f.offset - f.limit)) if f.offset > 0 else None,
        following=link(f.offset + f.limit) if f.offset + f.limit < page.total else None,
    )
