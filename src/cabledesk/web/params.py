"""Reading the query string: forgiving for pages (a bad value falls back to its default
and says so), strict for the API (a bad value is a 400 that names it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from cabledesk.query import SORTS

PAGE_SIZE = 20
MAX_QUERY = 2000
MAX_LIMIT = 100
MAX_OFFSET = 10_000


class BadParameter(ValueError):
    def __init__(self, name: str, expected: str, found: str) -> None:
        shown = found if len(found) <= 40 else found[:40] + "…"
        super().__init__(f"{name}: expected {expected}; found {shown!r}")
        self.name = name


@dataclass(slots=True)
class SearchParams:
    q: str = ""
    sort: str = "rank"
    offset: int = 0
    limit: int = PAGE_SIZE
    notices: list[str] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def _integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"a whole number from {low} to {high}", raw) from None
    if not low <= value <= high:
        raise BadParameter(name, f"a whole number from {low} to {high}", raw)
    return value


def integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    """A whole number from `low` to `high` (BadParameter otherwise); `default` when absent."""
    return _integer(params, name, default, low, high)


def _query(params: QueryParams) -> str:
    q = params.get("q", "")
    if len(q) > MAX_QUERY:
        raise BadParameter("q", f"a query of at most {MAX_QUERY:,} characters", q)
    return q


def _sort(params: QueryParams) -> str:
    sort = params.get("sort") or "rank"
    if sort not in SORTS:
        raise BadParameter("sort", " or ".join(SORTS), sort)
    return sort


def for_api(params: QueryParams) -> SearchParams:
    return SearchParams(
        q=_query(params),
        sort=_sort(params),
        offset=_integer(params, "offset", 0, 0, MAX_OFFSET),
        limit=_integer(params, "limit", PAGE_SIZE, 1, MAX_LIMIT),
    )


def for_page(params: QueryParams) -> SearchParams:
    """The search page's state from its URL; what cannot be used is reported, not fatal."""
    found = SearchParams()
    try:
        found.q = _query(params)
    except BadParameter as exc:
        found.q = params.get("q", "")[:MAX_QUERY]
        found.notices.append(f"{exc}; only the first {MAX_QUERY:,} characters are used")
    try:
        found.sort = _sort(params)
    except BadParameter as exc:
        found.notices.append(f"{exc}; sorted by rank instead")
    try:
        page = _integer(params, "page", 1, 1, MAX_OFFSET // PAGE_SIZE)
    except BadParameter as exc:
        page = 1
        found.notices.append(f"{exc}; showing page 1")
    found.offset = (page - 1) * PAGE_SIZE
    return found


def variants_on(params: QueryParams) -> bool:
    """Pages: spelling variants are searched too unless the URL says `variants=off` (or
    0, false, no); anything else leaves them on (docs/search.md). The JSON API reads the
    same parameter strictly (web.api._variants)."""
    return params.get("variants", "on").lower() not in ("off", "0", "false", "no")
