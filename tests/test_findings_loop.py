"""The findings loop of issue 10, each person on a phone-sized page of their own: HQ assigns a
visit; the inspector's phone lists it (offline too), the inspector fails two details with
photos and sends it when back online; the reviewer releases it, which opens two findings; the
store manager, in the app on their phone, answers one "fixed" with a note and a photo and
disputes the other, and the app's outbox sends both; HQ accepts
the dispute, and the report shows the adjusted score beside the first one. A second assigned
visit marks the claimed fix to re-check on the phone, without the store's words; the inspector
sees it pass, the reviewer releases it, the finding is closed and HQ's branch page counts it
fixed on re-check. Screens of each person's key page go to /tmp/screens."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from audit import demo

from .conftest import LiveServer
from .test_pwa_screens import SCREENS
from .test_pwa_store import answer_on_phone, sign_in_store
from .test_pwa_support import (
    INSPECTOR,
    REVIEWER,
    SUPERMARKET,
    SUPERMARKET_SITE,
    add_photo,
    big_jpeg,
    checklist,
    fill_visit,
    meta,
    open_app,
    open_section,
    person_on_pages,
    ready,
    status_of,
    stored_visit,
    submit,
    tap,
    wait_for,
    wait_for_catalog,
    wait_for_worker,
    waiting,
)

pytestmark = pytest.mark.browser

BRANCH = "sh-xujiahui"
BRANCH_NAME = "Shanghai Xujiahui"
MANAGER = demo.manager_name(BRANCH)
HQ = "hq"
FIXED = ("aisles", "aisles-clear")  # (section, item): both ask for a photo on a fail
DISPUTED = ("fresh-hygiene", "fresh-display-clean")
FIX_NOTE = "纸箱已清走，补货改到早上七点前"
DISPUTE_NOTE = "当天展柜在维修，有维修单为证"
CHAIN_TIME = timezone(timedelta(hours=8))  # the form's default offset, assignments.DEFAULT_OFFSET


def screen(page: Page, name: str) -> None:
    SCREENS.mkdir(exist_ok=True)
    page.wait_for_timeout(150)  # let the last repaint land
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


def assign(hq: Page, url: str) -> None:
    """HQ fills the assignments form: the supermarket, its checklist, the inspector, a window around now."""
    now = datetime.now(CHAIN_TIME)
    hq.goto(f"{url}/hq/assignments?lang=en")
    hq.select_option("#site", SUPERMARKET_SITE)
    hq.select_option("#checklist", SUPERMARKET)
    hq.select_option("#inspector", INSPECTOR)
    hq.fill("#start", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    hq.fill("#end", (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    hq.fill("#offset", "+08:00")
    hq.click("#assign-one button[type=submit]")
    hq.wait_for_url("**/hq/assignments?done=added")


def assignment_card(page: Page) -> Any:
    return page.locator(f"#assignments .card.assignment[data-site='{SUPERMARKET_SITE}'][data-checklist='{SUPERMARKET}']")


def fail_with_photo(page: Page, uuid: str, section: str, item: str, photo: Path) -> None:
    open_section(page, uuid, section)
    tap(page, item, "no")
    add_photo(page, item, photo)


def wait_until_sent(page: Page, uuid: str) -> None:
    """The outbox empties: the visit and its photos are on the server."""
    wait_for(lambda: status_of(page, uuid) == "sent", timeout=30, what="the visit sent")
    wait_for(lambda: waiting(page) == (0, 0), timeout=30, what="the outbox empty")


def release(reviewer: Page, url: str, uuid: str) -> None:
    reviewer.goto(f"{url}/review/{uuid}")
    reviewer.click("button[value=approve]")
    reviewer.wait_for_url(f"**/review/{uuid}?done=approve")


def finding_of(db_path: Path, item: str) -> tuple[str, str]:
    """The id and state of the finding of a detail at the supermarket."""
    with sqlite3.connect(db_path) as connection:
        found: tuple[str, str] = connection.execute(
            "SELECT id, state FROM findings WHERE site_id = ? AND item_id = ?", [SUPERMARKET_SITE, item]
        ).fetchone()
    return found


def scores(report: Page) -> tuple[str, str]:
    """The report's first score and the one after accepted disputes, as printed."""
    box = report.inner_text(".scorebox")
    adjusted = re.search(r"After accepted disputes: ([0-9.]+)", box)
    assert adjusted is not None, box
    return box.split()[0], adjusted[1]


def fixed_on_recheck(hq: Page, url: str, path: str) -> int:
    """The branch's "Fixed on re-check" cell in the findings table of an HQ page (the last 12 months)."""
    hq.goto(f"{url}{path}?lang=en&period=last-12m")
    table = hq.locator("table", has=hq.locator("th", has_text="Fixed on re-check"))
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    row = table.locator("tbody tr", has=hq.locator("td", has_text=BRANCH_NAME))
    return int(row.locator("td").nth(headers.index("Fixed on re-check")).inner_text())


def test_the_findings_loop_from_a_failed_detail_to_its_fix_confirmed(
    page: Page, context: BrowserContext, browser: Browser, browser_context_args: dict[str, Any], live_server: LiveServer, tmp_path: Path
) -> None:
    url, db_path = live_server.url, live_server.db_path
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    fix_photo = big_jpeg(tmp_path / "fix.jpg", 640, 480)
    data = checklist(url)

    # 1. HQ assigns a visit
    hq_context, hq = person_on_pages(browser, browser_context_args, url, HQ)
    assign(hq, url)

    # 2. the phone lists it first, offline too; the inspector fails two details and sends it online
    open_app(page, url)
    wait_for_worker(page)
    wait_for_catalog(page)
    assignment_card(page).wait_for()
    context.set_offline(True)
    page.reload()
    ready(page)
    assignment_card(page).wait_for()
    assert page.locator("main .group").first.get_attribute("id") == "assignments"
    assignment_card(page).click()
    page.wait_for_selector(".section-row")
    first = page.evaluate("location.hash.split('/')[2]")
    fill_visit(page, first, data, photo, skip={FIXED[1], DISPUTED[1]})
    for section, item in (FIXED, DISPUTED):
        fail_with_photo(page, first, section, item, photo)
    submit(page, first)
    assert status_of(page, first) == "outbox"
    context.set_offline(False)
    wait_until_sent(page, first)

    # 3. the reviewer releases it: two findings open
    reviewer_context, reviewer = person_on_pages(browser, browser_context_args, url, REVIEWER)
    release(reviewer, url, first)
    (fixed_id, state_a), (disputed_id, state_b) = finding_of(db_path, FIXED[1]), finding_of(db_path, DISPUTED[1])
    assert state_a == state_b == "open"

    # 4. on the store manager's phone, one fixed with a note and a photo, the other disputed; sent by its outbox
    manager_context = browser.new_context(**browser_context_args)
    manager = manager_context.new_page()
    sign_in_store(manager, url, MANAGER)
    screen(manager, "findings-list")
    answer_on_phone(manager, fixed_id, "fixed", FIX_NOTE, fix_photo)
    answer_on_phone(manager, disputed_id, "dispute", DISPUTE_NOTE)
    wait_for(lambda: finding_of(db_path, DISPUTED[1])[1] == "disputed", what="the answers stored", page=manager)
    assert finding_of(db_path, FIXED[1])[1] == "fixed"
    manager.wait_for_selector(f"#answered .card.finding[data-finding='{fixed_id}'][data-state='fixed']")
    screen(manager, "findings-answered")

    # 5. HQ accepts the dispute; the report shows the score after it beside the first one
    hq.goto(f"{url}/findings/disputes")
    hq.wait_for_selector(f"a[href^='/findings/{disputed_id}']")
    screen(hq, "disputes")
    hq.click(f"a[href^='/findings/{disputed_id}']")
    hq.click("button[value=accept]")
    hq.wait_for_url(f"**/findings/{disputed_id}?done=accept")
    assert finding_of(db_path, DISPUTED[1])[1] == "void"
    hq.goto(f"{url}/visits/{first}/report?lang=en")
    before, after = scores(hq)
    assert float(after) != float(before)
    screen(hq, "report-adjusted")

    # 6. a second assignment: the claimed fix is to re-check, the store's words nowhere on the phone
    assign(hq, url)
    page.click("#sync-now")
    assignment_card(page).wait_for()
    assignment_card(page).click()
    page.wait_for_selector(".section-row")
    second = page.evaluate("location.hash.split('/')[2]")
    assert second != first
    assert (stored_visit(page, second) or {}).get("recheck") == [FIXED[1]]
    open_section(page, second, FIXED[0])
    assert page.locator(f"#item-{FIXED[1]} .badge.recheck").inner_text() == "复查"
    assert page.locator(".badge.recheck").count() == 1
    assert FIX_NOTE not in page.inner_text("body") and FIX_NOTE not in page.content()
    assert FIX_NOTE not in json.dumps(meta(page, "assignments"), ensure_ascii=False)  # nor what the phone keeps
    screen(page, "recheck-item")
    fill_visit(page, second, data, photo)
    submit(page, second)
    wait_until_sent(page, second)
    release(reviewer, url, second)

    # the finding is closed, and HQ counts it fixed on re-check
    assert finding_of(db_path, FIXED[1]) == (fixed_id, "closed")
    manager.click("#sync-now")  # closed by the re-check: no longer on the store's list
    manager.wait_for_selector(f".card.finding[data-finding='{fixed_id}']", state="detached")
    page_context, pages = person_on_pages(browser, browser_context_args, url, MANAGER)  # the server's pages still list it, closed
    pages.goto(f"{url}/findings/{fixed_id}?lang=en")
    assert "Closed" in pages.inner_text(".card .pill")
    assert fixed_on_recheck(hq, url, "/hq") >= 1
    assert fixed_on_recheck(hq, url, f"/hq/branches/{BRANCH}") >= 1
    for other in (hq_context, reviewer_context, manager_context, page_context):
        other.close()
