"""Finds visits stored in part and rebuilds them from their bodies.

Before every visit was written in one transaction, a crash could leave a visit row without
all of its answers or scores; the phone's replay of that visit then got a 200, so it stayed
half-stored for good. A stored body is the source of truth: the answers and scores it implies
can always be rebuilt from it and the checklist version it pinned.

The server checks at start-up only the visits stored since the last check found the store
whole (a mark kept in `meta`), since every visit written since is written whole; `audit
doctor` checks them all, and the SQLite file's own integrity too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from .db import now, writing
from .pinned import pinned_checklist
from .sync import DERIVED_TABLES, derived_rows, write_derived

MARK = "visits_whole_through_rowid"


@dataclass(frozen=True)
class Broken:
    visit_uuid: str
    problem: str
    repairable: bool


@dataclass(frozen=True)
class Checkup:
    checked: int
    broken: list[Broken] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.broken and not self.integrity

    def advice(self, db_path: str) -> str:
        """What to tell whoever started the server on this file."""
        return (
            f"{db_path}: {len(self.broken)} visit(s) stored in part (a visit without all of its answers or scores)"
            + (f" and {len(self.integrity)} integrity problem(s)" if self.integrity else "")
            + f"; nothing was changed. Run `audit doctor --db {db_path}` to see them and "
            f"`audit doctor --db {db_path} --repair` to rebuild them from their stored bodies."
        )


def _counts(db: sqlite_utils.Database, table: str, since: int) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in db.execute(
            f"SELECT visit_uuid, count(*) FROM {table} WHERE visit_uuid IN (SELECT uuid FROM visits WHERE rowid > ?) "
            "GROUP BY visit_uuid",
            [since],
        )
    }


def _expected(db: sqlite_utils.Database, uuid: str, body_text: str) -> dict[str, int] | str:
    """Rows per table the visit's body implies, or why they cannot be known."""
    try:
        body = json.loads(body_text)
    except ValueError:
        return "its stored body is not JSON"
    checklist = pinned_checklist(db, body.get("checklist_hash", ""))
    if checklist is None:
        return "the checklist version it pinned is not stored"
    return {table: len(rows) for table, rows in derived_rows(uuid, body, checklist).items()}


def check(db: sqlite_utils.Database, *, since_rowid: int = 0, integrity: bool = True) -> Checkup:
    """Every visit stored after `since_rowid` whose answers or scores are not all stored."""
    stored = {table: _counts(db, table, since_rowid) for table in DERIVED_TABLES}
    broken: list[Broken] = []
    checked = 0
    for uuid, body_text in db.execute("SELECT uuid, body FROM visits WHERE rowid > ? ORDER BY rowid", [since_rowid]):
        checked += 1
        expected = _expected(db, uuid, body_text)
        if isinstance(expected, str):
            broken.append(Broken(uuid, expected, repairable=False))
            continue
        short = [
            f"{table} {stored[table].get(uuid, 0)} of {count}"
            for table, count in expected.items()
            if stored[table].get(uuid, 0) != count
        ]
        if short:
            broken.append(Broken(uuid, "stored in part: " + ", ".join(short), repairable=True))
    problems = []
    if integrity:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check") if row[0] != "ok"]
    return Checkup(checked, broken, problems)


def repair(db: sqlite_utils.Database, broken: list[Broken]) -> int:
    """Rebuilds each repairable visit's answers and scores from its body, one transaction each."""
    repaired = 0
    for item in (b for b in broken if b.repairable):
        with writing(db):
            row = db.execute("SELECT body FROM visits WHERE uuid = ?", [item.visit_uuid]).fetchone()
            body = json.loads(row[0])
            checklist = pinned_checklist(db, body["checklist_hash"])
            assert checklist is not None
            for table in DERIVED_TABLES:
                db.execute(f"DELETE FROM {table} WHERE visit_uuid = ?", [item.visit_uuid])
            write_derived(db, derived_rows(item.visit_uuid, body, checklist))
        repaired += 1
    return repaired


def _mark(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [MARK]).fetchone()
    return int(row[0]) if row else 0


def startup_check(db: sqlite_utils.Database) -> Checkup:
    """The visits stored since the last whole check; when they are whole, the mark moves on."""
    since = _mark(db)
    last = db.execute("SELECT coalesce(max(rowid), 0) FROM visits").fetchone()[0]
    checkup = check(db, since_rowid=since, integrity=False)
    if checkup.whole and last > since:
        with writing(db):
            db.execute(
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [MARK, str(last), now()],
            )
    return checkup
