"""The organisation imported into a store: whole or not at all, nothing pointed to removed,
re-import changes nothing, exports read back to the same store, site types checked against
the organisation, and the `audit org` commands as a user runs them."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from audit import accounts, db, demo, library, orgstore, review, sync

from .conftest import ROOT
from .org_cases import CSV, ORG, parsed


def fresh(path: Path, text: str = ORG) -> sqlite_utils.Database:
    database = db.connect(path)
    orgstore.import_org(database, parsed(text))
    return database


def contents(database: sqlite_utils.Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = (*orgstore.TABLES, "user_branches", "visits", "item_tallies")
    return {table: sorted(database.execute(f"SELECT * FROM {table}").fetchall()) for table in tables}


def test_import_then_the_same_again_changes_nothing(tmp_path: Path) -> None:
    database = db.connect(tmp_path / "a.db")
    first = orgstore.import_org(database, parsed(ORG))
    assert {table: str(counts) for table, counts in first.tables.items()} == {
        "site_types": "2 added, 0 changed, 0 removed",
        "regions": "2 added, 0 changed, 0 removed",
        "branches": "2 added, 0 changed, 0 removed",
        "sites": "3 added, 0 changed, 0 removed",
    }
    before = contents(database)
    again = orgstore.import_org(database, parsed(ORG))
    assert not again.changed and again.lines()[-1] == "in all: 0 added, 0 changed, 0 removed (the store held this organisation already)"
    assert contents(database) == before
    assert database["sites"].get("sh-xujiahui-hotel")["name"] == '{"zh-Hans": "徐家汇酒店"}'


def test_changes_moves_and_removals(tmp_path: Path) -> None:
    database = fresh(tmp_path / "a.db")
    moved = (
        ORG.replace("name: 华南区", "name: 华南大区")  # renamed
        .replace("id: gz-tianhe\n", "id: gz-tianhe\n        city: 广州\n")  # a city given
        .replace("          - {id: sh-xujiahui-hotel, name: 徐家汇酒店, type: hotel}\n", "")  # removed
        .replace("  - {id: hotel, name: {zh-Hans: 酒店, en: Hotel}}\n", "  - {id: venue, name: 体育场}\n")  # replaced
    )
    summary = orgstore.import_org(database, parsed(moved))
    assert {table: str(counts) for table, counts in summary.tables.items()} == {
        "site_types": "1 added, 0 changed, 1 removed",
        "regions": "0 added, 1 changed, 0 removed",
        "branches": "0 added, 1 changed, 0 removed",
        "sites": "0 added, 0 changed, 1 removed",
    }
    assert database["branches"].get("gz-tianhe")["city"] == "广州"
    assert sorted(row["id"] for row in database["site_types"].rows) == ["supermarket", "venue"]
    # a branch moves to a new region and its old region goes, in one import
    north = moved.replace("  - id: south\n    name: 华南大区", "  - id: north\n    name: 华北区")
    summary = orgstore.import_org(database, parsed(north))
    assert str(summary.tables["regions"]) == "1 added, 0 changed, 1 removed" and str(summary.tables["branches"]) == "0 added, 1 changed, 0 removed"
    assert database["branches"].get("gz-tianhe")["region_id"] == "north"


@pytest.fixture
def visited(tmp_path: Path) -> sqlite_utils.Database:
    """The demo organisation and people, and one released supermarket visit at sh-xujiahui."""
    database = db.connect(tmp_path / "visited.db")
    demo.build(database)
    demo.people(database)
    checklist = next(c for c in library.load(library.CHECKLISTS) if c.id == "retail-supermarket")
    db.record_checklists(database, [checklist])
    body, photos = demo.visit_body(checklist, "sh-xujiahui-supermarket", random.Random(1), quality=0.5, started=datetime(2026, 9, 1, 10, tzinfo=demo.CHINA))
    visit = str(uuid.UUID(int=random.Random(1).getrandbits(128), version=4))
    assert sync.put_visit(database, visit, body).status == 200
    for photo_id, raw in photos.items():
        sync.put_photo(database, visit, photo_id, raw)
    reviewer = accounts.by_username(database, "reviewer")
    assert reviewer is not None
    review.move(database, visit, reviewer, "approve")
    return database


def demo_text() -> str:
    return (ROOT / "audit" / "demo-org.yaml").read_text(encoding="utf-8")


def without_lines(text: str, *words: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not any(word in line for word in words))


def test_a_site_with_visits_is_never_removed(visited: sqlite_utils.Database) -> None:
    before = contents(visited)
    renamed = demo_text().replace("en: East}", "en: East China}")  # a change that must not be written either
    with pytest.raises(orgstore.Refused) as refused:
        orgstore.import_org(visited, parsed(without_lines(renamed, "sh-xujiahui-supermarket")))
    assert refused.value.reasons == ["site sh-xujiahui-supermarket is not in the file but 1 visit points to it; keep it in the file"]
    assert contents(visited) == before


def test_a_branch_with_a_manager_or_sites_that_stay_is_never_removed(visited: sqlite_utils.Database) -> None:
    before = contents(visited)
    text = demo_text()
    start, end = text.index("      - id: sh-xujiahui\n"), text.index("      - id: hz-wulin\n")
    with pytest.raises(orgstore.Refused) as refused:
        orgstore.import_org(visited, parsed(text[:start] + text[end:]))
    assert refused.value.reasons == [
        "site sh-xujiahui-supermarket is not in the file but 1 visit points to it; keep it in the file",
        "branch sh-xujiahui is not in the file but 1 store manager and 1 site that stays (sh-xujiahui-supermarket) point to it; keep it in the file",
    ]
    assert contents(visited) == before
    start, end = text.index("      - id: hz-wulin\n"), text.index("      - id: nj-xinjiekou\n")
    with pytest.raises(orgstore.Refused) as refused:
        orgstore.import_org(visited, parsed(text[:start] + text[end:]))
    assert refused.value.reasons == ["branch hz-wulin is not in the file but 1 store manager points to it; keep it in the file"]
    assert contents(visited) == before


def test_a_site_type_and_region_kept_by_what_stays(visited: sqlite_utils.Database) -> None:
    text = demo_text()
    start = text.index("  - id: east\n")
    end = text.index("  - id: south\n")
    no_east = without_lines(text[:start] + text[end:], "{id: supermarket,")
    with pytest.raises(orgstore.Refused) as refused:
        orgstore.import_org(visited, parsed(no_east.replace("type: supermarket", "type: hotel")))
    reasons = refused.value.reasons
    assert "region east is not in the file but 4 branches that stay (hz-wulin, nj-xinjiekou, sh-xujiahui, su-guanqian) point to it; keep it in the file" in reasons
    assert "site type supermarket is not in the file but 1 site that stays (sh-xujiahui-supermarket) points to it; keep it in the file" in reasons


def test_an_unused_site_can_go(visited: sqlite_utils.Database) -> None:
    summary = orgstore.import_org(visited, parsed(without_lines(demo_text(), "sh-xujiahui-hotel")))
    assert str(summary.tables["sites"]) == "0 added, 0 changed, 1 removed"
    assert visited["sites"].count == 53


def test_a_failing_write_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    database = fresh(tmp_path / "a.db")
    before = contents(database)
    database.execute(
        "CREATE TRIGGER no_lounges BEFORE INSERT ON sites WHEN NEW.site_type = 'airport-lounge' BEGIN SELECT RAISE(ABORT, 'no lounges'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        orgstore.import_org(database, parsed(lounge_org(ORG.replace("name: 华南区", "name: 华南大区"))))
    assert contents(database) == before


def test_moving_a_site_rebuilds_the_tallies(visited: sqlite_utils.Database) -> None:
    def regions() -> set[str]:
        return {row[0] for row in visited.execute("SELECT DISTINCT region_id FROM item_tallies")}

    assert regions() == {"east"}
    text = demo_text()
    moved = text.replace("  - id: east\n", "  - id: west\n    name: 西区\n    branches: []\n  - id: east\n")
    start, end = moved.index("      - id: sh-xujiahui\n"), moved.index("      - id: hz-wulin\n")
    branch = moved[start:end]
    moved = moved.replace(branch, "").replace("    branches: []\n", "    branches:\n" + branch)
    summary = orgstore.import_org(visited, parsed(moved))
    assert str(summary.tables["branches"]) == "0 added, 1 changed, 0 removed"
    assert regions() == {"west"}


TRICKY = ORG + """\
  - id: north
    name: {zh-Hans: "no", zh-Hant: "A, B: {c}", en: "'quoted' #1"}
    branches:
      - id: bj-chaoyang
        name: 北京朝阳店
        city: "on"
        sites: []
  - id: west
    name: 西区
    branches: []
"""


@pytest.mark.parametrize("kind", ["yaml", "csv"])
def test_export_reads_back_to_the_same_store(tmp_path: Path, kind: str) -> None:
    text = TRICKY.replace("  - {id: hotel,", "  - {id: lounge, name: {en: Lounge}}\n  - {id: hotel,")
    first = fresh(tmp_path / "first.db", text)
    exported = orgstore.export_org(first, kind)
    second = db.connect(tmp_path / "second.db")
    summary = orgstore.import_org(second, parsed(exported, kind))
    assert summary.total.added == sum(len(rows) for rows in orgstore.rows(parsed(text)).values())
    assert contents(second) == contents(first)
    assert not orgstore.import_org(first, parsed(exported, kind)).changed
    assert orgstore.export_org(second, kind) == exported


def test_demo_round_trips_through_csv(tmp_path: Path) -> None:
    database = db.connect(tmp_path / "demo.db")
    demo.build(database)
    exported = orgstore.export_org(database, "csv")
    assert exported.startswith("\ufeffregion,region_name,region_name:zh-Hant,region_name:en,branch,")
    assert not orgstore.import_org(database, parsed(exported, "csv")).changed


# Site types are the organisation's.

LOUNGE_SITE = "          - {id: sh-xujiahui-lounge, name: {zh-Hans: 徐家汇机场贵宾室, en: Xujiahui airport lounge}, type: airport-lounge}\n"


def lounge_org(text: str = ORG) -> str:
    """The organisation with an airport-lounge site type and a lounge at sh-xujiahui."""
    with_type = text.replace("regions:\n", "  - {id: airport-lounge, name: {zh-Hans: 机场贵宾室, zh-Hant: 機場貴賓室, en: Airport lounge}}\nregions:\n", 1)
    hotel = "          - {id: sh-xujiahui-hotel, name: 徐家汇酒店, type: hotel}\n"
    return with_type.replace(hotel, hotel + LOUNGE_SITE)


def lounge_checklist(folder: Path) -> tuple[Path, int, int]:
    """The hotel checklist as an airport lounge's; the line and column of its site type."""
    text = (ROOT / "checklists" / "hotel-front-desk-rooms.yaml").read_text(encoding="utf-8")
    text = text.replace("site_types: [hotel]", "site_types: [airport-lounge]").replace("id: hotel-front-desk-rooms", "id: airport-lounge")
    path = folder / "airport-lounge.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("site_types:"))
    return path, line, text.splitlines()[line - 1].index("airport-lounge") + 1


def audit_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_check_org_catches_a_site_type_the_organisation_lacks(tmp_path: Path) -> None:
    checklist, line, column = lounge_checklist(tmp_path)
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "lounge-org.yaml").write_text(lounge_org(), encoding="utf-8")
    assert audit_cli("check", str(checklist)).returncode == 0, "without --org any site type id passes"
    assert audit_cli("check", str(checklist), "--org", str(tmp_path / "lounge-org.yaml")).returncode == 0
    lacking = audit_cli("check", str(checklist), "--org", str(tmp_path / "org.yaml"))
    assert lacking.returncode == 1 and "Traceback" not in lacking.stderr
    assert lacking.stdout == (
        f"{checklist}:{line}:{column}: checklist: site type 'airport-lounge' is not in the organisation file; "
        "its site types are hotel, supermarket\n"
    )


def test_check_org_reports_the_organisation_files_problems(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_text(CSV.replace("gz-tianhe-supermarket", "sh-xujiahui-supermarket"), encoding="utf-8")
    result = audit_cli("check", "--org", str(org))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == f"{org}:4: site: duplicate site id 'sh-xujiahui-supermarket' (first on row 2)\n"


def test_a_lounge_end_to_end(tmp_path: Path) -> None:
    """An organisation that adds a site type: imported, its checklist checked against it, a visit stored."""
    org = tmp_path / "org.yaml"
    org.write_text(lounge_org(), encoding="utf-8")
    store = tmp_path / "audit.db"
    imported = audit_cli("org", "import", str(org), "--db", str(store))
    assert imported.returncode == 0, imported.stderr
    assert "site types: 3 added, 0 changed, 0 removed" in imported.stdout
    path, _, _ = lounge_checklist(tmp_path)
    assert audit_cli("check", str(path), "--org", str(org)).returncode == 0
    checklist = library.load(tmp_path)[0]
    database = db.connect(store)
    db.record_checklists(database, [checklist])
    body, _ = demo.visit_body(checklist, "sh-xujiahui-lounge", random.Random(3), quality=0.9, started=datetime(2026, 9, 2, 10, tzinfo=demo.CHINA))
    assert sync.put_visit(database, str(uuid.uuid4()), body).status == 200
    hotel = {**body, "site_id": "sh-xujiahui-hotel"}
    refused = sync.put_visit(database, str(uuid.uuid4()), hotel)
    assert refused.status == 422 and "checklist 'airport-lounge' is for airport-lounge" in str(refused.body)


# The commands.

def test_org_commands(tmp_path: Path) -> None:
    org, store = tmp_path / "org.yaml", tmp_path / "audit.db"
    org.write_text(ORG, encoding="utf-8")
    first = audit_cli("org", "import", str(org), "--db", str(store))
    assert first.returncode == 0 and first.stdout.splitlines() == [
        "site types: 2 added, 0 changed, 0 removed",
        "regions: 2 added, 0 changed, 0 removed",
        "branches: 2 added, 0 changed, 0 removed",
        "sites: 3 added, 0 changed, 0 removed",
        "in all: 9 added, 0 changed, 0 removed",
    ]
    again = audit_cli("org", "import", str(org), "--db", str(store))
    assert again.stdout.splitlines()[-1] == "in all: 0 added, 0 changed, 0 removed (the store held this organisation already)"
    exported = audit_cli("org", "export", "--db", str(store))
    assert exported.returncode == 0 and parsed(exported.stdout) == orgstore.load_org(db.connect(store))
    csv_file = tmp_path / "org.csv"
    assert audit_cli("org", "export", "--db", str(store), "--format", "csv", "-o", str(csv_file)).returncode == 0
    copy = audit_cli("org", "import", str(csv_file), "--db", str(tmp_path / "copy.db"))
    assert copy.returncode == 0 and copy.stdout.splitlines()[-1] == "in all: 9 added, 0 changed, 0 removed"


def test_org_import_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "audit.db"
    good, bad = tmp_path / "org.yaml", tmp_path / "bad.yaml"
    good.write_text(ORG, encoding="utf-8")
    assert audit_cli("org", "import", str(good), "--db", str(store)).returncode == 0
    before = contents(db.connect(store))
    bad.write_text(ORG.replace("type: hotel}", "type: hotle}").replace("name: 华南区", "name: 华南大区").replace("id: south", "id: no"), encoding="utf-8")
    result = audit_cli("org", "import", str(bad), "--db", str(store))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{bad}:13: regions[0].branches[0].sites[1].type: unknown site type 'hotle' (did you mean 'hotel'?); the file's site types are supermarket, hotel",
        f"{bad}:14: regions[1].id: must be a string, not true/false: YAML reads an unquoted yes, no, on or off as true/false, so put it in quotes",
        f"2 problem(s) in {bad}; nothing imported",
    ]
    refusing = tmp_path / "refusing.yaml"
    refusing.write_text(without_lines(ORG, "sh-xujiahui-hotel"), encoding="utf-8")
    database = db.connect(store)
    database["visits"].insert({"uuid": str(uuid.uuid4()), "site_id": "sh-xujiahui-hotel", "checklist_id": "x", "body": "{}"})
    before = contents(database)
    result = audit_cli("org", "import", str(refusing), "--db", str(store))
    assert result.returncode == 1 and result.stderr.splitlines() == [
        f"{refusing}: site sh-xujiahui-hotel is not in the file but 1 visit points to it; keep it in the file",
        "nothing imported",
    ]
    assert contents(db.connect(store)) == before
    assert audit_cli("org", "import", str(tmp_path / "org.txt"), "--db", str(store)).returncode == 2
