"""People and what each may do, tried from outside against the real app on a real file:
every route refuses a stranger, no one reads what is not theirs by guessing an id, state
changes need the CSRF token, guessing passwords is braked, and a revoked token or a disabled
user is refused at the next request."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from audit import accounts, db, demo, library, review, routes, sessions
from audit.app import create_app
from audit.model import INSPECTOR_ONLY
from audit.startup import Settings

from .conftest import ROOT, bearer, demo_database_with_visits, sign_in

PUBLIC = {("GET", "/"), ("GET", "/sw.js"), ("GET", "/manifest.webmanifest"), ("GET", "/health"), ("GET", "/signin"), ("POST", "/signin"), ("POST", "/api/session")}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full demo: people, six months of reviewed visits with photos. Tests copy it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo_database_with_visits(path, today=date(2026, 11, 22))
    return path


@pytest.fixture
def store_path(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "audit.db"
    source = sqlite3.connect(demo_store)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


@pytest.fixture
def app(store_path: Path) -> Iterator[Any]:
    application = create_app(Settings(db_path=store_path))
    with TestClient(application):  # runs the lifespan once; each test makes its own clients
        yield application


def client(app: Any, username: str | None = None) -> TestClient:
    fresh = TestClient(app, follow_redirects=False)
    return sign_in(fresh, username) if username else fresh


def one(path: Path, sql: str, params: list[Any] | None = None) -> Any:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params or []).fetchone()


def visits_by(path: Path, where: str, params: list[Any] | None = None) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute(f"SELECT v.uuid FROM visits v JOIN sites s ON s.id = v.site_id WHERE {where}", params or [])]


def test_every_route_refuses_a_stranger(app: Any, store_path: Path) -> None:
    """Each route of the URL map, each of its methods, with real ids filled in: without a
    session or token only the shell, its files, health and sign-in answer."""
    visit = visits_by(store_path, "v.state = 'released'")[0]
    photo = one(store_path, "SELECT uuid FROM photos WHERE visit_uuid IN (SELECT uuid FROM visits WHERE state = 'released')")[0]
    values = {"uuid": visit, "photo_uuid": photo, "branch": "sh-xujiahui", "site": one(store_path, "SELECT id FROM sites LIMIT 1")[0],
              "finding": one(store_path, "SELECT id FROM findings LIMIT 1")[0], "photo": photo, "answer": str(uuid.uuid4())}
    stranger = client(app)
    seen = 0
    for route in routes.routes():
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)
        for method in sorted(route.methods or {"GET"}):
            if method == "HEAD":
                continue
            seen += 1
            response = stranger.request(method, path)
            if (method, route.path) in PUBLIC:
                assert response.status_code < 500, (method, path)
                continue
            if path.startswith("/api/") or method != "GET":
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.json()["error"] == "unauthorized"
            else:
                assert response.status_code == 303 and response.headers["location"].startswith("/signin?next="), (method, path)
    assert seen >= 20
    assert stranger.get("/static/js/app.js").status_code == 200


def _store_fetches(c: TestClient, visit: str, photo: str | None) -> dict[str, int]:
    fetched = {
        "report": c.get(f"/visits/{visit}/report").status_code,
        "pdf": c.get(f"/visits/{visit}/report.pdf").status_code,
        "visit": c.get(f"/api/visits/{visit}").status_code,
        "review": c.get(f"/review/{visit}").status_code,
    }
    if photo:
        fetched["thumb"] = c.get(f"/visits/{visit}/photos/{photo}/thumb").status_code
        fetched["photo"] = c.get(f"/visits/{visit}/photos/{photo}").status_code
    return fetched


def test_a_store_manager_reads_only_released_reports_of_their_branch(app: Any, store_path: Path) -> None:
    manager = client(app, demo.manager_name("sh-xujiahui"))
    other = visits_by(store_path, "v.state = 'released' AND s.branch_id = 'gz-tianhe'")[0]
    other_photo = one(store_path, "SELECT uuid FROM photos WHERE visit_uuid = ?", [other])
    unreleased = visits_by(store_path, "v.state != 'released' AND s.branch_id = 'sh-xujiahui'")[0]
    own = visits_by(store_path, "v.state = 'released' AND s.branch_id = 'sh-xujiahui'")[0]
    assert _store_fetches(manager, other, other_photo[0] if other_photo else None) == {
        "report": 404, "pdf": 404, "visit": 403, "review": 404, **({"thumb": 404, "photo": 404} if other_photo else {})
    }
    assert _store_fetches(manager, unreleased, None) == {"report": 404, "pdf": 404, "visit": 403, "review": 404}
    assert manager.get(f"/visits/{own}/report").status_code == 200
    for api in ("/api/checklists", "/api/sites", "/api/visits/mine"):
        assert manager.get(api).status_code == 403, api
    assert manager.put(f"/api/visits/{uuid.uuid4()}", json={}).status_code == 403
    home = manager.get("/store").text
    assert own in home and other not in home and unreleased not in home


def test_an_inspector_reads_only_their_own_visits(app: Any, store_path: Path) -> None:
    me = accounts.by_username(db.connect(store_path), "inspector")
    assert me is not None
    mine = visits_by(store_path, "v.inspector_id = ?", [me.id])
    theirs = visits_by(store_path, "v.inspector_id != ?", [me.id])[0]
    inspector = client(app, "inspector")
    assert inspector.get(f"/api/visits/{mine[0]}").status_code == 200
    assert inspector.get(f"/api/visits/{theirs}").status_code == 404
    assert {v["uuid"] for v in inspector.get("/api/visits/mine").json()} == set(mine)
    photo = one(store_path, "SELECT uuid FROM photos WHERE visit_uuid = ?", [theirs])
    if photo:
        assert inspector.put(f"/api/visits/{theirs}/photos/{photo[0]}", content=b"x").status_code == 404
    assert inspector.get(f"/visits/{theirs}/report").status_code == 404
    assert inspector.get("/review").status_code == 404
    assert inspector.get("/store").status_code == 404


def _texts_of_the_inspector(store_path: Path) -> list[str]:
    """Every inspector-only text of every checklist, in every language, and every inspector's name."""
    found: list[str] = []
    for checklist in library.load(ROOT / "checklists"):
        for item in checklist.items():
            for field in INSPECTOR_ONLY:
                value = getattr(item, field, None)
                if isinstance(value, dict):
                    found += [text for text in value.values() if len(text) >= 6]
    with sqlite3.connect(store_path) as conn:
        found += [row[0] for row in conn.execute("SELECT display_name FROM users WHERE role = 'inspector'")]
        found += [row[0] for row in conn.execute("SELECT username FROM users WHERE role = 'inspector'")]
    return found


def test_nothing_a_store_manager_fetches_names_the_shopper_or_their_method(app: Any, store_path: Path) -> None:
    manager = client(app, demo.manager_name("sh-xujiahui"))
    secrets_ = _texts_of_the_inspector(store_path)
    own = visits_by(store_path, "v.state = 'released' AND s.branch_id = 'sh-xujiahui'")
    assert own
    pages = [manager.get("/store").text]
    for visit in own:
        for lang in ("zh-Hans", "zh-Hant", "en"):
            pages.append(manager.get(f"/visits/{visit}/report?lang={lang}").text)
    for visit in own[:2]:
        pdf = manager.get(f"/visits/{visit}/report.pdf?lang=zh-Hans")
        assert pdf.status_code == 200
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
        pages.append(text)
    pseudonyms = [row[0] for row in sqlite3.connect(store_path).execute("SELECT pseudonym FROM users WHERE role = 'inspector'")]
    assert any(p in page for p in pseudonyms for page in pages[1:])
    for page in pages:
        leaked = [secret for secret in secrets_ if secret in page]
        assert not leaked, leaked[:3]


def test_state_changes_need_the_csrf_token(app: Any, store_path: Path) -> None:
    waiting = visits_by(store_path, "v.state = 'submitted'")[0]
    reviewer = client(app, "reviewer")
    token = reviewer.headers.pop("X-CSRF-Token")
    refused = reviewer.post(f"/review/{waiting}", data={"action": "approve", "comment": ""})
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    forged = reviewer.post(f"/review/{waiting}", data={"action": "approve", "csrf": "not-it"})
    assert forged.status_code == 403
    elsewhere = reviewer.post(f"/review/{waiting}", data={"action": "approve", "csrf": token}, headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    fetched = reviewer.post(f"/review/{waiting}", data={"action": "approve", "csrf": token}, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    assert one(store_path, "SELECT state FROM visits WHERE uuid = ?", [waiting])[0] == "submitted"
    done = reviewer.post(f"/review/{waiting}", data={"action": "approve", "comment": "", "csrf": token})
    assert done.status_code == 303
    assert one(store_path, "SELECT state FROM visits WHERE uuid = ?", [waiting])[0] == "released"
    inspector = client(app, "inspector")
    inspector.headers.pop("X-CSRF-Token")
    assert inspector.put(f"/api/visits/{uuid.uuid4()}", json={}).status_code == 403
    assert inspector.delete("/api/session").status_code == 403


def test_the_eleventh_wrong_password_in_a_minute_is_throttled(app: Any) -> None:
    stranger = client(app)
    for _ in range(sessions.FAILURES_ALLOWED):
        assert stranger.post("/api/session", json={"username": "reviewer", "password": "wrong-password"}).status_code == 401
    throttled = stranger.post("/api/session", json={"username": "reviewer", "password": demo.DEMO_PASSWORD})
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "60"
    assert stranger.post("/api/session", json={"username": "hq", "password": demo.DEMO_PASSWORD}).status_code == 200


def test_a_revoked_token_and_a_disabled_user_are_refused_at_once(app: Any, store_path: Path) -> None:
    program = client(app)
    headers = bearer(store_path, "hq")
    assert program.get("/api/openapi.json", headers=headers).status_code == 200
    database = db.connect(store_path)
    token_id = headers["Authorization"].split()[1].split(".")[0]
    assert sessions.revoke_token(database, token_id)
    assert program.get("/api/openapi.json", headers=headers).status_code == 401
    reviewer = client(app, "reviewer")
    assert reviewer.get("/review").status_code == 200
    accounts.disable(database, "reviewer")
    assert reviewer.get("/review").status_code == 303
    assert client(app).post("/api/session", json={"username": "reviewer", "password": demo.DEMO_PASSWORD}).status_code == 401
    expired = bearer(store_path, "hq")
    database.execute("UPDATE tokens SET expires_at = '2020-01-01T00:00:00+00:00'")
    assert program.get("/api/openapi.json", headers=expired).status_code == 401


def test_signing_out_ends_the_session(app: Any) -> None:
    inspector = client(app, "inspector")
    assert inspector.get("/api/session").status_code == 200
    assert inspector.delete("/api/session").status_code == 204
    assert inspector.get("/api/session").status_code == 401


def _returned_visit(store_path: Path) -> tuple[str, str]:
    row = one(store_path, "SELECT v.uuid, u.username FROM visits v JOIN users u ON u.id = v.inspector_id WHERE v.state = 'returned'")
    return row[0], row[1]


def test_returned_corrected_and_released_with_a_redaction(app: Any, store_path: Path) -> None:
    visit_id, username = _returned_visit(store_path)
    inspector = client(app, username)
    mine = {v["uuid"]: v for v in inspector.get("/api/visits/mine").json()}
    assert mine[visit_id]["state"] == "returned" and mine[visit_id]["comments"][0]["text"]
    assert mine[visit_id]["state_label"]["en"] == "Returned with comments"
    first = inspector.get(f"/api/visits/{visit_id}").json()
    body = first["body"]
    assert inspector.put(f"/api/visits/{visit_id}", json=body).status_code == 200  # the returned version again: no change
    corrected = {**body, "narrative": "收银员张三态度冷淡，排队 12 分钟。"}
    sent = inspector.put(f"/api/visits/{visit_id}", json=corrected)
    assert sent.status_code == 200 and sent.json()["version"] == 2 and sent.json()["state"] == "submitted"
    assert inspector.put(f"/api/visits/{visit_id}", json=corrected).json()["version"] == 2
    assert inspector.put(f"/api/visits/{visit_id}", json=body).status_code == 200  # a late replay of version 1
    assert inspector.put(f"/api/visits/{visit_id}", json={**body, "narrative": "again"}).status_code == 409
    assert one(store_path, "SELECT version, body_hash FROM visit_versions WHERE visit_uuid = ?", [visit_id])[0] == 1  # version 1 kept

    reviewer = client(app, "reviewer")
    screen = reviewer.get(f"/review/{visit_id}").text
    assert "张三" in screen and "version 2" in reviewer.get(f"/review/{visit_id}?lang=en").text
    done = reviewer.post(f"/review/{visit_id}", data={"action": "approve", "terms": "张三", "csrf": reviewer.headers["X-CSRF-Token"]})
    assert done.status_code == 303
    branch = one(store_path, "SELECT s.branch_id FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.uuid = ?", [visit_id])[0]
    manager = client(app, demo.manager_name(branch))
    page = manager.get(f"/visits/{visit_id}/report").text
    assert "■■■" in page and "张三" not in page
    assert "张三" in reviewer.get(f"/review/{visit_id}").text  # the words as written, for HQ
    assert visit_id in manager.get("/store").text


def test_review_moves_are_only_those_the_state_allows(store_path: Path) -> None:
    database = db.connect(store_path)
    reviewer = accounts.by_username(database, "reviewer")
    assert reviewer is not None
    released = visits_by(store_path, "v.state = 'released'")[0]
    with pytest.raises(review.ReviewError, match="cannot be moved"):
        review.move(database, released, reviewer, "return", "again")
    waiting = visits_by(store_path, "v.state = 'submitted'")[0]
    with pytest.raises(review.ReviewError, match="correct"):
        review.move(database, waiting, reviewer, "return", "  ")
    with pytest.raises(review.ReviewError, match="reason"):
        review.move(database, waiting, reviewer, "reject")
    assert review.move(database, waiting, reviewer, "reject", "visited the wrong store") == "rejected"
    assert review.state_of(database, waiting) == ("rejected", 1)


def audit_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit", *args], cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=120)


def test_users_from_the_command_line(store_path: Path) -> None:
    where = ["--db", str(store_path)]
    added = audit_cli("users", "add", "mei", "--role", "store", "--branch", "sh-xujiahui", "--name", "Mei", *where, stdin="a-long-secret\n")
    assert added.returncode == 0, added.stderr
    assert "a-long-secret" not in added.stdout + added.stderr
    short = audit_cli("users", "add", "kai", "--role", "reviewer", *where, stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr and "Traceback" not in short.stderr
    assert audit_cli("users", "add", "lee", "--role", "store", *where, stdin="a-long-secret\n").returncode == 1
    listed = audit_cli("users", "list", *where).stdout
    assert re.search(r"^mei\tstore\tMei\t[A-Z]\d\d\tsh-xujiahui\t0 token\(s\)\tactive$", listed, re.MULTILINE)
    token = audit_cli("users", "token", "mei", "--days", "7", *where)
    assert token.returncode == 0 and re.fullmatch(r"[0-9a-f]{12}\.[\w-]{43}\n", token.stdout)
    database = db.connect(store_path)
    assert sessions.token_user(database, token.stdout.strip())[0] is not None
    token_id = token.stdout.split(".")[0]
    assert audit_cli("users", "token", "mei", "--revoke", token_id, *where).returncode == 0
    assert sessions.token_user(database, token.stdout.strip())[0] is None
    assert audit_cli("users", "set-password", "mei", *where, stdin="another-secret\n").returncode == 0
    assert accounts.verify(database, "mei", "another-secret") is not None
    assert audit_cli("users", "disable", "mei", *where).returncode == 0
    assert accounts.verify(database, "mei", "another-secret") is None


def test_only_hq_and_admins_compare(app: Any, store_path: Path) -> None:
    site = one(store_path, "SELECT id FROM sites WHERE branch_id = 'sh-xujiahui' LIMIT 1")[0]
    paths = ["/hq", "/hq/branches/sh-xujiahui", f"/hq/sites/{site}", "/hq/compare.pdf?lang=en"]
    for username in ("inspector", "reviewer", demo.manager_name("sh-xujiahui")):
        person = client(app, username)
        assert [person.get(path).status_code for path in paths] == [404] * len(paths), username
    for username in ("hq", "admin"):
        person = client(app, username)
        assert [person.get(path).status_code for path in paths] == [200] * len(paths), username
