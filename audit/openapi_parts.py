"""The pieces the OpenAPI description is built of: media types, the names of the security
schemes, and small builders of schemas, parameters and answers, so that openapi_schemas.py and
openapi_paths.py word the same things the same way."""

from __future__ import annotations

from typing import Any

from . import access, filters, visits
from .schema import ID_PATTERN
from .wording import LANGUAGES

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
HTML = "text/html"
# auth.py reads these (the header case-insensitively); tests/test_openapi.py holds the server to them.
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SESSION, CSRF, BEARER = "session", "csrf", "bearer"


def whole(pattern: str) -> str:
    """An ECMA-262 pattern (JSON Schema's dialect), where `$` ends the input."""
    return f"^{pattern}$"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def date_time(description: str, *, nullable: bool = False) -> dict[str, Any]:
    return {
        "description": description + " RFC 3339, with its UTC offset.",
        "type": ["string", "null"] if nullable else "string",
        "format": "date-time",
        "maxLength": visits.MAX_TIME,
    }


def json_answer(description: str, schema: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}, **({"headers": headers} if headers else {})}


def body(description: str, media: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


def not_found(description: str) -> dict[str, Any]:
    """Also the router's own 404, for a path parameter that does not fit in one segment."""
    return {
        "description": description,
        "content": {"text/plain": {"schema": {"type": "string"}}, JSON: {"schema": ref("Error")}},
    }


def redirect(description: str, location: str) -> dict[str, Any]:
    """A 303 whose Location matches `location` (a pattern)."""
    return {"description": description, "headers": {"Location": {"required": True, "schema": {"type": "string", "pattern": location}}}}


def retry_after(description: str) -> dict[str, Any]:
    return {"Retry-After": {"description": description, "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}}


def uuid_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": whole(visits.UUID_PATTERN)},
    }


def query_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": "string"}}


def roles(action: str) -> str:
    return ", ".join(access.ACTIONS[action])


def role_refused(action: str) -> dict[str, Any]:
    return json_answer(f"Your role may not {action.replace('-', ' ')}: only {roles(action)}.", ref("Error"))


def id_param(name: str, description: str) -> dict[str, Any]:
    """A path parameter that is one of the organisation's ids (a branch, a site)."""
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string", "pattern": ID_PATTERN}}



# Parameters the phones' API and the pages share.
VISIT_ID = uuid_param("uuid", "The visit's id, made by the phone.")
PHOTO_ID = uuid_param("photo_uuid", "The photo's id, as the visit declared it.")
FINDING_ID = uuid_param("finding", "The finding's id.")
PAGE_LANG = query_param("lang", f"The page's language ({', '.join(LANGUAGES)}); default: the browser's first one the pages speak.")
# HQ's filters, as query parameters of the pages and as fields of the export form.
FILTERS = {
    "period": f"Default {filters.DEFAULT_PERIOD}: {filters.PERIOD_HELP}.",
    "region": "A region's id; default: every region.",
    "site_type": "A site type's id; default: every type.",
    "checklist": "A checklist's id; default: every checklist.",
}
