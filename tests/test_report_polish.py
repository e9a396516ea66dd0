"""The report as a store manager reads it: photos open full size (the stored photo, refused to
anyone who may not read the report), the inspector's own words marked as such with their
language when the report is in another, the trend with a score axis, a pass line and dates, the
checklist version as a day, and demo notes and summaries that agree with the answers. Read in
the web page, on a Pixel 7 and an iPhone-sized phone (screenshots in /tmp/screens), and in the
PDF with poppler (pages rendered to /tmp/screens as PNG)."""

from __future__ import annotations

import io
import random
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from PIL import Image
from playwright.sync_api import Page
from starlette.testclient import TestClient

from audit import answers, db, demo, library, pdf, report, wording
from audit.app import create_app
from audit.branding import Branding
from audit.scoring import score_visit
from audit.startup import Settings

from .conftest import LiveServer, sign_in
from .test_pwa_screens import SCREENS
from .test_report_support import (
    CST,
    HOME,
    Store,
    body_text,
    fill,
    poppler,
    squash,
    supermarket,
)

OTHER_MANAGER = demo.manager_name("gz-tianhe")  # a manager of a branch in another region
HASH = re.compile(r"\b[0-9a-f]{12}\b")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return fill(tmp_path_factory.mktemp("polish") / "audit.db")


@pytest.fixture(scope="module")
def database(store: Store) -> Iterator[sqlite_utils.Database]:
    connection = db.connect(store.path)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("text", "lang", "marked"),
    [
        ("货架后排有 2 盒酸奶过期一天。", "en", "zh"),
        ("货架后排有 2 盒酸奶过期一天。", "zh-Hant", ""),
        ("Staff were helpful.", "zh-Hans", "en"),
        ("Staff were helpful.", "en", ""),
        ("收银员 Amy 很热情", "en", "zh"),
        ("12:05", "en", ""),
    ],
)
def test_words_in_another_language_are_marked(text: str, lang: str, marked: str) -> None:
    assert report.their_words(wording.TEXT[lang], lang, text)[0] == marked


def test_notes_and_summary_in_the_english_report_are_the_inspectors_own_words(store: Store, database: sqlite_utils.Database) -> None:
    english = report.build(database, store.latest, "en")
    noted = [f for f in english.critical + english.failures if f.note]
    assert noted and all(f.note_lang == "zh" and f.note_label == "Inspector's note, in their words (Chinese)" for f in noted)
    assert english.narrative_lang == "zh" and english.narrative_label == "Inspector's note, in their words (Chinese)"
    traditional = report.build(database, store.latest, "zh-Hant")
    assert all(f.note_label == "檢查員備註" and not f.note_lang for f in traditional.critical + traditional.failures if f.note)
    assert not traditional.narrative_label


@pytest.mark.parametrize(("lang", "day"), [("zh-Hans", "2026年7月4日"), ("zh-Hant", "2026年7月4日"), ("en", "4 Jul 2026")])
def test_the_version_is_the_day_it_came_into_use(store: Store, database: sqlite_utils.Database, lang: str, day: str) -> None:
    r = report.build(database, store.latest, lang)
    assert r.version == day  # the store's first visit on it; it was recorded as served only when the tests ran


def test_the_trend_has_a_score_axis_a_pass_line_and_dates(store: Store, database: sqlite_utils.Database) -> None:
    r = report.build(database, store.latest, "zh-Hans")
    assert len(r.trend) == 4
    chart = r.trend_chart
    for tick in ("0", "25", "50", "75", "100"):
        assert f">{tick}</text>" in chart, tick
    assert report.pass_line(supermarket()) == 75 and ">合格线 75.0</text>" in chart
    for point in r.trend:
        assert f">{point.short}</text>" in chart and point.short in chart
    assert report.build(database, store.visits[HOME][0], "en").trend_chart == "", "a first visit has no line to draw"


def test_a_thumbnail_opens_the_stored_photo_under_the_same_rules(store: Store) -> None:
    with TestClient(create_app(Settings(db_path=store.path))) as client:
        html = sign_in(client, demo.manager_name(HOME)).get(f"/visits/{store.latest}/report?lang=en").text
        links = re.findall(r'<a class="photo-link" href="(photos/([0-9a-f-]+))"[^>]*><img[^>]* src="photos/\2/thumb"', html)
        assert links and len(links) == len(re.findall(r'src="photos/[0-9a-f-]+/thumb"', html)), "every thumbnail is a link"
        for href, photo_uuid in links:
            full = client.get(f"/visits/{store.latest}/{href}")
            thumb = client.get(f"/visits/{store.latest}/{href}/thumb")
            assert full.status_code == 200 and full.headers["content-type"] == "image/jpeg"
            width, height = Image.open(io.BytesIO(full.content)).size
            assert max(width, height) <= 1600 and width > Image.open(io.BytesIO(thumb.content)).size[0]
            stored = db.connect(store.path).execute("SELECT data FROM photos WHERE uuid = ?", [photo_uuid]).fetchone()[0]
            assert full.content == stored
        other = store.visits["hz-wulin"][0]
        assert client.get(f"/visits/{other}/{links[0][0]}").status_code == 404, "a photo is served only under its own visit"
    with TestClient(create_app(Settings(db_path=store.path))) as stranger:
        sign_in(stranger, OTHER_MANAGER)
        assert stranger.get(f"/visits/{store.latest}/{links[0][0]}").status_code == 404
        assert stranger.get(f"/visits/{store.latest}/{links[0][0]}/thumb").status_code == 404


def test_demo_notes_and_summaries_follow_the_answers() -> None:
    """Across every checklist and quality, a note says failed exactly when its item failed, and a
    summary calls a visit good only without critical failures and in the best band."""
    for checklist in library.load(library.CHECKLISTS):
        writing = demo.writing(checklist)
        good = writing["good"].split("{")[0]
        texts = {item.id: wording.pick(item.text, checklist.language, checklist.language) for item in checklist.items()}
        for seed in range(12):
            rng = random.Random(seed)
            body, _ = demo.visit_body(checklist, "site", rng, quality=rng.choice([0.3, 0.6, 0.85, 0.97]), started=datetime(2026, 7, 1, tzinfo=CST))
            result = score_visit(checklist, body["answers"], body["started_at"])
            for item in checklist.items():
                note = body["answers"].get(item.id, {}).get("note")
                if note:
                    assert note.startswith(writing["failed"].split("{")[0]) == answers.failed(item, body["answers"][item.id]), (checklist.id, item.id)
            said = body["narrative"]
            if result.critical_failures:
                named = [texts[i] for i in result.critical_failures[: demo.SUMMARY_ITEMS]]
                assert all(text in said for text in named) and good not in said and said != writing["clean"], said
            elif result.failures:
                assert (good in said) == (report.band_tone(checklist, result.band) == "good"), said
            else:
                assert said == writing["clean"]


@pytest.fixture(scope="module")
def pdfs(store: Store) -> dict[str, Path]:
    """The latest home visit's PDF in Simplified Chinese and English, its pages rendered to PNG."""
    SCREENS.mkdir(exist_ok=True)
    database = db.connect(store.path)
    out = {}
    for lang in ("zh-Hans", "en"):
        path = SCREENS / f"report-polish-{lang}.pdf"
        path.write_bytes(pdf.report_pdf(database, store.latest, lang, Branding.load()).pdf)
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(SCREENS / f"report-polish-{lang}")], check=True, timeout=120)
        out[lang] = path
    database.close()
    return out


def test_the_pdf_says_it(pdfs: dict[str, Path]) -> None:
    english = squash(body_text(pdfs["en"]))
    for words in ("Inspector's note, in their words (Chinese):", "version of 4 Jul 2026", "pass 75.0", "4 Jul", "7 Oct"):
        assert squash(words) in english, words
    assert squash("货架后排有 2 盒酸奶过期一天。") in english
    chinese = squash(body_text(pdfs["zh-Hans"]))
    for words in ("2026年7月4日版", "合格线 75.0", "7月4日", "10月7日", "检查员备注：货架后排有 2 盒酸奶过期一天。"):
        assert squash(words) in chinese, words
    assert "检查员原话" not in chinese and not HASH.search(poppler("pdftotext", pdfs["zh-Hans"])), "no bare hash, no marking in its own language"
    assert sorted(SCREENS.glob("report-polish-zh-Hans-*.png"))


def sign_in_page(page: Page, url: str, username: str) -> None:
    """Signs in on the server's sign-in page and waits for the person's home."""
    page.goto(f"{url}/signin")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


@pytest.mark.browser
def test_the_report_on_phones(phone: tuple[Page, str], live_server: LiveServer) -> None:
    page, name = phone
    store = fill(live_server.db_path)
    report_url = f"{live_server.url}/visits/{store.latest}/report?lang=en"
    sign_in_page(page, live_server.url, demo.manager_name(HOME))
    page.goto(report_url)
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing overflows sideways"
    assert page.get_by_text("version of 4 Jul 2026").first.is_visible()
    note = page.locator("p.finding span[lang=zh]").first
    assert note.is_visible() and "Inspector's note, in their words (Chinese)" in page.locator("p.finding", has=page.locator("span[lang=zh]")).first.inner_text()
    chart = page.locator(".trend .chart svg")
    assert chart.is_visible() and chart.bounding_box()["width"] <= width  # type: ignore[index]
    assert chart.locator("text", has_text="pass 75.0").count() == 1 and chart.locator("text", has_text="100").count() == 1
    page.locator(".trend").scroll_into_view_if_needed()
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENS / f"report-trend-{name}.png")
    link = page.locator("a.photo-link").first
    link.scroll_into_view_if_needed()
    page.screenshot(path=SCREENS / f"report-photos-{name}.png")
    thumb_width = link.locator("img").evaluate("(img) => img.naturalWidth")
    href = link.get_attribute("href")
    link.locator("img").click()  # the link holds the floated thumbnail: a tap on the photo opens it
    page.wait_for_url(f"**/visits/{store.latest}/{href}")
    page.wait_for_function("() => document.images[0]?.complete")
    full_width = page.evaluate("document.images[0].naturalWidth")
    assert full_width > thumb_width, (full_width, thumb_width)
    page.screenshot(path=SCREENS / f"report-photo-full-{name}.png")
    page.go_back()
    page.wait_for_url(report_url)

    page.context.clear_cookies()  # another branch's manager may not see it
    sign_in_page(page, live_server.url, OTHER_MANAGER)
    # asked of the server with this phone's new session (the page's cache keeps the photo the first manager saw)
    assert page.request.get(f"{live_server.url}/visits/{store.latest}/{href}").status == 404
