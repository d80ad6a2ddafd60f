"""The Jinja2 environment: templates ship inside the package, autoescaping always on."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse

from cabledesk import __version__
from cabledesk.record.level import LEVELS
from cabledesk.web import present
from cabledesk.web.urls import DeskUrls, slug


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cabledesk.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        levels=LEVELS,
        version=__version__,
        marking=present.marking,
        level_class=present.level_class,
        highlighted=present.highlighted,
        with_blanks=present.with_blanks,
        refine=present.refine,
        search_url=present.search_url,
        tag_meaning=present.tag_meaning,
        tag_kind=present.tag_kind,
        reason_text=present.reason_text,
        portion_level=present.portion_level,
        facet_titles=present.FACET_TITLES,
        urls=DeskUrls(),
        slug=slug,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def render(
    template: str, /, status_code: int = 200, request: HTTPConnection | None = None, **context: Any
) -> HTMLResponse:
    """Render a page; given the request, the page header shows who is signed in (with a
    sign-out form carrying the session's CSRF token)."""
    principal = request.scope.get("state", {}).get("principal") if request else None
    session = request.scope.get("session", {}) if request else {}
    context.setdefault("principal", principal)
    context.setdefault("csrf_token", session.get("csrf", ""))
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)
