"""The query stage: the query language and searching an archive with it."""

from cabledesk.query.language import FIELDS, QueryError, parse_query
from cabledesk.query.search import FACETS, SORTS, Hit, SearchResult

__all__ = ["FACETS", "FIELDS", "SORTS", "Hit", "QueryError", "SearchResult", "parse_query"]
