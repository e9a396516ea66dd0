"""A visit a reviewer returned, on the inspector's phone: its state in the server's words,
the reviewer's comment, and "correct and resend": the body comes back from the server as a
draft under the same uuid, photos already on the server stay declared and are not uploaded
again, and the server then holds version 2, waiting for review."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page

from audit.review import STATE_LABELS

from .conftest import LiveServer
from .test_pwa_screens import shoot
from .test_pwa_signin import visit_puts
from .test_pwa_support import (
    REVIEWER,
    add_photo,
    api,
    big_jpeg,
    checklist,
    csp_violations,
    fill_visit,
    open_app,
    open_section,
    start_visit,
    status_of,
    stored_visit,
    submit,
    tap,
    wait_for,
)

pytestmark = pytest.mark.browser

COMMENT = "请补充通道的照片说明，并写明排队等候是从几点开始计时的。"


def server_visit(db_path: Path, uuid: str) -> dict[str, object]:
    with sqlite3.connect(db_path) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute("SELECT state, version, narrative, body FROM visits WHERE uuid = ?", [uuid]).fetchone()
        photos = connection.execute("SELECT uuid, sha256 FROM photos WHERE visit_uuid = ?", [uuid]).fetchall()
        # the current version is the visit itself; the ones it replaced are kept in visit_versions
        versions = 1 + connection.execute("SELECT count(*) FROM visit_versions WHERE visit_uuid = ?", [uuid]).fetchone()[0]
    return {**dict(row), "body": json.loads(row["body"]), "photos": [tuple(p) for p in photos], "versions": versions}


def return_visit(url: str, uuid: str, comment: str) -> None:
    """The demo reviewer returns the visit through the review page's form."""
    with api(url, REVIEWER) as reviewer:
        answer = reviewer.post(f"/review/{uuid}", data={"action": "return", "comment": comment})
    assert answer.status_code == 303, answer.text


def test_returned_visit_shows_the_comment_and_is_corrected_and_resent(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    refused = csp_violations(page)
    open_app(page, live_server.url)
    uuid = start_visit(page)
    fill_visit(page, uuid, checklist(live_server.url), photo)
    open_section(page, uuid, "aisles")
    add_photo(page, "aisles-clear", photo)
    submit(page, uuid)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit sent")
    page.wait_for_selector(f"#sent .card.visit[data-uuid='{uuid}'][data-state='submitted']")
    assert "等待审核" in page.inner_text(f"#sent .card.visit[data-uuid='{uuid}']")
    first = server_visit(live_server.db_path, uuid)
    [(photo_uuid, sha256)] = first["photos"]

    return_visit(live_server.url, uuid, COMMENT)
    assert server_visit(live_server.db_path, uuid)["state"] == "returned"

    page.click("#sync-now")  # or any start, sign-in or return online: the states are fetched again
    card = page.locator(f"#returned .card.visit[data-uuid='{uuid}']")
    card.wait_for()
    assert card.get_attribute("data-state") == "returned"
    assert card.locator(".comment-preview").inner_text() == COMMENT
    assert page.locator(f"#sent .card.visit[data-uuid='{uuid}']").count() == 0
    card.click()
    page.wait_for_selector("#state[data-state='returned']")
    assert page.inner_text("#state h2") == STATE_LABELS["returned"]["zh-Hans"]
    assert page.locator("#comments li p").all_inner_texts() == [COMMENT]
    shoot(page, "returned-visit")

    # the same words as the server's pages, in every language
    phone = page.evaluate("import('/static/js/strings.js').then(({ STRINGS }) => STRINGS)")
    for index, lang in enumerate(("zh-Hans", "zh-Hant", "en")):
        assert {state: phone[f"state.{state}"][index] for state in STATE_LABELS} == {s: words[lang] for s, words in STATE_LABELS.items()}

    puts = visit_puts(page)
    page.click("#correct")
    page.wait_for_selector("#correction")
    assert COMMENT in page.inner_text("#correction")
    draft = stored_visit(page, uuid)
    assert draft["status"] == "draft" and draft["correction"]["version"] == 1
    assert draft["narrative"] == first["body"]["narrative"]
    assert {key: {**value, "note": value["note"] or None} for key, value in draft["answers"].items()} == first["body"]["answers"]
    [kept] = draft["photos"]
    assert (kept["uuid"], kept["sha256"], kept["remote"], kept["size"]) == (photo_uuid, sha256, True, None)
    shoot(page, "returned-correcting")

    open_section(page, uuid, "aisles")
    # the server holds the photo; this phone, which sent it, still shows its thumbnail
    assert page.locator(f"#item-aisles-clear .thumb[data-photo='{photo_uuid}'][data-on-server='1'] img").is_visible()
    page.click("#item-aisles-clear .tools button:has-text('✎')")
    page.fill("#item-aisles-clear textarea.note", "通道照片：入口右侧第三排")
    tap(page, "aisles-clear", "no")  # a fail needs a photo: the one on the server counts
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/submit")
    page.wait_for_selector("#ready")
    page.fill("#narrative", "排队从 10:05 开始计时。")
    page.wait_for_timeout(300)
    submit(page, uuid)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the corrected visit sent")
    assert [url for url in puts if "/photos/" in url] == []  # the photo was not uploaded again
    assert len(puts) == 1

    second = server_visit(live_server.db_path, uuid)
    assert (second["state"], second["version"], second["versions"]) == ("submitted", 2, 2)
    assert second["narrative"] == "排队从 10:05 开始计时。"
    assert second["body"]["answers"]["aisles-clear"]["note"] == "通道照片：入口右侧第三排"
    assert second["body"]["answers"]["aisles-clear"]["value"] == "no"
    assert second["body"]["photos"] == first["body"]["photos"] and second["photos"] == first["photos"]
    assert second["body"]["ended_at"] == first["body"]["ended_at"]  # the visit itself ended when it did
    page.wait_for_selector(f"#sent .card.visit[data-uuid='{uuid}'][data-state='submitted']")
    assert page.locator(f"#returned .card.visit[data-uuid='{uuid}']").count() == 0
    assert refused == []
