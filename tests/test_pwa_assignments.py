"""An assignment on the inspector's phone: HQ assigns a visit through the page's form, the phone
lists it first on home, still after going offline and reloading, and tapping it starts the visit
for that site and checklist, its items to re-check marked and nothing of what the store said."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from audit import findings

from .conftest import LiveServer
from .test_pwa_screens import SCREENS, shoot
from .test_pwa_support import (
    SUPERMARKET,
    SUPERMARKET_SITE,
    api,
    csp_violations,
    open_app,
    open_section,
    ready,
    stored_visit,
    wait_for_catalog,
    wait_for_worker,
)

pytestmark = pytest.mark.browser

RECHECK = "step-free-entrance"


def assign_through_the_form(url: str, start: str = "2026-12-01T09:00", end: str = "2026-12-01T18:00") -> None:
    with api(url, "hq") as hq:
        answer = hq.post("/hq/assignments", data={
            "site": SUPERMARKET_SITE, "checklist": SUPERMARKET, "inspector": "inspector", "start": start, "end": end, "offset": "+08:00",
        })
    assert answer.status_code == 303, answer.text


def test_the_phone_lists_its_assignment_first_offline_too_and_starts_it(
    page: Page, context: BrowserContext, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # findings.py's rule is tested on its own; here, one open finding's item at the site
    monkeypatch.setattr(findings, "to_recheck", lambda database, site, checklist: [RECHECK])
    assign_through_the_form(live_server.url)
    refused = csp_violations(page)
    open_app(page, live_server.url)
    wait_for_worker(page)
    wait_for_catalog(page)
    card = page.locator(f"#assignments .card.assignment[data-site='{SUPERMARKET_SITE}'][data-checklist='{SUPERMARKET}']")
    card.wait_for()
    assert page.locator("main .group").first.get_attribute("id") == "assignments"

    context.set_offline(True)
    page.reload()
    ready(page)
    card.wait_for()
    assert page.locator("main .group").first.get_attribute("id") == "assignments"
    assert "12月1日" in card.inner_text()  # the window, in the phone's own time and language
    shoot(page, "assignments-home")
    assert (SCREENS / "assignments-home.png").exists()

    card.click()
    page.wait_for_selector(".section-row")
    uuid = page.evaluate("location.hash.split('/')[2]")
    visit = stored_visit(page, uuid)
    assert visit is not None
    assert (visit["site_id"], visit["checklist_id"], visit["recheck"]) == (SUPERMARKET_SITE, SUPERMARKET, [RECHECK])
    open_section(page, uuid, "entrance")
    assert page.locator(f"#item-{RECHECK} .badge.recheck").inner_text() == "复查"
    assert page.locator(".badge.recheck").count() == 1
    context.set_offline(False)
    page.evaluate("location.hash = '#/'")
    page.locator("#assignments .card.assignment").click()  # the same assignment opens the visit it started
    page.wait_for_function("(uuid) => location.hash === `#/v/${uuid}`", arg=uuid)
    assert refused == []



def test_an_assignment_whose_window_has_passed_says_so(page: Page, live_server: LiveServer) -> None:
    assign_through_the_form(live_server.url, "2026-11-02T09:00", "2026-11-02T18:00")
    open_app(page, live_server.url)
    card = page.locator("#assignments .card.assignment")
    card.wait_for()
    assert card.get_attribute("data-late") == "1"
    assert "时段已过" in card.inner_text()
