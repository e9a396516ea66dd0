"""Finding a site on the phone: assigned visits first, then the sites of recent visits, then a
search of several words (all must match, in any order) in any of the organisation's languages,
in full pinyin or pinyin initials, with a clear "nothing matches". The keys come from the
server (audit/sitesearch.py); the phone only normalises what is typed. On a Pixel 7 and on an
iPhone-sized phone, with screenshots in /tmp/screens."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from starlette.testclient import TestClient

from audit import db, org, sitesearch
from audit.app import create_app
from audit.startup import Settings

from .conftest import LiveServer, demo_database, sign_in
from .test_pwa_screens import shoot
from .test_pwa_support import (
    SUPERMARKET,
    SUPERMARKET_SITE,
    api,
    open_app,
    start_visit,
    stored_visit,
    wait_for_catalog,
)

ASSIGNED_SITE = "hz-wulin-supermarket"
XUJIAHUI = {
    "sh-xujiahui-supermarket", "sh-xujiahui-hotel", "sh-xujiahui-restaurant", "sh-xujiahui-apparel-store",
    "sh-xujiahui-service-hall", "sh-xujiahui-service-centre",
}


def test_the_server_makes_keys_in_every_language_and_pinyin(tmp_path: Any) -> None:
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path))) as client:
        sites = sign_in(client).get("/api/sites").json()
    found = {site["id"]: site["search"] for site in sites}
    keys = found[SUPERMARKET_SITE].split(" ")
    for key in ("上海徐家汇店超市", "上海徐家匯店超市", "shanghai", "xujiahui", "supermarket", "华东区", "east"):
        assert key in keys, key
    assert "shanghaixujiahuidianchaoshi" in keys and "shxjhdcs" in keys  # full pinyin, initials
    assert found[SUPERMARKET_SITE] == sitesearch.normalise(found[SUPERMARKET_SITE]), "keys are normalised as the phone normalises"


def test_pinyin_reads_place_names_by_their_phrases() -> None:
    assert sitesearch.pinyin(["重庆解放碑店", "长沙五一广场"]) == {
        "重庆解放碑店": ("chongqingjiefangbeidian", "cqjfbd"),
        "长沙五一广场": ("changshawuyiguangchang", "cswygc"),
    }


def test_keys_leave_the_sites_as_they_were(tmp_path: Any) -> None:
    database = db.connect(demo_database(tmp_path / "audit.db"))
    plain = org.sites(database)
    keyed = sitesearch.with_keys(plain)
    assert [{k: v for k, v in site.items() if k != "search"} for site in keyed] == plain


def test_without_its_pinyin_process_the_names_still_match(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child process that makes the pinyin cannot start: /api/sites answers with the names, never a 5xx."""
    monkeypatch.setattr(sitesearch.sys, "executable", str(tmp_path / "no-such-python"))
    sitesearch._pinyin_of.cache_clear()
    database = db.connect(demo_database(tmp_path / "audit.db"))
    keys = {site["id"]: site["search"].split(" ") for site in sitesearch.with_keys(org.sites(database))}[SUPERMARKET_SITE]
    assert "上海徐家汇店超市" in keys and "xujiahui" in keys and "shxjhdcs" not in keys
    sitesearch._pinyin_of.cache_clear()


def shown(page: Page) -> list[str]:
    """The sites the full list shows now, in order."""
    return list(page.eval_on_selector_all("#all-sites .card.site", "els => els.filter((e) => e.offsetParent !== null).map((e) => e.dataset.site)"))


def search(page: Page, typed: str) -> list[str]:
    page.fill("#site-search", typed)
    return shown(page)


def set_language(page: Page, code: str) -> None:
    page.evaluate("(code) => import('/static/js/i18n.js').then((i18n) => i18n.setLanguage(code))", code)


@pytest.mark.browser
def test_assigned_then_recent_then_a_search_of_several_words(phone: tuple[Page, str], live_server: LiveServer) -> None:
    page, name = phone
    with api(live_server.url, "hq") as hq:
        answer = hq.post("/hq/assignments", data={
            "site": ASSIGNED_SITE, "checklist": SUPERMARKET, "inspector": "inspector",
            "start": "2026-12-01T09:00", "end": "2026-12-01T18:00", "offset": "+08:00",
        })
    assert answer.status_code == 303, answer.text
    open_app(page, live_server.url)
    wait_for_catalog(page)
    page.locator(f"#assignments .card.assignment[data-site='{ASSIGNED_SITE}']").wait_for()
    start_visit(page, SUPERMARKET_SITE)  # a draft: its site is now a recent one

    page.evaluate("location.hash = '#/new'")
    page.wait_for_selector("#site-search")
    order = page.eval_on_selector_all("main h1 ~ *", "els => els.map((e) => e.id || e.className)")
    assert order[:4] == ["assigned-sites", "recent-sites", "site-search", "search-hint"], order
    assert page.locator("#assigned-sites .card.assignment").get_attribute("data-site") == ASSIGNED_SITE
    assert page.locator("#recent-sites .card.site").first.get_attribute("data-site") == SUPERMARKET_SITE
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    shoot(page, f"site-choice-{name}")

    assert search(page, "xjh chaoshi") == [SUPERMARKET_SITE]  # pinyin initials and full pinyin
    assert search(page, "chaoshi xjh") == [SUPERMARKET_SITE]  # in any order
    assert page.locator("#assigned-sites").is_hidden() and page.locator("#recent-sites").is_hidden()
    assert set(search(page, "Xujiahui")) == XUJIAHUI  # English typed in the Chinese interface
    assert search(page, "徐家汇 超市") == [SUPERMARKET_SITE]
    assert search(page, "徐家匯　超市") == [SUPERMARKET_SITE]  # Traditional, an ideographic space between
    assert search(page, "ＸＵＪＩＡＨＵＩ hotel") == ["sh-xujiahui-hotel"]  # full-width letters, as NFKC reads them
    assert page.locator("#no-match").is_hidden()
    shoot(page, f"site-search-{name}")

    assert search(page, "xjh nanjing") == []
    nothing = page.locator("#no-match")
    assert nothing.is_visible() and "xjh nanjing" in nothing.inner_text() and "没有门店符合" in nothing.inner_text()
    assert page.locator("#all-sites .group:not([hidden])").count() == 0
    shoot(page, f"site-search-nothing-{name}")

    set_language(page, "en")
    page.wait_for_function("() => document.querySelector('#site-search')?.placeholder === 'Search sites'")
    assert search(page, "徐家汇 超市") == [SUPERMARKET_SITE]  # Chinese typed in the English interface
    assert search(page, "qqqq") == [] and "No site matches" in page.locator("#no-match").inner_text()
    search(page, "")
    assert page.locator("#no-match").is_hidden() and page.locator("#assigned-sites").is_visible()
    assert len(shown(page)) == len(page.evaluate("import('/static/js/catalog.js').then((c) => c.sites())"))
    shoot(page, f"site-choice-en-{name}")
    set_language(page, "zh-Hant")
    page.wait_for_function("() => document.querySelector('#site-search')?.placeholder === '搜尋門市'")
    assert search(page, "xujiahui 酒店") == ["sh-xujiahui-hotel"]
    shoot(page, f"site-search-zh-hant-{name}")
    search(page, "")

    page.locator("#assigned-sites .card.assignment").click()  # starts the assigned visit
    page.wait_for_selector(".section-row")
    visit = stored_visit(page, page.evaluate("location.hash.split('/')[2]"))
    assert visit is not None and (visit["site_id"], visit["checklist_id"]) == (ASSIGNED_SITE, SUPERMARKET)
    assert visit["assignment_id"]
