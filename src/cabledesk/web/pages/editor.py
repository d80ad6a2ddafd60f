"""The editors' desk: the redaction register, candidates, approvals, editions, history.

Editors (and the single-user local desk) only. Every change goes through the same
library call the command line uses, so it is logged in the register and the audit alike.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cabledesk.archive.register import RegisterError
from cabledesk.facade import Archive
from cabledesk.publish import build_site
from cabledesk.publish.site import PublishError
from cabledesk.query import QueryError
from cabledesk.record.ids import normal_id
from cabledesk.record.level import Level
from cabledesk.record.model import Cable
from cabledesk.redact import Rule, Viewer
from cabledesk.redact.candidates import find_candidates
from cabledesk.web.auth import requires
from cabledesk.web.auth.csrf import ensure_token
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.redirects import safe_next
from cabledesk.web.templating import render

EDITION_FOLDER = "edition"


def edition_folder(archive_path: Path) -> Path:
    """Where the desk builds the public edition (served at /edition/)."""
    return archive_path / EDITION_FOLDER


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    with archive_of(request) as archive:
        context.setdefault("archive_count", archive.count(viewer=viewer_of(request, archive)))
    return render(template, status_code=status, request=request, section="editor", **context)


def _back(request: Request, fallback: str, **params: str) -> Response:
    target = safe_next(form_of(request).get("next"), fallback)
    if params:
        glue = "&" if "?" in target else "?"
        target += glue + "&".join(f"{k}={quote(v)}" for k, v in params.items())
    return RedirectResponse(target, status_code=303)


def _register_context(archive: Archive, viewer: Viewer) -> dict[str, Any]:
    return {
        "rules": archive.register(viewer=viewer, include_lifted=True),
        "history": list(reversed(archive.register_history(viewer=viewer))),
    }


@requires("editor")
def redactions_page(request: Request) -> Response:
    with archive_of(request) as archive:
        context = _register_context(archive, viewer_of(request, archive))
    notice = request.query_params.get("notice")
    return _page(request, "editor_redactions.html", notice=notice, error=None, form={}, **context)


@requires("editor")
def add_redaction(request: Request) -> Response:
    form = form_of(request)
    kind = form.get("kind", "name")
    paragraph = form.get("paragraph", "").strip()
    variants = [v.strip() for v in form.get("variants", "").replace("\n", ",").split(",")]
    rule = Rule(
        kind=kind,
        text=form.get("text", ""),
        variants=[v for v in variants if v],
        cable_id=form.get("cable_id") or None,
        paragraph=int(paragraph) if paragraph.isdigit() else None,
        reason=form.get("reason", ""),
    )
    try:
        with archive_of(request) as archive:
            stored = archive.redact(rule, account=principal_of(request).name)
    except RegisterError as exc:
        with archive_of(request) as archive:
            context = _register_context(archive, viewer_of(request, archive))
        return _page(
            request, "editor_redactions.html", 400, notice=None, error=str(exc), form=form,
            **context,
        )  # fmt: skip
    return _back(request, "/editor/redactions", notice=f"Marked: {stored.describe()}")


@requires("editor")
def lift_redaction(request: Request) -> Response:
    form = form_of(request)
    rule_id = int(str(request.path_params["rule_id"]))
    try:
        with archive_of(request) as archive:
            archive.lift(rule_id, reason=form.get("reason", ""), account=principal_of(request).name)
    except RegisterError as exc:
        with archive_of(request) as archive:
            context = _register_context(archive, viewer_of(request, archive))
        return _page(
            request, "editor_redactions.html", 400, notice=None, error=str(exc), form={},
            **context,
        )  # fmt: skip
    return _back(request, "/editor/redactions", notice=f"Lifted redaction {rule_id}")


@requires("editor")
def candidates_page(request: Request) -> Response:
    q = request.query_params.get("q", "")[:2000]
    names = [n.strip() for n in request.query_params.get("names", "").split(",") if n.strip()]
    found, error = [], None
    people = None
    reads: dict[Any, float] = {}
    if q.strip():
        try:
            with archive_of(request) as archive:
                # The editor's own viewer: their query reaches, and the finder reads, only
                # what their ceiling (and the foreign flag) lets them see.
                viewer = viewer_of(request, archive)
                result = archive.search(q, limit=50, facets=False, viewer=viewer)
                # People by entity first (docs/entities.md); names and passages below.
                hit_ids = [hit.reference_id for hit in result.hits]
                people = archive.entity_candidates(hit_ids, viewer=viewer)
                for hit in result.hits:
                    cable = archive.get(hit.reference_id, viewer=viewer)
                    if cable is not None:
                        found += find_candidates(cable, names, viewer)
                # Candidates in more sensitive-looking paragraphs first (docs/sensitivity.md).
                ranked = archive.rank_candidates(found, viewer=viewer)
                found = [c for c, _ in ranked]
                reads = {c: score for c, score in ranked if score is not None}
        except QueryError as exc:
            error = str(exc)
    return _page(
        request, "editor_candidates.html", 400 if error else 200, q=q,
        names=", ".join(names), candidates=found, error=error, people=people, reads=reads,
    )  # fmt: skip


@requires("editor")
def approvals(request: Request) -> Response:
    form = form_of(request)
    ids = [i for i in form.get("ids", "").replace(",", " ").split() if i]
    account = principal_of(request).name
    try:
        with archive_of(request) as archive:
            if form.get("action") == "withdraw":
                archive.withdraw(ids, account=account)
                notice = f"Withdrawn from the next edition: {', '.join(ids)}"
            else:
                archive.approve(ids, account=account)
                notice = f"Approved for the next edition: {', '.join(ids)}"
    except RegisterError as exc:
        notice = str(exc)
    return _back(request, "/editor/editions", notice=notice)


def _editions_context(archive: Archive, viewer: Viewer) -> dict[str, Any]:
    return {
        "approved": archive.approved(viewer=viewer),
        "editions": archive.editions(viewer=viewer),
    }


@requires("editor")
def editions_page(request: Request) -> Response:
    with archive_of(request) as archive:
        context = _editions_context(archive, viewer_of(request, archive))
    return _page(
        request, "editor_editions.html", notice=request.query_params.get("notice"), **context
    )


@requires("editor")
def build_edition(request: Request) -> Response:
    try:
        with archive_of(request) as archive:
            report = build_site(
                archive, edition_folder(archive.path), account=principal_of(request).name
            )
    except PublishError as exc:
        return _back(request, "/editor/editions", notice=str(exc))
    notice = f"Edition {report.edition} published: {report.cables} cables at /edition/"
    return _back(request, "/editor/editions", notice=notice)


def readable_versions(versions: list[tuple[str, Cable]], viewer: Viewer) -> list[tuple[str, str]]:
    """(label, text) of each version as this editor may read it. Every version is judged
    at the highest level and caveats any version carries (a text re-marked SECRET was
    SECRET all along); when the viewer withholds anything of any version, no raw text is
    diffed (it cannot be cut at paragraphs) but each version's reading text as rebuilt
    from what the editor may see, so no line above their ceiling reaches the diff."""
    top = max((c for _, c in versions), key=lambda c: Level.of(c.classification))
    caveats = sorted({caveat for _, c in versions for caveat in c.caveats})
    judged = [
        (label, replace(c, classification=top.classification, caveats=caveats))
        for label, c in versions
    ]
    seen = [(label, viewer.view(c)) for label, c in judged]
    if all(v.raw == c.raw for (_, v), (_, c) in zip(seen, judged, strict=True)):
        return [(label, v.raw) for label, v in seen]
    return [(label, v.text) for label, v in seen]


@requires("editor")
def history_page(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        current = archive.get(reference_id, viewer=viewer)
        earlier = archive.versions(reference_id, viewer=viewer)
    if current is None:
        return _page(
            request, "error.html", 404, title="No such cable",
            message=f"{reference_id}: expected the reference id of a cable in this archive.",
        )  # fmt: skip
    versions = [(f"version {v} (replaced {at})", c) for v, at, c in earlier]
    texts = readable_versions([*versions, ("current version", current)], viewer)
    diffs = [
        (
            f"{old_label} → {new_label}",
            list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)),
        )
        for (old_label, old), (new_label, new) in itertools.pairwise(texts)
    ]
    return _page(request, "editor_history.html", reference_id=reference_id, diffs=diffs)
