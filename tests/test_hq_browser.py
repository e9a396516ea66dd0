"""HQ's dashboard in Debian's Chromium, at desktop and phone sizes, on the demo organisation:
signed in as HQ, the ranking shows each branch's visits and marks the ones too few to rank,
the charts are there (SVG, no CSP refusals), and the drill-down goes region → branch → site →
the visit's report. The comparison PDF from the dashboard's link is read back with pdftotext
and its first page rendered to PNG. A store manager gets no dashboard."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page

from audit import db, demo, library

from .conftest import ROOT, LiveServer, demo_database, served
from .test_pwa_screens import SCREENS
from .test_pwa_support import csp_violations

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = demo_database(tmp_path_factory.mktemp("hq") / "audit.db")
    database = db.connect(path)
    checklists = library.load(ROOT / "checklists")
    db.record_checklists(database, checklists)
    demo.build_visits(database, checklists, today=date.today())
    database.close()
    with served(path) as live:
        yield live


def signed_in(browser: Browser, url: str, username: str, **args: object) -> Page:
    page = browser.new_context(**args).new_page()
    page.goto(f"{url}/signin")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_the_dashboard_at_desktop_size_drills_down_to_a_report(browser: Browser, server: LiveServer) -> None:
    page = signed_in(browser, server.url, "hq", **DESKTOP)
    refused = csp_violations(page)
    page.goto(f"{server.url}/hq?period=last-12m&lang=zh-Hans")
    assert page.locator("h1").inner_text() == "门店对比"
    assert "各次暗访得分的平均值，不适用项不计" in page.locator(".rule").first.inner_text()
    assert page.locator("figure svg").count() >= 4
    rows = page.locator("table.ranking").nth(1).locator("tbody tr")
    assert rows.count() == 12
    first = rows.first.locator("td")
    assert first.nth(0).inner_text() == "1" and int(first.nth(3).inner_text().split("/")[0]) >= 3
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENS / "hq-desktop.png", full_page=True)

    page.locator("table.ranking").first.locator("tbody tr a").first.click()  # a region
    page.wait_for_load_state()
    assert "region=" in page.url and page.locator("table.ranking tbody tr").count() == 4
    page.locator("table.ranking tbody tr a").first.click()  # its best branch
    page.wait_for_load_state()
    assert "/hq/branches/" in page.url and page.locator("figure svg").count() >= 1
    page.screenshot(path=SCREENS / "hq-branch-desktop.png", full_page=True)
    page.locator("table.ranking tbody tr a").first.click()  # a site
    page.wait_for_load_state()
    assert "/hq/sites/" in page.url
    page.locator("tbody tr a").first.click()  # a visit
    page.wait_for_load_state()
    assert "/report" in page.url and page.locator("h1").count() == 1
    assert refused == []


def test_the_dashboard_on_a_phone_and_on_paper(browser: Browser, server: LiveServer, tmp_path: Path) -> None:
    page = signed_in(browser, server.url, "hq", **browser_phone(browser))
    page.goto(f"{server.url}/hq?lang=en&by=in-sale")
    assert page.locator("h1").inner_text() == "Branch comparison"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, "no sideways scrolling of the page itself"
    page.screenshot(path=SCREENS / "hq-phone.png", full_page=True)
    link = page.locator("a", has_text="Download as PDF").get_attribute("href")
    assert link and "by=in-sale" in link
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx2.get(server.url + link.replace("lang=en", "lang=zh-Hans"), cookies=cookies, timeout=60)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    pdf = tmp_path / "compare.pdf"
    pdf.write_bytes(answer.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("门店对比", "各次暗访得分的平均值，不适用项不计", "门店排名 · 售中", "全连锁最常不合格的细节", "暗访员评分校准", "上海徐家汇店"):
        assert words in text, words
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf), str(SCREENS / "hq-compare")], check=True)

    manager = signed_in(browser, server.url, demo.manager_name("sh-xujiahui"), **DESKTOP)
    assert manager.goto(f"{server.url}/hq").status == 404
    assert httpx2.get(server.url + "/hq/compare.pdf", cookies={c["name"]: c["value"] for c in manager.context.cookies()}).status_code == 404


def browser_phone(browser: Browser) -> dict[str, object]:
    """Pixel 7's screen, as the inspector tests use it."""
    return {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.625, "is_mobile": True, "has_touch": True, "locale": "en-GB"}
