"""The OpenAPI description of saved searches and batch search (docs/workspace.md), joined
into /api/openapi.json by `cabledesk.web.openapi.spec`."""

from __future__ import annotations

from typing import Any

_STRINGS = {"type": "array", "items": {"type": "string"}}

ALERTS_SCHEMAS: dict[str, Any] = {
    "SavedSearch": {
        "type": "object",
        "description": "A saved search of the asking account, with the cables ingested since "
        "its last visit that it matches in that account's view (newest first).",
        "required": ["id", "name", "query", "sort", "new", "ids", "upto", "error"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "query": {"type": "string"},
            "sort": {"enum": ["rank", "date", "-date", "cited"]},
            "created": {"type": "string"},
            "visited_at": {"type": ["string", "null"]},
            "new": {"type": "integer", "description": "How many new matches."},
            "ids": _STRINGS | {"description": "The new matches' reference ids."},
            "upto": {
                "type": "integer",
                "description": "The change they were counted to: POST it to /seen.",
            },
            "error": {
                "type": ["string", "null"],
                "description": "Why a saved query cannot run any more (then no matches).",
            },
        },
    },
    "SavedSearches": {
        "type": "object",
        "required": ["saved_searches"],
        "properties": {
            "saved_searches": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/SavedSearch"},
            }
        },
    },
    "Deleted": {
        "type": "object",
        "required": ["deleted"],
        "properties": {"deleted": {"type": "integer"}},
    },
    "BatchResult": {
        "type": "object",
        "required": ["queries"],
        "properties": {
            "queries": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["line", "text", "query", "count", "ids", "truncated", "error"],
                    "properties": {
                        "line": {"type": "integer", "description": "Its line in the list."},
                        "text": {"type": "string", "description": "As written."},
                        "query": {"type": "string", "description": "What was searched."},
                        "count": {"type": "integer"},
                        "ids": _STRINGS | {"description": "Matching ids, newest first."},
                        "truncated": {
                            "type": "boolean",
                            "description": "More match than `max_ids` lists.",
                        },
                        "variants": _STRINGS
                        | {"description": "Spelling variants searched besides."},
                        "error": {
                            "type": ["string", "null"],
                            "description": "Why this line could not be searched.",
                        },
                    },
                },
            }
        },
    },
}


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": bool(required),
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def alerts_paths() -> dict[str, Any]:
    # Imported here: cabledesk.web.openapi imports this module.
    from cabledesk.web.openapi import _errors, _ok, _param

    search_id = _param("search_id", "A saved search's number.", {"type": "integer"}, "path")

    def answer(ok: dict[str, Any], *codes: int, status: str = "200") -> dict[str, Any]:
        return {status: ok} | _errors(*codes, 401)

    return {
        "/api/saved-searches": {
            "get": {
                "summary": "Your saved searches, each with its new matches since your last visit",
                "parameters": [],
                "responses": answer(_ok("SavedSearches", "Saved searches, by name")),
            },
            "post": {
                "summary": "Save a query (with its filters) and a sort under a name; its news "
                "starts now (a name in use: that search is replaced)",
                "parameters": [],
                "requestBody": _form(
                    {
                        "name": {"type": "string", "maxLength": 100},
                        "q": {"type": "string", "maxLength": 2000},
                        "sort": {"enum": ["rank", "date", "-date", "cited"]},
                    },
                    ["name"],
                ),
                "responses": answer(_ok("SavedSearch", "Saved"), 400, status="201"),
            },
        },
        "/api/saved-searches/{search_id}": {
            "get": {
                "summary": "One saved search and its new matches since your last visit",
                "parameters": [search_id],
                "responses": answer(_ok("SavedSearch", "The saved search"), 404),
            },
            "post": {
                "summary": "Rename a saved search or change its query or sort (a field left "
                "out is kept); a new query starts its news again, a new name or sort keeps it",
                "parameters": [search_id],
                "requestBody": _form(
                    {
                        "name": {"type": "string", "maxLength": 100},
                        "q": {"type": "string", "maxLength": 2000},
                        "sort": {"enum": ["rank", "date", "-date", "cited"]},
                    },
                    [],
                ),
                "responses": answer(_ok("SavedSearch", "The saved search as changed"), 400, 404),
            },
            "delete": {
                "summary": "Delete a saved search",
                "parameters": [search_id],
                "responses": answer(_ok("Deleted", "Deleted"), 404),
            },
        },
        "/api/saved-searches/{search_id}/seen": {
            "post": {
                "summary": "Mark the news read up to `upto` (what arrives later stays new)",
                "parameters": [search_id],
                "requestBody": _form({"upto": {"type": "integer"}}, ["upto"]),
                "responses": answer(_ok("SavedSearch", "The saved search, marked"), 400, 404),
            }
        },
        "/api/batch-search": {
            "post": {
                "summary": "Many queries or names at once: each one's count and matching ids",
                "parameters": [],
                "requestBody": _form(
                    {
                        "queries": {
                            "type": "string",
                            "description": "One query per line (# starts a comment), or CSV.",
                        },
                        "column": {
                            "type": "string",
                            "description": "Read this CSV column (header name or number).",
                        },
                        "names": {
                            "type": "boolean",
                            "description": "Each line is a name, searched as a phrase.",
                        },
                        "max_ids": {"type": "integer", "minimum": 1, "maximum": 10000},
                        "format": {"enum": ["json", "csv"]},
                    },
                    ["queries"],
                ),
                "responses": answer(
                    {
                        "description": "A row per query (CSV columns line, query, count, "
                        "ids, error)",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/BatchResult"}
                            },
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    400,
                ),
            }
        },
    }
