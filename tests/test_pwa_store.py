"""A store manager's phone, against `audit serve` on the real SQLite file: the findings of
their branch come down once and show offline; answers written offline (one fixed with a
photo, one disputed) survive a reload, wait in the outbox and are stored exactly once when the
phone is back online; an answer the server stored before it was killed, whose reply the phone
never got, is sent again after the restart and still stored once; an answer the server refuses
is shown with its reason and the finding can be answered again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from audit import demo

from .conftest import ServerProcess, demo_database_with_visits
from .test_pwa_support import big_jpeg, ready, wait_for

pytestmark = pytest.mark.browser

BRANCH = "hz-wulin"
MANAGER = demo.manager_name(BRANCH)


@pytest.fixture
def store_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo store with a month of released visits (so the branch has open findings), served by `audit serve`."""
    server = ServerProcess(demo_database_with_visits(tmp_path / "audit.db", today=date.today(), months=1))
    server.start()
    yield server
    server.kill()


def sign_in_store(page: Page, url: str, username: str = MANAGER) -> None:
    """The app, signed in as a store manager: their findings listed."""
    page.goto(url)
    ready(page)
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#to-answer .card.finding")


def open_findings(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT f.id FROM findings f JOIN sites s ON s.id = f.site_id WHERE s.branch_id = ? AND f.state = 'open' ORDER BY f.id", [BRANCH]
        ).fetchall()
    return [row[0] for row in rows]


def answers_stored(db_path: Path) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT e.finding_id, e.action, e.note, count(p.uuid) FROM finding_events e LEFT JOIN finding_photos p ON p.event_id = e.id "
            "WHERE e.action IN ('fixed', 'dispute') GROUP BY e.id ORDER BY e.id"
        ).fetchall()


def state_of(db_path: Path, finding_id: str) -> str:
    with sqlite3.connect(db_path) as conn:
        return str(conn.execute("SELECT state FROM findings WHERE id = ?", [finding_id]).fetchone()[0])


def held(page: Page) -> list[dict[str, Any]]:
    """The answers kept on the phone, as IndexedDB holds them (photo blobs as their size)."""
    return page.evaluate(
        """() => import('/static/js/db.js').then(async (db) => (await db.all('answers')).map(
             (a) => ({ id: a.id, finding: a.finding_id, kind: a.kind, status: a.status, attempts: a.attempts, photo: a.photo ? a.photo.blob.size : 0 })))"""
    )


def pending(page: Page) -> str:
    return str(page.locator("#status .pending").get_attribute("data-answers"))


def answer_on_phone(page: Page, finding_id: str, kind: str, note: str, photo: Path | None = None) -> None:
    """From the list: the finding's page, the kind of answer, the note, the photo; saved, back on the list."""
    page.click(f".card.finding[data-finding='{finding_id}']")
    page.wait_for_selector("#answer-form")
    page.click(f"#kind-{kind}")
    page.fill("#answer-note", note)
    if photo is not None:
        page.set_input_files("#answer-photo", str(photo))
    page.click("#answer-save")
    page.wait_for_selector(f".card.finding[data-finding='{finding_id}']")


def test_answers_written_offline_survive_a_reload_and_are_stored_once(
    page: Page, context: BrowserContext, store_server: ServerProcess, tmp_path: Path
) -> None:
    db_path = store_server.db_path
    found = open_findings(db_path)
    assert len(found) >= 2
    fixed_id, disputed_id = found[0], found[1]
    sign_in_store(page, store_server.url)
    assert page.locator(".card.finding").count() == len(found)
    assert page.locator(f".card.finding[data-finding='{fixed_id}']").get_attribute("data-state") == "open"
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=20_000)

    context.set_offline(True)
    photo = big_jpeg(tmp_path / "fix.jpg")
    answer_on_phone(page, fixed_id, "fixed", "已补齐两辆儿童推车并贴上提示", photo)
    answer_on_phone(page, disputed_id, "dispute", "当天门口有两辆推车，见监控")
    assert page.locator(f".card.finding[data-finding='{fixed_id}']").get_attribute("data-state") == "fixed-waiting"
    assert page.locator(f".card.finding[data-finding='{disputed_id}']").get_attribute("data-state") == "dispute-waiting"
    wait_for(lambda: pending(page) == "2", what="two answers waiting", page=page)
    kept = held(page)
    assert {(a["finding"], a["kind"], a["status"]) for a in kept} == {(fixed_id, "fixed", "outbox"), (disputed_id, "dispute", "outbox")}
    assert next(a for a in kept if a["kind"] == "fixed")["photo"] > 10_000  # downscaled on the phone, kept with the answer

    page.reload()  # offline: the app, the list and the answers all come from the phone
    page.wait_for_selector(f".card.finding[data-finding='{fixed_id}'][data-state='fixed-waiting']")
    wait_for(lambda: pending(page) == "2", what="still two answers waiting after the reload", page=page)
    assert answers_stored(db_path) == []

    context.set_offline(False)
    wait_for(lambda: pending(page) == "0", timeout=30, what="the answers sent", page=page)
    wait_for(lambda: len(answers_stored(db_path)) == 2, what="the answers stored")
    expected = [(fixed_id, "fixed", "已补齐两辆儿童推车并贴上提示", 1), (disputed_id, "dispute", "当天门口有两辆推车，见监控", 0)]
    assert sorted(answers_stored(db_path)) == sorted(expected)
    assert state_of(db_path, fixed_id) == "fixed" and state_of(db_path, disputed_id) == "disputed"
    assert all(a["status"] == "sent" and a["photo"] == 0 for a in held(page))  # the photo leaves the phone once stored
    page.wait_for_selector(f"#answered .card.finding[data-finding='{fixed_id}'][data-state='fixed']")

    # more chances to send twice: sync now, a reload, offline and online again
    page.click("#sync-now")
    page.reload()
    ready(page)
    context.set_offline(True)
    context.set_offline(False)
    page.wait_for_timeout(1000)
    assert sorted(answers_stored(db_path)) == sorted(expected)
    page.click(f".card.finding[data-finding='{fixed_id}']")
    page.wait_for_selector("#held-answer[data-status='sent']")
    assert page.locator("#answer-form").count() == 0


def test_an_answer_stored_before_the_server_was_killed_is_stored_once(
    browser: Browser, browser_context_args: dict[str, Any], store_server: ServerProcess, tmp_path: Path
) -> None:
    # Playwright cannot intercept requests that pass a service worker: this context runs without one.
    context = browser.new_context(**browser_context_args, service_workers="block")
    page = context.new_page()
    db_path = store_server.db_path
    fixed_id = open_findings(db_path)[0]
    sign_in_store(page, store_server.url)
    killed: list[int] = []

    def store_then_kill(route: Route) -> None:
        # the answer reaches the server and is stored; the server dies before the phone hears back
        if killed:
            route.continue_()
            return
        reply = route.fetch()
        killed.append(reply.status)
        store_server.kill()
        route.abort("connectionreset")

    page.route("**/api/findings/*/answers/*", store_then_kill)
    answer_on_phone(page, fixed_id, "fixed", "已整改", big_jpeg(tmp_path / "fix.jpg"))
    wait_for(lambda: killed, what="the server killed after storing", page=page)
    wait_for(lambda: held(page)[0]["attempts"] >= 1, what="a failed attempt on the phone", page=page)
    assert killed == [200] and held(page)[0]["status"] == "outbox"
    assert [row[:2] for row in answers_stored(db_path)] == [(fixed_id, "fixed")]

    store_server.start()
    wait_for(lambda: held(page)[0]["status"] == "sent", timeout=60, what="the answer sent after the restart", page=page)
    assert answers_stored(db_path) == [(fixed_id, "fixed", "已整改", 1)]
    context.close()


def test_a_refused_answer_shows_why_and_the_finding_can_be_answered_again(
    page: Page, store_server: ServerProcess, tmp_path: Path
) -> None:
    db_path = store_server.db_path
    finding_id = open_findings(db_path)[0]
    sign_in_store(page, store_server.url)
    with sqlite3.connect(db_path) as conn:  # the dispute window closed after the phone fetched its list
        conn.execute("UPDATE findings SET released_on = '2020-01-01' WHERE id = ?", [finding_id])
    answer_on_phone(page, finding_id, "dispute", "门口有推车")
    page.wait_for_selector(f".card.finding[data-finding='{finding_id}'][data-state='refused']")
    assert "7" in page.locator(f".card.finding[data-finding='{finding_id}'] .sub.bad").inner_text()
    assert answers_stored(db_path) == []
    answer_on_phone(page, finding_id, "fixed", "已整改", big_jpeg(tmp_path / "fix.jpg"))
    wait_for(lambda: state_of(db_path, finding_id) == "fixed", what="the second answer stored", page=page)
    assert [row[:2] for row in answers_stored(db_path)] == [(finding_id, "fixed")]
