"""The figures HQ compares: written with each release, equal to what the bodies imply, filled in
for visits released before they existed, and the answers view equal to the bodies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from audit import db, facts
from audit.pinned import pinned_checklist
from audit.scoring import score_visit
from audit.startup import Settings, open_store

from .conftest import demo_database_with_visits


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("facts") / "audit.db"
    demo_database_with_visits(path, today=date(2026, 11, 22))
    return path


def snapshot(database: sqlite_utils.Database) -> dict[str, list[tuple[Any, ...]]]:
    """The facts by visit and item id, independent of the keys they were written under."""
    return {
        "visits": database.execute(
            "SELECT visit_uuid, day, site_id, checklist_id, inspector_id, score, pre_sale, in_sale, after_sale, failures, "
            "critical_failures FROM released_visits ORDER BY visit_uuid"
        ).fetchall(),
        "items": database.execute(
            "SELECT r.visit_uuid, c.item_id, i.failed, i.critical FROM released_items i JOIN released_visits r ON r.key = i.visit_key "
            "JOIN checklist_items c ON c.key = i.item_key ORDER BY 1, 2"
        ).fetchall(),
        "tallies": database.execute(
            "SELECT t.month, t.checklist_id, t.region_id, t.site_type, c.item_id, t.observed, t.failed, t.critical_failed "
            "FROM item_tallies t JOIN checklist_items c ON c.key = t.item_key ORDER BY 1, 2, 3, 4, 5"
        ).fetchall(),
    }


def test_every_released_visit_has_the_facts_its_body_implies(store: Path) -> None:
    database = db.connect(store)
    released = database.execute("SELECT uuid, body, checklist_hash FROM visits WHERE state = 'released'").fetchall()
    others = database.execute("SELECT count(*) FROM visits WHERE state != 'released'").fetchone()[0]
    assert len(released) > 100 and others > 0
    facts_now = snapshot(database)
    assert [row[0] for row in facts_now["visits"]] == sorted(uuid for uuid, _, _ in released)
    by_visit: dict[str, dict[str, tuple[int, int]]] = {}
    for uuid, item_id, failed, critical in facts_now["items"]:
        by_visit.setdefault(uuid, {})[item_id] = (failed, critical)
    for uuid, body, checklist_hash in released:
        visit = json.loads(body)
        result = score_visit(pinned_checklist(database, checklist_hash), visit["answers"], visit["started_at"])
        expected = {i.item_id: (int(i.failed), int(i.item_id in result.critical_failures)) for i in result.items().values() if i.score is not None}
        assert by_visit[uuid] == expected
    observed = sum(row[5] for row in facts_now["tallies"])
    failed = sum(row[6] for row in facts_now["tallies"])
    assert observed == len(facts_now["items"]) and failed == sum(row[2] for row in facts_now["items"])
    database.close()


def test_facts_missing_from_an_older_store_are_filled_in_when_it_opens(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "older.db"
    source = sqlite_utils.Database(store)
    source.conn.execute(f"VACUUM INTO '{copy}'")
    source.close()
    database = db.connect(copy)
    before = snapshot(database)
    for table in ("item_tallies", "released_items", "released_visits"):
        database.execute(f"DELETE FROM {table}")
    database.conn.commit()
    assert len(facts.missing(database)) == len(before["visits"])
    database.close()
    opened, _ = open_store(Settings(db_path=copy))
    assert snapshot(opened) == before and facts.missing(opened) == []
    with db.writing(opened):
        facts.refresh(opened)
    assert snapshot(opened) == before
    opened.close()


def test_the_answers_view_holds_each_body_s_answers(store: Path) -> None:
    database = db.connect(store)
    uuid, body = database.execute("SELECT uuid, body FROM visits LIMIT 1").fetchone()
    given = json.loads(body)["answers"]
    rows = database.execute("SELECT item_id, value, na, note FROM answers WHERE visit_uuid = ?", [uuid]).fetchall()
    assert {item_id: (json.loads(value) if value is not None else None, na, note) for item_id, value, na, note in rows} == {
        item_id: (answer.get("value"), int(bool(answer.get("na"))), answer.get("note") or "") for item_id, answer in given.items()
    }
    database.close()
