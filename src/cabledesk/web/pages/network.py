"""The co-mention network on the desk and in the API (docs/network.md): an entity's
network page (`/entities/<id>/network`), a query's (`/network?q=`), and their JSON and
GraphML, GEXF, CSV answers under /api. Every answer is built by the facade from the
asking reader's view (`Archive.entity_network`, `Archive.query_network`); this module
only lays it out."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cabledesk.archive.entity_network import Network
from cabledesk.presentation.network_svg import COLOURS, draw
from cabledesk.query import QueryError
from cabledesk.views.network_export import FORMATS, MEDIA_TYPES, write_network
from cabledesk.web import params
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.pages.entities import entity_id_of
from cabledesk.web.templating import render

DEFAULT_LINKS = 30
DEFAULT_NODES = 30
MAX_NODES = 100
# A query's network counts over at most this many of the matching cables (the best
# matching first); the page and the answer say when there were more.
MAX_CABLES = 5_000
API_FORMATS = ("json", *FORMATS)


def _limit(request: Request, name: str, default: int, strict: bool, notes: list[str]) -> int:
    try:
        return params.integer(request.query_params, name, default, 1, MAX_NODES)
    except params.BadParameter as exc:
        if strict:
            raise
        notes.append(f"{exc}; showing {default}")
        return default


def network_json(network: Network) -> dict[str, Any]:
    return {
        "center": network.center,
        "query": network.query,
        "counted": network.counted,
        "matching": network.matching,
        "capped": network.capped,
        "nodes": [asdict(n) for n in network.nodes],
        "links": [asdict(k) for k in network.links],
    }


def export_links(base: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return [(f, f"{base}?{urlencode({**kept, 'format': f})}") for f in API_FORMATS]


def _not_found(request: Request, count: int, raw: str, published_only: bool) -> Response:
    return render(
        "error.html",
        status_code=404,
        request=request,
        archive_count=count,
        section="entities",
        title="No such entity",
        message=f"Entity {raw[:40]}: expected the number of an entity in "
        + ("the published edition" if published_only else "this archive")
        + " (see /entities).",
    )


def entity_network_page(request: Request) -> Response:
    notes: list[str] = []
    limit = _limit(request, "limit", DEFAULT_LINKS, False, notes)
    entity_id = entity_id_of(request)
    raw = str(request.path_params["entity_id"])
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        count = archive.count(viewer=viewer)
        network = (
            archive.entity_network(entity_id, viewer=viewer, limit=limit)
            if entity_id is not None
            else None
        )
        if network is None or entity_id is None:
            return _not_found(request, count, raw, viewer.published_only)
    centre = network.nodes[0]
    return render(
        "network.html",
        request=request,
        section="entities",
        archive_count=count,
        network=network,
        centre=centre,
        drawing=draw(network),
        names={n.id: n.name for n in network.nodes},
        notices=notes,
        q="",
        error=None,
        limit=limit,
        exports=export_links(f"/api/entities/{centre.id}/network", {"limit": limit}),
        colours=COLOURS,
    )


def query_network_page(request: Request) -> Response:
    notes: list[str] = []
    nodes = _limit(request, "nodes", DEFAULT_NODES, False, notes)
    state = params.for_page(request.query_params)
    notes.extend(state.notices)
    context: dict[str, Any] = {
        "section": "entities",
        "network": None,
        "centre": None,
        "drawing": None,
        "names": {},
        "notices": notes,
        "q": state.q,
        "error": None,
        "nodes": nodes,
        "exports": export_links("/api/network", {"q": state.q, "nodes": nodes}),
        "colours": COLOURS,
    }
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        context["archive_count"] = archive.count(viewer=viewer)
        if state.q.strip():
            try:
                network = archive.query_network(
                    state.q, viewer=viewer, nodes=nodes, cables=MAX_CABLES
                )
            except QueryError as exc:
                context["error"] = exc
                return render("network.html", status_code=400, request=request, **context)
            context["network"] = network
            context["drawing"] = draw(network)
            context["names"] = {n.id: n.name for n in network.nodes}
    return render("network.html", request=request, **context)


# --- the JSON API ---------------------------------------------------------------------


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, **extra}}, status)


def _format(request: Request) -> str:
    output = request.query_params.get("format") or "json"
    if output not in API_FORMATS:
        raise params.BadParameter("format", " or ".join(API_FORMATS), output)
    return output


def _answer(request: Request, network: Network, output: str, name: str) -> Response:
    if output == "json":
        return JSONResponse(network_json(network))
    text = io.StringIO()
    count, links = write_network(network, output, text)
    note(request, "export", q=network.query, what="network", format=output, rows=links, via="api")
    return Response(
        text.getvalue().encode("utf-8"),
        media_type=MEDIA_TYPES[output],
        headers={
            "content-disposition": f'attachment; filename="{name}.{output}"',
            "x-nodes": str(count),
            "x-rows": str(links),
        },
    )


def entity_network_api(request: Request) -> Response:
    raw = str(request.path_params["entity_id"])
    try:
        output = _format(request)
        limit = _limit(request, "limit", DEFAULT_LINKS, True, [])
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    entity_id = entity_id_of(request)
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        network = (
            archive.entity_network(entity_id, viewer=viewer, limit=limit)
            if entity_id is not None
            else None
        )
    if network is None:
        return _error(
            404, f"entity {raw[:40]}: expected the number of an entity in this archive "
            "(see /api/entities); there is no such entity",
        )  # fmt: skip
    return _answer(request, network, output, f"entity-{network.center}-network")


def query_network_api(request: Request) -> Response:
    try:
        output = _format(request)
        nodes = _limit(request, "nodes", DEFAULT_NODES, True, [])
        q = params.for_api(request.query_params).q
    except params.BadParameter as exc:
        return _error(400, str(exc), parameter=exc.name)
    if not q.strip():
        bad = params.BadParameter("q", "a query (docs/search.md)", q)
        return _error(400, str(bad), parameter=bad.name)
    with archive_of(request) as archive:
        try:
            network = archive.query_network(
                q, viewer=viewer_of(request, archive), nodes=nodes, cables=MAX_CABLES
            )
        except QueryError as exc:
            return _error(400, str(exc.message), query=exc.query, position=exc.position)
    return _answer(request, network, output, "network")


ROUTES = [
    Route("/entities/{entity_id}/network", entity_network_page),
    Route("/network", query_network_page),
    Route("/api/entities/{entity_id}/network", entity_network_api),
    Route("/api/network", query_network_api),
]
