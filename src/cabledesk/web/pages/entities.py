"""Entities on the desk: the index (most mentioned, by kind, by name, of a query's
cables), one entity's page, the mentions linked on a cable's page, and the exports.

Every answer is built from the asking reader's view by the facade (`Archive.entities`,
`entity`, `query_entities`, `placed_mentions`): this module only lays it out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from cabledesk.entities import KINDS
from cabledesk.entities.model import EntityCount, SeenMention
from cabledesk.entities.placing import field_text
from cabledesk.facade import Archive
from cabledesk.presentation import chart
from cabledesk.presentation.present import snippet, with_links
from cabledesk.presentation.urls import DeskUrls
from cabledesk.query import QueryError
from cabledesk.query.timeline import Month
from cabledesk.record.model import Cable
from cabledesk.redact import Viewer
from cabledesk.views.entity_export import (
    ENTITY_COLUMNS,
    FORMATS,
    MENTION_COLUMNS,
    entity_rows,
    mention_rows,
    only,
    write_rows_binary,
)
from cabledesk.web import params
from cabledesk.web.auth.csrf import ensure_token
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.pages.entity_curation import curation_of
from cabledesk.web.templating import render

PAGE_SIZE = 50
CABLES_PER_PAGE = 20
MAX_NAME = 100
_URLS = DeskUrls()


@dataclass(slots=True)
class IndexParams:
    kind: str | None = None
    name: str = ""
    q: str = ""
    # Exports only: the mentions (or the row) of this one entity.
    entity: int | None = None
    offset: int = 0
    limit: int = PAGE_SIZE
    notices: list[str] = field(default_factory=list)


def index_params(query: QueryParams, *, strict: bool) -> IndexParams:
    """The index's state from its URL: strict for the API (BadParameter), forgiving for the
    page (a bad value falls back to its default and says so)."""
    found = IndexParams()
    kind = query.get("kind") or None
    if kind is not None and kind not in KINDS:
        if strict:
            raise params.BadParameter("kind", " or ".join(KINDS), kind)
        found.notices.append(f"kind: expected one of {', '.join(KINDS)}; showing every kind")
        kind = None
    found.kind = kind
    name = query.get("name", "").strip()
    if len(name) > MAX_NAME:
        if strict:
            raise params.BadParameter("name", f"at most {MAX_NAME} characters", name)
        found.notices.append(f"name: only the first {MAX_NAME} characters are used")
        name = name[:MAX_NAME]
    found.name = name
    entity = query.get("entity") or None
    if entity is not None:
        if not (entity.isdigit() and len(entity) < 12):
            if strict:
                raise params.BadParameter("entity", "an entity's number", entity)
            found.notices.append("entity: expected an entity's number; ignored")
        else:
            found.entity = int(entity)
    if strict:
        state = params.for_api(query)
        found.q, found.offset, found.limit = state.q, state.offset, state.limit
        return found
    state = params.for_page(query)
    found.notices.extend(state.notices)
    found.q = state.q
    found.offset = (state.page - 1) * PAGE_SIZE
    return found


def listing(archive: Archive, state: IndexParams, viewer: Viewer) -> list[EntityCount]:
    """One page of the index, plus one more row when there is a next page."""
    if not state.q.strip():
        return archive.entities(
            viewer=viewer,
            kind=state.kind,
            name=state.name or None,
            limit=state.limit + 1,
            offset=state.offset,
        )
    # The entities of a query's cables (QueryError for a bad query).
    found = archive.query_entities(state.q, viewer=viewer, kind=state.kind, name=state.name or None)
    return found[state.offset : state.offset + state.limit + 1]


def _index_url(state: IndexParams, page: int = 1, **changes: Any) -> str:
    values = {"kind": state.kind or "", "name": state.name, "q": state.q, **changes}
    if page > 1:
        values["page"] = page
    kept = {k: v for k, v in values.items() if v}
    return "/entities" + (f"?{urlencode(kept)}" if kept else "")


def export_url(
    what: str, output: str, q: str = "", kind: str | None = None, entity: int | None = None
) -> str:
    values = {"format": output, "q": q, "kind": kind or "", "entity": entity or ""}
    return f"/api/export/{what}?" + urlencode({k: v for k, v in values.items() if v})


def entities_page(request: Request) -> Response:
    state = index_params(request.query_params, strict=False)
    context: dict[str, Any] = {
        "section": "entities",
        "state": state,
        "kinds": KINDS,
        "q": state.q,
        "notices": state.notices,
        "error": None,
        "rows": [],
        "page": state.offset // PAGE_SIZE + 1,
        "more": False,
        "index_url": lambda page=1, **changes: _index_url(state, page, **changes),
        "export_url": export_url,
        "formats": FORMATS,
    }
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        try:
            rows = listing(archive, state, viewer)
        except QueryError as exc:
            context["error"] = exc
            return render("entities.html", status_code=400, request=request, **context)
    context["rows"] = rows[:PAGE_SIZE]
    context["more"] = len(rows) > PAGE_SIZE
    return render("entities.html", request=request, **context)


def entity_id_of(request: Request) -> int | None:
    raw = str(request.path_params["entity_id"])
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@dataclass(frozen=True, slots=True)
class CableEntry:
    """One of an entity's cables as its page lists it: what the reader receives of it."""

    reference_id: str
    date: str | None
    classification: str | None
    subject: str | None
    passage: str | None
    highlights: list[tuple[int, int]]


def cable_entries(
    archive: Archive, entity_id: int, reference_ids: list[str], viewer: Viewer
) -> list[CableEntry]:
    """Subject and a passage around the entity's first placed mention, per cable, from
    the records `viewer` receives (no passage where no mention has a place in them)."""
    entries = []
    for reference_id in reference_ids:
        cable = archive.get(reference_id, viewer=viewer)
        if cable is None:
            continue
        passage: str | None = None
        highlights: list[tuple[int, int]] = []
        for mention in archive.placed_mentions(reference_id, viewer=viewer):
            if mention.entity_id != entity_id or mention.start is None or mention.end is None:
                continue
            text = _text_of(cable, mention)
            if text:
                passage, highlights = snippet(text, mention.start, mention.end)
                if mention.field == "paragraph":
                    break  # prose reads better than a subject line; keep looking until then
        entries.append(
            CableEntry(
                reference_id=cable.reference_id or reference_id,
                date=cable.created,
                classification=cable.classification,
                subject=cable.subject,
                passage=passage,
                highlights=highlights,
            )
        )
    return entries


def _text_of(cable: Cable, mention: SeenMention) -> str | None:
    return field_text(cable, mention.field, mention.paragraph)


def _not_found(request: Request, count: int, entity: str, viewer: Viewer) -> Response:
    return render(
        "error.html",
        status_code=404,
        request=request,
        archive_count=count,
        section="entities",
        title="No such entity",
        message=f"Entity {entity}: expected the number of an entity in "
        + ("the published edition" if viewer.published_only else "this archive")
        + " (see /entities).",
    )


def entity_page(request: Request) -> Response:
    return entity_response(request)


def entity_response(request: Request, status_code: int = 200, **editing: Any) -> Response:
    """The entity's page; `editing` is what the editor panel shows after a decision failed
    (`error`, `form`: cabledesk.web.pages.entity_editor)."""
    entity_id = entity_id_of(request)
    cables_page = _page_number(request.query_params.get("page"))
    if principal_of(request).may("editor"):
        ensure_token(request.scope.setdefault("session", {}))  # the editor panel's forms
        editing.setdefault("notice", request.query_params.get("notice", "")[:300] or None)
        editing.setdefault("error", None)
        editing.setdefault("form", {})
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        page = archive.entity(entity_id, viewer=viewer) if entity_id is not None else None
        if page is None or entity_id is None:
            return _not_found(request, count, str(request.path_params["entity_id"]), viewer)
        if principal_of(request).may("editor"):
            editing["curation"] = curation_of(archive, page.entity.id, viewer)
        pages = max(1, math.ceil(len(page.cables) / CABLES_PER_PAGE))
        cables_page = min(cables_page, pages)
        start = (cables_page - 1) * CABLES_PER_PAGE
        entries = cable_entries(
            archive, entity_id, page.cables[start : start + CABLES_PER_PAGE], viewer
        )
    months = [Month(month=m, total=n) for m, n in page.months]
    return render(
        "entity.html",
        status_code=status_code,
        request=request,
        section="entities",
        archive_count=count,
        page=page,
        e=page.entity,
        chart=chart.build(months, whole=True),
        entries=entries,
        cables_page=cables_page,
        cables_pages=pages,
        export_url=export_url,
        formats=FORMATS,
        kinds=KINDS,
        **editing,
    )


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10_000 else 1


def linked_paragraphs(mentions: list[SeenMention], cable: Cable) -> dict[int, Markup]:
    """Each paragraph (by position) that has placed mentions, with them linked to their
    entity pages; mentions without a place in the reader's text are not linked."""
    links: dict[int, list[tuple[int, int, str, str]]] = {}
    for m in mentions:
        if m.field != "paragraph" or m.paragraph is None or m.start is None or m.end is None:
            continue
        links.setdefault(m.paragraph, []).append(
            (m.start, m.end, _URLS.entity(m.entity_id), f"{m.name} ({m.kind})")
        )
    return {
        index: with_links(cable.paragraphs[index].text, spans)
        for index, spans in links.items()
        if index < len(cable.paragraphs)
    }


def cable_entities(mentions: list[SeenMention]) -> list[tuple[int, str, str, int]]:
    """(entity id, name, kind, mentions) of a cable's entities, most mentioned first."""
    found: dict[int, tuple[str, str]] = {}
    counts: dict[int, int] = {}
    for m in mentions:
        found.setdefault(m.entity_id, (m.name, m.kind))
        counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    rows = [(i, name, kind, counts[i]) for i, (name, kind) in found.items()]
    return sorted(rows, key=lambda e: (-e[3], e[1]))


# Exports (answered under /api: cabledesk.web.api) ---------------------------------------


def write_export(
    archive: Archive, viewer: Viewer, what: str, state: IndexParams, output: str, out: IO[bytes]
) -> int:
    """Write the entities or the mentions of `state.q`'s cables (of `state.kind`, named
    like `state.name`) as `output` to `out`; returns the number of rows (QueryError for a
    bad query)."""
    if what == "entities":
        found = archive.query_entities(
            state.q, viewer=viewer, kind=state.kind, name=state.name or None,
            blank_matches_all=True,
        )  # fmt: skip
        if state.entity is not None:
            found = [e for e in found if e.id == state.entity]
        rows, columns = entity_rows(found), ENTITY_COLUMNS
    else:
        mentions = archive.query_mentions(state.q, viewer=viewer, blank_matches_all=True)
        kept = only(mentions, state.kind, state.name or None)
        if state.entity is not None:
            kept = ((r, m) for r, m in kept if m.entity_id == state.entity)
        rows = mention_rows(kept)
        columns = MENTION_COLUMNS
    return write_rows_binary(rows, columns, output, out)
