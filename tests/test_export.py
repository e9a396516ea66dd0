"""Exports, read back as a person would: the three formats from the command line (the CSV
files with the csv module, the workbook with openpyxl, the JSON document with json), each
table with its header row and as many rows as SQL counts for the same filters, the README,
Chinese names intact; filters narrowing; a bad filter a plain error; and the dashboard's
export prepared in the background, followed to the download, for its owner only."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from audit import accounts, db, demo, export, library
from audit.app import create_app
from audit.cli import main
from audit.export_files import FORMATS, save
from audit.filters import parse
from audit.startup import Settings

from .conftest import ROOT, sign_in

TODAY = date(2026, 11, 22)
FORMULA = "=HYPERLINK(\"http://example.invalid\")"
CHOSEN = "v JOIN sites s ON s.id = v.site_id JOIN branches b ON b.id = s.branch_id"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two rounds of demo visits (September and November 2026), reviewed; one note starts
    with '=', as a spreadsheet formula would."""
    path = tmp_path_factory.mktemp("export") / "demo.db"
    database = db.connect(path)
    demo.build(database)
    checklists = library.load(ROOT / "checklists")
    db.record_checklists(database, checklists)
    demo.build_visits(database, checklists, today=TODAY, months=3)
    uuid, item = database.execute("SELECT v.uuid, a.key FROM visits v, json_each(v.body, '$.answers') a LIMIT 1").fetchone()
    with db.writing(database):
        database.execute("UPDATE visits SET body = json_set(body, ?, ?) WHERE uuid = ?", [f'$.answers."{item}".note', FORMULA, uuid])
    database.close()
    return path


@pytest.fixture
def store_path(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "audit.db"
    source, target = sqlite3.connect(demo_store), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def counts(path: Path, where: str = "1 = 1", params: list[Any] | None = None) -> dict[str, int]:
    """What each table of an export must hold, counted by SQL (answers from the bodies)."""
    chosen = f"FROM visits {CHOSEN} WHERE {where}"
    with sqlite3.connect(path) as conn:
        def one(sql: str) -> int:
            return int(conn.execute(sql, params or []).fetchone()[0])

        return {
            "visits": one(f"SELECT count(*) {chosen}"),
            "answers": one(f"SELECT count(*) FROM visits {CHOSEN} JOIN json_each(v.body, '$.answers') WHERE {where}"),
            "scores": one(f"SELECT count(*) FROM stage_scores x WHERE x.visit_uuid IN (SELECT v.uuid {chosen})")
            + one(f"SELECT count(*) FROM section_scores x WHERE x.visit_uuid IN (SELECT v.uuid {chosen})"),
            "reviews": one(f"SELECT count(*) FROM review_events x WHERE x.visit_uuid IN (SELECT v.uuid {chosen})"),
        }


def run_export(path: Path, fmt: str, out: Path, *options: str) -> Any:
    result = CliRunner().invoke(main, ["export", "--db", str(path), "--format", fmt, "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return result


def read_csv(file: Path | bytes) -> tuple[str, dict[str, list[dict[str, str]]]]:
    archive = zipfile.ZipFile(file if isinstance(file, Path) else io.BytesIO(file))
    assert archive.namelist() == ["README.txt", *(f"{t}.csv" for t in export.TABLES)]
    tables = {}
    for table in export.TABLES:
        raw = archive.read(f"{table}.csv")
        assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert tuple(rows[0]) == export.columns(table)
        tables[table] = [dict(zip(rows[0], row)) for row in rows[1:]]
    return archive.read("README.txt").decode("utf-8-sig"), tables


def read_xlsx(file: Path) -> tuple[list[tuple[Any, ...]], dict[str, list[dict[str, Any]]]]:
    book = openpyxl.load_workbook(file, read_only=True)
    assert book.sheetnames == ["README", *export.TABLES]
    sheets = {}
    for name in book.sheetnames:
        rows = list(book[name].iter_rows(values_only=True))
        assert tuple(rows[0]) == (export.README_COLUMNS if name == "README" else export.columns(name))
        sheets[name] = [dict(zip(rows[0], row)) for row in rows[1:]]
    readme = [tuple(row.values()) for row in sheets.pop("README")]
    return readme, sheets


def test_three_formats_hold_every_table_with_headers_readme_and_counts(store_path: Path, tmp_path: Path) -> None:
    expected = counts(store_path)
    assert expected["visits"] > 50 and all(expected.values())
    run_export(store_path, "csv", tmp_path / "all.zip", "--period", "2026")
    run_export(store_path, "xlsx", tmp_path / "all.xlsx", "--period", "2026")
    run_export(store_path, "json", tmp_path / "all.json", "--period", "2026")

    readme, from_csv = read_csv(tmp_path / "all.zip")
    readme_rows, from_xlsx = read_xlsx(tmp_path / "all.xlsx")
    document = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    from_json = {table: document[table] for table in export.TABLES}
    assert list(document) == ["readme", *export.TABLES]
    for tables in (from_csv, from_xlsx, from_json):
        assert {table: len(rows) for table, rows in tables.items()} == expected
    for table in export.TABLES:
        assert list(from_json[table][0]) == list(export.columns(table))
        for column in export.columns(table):
            assert f"{column}: " in readme, column
            assert any(row[0] == table and row[1] == column for row in readme_rows), column
            assert any(r["topic"] == table and r["name"] == column for r in document["readme"]), column
    assert f"visits: 暗访数: {expected['visits']}" in readme

    regions = {row["region"] for row in from_csv["visits"]}
    assert regions == {"华东区", "华南区", "华北区"}
    assert {row["branch"] for row in from_xlsx["visits"]} >= {"上海徐家汇店", "沈阳中山路店"}
    assert any("收银" in row["item"] for row in from_json["answers"])
    states = {row["state"] for row in from_json["visits"]}
    assert {"released", "submitted"} <= states
    assert {row["action"] for row in from_csv["reviews"]} >= {"approve"}

    visit = from_json["visits"][0]
    with sqlite3.connect(store_path) as conn:
        stored = conn.execute("SELECT score, state, version FROM visits v JOIN visit_scores s ON s.visit_uuid = v.uuid WHERE uuid = ?",
                              [visit["visit_uuid"]]).fetchone()
    assert (visit["score"], visit["state"], visit["version"]) == stored
    assert type(from_xlsx["visits"][0]["score"]) in (int, float) and isinstance(from_json["answers"][0]["na"], bool)  # a number, as Excel keeps a whole one


def test_a_formula_in_a_note_stays_text(store_path: Path, tmp_path: Path) -> None:
    run_export(store_path, "csv", tmp_path / "a.zip", "--period", "2026")
    run_export(store_path, "xlsx", tmp_path / "a.xlsx", "--period", "2026")
    run_export(store_path, "json", tmp_path / "a.json", "--period", "2026")
    assert [r["note"] for r in read_csv(tmp_path / "a.zip")[1]["answers"] if "HYPERLINK" in r["note"]] == ["'" + FORMULA]
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx")["answers"]
    notes = [row[8] for row in sheet.iter_rows(min_row=2) if row[8].value and "HYPERLINK" in str(row[8].value)]
    assert [(c.value, c.data_type) for c in notes] == [(FORMULA, "s")]
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert [r["note"] for r in document["answers"] if "HYPERLINK" in r["note"]] == [FORMULA]


def test_filters_narrow_the_visits_and_the_language_names_them(store_path: Path, tmp_path: Path) -> None:
    with sqlite3.connect(store_path) as conn:
        checklist = conn.execute("SELECT checklist_id FROM visits GROUP BY checklist_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    cases = [
        (["--period", "2026-11", "--region", "east"], "substr(v.started_at, 1, 7) = '2026-11' AND b.region_id = 'east'"),
        (["--period", "2026-Q3", "--site-type", "hotel"], "substr(v.started_at, 1, 7) BETWEEN '2026-07' AND '2026-09' AND s.site_type = 'hotel'"),
        (["--period", "2026-09..2026-11", "--checklist", checklist], f"v.checklist_id = '{checklist}'"),
        (["--period", "2025"], "0 = 1"),
    ]
    for options, where in cases:
        out = tmp_path / "narrow.json"
        run_export(store_path, "json", out, *options, "--lang", "en")
        document = json.loads(out.read_text(encoding="utf-8"))
        assert {table: len(document[table]) for table in export.TABLES} == counts(store_path, where), options
    document = json.loads((tmp_path / "narrow.json").read_text(encoding="utf-8"))
    assert document["readme"][0]["text"].startswith("An export of service-detail audits")
    run_export(store_path, "json", out, "--period", "2026-11", "--region", "east", "--lang", "zh-Hant")
    visits = json.loads(out.read_text(encoding="utf-8"))["visits"]
    assert visits and {v["region"] for v in visits} == {"華東區"} and {v["region_id"] for v in visits} == {"east"}
    assert all(v["started_at"].startswith("2026-11") for v in visits)


def test_a_bad_filter_is_a_plain_error_and_writes_nothing(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad.zip"
    for options, message in (
        (["--region", "atlantis"], "region 'atlantis' is not in this store (there are: east, north, south)"),
        (["--period", "2026-13"], "period '2026-13': expected a year"),
        (["--checklist", "nope"], "checklist 'nope' is not in this store"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "audit", "export", "--db", str(store_path), "--format", "csv", "-o", str(out), *options],
            check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
    assert not any(p.name.startswith("bad") for p in tmp_path.iterdir())


def test_progress_reaches_the_total_and_a_stopped_export_leaves_no_file(store_path: Path, tmp_path: Path) -> None:
    database = db.connect(store_path)
    chosen = parse({"period": "2026"}, TODAY)
    seen: list[tuple[int, int]] = []
    visits = save(database, chosen, "en", "json", tmp_path / "p.json", lambda done, total: seen.append((done, total)))
    total = visits * len(export.TABLES)
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)

    def stop(done: int, total: int) -> None:
        if done > total // 2:
            raise KeyboardInterrupt

    for fmt in ("csv", "xlsx", "json"):
        with pytest.raises(KeyboardInterrupt):
            save(database, chosen, "en", fmt, tmp_path / f"stopped.{fmt}", stop)
    assert not any(p.name.startswith("stopped") for p in tmp_path.iterdir())
    assert not database.conn.in_transaction
    database.close()


@pytest.fixture
def app(store_path: Path) -> Iterator[Any]:
    application = create_app(Settings(db_path=store_path))
    with TestClient(application):
        yield application


def client(app: Any, username: str) -> TestClient:
    return sign_in(TestClient(app, follow_redirects=False), username)


def follow(c: TestClient, page: str) -> str:
    """The export's page, reloaded as its meta refresh does until the file is offered."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = c.get(page)
        assert response.status_code == 200
        if "/file" in response.text:
            assert 'http-equiv="refresh"' not in response.text
            return response.text
        assert 'http-equiv="refresh"' in response.text and "notice error" not in response.text, response.text
        time.sleep(0.1)
    raise AssertionError("the export was not ready within a minute")


def test_the_dashboard_prepares_an_export_in_the_background_for_its_owner(app: Any, store_path: Path) -> None:
    hq = client(app, "hq")
    asked = hq.post("/hq/exports", data={"format": "csv", "period": "2026-11", "region": "south", "lang": "zh-Hans"})
    assert asked.status_code == 303, asked.text
    page = asked.headers["location"]
    assert re.fullmatch(r"/hq/exports/[0-9a-f-]{36}\?lang=zh-Hans", page)
    html = follow(hq, page)
    assert "已准备好" in html
    file_url = page.split("?")[0] + "/file"
    fetched = hq.get(file_url)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "application/zip"
    assert re.fullmatch(r'attachment; filename="audit-2026-11-south-\d{8}\.zip"', fetched.headers["content-disposition"])
    _, tables = read_csv(fetched.content)
    expected = counts(store_path, "substr(v.started_at, 1, 7) = '2026-11' AND b.region_id = 'south'")
    assert {table: len(rows) for table, rows in tables.items()} == expected and expected["visits"] > 0
    assert {row["region"] for row in tables["visits"]} == {"华南区"}

    database = db.connect(store_path)
    accounts.add(database, "hq2", "hq", demo.DEMO_PASSWORD)
    database.close()
    other = client(app, "hq2")
    assert other.get(page).status_code == 404 and other.get(file_url).status_code == 404
    assert client(app, "admin").get(file_url).status_code == 200
    for username in ("inspector", "reviewer", demo.manager_name("gz-tianhe")):
        someone = client(app, username)
        assert someone.post("/hq/exports", data={"format": "csv"}).status_code == 404, username
        assert someone.get(page).status_code == 404 and someone.get(file_url).status_code == 404, username


def test_a_bad_form_says_why_and_old_exports_go(app: Any, store_path: Path) -> None:
    hq = client(app, "hq")
    refused = hq.post("/hq/exports", data={"format": "csv", "region": "atlantis"}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "region &#39;atlantis&#39; is not in this store" in refused.text
    assert hq.post("/hq/exports", data={"format": "pdf", "lang": "en"}).status_code == 422

    first = hq.post("/hq/exports", data={"format": "json", "period": "2026"}).headers["location"].split("?")[0]
    follow(hq, first)
    files = Path(f"{store_path}-exports")
    assert [p.suffix for p in files.iterdir()] == [".json"]
    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE exports SET created_at = '2026-01-01T00:00:00+00:00'")
    second = hq.post("/hq/exports", data={"format": "xlsx", "period": "2026"}).headers["location"].split("?")[0]
    assert hq.get(first).status_code == 404
    follow(hq, second)
    assert [p.suffix for p in files.iterdir()] == [".xlsx"]

    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE exports SET state = 'running', updated_at = '2026-01-01T00:00:00+00:00'")
    assert "interrupted" in hq.get(second + "?lang=en").text


def test_the_form_on_the_dashboard_asks_for_what_the_page_shows(app: Any) -> None:
    """The dashboard includes templates/export-form.html: its hidden fields are the page's
    filters, and posting them as they are asks for that export."""
    hq = client(app, "hq")
    page = hq.get("/hq?period=2026-11&region=south&lang=en")
    assert page.status_code == 200
    form = re.search(r'<form class="export-form" method="post" action="/hq/exports">(.*?)</form>', page.text, re.DOTALL)
    assert form is not None, "the dashboard shows no export form"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1)))
    assert fields["period"] == "2026-11" and fields["region"] == "south" and fields["lang"] == "en" and fields["csrf"]
    options = re.findall(r'<option value="(\w+)">', form.group(1))
    assert sorted(options) == sorted(FORMATS)
    asked = TestClient(app, follow_redirects=False)  # the session, without the header sign_in sets: the form's csrf field
    asked.cookies = hq.cookies
    answer = asked.post("/hq/exports", data={**fields, "format": "json"})
    assert answer.status_code == 303 and "?lang=en" in answer.headers["location"]
    follow(hq, answer.headers["location"])
    document = json.loads(hq.get(answer.headers["location"].split("?")[0] + "/file").content)
    assert document["visits"] and {v["region"] for v in document["visits"]} == {"South"}
