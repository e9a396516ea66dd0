"""The comparisons against figures computed by hand on a small organisation: ranking with
sample sizes and the too-few marker, N/A left out of every mean, stage rankings, the trend,
the most-failed details, the heatmap's cells and the inspectors' calibration. The visits go
through the real path: sent as a phone sends them, then released by a reviewer (one is left
waiting, and counts nowhere)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from audit import accounts, compare, db, filters, library, review, sync

CHECKLIST = """\
id: tiny
title: {zh-Hans: 小店, zh-Hant: 小店, en: Tiny shop}
language: zh-Hans
languages: [zh-Hans, zh-Hant, en]
site_types: [supermarket]
stages:
  pre-sale:
    sections:
      - id: door
        title: 门口
        items:
          - {id: a, text: 有人招呼, guidance: 看, fix: 招呼, type: yes_no, na: true}
          - {id: b, text: 有购物车, guidance: 看, fix: 补车, type: yes_no, na: true}
  in-sale:
    sections:
      - id: till
        title: 收银
        items:
          - {id: c, text: 唱收唱付, guidance: 听, fix: 唱收, type: yes_no, na: true, critical: {cap: 60}}
"""

# (name, site, inspector, month, answers a b c as y / n / - for N/A, released)
VISITS = [
    ("v1", "b1-s1", "i1", "2026-05", "yyy", True),
    ("v2", "b1-s1", "i2", "2026-05", "yny", True),
    ("v3", "b1-s1", "i1", "2026-06", "nnn", True),
    ("v4", "b2-s", "i1", "2026-05", "yyn", True),
    ("v5", "b2-s", "i2", "2026-05", "---", True),
    ("v6", "b2-s", "i2", "2026-05", "yn-", True),
    ("v7", "b3-s", "i1", "2026-05", "yyy", True),
    ("v8", "b1-s2", "i2", "2026-05", "-yy", True),
    ("v9", "b3-s", "i1", "2026-05", "nnn", False),
]
PERIOD = filters.parse({"period": "2026-05..2026-06"}, date(2026, 11, 30))


def _answer(mark: str) -> dict[str, Any]:
    return {"na": True} if mark == "-" else {"value": "yes" if mark == "y" else "no"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite_utils.Database, dict[str, str]]:
    folder = tmp_path_factory.mktemp("compare")
    (folder / "checklists").mkdir()
    (folder / "checklists" / "tiny.yaml").write_text(CHECKLIST, encoding="utf-8")
    checklist = library.load(folder / "checklists")[0]
    database = db.connect(folder / "audit.db")
    name = lambda zh, en: json.dumps({"zh-Hans": zh, "en": en}, ensure_ascii=False)  # noqa: E731
    with db.writing(database):
        database["site_types"].insert({"id": "supermarket", "name": name("超市", "Supermarket")}, replace=True)
        database["regions"].insert_all([{"id": "r1", "name": name("一区", "One")}, {"id": "r2", "name": name("二区", "Two")}])
        database["branches"].insert_all(
            [{"id": b, "region_id": r, "name": name(b, b), "city": ""} for b, r in (("b1", "r1"), ("b2", "r1"), ("b3", "r2"))]
        )
        database["sites"].insert_all(
            [{"id": s, "branch_id": s[:2], "name": name(s, s), "site_type": "supermarket"} for s in ("b1-s1", "b1-s2", "b2-s", "b3-s")]
        )
    db.record_checklists(database, [checklist])
    people = {who: accounts.add(database, who, "inspector", "a-long-password", display_name=who).id for who in ("i1", "i2")}
    reviewer = accounts.add(database, "rev", "reviewer", "a-long-password")
    ids = {}
    for day, (label, site, inspector, month, marks, released) in enumerate(VISITS, start=1):
        body = {
            "checklist_id": "tiny", "checklist_hash": checklist.content_hash(), "site_id": site,
            "started_at": f"{month}-{day:02d}T10:00:00+08:00", "ended_at": f"{month}-{day:02d}T10:30:00+08:00",
            "narrative": "", "answers": dict(zip("abc", map(_answer, marks))), "photos": [],
        }
        ids[label] = str(uuid.uuid4())
        assert sync.put_visit(database, ids[label], body, inspector=people[inspector]).status == 200
        if released:
            review.move(database, ids[label], reviewer, "approve")
    return database, ids


def test_branches_ranked_with_sample_sizes_and_na_left_out(store: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    database, _ = store
    rows = {r.id: r for r in compare.standings(database, PERIOD, "branch")}
    assert [r.id for r in compare.standings(database, PERIOD, "branch")] == ["b1", "b3", "b2"]
    assert rows["b1"].score == compare.Figure(pytest.approx(68.75), 4) and rows["b1"].rank == 1 and not rows["b1"].few
    assert rows["b2"].visits == 3 and rows["b2"].score == compare.Figure(50.0, 2)  # v5 all N/A: no score, not a zero
    assert rows["b2"].few and rows["b2"].rank is None
    assert rows["b3"].score == compare.Figure(100.0, 1) and rows["b3"].rank is None  # v9 waits for review
    assert rows["b1"].stages["pre-sale"] == compare.Figure(pytest.approx(62.5), 4)
    assert rows["b2"].stages["in-sale"] == compare.Figure(0.0, 1)
    assert (rows["b1"].critical_visits, rows["b2"].critical_visits, rows["b3"].critical_visits) == (1, 1, 0)
    regions = {r.id: r for r in compare.standings(database, PERIOD, "region")}
    assert regions["r1"].score == compare.Figure(pytest.approx(62.5), 6)  # the mean of visit scores, not of branch means
    assert compare.overall(database, PERIOD).score == compare.Figure(pytest.approx(475 / 7), 7)
    sites = [r.id for r in compare.standings(database, PERIOD, "site", branch="b1")]
    assert sorted(sites) == ["b1-s1", "b1-s2"]
    assert compare.standings(database, PERIOD.narrowed(region="r2"), "branch")[0].id == "b3"


def test_ties_share_a_rank_and_stage_rankings_use_the_stage_mean() -> None:
    figure = compare.Figure
    rows = [
        compare.Standing(name, {}, 3, figure(score, 3), {"pre-sale": figure(stage, 3)}, 0, 0, None)
        for name, score, stage in (("x", 80.0, 10.0), ("y", 90.0, 50.0), ("z", 80.0, 90.0), ("w", 70.0, None))
    ]
    assert [(r.id, r.rank) for r in compare.ranked(rows)] == [("y", 1), ("x", 2), ("z", 2), ("w", 4)]
    assert [(r.id, r.rank) for r in compare.ranked(rows, "pre-sale")] == [("z", 1), ("y", 2), ("x", 3), ("w", None)]


def test_trend_by_month_with_gaps(store: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    database, _ = store
    series = compare.trend(database, PERIOD, "branch", ["b1", "b3"])
    assert series["b1"] == [("2026-05", compare.Figure(pytest.approx(275 / 3), 3)), ("2026-06", compare.Figure(0.0, 1))]
    assert series["b3"] == [("2026-05", compare.Figure(100.0, 1)), ("2026-06", compare.Figure(None, 0))]


def test_most_failed_details_and_the_heatmap(store: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    database, _ = store
    assert compare.busiest_checklist(database, PERIOD) == "tiny"
    items = compare.failing_items(database, PERIOD, "tiny")
    assert [(i.item_id, i.failed, i.observed, i.critical_failed) for i in items] == [("b", 3, 7, 0), ("c", 2, 6, 2), ("a", 1, 6, 0)]
    keys = {i.item_id: i.key for i in items}
    grid = compare.failure_grid(database, PERIOD, "tiny", ["b1", "b2"], list(keys.values()))
    assert grid[("b1", keys["a"])] == (1, 3) and grid[("b1", keys["b"])] == (2, 4) and grid[("b2", keys["c"])] == (1, 1)
    assert ("b2", keys["a"]) in grid and grid[("b2", keys["a"])] == (0, 2)
    june = filters.parse({"period": "2026-06"}, date(2026, 11, 30))
    assert [(i.item_id, i.failed, i.observed) for i in compare.failing_items(database, june, "tiny")] == [("a", 1, 1), ("b", 1, 1), ("c", 1, 1)]
    assert compare.failing_items(database, PERIOD.narrowed(region="r2"), "tiny") == []


def test_calibration_against_colleagues_on_the_same_sites(store: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    database, _ = store
    found = {c.name: c for c in compare.calibration(database, PERIOD)}
    assert found["i1"].deviation == pytest.approx(-50 / 3) and (found["i1"].compared, found["i1"].visits, found["i1"].sites) == (3, 4, 3)
    assert found["i1"].far
    assert found["i2"].deviation == pytest.approx(12.5) and (found["i2"].compared, found["i2"].visits) == (2, 3)
    assert not found["i2"].far  # far enough, but on two visits only


def test_the_visits_behind_a_site(store: tuple[sqlite_utils.Database, dict[str, str]]) -> None:
    database, ids = store
    lines = compare.visits_of_site(database, PERIOD, "b1-s1")
    assert [line.visit_uuid for line in lines] == [ids["v3"], ids["v2"], ids["v1"]]
    assert [line.score for line in lines] == [0.0, 75.0, 100.0]


def test_the_comparison_pdf_in_three_languages(store: tuple[sqlite_utils.Database, dict[str, str]], tmp_path: Path) -> None:
    import subprocess
    import sys

    database, _ = store
    path = database.execute("PRAGMA database_list").fetchone()[2]
    titles = {"zh-Hans": ("门店对比", "一区"), "zh-Hant": ("門店對比", "一區"), "en": ("Branch comparison", "One")}
    for lang, (title, region) in titles.items():
        output = tmp_path / f"compare-{lang}.pdf"
        done = subprocess.run(
            [sys.executable, "-m", "audit", "compare", "--db", path, "--period", "2026-05..2026-06", "--lang", lang, "-o", str(output)],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        text = subprocess.run(["pdftotext", "-layout", str(output), "-"], capture_output=True, text=True, check=True).stdout
        assert title in text and "68.8" in text and "2026-05-01 – 2026-06-30" in text
        assert (region in text) or lang != "en"
    wrong = subprocess.run(
        [sys.executable, "-m", "audit", "compare", "--db", path, "--period", "2026-13", "-o", str(tmp_path / "x.pdf")],
        capture_output=True, text=True, timeout=120,
    )
    assert wrong.returncode == 1 and "period '2026-13'" in wrong.stderr and "Traceback" not in wrong.stderr
    assert not (tmp_path / "x.pdf").exists()
