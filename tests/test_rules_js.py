"""The phone's rules (static/js/rules.js) against the golden cases the server's rules pass,
with the same expectations as tests/test_answers.py, run in Chromium; then both ports on the
same random answers, well-formed or not, must agree."""

from __future__ import annotations

import random
from typing import Any

import pytest
from playwright.sync_api import Page

from audit import answers

from .conftest import LiveServer
from .golden_cases import answer_cases, assert_matches

CHECKLIST, CASES = answer_cases()
ITEMS = {item.id: item for item in CHECKLIST.items()}

EVALUATE = """async ({ checklist, answers, photos, startedAt, expect }) => {
    const rules = await import('/static/js/rules.js');
    const items = rules.itemMap(checklist);
    const result = {
        visible: rules.visible(checklist, answers, startedAt),
        invalid: Object.entries(answers).filter(([id, answer]) => rules.problem(items.get(id), answer)).map(([id]) => id),
    };
    if ('missing' in expect) result.missing = rules.missing(checklist, answers, photos, startedAt);
    if ('scores' in expect) {
        result.scores = Object.fromEntries(Object.keys(expect.scores).map((id) => [id, rules.score(items.get(id), answers[id])]));
        result.failed = rules.failures(checklist, answers, startedAt);
    }
    return result;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_case_in_the_browser(case: dict[str, Any], page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/health")
    got = page.evaluate(
        EVALUATE,
        {
            "checklist": CHECKLIST.as_dict(),
            "answers": case["answers"],
            "photos": case["photos"],
            "startedAt": case.get("started_at"),
            "expect": case["expect"],
        },
    )
    assert_matches(got, case)


# Per response type: answers an inspector could give, then answers no phone should send.
VALUES: dict[str, tuple[list[Any], list[Any]]] = {
    "yes_no": (["yes", "no", None], ["maybe", 1]),
    "scale": ([1, 2, 3, 5, None], [0, 6, 2.5, "3"]),
    "choice": (["warm", "plain", "none", None], ["rude", ["warm"]]),
    "multi_choice": ([["bag"], ["bag", "help"], ["card", "help", "bag"], ["nothing"], [], None], [["bag", "nothing"], ["bag", "bag"], "bag"]),
    "number": ([0, 2, 3, 100, 2.5, 17, 20, 25, 26, None], [-1, 101, "5"]),  # at and across pass and partial limits
    "timer": ([0, 30, 42.5, 60, 61, None], [-3, 86401, "60"]),
    "timestamp": (["09:30", "23:59", "2025-01-01T09:30:00+08:00", "2025-01-01T09:30", None], ["24:00", "9.30am"]),
    "text": (["", "很好", None], [3]),
    "photo": ([None], ["x"]),
}
NOTES = [None, "", "   ", "看到了"]
# Visit starts across the calendar's kinds of day and the golden hours' edges, and some that are no date-time.
STARTS = [
    "2026-11-28T12:00:00+08:00", "2026-11-30T11:00:00+08:00", "2026-01-04T13:59:00+08:00", "2026-10-01T14:00:00+08:00",
    "2026-10-03T22:00:00-05:00", "2025-01-26T01:59:00Z", "2025-10-08T02:00", "2027-02-06T23:59:59.5+08:00",
    "2026-02-29T12:00:00+08:00", "2026-11-28", "0000-01-01T00:00:00Z", None, 20261128,
]


def random_answers(rng: random.Random) -> tuple[dict[str, Any], dict[str, int], Any]:
    wild = rng.random() < 0.4
    answers_: dict[str, Any] = {}
    for item in CHECKLIST.items():
        roll = rng.random()
        if roll < 0.15:
            continue
        answer: dict[str, Any] = {}
        if roll < 0.25 and (item.na or wild):
            answer["na"] = True
        else:
            valid, invalid = VALUES[item.type]
            answer["value"] = rng.choice(valid + invalid if wild else valid)
        if rng.random() < 0.4:
            answer["note"] = rng.choice(NOTES)
        answers_[item.id] = answer if rng.random() > 0.05 else {}
    photos = {item.id: rng.choice([0, 0, 1, 2]) for item in CHECKLIST.items() if rng.random() < 0.3}
    return answers_, photos, rng.choice(STARTS)


def python_rules(answers_: dict[str, Any], photos: dict[str, int], started_at: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "visible": answers.visible(CHECKLIST, answers_, started_at),
        "invalid": sorted(item for item, answer in answers_.items() if answers.problem(ITEMS[item], answer)),
    }
    if not result["invalid"]:  # scores are taken of answers the server accepted, as it does
        result["missing"] = answers.missing(CHECKLIST, answers_, photos, started_at)
        result["scores"] = {item.id: answers.score(item, answers_.get(item.id)) for item in CHECKLIST.items()}
        result["failed"] = answers.failures(CHECKLIST, answers_, started_at)
    return result


DIFFERENTIAL = """async ({ checklist, cases }) => {
    const rules = await import('/static/js/rules.js');
    const items = rules.itemMap(checklist);
    return cases.map(({ answers, photos, startedAt, valid }) => {
        const result = {
            visible: rules.visible(checklist, answers, startedAt),
            invalid: Object.entries(answers).filter(([id, answer]) => rules.problem(items.get(id), answer)).map(([id]) => id).sort(),
        };
        if (valid) {
            result.missing = rules.missing(checklist, answers, photos, startedAt);
            result.scores = Object.fromEntries([...items.values()].map((item) => [item.id, rules.score(item, answers[item.id])]));
            result.failed = rules.failures(checklist, answers, startedAt);
        }
        return result;
    });
}"""


@pytest.mark.browser
def test_random_answers_get_the_same_verdicts_in_both_ports(page: Page, live_server: LiveServer) -> None:
    rng = random.Random(20261122)
    cases = [random_answers(rng) for _ in range(400)]
    expected = [python_rules(given, photos, started_at) for given, photos, started_at in cases]
    page.goto(f"{live_server.url}/health")
    got = page.evaluate(
        DIFFERENTIAL,
        {
            "checklist": CHECKLIST.as_dict(),
            "cases": [
                {"answers": given, "photos": photos, "startedAt": started_at, "valid": "missing" in want}
                for (given, photos, started_at), want in zip(cases, expected)
            ],
        },
    )
    assert sum("missing" in want for want in expected) > 150  # enough valid visits to compare scores on
    assert len({tuple(want["visible"]) for want in expected}) > 20  # the starts show and hide the time conditions' items
    for (given, photos, started_at), want, have in zip(cases, expected, got):
        assert have["visible"] == want["visible"], (given, started_at)
        assert have["invalid"] == want["invalid"], given
        if "missing" in want:
            assert have["missing"] == want["missing"], (given, photos)
            assert have["scores"] == pytest.approx(want["scores"]), given
            assert have["failed"] == want["failed"], given
