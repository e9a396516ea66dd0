"""People on the phone: the inspector signs in once and works offline; a session that ends on
the server pauses the outbox (nothing lost, parked or sent twice) until they sign in again; a
stale CSRF token is renewed and the request tried once more; signing out keeps drafts and the
outbox, and another inspector on the same phone neither sees nor sends them. All against the
real server and its SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import BrowserContext, Page, Request

from .conftest import LiveServer
from .test_pwa_screens import shoot
from .test_pwa_support import (
    INSPECTOR,
    OTHER_INSPECTOR,
    PASSWORD,
    add_photo,
    big_jpeg,
    checklist,
    csp_violations,
    end_sessions,
    fill_visit,
    meta,
    open_app,
    open_section,
    ready,
    rows,
    sign_in,
    start_visit,
    status_of,
    stored_visit,
    submit,
    wait_for,
    wait_for_worker,
)

pytestmark = pytest.mark.browser


def user_id(db_path: Path, username: str) -> str:
    with sqlite3.connect(db_path) as connection:
        return str(connection.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0])


def inspector_of(db_path: Path, uuid: str) -> str | None:
    with sqlite3.connect(db_path) as connection:
        found = connection.execute("SELECT inspector_id FROM visits WHERE uuid = ?", [uuid]).fetchone()
    return found[0] if found else None


def visit_puts(page: Page) -> list[str]:
    """Every PUT of a visit or a photo the page makes from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if request.method == "PUT" and "/api/visits/" in request.url:
            seen.append(request.url)

    page.on("request", record)
    return seen


def test_sign_in_screen_messages_and_the_catalog_after_it(page: Page, context: BrowserContext, live_server: LiveServer) -> None:
    refused = csp_violations(page)
    page.goto(live_server.url)
    ready(page)
    # a new phone: nothing but the sign-in screen, whatever the address asks for
    page.wait_for_selector("form#signin")
    assert page.locator("#new-visit").count() == 0
    assert page.evaluate("location.hash") == "#/signin"
    assert page.locator("#session").is_hidden()
    shoot(page, "signin")

    page.click("#signin-submit")
    assert page.inner_text("#signin-message") == "请填写用户名和密码。"
    page.fill("#username", INSPECTOR)
    page.fill("#password", "not-the-password")
    page.click("#signin-submit")
    page.wait_for_function("() => document.querySelector('#signin-message').textContent.includes('用户名或密码不对')")
    shoot(page, "signin-wrong-password")
    assert meta(page, "user") is None

    context.set_offline(True)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_function("() => document.querySelector('#signin-message').textContent.includes('没有网络')")
    context.set_offline(False)

    # too many wrong passwords for one username: the server throttles, the phone says for how long
    page.click(".segmented button[lang='en']")
    page.wait_for_function("() => document.querySelector('#signin-submit').textContent === 'Sign in'")
    with httpx2.Client(base_url=live_server.url) as client:
        statuses = [client.post("/api/session", json={"username": "inspector3", "password": "wrong-wrong"}).status_code for _ in range(12)]
    assert statuses[-1] == 429, statuses
    page.fill("#username", "inspector3")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_function("() => document.querySelector('#signin-message').textContent.startsWith('Too many tries: try again in 1 min')")

    # a reviewer's account is not for this app: refused, and the session it opened is ended
    page.fill("#username", "reviewer")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_function("() => document.querySelector('#signin-message').textContent.includes('This account works in the browser pages')")
    assert meta(page, "user") is None
    with sqlite3.connect(live_server.db_path) as connection:
        open_sessions = connection.execute(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'reviewer' AND s.revoked_at IS NULL"
        ).fetchone()[0]
    assert open_sessions == 0

    page.fill("#username", INSPECTOR)
    sign_in(page)
    user = meta(page, "user")
    assert user["id"] == user_id(live_server.db_path, INSPECTOR) and user["role"] == "inspector"
    assert page.inner_text("#account p").startswith("Signed in as ")
    with sqlite3.connect(live_server.db_path) as connection:
        csrf = connection.execute("SELECT csrf FROM sessions WHERE user_id = ? AND revoked_at IS NULL", [user["id"]]).fetchall()
    assert [meta(page, "csrf")] == [row[0] for row in csrf]
    assert meta(page, "username") == INSPECTOR
    cookie = next(c for c in context.cookies() if c["name"] == "audit_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0  # it outlives the browser
    assert page.evaluate("document.cookie") == ""
    # nothing of the API in the worker's cache: the catalog is in IndexedDB only
    wait_for_worker(page)
    cached = page.evaluate("caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys())))).then((lists) => lists.flat().map((r) => r.url))")
    assert cached and not [url for url in cached if "/api/" in url]
    assert refused == []


def test_session_ended_on_the_server_pauses_the_outbox_until_signed_in_again(
    page: Page, context: BrowserContext, live_server: LiveServer, tmp_path: Path
) -> None:
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    data = checklist(live_server.url)
    open_app(page, live_server.url)
    wait_for_worker(page)
    context.set_offline(True)
    page.reload()  # offline from the start: filling a visit needs no network, nor a session
    ready(page)
    uuid = start_visit(page)
    fill_visit(page, uuid, data, photo)
    open_section(page, uuid, "aisles")
    add_photo(page, "aisles-clear", photo)
    submit(page, uuid)
    assert status_of(page, uuid) == "outbox"

    assert end_sessions(live_server.db_path) >= 1  # expired, revoked: the server knows it no more
    tries = stored_visit(page, uuid)["attempts"]  # offline tries so far
    puts = visit_puts(page)
    context.set_offline(False)
    banner = page.locator("#session")
    banner.wait_for(state="visible")
    assert banner.inner_text().startswith("登录已过期：重新登录后才能发送 1 份记录")
    assert meta(page, "session_expired") is True
    shoot(page, "resign-in-banner")

    # paused, not failed: the visit is as it was, not parked, not counted as a try, and asking
    # again sends nothing while the session is gone
    kept = stored_visit(page, uuid)
    assert kept["status"] == "outbox" and kept["attempts"] == tries and not kept.get("problem")
    assert len(kept["photos"]) == 1 and not kept["photos"][0]["sent_at"]
    assert rows(live_server.db_path, uuid) == {"visits": 0, "answers": 0, "photos": 0}
    tried = len(puts)
    assert tried == 1  # the one PUT that learnt of the 401
    page.click("#sync-now")
    page.reload()
    ready(page)
    banner.wait_for(state="visible")
    page.wait_for_timeout(1000)
    assert len(puts) == tried and status_of(page, uuid) == "outbox"
    assert stored_visit(page, uuid)["attempts"] == tries

    page.click("#sign-in-again")
    page.wait_for_selector("#signin-why")
    assert "重新登录后会发送发件箱里的 1 份记录" in page.inner_text("#signin-why")
    assert page.input_value("#username") == INSPECTOR
    assert banner.is_hidden()
    shoot(page, "resign-in-screen")
    sign_in(page)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit sent at once after signing in again")
    assert banner.is_hidden()
    sent = stored_visit(page, uuid)
    expected = {"visits": 1, "answers": len(sent["answers"]), "photos": 1}
    assert rows(live_server.db_path, uuid) == expected
    assert inspector_of(live_server.db_path, uuid) == user_id(live_server.db_path, INSPECTOR)

    # stored once: going on changes nothing
    page.click("#sync-now")
    page.reload()
    ready(page)
    page.wait_for_timeout(1000)
    assert rows(live_server.db_path, uuid) == expected
    with sqlite3.connect(live_server.db_path) as connection:
        assert connection.execute("SELECT count(*) FROM visit_versions WHERE visit_uuid = ?", [uuid]).fetchone()[0] == 0  # one version, never replaced


def test_a_stale_csrf_token_is_renewed_and_the_request_tried_once_more(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    data = checklist(live_server.url)
    open_app(page, live_server.url)
    uuid = start_visit(page)
    fill_visit(page, uuid, data, big_jpeg(tmp_path / "camera.jpg", 800, 600))
    page.evaluate("import('/static/js/db.js').then((db) => db.setMeta('csrf', 'a-token-from-an-older-session'))")
    answers: list[tuple[str, int]] = []
    page.on("response", lambda response: answers.append((f"{response.request.method} {response.url.split('/api/')[-1]}", response.status)))
    submit(page, uuid)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit sent with a renewed token")
    exchanges = [answer for answer in answers if answer[0] in (f"PUT visits/{uuid}", "GET session")]
    assert exchanges == [(f"PUT visits/{uuid}", 403), ("GET session", 200), (f"PUT visits/{uuid}", 200)]
    with sqlite3.connect(live_server.db_path) as connection:
        current = connection.execute("SELECT csrf FROM sessions WHERE revoked_at IS NULL").fetchall()
    assert meta(page, "csrf") in [row[0] for row in current]
    assert rows(live_server.db_path, uuid)["visits"] == 1


def draft_and_queued(page: Page, context: BrowserContext, url: str, tmp_path: Path) -> tuple[str, str]:
    """A draft and a visit submitted offline, left in the outbox."""
    data = checklist(url)
    draft = start_visit(page)
    context.set_offline(True)
    queued = start_visit(page)
    fill_visit(page, queued, data, big_jpeg(tmp_path / "camera.jpg", 800, 600))
    submit(page, queued)
    return draft, queued


def test_sign_out_keeps_drafts_and_the_outbox_and_another_inspector_sees_none_of_them(
    page: Page, context: BrowserContext, live_server: LiveServer, tmp_path: Path
) -> None:
    open_app(page, live_server.url)
    wait_for_worker(page)
    draft, queued = draft_and_queued(page, context, live_server.url, tmp_path)
    end_sessions(live_server.db_path)  # and the session ends meanwhile: the visit waits
    context.set_offline(False)
    page.locator("#session").wait_for(state="visible")

    # signing out needs the network; offline it says so and changes nothing
    context.set_offline(True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#sign-out")
    page.wait_for_function("() => document.querySelector('#signout-message').textContent.includes('没有网络')")
    assert meta(page, "user") is not None
    context.set_offline(False)

    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("#sign-out")
    page.wait_for_selector("#signin-why")
    assert dialogs == ["退出登录？1 份草稿和 1 份待发送的记录会留在这部手机上，再次登录后才会发送。"]
    assert "草稿和待发送的记录仍保存在这部手机上" in page.inner_text("#signin-why")
    assert meta(page, "user") is None and meta(page, "csrf") is None
    assert status_of(page, draft) == "draft" and status_of(page, queued) == "outbox"
    page.evaluate("location.hash = '#/'")  # signed out, the phone shows nothing but the sign-in screen
    page.wait_for_selector("form#signin")
    assert page.evaluate("location.hash") == "#/signin"

    # another inspector on this phone: none of the first one's visits shown, none sent as theirs
    sign_in(page, OTHER_INSPECTOR)
    page.wait_for_timeout(1000)
    assert page.locator(f".card.visit[data-uuid='{draft}'], .card.visit[data-uuid='{queued}']").count() == 0
    assert page.locator("#status .pending").get_attribute("data-visits") == "0"
    assert rows(live_server.db_path, queued)["visits"] == 0

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#sign-out")
    page.wait_for_selector("#signin-why")
    with sqlite3.connect(live_server.db_path) as connection:
        live = connection.execute("SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL", [user_id(live_server.db_path, OTHER_INSPECTOR)]).fetchone()[0]
    assert live == 0  # ended on the server, not only forgotten here

    sign_in(page, INSPECTOR)
    wait_for(lambda: status_of(page, queued) == "sent", what="the first inspector's visit sent once they are back")
    assert inspector_of(live_server.db_path, queued) == user_id(live_server.db_path, INSPECTOR)
    page.evaluate("location.hash = '#/'")
    page.wait_for_selector(f"#drafts .card.visit[data-uuid='{draft}']")
