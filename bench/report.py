"""Benchmark of the visit report's PDF: a 150-item visit with 20 photos, rendered warm.

Run:  .venv/bin/python bench/report.py [--runs N]

Builds a store with a synthetic 150-item checklist (three languages, every scored response
type, critical items), earlier visits in the region, and a visit with about 30% failures and
20 photos, all through the sync functions. Then it prints WeasyPrint's median warm render
and the peak memory (RSS) of the process that renders, headless Chromium's print-to-PDF of
the same HTML as a peer ratio, and the time of a repeated download of the cached PDF through
the app. Each engine is timed alone in its own warm process, the two taking turns over
three rounds, since a shared machine's speed drifts. Targets: under 1 s warm on two cores,
under 150 MB, at most 2x Chromium, a cached download under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402
import weasyprint  # type: ignore[import-untyped]  # noqa: E402

from audit import answers, db, demo, pages, pdf, report, sync  # noqa: E402
from audit.branding import Branding  # noqa: E402
from audit.model import Checklist  # noqa: E402
from bench.synthetic import synthetic_checklist  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

SITE = "sh-xujiahui-supermarket"
TZ = timezone(timedelta(hours=8))
ROUNDS = 3
def _visit(database: sqlite_utils.Database, checklist: Checklist, site: str, rng: random.Random, started: datetime, photos: int) -> str:
    body, _ = demo.visit_body(checklist, site, rng, quality=0.7, started=started)
    failed = answers.failures(checklist, body["answers"], body["started_at"])
    data: dict[str, bytes] = {}
    for index in range(photos):
        photo_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        raw = demo.photo_bytes(failed[index % len(failed)], size=(1600, 1200), seed=index)
        data[photo_id] = raw
        body["photos"].append(
            {
                "uuid": photo_id,
                "item_id": failed[index % len(failed)],
                "taken_at": (started + timedelta(minutes=3 + index)).isoformat(),
                "content_type": "image/jpeg",
                "sha256": __import__("hashlib").sha256(raw).hexdigest(),
            }
        )
    visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    outcome = sync.put_visit(database, visit_id, body)
    assert outcome.status == 200, outcome.body
    for photo_id, raw in data.items():
        assert sync.put_photo(database, visit_id, photo_id, raw).status == 200
    return visit_id


def build(path: Path) -> str:
    """A store with a synthetic 150-item checklist, earlier visits, and the visit to render."""
    database = db.connect(path)
    demo.build(database)
    checklist = synthetic_checklist()
    db.record_checklists(database, [checklist])
    rng = random.Random(150)
    for month in range(5):
        for branch in ("sh-xujiahui", "hz-wulin", "nj-xinjiekou"):
            _visit(database, checklist, f"{branch}-supermarket", rng, datetime(2026, 4 + month, 10, 10, tzinfo=TZ), 0)
    visit = _visit(database, checklist, SITE, rng, datetime(2026, 10, 9, 10, 30, tzinfo=TZ), 20)
    body = report.build(database, visit)
    print(f"visit {visit}: {sum(len(s.items) for st in checklist.stages for s in st.sections)} items, "
          f"{body.counts['failed']} failed ({body.counts['failed'] / body.counts['scored']:.0%} of scored), {body.counts['photos']} photos")
    database.close()
    return visit


def child(db_path: str, visit: str, runs: int) -> None:
    """Renders warm in this process; prints the times and the process's peak RSS as JSON."""
    database = db.connect(db_path)
    branding = Branding.load()
    prepared = pages.prepare(database, visit, "zh-Hans", branding)
    thumbs = pages.thumbnails(database, visit, prepared.report.photo_ids())
    pdf.render(prepared, branding, thumbs)  # warm-up: imports, fonts, caches
    times = []
    data = b""
    for _ in range(runs):
        started = time.perf_counter()
        data = pdf.render(prepared, branding, thumbs)
        times.append(time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.NamedTemporaryFile(suffix=".pdf") as out:
        out.write(data)
        out.flush()
        info = subprocess.run(["pdfinfo", out.name], capture_output=True, text=True).stdout
    page_count = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    print(json.dumps({"times": times, "peak_mb": peak_mb, "bytes": len(data), "pages": page_count}))


def chromium_times(html: str, runs: int) -> list[float]:
    """Headless Chromium's print of the HTML, warm: `runs` timed prints after one untimed."""
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp(prefix="chromium-home-")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, env={**os.environ, "HOME": home})
        page = browser.new_page()
        for index in range(runs + 1):
            started = time.perf_counter()
            page.set_content(html, wait_until="load")
            page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            if index:
                times.append(time.perf_counter() - started)
        browser.close()
    return times


def weasyprint_in_child(path: Path, visit: str, runs: int) -> dict[str, Any]:
    """Warm renders in a fresh process, which reports its times and its peak memory."""
    measured = subprocess.run(
        [sys.executable, __file__, "--child", str(path), visit, "--runs", str(runs)], check=True, capture_output=True, text=True
    )
    return json.loads(measured.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def chromium_html(built: report.Report, branding: Branding, thumbs: dict[str, bytes]) -> str:
    """The same HTML, styles inline and photos inlined: Chromium cannot read the internal scheme."""
    return pages.render_html(
        built, branding, photo_url=lambda p: "data:image/jpeg;base64," + b64encode(thumbs[p.uuid]).decode(), logo_url=None
    )


def cached_download_times(db_path: Path, visit: str, runs: int) -> list[float]:
    from starlette.testclient import TestClient

    from audit.app import create_app
    from audit.startup import Settings

    times = []
    with TestClient(create_app(Settings(db_path=db_path))) as client:
        first = client.get(f"/visits/{visit}/report.pdf?lang=zh-Hans")
        assert first.status_code == 200 and first.content.startswith(b"%PDF")
        for _ in range(runs):
            started = time.perf_counter()
            again = client.get(f"/visits/{visit}/report.pdf?lang=zh-Hans")
            times.append(time.perf_counter() - started)
            assert again.content == first.content
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="warm renders to take the median of")
    parser.add_argument("--child", nargs=2, metavar=("DB", "VISIT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        path = Path(folder) / "bench.db"
        visit = build(path)
        database = db.connect(path)
        branding = Branding.load()
        built = report.build(database, visit, "zh-Hans")
        html = chromium_html(built, branding, pages.thumbnails(database, visit, built.photo_ids()))
        database.close()
        # Each engine alone in its own warm process, in turns (A B A B): a shared machine's
        # speed drifts, and whichever engine runs beside or right after the other is slowed.
        weasy_times: list[float] = []
        chrome_times: list[float] = []
        peaks, ratios = [], []
        for _ in range(ROUNDS):
            result = weasyprint_in_child(path, visit, args.runs)
            chrome = chromium_times(html, args.runs)
            weasy_times += result["times"]
            chrome_times += chrome
            peaks.append(result["peak_mb"])
            ratios.append(statistics.median(result["times"]) / statistics.median(chrome))
        cached = statistics.median(cached_download_times(path, visit, 20))
    weasy, chrome_median = statistics.median(weasy_times), statistics.median(chrome_times)
    print(f"WeasyPrint {weasyprint.__version__}, {os.cpu_count()} cores, zh-Hans, {ROUNDS} rounds of {args.runs} warm runs per engine")
    print(f"weasyprint median   {weasy:.3f} s   (min {min(weasy_times):.3f}, max {max(weasy_times):.3f}; target < 1 s)")
    print(f"peak memory         {max(peaks):.0f} MB   (max RSS of the process that renders; target < 150 MB)")
    print(f"pdf                 {result['bytes'] / 1024:.0f} KiB, {result['pages']} pages")
    print(f"chromium median     {chrome_median:.3f} s   (min {min(chrome_times):.3f}; set_content + page.pdf() on the same HTML)")
    print(f"peer ratio          {weasy / chrome_median:.2f}x Chromium   (rounds: {', '.join(f'{r:.2f}' for r in ratios)}; target <= 2x)")
    print(f"cached download     {cached * 1000:.1f} ms   (median GET of report.pdf again, through the app; target < 50 ms)")


if __name__ == "__main__":
    main()
