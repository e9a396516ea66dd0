"""The API's OpenAPI description: a valid OpenAPI 3.1 document, describing exactly the app's
routes (a route added without a description fails here), with the fields the checks know,
accepting every visit a phone really sends, and declaring what every operation but the
public ones needs: a session (with its CSRF token on a change) or a bearer token."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import schemathesis
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from audit import (
    accounts,
    answers,
    auth,
    db,
    demo,
    library,
    openapi,
    routes,
    sessions,
    visits,
)
from audit.app import create_app
from audit.startup import Settings

from .conftest import demo_database

DOCUMENT = openapi.document()
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
NOT_DESCRIBED = {"static"}  # the PWA's files, by name: a mount of plain files, no API
# What anyone may call, signed in or not: the app shell and its files, the health check, signing in.
PUBLIC = {
    ("/", "GET"), ("/sw.js", "GET"), ("/manifest.webmanifest", "GET"), ("/health", "GET"),
    ("/signin", "GET"), ("/signin", "POST"), ("/api/session", "POST"),
}


def described() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in DOCUMENT["paths"].items() for method in item if method in METHODS}


def routed() -> set[tuple[str, str]]:
    """Every (path, method) the app answers; HEAD comes with every GET in Starlette."""
    found: set[tuple[str, str]] = set()
    for route in routes.routes():
        if isinstance(route, Mount) and route.name in NOT_DESCRIBED:
            continue
        assert isinstance(route, Route), f"{route!r}: describe it in audit/openapi.py, or say here why not"
        methods = route.methods or {"GET"}
        found |= {(route.path_format, method) for method in methods if not (method == "HEAD" and "GET" in methods)}
    return found


def test_is_valid_openapi_3_1() -> None:
    schemathesis.openapi.from_dict(openapi.document()).validate()  # the official 3.1 meta-schema
    for schema in DOCUMENT["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_describes_every_route_and_only_routes() -> None:
    assert described() == routed()


def test_path_parameters_match_the_templates() -> None:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_fields_are_the_ones_the_checks_know() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert tuple(schemas["Visit"]["properties"]) == visits.FIELDS
    assert tuple(schemas["PhotoDeclaration"]["properties"]) == visits.PHOTO_FIELDS
    assert tuple(schemas["Answer"]["properties"]) == answers.ANSWER_FIELDS


def _validator(name: str) -> jsonschema.Draft202012Validator:
    """One of the document's schemas, its "#/components/..." references resolving in the document."""
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": DOCUMENT["components"]})


def phone_visits() -> Iterator[dict[str, Any]]:
    """Visits as the phone sends them, of every checklist, good and poor, with photo sizes
    and the nulls the phone's own payload() writes."""
    started = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    for index, checklist in enumerate(library.load(library.CHECKLISTS)):
        for quality in (0.1, 0.9):
            body, _ = demo.visit_body(checklist, "site", random.Random(index), quality=quality, started=started)
            for photo in body["photos"]:
                photo.update(width=1600, height=1200)
            for answer in body["answers"].values():
                answer.update(na=bool(answer.get("na")), note=answer.get("note"), answered_at=body["started_at"])
            yield body


def test_every_real_visit_fits_the_description() -> None:
    """The description never forbids what the server accepts: a client that follows it is
    never refused for the shape of what it sends."""
    validator = _validator("Visit")
    for body in phone_visits():
        assert not visits.envelope_problems(body)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, errors


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method.upper(), operation


def test_public_operations_are_the_ones_the_guard_lets_through() -> None:
    assert PUBLIC <= described()
    for path, method in described():
        assert auth.is_public(method, path) == ((path, method) in PUBLIC), (method, path)


def test_every_operation_but_the_public_ones_declares_security() -> None:
    """The cookie, with the CSRF token on a change, or a bearer token; and the guard's answers."""
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert schemes[openapi.SESSION] == {**schemes[openapi.SESSION], "type": "apiKey", "in": "cookie", "name": auth.COOKIE}
    assert schemes[openapi.BEARER]["scheme"] == "bearer"
    for path, method, operation in operations():
        responses = operation["responses"]
        if (path, method) in PUBLIC:
            assert not operation.get("security"), (method, path)
            continue
        requirements = operation.get("security")
        assert requirements, f"{method} {path} declares no security"
        assert all(set(r) <= set(schemes) for r in requirements), (method, path)
        assert {openapi.BEARER: []} in requirements, (method, path)
        cookie: dict[str, list[str]] = {openapi.SESSION: []} if method in auth.SAFE else {openapi.SESSION: [], openapi.CSRF: []}
        assert cookie in requirements, (method, path)
        page_read = method in auth.SAFE and not path.startswith("/api/")
        assert ("303" if page_read else "401") in responses, (method, path)
        if method not in auth.SAFE:
            assert "403" in responses, (method, path)


def test_not_yours_reads_as_none() -> None:
    """Where a visit that is not the caller's is answered as no visit, the 404 is documented."""
    for path, method, operation in operations():
        if "{uuid}" in path:
            assert "404" in operation["responses"], (method, path)


def _bearer(path: Path, username: str) -> str:
    database = db.open_db(path)
    try:
        user = accounts.by_username(database, username)
        assert user is not None
        return sessions.issue_token(database, user)[1]
    finally:
        database.close()


def test_served_at_its_route(tmp_path: Path) -> None:
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path))) as client:
        assert client.get("/api/openapi.json").status_code == 401
        response = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {_bearer(path, 'inspector')}"})
    assert response.status_code == 200
    assert response.json() == DOCUMENT


def test_the_csrf_names_are_the_servers(tmp_path: Path) -> None:
    """The header and the form field the description names are the ones the guard reads."""
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path))) as client:
        for attempt in range(2):
            signed_in = client.post("/api/session", json={"username": "inspector", "password": demo.DEMO_PASSWORD})
            assert signed_in.status_code == 200
            assert auth.COOKIE in signed_in.cookies
            token = signed_in.json()["csrf"]
            assert client.delete("/api/session").status_code == 403
            assert client.post("/signout", data={"other": token}).status_code == 403
            if attempt == 0:
                assert client.delete("/api/session", headers={openapi.CSRF_HEADER: token}).status_code == 204
            else:
                ended = client.post("/signout", data={openapi.CSRF_FIELD: token}, follow_redirects=False)
                assert ended.status_code == 303
            assert client.get("/api/session").status_code == 401
