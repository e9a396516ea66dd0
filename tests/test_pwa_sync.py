"""The outbox against the real server and its SQLite file: a visit submitted offline waits and
is stored exactly once when the phone is back online; a server killed in the middle of a sync
loses nothing and duplicates nothing; photos are downscaled on the phone and linked to their
item; a conflict (409) is shown and the phone keeps its copy."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from .conftest import LiveServer, ServerProcess
from .test_pwa_support import (
    SUPERMARKET_SITE,
    add_photo,
    big_jpeg,
    checklist,
    fill_visit,
    make_conflict,
    open_app,
    open_section,
    rows,
    start_visit,
    status_of,
    stored_jpeg_size,
    stored_photo_size,
    stored_visit,
    submit,
    tap,
    wait_for,
    wait_for_worker,
    waiting,
)

pytestmark = pytest.mark.browser


def answered_items(visit: dict[str, Any]) -> int:
    return len(visit["answers"])


def test_visit_submitted_offline_is_synced_once_back_online(
    page: Page, context: BrowserContext, live_server: LiveServer, tmp_path: Path
) -> None:
    photo = big_jpeg(tmp_path / "camera.jpg")
    data = checklist(live_server.url)
    open_app(page, live_server.url)
    uuid = start_visit(page)
    context.set_offline(True)
    fill_visit(page, uuid, data, photo)
    open_section(page, uuid, "aisles")
    add_photo(page, "aisles-clear", photo)  # a photo nobody required: it travels too
    submit(page, uuid)

    page.wait_for_function("() => document.querySelector('#status .pending')?.dataset.visits === '1'")
    assert waiting(page) == (1, 1)
    assert status_of(page, uuid) == "outbox"
    assert page.locator(f"#outbox .card.visit[data-uuid='{uuid}']").is_visible()
    assert rows(live_server.db_path, uuid) == {"visits": 0, "answers": 0, "photos": 0}

    context.set_offline(False)
    wait_for(lambda: status_of(page, uuid) == "sent", what="visit confirmed by the server")
    page.wait_for_function("() => document.querySelector('#status .pending')?.dataset.visits === '0'")
    sent = stored_visit(page, uuid)
    # the photos leave the phone once the server has them: their thumbnails stay
    assert [(p["size"], p["thumb"] is not None, bool(p["sent_at"])) for p in sent["photos"]] == [(None, True, True)]
    expected = {"visits": 1, "answers": answered_items(sent), "photos": 1}
    assert rows(live_server.db_path, uuid) == expected

    # more chances to send twice: sync now, a reload, going offline and online again
    page.click("#sync-now")
    page.reload()
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    context.set_offline(True)
    context.set_offline(False)
    page.wait_for_timeout(1000)
    assert rows(live_server.db_path, uuid) == expected
    with sqlite3.connect(live_server.db_path) as connection:
        assert connection.execute("SELECT count(*) FROM visits").fetchone()[0] == 1


def fill_with_photo(page: Page, url: str, photo: Path) -> str:
    """A whole supermarket visit with one failed item and the photo it calls for."""
    open_app(page, url)
    uuid = start_visit(page)
    fill_visit(page, uuid, checklist(url), photo, skip={"child-carts-available"})
    open_section(page, uuid, "entrance")
    tap(page, "child-carts-available", "no")
    add_photo(page, "child-carts-available", photo)
    return uuid


def test_server_down_before_a_sync(page: Page, server_process: ServerProcess, tmp_path: Path) -> None:
    uuid = fill_with_photo(page, server_process.url, big_jpeg(tmp_path / "camera.jpg"))
    wait_for_worker(page)
    server_process.kill()
    submit(page, uuid)  # the phone believes it is online: the sync fails on a refused connection
    wait_for(lambda: (stored_visit(page, uuid) or {}).get("attempts", 0) >= 2, what="two failed attempts")
    assert status_of(page, uuid) == "outbox" and waiting(page) == (1, 1)
    assert stored_visit(page, uuid)["last_error"] == "offline"

    server_process.start()
    wait_for(lambda: status_of(page, uuid) == "sent", timeout=60, what="the visit sent after the restart")
    assert rows(server_process.db_path, uuid) == {"visits": 1, "answers": answered_items(stored_visit(page, uuid)), "photos": 1}


def test_server_killed_during_a_sync(
    browser: Browser, browser_context_args: dict[str, Any], server_process: ServerProcess, tmp_path: Path
) -> None:
    # Playwright cannot intercept requests that pass a service worker; the worker takes no part
    # in uploads (it leaves every PUT to the network), so this context runs without one.
    context = browser.new_context(**browser_context_args, service_workers="block")
    page = context.new_page()
    uuid = fill_with_photo(page, server_process.url, big_jpeg(tmp_path / "camera.jpg"))
    killed: list[str] = []

    def kill_then_send(route: Route) -> None:
        # the visit itself has reached the server; the server dies before the photo does
        if not killed:
            server_process.kill()
            killed.append(route.request.url)
        route.continue_()

    page.route("**/api/visits/*/photos/*", kill_then_send)
    submit(page, uuid)
    wait_for(lambda: killed, what="the server killed mid-sync", page=page)
    wait_for(lambda: (stored_visit(page, uuid) or {}).get("attempts", 0) >= 1, what="a failed attempt")
    page.unroute("**/api/visits/*/photos/*")
    assert status_of(page, uuid) == "outbox" and waiting(page) == (1, 1)
    assert rows(server_process.db_path, uuid) == {"visits": 1, "answers": answered_items(stored_visit(page, uuid)), "photos": 0}

    server_process.start()
    wait_for(lambda: status_of(page, uuid) == "sent", timeout=60, what="the visit sent after the restart")
    assert rows(server_process.db_path, uuid) == {"visits": 1, "answers": answered_items(stored_visit(page, uuid)), "photos": 1}
    context.close()


def test_photo_downscaled_on_the_phone_synced_and_linked(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    # 4000×3000 pixels turned a quarter by EXIF: the phone must upright it and downscale it
    photo = big_jpeg(tmp_path / "camera.jpg", orientation=6)
    data = checklist(live_server.url)
    open_app(page, live_server.url)
    uuid = start_visit(page)
    open_section(page, uuid, "aisles")
    tap(page, "aisles-clear", "no")
    add_photo(page, "aisles-clear", photo)

    [kept] = stored_visit(page, uuid)["photos"]
    assert (kept["item_id"], kept["width"], kept["height"], kept["content_type"]) == ("aisles-clear", 1200, 1600, "image/jpeg")
    assert stored_photo_size(page, kept["uuid"]) == {"width": 1200, "height": 1600, "jpeg": True}
    assert kept["size"] < photo.stat().st_size

    fill_visit(page, uuid, data, photo, skip={"aisles-clear"})
    submit(page, uuid)
    wait_for(lambda: status_of(page, uuid) == "sent", what="visit confirmed")

    with sqlite3.connect(live_server.db_path) as connection:
        item_id, sha256 = connection.execute("SELECT item_id, sha256 FROM photos WHERE uuid = ?", [kept["uuid"]]).fetchone()
        body = json.loads(connection.execute("SELECT body FROM visits WHERE uuid = ?", [uuid]).fetchone()[0])
    assert item_id == "aisles-clear"
    assert sha256 == kept["sha256"]  # the server holds exactly the bytes the phone made
    [declared] = body["photos"]
    assert (declared["width"], declared["height"], declared["item_id"]) == (1200, 1600, "aisles-clear")
    assert max(stored_jpeg_size(live_server.db_path, kept["uuid"])) <= 1600


def test_conflict_is_shown_and_the_phone_keeps_its_copy(
    page: Page, context: BrowserContext, live_server: LiveServer, tmp_path: Path
) -> None:
    uuid = make_conflict(page, context, live_server.url, tmp_path)
    kept = stored_visit(page, uuid)
    assert kept["problem"]["status"] == 409 and kept["problem"]["error"] == "conflict"
    assert kept["answers"] and kept["narrative"] != "另一台手机写的内容"

    page.evaluate("location.hash = '#/'")
    page.wait_for_selector(f"#outbox .card.visit.conflict[data-uuid='{uuid}']")
    page.click(f"#outbox .card.visit[data-uuid='{uuid}']")
    problem = page.locator("#problem")
    problem.wait_for()
    assert "冲突" in problem.inner_text()
    assert "a different visit is already stored" in problem.inner_text()
    page.wait_for_selector("#status .pill.bad")

    # no retry after a 409: the server's copy is untouched, the phone's copy stays
    page.click("#status")
    page.wait_for_timeout(1500)
    assert status_of(page, uuid) == "conflict"
    with sqlite3.connect(live_server.db_path) as connection:
        narrative = connection.execute("SELECT narrative FROM visits WHERE uuid = ?", [uuid]).fetchone()[0]
    assert narrative == "另一台手机写的内容"


def test_invalid_visit_is_shown_and_goes_back_to_editing(
    page: Page, context: BrowserContext, live_server: LiveServer, tmp_path: Path
) -> None:
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    data = checklist(live_server.url)
    open_app(page, live_server.url)
    uuid = start_visit(page)
    context.set_offline(True)
    fill_visit(page, uuid, data, photo)
    submit(page, uuid)
    with sqlite3.connect(live_server.db_path) as connection:  # HQ closed the site meanwhile
        connection.execute("DELETE FROM sites WHERE id = ?", [SUPERMARKET_SITE])
    context.set_offline(False)
    wait_for(lambda: status_of(page, uuid) == "invalid", what="the 422 recorded")

    kept = stored_visit(page, uuid)
    assert kept["problem"]["status"] == 422
    assert [problem["field"] for problem in kept["problem"]["problems"]] == ["site_id"]
    assert rows(live_server.db_path, uuid) == {"visits": 0, "answers": 0, "photos": 0}
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}")
    assert "site_id" in page.locator("#problem").inner_text()
    page.click("#reopen")
    page.wait_for_selector("#review")
    assert status_of(page, uuid) == "draft" and stored_visit(page, uuid)["answers"] == kept["answers"]
