"""A visit as the phone submits it: parsed, checked against the pinned checklist version.

Every bad field is named, so the phone can show the inspector what to fix; a visit with
any problem is refused whole, so nothing half-valid is ever stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import answers
from .model import Checklist

MAX_NARRATIVE = 20_000
MAX_PHOTOS = 200
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
_FIELDS = {"checklist_id", "checklist_hash", "site_id", "started_at", "ended_at", "narrative", "answers", "photos"}
_PHOTO_FIELDS = {"uuid", "item_id", "taken_at", "content_type", "sha256", "width", "height"}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def body_hash(body: dict[str, Any]) -> str:
    """Hash of what the phone sent, independent of key order and spacing, for idempotency."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time with its UTC offset (a phone's local time means nothing without it)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def envelope_problems(body: Any) -> list[Problem]:
    """Problems of the visit's own fields, before any checklist is looked up."""
    if not isinstance(body, dict):
        return [Problem("", "the visit must be a JSON object")]
    problems = [Problem(key, "unknown field") for key in sorted(set(body) - _FIELDS)]
    for key in ("checklist_id", "checklist_hash", "site_id"):
        if not isinstance(body.get(key), str) or not body.get(key):
            problems.append(Problem(key, "required, a string"))
    started = parse_time(body.get("started_at"))
    if started is None:
        problems.append(Problem("started_at", "required, an ISO 8601 date-time with its UTC offset"))
    if body.get("ended_at") is not None:
        ended = parse_time(body.get("ended_at"))
        if ended is None:
            problems.append(Problem("ended_at", "an ISO 8601 date-time with its UTC offset"))
        elif started is not None and ended < started:
            problems.append(Problem("ended_at", "is before started_at"))
    narrative = body.get("narrative", "")
    if narrative is not None and (not isinstance(narrative, str) or len(narrative) > MAX_NARRATIVE):
        problems.append(Problem("narrative", f"text of at most {MAX_NARRATIVE} characters"))
    if not isinstance(body.get("answers", {}), dict):
        problems.append(Problem("answers", "an object from item id to answer"))
    photos = body.get("photos", [])
    if not isinstance(photos, list) or len(photos) > MAX_PHOTOS:
        problems.append(Problem("photos", f"a list of at most {MAX_PHOTOS} photos"))
    return problems


def _photo_problems(index: int, photo: Any, items: set[str], seen: set[str]) -> list[Problem]:
    where = f"photos[{index}]"
    if not isinstance(photo, dict):
        return [Problem(where, "a photo must be an object")]
    problems = [Problem(f"{where}.{key}", "unknown field") for key in sorted(set(photo) - _PHOTO_FIELDS)]
    uuid = photo.get("uuid")
    if not isinstance(uuid, str) or not UUID.match(uuid):
        problems.append(Problem(f"{where}.uuid", "required, a lowercase UUID"))
    elif uuid in seen:
        problems.append(Problem(f"{where}.uuid", "listed twice"))
    else:
        seen.add(uuid)
    if photo.get("item_id") not in items:
        problems.append(Problem(f"{where}.item_id", f"{photo.get('item_id')!r} is not an item of this checklist"))
    if parse_time(photo.get("taken_at")) is None:
        problems.append(Problem(f"{where}.taken_at", "required, an ISO 8601 date-time with its UTC offset"))
    if photo.get("content_type") not in PHOTO_TYPES:
        problems.append(Problem(f"{where}.content_type", f"one of {', '.join(PHOTO_TYPES)}"))
    if not isinstance(photo.get("sha256"), str) or not SHA256.match(photo["sha256"]):
        problems.append(Problem(f"{where}.sha256", "required, the hex SHA-256 of the photo's bytes"))
    for key in ("width", "height"):
        value = photo.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 20_000):
            problems.append(Problem(f"{where}.{key}", "a whole number of pixels"))
    return problems


def content_problems(body: dict[str, Any], checklist: Checklist, site_type: str | None) -> list[Problem]:
    """Problems of the answers and photos, judged by the checklist version the visit pinned."""
    problems: list[Problem] = []
    if site_type is None:
        problems.append(Problem("site_id", f"unknown site {body['site_id']!r}"))
    elif site_type not in checklist.site_types:
        problems.append(
            Problem("site_id", f"site is a {site_type}; checklist {checklist.id!r} is for {', '.join(checklist.site_types)}")
        )
    items = {item.id: item for item in checklist.items()}
    given: dict[str, Any] = body.get("answers", {})
    shown = set(answers.visible(checklist, given))
    for item_id, answer in given.items():
        if item_id not in items:
            problems.append(Problem(f"answers.{item_id}", "not an item of this checklist"))
            continue
        trouble = answers.problem(items[item_id], answer)
        if trouble:
            problems.append(Problem(f"answers.{item_id}", trouble))
        elif item_id not in shown:
            problems.append(Problem(f"answers.{item_id}", "answered, but hidden by its `when` condition"))
    seen: set[str] = set()
    photos = body.get("photos", [])
    for index, photo in enumerate(photos):
        problems.extend(_photo_problems(index, photo, set(items), seen))
    if problems:
        return problems
    counts: dict[str, int] = {}
    for photo in photos:
        counts[photo["item_id"]] = counts.get(photo["item_id"], 0) + 1
    for need in answers.missing(checklist, given, counts):
        message = {"answer": "required, not answered", "photo": "a photo is required", "note": "a note is required"}
        problems.append(Problem(f"answers.{need['item']}", message[need["need"]]))
    return problems
