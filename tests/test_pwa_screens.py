"""Every screen at phone size (412×839), saved to /tmp/screens for a person to look at, with
Chinese text rendered and touch targets big enough for a thumb."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from .conftest import LiveServer
from .test_pwa_support import (
    WEEKEND,
    add_photo,
    big_jpeg,
    checklist,
    fill_visit,
    make_conflict,
    open_section,
    start_visit,
    status_of,
    submit,
    tap,
    wait_for,
    wait_for_answer,
)

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")
MIN_TARGET = 48


def shoot(page: Page, name: str) -> None:
    SCREENS.mkdir(exist_ok=True)
    page.wait_for_timeout(150)  # let the last repaint land
    page.screenshot(path=SCREENS / f"{name}.png", scale="css")
    small = page.evaluate(
        """(min) => [...document.querySelectorAll('.btn, .opt, .card, .switch, input:not([type=file]):not([type=checkbox]), textarea')]
            .filter((el) => el.offsetParent !== null && !el.closest('.update'))
            .map((el) => ({ el: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
            .filter(({ height }) => height < min)""",
        MIN_TARGET,
    )
    assert small == [], f"touch targets under {MIN_TARGET}px on {name}"


def test_screens(page: Page, context: BrowserContext, live_server: LiveServer, tmp_path: Path) -> None:
    assert page.viewport_size == {"width": 412, "height": 839}
    page.clock.install(time=WEEKEND)  # weekend visits, so that the weekend count shows too
    conflict = make_conflict(page, context, live_server.url, tmp_path)
    data = checklist(live_server.url)
    small = big_jpeg(tmp_path / "small.jpg", 800, 600)
    sent = start_visit(page)
    fill_visit(page, sent, data, small)
    submit(page, sent)
    wait_for(lambda: status_of(page, sent) == "sent", what="a visit sent")

    uuid = start_visit(page)
    shoot(page, "visit-contents")
    open_section(page, uuid, "entrance")
    page.click("#item-arrival-time .timestamp button")
    page.fill("#item-child-carts-weekend-free .number input", "2")
    tap(page, "child-carts-available", "no")
    add_photo(page, "child-carts-available", big_jpeg(tmp_path / "cart-bay.jpg"))
    wait_for_answer(page, uuid, "child-carts-available", lambda a: a["value"] == "no")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "form-section")
    page.locator("#item-child-carts-available").scroll_into_view_if_needed()
    shoot(page, "form-section-photo")

    open_section(page, uuid, "checkout")
    page.click("#item-checkout-queue-wait .timer-toggle")
    page.locator("#item-cashier-service .opt").first.click()
    page.wait_for_timeout(1200)
    shoot(page, "form-timer-choices")

    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/submit")
    page.wait_for_selector("#missing")
    shoot(page, "submit-missing")

    context.set_offline(True)
    queued = start_visit(page)
    fill_visit(page, queued, data, small)
    submit(page, queued)
    page.wait_for_selector(f"#drafts .card.visit[data-uuid='{uuid}']")
    page.wait_for_selector(f"#sent .card.visit[data-uuid='{sent}']")
    shoot(page, "home")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    shoot(page, "home-settings")
    context.set_offline(False)

    page.click("#new-visit")
    page.wait_for_selector(".card.site")
    shoot(page, "new-visit-site")
    page.click(".card.site[data-site='sh-xujiahui-supermarket']")
    page.wait_for_selector(".card.checklist")
    shoot(page, "new-visit-checklist")

    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{conflict}")
    page.wait_for_selector("#problem")
    shoot(page, "conflict")

    page.evaluate("location.hash = '#/'")
    page.click(".segmented button[lang='zh-Hant']")
    page.wait_for_function("() => document.querySelector('h1').textContent === '工作記錄'")
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/s/checkout")
    page.wait_for_selector("fieldset.items[data-section='checkout']")
    shoot(page, "form-zh-hant")
