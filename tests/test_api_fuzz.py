"""The live server against its own OpenAPI description (audit/openapi.py), with requests
schemathesis makes from it: ones that follow it, and ones that break it in one place.

Whatever a client sends, the answer is a documented 2xx or 4xx in the documented shape,
never a 5xx (the phone's outbox retries those forever), and a request the description
forbids is never accepted. Random ids and hashes only reach the first checks, so the visits
are then also pinned to checklists and sites the server knows, their answers and photos
moved onto real items: the answer rules run on generated answers, malformed ones included.

Deterministic (derandomized, no example database) and bounded: about 30 s.
"""

from __future__ import annotations

import copy
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from audit import demo, library, openapi

from .conftest import LiveServer

SCHEMA = schemathesis.openapi.from_dict(copy.deepcopy(openapi.document()))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
VISIT = SCHEMA.find_operation_by_label("PUT /api/visits/{uuid}")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# A visit's body is where nearly all the input is: it gets most of the examples.
EXAMPLES = {"PUT /api/visits/{uuid}": 40}
OTHER_EXAMPLES = 8
GRAFTED_EXAMPLES = 120
CHECKLISTS = {checklist.id: checklist for checklist in library.load(library.CHECKLISTS)}
SITES = demo.sites()


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


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_every_operation_answers_as_described(live_server: LiveServer, mode: GenerationMode) -> None:
    negative = mode is GenerationMode.NEGATIVE
    checks = CHECKS + ([negative_data_rejection] if negative else [])
    for operation in (op for op in OPERATIONS if breakable(op) or not negative):

        @fixed(EXAMPLES.get(operation.label, OTHER_EXAMPLES))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Case) -> None:
            case.call_and_validate(base_url=live_server.url, checks=checks)

        run()


def graft(case: Case, data: st.DataObject) -> None:
    """Pins a generated visit to a real checklist and a site of its type, and moves its
    answers and photos onto that checklist's items, whatever their own shape."""
    body = case.body
    if not isinstance(body, dict):
        return
    checklist = CHECKLISTS[data.draw(st.sampled_from(sorted(CHECKLISTS)))]
    site = data.draw(st.sampled_from([s["id"] for s in SITES if s["site_type"] in checklist.site_types]))
    body.update(checklist_id=checklist.id, checklist_hash=checklist.content_hash(), site_id=site)
    ids = data.draw(st.permutations([item.id for item in checklist.items()]))
    given_answers = body.get("answers")
    if isinstance(given_answers, dict):
        body["answers"] = dict(zip(ids, given_answers.values()))
    photos = body.get("photos")
    for index, photo in enumerate(photos if isinstance(photos, list) else []):
        if isinstance(photo, dict) and isinstance(photo.get("item_id"), str):
            photo["item_id"] = ids[index % len(ids)]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_answers_of_any_shape_on_real_checklists(live_server: LiveServer, mode: GenerationMode) -> None:
    @fixed(GRAFTED_EXAMPLES)
    @given(case=VISIT.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Case, data: st.DataObject) -> None:
        graft(case, data)
        case.call_and_validate(base_url=live_server.url, checks=CHECKS)

    run()

