"""Steps shared by the PWA tests (this module holds no tests): sign in, drive the inspector's
app in a phone-sized Chromium, read what it keeps in IndexedDB, count what the server stored,
talk to the API as a signed-in person.

Every predicate given to `wait_for_function` is a function, "() => ...": Playwright evaluates
a bare expression again at each poll, with eval, which the app's Content-Security-Policy
(no 'unsafe-eval') refuses; a function is evaluated once, with the test's own rights."""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx2
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page

from audit import demo

SUPERMARKET_SITE = "sh-xujiahui-supermarket"
# A Saturday that is no public holiday, at noon anywhere from UTC-11 to UTC+11: install it as the
# phone's clock (page.clock.install) before a visit starts, and the supermarket's weekend-only
# detail (child-carts-weekend-free, `when: {day: [weekend, holiday]}`) shows.
WEEKEND = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
SUPERMARKET = "retail-supermarket"
INSPECTOR = "inspector"  # the demo organisation's people (audit/demo.py), all with one password
OTHER_INSPECTOR = "inspector2"
REVIEWER = "reviewer"
PASSWORD = demo.DEMO_PASSWORD


def wait_for(check: Callable[[], Any], timeout: float = 20, what: str = "condition", page: Page | None = None) -> Any:
    """Polls `check`; with a page, waits through it so that its event handlers (routes) run meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if page is None:
            time.sleep(0.1)
        else:
            page.wait_for_timeout(100)


def open_app(page: Page, url: str, *, username: str = INSPECTOR) -> None:
    """Opens the app; on a phone nobody signed in on yet, signs in and waits for the catalog."""
    page.goto(url)
    ready(page)
    if page.locator("form#signin").is_visible():
        sign_in(page, username)


def sign_in(page: Page, username: str = INSPECTOR, password: str = PASSWORD) -> None:
    """Signs in on the sign-in screen (the phone's own, or #/signin) and waits for home and the catalog."""
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin-submit")
    page.wait_for_selector("#new-visit")
    wait_for_catalog(page)


def csp_violations(page: Page) -> list[str]:
    """What the page's Content-Security-Policy refuses from now on (an inline style, say)."""
    seen: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and seen.append(message.text))
    return seen


def meta(page: Page, key: str) -> Any:
    return page.evaluate("(key) => import('/static/js/db.js').then((db) => db.getMeta(key))", key)


@contextmanager
def api(url: str, username: str = INSPECTOR, password: str = PASSWORD) -> Iterator[httpx2.Client]:
    """An HTTP client signed in as `username`, sending the session's CSRF token on every request."""
    with httpx2.Client(base_url=url, timeout=30) as client:
        answer = client.post("/api/session", json={"username": username, "password": password})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf"]
        yield client


def end_sessions(db_path: Path, username: str = INSPECTOR) -> int:
    """The server forgets every session of `username`, as if they had expired; returns how many."""
    with sqlite3.connect(db_path) as connection:
        return connection.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)", [username]
        ).rowcount


def ready(page: Page) -> None:
    page.wait_for_function("() => document.body.dataset.ready === '1'")


def wait_for_worker(page: Page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=20_000)


def wait_for_catalog(page: Page) -> None:
    page.wait_for_function(
        "() => import('/static/js/db.js').then(async (db) => (await db.getMeta('sites', [])).length > 0)",
        polling=200,
    )


def start_visit(page: Page, site: str = SUPERMARKET_SITE, checklist: str = SUPERMARKET) -> str:
    """Home → new visit → site → checklist; returns the new visit's UUID."""
    page.goto(page.url.split("#")[0] + "#/")
    page.click("#new-visit")
    page.click(f".card.site[data-site='{site}']")
    page.click(f".card.checklist[data-checklist='{checklist}']")
    page.wait_for_selector(".section-row")
    return page.evaluate("location.hash.split('/')[2]")


def open_section(page: Page, uuid: str, section: str) -> None:
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/s/{section}")
    page.wait_for_selector(f"fieldset.items[data-section='{section}']")


def tap(page: Page, item: str, value: str) -> None:
    page.click(f"#item-{item} .opt[data-value='{value}']")


def stored_visit(page: Page, uuid: str) -> dict[str, Any] | None:
    """The visit and its photos (without their bytes) as the phone keeps them."""
    return page.evaluate(
        """async (uuid) => {
            const db = await import('/static/js/db.js');
            const visit = await db.get('visits', uuid);
            if (!visit) return null;
            const photos = (await db.all('photos', 'visit_uuid', uuid)).map(({ blob, ...rest }) => ({ ...rest, size: blob ? blob.size : null }));
            return { ...visit, photos };
        }""",
        uuid,
    )


def status_of(page: Page, uuid: str) -> str:
    return (stored_visit(page, uuid) or {}).get("status", "")


def wait_for_answer(page: Page, uuid: str, item: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    def saved() -> dict[str, Any] | None:
        visit = stored_visit(page, uuid)
        answer = visit["answers"].get(item) if visit else None
        return answer if answer is not None and check(answer) else None

    return wait_for(saved, what=f"answer to {item} saved")


def stored_photo_size(page: Page, photo_uuid: str) -> dict[str, int]:
    """Width and height of the JPEG the phone stored, decoded from its bytes."""
    return page.evaluate(
        """async (uuid) => {
            const db = await import('/static/js/db.js');
            const photo = await db.get('photos', uuid);
            const bitmap = await createImageBitmap(photo.blob);
            const head = new Uint8Array(await photo.blob.slice(0, 3).arrayBuffer());
            return { width: bitmap.width, height: bitmap.height, jpeg: head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff };
        }""",
        photo_uuid,
    )


def big_jpeg(path: Path, width: int = 4000, height: int = 3000, orientation: int | None = None) -> Path:
    """A camera-sized JPEG with a gradient, optionally with an EXIF orientation."""
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient.rotate(180)))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def add_photo(page: Page, item: str, path: Path) -> None:
    """Takes a photo for an item through the file chooser, and waits until it is stored."""
    before = page.locator(f"#item-{item} .thumb").count()
    with page.expect_file_chooser() as chooser:
        page.click(f"#item-{item} label.camera")
    chooser.value.set_files(str(path))
    page.wait_for_function(
        "([item, n]) => document.querySelectorAll(`#item-${item} .thumb`).length > n", arg=[item, before], timeout=30_000
    )


def checklist(url: str, checklist_id: str = SUPERMARKET) -> dict[str, Any]:
    with api(url) as client:
        entries = client.get("/api/checklists").json()
    return next(entry["checklist"] for entry in entries if entry["id"] == checklist_id)


def _passing_number(item: dict[str, Any]) -> float:
    low = item["pass_min"] if item["pass_min"] is not None else (item["min"] if item["min"] is not None else 0)
    if item["pass_max"] is not None:
        return min(low + 10, item["pass_max"]) if item["pass_min"] is None else low
    return low


def answer_passing(page: Page, item: dict[str, Any], photo: Path) -> None:
    """Answers one shown item through the UI with an answer that passes, evidence included."""
    key, kind = item["id"], item["type"]
    card = f"#item-{key}"
    if kind == "yes_no":
        tap(page, key, "yes")
    elif kind == "scale":
        tap(page, key, str(int(item["max"])))
    elif kind == "choice":
        tap(page, key, max(item["choices"], key=lambda c: c["score"])["id"])
    elif kind == "multi_choice":
        for choice in item["choices"]:
            if not choice["exclusive"]:
                tap(page, key, choice["id"])
    elif kind == "number":
        page.fill(f"{card} .number input", str(_passing_number(item)))
    elif kind == "timer":
        page.fill(f"{card} input.seconds", str(int(_passing_number(item))))
    elif kind == "timestamp":
        page.click(f"{card} .timestamp button")
    elif kind == "text":
        page.fill(f"{card} .control textarea", "一切正常")
    if kind == "photo" or item["evidence_photo"] == "always":
        add_photo(page, key, photo)
    if item["evidence_note"] == "always":
        page.click(f"{card} .tools button:has-text('✎')")
        page.fill(f"{card} textarea.note", "已记录")


def fill_visit(page: Page, uuid: str, data: dict[str, Any], photo: Path, skip: Collection[str] = ()) -> None:
    """Answers every shown item of every section, in order, as an inspector would."""
    for stage in data["stages"]:
        for section in stage["sections"]:
            open_section(page, uuid, section["id"])
            for item in section["items"]:
                if item["id"] in skip or not page.locator(f"#item-{item['id']}").is_visible():
                    continue
                answer_passing(page, item, photo)


def submit(page: Page, uuid: str) -> None:
    """Submits from the review screen: confirmed, then home at once instead of waiting out the
    undo window (leaving the screen submits straight away)."""
    page.evaluate("(hash) => { location.hash = hash; }", f"#/v/{uuid}/submit")
    page.wait_for_selector("#ready")
    page.click("#submit")
    page.click("#confirm-submit")
    page.wait_for_selector("#undo-window:not([hidden])")
    page.evaluate("location.hash = '#/'")
    page.wait_for_selector("#new-visit")
    wait_for(lambda: (stored_visit(page, uuid) or {}).get("status") != "draft", what="visit submitted")


def waiting(page: Page) -> tuple[int, int]:
    pending = page.locator("#status .pending")
    return int(pending.get_attribute("data-visits") or 0), int(pending.get_attribute("data-photos") or 0)


def rows(db_path: Path, uuid: str) -> dict[str, int]:
    """How many rows the server stored for a visit, in each table."""
    with sqlite3.connect(db_path) as connection:
        return {
            "visits": connection.execute("SELECT count(*) FROM visits WHERE uuid = ?", [uuid]).fetchone()[0],
            "answers": connection.execute("SELECT count(*) FROM answers WHERE visit_uuid = ?", [uuid]).fetchone()[0],
            "photos": connection.execute("SELECT count(*) FROM photos WHERE visit_uuid = ?", [uuid]).fetchone()[0],
        }


def stored_jpeg_size(db_path: Path, photo_uuid: str) -> tuple[int, int]:
    with sqlite3.connect(db_path) as connection:
        data = connection.execute("SELECT data FROM photos WHERE uuid = ?", [photo_uuid]).fetchone()[0]
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def make_conflict(page: Page, context: BrowserContext, url: str, tmp_path: Path) -> str:
    """A visit submitted offline while the server got different content under its UUID."""
    photo = big_jpeg(tmp_path / "camera.jpg", 800, 600)
    data = checklist(url)
    open_app(page, url)
    uuid = start_visit(page)
    context.set_offline(True)
    fill_visit(page, uuid, data, photo)
    submit(page, uuid)
    payload = page.evaluate(
        """async (uuid) => {
            const visits = await import('/static/js/visits.js');
            const catalog = await import('/static/js/catalog.js');
            const visit = await visits.load(uuid);
            return visits.payload(await catalog.checklist(visit.checklist_hash), visit, await visits.photosOf(uuid));
        }""",
        uuid,
    )
    other = {**payload, "narrative": "另一台手机写的内容"}
    with api(url) as client:  # the same inspector, from another phone
        assert client.put(f"/api/visits/{uuid}", json=other).status_code == 200
    context.set_offline(False)
    wait_for(lambda: status_of(page, uuid) == "conflict", what="the 409 recorded")
    return uuid


def person_on_pages(browser: Browser, args: dict[str, Any], url: str, username: str) -> tuple[BrowserContext, Page]:
    """A phone of the person's own, signed in through the server's sign-in page."""
    context = browser.new_context(**args)
    page = context.new_page()
    page.goto(f"{url}/signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page
