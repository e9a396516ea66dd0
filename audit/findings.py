"""Findings: every detail a released visit saw fail, followed until a later visit sees it pass.

A finding opens when a visit is released with the detail failed, due in the days its
checklist gives (`finding_days`; sooner for a critical detail). The store answers it: fixed (a note, and a photo where the detail
asks for photo evidence) or disputed (a reason, within DISPUTE_DAYS of the release). A
reviewer or HQ judges a dispute: accepted, the finding is void and the visit's figures are
recomputed without the detail (facts.py reads `voided_items`); rejected, it is open again.
"Fixed" is the store's claim; only a later released visit that observes the detail passing
closes the finding, and one that sees it fail again reopens a claimed fix. Overdue: still
open (unanswered) after its due day.

Every change happens inside the transaction of the release or answer that causes it; the
clock is a parameter, so the rules are tested on fixed days.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from . import access, facts
from .accounts import User
from .db import now, writing
from .model import FindingDays
from .pinned import latest_checklist, pinned_checklist
from .scoring import VisitScore

ACTIVE = ("open", "fixed", "disputed")  # not yet closed by a later visit, nor void
STATES = (*ACTIVE, "void", "closed")
DISPUTE_DAYS = 7
MAX_NOTE = 2000


class FindingError(ValueError):
    """A move the finding's state, the person or the answer does not allow; the message says which."""


class AnswerConflict(FindingError):
    """Another answer was already stored under this answer's id."""


@dataclass(frozen=True)
class Finding:
    id: str
    site_id: str
    checklist_id: str
    item_id: str
    visit_uuid: str
    opened_on: str  # the day of the visit that found it
    released_on: str  # the day its report reached the store
    due_on: str
    critical: bool
    state: str
    closed_by: str | None

    def overdue(self, today: date) -> bool:
        return self.state == "open" and self.due_on < today.isoformat()


_COLUMNS = "id, site_id, checklist_id, item_id, visit_uuid, opened_on, released_on, due_on, critical, state, closed_by"


def _finding(row: Any) -> Finding:
    return Finding(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]), row[9], row[10])


def get(db: sqlite_utils.Database, finding_id: str) -> Finding | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM findings WHERE id = ?", [finding_id]).fetchone()
    return _finding(row) if row else None


def _event(db: sqlite_utils.Database, finding_id: str, action: str, *, actor: str | None = None, note: str = "",
           visit_uuid: str | None = None, client_id: str | None = None) -> int:
    cursor = db.execute(
        "INSERT INTO finding_events (finding_id, client_id, actor_id, action, note, visit_uuid, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [finding_id, client_id, actor, action, note, visit_uuid, now()],
    )
    return int(cursor.lastrowid or 0)


def _move(db: sqlite_utils.Database, finding_id: str, state: str, closed_by: str | None = None) -> None:
    db.execute("UPDATE findings SET state = ?, closed_by = ?, updated_at = ? WHERE id = ?", [state, closed_by, now(), finding_id])


def on_release(db: sqlite_utils.Database, visit_uuid: str, result: VisitScore, released_on: date) -> None:
    """Opens a finding for each detail the visit failed that has none open at its site, reopens
    a claimed fix it saw fail again, and closes the open findings of details it saw pass when
    they were opened by an earlier visit. Inside the release's transaction."""
    site_id, checklist_id, started_at, checklist_hash = db.execute(
        "SELECT site_id, checklist_id, started_at, checklist_hash FROM visits WHERE uuid = ?", [visit_uuid]
    ).fetchone()
    checklist = pinned_checklist(db, checklist_hash)
    days = checklist.finding_days if checklist else FindingDays()
    marks = ", ".join("?" for _ in ACTIVE)
    active = {
        row[3]: (_finding(row), row[11])
        for row in db.execute(
            f"SELECT f.{_COLUMNS.replace(', ', ', f.')}, v.started_at FROM findings f JOIN visits v ON v.uuid = f.visit_uuid "
            f"WHERE f.site_id = ? AND f.checklist_id = ? AND f.state IN ({marks})",
            [site_id, checklist_id, *ACTIVE],
        )
    }
    critical = set(result.critical_failures)
    for item in result.items().values():
        if item.score is None:
            continue
        found = active.get(item.item_id)
        if item.failed and found is None:
            is_critical = item.item_id in critical
            finding_id = str(uuid.uuid4())
            db.execute(
                f"INSERT INTO findings ({_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, ?)",
                [finding_id, site_id, checklist_id, item.item_id, visit_uuid, started_at[:10], released_on.isoformat(),
                 (released_on + timedelta(days=days.critical if is_critical else days.other)).isoformat(), int(is_critical), now()],
            )
            _event(db, finding_id, "opened", visit_uuid=visit_uuid)
        elif found is not None and found[1] < started_at:
            finding = found[0]
            if item.failed and finding.state == "fixed":
                _move(db, finding.id, "open")
                _event(db, finding.id, "failed-again", visit_uuid=visit_uuid)
            elif not item.failed:
                _move(db, finding.id, "closed", visit_uuid)
                _event(db, finding.id, "closed", visit_uuid=visit_uuid)


def answer(db: sqlite_utils.Database, finding_id: str, person: User, kind: str, note: str, *, client_id: str,
           photo: tuple[str, Any] | None = None, today: date) -> str:
    """The store's answer: "fixed" or "dispute". `client_id` is the answer's own id, made where it
    was written: the same answer sent again changes nothing; another answer under the same id is
    refused. `photo` is (its id, photos.Processed). Returns the finding's state."""
    note = note.strip()
    if kind not in ("fixed", "dispute"):
        raise FindingError(f"unknown answer {kind!r}")
    if len(note) > MAX_NOTE:
        raise FindingError(f"a note may be at most {MAX_NOTE} characters")
    with writing(db):
        finding = get(db, finding_id)
        if finding is None or not may_answer(db, person, finding):
            raise LookupError("no such finding")
        sent = db.execute("SELECT finding_id, action, note FROM finding_events WHERE client_id = ?", [client_id]).fetchone()
        if sent is not None:
            if tuple(sent) != (finding_id, kind, note):
                raise AnswerConflict("another answer was already sent under this id")
            return finding.state
        if finding.state != "open":
            raise FindingError(f"the finding is {finding.state}, so it cannot be answered now")
        if not note:
            raise FindingError("say what was done" if kind == "fixed" else "give the reason for the dispute")
        if kind == "fixed" and photo is None and _asks_for_photo(db, finding):
            raise FindingError("this detail asks for a photo of the fix")
        if kind == "dispute" and today > date.fromisoformat(finding.released_on) + timedelta(days=DISPUTE_DAYS):
            raise FindingError(f"a finding may be disputed within {DISPUTE_DAYS} days of its report's release")
        event = _event(db, finding_id, kind, actor=person.id, note=note, client_id=client_id)
        if photo is not None:
            photo_id, processed = photo
            db.execute(
                "INSERT INTO finding_photos (uuid, finding_id, event_id, content_type, sha256, width, height, data, thumb, received_at) "
                "VALUES (?, ?, ?, 'image/jpeg', ?, ?, ?, ?, ?, ?)",
                [photo_id, finding_id, event, _digest(processed.data), processed.width, processed.height, processed.data, processed.thumb, now()],
            )
        state = "fixed" if kind == "fixed" else "disputed"
        _move(db, finding_id, state)
    return state


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _asks_for_photo(db: sqlite_utils.Database, finding: Finding) -> bool:
    checklist = latest_checklist(db, finding.checklist_id)
    item = next((i for i in checklist.items() if i.id == finding.item_id), None) if checklist else None
    return item is not None and item.evidence_photo is not None


def decide(db: sqlite_utils.Database, finding_id: str, person: User, accept: bool, note: str = "") -> str:
    """A reviewer's or HQ's judgement of a dispute. Accepted: the finding is void and the
    visit's figures are recomputed without the detail; rejected: it is open again."""
    if not access.may(person, "judge-disputes"):
        raise LookupError("no such finding")
    with writing(db):
        finding = get(db, finding_id)
        if finding is None:
            raise LookupError("no such finding")
        if finding.state != "disputed":
            raise FindingError(f"the finding is {finding.state}, not disputed")
        _event(db, finding_id, "accept" if accept else "reject", actor=person.id, note=note.strip())
        if not accept:
            _move(db, finding_id, "open")
            return "open"
        _move(db, finding_id, "void")
        db.execute("INSERT INTO voided_items (visit_uuid, item_id, finding_id) VALUES (?, ?, ?)", [finding.visit_uuid, finding.item_id, finding_id])
        facts.withdraw(db, finding.visit_uuid)
        result = facts.release(db, finding.visit_uuid)
        db.execute("UPDATE visit_scores SET adjusted = ? WHERE visit_uuid = ?", [result.score, finding.visit_uuid])
    return "void"


def may_answer(db: sqlite_utils.Database, person: User, finding: Finding) -> bool:
    """A store manager of the finding's branch."""
    if not access.may(person, "answer-findings"):
        return False
    branch = db.execute("SELECT branch_id FROM sites WHERE id = ?", [finding.site_id]).fetchone()
    return branch is not None and branch[0] in person.branches


def to_recheck(db: sqlite_utils.Database, site_id: str, checklist_id: str) -> list[str]:
    """The details an inspector should look at again at a site: those with a finding not yet
    closed, whatever the store said of them."""
    marks = ", ".join("?" for _ in ACTIVE)
    return [
        row[0]
        for row in db.execute(
            f"SELECT DISTINCT item_id FROM findings WHERE site_id = ? AND checklist_id = ? AND state IN ({marks}) ORDER BY item_id",
            [site_id, checklist_id, *ACTIVE],
        )
    ]


def of_branches(db: sqlite_utils.Database, branches: list[str], states: tuple[str, ...] = STATES) -> list[Finding]:
    """The findings of some branches' sites, newest first."""
    if not branches:
        return []
    where = f"s.branch_id IN ({', '.join('?' for _ in branches)}) AND f.state IN ({', '.join('?' for _ in states)})"
    rows = db.execute(
        f"SELECT f.{_COLUMNS.replace(', ', ', f.')} FROM findings f JOIN sites s ON s.id = f.site_id WHERE {where} "
        "ORDER BY f.opened_on DESC, f.item_id",
        [*branches, *states],
    )
    return [_finding(row) for row in rows]


def disputed(db: sqlite_utils.Database) -> list[Finding]:
    return [_finding(row) for row in db.execute(f"SELECT {_COLUMNS} FROM findings WHERE state = 'disputed' ORDER BY updated_at")]


def events(db: sqlite_utils.Database, finding_id: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT e.id, e.action, e.note, e.at, coalesce(u.display_name, ''), e.visit_uuid, p.uuid FROM finding_events e "
        "LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN finding_photos p ON p.event_id = e.id WHERE e.finding_id = ? ORDER BY e.id",
        [finding_id],
    )
    return [{"id": r[0], "action": r[1], "note": r[2], "at": r[3], "who": r[4], "visit": r[5], "photo": r[6]} for r in rows]


def tally(db: sqlite_utils.Database, branches: list[str], today: date) -> dict[str, dict[str, int]]:
    """Per branch: findings open (unanswered), claimed fixed, disputed, overdue, closed by a
    later visit, and reopened after a claimed fix (the details that keep failing)."""
    result: dict[str, dict[str, int]] = {}
    if not branches:
        return result
    marks = ", ".join("?" for _ in branches)
    for branch, state, overdue, count in db.execute(
        f"SELECT s.branch_id, f.state, f.state = 'open' AND f.due_on < ?, count(*) FROM findings f JOIN sites s ON s.id = f.site_id "
        f"WHERE s.branch_id IN ({marks}) GROUP BY 1, 2, 3",
        [today.isoformat(), *branches],
    ):
        counts = result.setdefault(branch, dict.fromkeys((*STATES, "overdue", "failed-again"), 0))
        counts[state] += count
        if overdue:
            counts["overdue"] += count
    for branch, count in db.execute(
        f"SELECT s.branch_id, count(DISTINCT e.finding_id) FROM finding_events e JOIN findings f ON f.id = e.finding_id "
        f"JOIN sites s ON s.id = f.site_id WHERE e.action = 'failed-again' AND s.branch_id IN ({marks}) GROUP BY 1",
        branches,
    ):
        result.setdefault(branch, dict.fromkeys((*STATES, "overdue", "failed-again"), 0))["failed-again"] = count
    return result
