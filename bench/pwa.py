"""Benchmark of the inspector's app: what the service worker precaches (gzipped bytes) and what
the app downloads after sign-in (the catalog, kept in IndexedDB), how long an offline reload
takes to a usable screen, and how long a tap on an answer takes to be in IndexedDB. Runs the
real server on a demo database and Debian's Chromium as a Pixel 7, signed in as the demo
inspector.

    .venv/bin/python bench/pwa.py [--runs N]

Targets: precache under 150 KB gzipped (each precached file gzipped, summed), offline reload
under 0.5 s, a tap persisted within 20 ms (medians). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from audit.demo import DEMO_PASSWORD  # noqa: E402
from tests.browser import CHROMIUM, free_port, wait_until_up  # noqa: E402
from tests.browser import CHROMIUM_FLAGS as FLAGS

INSPECTOR = "inspector"
CATALOG = ["/api/checklists", "/api/sites"]

TARGETS = {"precache_kb": 150, "reload_ms": 500, "tap_ms": 20}


def serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    database = folder / "bench.db"
    audit = [sys.executable, "-m", "audit"]
    subprocess.run([*audit, "demo", "--db", str(database)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    process = subprocess.Popen([*audit, "serve", "--db", str(database), "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
    except RuntimeError:
        process.kill()
        raise SystemExit("the server did not start") from None
    return process, url


def precache_sizes(url: str) -> list[tuple[str, int, int]]:
    """(url, bytes, gzipped bytes) of everything the service worker precaches."""
    worker = httpx2.get(f"{url}/sw.js").text
    found = re.search(r"const PRECACHE = (\[.*?\]);", worker, re.S)
    if not found:
        raise SystemExit("no PRECACHE list in /sw.js")
    sizes = []
    for path in json.loads(found.group(1)):
        body = httpx2.get(f"{url}{path}").content
        sizes.append((path, len(body), len(gzip.compress(body, compresslevel=6))))
    return sizes


def catalog_sizes(url: str) -> list[tuple[str, int, int]]:
    """(url, bytes, gzipped bytes) of the catalog the app fetches once signed in."""
    with httpx2.Client(base_url=url) as client:
        client.post("/api/session", json={"username": INSPECTOR, "password": DEMO_PASSWORD}).raise_for_status()
        bodies = [(path, client.get(path).content) for path in CATALOG]
    return [(path, len(body), len(gzip.compress(body, compresslevel=6))) for path, body in bodies]


def sign_in(page: Page) -> None:
    page.fill("#username", INSPECTOR)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#new-visit")


def verdict(name: str, value: float, target: float, unit: str) -> bool:
    met = value < target
    print(f"  {'met   ' if met else 'MISSED'}  {name}: {value:.1f} {unit} (target < {target} {unit})")
    return met


def median_ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   (n={len(values)})"


def ready_ms(page: Page) -> float:
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    return float(page.evaluate("performance.getEntriesByName('ready')[0].startTime"))


def offline_reloads(page: Page, runs: int) -> list[float]:
    """From the start of the navigation to the screen drawn and ready for a tap, with no network."""
    times = []
    for _ in range(runs):
        page.reload()
        times.append(ready_ms(page))
    return times


def taps(page: Page, runs: int) -> list[float]:
    """From a tap's event time to the answer's IndexedDB transaction complete, measured in the page."""
    page.evaluate("performance.clearMeasures('tap-persisted')")
    for index in range(runs):
        page.click(f"#item-step-free-entrance .opt[data-value='{'yes' if index % 2 == 0 else 'no'}']")
        page.wait_for_function("(n) => performance.getEntriesByName('tap-persisted').length >= n", arg=index + 1)
    return page.evaluate("performance.getEntriesByName('tap-persisted').map((m) => m.duration)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pwa-"))
    process, url = serve(folder)
    try:
        sizes = precache_sizes(url)
        print("precached by the service worker:")
        for path, raw, packed in sorted(sizes, key=lambda row: -row[2]):
            print(f"  {packed:>8,} B gz  {raw:>9,} B  {path}")
        total = sum(packed for _, _, packed in sizes)
        print(f"precache total: {total:,} B gzipped ({total / 1024:.1f} KB; {sum(raw for _, raw, _ in sizes) / 1024:.1f} KB raw); target < {TARGETS['precache_kb']} KB")
        catalog = catalog_sizes(url)
        print("fetched after sign-in and kept in IndexedDB (not precached: the API needs a session):")
        for path, raw, packed in catalog:
            print(f"  {packed:>8,} B gz  {raw:>9,} B  {path}")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, env={**os.environ, "HOME": str(folder)})
            context = browser.new_context(**playwright.devices["Pixel 7"], locale="zh-CN")
            page = context.new_page()
            page.goto(url)
            ready_ms(page)
            sign_in(page)
            page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=20_000)
            while not page.evaluate("async () => (await (await import('/static/js/db.js')).getMeta('sites', [])).length > 0"):
                time.sleep(0.05)  # an async check: wait_for_function would take its promise as true at once
            page.click("#new-visit")
            page.click(".card.site[data-site='sh-xujiahui-supermarket']")
            page.click(".card.checklist")
            page.wait_for_selector(".section-row")
            form = page.evaluate("location.hash") + "/s/entrance"

            context.set_offline(True)
            page.evaluate("location.hash = '#/'")
            home = offline_reloads(page, args.runs)
            print(f"offline reload to a usable home screen:    {median_ms(home)}; target < {TARGETS['reload_ms']} ms")
            page.evaluate("(hash) => { location.hash = hash; }", form)
            page.wait_for_selector("fieldset.items[data-section='entrance']")
            section = offline_reloads(page, args.runs)
            print(f"offline reload to a usable form section:   {median_ms(section)}; target < {TARGETS['reload_ms']} ms")
            page.wait_for_selector("fieldset.items[data-section='entrance']")
            persisted = taps(page, args.runs * 2)
            print(f"tap on yes/no to the answer in IndexedDB:  {median_ms(persisted)}; target < {TARGETS['tap_ms']} ms")
            browser.close()
        print("targets:")
        results = [
            verdict("precache, gzipped", total / 1024, TARGETS["precache_kb"], "KB"),
            verdict("offline reload to home (median)", statistics.median(home), TARGETS["reload_ms"], "ms"),
            verdict("offline reload to a form section (median)", statistics.median(section), TARGETS["reload_ms"], "ms"),
            verdict("tap to IndexedDB (median)", statistics.median(persisted), TARGETS["tap_ms"], "ms"),
        ]
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    if not all(results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
