"""A deploy reaches the phone: a new worker version is offered, applied, and only the app's own
old cache is deleted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import ROOT, ServerProcess, demo_database
from .test_pwa_support import open_app, ready, wait_for_worker

CACHES = "caches.keys()"


@pytest.mark.browser
def test_new_version_is_offered_and_replaces_only_its_own_cache(page: Page, tmp_path: Path) -> None:
    folder = tmp_path / "checklists"
    shutil.copytree(ROOT / "checklists", folder)
    server = ServerProcess(demo_database(tmp_path / "audit.db"), checklists=folder)
    server.start()
    try:
        open_app(page, server.url)
        wait_for_worker(page)
        page.evaluate("caches.open('someone-else').then((c) => c.put('/x', new Response('x')))")
        before = set(page.evaluate(CACHES))
        ours = {name for name in before if name.startswith("audit-")}
        assert len(ours) == 1
        assert page.locator(".update").is_hidden()

        server.kill()
        edited = folder / "restaurant.yaml"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("en: ", "en: (v2) ", 1), encoding="utf-8")  # a new checklist version
        server.start()
        assert server.url and "(v2)" in page.request.get(f"{server.url}/api/checklists").text()

        page.reload()
        ready(page)
        page.locator(".update button").wait_for(state="visible", timeout=20_000)
        with page.expect_navigation(timeout=20_000):  # the new worker takes over, then the page reloads
            page.locator(".update button").click()
        ready(page)
        wait_for_worker(page)
        page.wait_for_function(
            "(old) => caches.keys().then((names) => names.filter((n) => n.startsWith('audit-')).every((n) => !old.includes(n)))",
            arg=sorted(ours),
            timeout=20_000,
        )
        after = set(page.evaluate(CACHES))
        assert "someone-else" in after
        assert len({name for name in after if name.startswith("audit-")}) == 1
        assert not (after & ours)
    finally:
        server.kill()
