"""The whole loop, on phone-sized pages in Debian's Chromium, each person in a browser of their
own: the inspector submits offline and sends after signing in again; the reviewer returns the
visit with a comment; the inspector reads it on the phone, corrects and resends; the reviewer
approves it, hiding a staff member's name; the store manager finds the report in their list
and reads it under the inspector's pseudonym, with the name hidden."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from audit import demo

from .conftest import LiveServer
from .test_pwa_screens import shoot
from .test_pwa_support import (
    INSPECTOR,
    REVIEWER,
    add_photo,
    big_jpeg,
    checklist,
    csp_violations,
    end_sessions,
    fill_visit,
    open_app,
    open_section,
    person_on_pages,
    ready,
    sign_in,
    start_visit,
    status_of,
    submit,
    wait_for,
    wait_for_worker,
)

pytestmark = pytest.mark.browser

STAFF_NAME = "李娜"
COMMENT = "请写明通道被堵的位置。"
MANAGER = demo.manager_name("sh-xujiahui")


def state(db_path: Path, uuid: str) -> tuple[str, int]:
    with sqlite3.connect(db_path) as connection:
        found: tuple[str, int] = connection.execute("SELECT state, version FROM visits WHERE uuid = ?", [uuid]).fetchone()
    return found


def test_the_loop_from_an_offline_visit_to_the_store(
    page: Page, context: BrowserContext, browser: Browser, browser_context_args: dict[str, Any], live_server: LiveServer, tmp_path: Path
) -> None:
    url = live_server.url
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    refused = csp_violations(page)

    # the inspector fills and submits with no network; meanwhile the session ends on the server
    open_app(page, url)
    wait_for_worker(page)
    context.set_offline(True)
    page.reload()
    ready(page)
    uuid = start_visit(page)
    fill_visit(page, uuid, checklist(url), photo)
    open_section(page, uuid, "aisles")
    add_photo(page, "aisles-clear", photo)
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/submit")
    page.wait_for_selector("#narrative")
    page.fill("#narrative", f"收银员{STAFF_NAME}没有主动问候，通道有纸箱。")
    page.wait_for_timeout(300)
    submit(page, uuid)
    assert status_of(page, uuid) == "outbox"
    assert end_sessions(live_server.db_path) >= 1
    context.set_offline(False)
    page.locator("#session").wait_for(state="visible")
    page.click("#sign-in-again")
    page.wait_for_selector("#signin-why")
    sign_in(page, INSPECTOR)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit sent after signing in again")
    assert state(live_server.db_path, uuid) == ("submitted", 1)

    # the reviewer finds it in the queue and returns it with a comment
    reviewer_context, reviewer = person_on_pages(browser, browser_context_args, url, REVIEWER)
    assert reviewer.url.endswith("/review")
    reviewer.wait_for_selector(f"a[href='/review/{uuid}']")
    shoot(reviewer, "review-queue")
    reviewer.click(f"a[href='/review/{uuid}']")
    reviewer.wait_for_selector("button[value=return]")
    assert STAFF_NAME in reviewer.inner_text("main")  # staff read the words as written
    shoot(reviewer, "review-screen")
    reviewer.fill("#comment", COMMENT)
    reviewer.click("button[value=return]")
    reviewer.wait_for_url(f"**/review/{uuid}?done=return")
    assert state(live_server.db_path, uuid) == ("returned", 1)

    # the inspector reads the comment, corrects the visit and sends it again
    page.click("#sync-now")
    card = page.locator(f"#returned .card.visit[data-uuid='{uuid}']")
    card.wait_for()
    assert card.locator(".comment-preview").inner_text() == COMMENT
    card.click()
    page.wait_for_selector("#comments")
    assert page.locator("#comments li p").all_inner_texts() == [COMMENT]
    page.click("#correct")
    page.wait_for_selector("#correction")
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/submit")
    page.wait_for_selector("#narrative")
    page.fill("#narrative", f"收银员{STAFF_NAME}没有主动问候；入口右侧第三排通道被纸箱堵住。")
    page.wait_for_timeout(300)
    submit(page, uuid)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the corrected visit sent")
    assert state(live_server.db_path, uuid) == ("submitted", 2)

    # the reviewer approves it, hiding the staff member's name from the store
    reviewer.goto(f"{url}/review/{uuid}")
    reviewer.fill("#terms", STAFF_NAME)
    reviewer.click("button[value=approve]")
    reviewer.wait_for_url(f"**/review/{uuid}?done=approve")
    assert state(live_server.db_path, uuid) == ("released", 2)
    reviewer_context.close()

    # the store manager finds it in their list and reads it: the pseudonym, the name hidden
    manager_context, manager = person_on_pages(browser, browser_context_args, url, MANAGER)
    assert manager.url.endswith("/store")
    manager.wait_for_selector(f"a[href^='/visits/{uuid}/report']")
    shoot(manager, "store-home")
    manager.click(f"a[href^='/visits/{uuid}/report']")
    manager.wait_for_selector("svg.bar rect")
    text = manager.inner_text("body")
    with sqlite3.connect(live_server.db_path) as connection:
        pseudonym, name = connection.execute(
            "SELECT u.pseudonym, u.display_name FROM visits v JOIN users u ON u.id = v.inspector_id WHERE v.uuid = ?", [uuid]
        ).fetchone()
    assert pseudonym in text and name not in text and INSPECTOR not in text
    assert STAFF_NAME not in text and "■■■" in text and "入口右侧第三排" in text
    assert manager.evaluate("document.documentElement.scrollWidth") <= 412
    shoot(manager, "store-report")
    manager_context.close()
    assert refused == []
