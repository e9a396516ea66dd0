"""Rules on a visit's answers that the phone and the server must apply alike.

Which items are shown (by earlier answers, and by the visit's `started_at` read as the wall
clock where the visit happened), whether an answer is well-formed, an item's score and
whether it failed, and what is still missing (required answers, evidence a failure calls for). The
phone runs the same rules in static/js/rules.js; both are tested against the golden cases
in tests/golden/answers.yaml, so the server never refuses what the phone let through.

An answer is a mapping: {"value": ..., "na": bool, "note": str}. Values by type:
yes_no "yes" | "no"; scale an integer; choice a choice id; multi_choice a list of choice
ids; number a number; timer seconds (a number >= 0); timestamp "HH:MM" or an ISO date-time;
text a string; photo no value (the photos linked to the item are its answer).

`visible` and `problem` take anything JSON can hold, as the server runs them before it
knows an answer's shape (a non-object answer reads as one with no fields, as in rules.js);
`score`, `failed` and `missing` take answers `problem` passed.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from .holidays import Calendar, day_kinds
from .model import Checklist, Condition, Item

MAX_TEXT = 10_000
MAX_SECONDS = 24 * 3600
ANSWER_FIELDS = ("value", "na", "note", "answered_at")
# ASCII digits, as in JavaScript: Python's \d alone would also take "٠٩:٣٠"
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$", re.ASCII)

_STARTED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})", re.ASCII)

Answers = dict[str, dict[str, Any]]


def _is_number(value: Any) -> bool:
    """A finite JSON number; an int of any size is one (math.isfinite would overflow on it)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


def answered(item: Item, answer: Any, photos: int = 0) -> bool:
    fields = answer if isinstance(answer, dict) else {}  # rules.js: a non-object's fields are undefined
    if item.type == "photo":
        return photos > 0 or bool(fields.get("na"))
    if not fields:
        return False
    if fields.get("na"):
        return True
    value = fields.get("value")
    return value is not None and value != "" and value != []


def problem(item: Item, answer: Any) -> str | None:
    """Why an answer is not a possible answer of its item, or None when it is."""
    if not isinstance(answer, dict):
        return "an answer must be an object"
    unknown = set(answer).difference(ANSWER_FIELDS)
    if unknown:
        return f"unknown answer fields: {', '.join(sorted(unknown))}"
    note = answer.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_TEXT):
        return f"note must be text of at most {MAX_TEXT} characters"
    value = answer.get("value")
    if not isinstance(answer.get("na", False), bool):  # `0 in (True, False)` holds: say bool
        return "na must be true or false"
    if answer.get("na"):
        if not item.na:
            return "N/A is not allowed for this item"
        return None if value is None else "an N/A answer has no value"
    if value is None:
        return None
    kind = item.type
    if kind == "yes_no":
        return None if value in ("yes", "no") else "must be 'yes' or 'no'"
    if kind == "scale":
        ok = isinstance(value, int) and not isinstance(value, bool) and item.min is not None and item.max is not None and item.min <= value <= item.max
        return None if ok else f"must be a whole number from {item.min:g} to {item.max:g}"
    ids = [choice.id for choice in item.choices]
    if kind == "choice":
        return None if value in ids else f"must be one of {', '.join(ids)}"
    if kind == "multi_choice":
        if not isinstance(value, list) or not all(v in ids for v in value) or len(set(value)) != len(value):
            return f"must be a list of distinct choices from {', '.join(ids)}"
        exclusive = {choice.id for choice in item.choices if choice.exclusive}
        if len(value) > 1 and exclusive & set(value):
            return "an exclusive choice cannot be ticked with others"
        return None
    if kind == "number":
        if not _is_number(value):
            return "must be a number"
        if item.min is not None and value < item.min:
            return f"must be at least {item.min:g}"
        if item.max is not None and value > item.max:
            return f"must be at most {item.max:g}"
        return None
    if kind == "timer":
        return None if _is_number(value) and 0 <= value <= MAX_SECONDS else f"must be seconds from 0 to {MAX_SECONDS}"
    if kind == "timestamp":
        return None if isinstance(value, str) and _TIME.fullmatch(value) else "must be a time HH:MM or an ISO date-time"
    if kind == "text":
        return None if isinstance(value, str) and len(value) <= MAX_TEXT else f"must be text of at most {MAX_TEXT} characters"
    return "a photo item takes photos, not a value"


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def score(item: Item, answer: dict[str, Any] | None) -> float | None:
    """The answer's score from 0 to 1; None where it does not count (recorded only, N/A,
    unanswered): an item recorded for context cannot fail."""
    if item.recorded or not answer or answer.get("na") or not answered(item, answer):
        return None
    value = answer["value"]
    if item.type == "yes_no":
        return 1.0 if value == "yes" else 0.0
    if item.type == "scale":
        assert item.min is not None and item.max is not None
        return float((value - item.min) / (item.max - item.min))
    scores = {choice.id: choice.score for choice in item.choices}
    if item.type == "choice":
        return float(scores[value])
    if item.type == "multi_choice":
        return float(min(1.0, sum(scores[v] for v in value)))
    if _within(value, item.pass_min, item.pass_max):
        return 1.0
    if item.partial_score is not None and _within(value, item.partial_min, item.partial_max):
        return float(item.partial_score)
    return 0.0


def failed(item: Item, answer: dict[str, Any] | None) -> bool:
    return fails(item, score(item, answer))


def fails(item: Item, result: float | None) -> bool:
    """Whether an item's score (as `score` gives it) is a fail: for callers that have it already.
    Without a pass_score (yes/no, number, timer) anything short of full credit fails: a
    number's partial credit softens its score, not the verdict that it missed the standard."""
    if result is None:
        return False
    threshold = item.pass_score if item.pass_score is not None else 1.0
    return result < threshold


def failures(checklist: Checklist, answers: Answers, started_at: object) -> list[str]:
    """Ids of the shown items whose answers failed, in checklist order."""
    items = {item.id: item for item in checklist.items()}
    return [item_id for item_id in visible(checklist, answers, started_at) if failed(items[item_id], answers.get(item_id))]


def _matches(target: Item, answer: Any, values: tuple[str | int, ...]) -> bool:
    fields = answer if isinstance(answer, dict) else {}  # as in answered()
    if not fields:
        return False
    if fields.get("na"):
        return "na" in values
    value = fields.get("value")
    if target.type == "multi_choice" and isinstance(value, list):
        return any(v in values for v in value)
    return value in values


def _moment(started_at: object) -> tuple[datetime.date, int] | None:
    """The local date and minute of the day a visit started, as its started_at writes them (the
    phone writes its own offset: a visit at 23:30 in Shanghai is judged at 23:30 on that day, a
    visit across midnight by its start); None when it is no date-time."""
    match = _STARTED.match(started_at) if isinstance(started_at, str) else None
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return None
    return (date, hour * 60 + minute) if hour < 24 and minute < 60 else None


def _on_time(condition: Condition, moment: tuple[datetime.date, int] | None, calendar: Calendar | None) -> bool:
    """Whether the visit's start meets the condition's `days` and `hours` (either absent holds)."""
    if condition.days is None and condition.hours is None:
        return True
    if moment is None:
        return False
    date, minute = moment
    if condition.days is not None and not day_kinds(date, calendar) & set(condition.days):
        return False
    if condition.hours is None:
        return True
    start, end = condition.hours
    return start <= minute < end if start < end else (minute >= start or minute < end)


def visible(checklist: Checklist, answers: Answers, started_at: object) -> list[str]:
    """Ids of the items shown, in checklist order: an item is shown when it has no `when`, or
    when every part of it holds: its (shown) target has one of the given answers, and the visit
    (`started_at`, the body's) starts on one of the given kinds of day, within the given hours."""
    items = {item.id: item for item in checklist.items()}
    moment = _moment(started_at)
    shown: list[str] = []
    seen: set[str] = set()
    for item in checklist.items():
        condition = item.when
        if condition is None or (
            (
                condition.item is None
                or condition.item in seen
                and _matches(items[condition.item], answers.get(condition.item), condition.values)
            )
            and _on_time(condition, moment, checklist.calendar)
        ):
            shown.append(item.id)
            seen.add(item.id)
    return shown


def missing(
    checklist: Checklist, answers: Answers, photos: dict[str, int], started_at: object, *, shown: list[str] | None = None
) -> list[dict[str, str]]:
    """What must still be added before the visit can be submitted, item by item:
    {"item": id, "need": "answer" | "photo" | "note"}. `shown`: visible(checklist, answers,
    started_at), when the caller has it already (the server, checking a visit)."""
    items = {item.id: item for item in checklist.items()}
    needs: list[dict[str, str]] = []
    for item_id in visible(checklist, answers, started_at) if shown is None else shown:
        item = items[item_id]
        answer = answers.get(item_id)
        count = photos.get(item_id, 0)
        done = answered(item, answer, count)
        if item.required and not done:
            needs.append({"item": item_id, "need": "answer"})
            continue
        # evidence backs an observation: an N/A or unanswered item has none to back
        observed = done and not (answer or {}).get("na")
        fail = "on_fail" in (item.evidence_photo, item.evidence_note) and failed(item, answer)
        if count == 0 and (item.evidence_photo == "always" and observed or item.evidence_photo == "on_fail" and fail):
            needs.append({"item": item_id, "need": "photo"})
        note = (answer or {}).get("note") or ""
        if not note.strip() and (item.evidence_note == "always" and observed or item.evidence_note == "on_fail" and fail):
            needs.append({"item": item_id, "need": "note"})
    return needs
