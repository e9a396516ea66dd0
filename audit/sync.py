"""Stores what phones send, safely repeatable: the same content twice stores nothing new,
different content under a known UUID is a conflict, and a visit is stored whole or not at all."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from . import photos, scorebook, visits
from .db import now
from .model import Checklist, from_dict

MAX_PHOTO_BYTES = 15 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]


def _invalid(problems: list[visits.Problem]) -> Outcome:
    return Outcome(422, {"error": "invalid", "problems": [p.as_dict() for p in problems]})


def _row(db: sqlite_utils.Database, table: str, key: str) -> dict[str, Any] | None:
    try:
        return db.table(table).get(key)
    except NotFoundError:
        return None


@lru_cache(maxsize=64)
def _checklist(body: str) -> Checklist:
    return from_dict(json.loads(body))


def pinned_checklist(db: sqlite_utils.Database, content_hash: str) -> Checklist | None:
    """The exact checklist version a visit was filled against, from the versions ever served."""
    version = _row(db, "checklist_versions", content_hash)
    return _checklist(version["body"]) if version else None


def _missing_photos(db: sqlite_utils.Database, uuid: str, body: dict[str, Any]) -> list[str]:
    declared = [photo["uuid"] for photo in body.get("photos", [])]
    stored = {row["uuid"] for row in db.table("photos").rows_where("visit_uuid = ?", [uuid], select="uuid")}
    return [photo for photo in declared if photo not in stored]


def _accepted(db: sqlite_utils.Database, visit: dict[str, Any]) -> Outcome:
    body = json.loads(visit["body"])
    return Outcome(
        200,
        {"uuid": visit["uuid"], "received_at": visit["received_at"], "photos_missing": _missing_photos(db, visit["uuid"], body)},
    )


def put_visit(db: sqlite_utils.Database, uuid: str, body: Any) -> Outcome:
    if not visits.UUID.match(uuid):
        return _invalid([visits.Problem("uuid", "the visit's id must be a lowercase UUID")])
    problems = visits.envelope_problems(body)
    if problems:
        return _invalid(problems)
    digest = visits.body_hash(body)
    stored = _row(db, "visits", uuid)
    if stored is not None:
        if stored["body_hash"] == digest:
            return _accepted(db, stored)
        return Outcome(
            409,
            {
                "error": "conflict",
                "message": "a different visit is already stored under this id; nothing was changed. "
                "Keep this copy and ask HQ to compare the two.",
                "received_at": stored["received_at"],
            },
        )
    checklist = pinned_checklist(db, body["checklist_hash"])
    if checklist is None:
        return _invalid([visits.Problem("checklist_hash", "not a checklist version this server has served")])
    if checklist.id != body["checklist_id"]:
        return _invalid([visits.Problem("checklist_id", f"the pinned version is of checklist {checklist.id!r}")])
    site = _row(db, "sites", body["site_id"])
    problems = visits.content_problems(body, checklist, site["site_type"] if site else None)
    if problems:
        return _invalid(problems)
    received = now()
    row = {
        "uuid": uuid,
        "checklist_id": checklist.id,
        "checklist_hash": body["checklist_hash"],
        "site_id": body["site_id"],
        "started_at": body["started_at"],
        "ended_at": body.get("ended_at"),
        "narrative": body.get("narrative") or "",
        "body": json.dumps(body, ensure_ascii=False),
        "body_hash": digest,
        "received_at": received,
    }
    answer_rows = [
        {
            "visit_uuid": uuid,
            "item_id": item_id,
            "value": json.dumps(answer.get("value"), ensure_ascii=False),
            "na": 1 if answer.get("na") else 0,
            "note": answer.get("note") or "",
            "answered_at": answer.get("answered_at"),
        }
        for item_id, answer in body.get("answers", {}).items()
    ]
    with db.conn:
        db.table("visits").insert(row)
        db.table("answers").insert_all(answer_rows)
        scorebook.store(db, uuid, checklist, body.get("answers", {}))
    return _accepted(db, row)


def put_photo(db: sqlite_utils.Database, visit_uuid: str, photo_uuid: str, data: bytes) -> Outcome:
    visit = _row(db, "visits", visit_uuid)
    if visit is None:
        return Outcome(404, {"error": "not_found", "message": "no such visit yet; send the visit before its photos"})
    declared = next((p for p in json.loads(visit["body"]).get("photos", []) if p["uuid"] == photo_uuid), None)
    if declared is None:
        return _invalid([visits.Problem("photo_uuid", "the visit does not list this photo")])
    digest = hashlib.sha256(data).hexdigest()
    stored = _row(db, "photos", photo_uuid)
    if stored is not None:
        if stored["sha256"] == digest:
            return Outcome(200, {"uuid": photo_uuid, "received_at": stored["received_at"]})
        return Outcome(409, {"error": "conflict", "message": "different bytes are already stored for this photo"})
    if len(data) > MAX_PHOTO_BYTES:
        return Outcome(413, {"error": "too_large", "message": f"a photo may be at most {MAX_PHOTO_BYTES:,} bytes"})
    if digest != declared["sha256"]:
        return _invalid([visits.Problem("body", "the bytes do not match the sha256 the visit declared")])
    try:
        image = photos.process(data)
    except photos.BadImage as error:
        return _invalid([visits.Problem("body", str(error))])
    received = now()
    with db.conn:
        db.table("photos").insert(
            {
                "uuid": photo_uuid,
                "visit_uuid": visit_uuid,
                "item_id": declared["item_id"],
                "taken_at": declared["taken_at"],
                "content_type": "image/jpeg",
                "sha256": digest,
                "width": image.width,
                "height": image.height,
                "data": image.data,
                "thumb": image.thumb,
                "received_at": received,
            }
        )
    return Outcome(200, {"uuid": photo_uuid, "received_at": received})
