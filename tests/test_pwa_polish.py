"""The inspector's app polished for a day in the field, on a Pixel 7 and on an iPhone-sized
screen: a sent visit keeps thumbnails of its evidence and shows its review state; discreet mode;
the failures listed before a confirmed submit that can be undone; the smaller points (a number
that fails flagged as entered, compact Note and Photo buttons, a section hidden whole, running
timers on every screen, the storage warning only when it can be acted on, the language menu,
a timestamp with its date). Screenshots go to /tmp/screens/polish-*.png for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from .conftest import LiveServer
from .test_pwa_support import (
    REVIEWER,
    WEEKEND,
    add_photo,
    api,
    big_jpeg,
    checklist,
    fill_visit,
    meta,
    open_app,
    open_section,
    ready,
    start_visit,
    status_of,
    stored_visit,
    tap,
    wait_for,
    wait_for_answer,
)

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")
PHONES = ["Pixel 7", "iPhone 13"]
LANGUAGES = ["zh-Hans", "zh-Hant", "en"]
GIVEAWAYS = re.compile(r"暗访|暗訪|mystery|audit", re.IGNORECASE)


@pytest.fixture(params=PHONES)
def browser_context_args(request: pytest.FixtureRequest, browser_context_args: dict[str, Any], playwright: Any) -> dict[str, Any]:
    """Every test here runs on an Android phone and on an iPhone-sized one (in Chromium)."""
    device = {key: value for key, value in playwright.devices[request.param].items() if key != "default_browser_type"}
    return {**browser_context_args, **device, "locale": "zh-CN"}


def phone(page: Page) -> str:
    return "pixel-7" if page.viewport_size and page.viewport_size["width"] == 412 else "iphone-13"


def shoot(page: Page, name: str) -> None:
    SCREENS.mkdir(exist_ok=True)
    page.wait_for_timeout(150)
    page.screenshot(path=SCREENS / f"polish-{name}-{phone(page)}.png", scale="css")


def go(page: Page, hash_: str) -> None:
    page.evaluate("(hash) => { location.hash = hash; }", hash_)


def set_language(page: Page, code: str) -> None:
    """Through the menu at the top right, which every screen has."""
    page.click("#languages summary")
    page.click(f".languages-menu button[lang='{code}']")
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=code)
    ready(page)


def release(url: str, uuid: str) -> None:
    with api(url, REVIEWER) as reviewer:
        assert reviewer.post(f"/review/{uuid}", data={"action": "approve"}).status_code == 303


def test_failures_before_submit_and_a_sent_visit_keeps_its_evidence(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    data = checklist(live_server.url)
    photo = big_jpeg(tmp_path / "camera.jpg", 1200, 900)
    open_app(page, live_server.url)
    uuid = start_visit(page)
    fill_visit(page, uuid, data, photo, skip={"child-carts-available"})
    open_section(page, uuid, "entrance")
    tap(page, "child-carts-available", "no")
    add_photo(page, "child-carts-available", photo)

    # the failures with their evidence, then a confirmation
    go(page, f"#/v/{uuid}/submit")
    page.wait_for_selector("#ready")
    failure = page.locator("#failures li[data-item='child-carts-available']")
    assert failure.locator(".failed-answer").inner_text() == "否"
    failure.locator(".thumb img").evaluate("(img) => img.decode()")
    assert page.locator("#failures li").count() == 1
    for code in LANGUAGES[::-1]:  # ends in zh-Hans
        set_language(page, code)
        page.wait_for_selector("#failures .thumb img")
        shoot(page, f"submit-failures-{code}")
    page.click("#submit")
    assert page.locator("dialog#confirm").is_visible()
    shoot(page, "submit-confirm")
    page.click("#confirm-cancel")
    assert not page.locator("dialog#confirm").is_visible()

    # submitted, then undone within the window: still a draft, and it stays one
    page.click("#submit")
    page.click("#confirm-submit")
    page.wait_for_selector("#undo-window:not([hidden])")
    assert "10" in page.inner_text("#undo-window .countdown")
    shoot(page, "submit-undo")
    page.click("#undo")
    page.wait_for_timeout(11_000)
    assert status_of(page, uuid) == "draft"
    assert page.locator("#submit").is_visible()

    # submitted for good once the window is over
    page.click("#submit")
    page.click("#confirm-submit")
    page.wait_for_selector("#new-visit", timeout=15_000)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit confirmed by the server")

    # the server has the photo: the phone keeps a thumbnail of at most 160 px instead
    photos = page.evaluate(
        """async (uuid) => {
            const db = await import('/static/js/db.js');
            return Promise.all((await db.all('photos', 'visit_uuid', uuid)).map(async (p) => {
                const bitmap = await createImageBitmap(p.thumb);
                return { blob: p.blob, side: Math.max(bitmap.width, bitmap.height), bytes: p.thumb.size, sent: Boolean(p.sent_at) };
            }));
        }""",
        uuid,
    )
    assert len(photos) >= 1
    assert all(p["blob"] is None and p["side"] <= 160 and p["bytes"] < 20_000 and p["sent"] for p in photos)

    # the sent visit: its state, and each item's photo marked as on the server
    page.click(f"#sent .card.visit[data-uuid='{uuid}']")
    page.wait_for_selector("#state[data-state='submitted']")
    evidence = page.locator("#evidence li[data-item='child-carts-available'] figure")
    assert evidence.get_attribute("data-on-server") == "1"
    assert evidence.locator("figcaption").inner_text() == "✓ 已上传"
    for code in LANGUAGES[::-1]:
        set_language(page, code)
        page.wait_for_selector("#evidence figure[data-on-server='1'] img")
        shoot(page, f"sent-{code}")

    # the form of a sent visit: thumbnails, never "needs a photo"
    open_section(page, uuid, "entrance")
    item = page.locator("#item-child-carts-available")
    assert item.get_attribute("data-state") != "needs"
    assert item.locator(".needs").inner_text() == ""
    assert item.locator(".thumb img").count() == 1 and item.locator(".sent-mark").count() == 1
    assert page.inner_text(".section-head .state-badge") == "等待审核"
    shoot(page, "sent-form")

    # released by a reviewer: the phone says so once it has asked
    release(live_server.url, uuid)
    go(page, "#/")
    page.click("#sync-now")
    page.wait_for_selector(f"#sent .card.visit[data-uuid='{uuid}'][data-state='released']")
    go(page, f"#/v/{uuid}")
    page.wait_for_selector("#sent-state .state-badge[data-state='released']")


def test_discreet_mode(page: Page, live_server: LiveServer) -> None:
    open_app(page, live_server.url)
    assert page.evaluate("document.documentElement.classList.contains('discreet')")
    assert meta(page, "discreet") is None  # on by default, for inspectors
    uuid = start_visit(page)
    open_section(page, uuid, "checkout")
    page.click("#item-checkout-queue-wait .timer-toggle")
    page.wait_for_selector("#timers:not([hidden]) .timer-chip")

    for code in LANGUAGES:
        set_language(page, code)
        for where, hash_ in [("home", "#/"), ("form", f"#/v/{uuid}/s/checkout"), ("contents", f"#/v/{uuid}")]:
            go(page, hash_)
            page.wait_for_selector("#new-visit" if where == "home" else ".section-row, fieldset.items")
            page.wait_for_timeout(100)
            on_screen = page.evaluate("document.title + ' ' + document.body.innerText")
            assert not GIVEAWAYS.search(on_screen), (code, where, GIVEAWAYS.search(on_screen))
            shoot(page, f"discreet-{where}-{code}")
    set_language(page, "zh-Hans")

    # a small timer, guidance folded behind a small "?", muted answer colours
    go(page, f"#/v/{uuid}/s/checkout")
    page.wait_for_selector("fieldset.items[data-section='checkout']")
    assert float(page.eval_on_selector("#item-checkout-queue-wait .clock", "(el) => parseFloat(getComputedStyle(el).fontSize)")) <= 20
    summary = page.locator("#item-checkout-queue-wait .guidance summary")
    assert summary.evaluate("(el) => getComputedStyle(el).fontSize") == "0px"
    assert not page.locator("#item-checkout-queue-wait .guidance p").is_visible()
    summary.click()
    assert page.locator("#item-checkout-queue-wait .guidance p").is_visible()

    # the running timer on every screen: one tap on it stops it
    go(page, "#/new")
    page.wait_for_selector(".card.site")
    chip = page.locator("#timers .timer-chip[data-item='checkout-queue-wait']")
    page.wait_for_timeout(1100)
    chip.click()
    answer = wait_for_answer(page, uuid, "checkout-queue-wait", lambda a: isinstance(a["value"], int) and a["value"] >= 1)
    assert stored_visit(page, uuid)["timers"] == {} and answer["na"] is False
    page.wait_for_selector("#timers[hidden]", state="attached")

    # off in the settings: the full title and colours, kept across a reload
    go(page, "#/")
    page.wait_for_selector("#discreet")
    page.click("#discreet-setting")
    page.wait_for_function("() => !document.documentElement.classList.contains('discreet')")
    assert meta(page, "discreet") is False
    page.reload()
    ready(page)
    assert page.inner_text("h1") == "服务细节暗访" and page.title() == "服务细节暗访"
    for code in LANGUAGES:
        set_language(page, code)
        shoot(page, f"plain-home-{code}")
        go(page, f"#/v/{uuid}/s/checkout")
        page.wait_for_selector("fieldset.items[data-section='checkout']")
        shoot(page, f"plain-form-{code}")
        go(page, "#/")
        page.wait_for_selector("#new-visit")
    assert page.title() == "Service audits"


def test_smaller_points(page: Page, context: BrowserContext, live_server: LiveServer) -> None:
    page.clock.install(time=WEEKEND)  # a weekend visit, so that its weekend count shows
    open_app(page, live_server.url)

    # the storage warning only while something waits that "sync now" or submitting can save
    page.evaluate("() => import('/static/js/db.js').then((db) => db.setMeta('persisted', false))")
    page.reload()
    ready(page)
    assert page.get_attribute("#persisted", "class") == "storage "
    uuid = start_visit(page)
    go(page, "#/")
    page.wait_for_selector(f"#drafts .card.visit[data-uuid='{uuid}']")
    assert page.get_attribute("#persisted", "class") == "storage warn"

    # a number under its pass threshold is flagged as soon as it is entered
    open_section(page, uuid, "entrance")
    number = "#item-child-carts-weekend-free"
    page.fill(f"{number} .number input", "2")
    page.wait_for_function("(sel) => document.querySelector(sel).textContent !== ''", arg=f"{number} .fails")
    assert page.inner_text(f"{number} .fails") == "不达标：合格为 ≥ 3 辆"
    page.fill(f"{number} .number input", "3")
    page.wait_for_function("(sel) => document.querySelector(sel).textContent === ''", arg=f"{number} .fails")

    # the timestamp records the date and the time
    page.click("#item-arrival-time .timestamp button")
    stamp = wait_for_answer(page, uuid, "arrival-time", lambda a: a["value"] is not None)["value"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp)

    # Note and Photo are compact: two icons beside the item's text, not a row of their own
    tools = page.locator("#item-step-free-entrance .tools").bounding_box()
    title = page.locator("#item-step-free-entrance h2").bounding_box()
    assert tools["width"] <= 110 and tools["y"] < title["y"] + title["height"]

    # the running timer on the contents screen
    open_section(page, uuid, "checkout")
    page.click("#item-checkout-queue-wait .timer-toggle")
    go(page, f"#/v/{uuid}")
    page.wait_for_selector("#running .timer-chip[data-item='checkout-queue-wait']")
    assert page.inner_text("#running a") == "收银"
    shoot(page, "contents-timer")

    # the language menu on a form section
    open_section(page, uuid, "entrance")
    set_language(page, "en")
    page.wait_for_selector("#next:has-text('Next')")
    assert page.inner_text(f"{number} .fails") == ""
    set_language(page, "zh-Hans")

    # a section whose items are all hidden says so, without a bar
    hall = start_visit(page, site="sh-xujiahui-service-hall", checklist="service-hall")
    row = page.locator(".section-row[data-section='follow-through']")
    assert row.locator(".tally").inner_text() == "本次无需检查"
    assert row.locator(".meter").count() == 0
    row.scroll_into_view_if_needed()
    shoot(page, "contents-hidden-section")
    open_section(page, hall, "first-ask")
    tap(page, "first-ask-solved-on-visit", "no")
    go(page, f"#/v/{hall}")
    page.wait_for_selector(".section-row[data-section='follow-through'] .meter")

    # more items per screen than before (about three): at least four cards start on a Pixel 7's form
    open_section(page, uuid, "entrance")
    page.evaluate("window.scrollTo(0, 0)")
    starts = page.evaluate("() => [...document.querySelectorAll('article.item:not([hidden])')].filter((el) => el.getBoundingClientRect().top < innerHeight).length")
    assert starts >= (4 if phone(page) == "pixel-7" else 3)
    shoot(page, "form-compact")
