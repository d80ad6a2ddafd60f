"""The JSON API under /api: the same answers as the pages, for scripts.

Errors are JSON too: {"error": {"status": 400, "message": "...", ...}} with the status that
fits (400 a bad parameter or query, 404 an unknown id or address, 405 a wrong method).
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import asdict
from typing import IO, Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cabledesk.archive.copies import WEB_SKETCH_LIMIT, CopiesPending
from cabledesk.archive.graph import NEIGHBOURHOOD_NODES
from cabledesk.archive.graph import Node as GraphNode
from cabledesk.query import QueryError
from cabledesk.record.codec import to_dict
from cabledesk.record.ids import normal_id
from cabledesk.views.entity_export import FORMATS, MEDIA_TYPES, write_rows_binary
from cabledesk.views.export import RESULT_COLUMNS, ExportError, result_row
from cabledesk.views.graph_export import FORMATS as GRAPH_FORMATS
from cabledesk.views.graph_export import MEDIA_TYPES as GRAPH_MEDIA_TYPES
from cabledesk.views.graph_export import write_graph
from cabledesk.web import params
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.auth.record import note
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.openapi import spec
from cabledesk.web.pages import entities as entity_pages
from cabledesk.web.pages.browse import KINDS, rows_for


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, **extra}}, status)


def _query_error(exc: QueryError) -> JSONResponse:
    return error(400, str(exc.message), query=exc.query, position=exc.position)


def _flag(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no"):
        return False
    raise params.BadParameter(name, "true or false", raw)


def _variants(request: Request, default: bool = True) -> bool:
    """`variants=on|off` (also true/false, 1/0): spelling variants searched besides."""
    raw = request.query_params.get("variants")
    if raw is None or raw == "":
        return default
    if raw.lower() in ("on", "1", "true", "yes"):
        return True
    if raw.lower() in ("off", "0", "false", "no"):
        return False
    raise params.BadParameter("variants", "on or off", raw)


def search(request: Request) -> Response:
    try:
        state = params.for_api(request.query_params)
        facets = _flag(request, "facets", True)
        collapse = _flag(request, "collapse", False)
        variants = _variants(request)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    folded: dict[str, list[str]] = {}
    copies: dict[str, int] = {}
    with archive_of(request) as archive:
        try:
            if collapse:
                # Near-duplicates folded into one hit (docs/near-duplicates.md).
                result, folded, copies = archive.search_collapsed(
                    state.q,
                    limit=state.limit,
                    offset=state.offset,
                    sort=state.sort,
                    facets=facets,
                    blank_matches_all=True,
                    viewer=viewer_of(request, archive),
                    sketch_limit=WEB_SKETCH_LIMIT,
                    variants=variants,
                )
            else:
                result = archive.search(
                    state.q,
                    limit=state.limit,
                    offset=state.offset,
                    sort=state.sort,
                    facets=facets,
                    blank_matches_all=True,
                    viewer=viewer_of(request, archive),
                    variants=variants,
                )
        except QueryError as exc:
            return _query_error(exc)
        except CopiesPending as exc:
            return error(503, str(exc))
    note(request, "search", q=state.q, via="api")
    hits = [asdict(hit) for hit in result.hits]
    if collapse:
        for hit in hits:
            hit["copies"] = copies.get(hit["reference_id"], 0)
            hit["folded"] = folded.get(hit["reference_id"], [])
    return JSONResponse(
        {
            "query": result.query,
            "total": result.total,
            "offset": state.offset,
            "limit": state.limit,
            "sort": state.sort,
            "hits": hits,
            "also_searched": [
                {"word": word, "variants": others} for word, others in result.also_searched
            ],
            "facets": {
                name: [{"value": value, "count": count} for value, count in buckets]
                for name, buckets in result.facets.items()
            }
            | {
                # People, organisations, places: the value is the entity's name, and
                # `entity_id` refines the query (`entity:123`).
                name: [{"value": f.name, "count": f.count, "entity_id": f.id} for f in values]
                for name, values in result.entity_facets.items()
            },
        }
    )


def timeline(request: Request) -> Response:
    try:
        state = params.for_api(request.query_params)
        variants = _variants(request)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        try:
            months = archive.timeline(
                state.q,
                blank_matches_all=True,
                viewer=viewer_of(request, archive),
                variants=variants,
            )
        except QueryError as exc:
            return _query_error(exc)
    note(request, "search", q=state.q, via="api/timeline")
    return JSONResponse({"query": state.q, "months": [asdict(m) for m in months]})


def _unknown(reference_id: str) -> JSONResponse:
    return error(
        404,
        f"{reference_id}: expected the reference id of a cable in this archive "
        "(like 08BAGHDAD1784); there is no such cable",
        reference_id=reference_id,
    )


def cable(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        found = archive.get(reference_id, viewer=viewer)
        if found is None:
            return _unknown(reference_id)
        cited = [r.cable_id for r in found.references if r.cable_id]
        present = sorted(archive.present(cited, viewer=viewer))
        previous, following = archive.neighbours(reference_id, viewer=viewer)
        # Where the classification is missing: the model's guess, when this reader is
        # granted the cable's scores (docs/sensitivity.md).
        predicted = None if found.classification else archive.predicted(reference_id, viewer=viewer)
    note(request, "cable_view", reference_id=reference_id, via="api")
    return JSONResponse(
        {
            "record": to_dict(found),
            "references_in_archive": present,
            "previous": previous,
            "next": following,
            "citing_url": f"/api/cables/{reference_id}/citing",
            "predicted": asdict(predicted) if predicted is not None else None,
        }
    )


def citing(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        ids = archive.citing(reference_id, viewer=viewer)
        # An id cited by archived cables is worth answering even when the cable itself is
        # missing (that is what "not in the archive" references are); unknown otherwise.
        if not ids and archive.get(reference_id, viewer=viewer) is None:
            return _unknown(reference_id)
    return JSONResponse({"reference_id": reference_id, "citing": ids})


def stats(request: Request) -> Response:
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        counts = archive.stats(viewer=viewer)
        total = archive.count(viewer=viewer)
    return JSONResponse(
        {
            "cables": total,
            **{
                name: [{"value": value, "count": count} for value, count in rows]
                for name, rows in counts.items()
            },
        }
    )


def browse(request: Request) -> Response:
    by = str(request.path_params["by"])
    if by not in KINDS:
        return error(404, f"/api/browse/{by}: expected one of {', '.join(KINDS)}")
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        found = rows_for(archive, by, viewer)
    rows: Any
    if by == "origin":
        rows = [asdict(o) for o in found]
    elif by == "tag":
        rows = {kind: [asdict(t) for t in tags] for kind, tags in found.items()}
    else:
        rows = [{"value": value, "count": n} for value, n in found]
    return JSONResponse({"by": by, "rows": rows})


# Entities (docs/entities.md): built from the asking reader's view by the facade.


def entities(request: Request) -> Response:
    try:
        state = entity_pages.index_params(request.query_params, strict=True)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        try:
            rows = entity_pages.listing(archive, state, viewer)
        except QueryError as exc:
            return _query_error(exc)
    return JSONResponse(
        {
            "query": state.q,
            "kind": state.kind,
            "name": state.name,
            "offset": state.offset,
            "limit": state.limit,
            "more": len(rows) > state.limit,
            "entities": [asdict(e) for e in rows[: state.limit]],
        }
    )


def _no_entity(raw: str) -> JSONResponse:
    return error(
        404, f"entity {raw[:40]}: expected the number of an entity in this archive "
        "(see /api/entities); there is no such entity",
    )  # fmt: skip


def entity(request: Request) -> Response:
    entity_id = entity_pages.entity_id_of(request)
    raw = str(request.path_params["entity_id"])
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        page = archive.entity(entity_id, viewer=viewer) if entity_id is not None else None
        if page is None or entity_id is None:
            return _no_entity(raw)
        entries = entity_pages.cable_entries(
            archive, entity_id, page.cables[: entity_pages.CABLES_PER_PAGE], viewer
        )
    return JSONResponse(
        {
            **asdict(page.entity),
            "aliases": [{"value": v, "count": n} for v, n in page.aliases],
            "months": [{"value": v, "count": n} for v, n in page.months],
            "posts": [{"value": v, "count": n} for v, n in page.posts],
            "related": [asdict(e) for e in page.related],
            "cable_ids": page.cables,
            "snippets": [asdict(e) for e in entries],
        }
    )


def cable_mentions(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        if archive.get(reference_id, viewer=viewer) is None:
            return _unknown(reference_id)
        found = archive.placed_mentions(reference_id, viewer=viewer)
    return JSONResponse({"reference_id": reference_id, "mentions": [asdict(m) for m in found]})


_SPOOL = 8 * 1024 * 1024  # exports bigger than this go to a temporary file, not memory


def _export(request: Request, what: str) -> Response:
    """Entities or mentions of a query's cables as CSV, JSON Lines or Parquet. Written in
    full while the archive handle is held (to memory, or a temporary file when large),
    then sent: a slow download never keeps a handle from other requests."""
    output = request.query_params.get("format") or "csv"
    if output not in FORMATS:
        bad = params.BadParameter("format", " or ".join(FORMATS), output)
        return error(400, str(bad), parameter=bad.name)
    try:
        state = entity_pages.index_params(request.query_params, strict=True)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        try:
            count = entity_pages.write_export(archive, viewer, what, state, output, spool)
        except QueryError as exc:
            spool.close()
            return _query_error(exc)
    note(request, "export", q=state.q, what=what, format=output, rows=count, via="api")
    spool.seek(0)
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), b""),
        media_type=MEDIA_TYPES[output],
        headers={
            "content-disposition": f'attachment; filename="{what}.{output}"',
            "x-rows": str(count),
        },
        background=BackgroundTask(spool.close),
    )


def export_entities(request: Request) -> Response:
    return _export(request, "entities")


def export_mentions(request: Request) -> Response:
    return _export(request, "mentions")


def export_cables(request: Request) -> Response:
    """Every cable matching `q` (blank: every cable), not a page of them, as CSV, JSON
    Lines or Parquet, each as the asking reader receives it (views/export.py
    RESULT_COLUMNS; `text=true` adds the text). Spooled like the entity exports."""
    output = request.query_params.get("format") or "csv"
    if output not in FORMATS:
        bad = params.BadParameter("format", " or ".join(FORMATS), output)
        return error(400, str(bad), parameter=bad.name)
    try:
        state = params.for_api(request.query_params)
        q, sort = state.q, state.sort
        text = _flag(request, "text", False)
        variants = _variants(request)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    base = f"{request.base_url}cable/"
    columns = RESULT_COLUMNS + (("text",) if text else ())
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        try:
            cables = archive.export(
                q,
                viewer=viewer,
                sort=sort,
                blank_matches_all=True,
                account=principal_of(request).name,
                variants=variants,
            )
            rows = (result_row(c, base + quote(c.reference_id or ""), text) for c in cables)
            count = write_rows_binary(rows, columns, output, spool)
        except QueryError as exc:
            spool.close()
            return _query_error(exc)
        except ExportError as exc:
            spool.close()
            return error(400, str(exc), parameter="format")
    note(request, "export", q=q, what="cables", format=output, rows=count, via="api")
    spool.seek(0)
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), b""),
        media_type=MEDIA_TYPES[output],
        headers={
            "content-disposition": f'attachment; filename="cables.{output}"',
            "x-rows": str(count),
        },
        background=BackgroundTask(spool.close),
    )


# The citation graph (docs/graph.md): each reader's graph, built from their own view.


def _node_json(node: GraphNode) -> dict[str, Any]:
    return asdict(node)


def graph_stats(request: Request) -> Response:
    with archive_of(request) as archive:
        summary = archive.graph_stats(viewer=viewer_of(request, archive))
    return JSONResponse(summary)


def _not_in_graph(reference_id: str) -> JSONResponse:
    return error(
        404,
        f"{reference_id}: expected the reference id of a cable in this archive or cited "
        "by one (like 08BAGHDAD1784); there is no such node",
        reference_id=reference_id,
    )


def graph_cable(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    with archive_of(request) as archive:
        found = archive.graph_cable(reference_id, viewer=viewer_of(request, archive))
    if found is None:
        return _not_in_graph(reference_id)
    return JSONResponse(
        {
            "node": _node_json(found.node),
            "cites": [{**_node_json(n), "via": found.cites_via.get(n.id)} for n in found.cites],
            "cited_by": [
                {**_node_json(n), "via": found.cited_by_via.get(n.id)} for n in found.cited_by
            ],
        }
    )


def graph_thread(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    try:
        hops = params.integer(request.query_params, "hops", 3, 1, 10)
        days = params.integer(request.query_params, "days", 183, 0, 36600)
        output = _graph_format(request)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        entries = archive.graph_thread(
            reference_id, viewer=viewer_of(request, archive), hops=hops, days=days
        )
    if entries is None:
        return _unknown(reference_id)
    if output != "json":
        # The thread as a graph file: its cables and the citations among them.
        edges = sorted((e.node.id, cited) for e in entries for cited in e.cites)
        return _graph_file(
            request, [e.node for e in entries], edges, output, f"thread-{reference_id}"
        )
    return JSONResponse(
        {
            "reference_id": reference_id,
            "hops": hops,
            "days": days,
            "thread": [asdict(e) for e in entries],
        }
    )


def _graph_format(request: Request) -> str:
    """`format`: json (the default) or a graph file format."""
    output = request.query_params.get("format") or "json"
    if output != "json" and output not in GRAPH_FORMATS:
        raise params.BadParameter("format", "json, " + ", ".join(GRAPH_FORMATS), output)
    return output


def _graph_file(
    request: Request,
    nodes: list[GraphNode],
    edges: list[tuple[str, str]],
    output: str,
    name: str,
) -> Response:
    """A small graph (a neighbourhood, a thread) as a GraphML, GEXF or CSV download."""
    text = io.StringIO()
    count, links = write_graph(nodes, edges, output, text)
    note(request, "export", what="graph", format=output, rows=links, via="api")
    return Response(
        text.getvalue().encode("utf-8"),
        media_type=GRAPH_MEDIA_TYPES[output],
        headers={
            "content-disposition": f'attachment; filename="{name}.{output}"',
            "x-nodes": str(count),
            "x-rows": str(links),
        },
    )


def graph_neighbourhood(request: Request) -> Response:
    """The nodes within `hops` citations of a node (either way) and the edges among them,
    as the neighbourhood page draws them (at most `limit` nodes, the nearest first)."""
    reference_id = normal_id(str(request.path_params["reference_id"]))
    try:
        hops = params.integer(request.query_params, "hops", 2, 1, 3)
        cap = params.integer(request.query_params, "limit", NEIGHBOURHOOD_NODES, 1, 1000)
        output = _graph_format(request)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        found = archive.graph_neighbourhood(
            reference_id, viewer=viewer_of(request, archive), hops=hops, cap=cap
        )
    if found is None:
        return _not_in_graph(reference_id)
    if output != "json":
        return _graph_file(
            request, [n for n, _ in found.nodes], found.edges, output, f"around-{found.centre.id}"
        )
    return JSONResponse(
        {
            "reference_id": found.centre.id,
            "hops": found.hops,
            "limit": found.cap,
            "found": found.found,
            "capped": found.capped,
            "nodes": [{**_node_json(n), "distance": d} for n, d in found.nodes],
            "edges": [{"source": a, "target": b} for a, b in found.edges],
        }
    )


_ARCHIVED = {"all": None, "yes": True, "no": False}


def graph_most_cited(request: Request) -> Response:
    try:
        state = params.for_api(request.query_params)
        archived = request.query_params.get("archived") or "all"
        if archived not in _ARCHIVED:
            raise params.BadParameter("archived", "all, yes or no", archived)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        try:
            rows = archive.graph_most_cited(
                viewer=viewer_of(request, archive),
                query=state.q,
                archived=_ARCHIVED[archived],
                limit=state.limit,
                offset=state.offset,
            )
        except QueryError as exc:
            return _query_error(exc)
    return JSONResponse(
        {
            "query": state.q,
            "archived": archived,
            "offset": state.offset,
            "limit": state.limit,
            "cables": [
                {**_node_json(r.node), "citations": r.citations, "subject": r.subject} for r in rows
            ],
        }
    )


def graph_export(request: Request) -> Response:
    """The graph (or a query's part) as GraphML, GEXF or a CSV edge list; written in full
    while the archive handle is held, then sent (like the entity exports)."""
    output = request.query_params.get("format") or "graphml"
    if output not in GRAPH_FORMATS:
        bad = params.BadParameter("format", " or ".join(GRAPH_FORMATS), output)
        return error(400, str(bad), parameter=bad.name)
    try:
        q = params.for_api(request.query_params).q
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    with archive_of(request) as archive:
        try:
            nodes, edges = archive.graph_export(viewer=viewer_of(request, archive), query=q)
            count, links = write_graph(nodes, edges, output, text)
        except QueryError as exc:
            spool.close()
            return _query_error(exc)
    text.flush()
    text.detach()
    note(request, "export", q=q, what="graph", format=output, rows=links, via="api")
    spool.seek(0)
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), b""),
        media_type=GRAPH_MEDIA_TYPES[output],
        headers={
            "content-disposition": f'attachment; filename="citations.{output}"',
            "x-nodes": str(count),
            "x-rows": str(links),
        },
        background=BackgroundTask(spool.close),
    )


# Similar cables (docs/similar.md): each reader's own model, built from their own view.


def similar(request: Request) -> Response:
    reference_id = normal_id(str(request.path_params["reference_id"]))
    try:
        limit = params.integer(request.query_params, "limit", 10, 1, 100)
    except params.BadParameter as exc:
        return error(400, str(exc), parameter=exc.name)
    with archive_of(request) as archive:
        found = archive.similar(reference_id, viewer=viewer_of(request, archive), limit=limit)
    if found is None:
        return _unknown(reference_id)
    return JSONResponse({"reference_id": reference_id, "similar": [asdict(f) for f in found]})


def openapi(request: Request) -> Response:
    return JSONResponse(spec())


def index(request: Request) -> Response:
    return JSONResponse(
        {
            "openapi": "/api/openapi.json",
            "endpoints": sorted(spec()["paths"]),
        }
    )


ROUTES = [
    Route("/api", index),
    Route("/api/openapi.json", openapi),
    Route("/api/search", search),
    Route("/api/timeline", timeline),
    Route("/api/cables/{reference_id}", cable),
    Route("/api/cables/{reference_id}/citing", citing),
    Route("/api/stats", stats),
    Route("/api/browse/{by}", browse),
    Route("/api/cables/{reference_id}/mentions", cable_mentions),
    Route("/api/entities", entities),
    Route("/api/entities/{entity_id}", entity),
    Route("/api/export/entities", export_entities),
    Route("/api/export/mentions", export_mentions),
    Route("/api/export/cables", export_cables),
    Route("/api/graph", graph_stats),
    Route("/api/graph/cables/{reference_id}", graph_cable),
    Route("/api/graph/cables/{reference_id}/thread", graph_thread),
    Route("/api/graph/most-cited", graph_most_cited),
    Route("/api/graph/export", graph_export),
    Route("/api/graph/cables/{reference_id}/neighbourhood", graph_neighbourhood),
    Route("/api/cables/{reference_id}/similar", similar),
]
