"""Who may read and change what: the one place that decides, per role.

Every query that serves a person takes its condition from here, so a rule is enforced in the
queries, not by hiding buttons. A store manager reads only released visits of their own
branches, and only in the store's words (report.py's "store" audience: no inspector method,
names a reviewer hid, the inspector's pseudonym). An inspector reads only their own visits. Reviewers, HQ and admins read every visit; only
reviewers (and admins) change a visit's review state; only inspectors send visits.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .accounts import User

ACTIONS = {
    "send-visits": ("inspector",),
    "read-catalog": ("inspector", "reviewer", "hq", "admin"),
    "review": ("reviewer", "admin"),
    "read-reports": ("store", "reviewer", "hq", "admin"),
    "read-all": ("reviewer", "hq", "admin"),
    "compare": ("hq", "admin"),
    "assign": ("hq", "admin"),
    "judge-disputes": ("reviewer", "hq", "admin"),
    "answer-findings": ("store",),
}


class Denied(PermissionError):
    """Not this person's to see or do; answered as if the thing did not exist where it is a row."""


def may(person: User, action: str) -> bool:
    return person.role in ACTIONS[action]


def require(person: User, action: str) -> None:
    if not may(person, action):
        raise Denied(action)


def visits_where(person: User) -> tuple[str, list[Any]]:
    """The visits a person may read, as a condition on `visits v` joined to `sites s`."""
    if person.role == "inspector":
        return "v.inspector_id = ?", [person.id]
    if person.role == "store":
        marks = ", ".join("?" for _ in person.branches) or "NULL"
        return f"v.state = 'released' AND s.branch_id IN ({marks})", list(person.branches)
    if may(person, "read-all"):
        return "1 = 1", []
    return "0 = 1", []


def exports_where(person: User) -> tuple[str, list[Any]]:
    """The exports a person may follow and download, as a condition on `exports e`: their own
    (an export holds every visit it chose, so it goes to no one else), or any for an admin."""
    if not may(person, "compare"):
        return "0 = 1", []
    if person.role == "admin":
        return "1 = 1", []
    return "e.user_id = ?", [person.id]


def may_read_visit(db: sqlite_utils.Database, person: User, visit_uuid: str) -> bool:
    where, params = visits_where(person)
    sql = f"SELECT 1 FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.uuid = ? AND {where}"
    return db.execute(sql, [visit_uuid, *params]).fetchone() is not None


def may_read_report(db: sqlite_utils.Database, person: User, visit_uuid: str) -> bool:
    """Reports are the store's document: for those who read reports, within what they may read."""
    return may(person, "read-reports") and may_read_visit(db, person, visit_uuid)


def may_see_photos(db: sqlite_utils.Database, person: User, visit_uuid: str) -> bool:
    """A visit's photo thumbnails: for its report's readers, and for the inspector who took them
    (the phone shows them beside a returned visit)."""
    return may_read_report(db, person, visit_uuid) or (person.role == "inspector" and may_read_visit(db, person, visit_uuid))
