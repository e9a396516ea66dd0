"""The SQLite store and the app on it: migrations, WAL, versions kept, the JSON API."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from starlette.testclient import TestClient

from audit import db, demo, library
from audit.app import create_app
from audit.startup import Settings

from .checklist_cases import BASE
from .conftest import ROOT, demo_database, sign_in


def test_connect_migrates_once_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    database = db.connect(path)
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert set(database.table_names()) >= {"regions", "branches", "sites", "checklist_versions", "visits", "photos", "released_visits", "released_items", "item_tallies"}
    assert database.view_names() == ["answers"]
    assert db.migrate(database) == []
    database.close()
    again = db.connect(path)
    assert [row["version"] for row in again["migrations"].rows] == list(range(1, len(db.MIGRATIONS) + 1))


def test_demo_is_idempotent_and_every_region_has_every_library_site_type(tmp_path: Path) -> None:
    database = db.connect(tmp_path / "demo.db")
    first = demo.build(database)
    assert demo.build(database) == first
    assert first["regions"] == 3 and first["branches"] >= 12
    wanted = {site_type for checklist in library.load(library.CHECKLISTS) for site_type in checklist.site_types}
    found: dict[str, set[str]] = {}
    for region, site_type in database.execute("SELECT b.region_id, s.site_type FROM sites s JOIN branches b ON b.id = s.branch_id"):
        found.setdefault(region, set()).add(site_type)
    assert found == {region: wanted for region in ("east", "south", "north")}
    per_branch = database.execute("SELECT COUNT(*) FROM sites GROUP BY branch_id").fetchall()
    assert all(4 <= count <= 6 for (count,) in per_branch), "a few site types per branch keep the demo quick"
    assert {row["id"] for row in database["site_types"].rows} == wanted


def test_every_served_version_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "checklists"
    folder.mkdir()
    database = db.connect(tmp_path / "audit.db")
    (folder / "shop.yaml").write_text(BASE, encoding="utf-8")
    db.record_checklists(database, library.load(folder))
    (folder / "shop.yaml").write_text(BASE + "            weight: 2\n", encoding="utf-8")
    db.record_checklists(database, library.load(folder))
    db.record_checklists(database, library.load(folder))
    rows = list(database["checklist_versions"].rows)
    assert len(rows) == 2 and {row["checklist_id"] for row in rows} == {"shop"}


def test_api_serves_the_library_with_hashes(tmp_path: Path) -> None:
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path))) as client:
        assert client.get("/health").json()["status"] == "ok"
        sign_in(client, "inspector")
        response = client.get("/api/checklists", headers={"accept-encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"
        served = response.json()
    expected = {c.id: c.content_hash() for c in library.load(ROOT / "checklists")}
    assert {entry["id"]: entry["hash"] for entry in served} == expected
    stored = sqlite3.connect(path).execute("SELECT hash, body FROM checklist_versions").fetchall()
    assert {row[0] for row in stored} == set(expected.values())
    body = json.loads(stored[0][1])
    assert body["id"] in expected


def test_invalid_files_are_not_served(tmp_path: Path) -> None:
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "good.yaml").write_text(BASE, encoding="utf-8")
    (folder / "bad.yaml").write_text("id: [", encoding="utf-8")
    with TestClient(create_app(Settings(db_path=demo_database(tmp_path / "a.db"), checklists_dir=folder))) as client:
        assert [entry["id"] for entry in sign_in(client, "inspector").get("/api/checklists").json()] == ["shop"]


def test_demo_visits_go_through_sync_and_are_idempotent(tmp_path: Path) -> None:
    from datetime import date

    database = db.connect(tmp_path / "demo.db")
    demo.build(database)
    checklists = library.load(ROOT / "checklists")
    db.record_checklists(database, checklists)
    visits = demo.build_visits(database, checklists, today=date(2026, 11, 22))
    counts = {t: database[t].count for t in ("visits", "answers", "photos", "visit_scores")}
    assert visits == counts["visits"] == counts["visit_scores"] >= 3 * len(demo.sites())  # each site in three months
    assert counts["photos"] > 100
    assert demo.build_visits(database, checklists, today=date(2026, 11, 22)) == visits
    assert {t: database[t].count for t in counts} == counts
    months = {row["started_at"][:7] for row in database["visits"].rows}
    assert len(months) == 6
    ids = [uuid.UUID(row["uuid"]) for row in database["visits"].rows]
    assert all(i.version == 4 for i in ids)
    other = db.connect(tmp_path / "other.db")
    demo.build(other)
    db.record_checklists(other, checklists)
    demo.build_visits(other, checklists, today=date(2026, 11, 22))
    assert not {str(i) for i in ids} & {row["uuid"] for row in other["visits"].rows}  # not derived from public values
