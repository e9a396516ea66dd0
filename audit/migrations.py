"""The store's schema as numbered migrations, oldest first.

Every schema change is a new function appended to MIGRATIONS, never an edit of an old one,
so that any database, however old, reaches the current schema by running what it lacks;
db.migrate runs each in a write transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


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


def _m005_meta(db: sqlite_utils.Database) -> None:
    """Small facts about the store itself, such as how far the doctor has found it whole."""
    db.table("meta").create({"key": str, "value": str, "updated_at": str}, pk="key")


def _m006_people(db: sqlite_utils.Database) -> None:
    """Accounts, sessions, API tokens, sign-in failures; who sent each visit, its review state,
    its earlier versions (a returned visit comes back corrected under its id; the version it
    replaces is kept here, the current one stays in visits), review events and redactions.
    Visits stored before people existed wait for a review like any new one: nothing reaches a
    store unreviewed."""
    db.table("users").create(
        {
            "id": str, "username": str, "display_name": str, "pseudonym": str, "role": str,
            "password_hash": str, "disabled": int, "created_at": str, "updated_at": str,
        },
        pk="id",
    )
    db.table("users").create_index(["username"], unique=True)
    db.table("users").create_index(["pseudonym"], unique=True)
    db.table("user_branches").create(
        {"user_id": str, "branch_id": str},
        pk=("user_id", "branch_id"),
        foreign_keys=[("user_id", "users", "id"), ("branch_id", "branches", "id")],
    )
    db.table("sessions").create(
        {"id": str, "user_id": str, "csrf": str, "created_at": str, "last_seen_at": str, "expires_at": str, "revoked_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
    )
    db.table("sessions").create_index(["user_id"])
    db.table("tokens").create(
        {"id": str, "user_id": str, "secret_hash": str, "label": str, "created_at": str, "expires_at": str, "revoked_at": str, "last_used_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
    )
    db.table("tokens").create_index(["user_id"])
    db.table("signin_failures").create({"username": str, "address": str, "at": str})
    db.table("signin_failures").create_index(["username", "at"])
    db.table("signin_failures").create_index(["address", "at"])
    db.table("visits").add_column("inspector_id", str, fk="users", fk_col="id")
    db.table("visits").add_column("state", str, not_null_default="submitted")
    db.table("visits").add_column("version", int, not_null_default=1)
    db.table("visits").add_column("updated_at", str)
    db.table("visits").create_index(["inspector_id"])
    db.table("visits").create_index(["state"])
    db.table("visit_versions").create(
        {"visit_uuid": str, "version": int, "body": str, "body_hash": str, "received_at": str},
        pk=("visit_uuid", "version"),
        foreign_keys=[("visit_uuid", "visits", "uuid")],
    )
    db.execute("UPDATE visits SET updated_at = received_at")
    db.table("review_events").create(
        {"id": int, "visit_uuid": str, "version": int, "actor_id": str, "action": str, "comment": str, "at": str},
        pk="id",
        foreign_keys=[("visit_uuid", "visits", "uuid"), ("actor_id", "users", "id")],
    )
    db.table("review_events").create_index(["visit_uuid"])
    db.table("redactions").create(
        {"visit_uuid": str, "term": str, "actor_id": str, "at": str},
        pk=("visit_uuid", "term"),
        foreign_keys=[("visit_uuid", "visits", "uuid"), ("actor_id", "users", "id")],
    )


def _m007_site_types(db: sqlite_utils.Database) -> None:
    """Site types are the organisation's (an airport lounge is a type if the organisation says
    so), named in its languages; those already used by sites are kept, named by their id until
    an organisation file names them."""
    db.table("site_types").create({"id": str, "name": str}, pk="id")
    db.execute(
        "INSERT INTO site_types (id, name) SELECT DISTINCT site_type, json_object('en', site_type) FROM sites"
    )
    db.table("sites").create_index(["site_type"])


def _m008_facts(db: sqlite_utils.Database) -> None:
    """What HQ compares, stored when a visit is released (facts.py): one narrow row per
    released visit with its stage scores, one per item it observed (pass or fail), and monthly
    tallies per checklist, region and site type for the chain-wide figures, so no comparison
    reads a visit's answers. The answers table goes: it doubled the visit bodies it was
    derived from (a third of the file), and nothing read it; a view of the same name and
    columns over the bodies keeps it for anyone querying the file. Visits released before
    are filled in by facts.fill_missing when the store is opened."""
    db.execute("DROP TABLE answers")
    db.execute(
        """CREATE VIEW answers AS SELECT v.uuid AS visit_uuid, a.key AS item_id, a.value -> '$.value' AS value,
        coalesce(a.value ->> '$.na', 0) AS na, coalesce(a.value ->> '$.note', '') AS note,
        a.value ->> '$.answered_at' AS answered_at FROM visits v, json_each(v.body, '$.answers') a"""
    )
    db.execute(
        """CREATE TABLE released_visits (
            key INTEGER PRIMARY KEY,
            visit_uuid TEXT NOT NULL UNIQUE REFERENCES visits(uuid),
            day TEXT NOT NULL,
            site_id TEXT NOT NULL REFERENCES sites(id),
            checklist_id TEXT NOT NULL,
            inspector_id TEXT REFERENCES users(id),
            score REAL,
            pre_sale REAL,
            in_sale REAL,
            after_sale REAL,
            failures INTEGER NOT NULL,
            critical_failures INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX released_visits_day ON released_visits (day)")
    db.execute("CREATE INDEX released_visits_site ON released_visits (site_id, day)")
    db.execute(
        "CREATE TABLE checklist_items (key INTEGER PRIMARY KEY, checklist_id TEXT NOT NULL, item_id TEXT NOT NULL, "
        "UNIQUE (checklist_id, item_id))"
    )
    db.execute(
        """CREATE TABLE released_items (
            visit_key INTEGER NOT NULL REFERENCES released_visits(key),
            item_key INTEGER NOT NULL REFERENCES checklist_items(key),
            failed INTEGER NOT NULL,
            critical INTEGER NOT NULL,
            PRIMARY KEY (visit_key, item_key)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE item_tallies (
            month TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            region_id TEXT NOT NULL,
            site_type TEXT NOT NULL,
            item_key INTEGER NOT NULL REFERENCES checklist_items(key),
            observed INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            critical_failed INTEGER NOT NULL,
            PRIMARY KEY (checklist_id, month, region_id, site_type, item_key)
        ) WITHOUT ROWID"""
    )


def _m009_exports(db: sqlite_utils.Database) -> None:
    """Exports asked for on the dashboard and prepared in the background (exports.py): who
    asked, for what, how far it has come, and the file's name in the folder beside the store
    (`<store>-exports/`). `updated_at` moves while one is prepared, so one whose process died
    can be told from one still running."""
    db.execute(
        """CREATE TABLE exports (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            format TEXT NOT NULL,
            filters_json TEXT NOT NULL,
            lang TEXT NOT NULL,
            state TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            path TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT
        )"""
    )
    db.execute("CREATE INDEX exports_user ON exports (user_id, created_at)")
    db.execute("CREATE INDEX exports_created ON exports (created_at)")


def _m010_findings(db: sqlite_utils.Database) -> None:
    """Every failed detail of a released visit is a finding for its site (findings.py), answered
    by the store (fixed, or disputed), judged by a reviewer or HQ when disputed, and closed only
    by a later visit that sees the detail pass. Its events keep who did what, once: a phone's
    answer carries its own id, so a retry changes nothing. A dispute accepted voids the item on
    that visit (`voided_items`): the visit's figures are recomputed without it, the score as
    first stored stays in visit_scores for the report to show beside the new one."""
    db.execute(
        """CREATE TABLE findings (
            id TEXT PRIMARY KEY,
            site_id TEXT NOT NULL REFERENCES sites(id),
            checklist_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            visit_uuid TEXT NOT NULL REFERENCES visits(uuid),
            opened_on TEXT NOT NULL,
            released_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            critical INTEGER NOT NULL,
            state TEXT NOT NULL,
            closed_by TEXT REFERENCES visits(uuid),
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX findings_site ON findings (site_id, checklist_id, item_id)")
    db.execute("CREATE INDEX findings_state ON findings (state, due_on)")
    db.execute(
        """CREATE TABLE finding_events (
            id INTEGER PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings(id),
            client_id TEXT UNIQUE,
            actor_id TEXT REFERENCES users(id),
            action TEXT NOT NULL,
            note TEXT NOT NULL,
            visit_uuid TEXT REFERENCES visits(uuid),
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX finding_events_finding ON finding_events (finding_id)")
    db.execute(
        """CREATE TABLE finding_photos (
            uuid TEXT PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings(id),
            event_id INTEGER NOT NULL REFERENCES finding_events(id),
            content_type TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            data BLOB NOT NULL,
            thumb BLOB NOT NULL,
            received_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "CREATE TABLE voided_items (visit_uuid TEXT NOT NULL REFERENCES visits(uuid), item_id TEXT NOT NULL, "
        "finding_id TEXT NOT NULL REFERENCES findings(id), PRIMARY KEY (visit_uuid, item_id))"
    )
    db.table("visit_scores").add_column("adjusted", float)


def _m011_assignments(db: sqlite_utils.Database) -> None:
    """Visits HQ or an admin asks an inspector to make (assignments.py): a site, a checklist,
    a window of dates and times with their offsets, and the visit that fulfilled it once one is
    stored. A cancelled one is kept, for the record of who asked what."""
    db.execute(
        """CREATE TABLE assignments (
            id TEXT PRIMARY KEY,
            site_id TEXT NOT NULL REFERENCES sites(id),
            checklist_id TEXT NOT NULL,
            inspector_id TEXT NOT NULL REFERENCES users(id),
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            created_by TEXT NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            visit_uuid TEXT REFERENCES visits(uuid),
            cancelled_at TEXT
        )"""
    )
    db.execute("CREATE INDEX assignments_inspector ON assignments (inspector_id)")
    db.execute("CREATE INDEX assignments_site ON assignments (site_id)")


def _m012_released_where(db: sqlite_utils.Database) -> None:
    """A released visit's branch, region and site type beside its figures: the comparisons then
    read one narrow table, without joining every visit of a year to its site and branch (75 ms of
    a year's ranking at a thousand branches, 28 without). An organisation import that moves a
    site rewrites them (facts.refresh)."""
    for column in ("branch_id", "region_id", "site_type"):
        db.execute(f"ALTER TABLE released_visits ADD COLUMN {column} TEXT")
    db.execute(
        "UPDATE released_visits SET branch_id = s.branch_id, region_id = b.region_id, site_type = s.site_type "
        "FROM sites s JOIN branches b ON b.id = s.branch_id WHERE s.id = released_visits.site_id"
    )


def _m013_released_by_branch(db: sqlite_utils.Database) -> None:
    """A branch's page reads its own released visits, not the chain's year."""
    db.execute("CREATE INDEX released_visits_branch ON released_visits (branch_id, day)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_foundation,
    _m002_photo_thumbnails,
    _m003_scores,
    _m004_report_cache,
    _m005_meta,
    _m006_people,
    _m007_site_types,
    _m008_facts,
    _m009_exports,
    _m010_findings,
    _m011_assignments,
    _m012_released_where,
    _m013_released_by_branch,
]
