"""The findings' pages on the demo store, through the real app: a store manager lists what is
due, answers one fixed with a photo (the same form sent twice is one answer) and disputes
another; another branch's manager sees neither; a reviewer judges the dispute from their list;
the report then shows the adjusted score beside the first one, and the branch's open findings,
in the store's words only."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path
from typing import Any

from PIL import Image
from starlette.testclient import TestClient

from audit import db, demo
from audit import report as report_module
from audit.pinned import latest_checklist

from .conftest import sign_in

MANAGER = demo.manager_name("sh-xujiahui")
REGION = "east"  # sh-xujiahui's, in the demo organisation


def person(app: Any, username: str) -> TestClient:
    return sign_in(TestClient(app), username)


def open_findings(store: Path, branch: str) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(store) as conn:
        return conn.execute(
            "SELECT f.id, f.visit_uuid, f.checklist_id, f.item_id FROM findings f JOIN sites s ON s.id = f.site_id "
            "WHERE s.branch_id = ? AND f.state = 'open' ORDER BY f.critical DESC, f.id",
            [branch],
        ).fetchall()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((2400, 1800), 60).convert("RGB").save(out, "JPEG", quality=95)  # over a megabyte, as a phone's photo is
    return out.getvalue()


def test_the_store_answers_and_a_reviewer_judges(released_app: Any, released_store: Path) -> None:
    found = open_findings(released_store, "sh-xujiahui")
    assert len(found) >= 2
    (fixed_id, _, checklist_id, item_id), (disputed_id, visit_id, _, _) = found[0], found[1]
    manager = person(released_app, MANAGER)
    listing = manager.get("/findings?lang=en").text
    assert fixed_id in listing and disputed_id in listing
    page = manager.get(f"/findings/{fixed_id}?lang=en").text
    database = db.connect(released_store)
    item = next(i for i in latest_checklist(database, checklist_id).items() if i.id == item_id)
    assert item.text["en"] in page and item.guidance["en"] not in page  # the standard, never the inspector's method
    form = {"csrf": manager.headers["X-CSRF-Token"], "answer_id": re.search(r'name="answer_id" value="([^"]+)"', page)[1], "note": "补齐了", "action": "fixed"}
    del manager.headers["X-CSRF-Token"]
    refused = manager.post(f"/findings/{fixed_id}", data={k: v for k, v in form.items() if k != "csrf"}, follow_redirects=False)
    assert refused.status_code == 403
    photo = jpeg()
    assert len(photo) > 1024 * 1024
    for _ in range(2):  # a double tap: one answer
        sent = manager.post(f"/findings/{fixed_id}", data=form, files={"photo": ("fix.jpg", photo, "image/jpeg")}, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    events = database.execute("SELECT action FROM finding_events WHERE finding_id = ? ORDER BY id", [fixed_id]).fetchall()
    assert [e[0] for e in events] == ["opened", "fixed"]
    assert database.execute("SELECT state FROM findings WHERE id = ?", [fixed_id]).fetchone()[0] == "fixed"
    shown = manager.get(f"/findings/{fixed_id}?lang=en").text
    thumb = re.search(r'src="(/findings/[^"]+/thumb)"', shown)[1]
    assert manager.get(thumb).status_code == 200
    stranger = person(released_app, demo.manager_name("gz-tianhe"))
    assert stranger.get(f"/findings/{fixed_id}").status_code == 404 and stranger.get(thumb).status_code == 404
    assert fixed_id not in stranger.get("/findings").text

    page = manager.get(f"/findings/{disputed_id}?lang=en").text
    answer_id = re.search(r'name="answer_id" value="([^"]+)"', page)[1]
    dispute = {"csrf": form["csrf"], "answer_id": answer_id, "note": "当天设备在维修，有维修单", "action": "dispute"}
    assert manager.post(f"/findings/{disputed_id}", data=dispute, follow_redirects=False).status_code == 303
    before = database.execute("SELECT score FROM visit_scores WHERE visit_uuid = ?", [visit_id]).fetchone()[0]

    reviewer = person(released_app, "reviewer")
    assert "/findings/disputes" in reviewer.get("/review").text
    assert disputed_id in reviewer.get("/findings/disputes").text
    assert manager.get("/findings/disputes").status_code == 404
    judged = reviewer.post(f"/findings/{disputed_id}", data={"csrf": reviewer.headers["X-CSRF-Token"], "action": "accept", "note": "维修单属实"}, follow_redirects=False)
    assert judged.status_code == 303
    adjusted, first = database.execute("SELECT adjusted, score FROM visit_scores WHERE visit_uuid = ?", [visit_id]).fetchone()
    assert first == before and adjusted is not None and adjusted >= first
    assert database.execute("SELECT score FROM released_visits WHERE visit_uuid = ?", [visit_id]).fetchone()[0] == adjusted
    report = manager.get(f"/visits/{visit_id}/report?lang=en").text
    assert "After accepted disputes: " + f"{adjusted:.1f}".removesuffix(".0") in report
    assert "Findings at this branch still open" in report and "marked fixed, to be re-checked" in report
    assert report.count("dispute accepted: not counted in the adjusted score") == 1
    visit_checklist = database.execute("SELECT checklist_id FROM visits WHERE uuid = ?", [visit_id]).fetchone()[0]
    history = report_module._history(database, visit_checklist, REGION, visit_id)  # the region's ranking counts as HQ does
    assert next(row["score"] for row in history if row["uuid"] == visit_id) == adjusted
    again = reviewer.post(f"/findings/{disputed_id}", data={"csrf": reviewer.headers["X-CSRF-Token"], "action": "reject"}, follow_redirects=False)
    assert again.status_code == 422 and "not disputed" in again.text
    database.close()
