"""A visit as the phone submits it: decoded, then checked against the pinned checklist version.

Every bad field is named, so the phone can show the inspector what to fix; a visit with
any problem is refused whole, so nothing half-valid is ever stored. Every function here is
total: whatever bytes or JSON a client sends, the answer is a list of problems, never an
exception, because the phone's outbox retries a 5xx forever.

This runs on every visit a phone sends, so it stays O(size of the body): one pass per
level, `visible()` once, and the slow path that names where a strange value sits only
when a cheap test found one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from . import answers
from .model import Checklist, Item

MAX_NARRATIVE = 20_000
MAX_PHOTOS = 200
# No checklist comes near it (the largest has 27 items); it bounds the work on a hostile body.
MAX_ANSWERS = 1_000
# Checklist, item and site ids: the checklist format allows 64 characters (schema.ID_PATTERN).
MAX_ID = 64
# An RFC 3339 time is 25 characters, 35 with nanoseconds.
MAX_TIME = 40
MAX_PIXELS = 20_000
# A visit nests four levels (visit, answers, answer, list of choices); twice that is headroom
# for new fields, and far below where Python's json or its callers run out of stack.
MAX_DEPTH = 8
# JSON.stringify writes numbers from 1e21 up with an exponent, so no phone sends a longer
# integer; Python would keep it exact and fail later turning it into a float.
MAX_INT_DIGITS = 21
# Enough to fix a visit by; a hostile body cannot make the answer larger than the question.
MAX_PROBLEMS = 100

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SHA256_PATTERN = "[0-9a-f]{64}"
# \Z, not $: `$` also matches before a final newline, even with .match()
UUID = re.compile(rf"{UUID_PATTERN}\Z")
SHA256 = re.compile(rf"{SHA256_PATTERN}\Z")
# RFC 3339 (what the API description calls a date-time) with its offset: ASCII digits only.
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\Z")
# A \ud800-\udfff escape: the only way a lone surrogate gets into strict UTF-8 JSON.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
FIELDS = ("checklist_id", "checklist_hash", "site_id", "started_at", "ended_at", "narrative", "answers", "photos")
PHOTO_FIELDS = ("uuid", "item_id", "taken_at", "content_type", "sha256", "width", "height")
_NEEDS = {"answer": "required, not answered", "photo": "a photo is required", "note": "a note is required"}
_TIME_MESSAGE = "an ISO 8601 (RFC 3339) date-time with its UTC offset"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class _Unheld:
    """A number literal json reads but a visit cannot hold (NaN, 1e999, 10**30): kept as a
    marker so that the walk can say where it was."""

    literal: str


def is_uuid(text: object) -> TypeGuard[str]:
    """A whole lowercase UUID (a `$` pattern would also take one followed by a newline); a
    bool that also tells the type checker the value is a str."""
    return isinstance(text, str) and UUID.fullmatch(text) is not None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time with its UTC offset (a phone's local time means nothing without it)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _instant(value: Any) -> datetime | None:
    """A time a phone stamped, in the one form the API promises: RFC 3339 with its offset.
    parse_time stays lenient for what is already stored; this is the gate for what comes in."""
    if not isinstance(value, str) or len(value) > MAX_TIME or _DATE_TIME.fullmatch(value) is None:
        return None
    return parse_time(value)


def decode(raw: bytes) -> tuple[Any, list[Problem]]:
    """The request body as JSON, with the problems of what no visit can hold: bytes that are
    not UTF-8 or not JSON, NaN and Infinity, numbers a float cannot carry, lone surrogates
    (json reads "\\ud800"; encoding it back to UTF-8 fails), nesting deeper than MAX_DEPTH.
    The body is None when there are problems; without, it can be hashed, stored and echoed
    safely, whatever its shape."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem("", f"not UTF-8: invalid byte at offset {error.start}")]
    unheld: list[_Unheld] = []

    def refuse(literal: str) -> _Unheld:
        unheld.append(_Unheld(literal))
        return unheld[-1]

    def integer(literal: str) -> int | _Unheld:
        return refuse(literal) if len(literal.lstrip("-")) > MAX_INT_DIGITS else int(literal)

    def real(literal: str) -> float | _Unheld:
        value = float(literal)
        return value if math.isfinite(value) else refuse(literal)

    try:
        body = json.loads(text, parse_constant=refuse, parse_int=integer, parse_float=real)
    except json.JSONDecodeError as error:
        return None, [Problem("", f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")]
    except RecursionError:
        return None, [Problem("", f"nested more than {MAX_DEPTH} levels deep")]
    if unheld or _SURROGATE_ESCAPE.search(raw) or not _shallow(body):
        problems = _where(body)
        return (None, problems) if problems else (body, [])
    return body, []


def _shallow(body: Any) -> bool:
    """Whether the body nests at most MAX_DEPTH containers: one pass per level, no paths."""
    level = [body] if isinstance(body, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, (dict, list))
        ]
        if not level:
            return True
    return False


Trail = tuple["Trail", str | int] | None  # the keys from the body down to a value, last first


def _where(body: Any) -> list[Problem]:
    """Each value no visit can hold, named by its path: the slow walk behind decode's cheap
    tests. Still O(size): a path is spelled out only for a value found wanting."""
    if not isinstance(body, (dict, list)):
        trouble = _trouble(body)
        return [Problem("", trouble)] if trouble else []
    problems: list[Problem] = []
    stack: list[tuple[Any, Trail, int]] = [(body, None, 1)]
    while stack and len(problems) < MAX_PROBLEMS:
        node, trail, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(Problem(_path(trail), f"nested more than {MAX_DEPTH} levels deep"))
            continue
        children: Iterable[tuple[str | int, Any]] = node.items() if isinstance(node, dict) else enumerate(node)
        below = []
        for key, child in children:
            trouble = _trouble(key) if isinstance(key, str) else None
            if trouble:
                problems.append(Problem(_path((trail, key)), f"a key with {trouble}"))
            if isinstance(child, (dict, list)):
                below.append((child, (trail, key), depth + 1))
            elif trouble := _trouble(child):
                problems.append(Problem(_path((trail, key)), trouble))
        stack.extend(reversed(below))  # popped in the body's order
    return problems[:MAX_PROBLEMS]


def _trouble(value: Any) -> str | None:
    """What is wrong with a scalar json read, if anything."""
    if isinstance(value, _Unheld):
        return f"{_name(value.literal)}, which is not a finite number of at most {MAX_INT_DIGITS} digits"
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a lone UTF-16 surrogate (\\ud800-\\udfff), which is no character"
    return None


def _path(trail: Trail) -> str:
    """A JSON path as the problems name fields: answers.carts.value, photos[0].uuid."""
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{_name(key)}" if path else _name(key)
    return path


def _name(key: str) -> str:
    """A client's key or literal as it may appear in an answer: bounded, and printable even
    with a lone surrogate in it (escaped), so the 422 itself can always be encoded."""
    shown = key if len(key) <= MAX_ID else key[:MAX_ID] + "…"
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def _is_whole(value: Any, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= high


def envelope_problems(body: Any) -> list[Problem]:
    """Problems of the visit's own fields, before any checklist is looked up; any JSON value."""
    if not isinstance(body, dict):
        return [Problem("", "the visit must be a JSON object")]
    problems = [Problem(_name(key), "unknown field") for key in body if key not in FIELDS]
    for key in ("checklist_id", "site_id"):
        if not _is_id(body.get(key)):
            problems.append(Problem(key, f"required, a string of 1 to {MAX_ID} characters"))
    digest = body.get("checklist_hash")
    if not isinstance(digest, str) or SHA256.fullmatch(digest) is None:
        problems.append(Problem("checklist_hash", "required, the hex SHA-256 of the checklist version"))
    started = _instant(body.get("started_at"))
    if started is None:
        problems.append(Problem("started_at", f"required, {_TIME_MESSAGE}"))
    if body.get("ended_at") is not None:
        ended = _instant(body["ended_at"])
        if ended is None:
            problems.append(Problem("ended_at", _TIME_MESSAGE))
        elif started is not None and ended < started:
            problems.append(Problem("ended_at", "is before started_at"))
    narrative = body.get("narrative")
    if narrative is not None and (not isinstance(narrative, str) or len(narrative) > MAX_NARRATIVE):
        problems.append(Problem("narrative", f"text of at most {MAX_NARRATIVE} characters"))
    given = body.get("answers", {})
    if not isinstance(given, dict) or len(given) > MAX_ANSWERS:
        problems.append(Problem("answers", f"an object from item id to answer, at most {MAX_ANSWERS} of them"))
    photos = body.get("photos", [])
    if not isinstance(photos, list) or len(photos) > MAX_PHOTOS:
        problems.append(Problem("photos", f"a list of at most {MAX_PHOTOS} photos"))
    return problems[:MAX_PROBLEMS]


def _photo_problems(index: int, photo: Any, items: set[str], seen: set[str]) -> list[Problem]:
    where = f"photos[{index}]"
    if not isinstance(photo, dict):
        return [Problem(where, "a photo must be an object")]
    problems = [Problem(f"{where}.{_name(key)}", "unknown field") for key in photo if key not in PHOTO_FIELDS]
    uuid = photo.get("uuid")
    if not is_uuid(uuid):
        problems.append(Problem(f"{where}.uuid", "required, a lowercase UUID"))
    elif uuid in seen:
        problems.append(Problem(f"{where}.uuid", "listed twice"))
    else:
        seen.add(uuid)
    item_id = photo.get("item_id")
    if not isinstance(item_id, str) or item_id not in items:
        shown = repr(_name(item_id)) if isinstance(item_id, str) else "its item id"
        problems.append(Problem(f"{where}.item_id", f"required; {shown} is not an item of this checklist"))
    if _instant(photo.get("taken_at")) is None:
        problems.append(Problem(f"{where}.taken_at", f"required, {_TIME_MESSAGE}"))
    if photo.get("content_type") not in PHOTO_TYPES:
        problems.append(Problem(f"{where}.content_type", f"one of {', '.join(PHOTO_TYPES)}"))
    digest = photo.get("sha256")
    if not isinstance(digest, str) or SHA256.fullmatch(digest) is None:
        problems.append(Problem(f"{where}.sha256", "required, the hex SHA-256 of the photo's bytes"))
    for key in ("width", "height"):
        value = photo.get(key)
        if value is not None and not _is_whole(value, MAX_PIXELS):
            problems.append(Problem(f"{where}.{key}", f"a whole number of pixels, at most {MAX_PIXELS}"))
    return problems


def _answer_problem(item_id: str, answer: Any, item: Item | None, shown: set[str]) -> Problem | None:
    if item is None:  # the only case where the id is the client's own text, echoed bounded
        return Problem(f"answers.{_name(item_id)}", "not an item of this checklist")
    trouble = answers.problem(item, answer)
    if trouble:
        return Problem(f"answers.{item_id}", trouble)
    stamped = answer.get("answered_at")
    if stamped is not None and _instant(stamped) is None:
        return Problem(f"answers.{item_id}.answered_at", _TIME_MESSAGE)
    if item_id not in shown:
        return Problem(f"answers.{item_id}", "answered, but hidden by its `when` condition")
    return None


def content_problems(body: Any, checklist: Checklist, site_type: str | None) -> list[Problem]:
    """Problems of the answers and photos, judged by the checklist version the visit pinned.
    Total on any JSON value, but meant for a body envelope_problems passed: a field of the
    wrong shape is read as absent here, having been named there."""
    fields: dict[str, Any] = body if isinstance(body, dict) else {}
    problems: list[Problem] = []
    if site_type is None:
        site = fields.get("site_id")
        problems.append(Problem("site_id", f"unknown site {_name(site)!r}" if isinstance(site, str) else "unknown site"))
    elif site_type not in checklist.site_types:
        problems.append(
            Problem("site_id", f"site is a {site_type}; checklist {checklist.id!r} is for {', '.join(checklist.site_types)}")
        )
    items = {item.id: item for item in checklist.items()}
    given = fields.get("answers")
    given = given if isinstance(given, dict) else {}
    shown = answers.visible(checklist, given, fields.get("started_at"))
    shown_set = set(shown)
    for item_id, answer in given.items():
        trouble = _answer_problem(item_id, answer, items.get(item_id), shown_set)
        if trouble:
            problems.append(trouble)
    photos = fields.get("photos")
    photos = photos if isinstance(photos, list) else []
    ids = set(items)
    seen: set[str] = set()
    for index, photo in enumerate(photos):
        problems.extend(_photo_problems(index, photo, ids, seen))
    if problems:
        return problems[:MAX_PROBLEMS]
    counts: dict[str, int] = {}
    for photo in photos:
        counts[photo["item_id"]] = counts.get(photo["item_id"], 0) + 1
    for need in answers.missing(checklist, given, counts, fields.get("started_at"), shown=shown):
        problems.append(Problem(f"answers.{need['item']}", _NEEDS[need["need"]]))
    return problems[:MAX_PROBLEMS]
