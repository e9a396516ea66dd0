"""The web report on a phone (Pixel 7, 412×839) in Debian's Chromium: it fits the screen,
its photos load, its text is readable, the PDF downloads, the language can be switched."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from audit import demo

from .conftest import LiveServer
from .test_report_support import HOME, fill


@pytest.mark.browser
def test_report_reads_on_a_phone(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    store = fill(live_server.db_path)
    page.goto(f"{live_server.url}/visits/{store.latest}/report")  # a store manager not signed in yet
    assert "/signin?next=" in page.url
    page.fill("#username", demo.manager_name(HOME))
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/visits/{store.latest}/report")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert page.viewport_size == {"width": 412, "height": 839}
    assert page.evaluate("document.documentElement.scrollWidth") <= 412, "nothing overflows sideways"
    page.wait_for_function("[...document.images].every(i => i.complete)")
    assert page.evaluate("[...document.images].length") >= 1
    assert page.evaluate("[...document.images].every(i => i.naturalWidth > 0)"), "every photo loaded"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    for words in ("到访检查报告", "关键项不通过", "不通过项", "计时项", "历次得分", "区域排名", "检查员总结", "各部分小结"):
        assert page.get_by_text(words, exact=False).first.is_visible(), words
    widths = page.evaluate("[...document.images].map(i => i.getBoundingClientRect().right)")
    assert max(widths) <= 412
    page.screenshot(path=str(tmp_path / "report-phone-top.png"))
    page.screenshot(path=str(tmp_path / "report-phone-full.png"), full_page=True)
    print(f"screenshots: {tmp_path}")

    with page.expect_download() as download:
        page.get_by_text("下载 PDF").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "report-sh-xujiahui-2026-10-07-zh-Hans.pdf"
    assert saved.read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/report?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_text("Critical failures").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 412
    page.screenshot(path=str(tmp_path / "report-phone-en.png"))
