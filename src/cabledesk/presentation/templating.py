"""The Jinja2 environment: templates ship inside the package, autoescaping always on.

Shared by the web desk (`cabledesk.web.templating.render`) and the static edition."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cabledesk import __version__
from cabledesk.presentation import present
from cabledesk.presentation.citation import cite
from cabledesk.presentation.urls import DeskUrls, slug
from cabledesk.record.level import LEVELS


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cabledesk.presentation", "templates"),
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
        with_links=present.with_links,
        refine=present.refine,
        chips=present.chips,
        search_url=present.search_url,
        tag_meaning=present.tag_meaning,
        tag_kind=present.tag_kind,
        reason_text=present.reason_text,
        portion_level=present.portion_level,
        facet_titles=present.FACET_TITLES,
        urls=DeskUrls(),
        slug=slug,
        cite=cite,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env
