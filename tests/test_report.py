"""The visit report's content, assembled from a real store: scores as stored, failures in
full, waits, trend, regional standing, languages; and the web page that shows it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from starlette.testclient import TestClient

from audit import db, demo, report, wording
from audit.app import create_app
from audit.scoring import score_visit
from audit.startup import Settings

from .conftest import sign_in
from .test_report_support import (
    CST,
    HOME,
    REGION,
    Store,
    add_visit,
    fill,
    hostile_visit,
    supermarket,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return fill(tmp_path_factory.mktemp("report") / "audit.db")


@pytest.fixture
def database(store: Store) -> Iterator[sqlite_utils.Database]:
    connection = db.connect(store.path)
    yield connection
    connection.close()


def stored_score(database: sqlite_utils.Database, visit: str) -> float:
    return float(database.table("visit_scores").get(visit)["score"])


def test_cover_facts_and_scores_match_the_store(store: Store, database: sqlite_utils.Database) -> None:
    r = report.build(database, store.latest, "en")
    assert (r.branch, r.site, r.region) == ("Shanghai Xujiahui", "Shanghai Xujiahui supermarket", "East")
    assert r.checklist == "Supermarket service details"
    assert r.version == "4 Jul 2026", "the version as the day it came into use: here its first visit, before it was served"
    assert r.date == "7 Oct 2026" and r.times.startswith("10:15–") and r.times.endswith("UTC+08:00")
    assert r.score == pytest.approx(stored_score(database, store.latest))
    stages = {row["stage"]: row["score"] for row in database["stage_scores"].rows_where("visit_uuid = ?", [store.latest])}
    assert {s.key: s.score for s in r.stages} == pytest.approx(stages)
    assert [s.label for s in r.stages] == ["Pre-sale", "In-sale", "After-sale"]
    assert r.band == "Fail" and r.band_tone == "bad"


def test_every_failure_is_listed_once_critical_first_with_fix_note_and_photos(store: Store, database: sqlite_utils.Database) -> None:
    checklist = supermarket()
    body = json.loads(database.table("visits").get(store.latest)["body"])
    result = score_visit(checklist, body["answers"], body["started_at"])
    r = report.build(database, store.latest, "zh-Hans")
    items = {item.id: item for item in checklist.items()}
    assert result.critical_failures, "the fixture makes a critical item fail"
    assert [f.item_id for f in r.critical] == list(result.critical_failures)
    assert sorted(f.item_id for f in r.critical + r.failures) == sorted(result.failures)
    photos = {row["uuid"]: row for row in database["photos"].rows_where("visit_uuid = ?", [store.latest])}
    for finding in r.critical + r.failures:
        item = items[finding.item_id]
        assert finding.text == item.text["zh-Hans"] and finding.fix == item.fix["zh-Hans"]
        assert finding.note == (body["answers"].get(item.id, {}).get("note") or "")
        declared = [p["uuid"] for p in body["photos"] if p["item_id"] == item.id]
        assert sorted(p.uuid for p in finding.photos) == sorted(declared)
        for photo in finding.photos:
            taken = datetime.fromisoformat(photos[photo.uuid]["taken_at"])
            assert photo.caption == item.text["zh-Hans"] and photo.taken == taken.strftime("%H:%M")
    critical = next(f for f in r.critical if f.item_id == "no-expired-food")  # the use-by check the fixture failed
    assert critical.note == "货架后排有 2 盒酸奶过期一天。" and critical.answer == "否" and critical.cap == 60
    assert r.counts["failed"] == len(result.failures) and r.counts["critical"] == len(result.critical_failures)
    assert r.score == pytest.approx(min(result.uncapped or 0, *(items[i].critical_cap or 100 for i in result.critical_failures)))


def test_items_that_did_not_fail_are_compact_and_complete(store: Store, database: sqlite_utils.Database) -> None:
    r = report.build(database, store.latest, "en")
    failed = len(r.critical) + len(r.failures)
    compact = sum(len(group) for s in r.stages for sec in s.sections for group in (sec.passed, sec.na, sec.recorded, sec.unanswered))
    body = json.loads(database.table("visits").get(store.latest)["body"])
    shown = len(score_visit(supermarket(), body["answers"], body["started_at"]).items())
    assert failed + compact == shown
    assert all(" (" not in phrase or phrase.endswith(")") for s in r.stages for sec in s.sections for phrase in sec.passed)


def test_waits_timed_show_value_and_threshold(store: Store, database: sqlite_utils.Database) -> None:
    body = json.loads(database.table("visits").get(store.latest)["body"])
    timers = [i for i in supermarket().items() if i.type == "timer" and i.id in body["answers"]]
    r = report.build(database, store.latest, "en")
    assert len(r.waits) == len(timers) > 0
    for wait, item in zip(r.waits, timers):
        assert wait.text == item.text["en"]
        assert wait.limit == "at most " + wording.duration(item.pass_max or 0, wording.TEXT["en"])
        assert wait.measured == wording.duration(body["answers"][item.id]["value"], wording.TEXT["en"])
        assert wait.passed == ((item.pass_max is None or body["answers"][item.id]["value"] <= item.pass_max))


def test_duration_words() -> None:
    assert wording.duration(45, wording.TEXT["en"]) == "45 s"
    assert wording.duration(300, wording.TEXT["zh-Hans"]) == "5 分钟"
    assert wording.duration(301.6, wording.TEXT["zh-Hant"]) == "5 分 02 秒"


def test_trend_is_this_branch_earlier_visits_and_standing_ranks_the_region(store: Store, database: sqlite_utils.Database) -> None:
    r = report.build(database, store.latest, "en")
    assert [p.score for p in r.trend] == pytest.approx([stored_score(database, v) for v in store.visits[HOME]])
    assert [p.current for p in r.trend] == [False, False, False, True]
    assert [p.date for p in r.trend] == ["4 Jul 2026", "5 Aug 2026", "6 Sep 2026", "7 Oct 2026"]
    latest = {branch: stored_score(database, store.visits[branch][-1]) for branch in REGION}
    order = sorted(latest, key=lambda b: -latest[b])
    assert [row[2] for row in r.standing.rows] == pytest.approx([latest[b] for b in order])
    assert r.standing.rank == order.index(HOME) + 1 and r.standing.of == 3
    assert [row[3] for row in r.standing.rows] == [b == HOME for b in order]


def test_a_report_reads_as_of_its_visit(store: Store, database: sqlite_utils.Database, tmp_path: Path) -> None:
    second = report.build(database, store.visits[HOME][1], "en")
    assert [p.current for p in second.trend] == [False, True]
    fresh = db.connect(tmp_path / "fresh.db")
    from audit import demo

    demo.build(fresh)
    demo.people(fresh)
    db.record_checklists(fresh, [supermarket()])
    visit = add_visit(fresh, supermarket(), f"{HOME}-supermarket", seed=1, quality=0.7, started=datetime(2026, 8, 1, 10, tzinfo=CST))
    alone = report.build(fresh, visit, "en")
    assert alone.standing.of == 1 and alone.standing.rank == 1 and len(alone.trend) == 1
    add_visit(fresh, supermarket(), "hz-wulin-supermarket", seed=2, quality=0.9, started=datetime(2026, 9, 1, 10, tzinfo=CST))
    assert report.build(fresh, visit, "en").digest() == alone.digest(), "a later visit does not change an older report"
    add_visit(fresh, supermarket(), "nj-xinjiekou-supermarket", seed=3, quality=0.9, started=datetime(2026, 7, 1, 10, tzinfo=CST))
    moved = report.build(fresh, visit, "en")
    assert moved.standing.of == 2 and moved.digest() != alone.digest(), "an earlier visit synced late does"


def test_languages_and_fallback(store: Store, database: sqlite_utils.Database) -> None:
    assert report.build(database, store.latest).lang == "zh-Hans"  # the checklist's default
    hant = report.build(database, store.latest, "zh-TW")
    assert hant.lang == "zh-Hant" and hant.branch == "上海徐家匯店" and hant.checklist == "超市服務細節檢查表"
    assert report.build(database, store.latest, "fr").lang == "zh-Hans"
    assert report.build(database, store.latest, "ZH_hant").lang == "zh-Hant"
    with pytest.raises(report.NotFound):
        report.build(database, "00000000-0000-4000-8000-000000000000")


def test_latest_and_prefix_lookup(store: Store, database: sqlite_utils.Database) -> None:
    latest = max(database["visits"].rows, key=lambda v: datetime.fromisoformat(v["started_at"]))
    assert report.latest_visit(database) == latest["uuid"]
    assert report.find_visit(database, store.latest[:8]) == store.latest
    assert report.find_visit(database, store.latest[:4]) is None


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = fill(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=store.path, brand_name="鲜丰超市", accent="#7a1f5c"))) as test_client:
        test_client.store = store  # type: ignore[attr-defined]
        yield sign_in(test_client, demo.manager_name(HOME))


def test_web_report_page(client: TestClient) -> None:
    store: Store = client.store  # type: ignore[attr-defined]
    page = client.get(f"/visits/{store.latest}/report?lang=zh-Hant")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert '<html lang="zh-Hant">' in html and "上海徐家匯店" in html and "鲜丰超市" in html and "#7a1f5c" in html
    assert 'href="report.pdf?lang=zh-Hant"' in html
    thumbs = re.findall(r'src="(photos/[0-9a-f-]+/thumb)"', html)
    assert thumbs
    for src in thumbs:
        image = client.get(f"/visits/{store.latest}/{src}")
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert image.content.startswith(b"\xff\xd8")
    other = store.visits["hz-wulin"][0]
    assert client.get(f"/visits/{other}/{thumbs[0]}").status_code == 404, "a photo is served only under its own visit"
    assert client.get("/visits/00000000-0000-4000-8000-000000000000/report").status_code == 404
    assert client.get("/visits/00000000-0000-4000-8000-000000000000/report.pdf").status_code == 404


def test_web_report_escapes_hostile_text(client: TestClient) -> None:
    store: Store = client.store  # type: ignore[attr-defined]
    database = db.connect(store.path)
    visit = hostile_visit(database, "http://127.0.0.1:9", started=datetime(2026, 11, 2, 9, tzinfo=CST))
    database.close()
    html = client.get(f"/visits/{visit}/report?lang=en").text
    body = html.split("<body>", 1)[1]
    assert "&lt;link rel=attachment href=file:///etc/passwd&gt;" in body
    for raw in ("<link", "<img src=http", "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink", "<style>", "<script", "<iframe", "<object", "<a href=javascript"):
        assert raw not in body, raw
    assert "{{ 7 * 7 }} {% raw %}" in body, "user text is data, never template source"


def test_settings_refuse_a_bad_accent_and_a_bad_logo(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        create_app(Settings(db_path=tmp_path / "a.db", accent="red; background: url(file:///etc/passwd)"))
    logo = tmp_path / "logo.svg"
    logo.write_text("<svg/>")
    with pytest.raises(ValueError, match="PNG or JPEG"):
        create_app(Settings(db_path=tmp_path / "a.db", logo_path=logo))


def test_answers_and_pass_rules_in_the_readers_words(tmp_path: Path) -> None:
    """The complete example of checklists/README.md, failed item by item, read in two languages."""
    from audit import demo, sync
    from audit.validate import check_bytes

    from .conftest import ROOT

    doc = (ROOT / "checklists" / "README.md").read_text(encoding="utf-8")
    example = doc.split("## A complete example")[1].split("```yaml\n")[1].split("```")[0]
    checklist = check_bytes(example.encode("utf-8"), "example.yaml").checklist
    assert checklist is not None
    database = db.connect(tmp_path / "words.db")
    demo.build(database)
    db.record_checklists(database, [checklist])
    body = {
        "checklist_id": checklist.id,
        "checklist_hash": checklist.content_hash(),
        "site_id": "gz-tianhe-supermarket",
        "started_at": "2026-09-01T09:30:00+08:00",
        "answers": {
            "child-carts": {"value": "yes"},
            "child-cart-count": {"value": 1},
            "queue-wait": {"value": 330},
            "cashier-greeting": {"value": "none", "note": "<b>没有</b>问候"},
        },
        "photos": [],
    }
    visit = "5eed5eed-0000-4000-8000-000000000001"
    assert sync.put_visit(database, visit, body).status == 200
    zh = report.build(database, visit, "zh-Hans")
    found = {f.item_id: (f.answer, f.expected) for f in zh.critical + zh.failures}
    assert found == {
        "child-cart-count": ("1 辆", "不少于 3 辆"),
        "queue-wait": ("5 分 30 秒", "不超过 5 分钟"),
        "cashier-greeting": ("没有问候", "主动问候并有眼神交流、回应了问候"),  # both score at least 0.5
    }
    assert [f.item_id for f in zh.critical] == ["cashier-greeting"] and zh.critical[0].note == "<b>没有</b>问候"
    assert zh.score == pytest.approx(zh.uncapped) and (zh.score or 0) < 60 and zh.band == "不合格"  # under the cap already
    assert zh.waits[0].measured == "5 分 30 秒" and not zh.waits[0].passed
    en = report.build(database, visit, "en")
    assert {f.item_id: (f.answer, f.expected) for f in en.critical + en.failures}["queue-wait"] == ("5 min 30 s", "at most 5 min")
    passed = [phrase for stage in en.stages for section in stage.sections for phrase in section.passed]
    assert passed == ["Cartoon child carts are available at the entrance"]
    unanswered = [phrase for stage in en.stages for section in stage.sections for phrase in section.unanswered]
    assert unanswered == ["Photo of the receipt (not answered)"]
    database.close()


def test_moments_read_in_the_organisation_s_time() -> None:
    from audit import wording

    assert wording.DISPLAY_ZONE.key == "Asia/Shanghai"  # the default, as the tests run without AUDIT_TIMEZONE
    assert wording.clock("2026-11-30T18:30:05+00:00") == "2026-12-01 02:30"
    assert wording.clock("2026-11-30T10:00:00+08:00") == "2026-11-30 10:00"
    assert wording.clock("2026-11-30T10:00") == "2026-11-30 10:00" and wording.clock("") == "" and wording.clock("garbage") == "garbage"
