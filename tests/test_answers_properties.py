"""Properties of the answer rules (audit/answers.py) over the real checklists, and of the
server's checks of a visit (audit/visits.py) over any JSON.

`visible` and `problem` take anything, because the server runs them before it knows an
answer's shape; `score`, `failed` and `missing` take answers `problem` passed, as the
server only calls them then. The golden cases pin what the rules say; these say what holds
for every input: nothing raises, scores stay in [0, 1], and what cannot matter does not.

Deterministic (derandomized, no example database) and bounded: a few seconds.
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit import answers, demo, library, visits
from audit.model import Checklist, Item

PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CHECKLISTS = {checklist.id: checklist for checklist in library.load(library.CHECKLISTS)}
checklist_ids = st.sampled_from(sorted(CHECKLISTS))  # ids, so that a failing example prints short

# Anything JSON can hold, and what Python's json makes of what it should not: NaN, huge ints.
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["yes", "no", "na", "", "09:30", "warm"])
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12
)
answer_like = json_values | st.fixed_dictionaries(
    {}, optional={field: json_values for field in answers.ANSWER_FIELDS} | {"extra": json_values}
)


# Visit starts: a working day, a weekend, a public holiday, a late night; and what is no date-time.
starts = st.sampled_from(["2026-11-30T10:00:00+08:00", "2026-11-28T12:00:00+08:00", "2026-10-01T23:30:00+08:00"]) | json_values


def anything_for(checklist: Checklist) -> st.SearchStrategy[dict[str, Any]]:
    """Answers of any shape, mostly under the checklist's own item ids."""
    ids = st.sampled_from([item.id for item in checklist.items()])
    return st.dictionaries(ids | st.text(max_size=6), answer_like, max_size=12)


def _value(item: Item) -> st.SearchStrategy[Any]:
    """Values the phone's controls can produce for the item."""
    kind = item.type
    if kind == "yes_no":
        return st.sampled_from(["yes", "no"])
    if kind == "scale":
        assert item.min is not None and item.max is not None
        return st.integers(int(item.min), int(item.max))
    if kind == "choice":
        return st.sampled_from([choice.id for choice in item.choices])
    if kind == "multi_choice":  # an exclusive choice alone, or any of the others
        alone = [st.just([choice.id]) for choice in item.choices if choice.exclusive]
        others = [choice.id for choice in item.choices if not choice.exclusive]
        return st.one_of(st.lists(st.sampled_from(others), unique=True) if others else st.just([]), *alone)
    if kind == "number":
        low = None if item.min is None else math.ceil(item.min)
        high = None if item.max is None else math.floor(item.max)
        return st.integers(low, high) | st.floats(item.min, item.max, allow_nan=False, allow_infinity=False)
    if kind == "timer":
        return st.integers(0, answers.MAX_SECONDS) | st.floats(0, answers.MAX_SECONDS)
    if kind == "timestamp":
        return st.from_regex(r"([01][0-9]|2[0-3]):[0-5][0-9]", fullmatch=True)
    if kind == "text":
        return st.text(max_size=40)
    return st.none()  # a photo item's answer is its photos


def valid_answer(item: Item) -> st.SearchStrategy[dict[str, Any]]:
    note = st.none() | st.text(max_size=20)
    observed = st.fixed_dictionaries({"value": st.none() | _value(item)}, optional={"note": note, "na": st.just(False)})
    return (st.fixed_dictionaries({"na": st.just(True)}, optional={"note": note}) | observed) if item.na else observed


@st.composite
def valid_visits(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, int]]:
    """A checklist's id, well-formed answers to some of its items (hidden ones included:
    `problem` does not know visibility), and photo counts."""
    checklist_id = draw(checklist_ids)
    items = CHECKLISTS[checklist_id].items()
    given_answers = {item.id: draw(valid_answer(item)) for item in items if draw(st.booleans())}
    photos = {item.id: draw(st.integers(1, 3)) for item in items if draw(st.integers(0, 4)) == 0}
    return checklist_id, given_answers, photos


@PROFILE
@given(st.data())
def test_problem_and_visible_take_anything(data: st.DataObject) -> None:
    checklist = CHECKLISTS[data.draw(checklist_ids)]
    given_answers = data.draw(anything_for(checklist))
    started_at = data.draw(starts)
    items = {item.id: item for item in checklist.items()}
    accepted = {}
    for item_id, answer in given_answers.items():
        if item_id in items:
            trouble = answers.problem(items[item_id], answer)
            assert trouble is None or isinstance(trouble, str)
            assert isinstance(answers.answered(items[item_id], answer), bool)
            if trouble is None:
                accepted[item_id] = answer
    shown = answers.visible(checklist, given_answers, started_at)
    order = [item.id for item in checklist.items()]
    assert shown == [item_id for item_id in order if item_id in shown]
    assert {item.id for item in checklist.items() if item.when is None} <= set(shown)
    # what the server then runs on the answers that passed the shape check
    for item_id, answer in accepted.items():
        result = answers.score(items[item_id], answer)
        assert result is None or 0 <= result <= 1
        assert isinstance(answers.failed(items[item_id], answer), bool)
    answers.missing(checklist, accepted, {}, started_at)


@PROFILE
@given(valid_visits(), starts)
def test_well_formed_answers_pass_and_score_within_bounds(visit: tuple[str, dict[str, Any], dict[str, int]], started_at: Any) -> None:
    checklist_id, given_answers, photos = visit
    checklist = CHECKLISTS[checklist_id]
    items = {item.id: item for item in checklist.items()}
    for item_id, answer in given_answers.items():
        assert answers.problem(items[item_id], answer) is None, (item_id, answer)
        result = answers.score(items[item_id], answer)
        assert result is None or 0 <= result <= 1, (item_id, answer, result)
        if answers.failed(items[item_id], answer):
            assert result is not None and items[item_id].scored
    shown = answers.visible(checklist, given_answers, started_at)
    needs = answers.missing(checklist, given_answers, photos, started_at)
    assert needs == answers.missing(checklist, given_answers, photos, started_at, shown=shown)
    for need in needs:
        assert need["item"] in shown and need["need"] in ("answer", "photo", "note")
        if need["need"] == "answer":
            assert items[need["item"]].required
    assert set(answers.failures(checklist, given_answers, started_at)) <= set(shown)


@PROFILE
@given(valid_visits(), st.data())
def test_answers_on_hidden_items_change_no_visibility(visit: tuple[str, dict[str, Any], dict[str, int]], data: st.DataObject) -> None:
    checklist_id, given_answers, _ = visit
    checklist = CHECKLISTS[checklist_id]
    started_at = data.draw(starts)
    shown = answers.visible(checklist, given_answers, started_at)
    hidden = [item.id for item in checklist.items() if item.id not in shown]
    extra = data.draw(st.dictionaries(st.sampled_from(hidden), answer_like, max_size=4)) if hidden else {}
    assert answers.visible(checklist, {**given_answers, **extra}, started_at) == shown


# The server's checks of a visit, on whatever bytes and JSON arrive.

STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
SITE_TYPES = st.none() | st.sampled_from(sorted({site["site_type"] for site in demo.sites()}))
any_text = st.text(st.characters(exclude_categories=()) | st.characters(categories=["Cs"]), max_size=8)  # lone surrogates too
wild = st.recursive(
    scalars | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=20,
)


def real_visit(checklist: Checklist, seed: int) -> dict[str, Any]:
    body, _ = demo.visit_body(checklist, "site", random.Random(seed), quality=0.5, started=STARTED)
    return body


@PROFILE
@given(st.binary(max_size=64) | wild.map(lambda value: json.dumps(value).encode()))
@example(b"NaN")
@example(b'"\\udc00"')
@example(b"[" * 5000)
def test_decode_takes_any_bytes(raw: bytes) -> None:
    body, problems = visits.decode(raw)
    assert len(problems) <= visits.MAX_PROBLEMS
    if not problems:  # what decode passes can be hashed, stored and echoed
        json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


@PROFILE
@given(json_values.filter(lambda value: not _deep(value)))
def test_decode_gives_back_what_json_holds(value: Any) -> None:
    if _unholdable(value):
        return
    assert visits.decode(json.dumps(value).encode()) == (value, [])


def _deep(value: Any, depth: int = 1) -> bool:
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return depth > visits.MAX_DEPTH or any(_deep(child, depth + 1) for child in children if isinstance(child, (dict, list)))


def _unholdable(value: Any) -> bool:
    """NaN, infinities and integers longer than a phone writes, anywhere in the value."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(abs(value))) > visits.MAX_INT_DIGITS
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return any(_unholdable(child) for child in children)


@PROFILE
@given(checklist_ids, st.integers(0, 99), st.sampled_from(visits.FIELDS), wild, SITE_TYPES)
def test_visit_checks_take_any_json(checklist_id: str, seed: int, field: str, value: Any, site_type: str | None) -> None:
    """A real visit with one field replaced by anything: a list of problems, never an exception."""
    checklist = CHECKLISTS[checklist_id]
    body = {**real_visit(checklist, seed), field: value}
    for problem in visits.envelope_problems(body) + visits.content_problems(body, checklist, site_type):
        assert isinstance(problem.field, str) and isinstance(problem.message, str)


@PROFILE
@given(checklist_ids, st.integers(0, 99), st.dictionaries(any_text, wild, max_size=6), st.lists(wild, max_size=3))
def test_answers_and_photos_of_any_shape(checklist_id: str, seed: int, extra: dict[str, Any], photos: list[Any]) -> None:
    checklist = CHECKLISTS[checklist_id]
    body = real_visit(checklist, seed)
    ids = [item.id for item in checklist.items()]
    body["answers"].update({ids[n % len(ids)]: value for n, value in enumerate(extra.values())})
    body["photos"] += photos
    problems = visits.envelope_problems(body) + visits.content_problems(body, checklist, checklist.site_types[0])
    assert len(problems) <= 2 * visits.MAX_PROBLEMS


def test_any_json_value_as_the_whole_visit() -> None:
    checklist = CHECKLISTS["retail-supermarket"]
    for value in (None, True, 0, 1.5, "visit", [], [{}], {}):
        assert visits.envelope_problems(value)
        assert visits.content_problems(value, checklist, None)
