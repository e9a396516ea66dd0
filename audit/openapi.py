"""The HTTP API as an OpenAPI 3.1 document, served at /api/openapi.json.

Its bounds and patterns are the constants the server's checks enforce (visits.py,
answers.py), so the two cannot drift. The document never forbids what the server accepts
(a client that follows it is never refused for its shape), while the server may refuse
more: the answers it checks against the pinned checklist. tests/test_openapi.py holds the
document to the routes both ways; tests/test_api_fuzz.py holds the server to the document.
"""

from __future__ import annotations

from typing import Any

from . import answers, visits
from .schema import ID_PATTERN

JSON = "application/json"


def _whole(pattern: str) -> str:
    """An ECMA-262 pattern (JSON Schema's dialect), where `$` ends the input."""
    return f"^{pattern}$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _date_time(description: str, *, nullable: bool = False) -> dict[str, Any]:
    return {
        "description": description + " RFC 3339, with its UTC offset.",
        "type": ["string", "null"] if nullable else "string",
        "format": "date-time",
        "maxLength": visits.MAX_TIME,
    }


def _schemas() -> dict[str, Any]:
    uuid = {"type": "string", "pattern": _whole(visits.UUID_PATTERN)}
    sha256 = {"type": "string", "pattern": _whole(visits.SHA256_PATTERN)}
    item_id = {"type": "string", "pattern": ID_PATTERN}
    ident = {"type": "string", "minLength": 1, "maxLength": visits.MAX_ID}
    pixels = {"type": ["integer", "null"], "minimum": 1, "maximum": visits.MAX_PIXELS}
    return {
        "Visit": {
            "description": "A visit as the phone sends it. The answers are then checked against the checklist "
            "version it pins (`checklist_hash`): an answer that is no possible answer of its item, on a hidden "
            "item, or missing where required is refused with the rest of the visit.",
            "type": "object",
            "required": ["checklist_id", "checklist_hash", "site_id", "started_at"],
            "additionalProperties": False,
            "properties": {
                "checklist_id": ident,
                "checklist_hash": {**sha256, "description": "The content hash of the checklist version filled in."},
                "site_id": ident,
                "started_at": _date_time("When the visit began."),
                "ended_at": _date_time("When it ended, not before it began.", nullable=True),
                "narrative": {"type": ["string", "null"], "maxLength": visits.MAX_NARRATIVE},
                "answers": {
                    "type": "object",
                    "maxProperties": visits.MAX_ANSWERS,
                    "propertyNames": {"pattern": ID_PATTERN},
                    "additionalProperties": _ref("Answer"),
                },
                "photos": {"type": "array", "maxItems": visits.MAX_PHOTOS, "items": _ref("PhotoDeclaration")},
            },
        },
        "Answer": {
            "description": "One item's answer. Which values an item takes depends on its type (README: checklists).",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "value": {
                    "description": "yes/no, a choice id, a number, a time or text; a list of choice ids for a "
                    "multiple choice; absent or null when unanswered or N/A.",
                    "type": ["string", "number", "array", "null"],
                    "maxLength": answers.MAX_TEXT,
                    "items": item_id,
                    "uniqueItems": True,
                },
                "na": {"type": "boolean"},
                "note": {"type": ["string", "null"], "maxLength": answers.MAX_TEXT},
                "answered_at": _date_time("When the inspector last changed it.", nullable=True),
            },
        },
        "PhotoDeclaration": {
            "description": "A photo the visit links to one of its items; its bytes follow by PUT on its own URL.",
            "type": "object",
            "required": ["uuid", "item_id", "taken_at", "content_type", "sha256"],
            "additionalProperties": False,
            "properties": {
                "uuid": uuid,
                "item_id": item_id,
                "taken_at": _date_time("When it was taken."),
                "content_type": {"enum": list(visits.PHOTO_TYPES)},
                "sha256": {**sha256, "description": "The hex SHA-256 of the bytes that will be sent."},
                "width": pixels,
                "height": pixels,
            },
        },
        "Accepted": {
            "type": "object",
            "required": ["uuid", "received_at", "photos_missing"],
            "additionalProperties": False,
            "properties": {
                "uuid": uuid,
                "received_at": {"type": "string"},
                "photos_missing": {"type": "array", "items": uuid, "maxItems": visits.MAX_PHOTOS},
            },
        },
        "PhotoAccepted": {
            "type": "object",
            "required": ["uuid", "received_at"],
            "additionalProperties": False,
            "properties": {"uuid": uuid, "received_at": {"type": "string"}},
        },
        "Invalid": {
            "description": "Nothing was stored. Each problem names the field (a JSON path into the request, "
            "empty for the whole of it) and what is wrong with it.",
            "type": "object",
            "required": ["error", "problems"],
            "additionalProperties": False,
            "properties": {
                "error": {"const": "invalid"},
                "problems": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": visits.MAX_PROBLEMS,
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "additionalProperties": False,
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "additionalProperties": False,
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "received_at": {"type": "string", "description": "On a conflict: when the stored copy arrived."},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "checklists"],
            "properties": {"status": {"const": "ok"}, "checklists": {"type": "integer", "minimum": 0}},
        },
        "ChecklistEntry": {
            "type": "object",
            "required": ["id", "hash", "checklist"],
            "properties": {"id": item_id, "hash": sha256, "checklist": {"type": "object"}},
        },
        "Site": {
            "type": "object",
            "required": ["id", "name", "site_type", "branch", "region"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "object"},
                "site_type": {"type": "string"},
                "branch": {"type": "object"},
                "region": {"type": "object"},
            },
        },
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _body(description: str, media: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


def _not_found(description: str) -> dict[str, Any]:
    """Also the router's own 404, for a path parameter that does not fit in one segment."""
    return {
        "description": description,
        "content": {"text/plain": {"schema": {"type": "string"}}, JSON: {"schema": _ref("Error")}},
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": _whole(visits.UUID_PATTERN)},
    }


def _paths() -> dict[str, Any]:
    visit_id = _path("uuid", "The visit's id, made by the phone.")
    photo_id = _path("photo_uuid", "The photo's id, as the visit declared it.")
    lang = {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "The reader's language (zh-Hans, zh-Hant, en); default: the checklist's.",
        "schema": {"type": "string"},
    }
    too_large = _json("The body is over the limit; nothing was read further or stored.", _ref("Error"))
    too_slow = _json("The body arrived too slowly and was cut off; nothing was stored.", _ref("Error"))
    conflict = _json("Other content is already stored under this id; nothing changed.", _ref("Error"))
    invalid = _json("Refused whole: nothing was stored.", _ref("Invalid"))
    photo_media = {media: {"schema": {"type": "string", "contentMediaType": media}} for media in visits.PHOTO_TYPES}
    return {
        "/": {"get": {"summary": "The inspectors' app", "responses": {"200": _body("static/index.html", "text/html")}}},
        "/sw.js": {
            "get": {
                "summary": "The service worker, stamped with the assets' version",
                "responses": {"200": _body("The worker's script.", "application/javascript")},
            }
        },
        "/manifest.webmanifest": {
            "get": {
                "summary": "The web app manifest",
                "responses": {
                    "200": {
                        "description": "The manifest.",
                        "content": {"application/manifest+json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/health": {"get": {"summary": "Up once the database answers", "responses": {"200": _json("Up.", _ref("Health"))}}},
        "/api/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": _json("OpenAPI 3.1.", {"type": "object"})}}
        },
        "/api/checklists": {
            "get": {
                "summary": "The valid checklists, each with the content hash a visit pins",
                "responses": {"200": _json("Every checklist.", {"type": "array", "items": _ref("ChecklistEntry")})},
            }
        },
        "/api/sites": {
            "get": {
                "summary": "Every site with its branch and region",
                "responses": {"200": _json("Every site.", {"type": "array", "items": _ref("Site")})},
            }
        },
        "/api/visits/{uuid}": {
            "put": {
                "summary": "Store a visit: whole or not at all, idempotent",
                "parameters": [visit_id],
                "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Visit")}}},
                "responses": {
                    "200": _json("Stored now, or already stored with the same content.", _ref("Accepted")),
                    "404": _not_found("A path parameter that does not fit in one path segment."),
                    "408": too_slow,
                    "409": conflict,
                    "413": too_large,
                    "422": invalid,
                },
            }
        },
        "/api/visits/{uuid}/photos/{photo_uuid}": {
            "put": {
                "summary": "Store the bytes of a photo the visit declared",
                "parameters": [visit_id, photo_id],
                "requestBody": {"required": True, "content": photo_media},
                "responses": {
                    "200": _json("Stored now, or already stored with the same bytes.", _ref("PhotoAccepted")),
                    "404": _not_found("No such visit yet: send the visit before its photos."),
                    "408": too_slow,
                    "409": conflict,
                    "413": too_large,
                    "422": invalid,
                },
            }
        },
        "/visits/{uuid}/report": {
            "get": {
                "summary": "The visit's report, for reading on a phone",
                "parameters": [visit_id, lang],
                "responses": {"200": _body("The report page.", "text/html"), "404": _not_found("No such visit.")},
            }
        },
        "/visits/{uuid}/report.pdf": {
            "get": {
                "summary": "The visit's report as a PDF, rendered once per language and kept",
                "parameters": [
                    visit_id,
                    lang,
                    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _body("The PDF.", "application/pdf"),
                    "304": {"description": "The PDF named by If-None-Match is current."},
                    "404": _not_found("No such visit."),
                    "503": _json("Too many reports are being rendered; try again (Retry-After).", _ref("Error")),
                },
            }
        },
        "/visits/{uuid}/photos/{photo_uuid}/thumb": {
            "get": {
                "summary": "A photo's thumbnail, only under its own visit",
                "parameters": [visit_id, photo_id],
                "responses": {"200": _body("The thumbnail.", "image/jpeg"), "404": _not_found("No such photo under this visit.")},
            }
        },
    }


def document() -> dict[str, Any]:
    """The whole description, a new copy each time (a tool loading it may write into it)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Service-detail audits",
            "version": "1",
            "description": "Inspectors' phones sync visits and photos; store managers read reports. "
            "Every request is answered with a 2xx or a 4xx naming what to fix; a 5xx is a bug.",
        },
        "paths": _paths(),
        "components": {"schemas": _schemas()},
    }
