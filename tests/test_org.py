"""The organisation as a file: bad files located by line and field, imports whole or not at
all, nothing pointed to removed, exports read back to the same store, site types checked
against the organisation, and the `audit org` commands as a user runs them."""

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

from audit import accounts, db, demo, library, orgfile, orgstore, review, sync
from audit.orgmodel import Organisation, Site

from .conftest import ROOT

ORG = """\
site_types:
  - {id: supermarket, name: 超市}
  - {id: hotel, name: {zh-Hans: 酒店, en: Hotel}}
regions:
  - id: east
    name: {zh-Hans: 华东区, en: East}
    branches:
      - id: sh-xujiahui
        name: 上海徐家汇店
        city: 上海
        sites:
          - {id: sh-xujiahui-supermarket, name: 徐家汇超市, type: supermarket}
          - {id: sh-xujiahui-hotel, name: 徐家汇酒店, type: hotel}
  - id: south
    name: 华南区
    branches:
      - id: gz-tianhe
        name: 广州天河店
        sites:
          - {id: gz-tianhe-supermarket, name: 天河超市, type: supermarket}
"""

CSV = """\
region,region_name,region_name:en,branch,branch_name,city,site,site_name,site_type,site_type_name,site_type_name:en
east,华东区,East,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-supermarket,徐家汇超市,supermarket,超市,Supermarket
east,华东区,East,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-hotel,徐家汇酒店,hotel,酒店,Hotel
south,华南区,South,gz-tianhe,广州天河店,广州,gz-tianhe-supermarket,天河超市,supermarket,超市,Supermarket
"""


def problems(text: str | bytes, kind: str) -> list[str]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    org, found = orgfile.parse(raw, kind)
    assert (org is None) == bool(found)
    return [problem.format(f"org.{kind}") for problem in found]


def parsed(text: str, kind: str = "yaml") -> Organisation:
    org, found = orgfile.parse(text.encode("utf-8"), kind)
    assert org is not None, found
    return org


def test_the_examples_are_valid_and_alike() -> None:
    from_yaml, from_csv = parsed(ORG), parsed(CSV, "csv")
    assert [r.id for r in from_yaml.regions] == ["east", "south"]
    assert from_yaml.regions[0].branches[0].sites[1] == Site("sh-xujiahui-hotel", {"zh-Hans": "徐家汇酒店"}, "hotel")
    assert from_csv.regions[0].branches[0].city == "上海" and from_yaml.regions[1].branches[0].city is None
    assert from_csv.site_types[0].name == {"zh-Hans": "超市", "en": "Supermarket"}
    assert [s.id for r in from_csv.regions for b in r.branches for s in b.sites] == [
        s.id for r in from_yaml.regions for b in r.branches for s in b.sites
    ]


YAML_CASES = [
    ("site type typo", ORG.replace("type: hotel}", "type: hotle}"),
     "org.yaml:13: regions[0].branches[0].sites[1].type: unknown site type 'hotle' (did you mean 'hotel'?); the file's site types are supermarket, hotel"),
    ("site id twice", ORG.replace("id: gz-tianhe-supermarket", "id: sh-xujiahui-supermarket"),
     "org.yaml:20: regions[1].branches[0].sites[0].id: duplicate site id 'sh-xujiahui-supermarket' (first on line 12)"),
    ("branch in two regions", ORG.replace("id: gz-tianhe\n", "id: sh-xujiahui\n"),
     "org.yaml:17: regions[1].branches[0].id: duplicate branch id 'sh-xujiahui' (first on line 8)"),
    ("region twice", ORG.replace("id: south", "id: east"),
     "org.yaml:14: regions[1].id: duplicate region id 'east' (first on line 5)"),
    ("site type twice", ORG.replace("{id: hotel,", "{id: supermarket,"),
     "org.yaml:3: site_types[1].id: duplicate site type id 'supermarket' (first on line 2)"),
    ("empty name", ORG.replace("name: 广州天河店", 'name: ""'),
     "org.yaml:18: regions[1].branches[0].name: must not be empty"),
    ("empty name in a language", ORG.replace("en: East}", "en: ''}"),
     "org.yaml:6: regions[0].name.en: must not be empty"),
    ("name left out", ORG.replace("        name: 广州天河店\n", ""),
     "org.yaml:17: regions[1].branches[0].name: missing; branch keys are id, name, city, sites"),
    ("unquoted no", ORG.replace("id: south", "id: no"),
     "org.yaml:14: regions[1].id: must be a string, not true/false: YAML reads an unquoted yes, no, on or off as true/false, so put it in quotes"),
    ("number as a city", ORG.replace("city: 上海", "city: 021"),
     "org.yaml:10: regions[0].branches[0].city: must be a string, not a number: put it in quotes"),
    ("id not an id", ORG.replace("id: gz-tianhe\n", "id: GZ Tianhe\n"),
     "org.yaml:17: regions[1].branches[0].id: 'GZ Tianhe' may hold only lowercase letters, digits, '-' and '_', start with a letter or digit, and be at most 64 characters"),
    ("unknown key", ORG.replace("city: 上海", "cty: 上海"),
     "org.yaml:10: regions[0].branches[0].cty: unknown key (did you mean 'city'?); branch keys are id, name, city, sites"),
    ("bad language code", ORG.replace("en: East}", "EN: East}"),
     "org.yaml:6: regions[0].name.EN: 'EN' is not a language code like zh-Hans, zh-Hant or en"),
    ("top-level typo", ORG.replace("regions:", "region:"),
     "org.yaml:4: region: unknown key (did you mean 'regions'?); organisation file keys are site_types, regions"),
    ("sites not a list", ORG.replace("        sites:\n          - {id: gz-tianhe-supermarket, name: 天河超市, type: supermarket}\n", "        sites: 3\n"),
     "org.yaml:19: regions[1].branches[0].sites: must be a list, not a single value"),
    ("duplicate key", ORG.replace("city: 上海", "city: 上海\n        city: 北京"),
     "org.yaml:11:9: duplicate key 'city' (first at line 10); YAML would silently keep the last one"),
    ("syntax error", ORG.replace("name: 华南区", "name: [华南区"),
     "org.yaml:16:13: YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'"),
    ("empty file", "", "org.yaml:1:1: an organisation file is a mapping of site_types, regions; this is empty"),
]


@pytest.mark.parametrize(("name", "text", "expected"), YAML_CASES, ids=[case[0] for case in YAML_CASES])
def test_bad_yaml_is_located_by_line_and_field(name: str, text: str, expected: str) -> None:
    found = problems(text, "yaml")
    assert expected in found, f"{name}: {found}"


def test_every_problem_of_a_file_at_once() -> None:
    text = ORG.replace("type: hotel}", "type: hotle}").replace("id: south", "id: no").replace("city: 上海", "cty: 上海")
    assert [line.split(": ")[0] for line in problems(text, "yaml")] == [
        "org.yaml:10", "org.yaml:13", "org.yaml:14",
    ]


def _drop_column(text: str, column: str) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    index = rows[0].index(column)
    return "".join(",".join(cells[:index] + cells[index + 1:]) + "\n" for cells in rows)


CSV_CASES = [
    ("site type typo", CSV.replace("gz-tianhe-supermarket,天河超市,supermarket,超市,Supermarket", "gz-tianhe-supermarket,天河超市,supermarkt,,"),
     "org.csv:4: site_type: unknown site type 'supermarkt' (did you mean 'supermarket'?): no row names it in site_type_name"),
    ("branch in another region", CSV.replace("east,华东区,East,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-hotel", "south,华南区,South,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-hotel"),
     "org.csv:3: region: branch 'sh-xujiahui' is in region 'east' on row 2; a branch is in one region"),
    ("branch named otherwise", CSV.replace("上海徐家汇店,上海,sh-xujiahui-hotel", "上海徐汇店,上海,sh-xujiahui-hotel"),
     "org.csv:3: branch_name: branch 'sh-xujiahui' is named otherwise on row 2"),
    ("named otherwise in a language", CSV.replace("超市,Supermarket\n", "超市,Grocery\n").replace("超市,Grocery\n", "超市,Supermarket\n", 1),
     "org.csv:4: site_type_name:en: site type 'supermarket' is named otherwise on row 2"),
    ("city otherwise", CSV.replace("上海,sh-xujiahui-hotel", "苏州,sh-xujiahui-hotel"),
     "org.csv:3: city: branch 'sh-xujiahui' is in 上海 on row 2"),
    ("site id twice", CSV.replace("gz-tianhe-supermarket", "sh-xujiahui-supermarket"),
     "org.csv:4: site: duplicate site id 'sh-xujiahui-supermarket' (first on row 2)"),
    ("site without a name", CSV.replace("天河超市", ""), "org.csv:4: site_name: empty; every site needs a name"),
    ("region never named", CSV.replace("south,华南区,South", "south,,"),
     "org.csv:4: region_name: empty on every row of region 'south'; name it on one row at least"),
    ("site without a branch", CSV.replace("gz-tianhe,广州天河店,广州,", ",,,"), "org.csv:4: branch: empty, but the row gives a site"),
    ("id not an id", CSV.replace("gz-tianhe-supermarket", "GZ supermarket"),
     "org.csv:4: site: 'GZ supermarket' may hold only lowercase letters, digits, '-' and '_', start with a letter or digit, and be at most 64 characters"),
    ("unknown column", CSV.replace(",city,", ",town,"),
     "org.csv:1: town: unknown column; columns are region, region_name, branch, branch_name, city, site, site_name, site_type, site_type_name and names in other languages like site_name:en"),
    ("column misspelt", CSV.replace("site_type_name:en", "site_type_nmae"),
     "org.csv:1: site_type_nmae: unknown column (did you mean 'site_type_name'?); columns are region, region_name, branch, branch_name, city, site, site_name, site_type, site_type_name and names in other languages like site_name:en"),
    ("missing column", _drop_column(CSV, "city"), "org.csv:1: city: missing from the header"),
    ("bad language column", CSV.replace("region_name:en", "region_name:EN"),
     "org.csv:1: region_name:EN: 'EN' is not a language code like zh-Hans, zh-Hant or en"),
    ("default language twice", CSV.replace("region_name:en", "region_name:zh-Hans"),
     "org.csv:1: region_name:zh-Hans: region_name holds the default language, zh-Hans, already"),
    ("cells beyond the header", CSV.replace("徐家汇酒店,hotel,酒店,Hotel", "徐家汇酒店,hotel,酒店,Hotel,extra"),
     "org.csv:3: column 12: the row has 12 cells, the header 11"),
    ("a cell over lines counts as one row", CSV.replace("徐家汇超市", '"徐家汇\n超市"').replace("天河超市", ""),
     "org.csv:4: site_name: empty; every site needs a name"),
    ("empty file", "", "org.csv:1:1: file is empty; its first row names the columns region, region_name, branch, branch_name, city, site, site_name, site_type, site_type_name"),
]


@pytest.mark.parametrize(("name", "text", "expected"), CSV_CASES, ids=[case[0] for case in CSV_CASES])
def test_bad_csv_is_located_by_row_and_column(name: str, text: str, expected: str) -> None:
    found = problems(text, "csv")
    assert expected in found, f"{name}: {found}"


def test_csv_encodings() -> None:
    assert parsed("\ufeff" + CSV, "csv") == parsed(CSV, "csv")
    assert problems(CSV.encode("utf-16"), "csv") == ["org.csv:1:1: file is UTF-16; save it as UTF-8"]
    gbk = problems(CSV.encode("gb18030"), "csv")
    assert len(gbk) == 1 and gbk[0].startswith("org.csv:2:") and "it looks like GBK/GB18030" in gbk[0]


def test_csv_rows_may_declare_an_empty_branch_region_or_site_type() -> None:
    text = CSV + "north,华北区,North,bj-chaoyang,北京朝阳店,北京,,,,,\nwest,西区,West,,,,,,,,\n,,,,,,,,venue,体育场,Stadium\n"
    org = parsed(text, "csv")
    assert [(r.id, [(b.id, b.sites) for b in r.branches]) for r in org.regions][2:] == [("north", [("bj-chaoyang", ())]), ("west", [])]
    assert [t.id for t in org.site_types] == ["supermarket", "hotel", "venue"]


def test_readme_examples_are_valid_and_alike() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## The organisation file")[1]
    from_yaml = parsed(section.split("```yaml\n")[1].split("```")[0])
    from_csv = parsed(section.split("```csv\n")[1].split("```")[0], "csv")
    lounge = next(site for site in from_csv.regions[0].branches[0].sites if site.type == "airport-lounge")
    assert lounge == from_yaml.regions[0].branches[0].sites[1]
    assert from_yaml.site_types[1].name == {"zh-Hans": "机场贵宾室"}


def test_demo_org_file_is_valid() -> None:
    org = demo.organisation()
    assert len(org.regions) == 3 and sum(len(r.branches) for r in org.regions) >= 12


# The store.

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
