"""Accessibility, as axe-core (bundled by axe-playwright-python) judges it: no critical and no
serious violation on the inspector's screens (home, site choice, a form section, submit, a sent
visit), on the visit report, and on the server's pages of reviewers, store managers and HQ
(/review, /store, /findings, /hq, /hq/assignments), and on a store manager's screens in the
app (the findings, a finding and its answer), at phone size."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from audit import demo

from .conftest import LiveServer, demo_database_with_visits, served
from .test_pwa_store import sign_in_store
from .test_pwa_support import (
    add_photo,
    big_jpeg,
    checklist,
    fill_visit,
    open_app,
    open_section,
    person_on_pages,
    start_visit,
    status_of,
    tap,
    wait_for,
)

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = {"critical", "serious"}


@pytest.fixture(scope="module")
def visits_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on the demo organisation with a month of visits sent and reviewed."""
    with served(demo_database_with_visits(tmp_path_factory.mktemp("a11y") / "audit.db", today=date.today(), months=1)) as server:
        yield server


def blocking(page: Page) -> list[str]:
    """The critical and serious violations on the page as it is now, with where they are."""
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:4]}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def test_the_inspectors_screens(page: Page, visits_server: LiveServer, tmp_path: Path) -> None:
    found: dict[str, list[str]] = {}

    def check(page: Page, where: str) -> None:
        page.wait_for_timeout(150)  # the last redraw
        if problems := blocking(page):
            found[where] = problems

    url = visits_server.url
    open_app(page, url)
    page.wait_for_selector("#sent .card.visit")
    check(page, "home")

    page.click("#new-visit")
    page.wait_for_selector(".card.site")
    check(page, "site choice")

    uuid = start_visit(page)
    check(page, "contents")
    open_section(page, uuid, "checkout")
    page.click("#item-checkout-queue-wait .timer-toggle")
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}")
    page.wait_for_selector("#running .timer-chip")
    check(page, "contents with a running timer")
    page.click("#running .timer-chip")
    page.wait_for_selector("#timers[hidden]", state="attached")
    data = checklist(url)
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    fill_visit(page, uuid, data, photo, skip={"child-carts-available"})
    open_section(page, uuid, "entrance")
    tap(page, "child-carts-available", "no")
    add_photo(page, "child-carts-available", photo)
    check(page, "form section")

    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/submit")
    page.wait_for_selector("#failures")
    check(page, "submit")
    page.click("#submit")
    check(page, "submit, confirming")
    page.click("#confirm-submit")
    page.wait_for_selector("#undo-window:not([hidden])")
    check(page, "submit, undo window")
    page.evaluate("location.hash = '#/'")
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit sent")

    page.evaluate("(hash) => { location.hash = hash; }", f"#/sent/{uuid}")
    page.wait_for_selector("#evidence")
    check(page, "sent visit")
    page.click("#languages summary")
    check(page, "language menu")

    # the same colours and more without discreet mode
    page.evaluate("location.hash = '#/'")
    page.click("#discreet-setting")
    page.wait_for_function("() => !document.documentElement.classList.contains('discreet')")
    check(page, "home, discreet mode off")
    open_section(page, uuid, "entrance")
    check(page, "a sent visit's form section, discreet mode off")
    page.evaluate("(hash) => { location.hash = hash; }", f"#/sent/{uuid}")
    page.wait_for_selector("#evidence")
    check(page, "sent visit, discreet mode off")
    start_visit(page)
    check(page, "contents, discreet mode off")
    assert found == {}


def released_visit(db_path: Path, branch: str) -> str:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT v.uuid FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.state = 'released' AND s.branch_id = ? "
            "ORDER BY v.started_at DESC LIMIT 1",
            [branch],
        ).fetchone()
    assert row, f"no released visit in {branch}"
    return str(row[0])


PAGES = [
    ("reviewer", "/review"),
    (demo.manager_name("sh-xujiahui"), "/store"),
    (demo.manager_name("sh-xujiahui"), "/findings"),
    (demo.manager_name("sh-xujiahui"), "report"),
    ("hq", "/hq"),
    ("hq", "/hq/assignments"),
]


@pytest.mark.parametrize(("username", "where"), PAGES)
def test_the_server_pages(
    browser: Browser, browser_context_args: dict[str, Any], visits_server: LiveServer, username: str, where: str
) -> None:
    context, page = person_on_pages(browser, browser_context_args, visits_server.url, username)
    path = f"/visits/{released_visit(visits_server.db_path, 'sh-xujiahui')}/report" if where == "report" else where
    response = page.goto(f"{visits_server.url}{path}")
    assert response is not None and response.status == 200, path
    page.wait_for_timeout(150)
    assert blocking(page) == [], path
    context.close()


def test_the_store_managers_screens(page: Page, visits_server: LiveServer) -> None:
    """The app as a store manager uses it: the findings, one finding's answer form (both kinds), and an answer waiting."""
    found: dict[str, list[str]] = {}

    def check(where: str) -> None:
        page.wait_for_timeout(150)  # the last redraw
        if problems := blocking(page):
            found[where] = problems

    sign_in_store(page, visits_server.url, demo.manager_name("sh-xujiahui"))
    check("findings")
    page.locator("#to-answer .card.finding").first.click()
    page.wait_for_selector("#answer-form")
    check("a finding, fixed")
    page.click("#kind-dispute")
    check("a finding, dispute")
    page.fill("#answer-note", "当天设备在维修")
    page.click("#answer-save")
    page.wait_for_selector("#answered .card.finding")
    page.locator("#answered .card.finding").first.click()
    page.wait_for_selector("#held-answer")
    check("a finding answered")
    assert found == {}
