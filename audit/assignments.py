"""Assignments: the visits HQ or an admin asks an inspector to make, and what a reviewer should
know when a visit strays from them.

An assignment names a site, a checklist, an inspector and a window of time. Windows are kept in
UTC (ISO 8601 with its `+00:00`), so they compare and sort as text in any SQL; times given
without an offset are read in the offset the caller says (the form's, the upload's). A stored
visit fulfils its inspector's open assignment of the same site and checklist with the earliest
window (`link`, inside the visit's own transaction); a visit that fulfils none, or that started
outside its assignment's window, is flagged to the reviewer (`flags`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlite_utils

from . import accounts, findings
from .db import now, writing
from .pinned import latest_checklist

COLUMNS = ("site", "checklist", "inspector", "start", "end")
DEFAULT_OFFSET = "+08:00"  # the chain's own time (China Standard Time), for times given without one
MAX_CELL = 200
MAX_ROWS = 2000
RECENT = 100  # fulfilled and cancelled assignments HQ's page lists after the open ones
UNASSIGNED = "unassigned"
OUTSIDE_WINDOW = "outside-window"
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class AssignmentError(ValueError):
    """What is wrong with an assignment asked for, every problem named by its field (and row)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Wanted:
    """An assignment as asked for, in plain text: by a form, or by a row of a CSV file."""

    site: str
    checklist: str
    inspector: str  # a username
    start: str
    end: str


@dataclass(frozen=True)
class Assignment:
    id: str
    site_id: str
    checklist_id: str
    inspector_id: str
    window_start: str
    window_end: str
    created_by: str
    created_at: str
    visit_uuid: str | None
    cancelled_at: str | None

    @property
    def state(self) -> str:
        return "cancelled" if self.cancelled_at else "done" if self.visit_uuid else "open"


def offset_of(text: str) -> timezone:
    """A UTC offset as `+08:00`; ValueError otherwise."""
    found = _OFFSET.fullmatch(text.strip())
    if not found or int(found[2]) > 14 or int(found[3]) > 59:
        raise ValueError("give a UTC offset such as +08:00")
    sign = -1 if found[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(found[2]), minutes=int(found[3])))


def _moment(text: str, offset: timezone) -> datetime:
    """A date and time, with its offset or in `offset`; ValueError in words otherwise."""
    text = text.strip()
    if not text:
        raise ValueError("give a date and time, such as 2026-12-01T10:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date and time such as 2026-12-01T10:00 or 2026-12-01T10:00+08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=offset)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _inspector(db: sqlite_utils.Database, username: str) -> accounts.User | str:
    person = accounts.by_username(db, username)
    if person is None or person.role != "inspector":
        return f"no inspector {username!r}"
    if person.disabled:
        return f"{username!r} is disabled"
    return person


def _check(db: sqlite_utils.Database, wanted: Wanted, offset: timezone, row: int | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The assignment's row, or every problem with it."""
    problems: list[Problem] = []
    site = db.execute("SELECT site_type FROM sites WHERE id = ?", [wanted.site]).fetchone()
    if site is None:
        problems.append(Problem("site", f"no site {wanted.site!r}", row))
    checklist = latest_checklist(db, wanted.checklist)
    if checklist is None:
        problems.append(Problem("checklist", f"no checklist {wanted.checklist!r}", row))
    elif site is not None and site[0] not in checklist.site_types:
        problems.append(Problem("checklist", f"{wanted.checklist!r} is not for sites of type {site[0]!r}", row))
    inspector = _inspector(db, wanted.inspector)
    if isinstance(inspector, str):
        problems.append(Problem("inspector", inspector, row))
    window: list[datetime] = []
    for field, text in (("start", wanted.start), ("end", wanted.end)):
        try:
            window.append(_moment(text, offset))
        except ValueError as error:
            problems.append(Problem(field, str(error), row))
    if len(window) == 2 and window[1] <= window[0]:
        problems.append(Problem("end", "the window must end after it starts", row))
    if problems or isinstance(inspector, str):
        return None, problems
    values = {"site_id": wanted.site, "checklist_id": wanted.checklist, "inspector_id": inspector.id}
    return {**values, "window_start": utc(window[0]), "window_end": utc(window[1])}, []


def _insert(db: sqlite_utils.Database, row: dict[str, Any], by: accounts.User) -> str:
    assignment_id = str(uuid.uuid4())
    db.execute(
        "INSERT INTO assignments (id, site_id, checklist_id, inspector_id, window_start, window_end, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [assignment_id, row["site_id"], row["checklist_id"], row["inspector_id"], row["window_start"], row["window_end"], by.id, now()],
    )
    return assignment_id


def create(db: sqlite_utils.Database, wanted: Wanted, by: accounts.User, *, offset: timezone) -> str:
    """One assignment; its id. AssignmentError names every field that is wrong."""
    row, problems = _check(db, wanted, offset)
    if row is None:
        raise AssignmentError(problems)
    with writing(db):
        return _insert(db, row, by)


def _rows_of(data: bytes) -> Iterable[tuple[int, dict[str, str]]] | Problem:
    """The file's records with their row numbers (the header is row 1), or what is wrong with its header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Problem("file", "not UTF-8 text", 1)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return Problem("header", f"missing the column(s) {', '.join(missing)} (expected {', '.join(COLUMNS)})", 1)
    reader.fieldnames = header
    return ((reader.line_num, {k: (v or "").strip()[:MAX_CELL] for k, v in record.items() if isinstance(k, str)}) for record in reader)


def create_batch(db: sqlite_utils.Database, data: bytes, by: accounts.User, *, offset: timezone) -> list[str]:
    """Every row of a CSV file (columns `site, checklist, inspector, start, end`) as an
    assignment, in one transaction; their ids. Nothing is created when any row is wrong:
    AssignmentError then names every problem by row and column."""
    rows = _rows_of(data)
    if isinstance(rows, Problem):
        raise AssignmentError([rows])
    checked: list[dict[str, Any]] = []
    problems: list[Problem] = []
    try:
        for number, record in rows:
            if len(checked) + len(problems) >= MAX_ROWS:
                problems.append(Problem("file", f"at most {MAX_ROWS} rows in one file", number))
                break
            row, wrong = _check(db, Wanted(*(record.get(name, "") for name in COLUMNS)), offset, number)
            problems += wrong
            if row is not None:
                checked.append(row)
    except csv.Error as error:
        problems.append(Problem("file", f"not a CSV file: {error}"))
    if not checked and not problems:
        problems.append(Problem("file", "no rows under the header", 2))
    if problems:
        raise AssignmentError(problems)
    with writing(db):
        return [_insert(db, row, by) for row in checked]


def _assignment(row: tuple[Any, ...]) -> Assignment:
    return Assignment(*row)


_SELECT = (
    "SELECT id, site_id, checklist_id, inspector_id, window_start, window_end, created_by, created_at, visit_uuid, cancelled_at "
    "FROM assignments"
)


def open_for(db: sqlite_utils.Database, inspector_id: str) -> list[Assignment]:
    """An inspector's assignments still to do, the earliest window first."""
    sql = f"{_SELECT} WHERE inspector_id = ? AND visit_uuid IS NULL AND cancelled_at IS NULL ORDER BY window_start, created_at"
    return [_assignment(row) for row in db.execute(sql, [inspector_id])]


def listing(db: sqlite_utils.Database) -> list[Assignment]:
    """HQ's list: every open assignment (the earliest window first), then the latest fulfilled or cancelled."""
    opened = [_assignment(row) for row in db.execute(f"{_SELECT} WHERE visit_uuid IS NULL AND cancelled_at IS NULL ORDER BY window_start, created_at")]
    closed = db.execute(
        f"{_SELECT} WHERE visit_uuid IS NOT NULL OR cancelled_at IS NOT NULL ORDER BY coalesce(cancelled_at, window_start) DESC LIMIT ?", [RECENT]
    )
    return opened + [_assignment(row) for row in closed]


def cancel(db: sqlite_utils.Database, assignment_id: str) -> bool:
    """Cancels an open assignment; False when there is none open under that id."""
    with writing(db):
        changed = db.conn.execute(
            "UPDATE assignments SET cancelled_at = ? WHERE id = ? AND visit_uuid IS NULL AND cancelled_at IS NULL", [now(), assignment_id]
        ).rowcount
    return bool(changed)


def link(db: sqlite_utils.Database, visit_uuid: str, inspector_id: str, site_id: str, checklist_id: str) -> None:
    """The stored visit fulfils its inspector's open assignment of its site and checklist with
    the earliest window, if there is one. Inside the caller's transaction."""
    db.execute(
        "UPDATE assignments SET visit_uuid = ? WHERE id = (SELECT id FROM assignments WHERE inspector_id = ? AND site_id = ? "
        "AND checklist_id = ? AND visit_uuid IS NULL AND cancelled_at IS NULL ORDER BY window_start, created_at LIMIT 1)",
        [visit_uuid, inspector_id, site_id, checklist_id],
    )


def flags_for(db: sqlite_utils.Database, visit_uuids: list[str]) -> dict[str, list[str]]:
    """What a reviewer should know about each visit: UNASSIGNED when it fulfils no assignment
    of an inspector who works to assignments (its site and checklist were not asked of them),
    OUTSIDE_WINDOW when it started outside its assignment's window. Visits with nothing to say
    are left out, and so are the visits of inspectors never given an assignment: a store that
    does not use assignments sees no flags."""
    marks = ", ".join("?" for _ in visit_uuids) or "NULL"
    found: dict[str, list[str]] = {}
    sql = (
        "SELECT v.uuid, v.started_at, a.window_start, a.window_end, "
        "EXISTS (SELECT 1 FROM assignments x WHERE x.inspector_id = v.inspector_id) "
        f"FROM visits v LEFT JOIN assignments a ON a.visit_uuid = v.uuid WHERE v.uuid IN ({marks})"
    )
    for visit_uuid, started_at, start, end, assigned in db.execute(sql, visit_uuids):
        if start is None:
            if assigned:
                found[visit_uuid] = [UNASSIGNED]
            continue
        try:
            started = _moment(started_at, UTC)
        except ValueError:
            found[visit_uuid] = [OUTSIDE_WINDOW]
            continue
        if not datetime.fromisoformat(start) <= started <= datetime.fromisoformat(end):
            found[visit_uuid] = [OUTSIDE_WINDOW]
    return found


def flags(db: sqlite_utils.Database, visit_uuid: str) -> list[str]:
    return flags_for(db, [visit_uuid]).get(visit_uuid, [])


def for_phone(db: sqlite_utils.Database, inspector_id: str) -> list[dict[str, Any]]:
    """An inspector's open assignments as the phone lists them, offline too: the site's and
    checklist's names, the window, and the details to look at again there (`recheck`), which
    say nothing of what the store answered."""
    result = []
    for assignment in open_for(db, inspector_id):
        site = db.execute("SELECT name FROM sites WHERE id = ?", [assignment.site_id]).fetchone()
        checklist = latest_checklist(db, assignment.checklist_id)
        result.append({
            "id": assignment.id, "site_id": assignment.site_id, "site_name": json.loads(site[0]), "checklist_id": assignment.checklist_id,
            "checklist_title": checklist.title if checklist else {}, "window_start": assignment.window_start, "window_end": assignment.window_end,
            "recheck": findings.to_recheck(db, assignment.site_id, assignment.checklist_id),
        })
    return result


def inspectors(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """Who may be assigned, as (username, display name), by name."""
    sql = "SELECT username, display_name FROM users WHERE role = 'inspector' AND disabled = 0 ORDER BY display_name, username"
    return [(row[0], row[1]) for row in db.execute(sql)]
