"""The OpenAPI 3.1 description of /api (served at /api/openapi.json; tests check every
route is described and every answer matches its schema)."""

from __future__ import annotations

from functools import cache
from typing import Any

from cabledesk import __version__
from cabledesk.web.alerts_openapi import ALERTS_SCHEMAS, alerts_paths
from cabledesk.web.copies_openapi import COPIES_SCHEMAS, copies_paths
from cabledesk.web.coverage_openapi import COVERAGE_SCHEMAS, coverage_paths
from cabledesk.web.sensitivity_openapi import SENSITIVITY_SCHEMAS, sensitivity_paths
from cabledesk.web.workspace_openapi import WORKSPACE_SCHEMAS, workspace_paths


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query") -> Any:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


_Q = _param(
    "q",
    "A query in the query language (docs/search.md); blank means every cable.",
    {"type": "string", "maxLength": 2000},
)
_VARIANTS = _param(
    "variants",
    "Also search other spellings of free-text words found in your own view of the archive "
    "(default on; `off`: every word as written; `=word` or quotes: that word as written). "
    "docs/search.md, Spelling variants.",
    {"enum": ["on", "off", "true", "false", "1", "0", "yes", "no"]},
)
_ID = _param("reference_id", "A cable's reference id (08BAGHDAD1784).", {"type": "string"}, "path")
_COUNTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
    },
}


_ENTITY_COUNTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count", "entity_id"],
        "properties": {
            "value": {"type": "string", "description": "The entity's name."},
            "count": {"type": "integer", "description": "Matching cables mentioning it."},
            "entity_id": {
                "type": "integer",
                "description": "Refines the query as `entity:ID`.",
            },
        },
    },
}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _file(description: str) -> dict[str, Any]:
    return {
        "description": description + " (a download; the header x-rows counts them).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
        },
    }


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {
        400: "A bad parameter or query",
        401: "An API token the desk refuses (unknown, revoked, or its account disabled)",
        403: "The route needs a role the asking account does not have (editors only)",
        404: "No such cable, entity or address (for visitors: not in the published edition)",
        503: "Near-duplicates wait for a large ingest's texts to be sketched (run "
        "`cabledesk copies --stats` once)",
    }
    return {
        str(code): {
            "description": reasons[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _get(summary: str, parameters: list[Any], ok: dict[str, Any], *codes: int) -> Any:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            # Every endpoint answers 401 to a refused token (docs/access.md).
            "responses": {"200": ok} | _errors(*codes, 401),
        }
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "parameter": {"type": "string"},
                    "query": {"type": "string"},
                    "position": {"type": "integer"},
                    "reference_id": {"type": "string"},
                },
            }
        },
    },
    "Hit": {
        "type": "object",
        "required": ["reference_id", "date", "origin", "classification", "subject", "snippet"],
        "properties": {
            "reference_id": {"type": "string"},
            "score": {"type": "number"},
            "date": {"type": ["string", "null"]},
            "origin": {"type": ["string", "null"]},
            "classification": {"type": ["string", "null"]},
            "caveats": {"type": "array", "items": {"type": "string"}},
            "subject": {"type": ["string", "null"]},
            "snippet": {"type": "string", "description": "Matches marked with [ and ]."},
            "passage": {"type": "string", "description": "The snippet unmarked."},
            "highlights": {
                "type": "array",
                "description": "[start, end) offsets of the matches in `passage`.",
                "items": {"type": "array", "items": {"type": "integer"}},
            },
            "predicted": {"$ref": "#/components/schemas/Predicted"},
            "copies": {
                "type": "integer",
                "description": "With collapse: the near-duplicates of this cable the reader "
                "has (matching the query or not).",
            },
            "folded": {
                "type": "array",
                "items": {"type": "string"},
                "description": "With collapse: the matching near-duplicates folded under "
                "this hit, in rank order.",
            },
        },
    },
    "SearchResult": {
        "type": "object",
        "required": ["query", "total", "offset", "limit", "sort", "hits", "facets"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "sort": {"enum": ["rank", "date", "-date", "cited"]},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "also_searched": {
                "type": "array",
                "description": "Spelling variants searched besides each free-text word "
                "(none with variants=off).",
                "items": {
                    "type": "object",
                    "required": ["word", "variants"],
                    "properties": {
                        "word": {"type": "string"},
                        "variants": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "facets": {
                "type": "object",
                "description": "Counts over the whole match set: origin, year, month "
                "(YYYY-MM), classification, caveat (handling caveat), tag, addressee, signer, "
                "classified_by (the name in the Classified By line; signers and names upper "
                "case, never one a redaction withholds from the reader), and (when facets "
                "are asked for) the "
                "entities most mentioned where the reader may see them: people, "
                "organisations, places (docs/entities.md).",
                "properties": {
                    name: _ENTITY_COUNTS for name in ("people", "organisations", "places")
                },
                "additionalProperties": _COUNTS,
            },
        },
    },
    "Timeline": {
        "type": "object",
        "required": ["query", "months"],
        "properties": {
            "query": {"type": "string"},
            "months": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["month", "total", "by_classification"],
                    "properties": {
                        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                        "total": {"type": "integer"},
                        "by_classification": {
                            "type": "object",
                            "additionalProperties": {"type": "integer"},
                        },
                    },
                },
            },
        },
    },
    "OriginMap": {
        "type": "object",
        "description": "Matching cables per origin, from the reader's view (docs/web.md, "
        "'The map of origins'): each post placed at its city (GeoNames, CC BY 4.0).",
        "required": ["query", "total", "posts", "unplaced"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer"},
            "posts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["origin", "city", "country", "lat", "lon", "count"],
                    "properties": {
                        "origin": {"type": "string"},
                        "city": {"type": "string"},
                        "country": {"type": "string", "description": "ISO 3166 code"},
                        "lat": {"type": "number"},
                        "lon": {"type": "number"},
                        "count": {"type": "integer"},
                    },
                },
            },
            "unplaced": {
                "type": "array",
                "description": "Origins with matches that the table cannot place.",
                "items": {
                    "type": "object",
                    "required": ["origin", "count"],
                    "properties": {"origin": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
        },
    },
    "Cable": {
        "type": "object",
        "required": ["record", "references_in_archive", "previous", "next", "citing_url"],
        "properties": {
            "record": {
                "type": "object",
                "description": "The cable record, as documented in docs/record.md and fixed "
                "by the package's record.schema.json.",
            },
            "references_in_archive": {"type": "array", "items": {"type": "string"}},
            "previous": {"type": ["string", "null"]},
            "next": {"type": ["string", "null"]},
            "citing_url": {"type": "string"},
            "predicted": {"$ref": "#/components/schemas/Predicted"},
        },
    },
    "Citing": {
        "type": "object",
        "required": ["reference_id", "citing"],
        "properties": {
            "reference_id": {"type": "string"},
            "citing": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Stats": {
        "type": "object",
        "required": ["cables", "year", "origin", "classification", "tag"],
        "properties": {
            "cables": {"type": "integer"},
            "year": _COUNTS,
            "origin": _COUNTS,
            "classification": _COUNTS,
            "tag": _COUNTS,
        },
    },
    "Browse": {
        "type": "object",
        "required": ["by", "rows"],
        "properties": {
            "by": {"enum": ["origin", "tag", "month", "classification"]},
            "rows": {"type": ["array", "object"]},
        },
    },
    "EntityCount": {
        "type": "object",
        "description": "An entity, counted over the mentions the asking reader may see.",
        "required": ["id", "kind", "name", "mentions", "cables"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": ["person", "org", "place", "post"]},
            "name": {"type": "string"},
            "mentions": {"type": "integer"},
            "cables": {"type": "integer"},
        },
    },
    "Entities": {
        "type": "object",
        "required": ["query", "kind", "name", "offset", "limit", "more", "entities"],
        "properties": {
            "query": {"type": "string"},
            "kind": {"enum": ["person", "org", "place", "post", None]},
            "name": {"type": "string"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "more": {"type": "boolean", "description": "Whether a next page has entities."},
            "entities": {"type": "array", "items": {"$ref": "#/components/schemas/EntityCount"}},
        },
    },
    "Entity": {
        "type": "object",
        "required": [
            "id",
            "kind",
            "name",
            "mentions",
            "cables",
            "aliases",
            "months",
            "posts",
            "related",
            "cable_ids",
            "snippets",
        ],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": ["person", "org", "place", "post"]},
            "name": {"type": "string"},
            "mentions": {"type": "integer"},
            "cables": {"type": "integer", "description": "How many cables name it."},
            "cable_ids": {
                "type": "array",
                "description": "Its latest cables (up to 100), newest first.",
                "items": {"type": "string"},
            },
            "aliases": _COUNTS,
            "months": {**_COUNTS, "description": "Cables naming it per month (YYYY-MM)."},
            "posts": {**_COUNTS, "description": "The posts whose cables name it."},
            "related": {
                "type": "array",
                "description": "The entities most often named in its cables.",
                "items": {"$ref": "#/components/schemas/EntityCount"},
            },
            "snippets": {
                "type": "array",
                "description": "Its latest cables, with a passage around a mention.",
                "items": {
                    "type": "object",
                    "required": [
                        "reference_id",
                        "date",
                        "classification",
                        "subject",
                        "passage",
                        "highlights",
                    ],
                    "properties": {
                        "reference_id": {"type": "string"},
                        "date": {"type": ["string", "null"]},
                        "classification": {"type": ["string", "null"]},
                        "subject": {"type": ["string", "null"]},
                        "passage": {"type": ["string", "null"]},
                        "highlights": {
                            "type": "array",
                            "items": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                },
            },
        },
    },
    "Mentions": {
        "type": "object",
        "required": ["reference_id", "mentions"],
        "properties": {
            "reference_id": {"type": "string"},
            "mentions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "entity_id",
                        "kind",
                        "name",
                        "field",
                        "paragraph",
                        "start",
                        "end",
                        "surface",
                    ],
                    "properties": {
                        "entity_id": {"type": "integer"},
                        "kind": {"enum": ["person", "org", "place", "post"]},
                        "name": {"type": "string"},
                        "field": {
                            "enum": ["subject", "paragraph", "classified_by", "signature", "tags"]
                        },
                        "paragraph": {
                            "type": ["integer", "null"],
                            "description": "Position in the record's paragraphs (or signers,"
                            " tags) of the field the mention stands in.",
                        },
                        "start": {
                            "type": ["integer", "null"],
                            "description": "Offset in the field's text as this reader receives"
                            " it; null where a redaction moved it.",
                        },
                        "end": {"type": ["integer", "null"]},
                        "surface": {"type": "string"},
                    },
                },
            },
        },
    },
    "GraphNode": {
        "type": "object",
        "description": "A node of the asking reader's citation graph (docs/graph.md). A "
        "cited cable the reader's archive does not hold (for visitors: one the published "
        "edition does not hold) has archived false, no date or origin, and an estimated "
        "date from the neighbouring serials of its post and year.",
        "required": [
            "id",
            "archived",
            "date",
            "origin",
            "estimated_date",
            "estimate",
            "in_degree",
            "out_degree",
            "pagerank",
            "component",
            "component_size",
        ],
        "properties": {
            "id": {"type": "string"},
            "archived": {"type": "boolean"},
            "date": {"type": ["string", "null"]},
            "origin": {"type": ["string", "null"]},
            "estimated_date": {"type": ["string", "null"]},
            "estimate": {
                "enum": ["archived", "between", "after", "before", "none"],
                "description": "between: interpolated between the nearest lower and higher "
                "serials; after/before: the date of the nearest serial on one side only.",
            },
            "in_degree": {"type": "integer", "description": "Cables citing it."},
            "out_degree": {"type": "integer", "description": "Ids it cites."},
            "pagerank": {"type": "number"},
            "component": {
                "type": "integer",
                "description": "Its weakly connected component, numbered largest first.",
            },
            "component_size": {"type": "integer"},
        },
    },
    "GraphStats": {
        "type": "object",
        "required": ["cables", "missing", "nodes", "edges", "components", "largest_component"],
        "properties": {
            "cables": {"type": "integer"},
            "missing": {"type": "integer", "description": "Cited ids not in the archive."},
            "nodes": {"type": "integer"},
            "edges": {"type": "integer"},
            "citing_cables": {"type": "integer"},
            "cited_in_archive": {"type": "integer"},
            "components": {"type": "integer"},
            "largest_component": {"type": "integer"},
            "pagerank_iterations": {"type": "integer"},
            "missing_estimated": {"type": "integer"},
            "estimate_quality": {
                "type": "object",
                "description": "The date estimate tried on the reader's own dated cables, "
                "each left out in turn, per method.",
            },
        },
    },
    "GraphCable": {
        "type": "object",
        "required": ["node", "cites", "cited_by"],
        "properties": {
            "node": {"$ref": "#/components/schemas/GraphNode"},
            "cites": {"type": "array", "items": {"$ref": "#/components/schemas/GraphLink"}},
            "cited_by": {"type": "array", "items": {"$ref": "#/components/schemas/GraphLink"}},
        },
    },
    "GraphLink": {
        "description": "A node cited by (or citing) the cable, with how the citation is made.",
        "allOf": [
            {"$ref": "#/components/schemas/GraphNode"},
            {
                "type": "object",
                "properties": {
                    "via": {
                        "type": "string",
                        "enum": ["ref", "text", "ref+text"],
                        "description": "ref: a REF item; text: an id cited in a paragraph "
                        "the reader receives; ref+text: both.",
                    }
                },
            },
        ],
    },
    "Thread": {
        "type": "object",
        "required": ["reference_id", "hops", "days", "thread"],
        "properties": {
            "reference_id": {"type": "string"},
            "hops": {"type": "integer"},
            "days": {"type": "integer"},
            "thread": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["node", "distance", "cites", "cited_by"],
                    "properties": {
                        "node": {"$ref": "#/components/schemas/GraphNode"},
                        "distance": {"type": "integer"},
                        "cites": {"type": "array", "items": {"type": "string"}},
                        "cited_by": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "Neighbourhood": {
        "type": "object",
        "required": ["reference_id", "hops", "limit", "found", "capped", "nodes", "edges"],
        "properties": {
            "reference_id": {"type": "string"},
            "hops": {"type": "integer"},
            "limit": {"type": "integer", "description": "The most nodes given."},
            "found": {"type": "integer", "description": "Nodes within reach (before the limit)."},
            "capped": {"type": "boolean"},
            "nodes": {
                "type": "array",
                "description": "The centre first, then the nearer nodes.",
                "items": {
                    "allOf": [{"$ref": "#/components/schemas/GraphNode"}],
                    "type": "object",
                    "required": ["distance"],
                    "properties": {"distance": {"type": "integer"}},
                },
            },
            "edges": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "target"],
                    "properties": {
                        "source": {"type": "string", "description": "The citing cable."},
                        "target": {"type": "string", "description": "The cited one."},
                    },
                },
            },
        },
    },
    "MostCited": {
        "type": "object",
        "required": ["query", "archived", "offset", "limit", "cables"],
        "properties": {
            "query": {"type": "string"},
            "archived": {"enum": ["all", "yes", "no"]},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "cables": {
                "type": "array",
                "items": {
                    "allOf": [{"$ref": "#/components/schemas/GraphNode"}],
                    "type": "object",
                    "required": ["citations", "subject"],
                    "properties": {
                        "citations": {"type": "integer"},
                        "subject": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
    "Index": {
        "type": "object",
        "required": ["openapi", "endpoints"],
        "properties": {
            "openapi": {"type": "string"},
            "endpoints": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _graph_paths() -> dict[str, Any]:
    graph_q = _param(
        "q",
        "Count only the citations made by the cables matching this query (docs/search.md); "
        "blank: every citation.",
        {"type": "string", "maxLength": 2000},
    )
    graph_format = _param(
        "format",
        "json (default), or the same as a graph file: graphml, gexf or csv (the edge list).",
        {"enum": ["json", "graphml", "gexf", "csv"]},
    )

    def json_or_file(schema: str, description: str) -> dict[str, Any]:
        answer = _ok(schema, description)
        answer["content"] |= {
            "application/graphml+xml": {"schema": {"type": "string"}},
            "application/gexf+xml": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        }
        return answer

    return {
        "/api/graph": _get(
            "The size of the reader's citation graph", [], _ok("GraphStats", "Its summary")
        ),
        "/api/graph/cables/{reference_id}": _get(
            "A node of the citation graph: metrics, what it cites, what cites it",
            [_ID],
            _ok("GraphCable", "The node"),
            404,
        ),
        "/api/graph/cables/{reference_id}/thread": _get(
            "The thread around a cable: the cables within some citations of it, dated near it",
            [
                _ID,
                _param(
                    "hops",
                    "Citations away (default 3).",
                    {"type": "integer", "minimum": 1, "maximum": 10},
                ),
                _param(
                    "days",
                    "Days either side (default 183).",
                    {"type": "integer", "minimum": 0, "maximum": 36600},
                ),
                graph_format,
            ],
            json_or_file("Thread", "The thread, in date order"),
            400,
            404,
        ),
        "/api/graph/cables/{reference_id}/neighbourhood": _get(
            "A node's neighbourhood: the nodes within some citations of it, either way, and "
            "the citations among them (what the desk draws)",
            [
                _ID,
                _param(
                    "hops",
                    "Citations away (default 2).",
                    {"type": "integer", "minimum": 1, "maximum": 3},
                ),
                _param(
                    "limit",
                    "The most nodes (default 120; the nearest first).",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                ),
                graph_format,
            ],
            json_or_file("Neighbourhood", "The neighbourhood"),
            400,
            404,
        ),
        "/api/graph/most-cited": _get(
            "The most cited cables, in the archive and missing from it",
            [
                graph_q,
                _param(
                    "archived",
                    "yes: the archive's cables; no: missing ones (default all).",
                    {"enum": ["all", "yes", "no"]},
                ),
                _param("limit", "Rows.", {"type": "integer", "minimum": 1, "maximum": 100}),
                _param(
                    "offset", "Rows to skip.", {"type": "integer", "minimum": 0, "maximum": 10000}
                ),
            ],
            _ok("MostCited", "Most cited first"),
            400,
        ),
        "/api/graph/export": _get(
            "Export the citation graph, or the citations of a query's cables",
            [
                _param(
                    "q",
                    "Only the citations of the cables matching this query; blank: the whole graph.",
                    {"type": "string", "maxLength": 2000},
                ),
                _param(
                    "format",
                    "graphml (default), gexf, or csv (the edge list).",
                    {"enum": ["graphml", "gexf", "csv"]},
                ),
            ],
            {
                "description": "The graph as a download (x-nodes, x-rows: nodes and edges).",
                "content": {
                    "application/graphml+xml": {"schema": {"type": "string"}},
                    "application/gexf+xml": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            400,
        ),
    }


SIMILAR_SCHEMAS: dict[str, Any] = {
    "Similar": {
        "type": "object",
        "required": ["reference_id", "similar"],
        "properties": {
            "reference_id": {"type": "string"},
            "similar": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "reference_id", "subject", "date", "origin", "score", "shared_terms"
                    ],
                    "properties": {
                        "reference_id": {"type": "string"},
                        "subject": {"type": ["string", "null"]},
                        "date": {"type": ["string", "null"]},
                        "origin": {"type": ["string", "null"]},
                        "score": {"type": "number", "minimum": 0},
                        "shared_terms": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
}  # fmt: skip


def _similar_paths() -> dict[str, Any]:
    return {
        "/api/cables/{reference_id}/similar": _get(
            "The cables most like this one, with the rare words they share (docs/similar.md)",
            [
                _ID,
                _param(
                    "limit",
                    "Cables (default 10).",
                    {"type": "integer", "minimum": 1, "maximum": 100},
                ),
            ],
            _ok("Similar", "Most similar first"),
            400,
            404,
        ),
    }


_NETWORK_NODE = {
    "type": "object",
    "required": ["id", "kind", "name", "cables"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["person", "org", "place", "post"]},
        "name": {"type": "string"},
        "cables": {"type": "integer", "description": "Cables counted over that name it."},
    },
}
_NETWORK_LINK = {
    "type": "object",
    "required": ["source", "target", "cables", "jaccard"],
    "properties": {
        "source": {"type": "integer"},
        "target": {"type": "integer"},
        "cables": {"type": "integer", "description": "The weight: cables naming both."},
        "jaccard": {"type": "number", "description": "Those cables over the cables naming either."},
    },
}
SCHEMAS["Network"] = {
    "type": "object",
    "required": ["center", "query", "counted", "matching", "capped", "nodes", "links"],
    "properties": {
        "center": {"type": ["integer", "null"], "description": "An entity's network: the entity."},
        "query": {"type": ["string", "null"], "description": "A query's network: the query."},
        "counted": {"type": "integer", "description": "The cables the weights count over."},
        "matching": {"type": "integer", "description": "The cables the query matches."},
        "capped": {"type": "boolean", "description": "Only `counted` of them were counted."},
        "nodes": {"type": "array", "items": _NETWORK_NODE},
        "links": {"type": "array", "items": _NETWORK_LINK},
    },
}


def _network_paths() -> dict[str, Any]:
    output = _param(
        "format",
        "json (default), or a download: graphml, gexf, csv (the edge list).",
        {"enum": ["json", "graphml", "gexf", "csv"]},
    )
    answer = {
        "description": "The network (a download for graphml, gexf, csv: x-nodes, x-rows).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Network"}},
            "application/graphml+xml": {"schema": {"type": "string"}},
            "application/gexf+xml": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
    return {
        "/api/entities/{entity_id}/network": _get(
            "An entity's co-mention network: its strongest links and the links among them",
            [
                _param("entity_id", "An entity's number.", {"type": "integer"}, "path"),
                _param(
                    "limit",
                    "Links of the entity (default 30).",
                    {"type": "integer", "minimum": 1, "maximum": 100},
                ),
                output,
            ],
            answer,
            400,
            404,
        ),
        "/api/network": _get(
            "The co-mention network of a query's cables",
            [
                _param(
                    "q",
                    "A query (docs/search.md): the network of its matching cables.",
                    {"type": "string", "minLength": 1, "maxLength": 2000},
                ),
                _param(
                    "nodes",
                    "Entities (default 30).",
                    {"type": "integer", "minimum": 1, "maximum": 100},
                ),
                output,
            ],
            answer,
            400,
        ),
    }


@cache
def spec() -> dict[str, Any]:
    search_params = [
        _Q,
        _param("limit", "Hits per page.", {"type": "integer", "minimum": 1, "maximum": 100}),
        _param("offset", "Hits to skip.", {"type": "integer", "minimum": 0, "maximum": 10000}),
        _param(
            "sort",
            "Order of hits (cited: most cited by the reader's cables first, the score then "
            "being that count).",
            {"enum": ["rank", "date", "-date", "cited"]},
        ),
        _param("facets", "Count facets (default true).", {"type": "boolean"}),
        _VARIANTS,
        _param(
            "collapse",
            "Fold near-duplicates into one hit (default false; docs/near-duplicates.md): "
            "each hit then says how many copies its group has (`copies`) and which "
            "matching ones are folded under it (`folded`); total and facets count cables.",
            {"type": "boolean"},
        ),
    ]
    by = _param(
        "by", "What to count by.", {"enum": ["origin", "tag", "month", "classification"]}, "path"
    )
    kind = _param(
        "kind", "Only entities of this kind.", {"enum": ["person", "org", "place", "post"]}
    )
    name = _param(
        "name",
        "Only entities whose name contains this (case folded).",
        {"type": "string", "maxLength": 100},
    )
    entities_q = _param(
        "q",
        "Only the entities of the cables matching this query (docs/search.md); blank: every cable.",
        {"type": "string", "maxLength": 2000},
    )
    entity_id = _param("entity_id", "An entity's number.", {"type": "integer"}, "path")
    export_params = [
        entities_q,
        kind,
        name,
        _param("entity", "Only this entity.", {"type": "integer"}),
        _param("format", "The file format (default csv).", {"enum": ["csv", "jsonl", "parquet"]}),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cabledesk",
            "version": __version__,
            "description": "Search and read an archive of US diplomatic cables. Without "
            "accounts the archive is open; with accounts, visitors get the published edition "
            "and scripts send `Authorization: Bearer <token>` (cabledesk token create).",
        },
        "paths": {
            "/api": _get("This list of endpoints", [], _ok("Index", "Endpoints")),
            "/api/openapi.json": _get(
                "This description",
                [],
                {"description": "OpenAPI 3.1", "content": {"application/json": {}}},
            ),
            "/api/search": _get(
                "Search, with facet counts over the whole match set",
                search_params,
                _ok("SearchResult", "Hits and facets"),
                400,
                503,
            ),
            "/api/timeline": _get(
                "Matching cables per month, by classification",
                [_Q, _VARIANTS],
                _ok("Timeline", "Months, oldest first"),
                400,
            ),
            "/api/map": _get(
                "Matching cables per origin, each post placed at its city",
                [_Q],
                _ok("OriginMap", "Posts, most cables first"),
                400,
            ),
            "/api/cables/{reference_id}": _get(
                "One cable's record", [_ID], _ok("Cable", "The record"), 404
            ),
            "/api/cables/{reference_id}/citing": _get(
                "The archived cables that cite this one",
                [_ID],
                _ok("Citing", "Citing cables, oldest first"),
                404,
            ),
            "/api/stats": _get("Counts by year, origin, level, tag", [], _ok("Stats", "Counts")),
            "/api/browse/{by}": _get(
                "What the archive holds, counted", [by], _ok("Browse", "Counts"), 404
            ),
            "/api/entities": _get(
                "The most mentioned entities, counted over what the reader may see",
                [
                    entities_q,
                    kind,
                    name,
                    _param(
                        "limit",
                        "Entities per page.",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                    ),
                    _param(
                        "offset",
                        "Entities to skip.",
                        {"type": "integer", "minimum": 0, "maximum": 10000},
                    ),
                ],
                _ok("Entities", "Entities, most mentioned first"),
                400,
            ),
            "/api/entities/{entity_id}": _get(
                "One entity: names, months, posts, related entities, cables",
                [entity_id],
                _ok("Entity", "The entity"),
                404,
            ),
            "/api/cables/{reference_id}/mentions": _get(
                "The entities a cable names, where the reader may see them",
                [_ID],
                _ok("Mentions", "Mentions, in the cable's order"),
                404,
            ),
            "/api/export/entities": _get(
                "Export the entities of a query's cables",
                export_params,
                _file("Columns id, kind, name, mentions, cables"),
                400,
            ),
            "/api/export/mentions": _get(
                "Export the mentions in a query's cables",
                export_params,
                _file(
                    "Columns reference_id, entity_id, kind, name, surface, field, paragraph, "
                    "start, end"
                ),
                400,
            ),
            "/api/export/cables": _get(
                "Export every cable matching a query (all matches, not a page), as you may "
                "read them",
                [
                    _Q,
                    search_params[3],
                    _param(
                        "format",
                        "The file format (default csv).",
                        {"enum": ["csv", "jsonl", "parquet"]},
                    ),
                    _param(
                        "text",
                        "Add each cable's text (default false; a CSV cell is cut at 32,767 "
                        "characters with a marker).",
                        {"type": "boolean"},
                    ),
                    _VARIANTS,
                ],
                _file(
                    "Columns reference_id, date, origin, classification, caveats, subject, "
                    "classified_by, signers, tags, link (and text)"
                ),
                400,
            ),
        }
        | _graph_paths()
        | copies_paths(_ID)
        | _similar_paths()
        | _network_paths()
        | coverage_paths()
        | workspace_paths()
        | alerts_paths()
        | sensitivity_paths(),
        "components": {
            "schemas": SCHEMAS
            | COPIES_SCHEMAS
            | SIMILAR_SCHEMAS
            | COVERAGE_SCHEMAS
            | WORKSPACE_SCHEMAS
            | ALERTS_SCHEMAS
            | SENSITIVITY_SCHEMAS
        },
    }
