"""The server's rules on answers against the golden cases the phone is tested on too."""

from __future__ import annotations

from typing import Any

import pytest

from audit import answers

from .golden_cases import answer_cases, assert_matches

CHECKLIST, CASES = answer_cases()
ITEMS = {item.id: item for item in CHECKLIST.items()}


def evaluate(case: dict[str, Any]) -> dict[str, Any]:
    given = case["answers"]
    expect = case["expect"]
    started_at = case.get("started_at")
    result: dict[str, Any] = {
        "visible": answers.visible(CHECKLIST, given, started_at),
        "invalid": [item for item, answer in given.items() if answers.problem(ITEMS[item], answer)],
    }
    if "missing" in expect:
        result["missing"] = answers.missing(CHECKLIST, given, case["photos"], started_at)
    if "scores" in expect:
        result["scores"] = {item: answers.score(ITEMS[item], given.get(item)) for item in expect["scores"]}
        result["failed"] = answers.failures(CHECKLIST, given, started_at)
    return result


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    assert_matches(evaluate(case), case)
