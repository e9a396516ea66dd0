"""The figures HQ compares, written when a visit is released.

Only released visits count in any comparison, so their facts are written in the same
transaction that releases them: a narrow row with the visit's score and stage scores
(`released_visits`), a row per scored item it observed, pass or fail (`released_items`), and
the month's tallies per checklist, region and site type (`item_tallies`), which answer "which
details fail most across the chain" for a year by summing a few thousand rows instead of
millions. All of it is derived from the stored body and the pinned checklist version, so it
can be rebuilt at any time (`rebuild`), and the tallies are rebuilt from the item rows when the
organisation moves a site to another region or type (`refresh`).
"""

from __future__ import annotations

import json

import sqlite_utils

from .db import writing
from .pinned import pinned_checklist
from .schema import STAGES
from .scoring import VisitScore, score_visit

STAGE_COLUMNS = {stage: stage.replace("-", "_") for stage in STAGES}  # pre-sale → pre_sale


def _item_keys(db: sqlite_utils.Database, checklist_id: str, item_ids: list[str]) -> dict[str, int]:
    db.conn.executemany(
        "INSERT INTO checklist_items (checklist_id, item_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(checklist_id, item_id) for item_id in item_ids],
    )
    return {row[0]: row[1] for row in db.execute("SELECT item_id, key FROM checklist_items WHERE checklist_id = ?", [checklist_id])}


def release(db: sqlite_utils.Database, visit_uuid: str) -> VisitScore:
    """Writes the facts of a visit being released, inside the caller's transaction, and returns
    its score: details voided by an accepted dispute count as N/A."""
    row = db.execute(
        "SELECT v.body, v.checklist_hash, v.checklist_id, v.site_id, v.inspector_id, v.started_at, b.region_id, s.site_type, s.branch_id "
        "FROM visits v JOIN sites s ON s.id = v.site_id JOIN branches b ON b.id = s.branch_id WHERE v.uuid = ?",
        [visit_uuid],
    ).fetchone()
    body_text, checklist_hash, checklist_id, site_id, inspector_id, started_at, region_id, site_type, branch_id = row
    checklist = pinned_checklist(db, checklist_hash)
    if checklist is None:
        raise LookupError(f"visit {visit_uuid}: the checklist version it pinned is not stored")
    given = json.loads(body_text).get("answers", {})
    for (item_id,) in db.execute("SELECT item_id FROM voided_items WHERE visit_uuid = ?", [visit_uuid]):
        given[item_id] = {"na": True}
    result = score_visit(checklist, given, started_at)
    stages = {stage.stage: stage.score for stage in result.stages}
    columns = ", ".join(STAGE_COLUMNS.values())
    key = db.conn.execute(
        f"INSERT INTO released_visits (visit_uuid, day, site_id, branch_id, region_id, site_type, checklist_id, inspector_id, score, "
        f"{columns}, failures, critical_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            visit_uuid, started_at[:10], site_id, branch_id, region_id, site_type, checklist_id, inspector_id, result.score,
            *(stages.get(stage) for stage in STAGE_COLUMNS), len(result.failures), len(result.critical_failures),
        ],
    ).lastrowid
    critical = set(result.critical_failures)
    observed = [item for item in result.items().values() if item.score is not None]
    keys = _item_keys(db, checklist_id, [item.item_id for item in observed])
    db.conn.executemany(
        "INSERT INTO released_items (visit_key, item_key, failed, critical) VALUES (?, ?, ?, ?)",
        [(key, keys[item.item_id], int(item.failed), int(item.item_id in critical)) for item in observed],
    )
    db.conn.executemany(
        "INSERT INTO item_tallies (month, checklist_id, region_id, site_type, item_key, observed, failed, critical_failed) "
        "VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO UPDATE SET observed = observed + 1, "
        "failed = failed + excluded.failed, critical_failed = critical_failed + excluded.critical_failed",
        [
            (started_at[:7], checklist_id, region_id, site_type, keys[item.item_id], int(item.failed), int(item.item_id in critical))
            for item in observed
        ],
    )
    return result


def withdraw(db: sqlite_utils.Database, visit_uuid: str) -> None:
    """Takes a released visit's facts out (to write them again, recomputed); inside the caller's transaction."""
    key = db.execute("SELECT key, day, checklist_id, region_id, site_type FROM released_visits WHERE visit_uuid = ?", [visit_uuid]).fetchone()
    if key is None:
        return
    db.execute(
        "UPDATE item_tallies SET observed = item_tallies.observed - 1, failed = item_tallies.failed - i.failed, "
        "critical_failed = item_tallies.critical_failed - i.critical FROM released_items i "
        "WHERE i.visit_key = ? AND item_tallies.item_key = i.item_key AND item_tallies.month = ? AND item_tallies.checklist_id = ? "
        "AND item_tallies.region_id = ? AND item_tallies.site_type = ?",
        [key[0], key[1][:7], key[2], key[3], key[4]],
    )
    db.execute("DELETE FROM item_tallies WHERE observed = 0")
    db.execute("DELETE FROM released_items WHERE visit_key = ?", [key[0]])
    db.execute("DELETE FROM released_visits WHERE key = ?", [key[0]])


def refresh(db: sqlite_utils.Database) -> None:
    """Puts each released visit under its site's branch, region and type as the organisation
    now stands, and recounts the tallies from the item rows; inside the caller's transaction
    (an organisation import)."""
    db.execute(
        "UPDATE released_visits SET branch_id = s.branch_id, region_id = b.region_id, site_type = s.site_type "
        "FROM sites s JOIN branches b ON b.id = s.branch_id WHERE s.id = released_visits.site_id"
    )
    db.execute("DELETE FROM item_tallies")
    db.execute(
        "INSERT INTO item_tallies (month, checklist_id, region_id, site_type, item_key, observed, failed, critical_failed) "
        "SELECT substr(r.day, 1, 7), r.checklist_id, r.region_id, r.site_type, i.item_key, count(*), sum(i.failed), sum(i.critical) "
        "FROM released_items i JOIN released_visits r ON r.key = i.visit_key GROUP BY 1, 2, 3, 4, 5"
    )


def missing(db: sqlite_utils.Database) -> list[str]:
    """Released visits whose facts are not stored (released before facts existed)."""
    return [
        row[0]
        for row in db.execute(
            "SELECT uuid FROM visits WHERE state = 'released' AND uuid NOT IN (SELECT visit_uuid FROM released_visits) ORDER BY rowid"
        )
    ]


def fill_missing(db: sqlite_utils.Database) -> int:
    """Writes the facts of every released visit that lacks them, in one transaction; returns how many."""
    if not db.conn.in_transaction and not missing(db):
        return 0  # the usual case at start-up: no write lock taken
    with writing(db):
        found = missing(db)
        for visit_uuid in found:
            release(db, visit_uuid)
    return len(found)


def rebuild(db: sqlite_utils.Database) -> int:
    """Every fact again from the released visits' bodies, in one transaction."""
    with writing(db):
        for table in ("item_tallies", "released_items", "released_visits"):
            db.execute(f"DELETE FROM {table}")
        return fill_missing(db)

