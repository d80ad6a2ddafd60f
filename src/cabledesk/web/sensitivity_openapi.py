"""The OpenAPI description of predicted sensitivity (docs/sensitivity.md), joined into
/api/openapi.json by `cabledesk.web.openapi.spec`."""

from __future__ import annotations

from typing import Any

from cabledesk.archive.sensitivity import LEVELS, REVIEW_KINDS

_P = {"type": "number", "minimum": 0, "maximum": 1}

SENSITIVITY_SCHEMAS: dict[str, Any] = {
    "Predicted": {
        "type": ["object", "null"],
        "description": "A model's guess at the cable's classification (predicted: true), "
        "given only where the classification is missing: the cable's stored score when the "
        "reader is granted it (every part it is computed from within the reader's view, no "
        "redaction the reader gets touching it), else on the cable record the score of the "
        "paragraphs the reader is shown (scope visible; docs/sensitivity.md).",
        "required": ["level", "noforn", "p_unclassified", "p_confidential", "p_secret"],
        "properties": {
            "level": {"enum": list(LEVELS)},
            "noforn": {"type": "boolean"},
            "p_unclassified": _P,
            "p_confidential": _P,
            "p_secret": _P,
            "p_noforn": _P,
            "model": {"type": "integer"},
            "predicted": {"const": True},
            "scope": {
                "enum": ["whole", "visible"],
                "description": "whole: the stored score of the whole text; visible: the "
                "score of the paragraphs this reader is shown, computed for them (they are "
                "not granted the whole text's)",
            },
        },
    },
    "Review": {
        "type": "object",
        "description": "The editors' review queue, highest margin first "
        '(docs/sensitivity.md, "The review queue").',
        "required": ["total", "offset", "limit", "items"],
        "properties": {
            "total": {"type": "integer"},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "kind": {"type": ["string", "null"]},
            "approved": {"type": "boolean"},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "reference_id", "predicted", "margin", "given"],
                    "properties": {
                        "kind": {"enum": list(REVIEW_KINDS)},
                        "reference_id": {"type": "string"},
                        "position": {"type": ["integer", "null"]},
                        "number": {"type": ["integer", "null"]},
                        "given": {"type": "string"},
                        "predicted": {"enum": list(LEVELS)},
                        "p_unclassified": _P,
                        "p_confidential": _P,
                        "p_secret": _P,
                        "margin": {"type": "number"},
                        "excerpt": {"type": "string"},
                        "date": {"type": ["string", "null"]},
                        "origin": {"type": ["string", "null"]},
                        "subject": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
}


def sensitivity_paths() -> dict[str, Any]:
    # Imported here: cabledesk.web.openapi imports this module.
    from cabledesk.web.openapi import _get, _ok, _param

    return {
        "/api/sensitivity/review": _get(
            "Editors only: paragraphs predicted above their marking, unmarked paragraphs "
            "predicted SECRET, UNCLASSIFIED cables that read like SECRET ones",
            [
                _param("kind", "Only items of this kind.", {"enum": list(REVIEW_KINDS)}),
                _param(
                    "approved",
                    "Only cables approved for the next edition.",
                    {"type": "boolean"},
                ),
                _param(
                    "limit", "Items per page.", {"type": "integer", "minimum": 1, "maximum": 500}
                ),
                _param("offset", "Items to skip.", {"type": "integer", "minimum": 0}),
            ],
            _ok("Review", "One page of the queue"),
            400,
            403,
        ),
    }
