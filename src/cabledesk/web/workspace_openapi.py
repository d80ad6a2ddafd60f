"""The OpenAPI description of the workspace routes (docs/workspace.md), joined into
/api/openapi.json by `cabledesk.web.openapi.spec`."""

from __future__ import annotations

from typing import Any

_NOTE = {
    "type": "object",
    "required": ["id", "author", "reference_id", "paragraph", "collection_id", "text"],
    "properties": {
        "id": {"type": "integer"},
        "author": {"type": ["string", "null"], "description": "null: the archive's owner"},
        "reference_id": {"type": "string"},
        "paragraph": {
            "type": ["string", "null"],
            "description": "The paragraph's anchor (p3, p5-2, u1); null: the whole cable.",
        },
        "collection_id": {
            "type": ["integer", "null"],
            "description": "The collection it is shared with; null: private to its author.",
        },
        "text": {"type": "string", "description": "Redactions burned in for the reader."},
        "created": {"type": "string"},
    },
}
_COLLECTION_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "owner": {"type": ["string", "null"], "description": "null: the archive's owner"},
    "access": {"enum": ["owner", "edit", "view"], "description": "The asker's."},
    "published": {"type": "boolean", "description": "Marked for the public edition."},
    "cables": {"type": "integer"},
    "created": {"type": "string"},
    "updated": {"type": "string"},
}
WORKSPACE_SCHEMAS: dict[str, Any] = {
    "Note": _NOTE,
    "Notes": {
        "type": "object",
        "required": ["notes"],
        "properties": {"notes": {"type": "array", "items": {"$ref": "#/components/schemas/Note"}}},
    },
    "CollectionSummary": {
        "type": "object",
        "required": list(_COLLECTION_PROPERTIES),
        "properties": _COLLECTION_PROPERTIES,
    },
    "Collections": {
        "type": "object",
        "required": ["collections"],
        "properties": {
            "collections": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/CollectionSummary"},
            }
        },
    },
    "Collection": {
        "type": "object",
        "description": "A collection as the asker may see it: each cable as their own view "
        "gives it (withheld: no subject, no text), the notes they may read.",
        "required": [*_COLLECTION_PROPERTIES, "shares", "entries"],
        "properties": _COLLECTION_PROPERTIES
        | {
            "shares": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["account", "access"],
                    "properties": {
                        "account": {"type": "string"},
                        "access": {"enum": ["view", "edit"]},
                    },
                },
            },
            "entries": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["reference_id", "position", "withheld", "notes"],
                    "properties": {
                        "reference_id": {"type": "string"},
                        "position": {"type": "integer"},
                        "withheld": {"type": "boolean"},
                        "subject": {"type": ["string", "null"]},
                        "date": {"type": ["string", "null"]},
                        "origin": {"type": ["string", "null"]},
                        "classification": {"type": ["string", "null"]},
                        "notes": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Note"},
                        },
                    },
                },
            },
        },
    },
    "Added": {
        "type": "object",
        "required": ["added", "collection"],
        "properties": {
            "added": {"type": "integer"},
            "collection": {"$ref": "#/components/schemas/Collection"},
        },
    },
    "Removed": {
        "type": "object",
        "required": ["removed"],
        "properties": {"removed": {"type": "boolean"}},
    },
    "CollectionDeleted": {
        "type": "object",
        "description": "What deleting a collection took with it: its cable list and "
        "shares; the notes shared with it were kept as private notes of their authors.",
        "required": [
            "deleted",
            "cables",
            "shares",
            "notes_kept_private",
            "withdrawn_from_next_edition",
        ],
        "properties": {
            "deleted": {"type": "integer", "description": "The collection's number."},
            "cables": {"type": "integer"},
            "shares": {"type": "integer"},
            "notes_kept_private": {"type": "integer"},
            "withdrawn_from_next_edition": {
                "type": "boolean",
                "description": "It was published: the next edition built leaves its page out.",
            },
        },
    },
    "NoteDeleted": {
        "type": "object",
        "required": ["deleted"],
        "properties": {"deleted": {"type": "integer", "description": "The note's number."}},
    },
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": required, "properties": properties}
            }
        },
    }


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {
        400: "A bad body, parameter or query",
        401: "Not signed in (send Authorization: Bearer <token>), or a refused token",
        403: "Signed in, but not allowed (a collection shared for reading only; sharing and "
        "deleting are the owner's; publishing needs the editor role; a note is changed or "
        "deleted by its author only; a session's change without X-CSRF-Token)",
        404: "No such collection, note or cable of yours (the same answer for one you may not see)",
    }
    return {
        str(code): {
            "description": reasons[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def workspace_paths() -> dict[str, Any]:
    collection_id = {
        "name": "collection_id",
        "in": "path",
        "required": True,
        "description": "A collection's number.",
        "schema": {"type": "integer"},
    }
    reference_id = {
        "name": "reference_id",
        "in": "path",
        "required": True,
        "description": "A cable's reference id.",
        "schema": {"type": "string"},
    }
    note_id = {
        "name": "note_id",
        "in": "path",
        "required": True,
        "description": "A note's number (GET /api/notes gives it).",
        "schema": {"type": "integer"},
    }
    return {
        "/api/collections": {
            "get": {
                "summary": "Your collections and those shared with you",
                "parameters": [],
                "responses": {"200": _json("Collections", "Collections")} | _errors(401),
            },
            "post": {
                "summary": "Make a collection (private until shared)",
                "parameters": [],
                "requestBody": _body(
                    {"title": {"type": "string"}, "description": {"type": "string"}}, ["title"]
                ),
                "responses": {"201": _json("Collection", "The new collection")}
                | _errors(400, 401, 403),
            },
        },
        "/api/collections/{collection_id}": {
            "get": {
                "summary": "A collection, as you may read it",
                "parameters": [collection_id],
                "responses": {"200": _json("Collection", "The collection")} | _errors(401, 404),
            },
            "post": {
                "summary": "Change a collection: title, description, sharing (owner only), "
                "the public edition mark (editors), a cable's place",
                "parameters": [collection_id],
                "requestBody": _body(
                    {
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "share": {
                            "type": "object",
                            "properties": {
                                "account": {"type": "string"},
                                "access": {"enum": ["view", "edit", None]},
                            },
                        },
                        "published": {"type": "boolean"},
                        "move": {
                            "type": "object",
                            "properties": {
                                "reference_id": {"type": "string"},
                                "position": {"type": "integer", "description": "0: first"},
                            },
                        },
                    },
                    [],
                ),
                "responses": {"200": _json("Collection", "The collection as changed")}
                | _errors(400, 401, 403, 404),
            },
            "delete": {
                "summary": "Delete a collection (its owner only) with its cable list and shares; "
                "the notes shared with it become private notes of their authors; a published "
                "collection is left out of the next edition built",
                "parameters": [collection_id],
                "responses": {"200": _json("CollectionDeleted", "What went with it")}
                | _errors(401, 403, 404),
            },
        },
        "/api/collections/{collection_id}/cables": {
            "post": {
                "summary": "Add cables by id, or every match of a query",
                "parameters": [collection_id],
                "requestBody": _body(
                    {
                        "ids": {"type": "array", "items": {"type": "string"}},
                        "q": {"type": "string", "description": "Every match (docs/search.md)."},
                    },
                    [],
                ),
                "responses": {"200": _json("Added", "How many were new")}
                | _errors(400, 401, 403, 404),
            }
        },
        "/api/collections/{collection_id}/cables/{reference_id}": {
            "delete": {
                "summary": "Take a cable out of a collection",
                "parameters": [collection_id, reference_id],
                "responses": {"200": _json("Removed", "Whether it was there")}
                | _errors(401, 403, 404),
            }
        },
        "/api/collections/{collection_id}/export": {
            "get": {
                "summary": "Export a collection with its notes",
                "parameters": [
                    collection_id,
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "description": "The file format (default csv).",
                        "schema": {"enum": ["csv", "jsonl", "parquet"]},
                    },
                    {
                        "name": "text",
                        "in": "query",
                        "required": False,
                        "description": "Add each cable's text (default false).",
                        "schema": {"type": "boolean"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Columns position, reference_id, date, origin, "
                        "classification, caveats, subject, classified_by, signers, tags, link "
                        "(and text), withheld, notes (a download; x-rows counts them)",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/x-ndjson": {"schema": {"type": "string"}},
                            "application/vnd.apache.parquet": {
                                "schema": {"type": "string", "format": "binary"}
                            },
                        },
                    }
                }
                | _errors(400, 401, 404),
            }
        },
        "/api/notes": {
            "get": {
                "summary": "The notes you may read (on one cable, or all)",
                "parameters": [
                    {
                        "name": "reference_id",
                        "in": "query",
                        "required": False,
                        "description": "Only the notes on this cable.",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"200": _json("Notes", "Notes, oldest first")} | _errors(401),
            },
            "post": {
                "summary": "Write a note on a cable or one paragraph",
                "parameters": [],
                "requestBody": _body(
                    {
                        "reference_id": {"type": "string"},
                        "text": {"type": "string"},
                        "paragraph": {"type": ["string", "null"]},
                        "collection_id": {"type": ["integer", "null"]},
                    },
                    ["reference_id", "text"],
                ),
                "responses": {"201": _json("Note", "The note")} | _errors(400, 401, 403, 404),
            },
        },
        "/api/notes/{note_id}": {
            "post": {
                "summary": "Change a note's text (its author only); where it is written and "
                "with whom it is shared stay",
                "parameters": [note_id],
                "requestBody": _body({"text": {"type": "string"}}, ["text"]),
                "responses": {"200": _json("Note", "The note as changed")}
                | _errors(400, 401, 403, 404),
            },
            "delete": {
                "summary": "Delete a note (its author only)",
                "parameters": [note_id],
                "responses": {"200": _json("NoteDeleted", "Deleted")} | _errors(401, 403, 404),
            },
        },
    }
