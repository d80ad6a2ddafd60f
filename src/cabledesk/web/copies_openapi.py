"""The OpenAPI description of the near-duplicate routes (docs/near-duplicates.md), joined
into /api/openapi.json by `cabledesk.web.openapi.spec`."""

from __future__ import annotations

from typing import Any

_UNIT = {"type": ["number", "null"], "minimum": 0, "maximum": 1}

COPIES_SCHEMAS: dict[str, Any] = {
    "Copies": {
        "type": "object",
        "description": "A cable's near-duplicates in the asking reader's groups (for visitors: "
        "the published edition's), most alike first.",
        "required": ["reference_id", "copies"],
        "properties": {
            "reference_id": {"type": "string"},
            "copies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["reference_id", "relation", "jaccard", "containment"],
                    "properties": {
                        "reference_id": {"type": "string"},
                        "relation": {
                            "enum": ["copy", "contains", "inside"],
                            "description": "copy: in the cable's group (the same text, a "
                            "re-send); contains: it holds the cable's text; inside: its text "
                            "lies inside the cable's.",
                        },
                        "jaccard": _UNIT
                        | {
                            "description": "Jaccard similarity of the two bodies' shingles; "
                            "null when the two are in one group through other copies."
                        },
                        "containment": _UNIT
                        | {"description": "How much of the shorter body lies in the longer."},
                    },
                },
            },
        },
    },
    "CopiesStats": {
        "type": "object",
        "description": "The asking reader's near-duplicate groups (docs/near-duplicates.md).",
        "required": ["groups", "cables_in_groups", "largest", "sizes", "largest_groups"],
        "properties": {
            "texts": {
                "type": ["integer", "null"],
                "description": "Texts held; texts, sketched, candidates and checked are "
                "counted over the whole archive, so only a reader who sees everything gets "
                "them (null for anyone else).",
            },
            "sketched": {"type": ["integer", "null"]},
            "candidates": {"type": ["integer", "null"]},
            "checked": {"type": ["integer", "null"]},
            "pairs": {
                "type": ["integer", "null"],
                "description": "Pairs kept (copies and contained); for a restricted reader, "
                "between the reader's own texts only.",
            },
            "copy_pairs": {"type": ["integer", "null"]},
            "contained_pairs": {"type": ["integer", "null"]},
            "contained_seen": {
                "type": ["integer", "null"],
                "description": "Containment pairs between the reader's texts.",
            },
            "groups": {"type": "integer"},
            "cables_in_groups": {"type": "integer"},
            "largest": {"type": "integer"},
            "sizes": {
                "type": "object",
                "description": "Groups per size (cables in the group).",
                "additionalProperties": {"type": "integer"},
            },
            "largest_groups": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


def copies_paths(reference_id: dict[str, Any]) -> dict[str, Any]:
    # Imported here: cabledesk.web.openapi imports this module.
    from cabledesk.web.openapi import _get, _ok, _param

    return {
        "/api/copies": _get(
            "The reader's near-duplicate groups: how many, how large, the largest",
            [
                _param(
                    "largest",
                    "How many of the largest groups to list (default 10).",
                    {"type": "integer", "minimum": 0, "maximum": 100},
                )
            ],
            _ok("CopiesStats", "The report"),
            400,
            503,
        ),
        "/api/cables/{reference_id}/copies": _get(
            "A cable's near-duplicates: the same text under other ids, re-sends, copies",
            [reference_id],
            _ok("Copies", "Its copies, most alike first"),
            404,
            503,
        ),
    }
