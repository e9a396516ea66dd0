"""The store manager's phone API on the demo store, through the real app: the list of what is
due at the manager's own branches only, in every language the checklist has and without the
inspector's method; an answer under its own id stored once however often it is sent, another
answer under that id refused, and every refusal a JSON message naming what is wrong."""

from __future__ import annotations

import io
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from PIL import Image
from starlette.testclient import TestClient

from audit import db, demo
from audit.pinned import latest_checklist

from .conftest import sign_in

BRANCH = "sh-xujiahui"
MANAGER = demo.manager_name(BRANCH)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((1600, 1200), 60).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def open_of(store: Path, branch: str, *, photo: bool | None = None) -> list[str]:
    """Open findings of a branch; with `photo`, only those whose detail does (or does not) ask for a photo."""
    database = db.connect(store)
    rows = database.execute(
        "SELECT f.id, f.checklist_id, f.item_id FROM findings f JOIN sites s ON s.id = f.site_id "
        "WHERE s.branch_id = ? AND f.state = 'open' ORDER BY f.id", [branch]
    ).fetchall()
    found = []
    for finding_id, checklist_id, item_id in rows:
        item = next(i for i in latest_checklist(database, checklist_id).items() if i.id == item_id)
        if photo is None or bool(item.evidence_photo) == photo:
            found.append(finding_id)
    database.close()
    return found


def events(store: Path, finding_id: str) -> list[tuple[str, str, int]]:
    with sqlite3.connect(store) as conn:
        return conn.execute(
            "SELECT e.action, e.note, count(p.uuid) FROM finding_events e LEFT JOIN finding_photos p ON p.event_id = e.id "
            "WHERE e.finding_id = ? AND e.action IN ('fixed', 'dispute') GROUP BY e.id ORDER BY e.id", [finding_id]
        ).fetchall()


def put(client: TestClient, finding_id: str, answer_id: str, kind: str, note: str, photo: bytes | None = None) -> Any:
    files = {"photo": ("fix.jpg", photo, "image/jpeg")} if photo else None
    return client.put(f"/api/findings/{finding_id}/answers/{answer_id}", data={"kind": kind, "note": note}, files=files)


def test_the_list_holds_the_managers_branches_only_in_the_stores_words(released_app: Any, released_store: Path) -> None:
    listing = sign_in(TestClient(released_app), MANAGER).get("/api/findings/mine")
    assert listing.status_code == 200
    entries = listing.json()
    with sqlite3.connect(released_store) as conn:
        active = {row[0] for row in conn.execute(
            "SELECT f.id FROM findings f JOIN sites s ON s.id = f.site_id WHERE s.branch_id = ? AND f.state IN ('open', 'fixed', 'disputed')",
            [BRANCH])}
    assert {entry["id"] for entry in entries} == active and active
    database = db.connect(released_store)
    for entry in entries:
        checklist_id = database.execute("SELECT checklist_id FROM findings WHERE id = ?", [entry["id"]]).fetchone()[0]
        item = next(i for i in latest_checklist(database, checklist_id).items() if i.id == entry["item_id"])
        assert entry["text"] == dict(item.text) and set(entry["text"]) == {"zh-Hans", "zh-Hant", "en"}
        assert item.guidance["en"] not in str(entry)  # the inspector's method never reaches the store
        assert entry["photo"] == bool(item.evidence_photo)
    database.close()
    assert [e["overdue"] for e in entries] == sorted((e["overdue"] for e in entries), reverse=True)
    assert sign_in(TestClient(released_app), "inspector").get("/api/findings/mine").status_code == 403
    assert sign_in(TestClient(released_app), "hq").get("/api/findings/mine").status_code == 403


def test_an_answer_is_stored_once_under_its_id(released_app: Any, released_store: Path) -> None:
    finding_id = open_of(released_store, BRANCH, photo=True)[0]
    manager = sign_in(TestClient(released_app), MANAGER)
    answer_id = str(uuid.uuid4())
    refused = put(manager, finding_id, answer_id, "fixed", "补齐了")
    assert refused.status_code == 422 and "photo" in refused.json()["message"]
    photo = jpeg()
    first = put(manager, finding_id, answer_id, "fixed", "补齐了", photo)
    assert first.status_code == 200, first.text
    assert first.json() == {"finding": finding_id, "answer": answer_id, "state": "fixed"}
    again = put(manager, finding_id, answer_id, "fixed", "补齐了", photo)  # a retry after a lost answer
    assert again.status_code == 200 and again.json()["state"] == "fixed"
    assert events(released_store, finding_id) == [("fixed", "补齐了", 1)]
    other = put(manager, finding_id, answer_id, "fixed", "another note", photo)
    assert other.status_code == 409 and "id" in other.json()["message"]
    later = put(manager, finding_id, str(uuid.uuid4()), "dispute", "not so")
    assert later.status_code == 422 and "fixed" in later.json()["message"]
    assert events(released_store, finding_id) == [("fixed", "补齐了", 1)]


def test_a_dispute_needs_a_reason_and_comes_without_a_photo(released_app: Any, released_store: Path) -> None:
    finding_id = open_of(released_store, BRANCH)[-1]
    manager = sign_in(TestClient(released_app), MANAGER)
    assert put(manager, finding_id, str(uuid.uuid4()), "dispute", "  ").status_code == 422
    answered = put(manager, finding_id, str(uuid.uuid4()), "dispute", "当天有两辆儿童车在门口", jpeg())
    assert answered.status_code == 200 and answered.json()["state"] == "disputed"
    assert events(released_store, finding_id) == [("dispute", "当天有两辆儿童车在门口", 0)]


def test_refusals_say_what_is_wrong(released_app: Any, released_store: Path) -> None:
    finding_id = open_of(released_store, BRANCH)[0]
    manager = sign_in(TestClient(released_app), MANAGER)
    other_branch = open_of(released_store, "sz-futian")[0]
    assert put(manager, other_branch, str(uuid.uuid4()), "dispute", "x").status_code == 404
    assert put(manager, str(uuid.uuid4()), str(uuid.uuid4()), "dispute", "x").status_code == 404
    bad_id = put(manager, finding_id, "not-a-uuid", "dispute", "x")
    assert bad_id.status_code == 422 and "UUID" in bad_id.json()["message"]
    unknown = put(manager, finding_id, str(uuid.uuid4()), "closed", "x")
    assert unknown.status_code == 422 and "closed" in unknown.json()["message"]
    not_form = manager.put(f"/api/findings/{finding_id}/answers/{uuid.uuid4()}", content=b"\x00\xff", headers={"Content-Type": "multipart/form-data"})
    assert not_form.status_code == 422 and not_form.json()["error"] == "invalid"
    broken = put(manager, finding_id, str(uuid.uuid4()), "fixed", "补齐了", jpeg()[:5000])
    assert broken.status_code == 422 and "photo" in broken.json()["message"]
    inspector = sign_in(TestClient(released_app), "inspector")
    assert put(inspector, finding_id, str(uuid.uuid4()), "dispute", "x").status_code == 403
    assert events(released_store, finding_id) == []
