"""Review before release: the few named states a visit is in, the moves between them, the
comments that go back to the inspector, and the names a reviewer hides from the store.

    submitted ──approve──▶ released      (the store can read it)
        │ ▲
  return│ │the inspector corrects it and sends it again (a new version, same id)
        ▼ │
     returned
    submitted ──reject──▶ rejected       (kept for HQ, never released)

A returned visit's earlier versions are kept (visit_versions); each version's replay is
still a no-op. Redactions are terms (a staff member's name, say) replaced in the notes and
narrative the store reads; the stored words are unchanged, for HQ.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from . import access, facts, findings
from .accounts import User
from .db import now, writing

STATES = ("submitted", "returned", "released", "rejected")
STATE_LABELS = {
    "submitted": {"zh-Hans": "等待审核", "zh-Hant": "等待審核", "en": "Waiting for review"},
    "returned": {"zh-Hans": "已退回，请修改", "zh-Hant": "已退回，請修改", "en": "Returned with comments"},
    "released": {"zh-Hans": "已发布给门店", "zh-Hant": "已發布給門市", "en": "Released to the store"},
    "rejected": {"zh-Hans": "已拒绝", "zh-Hant": "已拒絕", "en": "Rejected"},
}
MOVES = {"approve": ("submitted", "released"), "return": ("submitted", "returned"), "reject": ("submitted", "rejected")}
MAX_COMMENT = 4000
MAX_TERM = 80
HIDDEN = "■■■"


class ReviewError(ValueError):
    """A move the visit's state does not allow, or a comment it needs; worded for the reviewer."""


@dataclass(frozen=True)
class Event:
    at: str
    action: str
    comment: str
    actor: str
    version: int


def state_of(db: sqlite_utils.Database, visit_uuid: str) -> tuple[str, int] | None:
    row = db.execute("SELECT state, version FROM visits WHERE uuid = ?", [visit_uuid]).fetchone()
    return (row[0], row[1]) if row else None


def _record(db: sqlite_utils.Database, visit_uuid: str, version: int, actor_id: str | None, action: str, comment: str) -> None:
    db.execute(
        "INSERT INTO review_events (visit_uuid, version, actor_id, action, comment, at) VALUES (?, ?, ?, ?, ?, ?)",
        [visit_uuid, version, actor_id, action, comment, now()],
    )


def move(db: sqlite_utils.Database, visit_uuid: str, reviewer: User, action: str, comment: str = "", *, today: date | None = None) -> str:
    """Approves, returns or rejects a submitted visit; returns its new state. A return needs a
    comment for the inspector, a rejection a reason."""
    if action not in MOVES:
        raise ReviewError(f"unknown action {action!r}")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ReviewError(f"a comment may be at most {MAX_COMMENT} characters")
    if action in ("return", "reject") and not comment:
        raise ReviewError("say what the inspector should correct" if action == "return" else "give the reason for the rejection")
    before, after = MOVES[action]
    with writing(db):
        found = state_of(db, visit_uuid)
        if found is None:
            raise ReviewError("no such visit")
        state, version = found
        if state != before:
            raise ReviewError(f"the visit is {STATE_LABELS[state]['en'].lower()}, so it cannot be moved that way")
        db.execute("UPDATE visits SET state = ?, updated_at = ? WHERE uuid = ?", [after, now(), visit_uuid])
        _record(db, visit_uuid, version, reviewer.id, action, comment)
        if after == "released":
            findings.on_release(db, visit_uuid, facts.release(db, visit_uuid), today or date.today())
    return after


def resubmitted(db: sqlite_utils.Database, visit_uuid: str, version: int, inspector_id: str | None) -> None:
    """Inside the transaction that stores the corrected version."""
    _record(db, visit_uuid, version, inspector_id, "resubmit", "")


def events(db: sqlite_utils.Database, visit_uuid: str) -> list[Event]:
    rows = db.execute(
        "SELECT e.at, e.action, e.comment, coalesce(u.display_name, ''), e.version FROM review_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE e.visit_uuid = ? ORDER BY e.id",
        [visit_uuid],
    )
    return [Event(*row) for row in rows]


def comments_for_inspector(db: sqlite_utils.Database, visit_uuid: str) -> list[dict[str, str]]:
    """What the reviewers said back, without who said it."""
    return [{"at": e.at, "text": e.comment, "action": e.action} for e in events(db, visit_uuid) if e.action in ("return", "reject") and e.comment]


def redact(db: sqlite_utils.Database, visit_uuid: str, reviewer: User, terms: list[str]) -> list[str]:
    """Hides each term (case-insensitively, wherever it stands) from the notes and narrative the
    store reads; returns every term now hidden on the visit."""
    cleaned = sorted({t.strip() for t in terms if t.strip()})
    if any(len(t) > MAX_TERM for t in cleaned):
        raise ReviewError(f"a term to hide may be at most {MAX_TERM} characters")
    with writing(db):
        found = state_of(db, visit_uuid)
        if found is None:
            raise ReviewError("no such visit")
        stamp = now()
        db.conn.executemany(
            "INSERT INTO redactions (visit_uuid, term, actor_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (visit_uuid, term) DO NOTHING",
            [(visit_uuid, t, reviewer.id, stamp) for t in cleaned],
        )
        if cleaned:
            _record(db, visit_uuid, found[1], reviewer.id, "redact", ", ".join(cleaned))
    return hidden_terms(db, visit_uuid)


def photos_missing(db: sqlite_utils.Database, visit_uuid: str) -> int:
    """Photos the visit declares that have not arrived yet: a reviewer should wait for them."""
    row = db.execute("SELECT body FROM visits WHERE uuid = ?", [visit_uuid]).fetchone()
    declared = {p["uuid"] for p in json.loads(row[0]).get("photos", [])} if row else set()
    stored = {r[0] for r in db.execute("SELECT uuid FROM photos WHERE visit_uuid = ?", [visit_uuid])}
    return len(declared - stored)


def hidden_terms(db: sqlite_utils.Database, visit_uuid: str) -> list[str]:
    return [row[0] for row in db.execute("SELECT term FROM redactions WHERE visit_uuid = ? ORDER BY term", [visit_uuid])]


def hide(text: str, terms: list[str]) -> str:
    """The text with every term replaced; longer terms first, so a full name goes before a part of it."""
    for term in sorted(terms, key=len, reverse=True):
        text = re.sub(re.escape(term), HIDDEN, text, flags=re.IGNORECASE)
    return text


def _rows(db: sqlite_utils.Database, person: User, condition: str, order: str) -> list[dict[str, Any]]:
    """Visits the person may read (access.py's condition) that also meet `condition`, with
    their site, inspector and stored score."""
    where, params = access.visits_where(person)
    cursor = db.execute(
        "SELECT v.uuid, v.state, v.version, v.site_id, v.checklist_id, v.started_at, v.received_at, v.updated_at, "
        "s.name AS site_name, s.branch_id, coalesce(u.display_name, '') AS inspector, coalesce(u.pseudonym, '') AS pseudonym, "
        "sc.score, sc.band, sc.critical_failures FROM visits v JOIN sites s ON s.id = v.site_id "
        "LEFT JOIN users u ON u.id = v.inspector_id LEFT JOIN visit_scores sc ON sc.visit_uuid = v.uuid "
        f"WHERE {where} AND {condition} ORDER BY {order}",
        params,
    )
    names = [c[0] for c in cursor.description]
    return [{**(row := dict(zip(names, values))), "site_name": json.loads(row["site_name"])} for values in cursor.fetchall()]


def queue(db: sqlite_utils.Database, person: User) -> list[dict[str, Any]]:
    """Visits waiting for review, the longest waiting first."""
    return _rows(db, person, "v.state = 'submitted'", "v.updated_at, v.uuid")


def released(db: sqlite_utils.Database, person: User) -> list[dict[str, Any]]:
    """Released visits the person may read, newest first: a store manager's home."""
    return _rows(db, person, "v.state = 'released'", "v.started_at DESC, v.uuid")


def own_visit(db: sqlite_utils.Database, inspector: User, visit_uuid: str) -> dict[str, Any] | None:
    """The visit as the inspector last sent it, if it is theirs."""
    if not access.may_read_visit(db, inspector, visit_uuid) or inspector.role != "inspector":
        return None
    state, version, body = db.execute("SELECT state, version, body FROM visits WHERE uuid = ?", [visit_uuid]).fetchone()
    return {
        "uuid": visit_uuid, "state": state, "state_label": STATE_LABELS[state], "version": version,
        "body": json.loads(body), "comments": comments_for_inspector(db, visit_uuid),
    }


def mine(db: sqlite_utils.Database, inspector: User) -> list[dict[str, Any]]:
    """An inspector's visits and what became of them, newest first."""
    keep = ("uuid", "state", "version", "site_id", "checklist_id", "started_at", "received_at", "updated_at")
    return [
        {**{k: row[k] for k in keep}, "state_label": STATE_LABELS[row["state"]], "comments": comments_for_inspector(db, row["uuid"])}
        for row in _rows(db, inspector, "1 = 1", "v.started_at DESC, v.uuid")
    ]
