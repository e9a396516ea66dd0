"""The HTTP API as an OpenAPI 3.1 document, served at /api/openapi.json.

Its bounds and patterns are the constants the server's checks enforce (visits.py,
answers.py), so the two cannot drift. The document never forbids what the server accepts
(a client that follows it is never refused for its shape), while the server may refuse
more: the answers it checks against the pinned checklist. tests/test_openapi.py holds the
document to the routes both ways; tests/test_api_fuzz.py holds the server to the document.

Who may call what is auth.py's (which routes need a person, CSRF) and access.py's (what a
role may do): every operation auth.py protects declares the session cookie (with the CSRF
token on changes) or a bearer token, and the answers the guard gives are added to it here,
from the same rule, so the two cannot drift either.
"""

from __future__ import annotations

from typing import Any

from . import auth, sessions
from .openapi_parts import (
    BEARER,
    CSRF,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION,
    json_answer,
    redirect,
    ref,
)
from .openapi_paths import paths
from .openapi_schemas import schemas

__all__ = ["BEARER", "CSRF", "SESSION", "document", "security"]


def security(method: str, path: str) -> list[dict[str, list[str]]]:
    """What an operation needs, as auth.py decides: nothing for the public ones; else the session
    cookie (with the CSRF token on a change) or a bearer token."""
    verb = method.upper()
    if auth.is_public(verb, path):
        return []
    cookie: dict[str, list[str]] = {SESSION: []} if verb in auth.SAFE else {SESSION: [], CSRF: []}
    return [cookie, {BEARER: []}]


def _guarded(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation with what auth.py answers before its view runs: a protected one declares
    its security, and 401 (or, for a page read, a 303 to the sign-in page) without a live
    session or token; a change made with the cookie is a 403 without the session's CSRF token,
    as is any change a browser says comes from another site."""
    unauthorized = json_answer("No session or token, or one that is unknown, expired or revoked, or whose user is disabled.", ref("Error"))
    to_signin = redirect("No live session: to the sign-in page, which comes back here (`next`).", r"^/signin\?next=/")
    csrf = (
        f"Sent with the session cookie but without the session's CSRF token (`{CSRF_HEADER}` header or "
        f"`{CSRF_FIELD}` form field), or from another site (Origin)"
    )
    for path, item in paths.items():
        for method, operation in item.items():
            verb = method.upper()
            needs = security(verb, path)
            responses = operation["responses"]
            if needs:
                operation["security"] = needs
                if verb in auth.SAFE and not path.startswith("/api/"):
                    responses["303"] = to_signin
                else:
                    responses["401"] = unauthorized
            if verb not in auth.SAFE:
                role = responses.get("403")
                text = f"{role['description']} Or: {csrf[0].lower()}{csrf[1:]}." if role else f"{csrf}."
                responses["403"] = json_answer(text, ref("Error"))
    return paths


def _security_schemes() -> dict[str, Any]:
    return {
        SESSION: {
            "type": "apiKey",
            "in": "cookie",
            "name": auth.COOKIE,
            "description": "The session a sign-in sets (POST /api/session, or the sign-in page). A request that "
            f"changes something with it also carries the session's CSRF token ({CSRF}).",
        },
        CSRF: {
            "type": "apiKey",
            "in": "header",
            "name": CSRF_HEADER,
            "description": f"The session's CSRF token, as the sign-in answered it (`csrf`); a form may send it as its "
            f"`{CSRF_FIELD}` field instead. Only with the session cookie, on requests that change something.",
        },
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": f"An API token (`<id>.<secret>`, made by `audit users token` on the server, lasting "
            f"{sessions.TOKEN_DAYS} days unless told otherwise) for programs; no CSRF token needed.",
        },
    }


def document() -> dict[str, Any]:
    """The whole description, a new copy each time (a tool loading it may write into it)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Service-detail audits",
            "version": "1",
            "description": "Inspectors' phones sync visits and photos; reviewers release them; store managers read "
            "reports. Every request is answered with a 2xx, a 3xx or a 4xx naming what to fix; a 5xx is a bug.",
        },
        "paths": _guarded(paths()),
        "components": {"schemas": schemas(), "securitySchemes": _security_schemes()},
    }
