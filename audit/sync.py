"""Stores what phones send, safely repeatable: the same content twice stores nothing new,
different content under a known UUID is a conflict, and a visit is stored whole or not at all.

Everything slow or that can fail on bad input (parsing, checking, scoring) happens before the
write transaction; the transaction itself is a handful of plain statements, so two server
processes share the write lock for a millisecond per visit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from . import assignments, photos, review, scorebook, visits
from .db import insert_rows, now, writing
from .model import Checklist
from .pinned import pinned_checklist
from .scoring import score_visit

MAX_PHOTO_BYTES = 15 * 1024 * 1024
DERIVED_TABLES = ("visit_scores", "stage_scores", "section_scores")

Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]


def _invalid(problems: list[visits.Problem]) -> Outcome:
    return Outcome(422, {"error": "invalid", "problems": [p.as_dict() for p in problems]})


def _one(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def canonical(body: dict[str, Any]) -> str:
    """What the phone sent, independent of key order and spacing: stored as the visit's body
    and hashed for idempotency, so it is encoded once."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def derived_rows(uuid: str, body: dict[str, Any], checklist: Checklist) -> Rows:
    """The rows a stored visit's body implies: its scores. The body is the source of truth (its
    answers are read through the `answers` view); the doctor rebuilds these from it."""
    return scorebook.rows(uuid, score_visit(checklist, body.get("answers", {}), body.get("started_at")))


def write_derived(db: sqlite_utils.Database, rows: Rows) -> None:
    """Inside the caller's transaction."""
    for table in DERIVED_TABLES:
        insert_rows(db, table, rows[table])


def _missing_photos(db: sqlite_utils.Database, uuid: str, body: dict[str, Any]) -> list[str]:
    stored = {row[0] for row in db.execute("SELECT uuid FROM photos WHERE visit_uuid = ?", [uuid])}
    return [photo["uuid"] for photo in body.get("photos", []) if photo["uuid"] not in stored]


def _conflict(received_at: str) -> Outcome:
    return Outcome(
        409,
        {
            "error": "conflict",
            "message": "a different visit is already stored under this id; nothing was changed. "
            "Keep this copy and ask HQ to compare the two.",
            "received_at": received_at,
        },
    )


def _accepted(db: sqlite_utils.Database, uuid: str, body: dict[str, Any], received_at: str) -> Outcome:
    state, version = db.execute("SELECT state, version FROM visits WHERE uuid = ?", [uuid]).fetchone()
    return Outcome(
        200, {"uuid": uuid, "received_at": received_at, "photos_missing": _missing_photos(db, uuid, body), "state": state, "version": version}
    )


def _stored_visit(db: sqlite_utils.Database, uuid: str) -> dict[str, Any] | None:
    return _one(db, "SELECT body_hash, received_at, state, version, inspector_id, site_id, checklist_hash FROM visits WHERE uuid = ?", [uuid])


def _sent_before(db: sqlite_utils.Database, uuid: str, stored: dict[str, Any], digest: str) -> bool:
    """This version or an earlier one of the visit had exactly this content: replaying it changes nothing."""
    if stored["body_hash"] == digest:
        return True
    return db.execute("SELECT 1 FROM visit_versions WHERE visit_uuid = ? AND body_hash = ?", [uuid, digest]).fetchone() is not None


def _insert(db: sqlite_utils.Database, uuid: str, body: dict[str, Any], text: str, digest: str, inspector: str | None, received: str) -> bool:
    inserted = db.conn.execute(
        "INSERT INTO visits (uuid, checklist_id, checklist_hash, site_id, started_at, ended_at, narrative, body, body_hash, received_at, "
        "inspector_id, state, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', 1, ?) ON CONFLICT (uuid) DO NOTHING",
        [
            uuid, body["checklist_id"], body["checklist_hash"], body["site_id"], body["started_at"], body.get("ended_at"),
            body.get("narrative") or "", text, digest, received, inspector, received,
        ],
    ).rowcount
    return bool(inserted)


def _correct(db: sqlite_utils.Database, uuid: str, body: dict[str, Any], text: str, digest: str, version: int, received: str) -> bool:
    """The inspector's corrected visit replaces the returned one, which is kept in visit_versions."""
    db.execute(
        "INSERT INTO visit_versions (visit_uuid, version, body, body_hash, received_at) "
        "SELECT uuid, version, body, body_hash, updated_at FROM visits WHERE uuid = ? AND state = 'returned' AND version = ?",
        [uuid, version],
    )
    changed = db.conn.execute(
        "UPDATE visits SET body = ?, body_hash = ?, version = ?, state = 'submitted', started_at = ?, ended_at = ?, narrative = ?, "
        "updated_at = ? WHERE uuid = ? AND state = 'returned' AND version = ?",
        [text, digest, version + 1, body["started_at"], body.get("ended_at"), body.get("narrative") or "", received, uuid, version],
    ).rowcount
    if changed:
        for table in DERIVED_TABLES:
            db.execute(f"DELETE FROM {table} WHERE visit_uuid = ?", [uuid])
    return bool(changed)


def put_visit(db: sqlite_utils.Database, uuid: str, body: Any, *, inspector: str | None = None) -> Outcome:
    """Stores a visit sent by `inspector` (None: a tool of the server's own, such as the demo).
    Its content again is a no-op; other content is a 409, unless a reviewer returned the visit,
    when it is the inspector's corrected version."""
    if not visits.is_uuid(uuid):
        return _invalid([visits.Problem("uuid", "the visit's id must be a lowercase UUID")])
    problems = visits.envelope_problems(body)
    if problems:
        return _invalid(problems)
    text = canonical(body)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stored = _stored_visit(db, uuid)
    if stored is not None:
        if stored["inspector_id"] != inspector:
            return _conflict(stored["received_at"])  # someone else's id: said no more than for any conflict
        if _sent_before(db, uuid, stored, digest):
            return _accepted(db, uuid, body, stored["received_at"])
        if stored["state"] != "returned":
            return _conflict(stored["received_at"])
        if (stored["site_id"], stored["checklist_hash"]) != (body["site_id"], body["checklist_hash"]):
            return _invalid([visits.Problem("site_id", "a corrected visit keeps the site and the checklist version it was filled against")])
    checklist = pinned_checklist(db, body["checklist_hash"])
    if checklist is None:
        return _invalid([visits.Problem("checklist_hash", "not a checklist version this server has served")])
    if checklist.id != body["checklist_id"]:
        return _invalid([visits.Problem("checklist_id", f"the pinned version is of checklist {checklist.id!r}")])
    site = _one(db, "SELECT site_type FROM sites WHERE id = ?", [body["site_id"]])
    problems = visits.content_problems(body, checklist, site["site_type"] if site else None)
    if problems:
        return _invalid(problems)
    received = now()
    rows = derived_rows(uuid, body, checklist)
    with writing(db):
        if stored is None:
            version = 1
            done = _insert(db, uuid, body, text, digest, inspector, received)
        else:
            version = stored["version"] + 1
            done = _correct(db, uuid, body, text, digest, stored["version"], received)
            if done:
                review.resubmitted(db, uuid, version, inspector)
        if done:
            write_derived(db, rows)
            if stored is None and inspector is not None:
                assignments.link(db, uuid, inspector, body["site_id"], body["checklist_id"])
    if not done:  # another request stored or corrected this id between our look and our write
        return put_visit(db, uuid, body, inspector=inspector)
    if stored is not None:
        return _accepted(db, uuid, body, stored["received_at"])
    declared = [p["uuid"] for p in body.get("photos", [])]  # a new visit has none of its photos yet
    return Outcome(200, {"uuid": uuid, "received_at": received, "photos_missing": declared, "state": "submitted", "version": 1})


def receive_visit(db: sqlite_utils.Database, uuid: str, raw: bytes, inspector: str) -> Outcome:
    """A visit as the phone's request carried it: decoded here, in the worker thread, since a
    large body takes a while to parse."""
    body, problems = visits.decode(raw)
    if problems:
        return _invalid(problems)
    return put_visit(db, uuid, body, inspector=inspector)


def _stored_photo(db: sqlite_utils.Database, visit_uuid: str, photo_uuid: str, digest: str) -> Outcome | None:
    stored = _one(db, "SELECT visit_uuid, sha256, received_at FROM photos WHERE uuid = ?", [photo_uuid])
    if stored is None:
        return None
    if stored["sha256"] == digest and stored["visit_uuid"] == visit_uuid:
        return Outcome(200, {"uuid": photo_uuid, "received_at": stored["received_at"]})
    return Outcome(409, {"error": "conflict", "message": "different bytes are already stored for this photo"})


def put_photo(db: sqlite_utils.Database, visit_uuid: str, photo_uuid: str, data: bytes, *, inspector: str | None = None) -> Outcome:
    """A photo the visit declared, sent by the visit's inspector. Decodes and re-encodes it:
    call from a worker thread, never the event loop."""
    if not visits.is_uuid(visit_uuid) or not visits.is_uuid(photo_uuid):
        return _invalid([visits.Problem("uuid", "the visit's and the photo's ids must be lowercase UUIDs")])
    visit = _one(db, "SELECT body, inspector_id FROM visits WHERE uuid = ?", [visit_uuid])
    if visit is None or visit["inspector_id"] != inspector:
        return Outcome(404, {"error": "not_found", "message": "no such visit yet; send the visit before its photos"})
    declared = next((p for p in json.loads(visit["body"]).get("photos", []) if p["uuid"] == photo_uuid), None)
    if declared is None:
        return _invalid([visits.Problem("photo_uuid", "the visit does not list this photo")])
    digest = hashlib.sha256(data).hexdigest()
    replay = _stored_photo(db, visit_uuid, photo_uuid, digest)
    if replay is not None:
        return replay
    if len(data) > MAX_PHOTO_BYTES:
        return Outcome(413, {"error": "too_large", "message": f"a photo may be at most {MAX_PHOTO_BYTES:,} bytes"})
    if digest != declared["sha256"]:
        return _invalid([visits.Problem("body", "the bytes do not match the sha256 the visit declared")])
    try:
        image = photos.process(data)
    except photos.BadImage as error:
        return _invalid([visits.Problem("body", str(error))])
    received = now()
    with writing(db):
        inserted = db.conn.execute(
            "INSERT INTO photos (uuid, visit_uuid, item_id, taken_at, content_type, sha256, width, height, data, thumb, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO NOTHING",
            [
                photo_uuid, visit_uuid, declared["item_id"], declared["taken_at"], "image/jpeg", digest,
                image.width, image.height, image.data, image.thumb, received,
            ],
        ).rowcount
    if not inserted:
        again = _stored_photo(db, visit_uuid, photo_uuid, digest)
        assert again is not None
        return again
    return Outcome(200, {"uuid": photo_uuid, "received_at": received})
