"""The editors' side of the entities (issue 12, curation): the forms of an entity's page
(rename, re-type, delete, merge, split, aliases) and the entity register's history with
its undo buttons (`/editor/entities`).

Editors (and admins, and the local desk while it has no accounts) only, like the
redaction register's pages (`editor.py`): every route is marked `@requires("editor")`, the
gate checks every form's CSRF token before a handler runs, and the decision is made by the
same facade call the command line uses (`Archive.merge_entities` ...), which writes the
register row and its audit row in one transaction and holds the index writer. This module
only reads the form, checks what the editor typed against what they may see, and answers:
a redirect to the page that shows the result (POST-redirect-GET), or the page again with
one line saying what was wrong (400; 404 for an entity they cannot see).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from cabledesk.archive.entity_register import LIFTING, Decision, EntityRegisterError, describe
from cabledesk.archive.register import RegisterError
from cabledesk.entities.model import EntityCount
from cabledesk.facade import Archive
from cabledesk.presentation.urls import DeskUrls
from cabledesk.record.ids import normal_id
from cabledesk.redact import Viewer
from cabledesk.web.auth import requires
from cabledesk.web.auth.csrf import ensure_token
from cabledesk.web.auth.gate import form_of
from cabledesk.web.auth.guard import principal_of
from cabledesk.web.context import archive_of, viewer_of
from cabledesk.web.pages.entities import entity_id_of, entity_response
from cabledesk.web.templating import render

REGISTER_PAGE = "/editor/entities"
MAX_NAME = 200
MAX_REASON = 2000
MAX_LIST = 200  # cables or surface forms one split may name
_URLS = DeskUrls()


class FormError(EntityRegisterError):
    """What the editor typed, refused before the facade is asked (too long, too many)."""


# What a decision may be refused with: the register's own errors, and RegisterError when
# an ingest or another editor's change holds the index writer past the wait (nothing was
# changed; try again).
REFUSED = (EntityRegisterError, RegisterError)


@dataclass(frozen=True, slots=True)
class Done:
    """A decision made: where its result shows, and the line that says what it was."""

    target: str
    notice: str


def _text(form: dict[str, str], field: str, limit: int = MAX_NAME) -> str:
    value = " ".join(form.get(field, "").split())
    if len(value) > limit:
        raise FormError(f"{field}: at most {limit} characters")
    return value


def _reason(form: dict[str, str]) -> str:
    # Empty is left to the facade, whose one message says a reason is required.
    return _text(form, "reason", MAX_REASON)


def _items(form: dict[str, str], field: str, separators: str) -> list[str]:
    raw = form.get(field, "")
    for separator in separators:
        raw = raw.replace(separator, "\n")
    items = [" ".join(item.split()) for item in raw.split("\n")]
    found = [item for item in items if item]
    if len(found) > MAX_LIST:
        raise FormError(f"{field}: at most {MAX_LIST} at a time")
    if any(len(item) > MAX_NAME for item in found):
        raise FormError(f"{field}: each at most {MAX_NAME} characters")
    return found


def _notice(decision: Decision) -> str:
    return f"Entity decision {decision.version}: {decision.describe()}"


def _redirect(done: Done) -> Response:
    glue = "&" if "?" in done.target else "?"
    return RedirectResponse(f"{done.target}{glue}notice={quote(done.notice)}", status_code=303)


Action = Callable[[Archive, EntityCount, dict[str, str], str | None, Viewer], Done]


def _decide(request: Request, action: Action) -> Response:
    """Run `action` on the entity of the path, as the signed-in editor: the entity must be
    one they may see (its page answers them); any refusal is shown on that page."""
    form = form_of(request)
    entity_id = entity_id_of(request)
    raw = str(request.path_params["entity_id"])
    try:
        with archive_of(request) as archive:
            viewer = viewer_of(request, archive)
            page = archive.entity(entity_id, viewer=viewer) if entity_id is not None else None
            if page is None:
                return _no_entity(request, archive, raw, viewer)
            done = action(archive, page.entity, form, principal_of(request).name, viewer)
    except REFUSED as exc:
        return entity_response(request, 400, error=str(exc), form=form)
    return _redirect(done)


def _no_entity(request: Request, archive: Archive, raw: str, viewer: Viewer) -> Response:
    return render(
        "error.html",
        status_code=404,
        request=request,
        archive_count=archive.count(viewer=viewer),
        section="entities",
        title="No such entity",
        message=f"Entity {raw}: expected the number of an entity in this archive "
        "(see /entities); nothing was changed.",
    )


def _rename(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, _: Viewer
) -> Done:
    decision = archive.rename_entity(
        entity.id, _text(form, "name"), reason=_reason(form), account=account
    )
    return Done(_URLS.entity(entity.id), _notice(decision))


def _retype(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, _: Viewer
) -> Done:
    decision = archive.retype_entity(
        entity.id, form.get("kind", "").strip(), reason=_reason(form), account=account
    )
    return Done(_URLS.entity(entity.id), _notice(decision))


def _delete(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, _: Viewer
) -> Done:
    decision = archive.delete_entity(entity.id, reason=_reason(form), account=account)
    # Its page is gone; the register shows the decision, with the button that undoes it.
    return Done(REGISTER_PAGE, _notice(decision))


def _merge(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, viewer: Viewer
) -> Done:
    typed = _text(form, "into")
    if not typed:
        raise FormError("into: give the number or the name of the entity to merge it into")
    # Only into an entity this editor may see: a name typed here must not reach, or tell
    # them about, an entity of the cables above their ceiling.
    into = archive.find_entity(typed, viewer=viewer)
    decision = archive.merge_entities(entity.id, typed, reason=_reason(form), account=account)
    return Done(_URLS.entity(into.id), _notice(decision))


def _split(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, viewer: Viewer
) -> Done:
    cables = [normal_id(c) for c in _items(form, "cables", ", ;")]
    for reference_id in cables:
        # A typo is named, rather than left to select nothing. (Every account may open
        # every cable, in part below its ceiling: the split moves the entity's mentions in
        # it, as the command line does.)
        if archive.get(reference_id, viewer=viewer) is None:
            raise FormError(
                f"cables: no cable {reference_id} in this archive "
                "(a reference id like 08BAGHDAD1784)"
            )
    decision = archive.split_entity(
        entity.id,
        name=_text(form, "name"),
        cables=cables,
        # Not commas: a surface form may hold one (`Korea, North`).
        surfaces=_items(form, "surfaces", ";"),
        kind=form.get("kind", "").strip() or None,
        reason=_reason(form),
        account=account,
    )
    return Done(_URLS.entity(entity.id), _notice(decision))


def _add_alias(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, _: Viewer
) -> Done:
    decision = archive.add_alias(
        entity.id, _text(form, "surface"), reason=_reason(form), account=account
    )
    return Done(_URLS.entity(entity.id), _notice(decision))


def _remove_alias(
    archive: Archive, entity: EntityCount, form: dict[str, str], account: str | None, _: Viewer
) -> Done:
    decision = archive.remove_alias(
        entity.id, _text(form, "surface"), reason=_reason(form), account=account
    )
    return Done(_URLS.entity(entity.id), _notice(decision))


@requires("editor")
def rename(request: Request) -> Response:
    return _decide(request, _rename)


@requires("editor")
def retype(request: Request) -> Response:
    return _decide(request, _retype)


@requires("editor")
def delete(request: Request) -> Response:
    return _decide(request, _delete)


@requires("editor")
def merge(request: Request) -> Response:
    return _decide(request, _merge)


@requires("editor")
def split(request: Request) -> Response:
    return _decide(request, _split)


@requires("editor")
def add_alias(request: Request) -> Response:
    return _decide(request, _add_alias)


@requires("editor")
def remove_alias(request: Request) -> Response:
    return _decide(request, _remove_alias)


# The entity register's history ----------------------------------------------------------


def _register(request: Request, status: int = 200, **context: Any) -> Response:
    ensure_token(request.scope.setdefault("session", {}))
    with archive_of(request) as archive:
        viewer = viewer_of(request, archive)
        rows = archive.entity_history(viewer=viewer)
        count = archive.count(viewer=viewer)
    return render(
        "editor_entities.html",
        status_code=status,
        request=request,
        section="editor",
        archive_count=count,
        history=[_Row.of(row) for row in reversed(rows)],
        **context,
    )


@dataclass(frozen=True, slots=True)
class _Row:
    """A register row as the page lists it."""

    version: int
    at: str
    account: str | None
    action: str
    what: str
    reason: str
    in_force: bool
    lifts: bool  # an undo or an alias removal: undoing it puts the decision back
    entities: list[int]  # the entities its keys belong to now (linked)

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Row:
        action = str(row["action"])
        return cls(
            version=int(row["version"]),
            at=str(row["at"]),
            account=row["account"],
            action=action,
            what=describe(action, row["keys"], row["payload"]),
            reason=str(row["reason"]),
            in_force=bool(row["in_force"]),
            lifts=action in LIFTING,
            entities=sorted({int(i) for i in row["entities"] if i is not None}),
        )


@requires("editor")
def register_page(request: Request) -> Response:
    notice = request.query_params.get("notice", "")[:300] or None
    return _register(request, notice=notice, error=None)


@requires("editor")
def undo(request: Request) -> Response:
    version = int(str(request.path_params["version"]))
    form = form_of(request)
    try:
        reason = _reason(form)
        with archive_of(request) as archive:
            decision = archive.undo_entity_decision(
                version, reason=reason, account=principal_of(request).name
            )
    except REFUSED as exc:
        return _register(request, 400, notice=None, error=str(exc))
    return _redirect(Done(REGISTER_PAGE, _notice(decision)))


_DECISIONS = {
    "rename": rename,
    "retype": retype,
    "delete": delete,
    "merge": merge,
    "split": split,
    "alias": add_alias,
    "alias/remove": remove_alias,
}
# Every one editors-only (`@requires("editor")`, which the gate reads before the handler
# runs); the entity pages themselves stay public routes (cabledesk.web.auth.rules).
ROUTES: list[BaseRoute] = [
    Route(REGISTER_PAGE, register_page, methods=["GET"]),
    Route(REGISTER_PAGE + "/undo/{version:int}", undo, methods=["POST"]),
    *(
        Route(REGISTER_PAGE + f"/{{entity_id:int}}/{action}", handler, methods=["POST"])
        for action, handler in _DECISIONS.items()
    ),
]
