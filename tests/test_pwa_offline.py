"""The inspector's app offline: after one online visit it opens and starts and fills new visits
with no network; a half-filled draft survives reloads (online and offline) and a closed and
reopened browser, answers, notes, running timers and photos included."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright

from .conftest import LiveServer
from .test_pwa_support import (
    WEEKEND,
    add_photo,
    big_jpeg,
    open_app,
    open_section,
    ready,
    start_visit,
    stored_visit,
    tap,
    wait_for,
    wait_for_answer,
    wait_for_catalog,
    wait_for_worker,
)

pytestmark = pytest.mark.browser


def test_offline_reload_and_new_visit(page: Page, context: BrowserContext, live_server: LiveServer) -> None:
    page.clock.install(time=WEEKEND)  # a weekend visit, so that its weekend count shows
    open_app(page, live_server.url)
    wait_for_worker(page)
    wait_for_catalog(page)

    last_sync = page.evaluate("import('/static/js/db.js').then((db) => db.getMeta('last_sync'))")
    assert last_sync is not None
    context.set_offline(True)
    page.reload()
    ready(page)
    assert page.locator("#status [data-online='0']").is_visible()
    page.wait_for_timeout(500)  # the catalog refresh has failed by now: it must not count as a sync
    assert page.evaluate("import('/static/js/db.js').then((db) => db.getMeta('last_sync'))") == last_sync

    uuid = start_visit(page)
    open_section(page, uuid, "entrance")
    tap(page, "step-free-entrance", "yes")
    page.fill("#item-child-carts-weekend-free .number input", "4")
    page.click("#item-arrival-time .timestamp button")
    wait_for_answer(page, uuid, "child-carts-weekend-free", lambda a: a["value"] == 4)

    visit = stored_visit(page, uuid)
    assert visit is not None and visit["status"] == "draft"
    assert visit["answers"]["step-free-entrance"]["value"] == "yes"
    assert visit["answers"]["arrival-time"]["value"].startswith(visit["started_at"][:10] + "T")  # a date and a time
    assert visit["checklist_hash"] and visit["site_id"] == "sh-xujiahui-supermarket"
    page.reload()
    ready(page)
    assert page.get_attribute("#item-step-free-entrance .opt[data-value='yes']", "aria-pressed") == "true"
    page.evaluate("location.hash = '#/'")
    page.wait_for_selector(f"#drafts .card.visit[data-uuid='{uuid}']")


def test_language_is_remembered_offline(page: Page, context: BrowserContext, live_server: LiveServer) -> None:
    open_app(page, live_server.url)
    wait_for_worker(page)
    assert page.locator("h1").inner_text() == "工作记录"
    page.click(".segmented button[lang='zh-Hant']")
    page.wait_for_function("() => document.querySelector('h1').textContent === '工作記錄'")
    context.set_offline(True)
    page.reload()
    ready(page)
    assert page.locator("h1").inner_text() == "工作記錄"
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    page.click(".segmented button[lang='en']")
    page.wait_for_function("() => document.querySelector('#new-visit').textContent.includes('New visit')")


def fill_half(page: Page, photo: Path) -> tuple[str, dict[str, Any]]:
    """Half a supermarket visit: a time, yes/no answers, a number, a note, a photo, a running timer.
    Started at WEEKEND (the caller installs the clock), so that the weekend count shows; then the
    clock is the real one again, which the timer is checked against and a reopened browser has."""
    uuid = start_visit(page)
    page.clock.set_system_time(datetime.now(timezone.utc))
    open_section(page, uuid, "entrance")
    page.click("#item-arrival-time .timestamp button")
    tap(page, "step-free-entrance", "yes")
    page.fill("#item-child-carts-weekend-free .number input", "7")
    tap(page, "child-carts-available", "no")
    page.click("#item-child-carts-available .tools button:has-text('✎')")
    page.fill("#item-child-carts-available textarea.note", "购物车区只有普通车")
    add_photo(page, "child-carts-available", photo)
    open_section(page, uuid, "checkout")
    page.click("#item-checkout-queue-wait .timer-toggle")
    wait_for_answer(page, uuid, "child-carts-available", lambda a: a["note"] == "购物车区只有普通车")
    visit = wait_for(lambda: (v := stored_visit(page, uuid)) and "checkout-queue-wait" in v["timers"] and v, what="timer saved")
    return uuid, visit


def assert_draft_shown(page: Page, uuid: str, saved: dict[str, Any]) -> None:
    """Everything of the half-filled visit is on screen again, the timer still running."""
    assert stored_visit(page, uuid)["answers"] == saved["answers"]
    open_section(page, uuid, "entrance")
    assert page.input_value("#item-arrival-time .timestamp input") == saved["answers"]["arrival-time"]["value"][:16]
    assert page.get_attribute("#item-step-free-entrance .opt[data-value='yes']", "aria-pressed") == "true"
    assert page.get_attribute("#item-child-carts-available .opt[data-value='no']", "aria-pressed") == "true"
    assert page.input_value("#item-child-carts-weekend-free .number input") == "7"
    assert page.input_value("#item-child-carts-available textarea.note") == "购物车区只有普通车"
    page.wait_for_function(
        "() => document.querySelector('#item-child-carts-available .thumb img')?.naturalWidth > 0", timeout=10_000
    )
    assert page.locator("#item-child-carts-available .thumb").count() == 1
    open_section(page, uuid, "checkout")
    started = saved["timers"]["checkout-queue-wait"] / 1000
    page.wait_for_function("() => document.querySelector('#item-checkout-queue-wait .clock.running')")
    shown = page.inner_text("#item-checkout-queue-wait .clock")
    minutes, seconds = (int(part) for part in shown.split(":"))
    assert minutes * 60 + seconds >= int(time.time() - started) - 1
    assert page.inner_text("#item-checkout-queue-wait .timer-toggle") == "■ 停止"


def test_half_filled_visit_survives_reloads_and_a_closed_browser(
    playwright: Playwright, browser_type_launch_args: dict[str, Any], live_server: LiveServer, tmp_path: Path
) -> None:
    photo = big_jpeg(tmp_path / "camera.jpg")
    profile = tmp_path / "profile"  # one profile on disk, so IndexedDB outlives the browser
    phone = {key: value for key, value in playwright.devices["Pixel 7"].items() if key != "default_browser_type"}
    launch: dict[str, Any] = {**browser_type_launch_args, **phone, "locale": "zh-CN"}
    context = playwright.chromium.launch_persistent_context(profile, **launch)
    context.clock.install(time=WEEKEND)  # a weekend visit, so that its weekend count shows
    page = context.new_page()
    open_app(page, live_server.url)
    wait_for_worker(page)
    wait_for_catalog(page)
    uuid, saved = fill_half(page, photo)
    photos = saved["photos"]
    assert len(photos) == 1 and photos[0]["item_id"] == "child-carts-available"

    page.reload()
    ready(page)
    assert_draft_shown(page, uuid, saved)

    context.set_offline(True)
    page.reload()
    ready(page)
    assert_draft_shown(page, uuid, saved)
    context.close()

    time.sleep(1.5)  # the timer keeps running while the browser is closed
    context = playwright.chromium.launch_persistent_context(profile, **launch)
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(live_server.url)
    ready(page)
    page.wait_for_selector(f"#drafts .card.visit[data-uuid='{uuid}']")
    assert_draft_shown(page, uuid, saved)
    assert stored_visit(page, uuid)["photos"] == photos
    context.close()
