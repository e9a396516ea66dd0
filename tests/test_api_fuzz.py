"""The live server against its own OpenAPI description (audit/openapi.py), with requests
schemathesis makes from it: ones that follow it, and ones that break it in one place.

Whatever a client sends, the answer is a documented 2xx, 3xx or 4xx in the documented shape
(headers included), never a 5xx (the phone's outbox retries those forever), and a request
the description forbids is never accepted. The requests are the demo inspector's, with a
bearer token made on the live server's store (schemathesis sends it wherever the description
asks for credentials), so they get past the guard and the role checks to the views. Random
ids and hashes only reach the first checks, so the visits are then also pinned to checklists
and sites the server knows, their answers and photos moved onto real items, half of them
completed as a phone completes them: the answer rules run on generated answers, malformed
ones included, and the visits that pass are stored and read back as their inspector reads
them. Without credentials, every protected operation is refused (401, or a page read sent
to the sign-in page) whatever made-up credentials the request carries. The other roles get
a lighter run on a real visit: the reviewers' pages and moves, the reports, their 403s/404s.

Deterministic (derandomized, no example database) and bounded: under a minute.
"""

from __future__ import annotations

import copy
import hashlib
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from audit import accounts, auth, db, demo, library, openapi, sessions

from .conftest import LiveServer

DOCUMENT = openapi.document()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, response_headers_conformance]
# A visit's body is where nearly all the input is: it gets most of the examples. A sign-in
# costs an Argon2 hash (slow on purpose) until the address is throttled: it gets few.
EXAMPLES = {"PUT /api/visits/{uuid}": 40, "POST /api/session": 4, "POST /signin": 4}
OTHER_EXAMPLES = 8
GRAFTED_EXAMPLES = 120
STRANGER_EXAMPLES = 3
ROLE_EXAMPLES = 2
# Rendered by the job process, seconds each: tests/test_report_pdf.py covers them.
NOT_FOR_EVERY_ROLE = {"GET /visits/{uuid}/report.pdf"}
CHECKLISTS = {checklist.id: checklist for checklist in library.load(library.CHECKLISTS)}
SITES = demo.sites()
INSPECTOR = "inspector"


def schema(token: str | None) -> OpenApiSchema:
    """The description as schemathesis reads it. With a token, schemathesis sends it wherever
    the description asks for credentials, and makes up no others (a request that breaks the
    description breaks it elsewhere than in its credentials); without one, it makes up the
    cookie, the CSRF token and the bearer token the description names, or sends none."""
    config: dict[str, Any] = {}
    if token is not None:
        config = {"auth": {"openapi": {openapi.BEARER: {"bearer": token}}}, "generation": {"with-security-parameters": False}}
    return schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=SchemathesisConfig.from_dict(config))


def operations(described: OpenApiSchema) -> Iterator[APIOperation]:
    return (result.ok() for result in described.get_all_operations())


def token_for(server: LiveServer, username: str) -> str:
    """A bearer token for one of the demo's people, made on the live server's store."""
    database = db.open_db(server.db_path)
    try:
        user = accounts.by_username(database, username)
        assert user is not None
        return sessions.issue_token(database, user, label="fuzz")[1]
    finally:
        database.close()


@pytest.fixture
def token(live_server: LiveServer) -> str:
    """The demo inspector's."""
    return token_for(live_server, INSPECTOR)


def fixed(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


def breakable(operation: APIOperation) -> bool:
    """Whether there is anything in a request to it that could break the description."""
    parts = (operation.path_parameters, operation.query, operation.headers, operation.cookies, operation.body)
    return any(len(part) for part in parts)


def protected(operation: APIOperation) -> bool:
    return bool(operation.definition.raw.get("security"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_every_operation_answers_as_described(live_server: LiveServer, token: str, mode: GenerationMode) -> None:
    negative = mode is GenerationMode.NEGATIVE
    checks = CHECKS + ([negative_data_rejection] if negative else [])
    for operation in (op for op in operations(schema(token)) if breakable(op) or not negative):

        @fixed(EXAMPLES.get(operation.label, OTHER_EXAMPLES))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Case) -> None:
            case.call_and_validate(base_url=live_server.url, checks=checks)

        run()


def graft(case: Case, data: st.DataObject) -> None:
    """Pins a generated visit to a real checklist and a site of its type, and moves its
    answers and photos onto that checklist's items, whatever their own shape. Half the time
    the visit is first completed the way a phone completes it (every shown item answered,
    the photos they need declared) and only some generated answers go on top, so that
    visits also pass the answer rules and are stored."""
    body = case.body
    if not isinstance(body, dict):
        return
    checklist = CHECKLISTS[data.draw(st.sampled_from(sorted(CHECKLISTS)))]
    site = data.draw(st.sampled_from([s["id"] for s in SITES if s["site_type"] in checklist.site_types]))
    body.update(checklist_id=checklist.id, checklist_hash=checklist.content_hash(), site_id=site)
    ids = data.draw(st.permutations([item.id for item in checklist.items()]))
    given_answers = body.get("answers", {})
    photos = body.get("photos", [])
    if not isinstance(given_answers, dict) or not isinstance(photos, list):
        return
    generated = list(zip(ids, given_answers.values()))
    for index, photo in enumerate(photos):
        if isinstance(photo, dict) and isinstance(photo.get("item_id"), str):
            photo["item_id"] = ids[index % len(ids)]
    if not data.draw(st.booleans()):
        body["answers"] = dict(generated)
        return
    seed, quality = data.draw(st.integers(0, 2**32 - 1)), data.draw(st.sampled_from([0.1, 0.9]))
    complete, needs_photo = demo.visit_answers(checklist, random.Random(seed), quality, body["started_at"] if isinstance(body.get("started_at"), str) else "")
    body["answers"] = {**complete, **dict(generated[: data.draw(st.integers(0, len(generated)))])}
    taken = body["started_at"] if isinstance(body.get("started_at"), str) else None
    body["photos"] = photos + [
        {"uuid": str(uuid.UUID(int=random.Random(seed + n).getrandbits(128), version=4)), "item_id": item_id, "taken_at": taken,
         "content_type": "image/jpeg", "sha256": hashlib.sha256(item_id.encode()).hexdigest()}
        for n, item_id in enumerate(needs_photo)
    ]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_answers_of_any_shape_on_real_checklists(live_server: LiveServer, token: str, mode: GenerationMode) -> None:
    """And each visit stored reads back as sent, as its inspector's, with its photos to send."""
    described = schema(token)
    visit = described.find_operation_by_label("PUT /api/visits/{uuid}")
    read = described.find_operation_by_label("GET /api/visits/{uuid}")
    photo = described.find_operation_by_label("PUT /api/visits/{uuid}/photos/{photo_uuid}")
    mine = described.find_operation_by_label("GET /api/visits/mine")
    assert visit is not None and read is not None and photo is not None and mine is not None
    bearer = {"Authorization": f"Bearer {token}"}
    stored: set[str] = set()

    @fixed(GRAFTED_EXAMPLES)
    @given(case=visit.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Case, data: st.DataObject) -> None:
        graft(case, data)
        response = case.call_and_validate(base_url=live_server.url, checks=CHECKS)
        if response.status_code != 200:
            return
        visit_id = case.path_parameters["uuid"]
        back = read.Case(path_parameters={"uuid": visit_id}).call_and_validate(base_url=live_server.url, headers=bearer, checks=CHECKS)
        assert back.status_code == 200
        found = back.json()
        assert (found["uuid"], found["state"], found["version"], found["body"]) == (visit_id, "submitted", 1, case.body)
        stored.add(visit_id)
        for photo_id in response.json()["photos_missing"][:1]:
            wrong = photo.Case(path_parameters={"uuid": visit_id, "photo_uuid": photo_id}, body=b"not these bytes", media_type="image/jpeg")
            sent = wrong.call_and_validate(base_url=live_server.url, headers=bearer, checks=CHECKS)
            assert sent.status_code == 422, sent.text  # not the declared bytes: refused, but as the visit's own photo

    run()
    listed = mine.Case().call_and_validate(base_url=live_server.url, headers=bearer, checks=CHECKS)
    assert {v["uuid"] for v in listed.json()} >= stored
    if mode is GenerationMode.POSITIVE:
        assert stored, "no generated visit was stored: the storing path went untested"


def refused_as_a_stranger(operation: APIOperation, response: Any) -> None:
    """401, or for a page read a 303 to the sign-in page that comes back to it."""
    page_read = operation.method.upper() in auth.SAFE and not operation.path.startswith("/api/")
    if page_read:
        assert response.status_code == 303, (operation.label, response.status_code)
        assert response.headers["location"][0].startswith("/signin?next=/"), operation.label
    else:
        assert response.status_code == 401, (operation.label, response.status_code, response.text)


def test_strangers_are_refused(live_server: LiveServer) -> None:
    """Without a token, every protected operation refuses, whether the request carries made-up
    credentials (a cookie, a CSRF token, a bearer token, as schemathesis makes them) or none;
    the public ones answer as described."""
    for operation in operations(schema(None)):
        guarded = protected(operation)

        @fixed(STRANGER_EXAMPLES)
        @given(case=operation.as_strategy())
        def run(case: Case) -> None:
            response = case.call_and_validate(base_url=live_server.url, checks=CHECKS)
            if not guarded:
                return
            refused_as_a_stranger(operation, response)
            case.headers.pop("Authorization", None)
            case.headers.pop(openapi.CSRF_HEADER, None)
            case.cookies.pop(auth.COOKIE, None)
            refused_as_a_stranger(operation, case.call_and_validate(base_url=live_server.url, checks=CHECKS))

        run()


def test_every_role_answers_as_described(live_server: LiveServer, token: str) -> None:
    """The other roles, on a real visit the inspector sent (with a photo): the reviewers'
    pages and moves, the reports, and the 403s and 404s of what a role may not do."""
    checklist = CHECKLISTS[sorted(CHECKLISTS)[0]]
    site = next(s for s in SITES if s["site_type"] in checklist.site_types)
    started = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    body, photo_bytes = demo.visit_body(checklist, site["id"], random.Random(7), quality=0.5, started=started)
    visit_id = str(uuid.UUID(int=random.Random(7).getrandbits(128), version=4))
    bearer = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=live_server.url, headers=bearer) as client:
        assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
        photo_id, data = next(iter(photo_bytes.items()))
        assert client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=data, headers={"Content-Type": "image/jpeg"}).status_code == 200
    pinned = {"uuid": visit_id, "photo_uuid": photo_id}
    people = ["reviewer", "hq", "admin", demo.manager_name(site["branch_id"])]
    for username in people:
        for operation in operations(schema(token_for(live_server, username))):
            if operation.label in NOT_FOR_EVERY_ROLE:
                continue
            names = {parameter.name for parameter in operation.path_parameters}

            @fixed(ROLE_EXAMPLES)
            @given(case=operation.as_strategy(path_parameters={k: v for k, v in pinned.items() if k in names}))
            def run(case: Case) -> None:
                case.call_and_validate(base_url=live_server.url, checks=CHECKS)

            run()
