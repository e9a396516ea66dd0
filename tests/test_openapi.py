"""The API's OpenAPI description: a valid OpenAPI 3.1 document, describing exactly the app's
routes (a route added without a description fails here), with the fields the checks know,
and accepting every visit a phone really sends."""

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

from audit import answers, demo, library, openapi, routes, visits
from audit.app import create_app
from audit.startup import Settings

from .conftest import demo_database

DOCUMENT = openapi.document()
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
NOT_DESCRIBED = {"static"}  # the PWA's files, by name: a mount of plain files, no API


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


def test_served_at_its_route(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=demo_database(tmp_path / "audit.db")))) as client:
        response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT
