"""The OpenAPI description of the coverage routes (docs/coverage.md), joined into
/api/openapi.json by `cabledesk.web.openapi.spec`."""

from __future__ import annotations

from typing import Any

from cabledesk.archive.coverage import METHODS, SORTS

_INTERVAL = {
    "type": "object",
    "required": ["estimate", "low", "high"],
    "properties": {
        "estimate": {"type": ["number", "null"]},
        "low": {"type": ["integer", "null"]},
        "high": {"type": ["integer", "null"]},
    },
}
_NUMBER = {"type": ["number", "null"]}
_INT = {"type": ["integer", "null"]}

COVERAGE_SCHEMAS: dict[str, Any] = {
    "Coverage": {
        "type": "object",
        "description": "Per post and year of the asking reader's archive (visitors: the "
        "published edition): serials held, cited but not held, the highest seen, the "
        "estimated cables sent with a 95% interval, the share held (docs/coverage.md).",
        "required": ["rows"],
        "properties": {
            "post": {"type": ["string", "null"]},
            "year": _INT,
            "sort": {"enum": list(SORTS)},
            "method": {"enum": list(METHODS)},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["post", "year", "held", "cited_missing", "highest_serial"],
                    "properties": {
                        "post": {"type": "string"},
                        "year": {"type": "integer"},
                        "held": {"type": "integer"},
                        "cited_missing": {"type": "integer"},
                        "highest_serial": {"type": "integer"},
                        "method": {
                            "enum": list(METHODS),
                            "description": "The method of this row's estimate (bayes needs "
                            "two serials; with one, umvu stands in).",
                        },
                        "estimate": _NUMBER,
                        "low": _INT,
                        "high": _INT,
                        "share_held": _NUMBER,
                        "umvu": _INTERVAL,
                        "bayes": _INTERVAL,
                    },
                },
            },
        },
    },
    "MissingCables": {
        "type": "object",
        "required": ["cables", "more"],
        "properties": {
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "more": {"type": "boolean"},
            "cables": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "post", "year", "serial", "citations", "citing"],
                    "properties": {
                        "id": {"type": "string"},
                        "post": {"type": "string"},
                        "year": {"type": "integer"},
                        "serial": {"type": "integer"},
                        "citations": {"type": "integer"},
                        "estimated_date": {"type": ["string", "null"]},
                        "estimate": {
                            "enum": ["between", "after", "before", "gap", "none"],
                            "description": "How the date was estimated (gap: the "
                            "neighbouring serials are more than 90 days apart).",
                        },
                        "citing": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "PostSerials": {
        "type": "object",
        "required": ["post", "years"],
        "properties": {
            "post": {"type": "string"},
            "years": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "year": {"type": "integer"},
                        "highest_serial": {"type": "integer"},
                        "held": {"type": "array", "items": {"type": "integer"}},
                        "cited_missing": {"type": "array", "items": {"type": "integer"}},
                        "unknown": {"type": "integer"},
                    },
                },
            },
        },
    },
}


def coverage_paths() -> dict[str, Any]:
    # Imported here: cabledesk.web.openapi imports this module.
    from cabledesk.web.openapi import _get, _ok, _param

    post = _param("post", "Only this post (letters, like BAGHDAD).", {"type": "string"})
    year = _param("year", "Only this year.", {"type": "integer", "minimum": 1966, "maximum": 2099})
    output = _param("format", "json (default) or csv (a download).", {"enum": ["json", "csv"]})

    def json_or_csv(schema: str, description: str) -> dict[str, Any]:
        answer = _ok(schema, description)
        answer["content"] |= {"text/csv": {"schema": {"type": "string"}}}
        return answer

    return {
        "/api/coverage": _get(
            "How much of each post's traffic the archive holds, per year, with estimates",
            [
                post,
                year,
                _param("sort", "Order (default post).", {"enum": list(SORTS)}),
                _param("method", "The estimator (default bayes).", {"enum": list(METHODS)}),
                output,
            ],
            json_or_csv("Coverage", "Per post and year"),
            400,
        ),
        "/api/coverage/missing": _get(
            "The cables the archive's cables cite but it does not hold, most cited first",
            [
                post,
                year,
                _param("min_citations", "At least this many citing cables.", {"type": "integer"}),
                _param("limit", "Rows.", {"type": "integer", "minimum": 1, "maximum": 1000}),
                _param("offset", "Rows to skip.", {"type": "integer", "minimum": 0}),
                output,
            ],
            json_or_csv("MissingCables", "Most cited first"),
            400,
        ),
        "/api/coverage/posts/{post}": _get(
            "A post's serials per year: held, cited but missing, and unknown",
            [_param("post", "A post (letters).", {"type": "string"}, "path")],
            _ok("PostSerials", "Per year, oldest first"),
            400,
            404,
        ),
    }
