"""A cable in full: header box, references both ways, paragraphs with anchors, the raw text."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from cabledesk.archive.copies import WEB_SKETCH_LIMIT, CopiesPending
from cabledesk.presentation.present import paragraph_anchors
from cabledesk.record.ids import normal_id
from cabledesk.web.auth.csrf import ensure_token
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.pages.entities import cable_entities, linked_paragraphs
from cabledesk.web.pages.workspace import workspace_context
from cabledesk.web.templating import render

# Seconds a cable page waits for the reader's similar-cables model to be built.
SIMILAR_WAIT = 3.0


def cable_page(request: Request) -> Response:
    if principal_of(request).may("editor"):
        ensure_token(request.scope.setdefault("session", {}))  # the editor panel's forms
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        cable = archive.get(reference_id, viewer=viewer)
        if cable is None:
            # A visitor is not told whether an unpublished cable exists: the same answer
            # either way, with the way to sign in.
            message = (
                f"{reference_id}: this cable is not in the published edition."
                if viewer.published_only
                else f"{reference_id}: expected the reference id of a cable in this archive "
                "(like 08BAGHDAD1784); this archive has no cable with that id."
            )
            return render(
                "error.html",
                status_code=404,
                request=request,
                archive_count=count,
                section="search",
                title="No such cable",
                message=message,
                sign_in=f"/login?next={quote(request.url.path, safe='')}"
                if viewer.published_only
                else None,
            )
        cited = [r.cable_id for r in cable.references if r.cable_id]
        present = archive.present(cited, viewer=viewer)
        citing = archive.citing(reference_id, viewer=viewer)
        previous, following = archive.neighbours(reference_id, viewer=viewer)
        # Mentions placed in the record this reader receives (unplaced ones: not linked).
        mentions = archive.placed_mentions(reference_id, viewer=viewer)
        # Its near-duplicates in this reader's groups (docs/near-duplicates.md); none
        # listed while a large ingest's texts wait to be sketched.
        try:
            copies = (
                archive.copies(reference_id, viewer=viewer, sketch_limit=WEB_SKETCH_LIMIT) or []
            )
        except CopiesPending:
            copies = []
        # More like this (docs/similar.md): from this reader's own view. The page does
        # not wait minutes for a model of a large archive: it says it is being prepared.
        similar = None
        if archive.similar_prepared(viewer=viewer, wait=SIMILAR_WAIT):
            similar = archive.similar(reference_id, viewer=viewer)
        # The reader's notes beside the paragraphs and the add-to-collection form
        # (docs/workspace.md); none for a visitor.
        workspace = None
        if principal_of(request).role != "public":
            workspace = workspace_context(request, archive)
            notes: dict[str | None, list[Any]] = {}
            for found in archive.notes(reference_id, principal=principal_of(request)):
                notes.setdefault(found.paragraph, []).append(found)
            workspace["notes"] = notes
        # Where the classification is missing: the model's guess, marked as predicted,
        # when this reader is granted the cable's scores (docs/sensitivity.md).
        predicted = None if cable.classification else archive.predicted(reference_id, viewer=viewer)
    note(request, "cable_view", reference_id=reference_id, via="page")
    return render(
        "cable.html",
        request=request,
        section="search",
        archive_count=count,
        cable=cable,
        present=present,
        citing=citing,
        previous=previous,
        following=following,
        anchors=paragraph_anchors([p.number for p in cable.paragraphs]),
        # The address this page is at, for its citations (the static edition has none:
        # where it will be served is not known when it is built).
        permalink=f"{request.base_url}cable/{quote(cable.reference_id or reference_id)}",
        notice=request.query_params.get("notice", "")[:300] or None,
        linked=linked_paragraphs(mentions, cable),
        cable_entities=cable_entities(mentions),
        copies=copies,
        similar=similar,
        similar_preparing=similar is None,
        workspace=workspace,
        predicted=predicted,
    )
