"""The one way into the SQLite file: connection settings and numbered migrations.

Every schema change is a new function appended to MIGRATIONS, never an edit of an old one,
so that any database, however old, reaches the current schema by running what it lacks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from .model import Checklist


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _m001_foundation(db: sqlite_utils.Database) -> None:
    db.table("regions").create({"id": str, "name": str}, pk="id")
    db.table("branches").create(
        {"id": str, "region_id": str, "name": str, "city": str},
        pk="id",
        foreign_keys=[("region_id", "regions", "id")],
    )
    db.table("sites").create(
        {"id": str, "branch_id": str, "name": str, "site_type": str},
        pk="id",
        foreign_keys=[("branch_id", "branches", "id")],
    )
    db.table("checklist_versions").create(
        {"hash": str, "checklist_id": str, "title": str, "body": str, "first_served_at": str},
        pk="hash",
    )
    db.table("visits").create(
        {
            "uuid": str,
            "checklist_id": str,
            "checklist_hash": str,
            "site_id": str,
            "started_at": str,
            "ended_at": str,
            "narrative": str,
            "body": str,
            "body_hash": str,
            "received_at": str,
        },
        pk="uuid",
        foreign_keys=[("checklist_hash", "checklist_versions", "hash"), ("site_id", "sites", "id")],
    )
    db.table("answers").create(
        {"visit_uuid": str, "item_id": str, "value": str, "na": int, "note": str, "answered_at": str},
        pk=("visit_uuid", "item_id"),
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )
    db.table("photos").create(
        {
            "uuid": str,
            "visit_uuid": str,
            "item_id": str,
            "taken_at": str,
            "content_type": str,
            "sha256": str,
            "width": int,
            "height": int,
            "data": bytes,
            "received_at": str,
        },
        pk="uuid",
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )
    db.table("branches").create_index(["region_id"])
    db.table("sites").create_index(["branch_id"])
    db.table("visits").create_index(["site_id", "started_at"])
    db.table("visits").create_index(["checklist_id"])
    db.table("photos").create_index(["visit_uuid"])


def _m002_photo_thumbnails(db: sqlite_utils.Database) -> None:
    """Reports embed thumbnails made once at upload, never resized inside a render."""
    db.table("photos").add_column("thumb", bytes)


def _m003_scores(db: sqlite_utils.Database) -> None:
    """Scores stored when a visit is accepted, so comparisons read a few rows per visit."""
    db.table("visit_scores").create(
        {
            "visit_uuid": str,
            "score": float,
            "uncapped": float,
            "band": str,
            "failures": int,
            "critical_failures": int,
            "computed_at": str,
        },
        pk="visit_uuid",
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )
    db.table("section_scores").create(
        {"visit_uuid": str, "stage": str, "section_id": str, "score": float, "failures": int},
        pk=("visit_uuid", "section_id"),
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )
    db.table("stage_scores").create(
        {"visit_uuid": str, "stage": str, "score": float},
        pk=("visit_uuid", "stage"),
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )


def _m004_report_cache(db: sqlite_utils.Database) -> None:
    """Each visit's PDF report per language, kept while the hash of the report's inputs holds."""
    db.table("report_cache").create(
        {"visit_uuid": str, "lang": str, "inputs_hash": str, "pdf": bytes, "rendered_at": str, "render_seconds": float},
        pk=("visit_uuid", "lang"),
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_foundation,
    _m002_photo_thumbnails,
    _m003_scores,
    _m004_report_cache,
]


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Applies the migrations this database lacks, each in its own transaction."""
    db.table("migrations").create({"version": int, "applied_at": str}, pk="version", if_not_exists=True)
    done = {row["version"] for row in db.table("migrations").rows}
    applied = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        with db.conn:
            migration(db)
            db.table("migrations").insert({"version": version, "applied_at": now()})
        applied.append(version)
    return applied


def connect(path: Path | str) -> sqlite_utils.Database:
    """Opens (creating if need be) the database in WAL mode and brings its schema up to date."""
    db = sqlite_utils.Database(path)
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    migrate(db)
    return db


def record_checklists(db: sqlite_utils.Database, checklists: list[Checklist]) -> None:
    """Keeps every version ever served, addressed by its content hash; old versions stay."""
    rows = [
        {
            "hash": checklist.content_hash(),
            "checklist_id": checklist.id,
            "title": json.dumps(checklist.title, ensure_ascii=False),
            "body": checklist.canonical_json(),
            "first_served_at": now(),
        }
        for checklist in checklists
    ]
    with db.conn:
        db.table("checklist_versions").insert_all(rows, ignore=True)
