"""Which routes need which role. The one place to open a route to visitors who are not
signed in: PUBLIC lists the reading routes, which show visitors the published edition.

Applies once any account exists; before that every request is the `local` principal.
A route not listed needs a signed-in account (at least `reader`), unless its handler asks
for more with `@requires("editor")` or `@requires("admin")`.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from cabledesk.access import Role

# Signing in itself, and the stylesheet and script the sign-in page needs.
OPEN: frozenset[str] = frozenset({"/login", "/logout", "/static"})
# The reading routes, open to visitors: for them every one of these answers from the
# published edition only, redactions burned in (cabledesk.web.context.viewer_of).
PUBLIC: frozenset[str] = frozenset(
    {
        "/",
        "/search",
        "/timeline",
        # The map of origins: counted from the reader's view (the public: the edition's);
        # its outline holds no cable.
        "/map",
        "/map/world.svg",
        "/api/map",
        "/cable/{reference_id}",
        "/browse",
        "/browse/{by}",
        "/api",
        "/api/openapi.json",
        "/api/search",
        "/api/timeline",
        "/api/cables/{reference_id}",
        "/api/cables/{reference_id}/citing",
        "/api/stats",
        "/api/browse/{by}",
        # Entities: built from the reader's view (the public: the published edition's).
        "/entities",
        "/entities/{entity_id}",
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/cables/{reference_id}/mentions",
        "/api/export/entities",
        "/api/export/mentions",
        "/api/export/cables",
        # The citation graph: each reader's own (the public: the published edition's).
        "/api/graph",
        "/api/graph/cables/{reference_id}",
        "/api/graph/cables/{reference_id}/thread",
        "/api/graph/most-cited",
        "/api/graph/export",
        # Near-duplicates: each reader's own groups (the public: the published edition's).
        "/api/copies",
        "/api/cables/{reference_id}/copies",
        "/api/graph/cables/{reference_id}/neighbourhood",
        "/cable/{reference_id}/graph",
        "/cable/{reference_id}/thread",
        "/graph/most-cited",
        # Similar cables: each reader's own model (the public: the published edition's).
        "/api/cables/{reference_id}/similar",
        # The co-mention network: built from the reader's view, like the entities.
        "/entities/{entity_id}/network",
        "/network",
        "/api/entities/{entity_id}/network",
        "/api/network",
        "/edition",
        # Coverage: computed from the reader's own graph (the public: the published edition's).
        "/coverage",
        "/coverage/missing",
        "/coverage/posts/{post}",
        "/api/coverage",
        "/api/coverage/missing",
        "/api/coverage/posts/{post}",
    }
)
DEFAULT: Role = "reader"
ROLE_MARK = "__cabledesk_role__"


def required_role(route: BaseRoute | None) -> Role:
    """The least role that may use `route` ("public": anyone at all)."""
    if route is None:
        # An address no route answers: anonymous visitors are sent to sign in rather
        # than told what exists.
        return DEFAULT
    template = getattr(route, "path", None)
    if template in OPEN or template in PUBLIC:
        return "public"
    marked: Role | None = getattr(getattr(route, "endpoint", None), ROLE_MARK, None)
    return marked or DEFAULT


def find_route(routes: Sequence[BaseRoute], scope: Scope) -> tuple[BaseRoute | None, bool]:
    """The route that will answer (and True when its handler will run: the method fits);
    a route matching the path with the wrong method answers 405 without running."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route, True
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial, False
