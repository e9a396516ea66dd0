"""The exact checklist version a visit was filled against, from the versions ever served.

Versions are content-addressed, so the models kept here are never stale; storing a visit,
releasing it, rebuilding it and reporting on it all read the same one."""

from __future__ import annotations

import json

import sqlite_utils

from .model import Checklist, from_dict

_VERSIONS: dict[str, Checklist] = {}


def pinned_checklist(db: sqlite_utils.Database, content_hash: str) -> Checklist | None:
    checklist = _VERSIONS.get(content_hash)
    if checklist is None:
        row = db.execute("SELECT body FROM checklist_versions WHERE hash = ?", [content_hash]).fetchone()
        if row is None:
            return None
        checklist = _VERSIONS.setdefault(content_hash, from_dict(json.loads(row[0])))
    return checklist


def latest_checklist(db: sqlite_utils.Database, checklist_id: str) -> Checklist | None:
    """The newest version of a checklist ever served: what comparisons name its items by."""
    row = db.execute(
        "SELECT hash FROM checklist_versions WHERE checklist_id = ? ORDER BY first_served_at DESC, rowid DESC LIMIT 1", [checklist_id]
    ).fetchone()
    return pinned_checklist(db, row[0]) if row else None
