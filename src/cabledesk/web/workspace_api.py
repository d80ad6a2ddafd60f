"""The workspace under /api (docs/workspace.md): collections and notes as JSON, and a
collection's export. Reads are GET; changes are POST (or DELETE) with a JSON body, from a
script with an API token (no CSRF token needed) or a session sending X-CSRF-Token.

Everything is answered by the facade with the asking principal: a cable a collaborator may
not see is `withheld` (no subject, no text), notes they may not read are not there.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cabledesk.query import QueryError
from cabledesk.views.entity_export import FORMATS, MEDIA_TYPES, write_rows_binary
from cabledesk.views.export import RESULT_COLUMNS, ExportError, result_row
from cabledesk.web import params
from cabledesk.web.api import error
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.auth.record import note as audit_note
from cabledesk.web.context import archive_of
from cabledesk.workspace.collections import (
    Collection,
    Deleted,
    NotAllowed,
    NotFound,
    WorkspaceError,
    collection_number,
)
from cabledesk.workspace.notes import Note
from cabledesk.workspace.shelf import Entry, Shelf

_SPOOL = 8 * 1024 * 1024


def _failed(exc: WorkspaceError) -> JSONResponse:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, NotAllowed) else 400
    return error(status, str(exc))


def collection_json(c: Collection) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "owner": c.owner or None,
        "access": c.access,
        "published": c.published,
        "cables": c.cables,
        "created": c.created,
        "updated": c.updated,
    }


def note_json(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "author": n.author or None,
        "reference_id": n.reference_id,
        "paragraph": n.paragraph,
        "collection_id": n.collection_id,
        "text": n.text,
        "created": n.created,
    }


def _entry_json(e: Entry) -> dict[str, Any]:
    cable = e.cable
    return {
        "reference_id": e.reference_id,
        "position": e.member.position,
        "withheld": cable is None,
        "subject": cable.subject if cable else None,
        "date": ((cable.header.sent or cable.created or "")[:10] or None) if cable else None,
        "origin": cable.origin if cable else None,
        "classification": cable.classification if cable else None,
        "notes": [note_json(n) for n in e.notes],
    }


def shelf_json(shelf: Shelf) -> dict[str, Any]:
    return collection_json(shelf.collection) | {
        "shares": [{"account": a, "access": x} for a, x in shelf.shares],
        "entries": [_entry_json(e) for e in shelf.entries],
    }


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _bad_body() -> JSONResponse:
    return error(400, "expected a JSON object as the request's body")


def _text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise WorkspaceError(f"{name}: expected a string")
    return value


def _id(request: Request) -> int:
    return collection_number(str(request.path_params["collection_id"]))


def list_collections(request: Request) -> Response:
    with archive_of(request) as archive:
        found = archive.collections(principal=principal_of(request))
    return JSONResponse({"collections": [collection_json(c) for c in found]})


async def create_collection(request: Request) -> Response:
    body = await _body(request)
    if body is None:
        return _bad_body()

    def run() -> Response:
        try:
            title, description = _text(body, "title"), _text(body, "description")
            with archive_of(request) as archive:
                principal = principal_of(request)
                collection_id = archive.create_collection(title, description, principal=principal)
                shelf = archive.collection(collection_id, principal=principal)
        except WorkspaceError as exc:
            return _failed(exc)
        return JSONResponse(shelf_json(shelf), 201)

    return await run_in_threadpool(run)


def get_collection(request: Request) -> Response:
    try:
        with archive_of(request) as archive:
            shelf = archive.collection(_id(request), principal=principal_of(request))
    except WorkspaceError as exc:
        return _failed(exc)
    return JSONResponse(shelf_json(shelf))


async def change_collection(request: Request) -> Response:
    """POST /api/collections/{id}: {"title"?, "description"?, "share"?: {"account",
    "access": view|edit|null}, "published"?: bool, "move"?: {"reference_id", "position"}}."""
    body = await _body(request)
    if body is None:
        return _bad_body()

    def run() -> Response:
        principal = principal_of(request)
        try:
            collection_id = _id(request)
            with archive_of(request) as archive:
                if "title" in body or "description" in body:
                    archive.describe_collection(
                        collection_id,
                        principal=principal,
                        title=_text(body, "title") if "title" in body else None,
                        description=_text(body, "description") if "description" in body else None,
                    )
                share = body.get("share")
                if share is not None:
                    if not isinstance(share, dict):
                        raise WorkspaceError('share: expected {"account": NAME, "access": ...}')
                    access = share.get("access")
                    if access is not None and not isinstance(access, str):
                        raise WorkspaceError("share.access: expected view, edit or null")
                    archive.share_collection(
                        collection_id, _text(share, "account"), access, principal=principal
                    )
                if "published" in body:
                    if not isinstance(body["published"], bool):
                        raise WorkspaceError("published: expected true or false")
                    archive.publish_collection(
                        collection_id, body["published"], principal=principal
                    )
                move = body.get("move")
                if move is not None:
                    position = move.get("position") if isinstance(move, dict) else None
                    if not isinstance(position, int) or isinstance(position, bool):
                        raise WorkspaceError('move: expected {"reference_id": ID, "position": N}')
                    archive.move_in_collection(
                        collection_id, _text(move, "reference_id"), position, principal=principal
                    )
                shelf = archive.collection(collection_id, principal=principal)
        except WorkspaceError as exc:
            return _failed(exc)
        return JSONResponse(shelf_json(shelf))

    return await run_in_threadpool(run)


async def add_cables(request: Request) -> Response:
    """POST /api/collections/{id}/cables: {"ids": [...]} or {"q": QUERY} (every match)."""
    body = await _body(request)
    if body is None:
        return _bad_body()

    def run() -> Response:
        principal = principal_of(request)
        try:
            collection_id = _id(request)
            with archive_of(request) as archive:
                if "q" in body:
                    added = archive.add_matches_to_collection(
                        collection_id, _text(body, "q"), principal=principal
                    )
                else:
                    ids = body.get("ids")
                    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                        raise WorkspaceError('expected {"ids": [reference ids]} or {"q": QUERY}')
                    added = archive.add_to_collection(collection_id, ids, principal=principal)
                shelf = archive.collection(collection_id, principal=principal)
        except QueryError as exc:
            return error(400, str(exc.message), query=exc.query, position=exc.position)
        except WorkspaceError as exc:
            return _failed(exc)
        return JSONResponse({"added": added, "collection": shelf_json(shelf)})

    return await run_in_threadpool(run)


def delete_collection(request: Request) -> Response:
    """DELETE /api/collections/{id}: the owner only. The notes shared with it become
    private notes of their authors; a published one leaves the next edition."""
    try:
        with archive_of(request) as archive:
            gone = archive.delete_collection(_id(request), principal=principal_of(request))
    except WorkspaceError as exc:
        return _failed(exc)
    return JSONResponse(deleted_json(gone))


def deleted_json(gone: Deleted) -> dict[str, Any]:
    return {
        "deleted": gone.id,
        "cables": gone.cables,
        "shares": gone.shares,
        "notes_kept_private": gone.notes_kept_private,
        "withdrawn_from_next_edition": gone.was_published,
    }


def remove_cable(request: Request) -> Response:
    try:
        with archive_of(request) as archive:
            removed = archive.remove_from_collection(
                _id(request),
                str(request.path_params["reference_id"]),
                principal=principal_of(request),
            )
    except WorkspaceError as exc:
        return _failed(exc)
    return JSONResponse({"removed": removed})


def export_columns(text: bool) -> tuple[str, ...]:
    return ("position", *RESULT_COLUMNS, *(("text",) if text else ()), "withheld", "notes")


def export_rows(shelf: Shelf, base: str, text: bool) -> Iterator[dict[str, Any]]:
    for entry in shelf.entries:
        notes = "\n".join(
            f"[{n.paragraph or 'cable'}] {n.text} ({n.author or 'owner'})" for n in entry.notes
        )
        if entry.cable is None:
            row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS)
            row["reference_id"] = entry.reference_id
            if text:
                row["text"] = None
        else:
            row = result_row(entry.cable, base + quote(entry.reference_id), text)
        yield {
            "position": entry.member.position + 1,
            **row,
            "withheld": int(entry.cable is None),
            "notes": notes,
        }


def export_collection(request: Request) -> Response:
    """The collection's cables in order, as the asker may read them, with their notes, as
    CSV, JSON Lines or Parquet (the columns of /api/export/cables, plus position,
    withheld and notes)."""
    output = request.query_params.get("format") or "csv"
    if output not in FORMATS:
        bad = params.BadParameter("format", " or ".join(FORMATS), output)
        return error(400, str(bad), parameter=bad.name)
    text = request.query_params.get("text", "") in ("1", "true", "yes")
    columns = export_columns(text)
    base = f"{request.base_url}cable/"
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
    try:
        with archive_of(request) as archive:
            shelf = archive.collection(_id(request), principal=principal_of(request))
        rows = export_rows(shelf, base, text)
        count = write_rows_binary(
            ({name: row.get(name) for name in columns} for row in rows), columns, output, spool
        )
    except WorkspaceError as exc:
        spool.close()
        return _failed(exc)
    except ExportError as exc:
        spool.close()
        return error(400, str(exc), parameter="format")
    audit_note(request, "export", what="collection", collection=shelf.collection.id, rows=count)
    name = f"collection-{shelf.collection.id}.{output}"
    spool.seek(0)
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), b""),
        media_type=MEDIA_TYPES[output],
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "x-rows": str(count),
        },
        background=BackgroundTask(spool.close),
    )


def list_notes(request: Request) -> Response:
    """GET /api/notes?reference_id=: the notes the asker may read (on one cable, or all)."""
    reference_id = request.query_params.get("reference_id", "").strip()
    with archive_of(request) as archive:
        principal = principal_of(request)
        found = (
            archive.notes(reference_id, principal=principal)
            if reference_id
            else archive.all_notes(principal=principal)
        )
    return JSONResponse({"notes": [note_json(n) for n in found]})


async def create_note(request: Request) -> Response:
    """POST /api/notes: {"reference_id", "text", "paragraph"?: "p3", "collection_id"?}."""
    body = await _body(request)
    if body is None:
        return _bad_body()

    def run() -> Response:
        principal = principal_of(request)
        try:
            collection_id = body.get("collection_id")
            if collection_id is not None and (
                not isinstance(collection_id, int) or isinstance(collection_id, bool)
            ):
                raise WorkspaceError("collection_id: expected a collection's number or null")
            paragraph = body.get("paragraph")
            if paragraph is not None and not isinstance(paragraph, str):
                raise WorkspaceError("paragraph: expected an anchor like p3, or null")
            with archive_of(request) as archive:
                reference_id = _text(body, "reference_id")
                note_id = archive.add_note(
                    reference_id,
                    _text(body, "text"),
                    principal=principal,
                    paragraph=paragraph,
                    collection_id=collection_id,
                )
                found = [
                    n for n in archive.notes(reference_id, principal=principal) if n.id == note_id
                ]
        except WorkspaceError as exc:
            return _failed(exc)
        return JSONResponse(note_json(found[0]) if found else {"id": note_id}, 201)

    return await run_in_threadpool(run)


def _note_id(request: Request) -> int:
    raw = str(request.path_params["note_id"])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"note {raw[:40]!r}: no such note of yours")
    return int(raw)


async def edit_note(request: Request) -> Response:
    """POST /api/notes/{id}: {"text"}; the note's author only."""
    body = await _body(request)
    if body is None:
        return _bad_body()

    def run() -> Response:
        principal = principal_of(request)
        try:
            note_id = _note_id(request)
            text = _text(body, "text")
            with archive_of(request) as archive:
                archive.edit_note(note_id, text, principal=principal)
                found = [n for n in archive.all_notes(principal=principal) if n.id == note_id]
        except WorkspaceError as exc:
            return _failed(exc)
        return JSONResponse(note_json(found[0]) if found else {"id": note_id})

    return await run_in_threadpool(run)


def delete_note(request: Request) -> Response:
    """DELETE /api/notes/{id}: the note's author only."""
    try:
        note_id = _note_id(request)
        with archive_of(request) as archive:
            archive.delete_note(note_id, principal=principal_of(request))
    except WorkspaceError as exc:
        return _failed(exc)
    return JSONResponse({"deleted": note_id})


ROUTES = [
    Route("/api/collections", list_collections, methods=["GET"]),
    Route("/api/collections", create_collection, methods=["POST"]),
    Route("/api/collections/{collection_id}", get_collection, methods=["GET"]),
    Route("/api/collections/{collection_id}", change_collection, methods=["POST"]),
    Route("/api/collections/{collection_id}", delete_collection, methods=["DELETE"]),
    Route("/api/collections/{collection_id}/cables", add_cables, methods=["POST"]),
    Route(
        "/api/collections/{collection_id}/cables/{reference_id}",
        remove_cable,
        methods=["DELETE"],
    ),
    Route("/api/collections/{collection_id}/export", export_collection, methods=["GET"]),
    Route("/api/notes", list_notes, methods=["GET"]),
    Route("/api/notes", create_note, methods=["POST"]),
    Route("/api/notes/{note_id}", edit_note, methods=["POST"]),
    Route("/api/notes/{note_id}", delete_note, methods=["DELETE"]),
]
