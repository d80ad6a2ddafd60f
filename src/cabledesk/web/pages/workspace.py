"""The workspace on the desk: the collection list, a collection's page, and the forms that
change collections and add notes (docs/workspace.md).

Every page is built by the facade with the asking reader's principal: a collaborator sees
each cable as their own view gives it. Forms carry the CSRF token (the gate checks it);
a collection the asker may not see answers 404 as one that does not exist.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cabledesk.query import QueryError
from cabledesk.web.auth.csrf import ensure_token
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.redirects import safe_next
from cabledesk.web.templating import render
from cabledesk.workspace.collections import (
    NotAllowed,
    NotFound,
    WorkspaceError,
    collection_number,
    who,
)

_IDS = re.compile(r"[\s,;]+")


def split_ids(values: list[str]) -> list[str]:
    """Reference ids from form fields (each may hold several, by spaces or commas)."""
    return [i for value in values for i in _IDS.split(value) if i]


def _status(exc: WorkspaceError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotAllowed):
        return 403
    return 400


def _problem(request: Request, exc: Exception, status: int) -> Response:
    with archive_of(request) as archive:
        count = archive.count(viewer=viewer_of(request, archive))
    return render(
        "error.html",
        status_code=status,
        request=request,
        archive_count=count,
        section="collections",
        title={404: "No such collection", 403: "Not allowed"}.get(status, "Not done"),
        message=str(exc),
    )


def _back(request: Request, form: dict[str, str], default: str, notice: str) -> Response:
    target = safe_next(form.get("next") or default)
    joiner = "&" if "?" in target.split("#")[0] else "?"
    path, hash_mark, fragment = target.partition("#")
    return RedirectResponse(
        f"{path}{joiner}notice={quote(notice[:200])}{hash_mark}{fragment}", status_code=303
    )


def collections_page(request: Request) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    principal = principal_of(request)
    with archive_of(request) as archive:
        count = archive.count(viewer=viewer_of(request, archive))
        found = archive.collections(principal=principal)
    return render(
        "collections.html",
        request=request,
        section="collections",
        archive_count=count,
        collections=found,
        notice=request.query_params.get("notice", "")[:300] or None,
    )


def create_collection(request: Request) -> Response:
    form = form_of(request)
    try:
        with archive_of(request) as archive:
            collection_id = archive.create_collection(
                form.get("title", ""), form.get("description", ""), principal=principal_of(request)
            )
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


def collection_page(request: Request) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    principal = principal_of(request)
    try:
        collection_id = collection_number(str(request.path_params["collection_id"]))
        with archive_of(request) as archive:
            count = archive.count(viewer=viewer_of(request, archive))
            shelf = archive.collection(collection_id, principal=principal)
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    return render(
        "collection.html",
        request=request,
        section="collections",
        archive_count=count,
        shelf=shelf,
        may_change=shelf.collection.access in ("owner", "edit"),
        may_publish=shelf.collection.access in ("owner", "edit") and principal.may("editor"),
        me=who(principal),
        notice=request.query_params.get("notice", "")[:300] or None,
    )


async def add_to_collection(request: Request) -> Response:
    """Cables by id (`ids`, repeated or several in one field), or every match of `q`."""
    # Every `ids` value (a box ticked per search hit): the gate's form keeps the first.
    pairs: list[tuple[str, str]] = []
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", "replace")
        pairs = parse_qsl(body, keep_blank_values=True)
    fields = form_of(request)
    ids = split_ids([value for key, value in pairs if key == "ids"])
    query = fields.get("q", "")
    everything = fields.get("all", "") in ("1", "on", "true")
    return await run_in_threadpool(_add, request, fields, ids, query, everything)


def _add(
    request: Request, form: dict[str, str], ids: list[str], query: str, everything: bool
) -> Response:
    raw = form.get("collection_id") or str(request.path_params.get("collection_id", ""))
    if not raw:
        return _problem(request, WorkspaceError("choose a collection"), 400)
    principal = principal_of(request)
    try:
        collection_id = collection_number(raw)
        with archive_of(request) as archive:
            if everything:
                added = archive.add_matches_to_collection(collection_id, query, principal=principal)
            else:
                added = archive.add_to_collection(collection_id, ids, principal=principal)
    except QueryError as exc:
        return _problem(request, WorkspaceError(str(exc)), 400)
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    noun = "cable" if added == 1 else "cables"
    return _back(
        request, form, f"/collections/{collection_id}", f"Added {added} {noun} to the collection."
    )


def _change(request: Request, action: str) -> Response:
    form = form_of(request)
    principal = principal_of(request)
    reference_id = form.get("reference_id", "")
    try:
        collection_id = collection_number(str(request.path_params["collection_id"]))
        with archive_of(request) as archive:
            if action == "remove":
                archive.remove_from_collection(collection_id, reference_id, principal=principal)
                done = f"Removed {reference_id}."
            elif action == "move":
                position = form.get("position", "")
                if not position.lstrip("-").isdigit():
                    raise WorkspaceError("position: expected a whole number")
                archive.move_in_collection(
                    collection_id, reference_id, max(0, int(position)), principal=principal
                )
                done = f"Moved {reference_id}."
            elif action == "share":
                access = form.get("access", "view")
                account = form.get("account", "").strip()
                archive.share_collection(
                    collection_id,
                    account,
                    None if access == "none" else access,
                    principal=principal,
                )
                done = (
                    f"Shared with {account}."
                    if access != "none"
                    else f"No longer shared with {account}."
                )
            elif action == "publish":
                publish = form.get("action", "publish") == "publish"
                archive.publish_collection(collection_id, publish, principal=principal)
                done = (
                    "Marked for the public edition: its page is written with the next edition."
                    if publish
                    else "No longer in the public edition from the next edition on."
                )
            else:
                archive.describe_collection(
                    collection_id,
                    principal=principal,
                    title=form.get("title"),
                    description=form.get("description"),
                )
                done = "Saved."
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    return _back(request, form, f"/collections/{collection_id}", done)


def remove_cable(request: Request) -> Response:
    return _change(request, "remove")


def move_cable(request: Request) -> Response:
    return _change(request, "move")


def share(request: Request) -> Response:
    return _change(request, "share")


def publish(request: Request) -> Response:
    return _change(request, "publish")


def describe(request: Request) -> Response:
    return _change(request, "describe")


def delete_collection(request: Request) -> Response:
    """The owner's "Delete this collection" form: it needs the `confirm` box ticked (the
    page says what goes with it); then back to the list."""
    form = form_of(request)
    try:
        collection_id = collection_number(str(request.path_params["collection_id"]))
        if form.get("confirm") != "yes":
            with archive_of(request) as archive:
                # Unconfirmed, the answer is still the one the asker's access gives: who
                # may not see it is told it does not exist, a collaborator may not.
                found = archive.collections(principal=principal_of(request))
            access = {c.id: c.access for c in found}.get(collection_id)
            if access is None:
                raise NotFound(f"collection {collection_id}: no such collection of yours")
            if access != "owner":
                raise NotAllowed("only the collection's owner deletes it")
            raise WorkspaceError("tick “yes, delete it” to delete the collection")
        with archive_of(request) as archive:
            gone = archive.delete_collection(collection_id, principal=principal_of(request))
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    done = f"Deleted “{gone.title}” ({gone.cables} cable{'' if gone.cables == 1 else 's'})."
    if gone.notes_kept_private:
        kept = gone.notes_kept_private
        done += f" {kept} note(s) shared with it are now private to their authors."
    if gone.was_published:
        done += " The next edition built leaves its page out."
    return _back(request, {}, "/collections", done)


def _note_number(request: Request) -> int:
    raw = str(request.path_params["note_id"])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"note {raw[:40]!r}: no such note of yours")
    return int(raw)


def edit_note(request: Request) -> Response:
    """The author's "edit" form beside a note (cable page, collection page)."""
    form = form_of(request)
    try:
        note_id = _note_number(request)
        with archive_of(request) as archive:
            archive.edit_note(note_id, form.get("text", ""), principal=principal_of(request))
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    return _back(request, form, "/collections", "Note saved.")


def delete_note(request: Request) -> Response:
    """The author's "delete" button beside a note."""
    form = form_of(request)
    try:
        note_id = _note_number(request)
        with archive_of(request) as archive:
            archive.delete_note(note_id, principal=principal_of(request))
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    return _back(request, form, "/collections", "Note deleted.")


def add_note(request: Request) -> Response:
    form = form_of(request)
    reference_id = form.get("reference_id", "")
    raw = form.get("collection_id", "")
    paragraph = form.get("paragraph") or None
    try:
        with archive_of(request) as archive:
            archive.add_note(
                reference_id,
                form.get("text", ""),
                principal=principal_of(request),
                paragraph=paragraph,
                collection_id=int(raw) if raw.isdigit() else None,
            )
    except WorkspaceError as exc:
        return _problem(request, exc, _status(exc))
    default = f"/cable/{quote(reference_id)}" + (f"#{paragraph.lstrip('#')}" if paragraph else "")
    return _back(request, form, default, "Note saved.")


def workspace_context(request: Request, archive: Any, make_token: bool = True) -> dict[str, Any]:
    """What the cable and search pages need for their add-to-collection and note forms:
    the collections the reader may change (none for a visitor), and the form token.
    Without `make_token` (the search page), no form is offered to a session that has no
    token yet: the open local desk sets no cookie on its search page (a visit to the
    collections or a cable page gives it one, and making a collection needs that visit)."""
    principal = principal_of(request)
    session = request.scope.setdefault("session", {})
    if principal.role == "public" or (not make_token and "csrf" not in session):
        return {"editable": []}
    ensure_token(session)
    found = archive.collections(principal=principal)
    return {"editable": [c for c in found if c.access in ("owner", "edit")], "me": who(principal)}
