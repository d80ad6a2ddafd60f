"""Where links point: the live desk (`DeskUrls`) or a static edition (`SiteUrls`).

The same templates render both, so a cable page of the public edition has the desk's
layout; only the addresses differ (a static site has no query language on the server,
so origins, TAGS and months link to its browse pages instead of to a search).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from cabledesk.presentation.present import refine, search_url


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"


def list_key(value: str) -> str:
    """The file name part of a static edition's list of the cables with `value` (an
    origin, a TAG, a month, a classification): readable, and told apart by a hash from
    another value that reads the same (`Paris` and `PARIS`)."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return f"{slug(value)[:40]}-{digest}"


class DeskUrls:
    home = "/"
    search_page = "/search"
    timeline_page: str | None = "/timeline"
    api: str | None = "/api"
    # The entities index and pages live on the desk only (a static edition has none).
    entities_page: str | None = "/entities"
    # The citation graph's pages live on the desk only (docs/graph.md).
    most_cited_page: str | None = "/graph/most-cited"
    graph_pages = True
    # The map of origins (docs/web.md) and the outline it draws on: the desk's only.
    map_page: str | None = "/map"
    world_outline = "/map/world.svg"

    def cable_graph(self, reference_id: str) -> str:
        return f"/cable/{quote(reference_id)}/graph"

    def cable_thread(self, reference_id: str) -> str:
        return f"/cable/{quote(reference_id)}/thread"

    def entity(self, entity_id: int) -> str:
        return f"/entities/{entity_id}"

    def cable(self, reference_id: str) -> str:
        return f"/cable/{quote(reference_id)}"

    def origin(self, name: str) -> str:
        return search_url(refine("", "origin", name), "-date")

    def tag(self, tag: str) -> str:
        return search_url(refine("", "tag", tag), "-date")

    def month(self, month: str) -> str:
        return search_url(refine("", "date", month), "date")

    def level(self, level: str) -> str:
        return search_url(refine("", "classification", level), "-date")

    def browse(self, by: str) -> str:
        return f"/browse/{by}"

    def static(self, name: str) -> str:
        return f"/static/{name}"


class SiteUrls(DeskUrls):
    timeline_page = None
    api = None
    entities_page = None
    most_cited_page = None
    graph_pages = False
    map_page = None

    def __init__(self, depth: int) -> None:
        self.prefix = "../" * depth
        self.home = self.prefix + "index.html"
        self.search_page = self.prefix + "search.html"

    def cable(self, reference_id: str) -> str:
        return f"{self.prefix}cable/{quote(reference_id)}.html"

    def listing(self, by: str, value: str, page: int = 1) -> str:
        """Page `page` of the list of the cables of one origin, TAG, month or
        classification (`list/BY/KEY-PAGE.html`; `by` "all": every cable)."""
        return f"{self.prefix}list/{by}/{list_key(value)}-{page}.html"

    def origin(self, name: str) -> str:
        return self.listing("origin", name)

    def tag(self, tag: str) -> str:
        return self.listing("tag", tag)

    def month(self, month: str) -> str:
        return self.listing("month", month)

    def level(self, level: str) -> str:
        return self.listing("classification", level)

    def browse(self, by: str) -> str:
        return f"{self.prefix}browse/{by}.html"

    def static(self, name: str) -> str:
        return f"{self.prefix}static/{name}"
