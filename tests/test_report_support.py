"""Steps shared by the report tests (this module holds no tests): a store with visits synced
through the real sync functions, a visit full of hostile text, and poppler's readers."""

from __future__ import annotations

import hashlib
import http.server
import random
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlite_utils

from audit import accounts, answers, db, demo, library, review, sync
from audit.model import Checklist

from .conftest import ROOT

CST = timezone(timedelta(hours=8))
SUPERMARKET = "retail-supermarket"
HOME = "sh-xujiahui"  # the branch whose reports the tests read
REGION = ("sh-xujiahui", "hz-wulin", "nj-xinjiekou")  # the East region


@lru_cache(maxsize=1)
def checklists() -> dict[str, Checklist]:
    return {c.id: c for c in library.load(ROOT / "checklists")}


def supermarket() -> Checklist:
    return checklists()[SUPERMARKET]


def add_visit(
    database: sqlite_utils.Database,
    checklist: Checklist,
    site: str,
    *,
    seed: int,
    quality: float,
    started: datetime,
    edit: Callable[[dict[str, Any]], dict[str, bytes]] | None = None,
) -> str:
    """A visit as a phone sends it, then its photos, through sync.put_visit / put_photo, then
    released by the demo reviewer (the store reads only released reports).
    `edit` may change the body and return the bytes of photos it added."""
    rng = random.Random(seed)
    body, photos = demo.visit_body(checklist, site, rng, quality=quality, started=started)
    if edit is not None:
        photos.update(edit(body))
    visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    outcome = sync.put_visit(database, visit_id, body)
    assert outcome.status == 200, outcome.body
    declared = {photo["uuid"] for photo in body["photos"]}
    for photo_id, raw in photos.items():
        if photo_id in declared:
            assert sync.put_photo(database, visit_id, photo_id, raw).status == 200
    reviewer = accounts.by_username(database, "reviewer")
    assert reviewer is not None, "the store needs demo.people"
    review.move(database, visit_id, reviewer, "approve")
    return visit_id


@dataclass
class Store:
    path: Path
    visits: dict[str, list[str]] = field(default_factory=dict)  # branch -> visit ids, oldest first

    @property
    def latest(self) -> str:
        return self.visits[HOME][-1]


def fill(path: Path) -> Store:
    """The demo organisation, the library's checklists, and supermarket visits in the East
    region: four months at the home branch (the last one poor, with a critical failure), and
    two at each of its neighbours."""
    database = db.connect(path)
    demo.build(database)
    demo.people(database)
    db.record_checklists(database, list(checklists().values()))
    store = Store(path)
    plan = {HOME: [0.8, 0.7, 0.9, 0.45], "hz-wulin": [0.9, 0.85], "nj-xinjiekou": [0.6, 0.75]}
    for branch, qualities in plan.items():
        for month, quality in enumerate(qualities):
            started = datetime(2026, 7 + month, 4 + month, 10, 15, tzinfo=CST)
            seed = 1000 * len(branch) + month
            edit = _with_critical_failure if branch == HOME and month == len(qualities) - 1 else None
            visit = add_visit(database, supermarket(), f"{branch}-supermarket", seed=seed, quality=quality, started=started, edit=edit)
            store.visits.setdefault(branch, []).append(visit)
    database.close()
    return store


def _with_critical_failure(body: dict[str, Any]) -> dict[str, bytes]:
    """Makes the use-by check fail (a critical item), with the photo its evidence rule asks for."""
    item = next(i for i in supermarket().items() if i.id == "no-expired-food")
    body["answers"][item.id] = {"value": "no", "note": "货架后排有 2 盒酸奶过期一天。"}
    body["narrative"] = demo.narrative(supermarket(), body["answers"], body["started_at"])  # the summary follows the answers, as the demo's do
    raw = demo.photo_bytes(item.id, seed=77)
    photo_id = "7e57e57e-0000-4000-8000-000000000077"
    body["photos"] = [p for p in body["photos"] if p["item_id"] != item.id]
    body["photos"].append(
        {
            "uuid": photo_id,
            "item_id": item.id,
            "taken_at": (datetime.fromisoformat(body["started_at"]) + timedelta(minutes=9)).isoformat(),
            "content_type": "image/jpeg",
            "sha256": hashlib.sha256(raw).hexdigest(),
        }
    )
    return {photo_id: raw}


class Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        Counter.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def trap() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request (and answers with a redirect to a file)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    Counter.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Counter.hits
    finally:
        server.shutdown()
        server.server_close()


def hostile_texts(base: str) -> list[str]:
    """Notes and a narrative an attacker (or a careless paste) could send from a phone."""
    return [
        "<link rel=attachment href=file:///etc/passwd>",
        "<img src=http://169.254.169.254/latest/meta-data/>",
        f"<img src={base}/pixel.png><link rel=stylesheet href={base}/evil.css>",
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<image xlink:href="file:///etc/passwd"/><image href="{base}/svg.png"/><use href="{base}/sprite.svg#a"/></svg>',
        f"<style>@import url({base}/import.css); body {{ background: url(file:///etc/passwd) }}</style>",
        "</p></article><iframe src=file:///etc/passwd></iframe><object data=file:///etc/shadow></object>",
        "<script>document.title='pwned'</script><a href=javascript:alert(1)>x</a>",
        "{{ 7 * 7 }} {% raw %}",
        f"<img src='data:image/svg+xml,<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"{base}/data.png\"/></svg>'>",
    ]


def hostile_visit(database: sqlite_utils.Database, base: str, *, started: datetime) -> str:
    """A poor visit whose every note, and its narrative, is hostile markup."""
    texts = hostile_texts(base)
    checklist = supermarket()

    def poison(body: dict[str, Any]) -> dict[str, bytes]:
        failed = answers.failures(checklist, body["answers"], body["started_at"])
        for index, item_id in enumerate(failed):
            body["answers"][item_id]["note"] = texts[index % len(texts)]
        body["narrative"] = "\n".join(texts)
        return {}

    visit = add_visit(database, checklist, f"{HOME}-supermarket", seed=666, quality=0.1, started=started, edit=poison)
    return visit


def poppler(tool: str, pdf: Path, *args: str) -> str:
    result = subprocess.run([tool, *args, str(pdf), *(["-"] if tool == "pdftotext" else [])], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fonts(pdf: Path) -> list[tuple[str, str]]:
    """(family without the subset prefix, embedded yes/no) of every font pdffonts lists."""
    lines = poppler("pdffonts", pdf).splitlines()[2:]
    return [(line.split()[0].split("+", 1)[-1], line.split()[-5]) for line in lines if line.strip()]


def body_text(pdf: Path) -> str:
    """pdftotext's text without the running header and footer, so that a paragraph split
    across two pages reads on."""
    pages = poppler("pdftotext", pdf).split("\f")
    kept = []
    for number, page in enumerate(pages):
        lines = [line for line in page.splitlines() if line.strip()]
        if lines:
            lines = lines[1 if number else 0 : -1]  # the header (not on the cover) and the footer
        kept.append("\n".join(lines))
    return "\n".join(kept)


def squash(text: str) -> str:
    """Text without whitespace: pdftotext breaks lines (and CJK runs) where the layout did."""
    return "".join(text.split())
