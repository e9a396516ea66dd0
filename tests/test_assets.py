"""The service worker's version follows the content of what it precaches."""

from __future__ import annotations

from pathlib import Path

from audit import assets, library

from .conftest import ROOT


def make_static(folder: Path) -> None:
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<html></html>")
    (folder / "manifest.webmanifest").write_text("{}")
    (folder / "js" / "app.js").write_text("export const a = 1;")
    (folder / "sw.js").write_text('const VERSION = "__VERSION__"; const PRECACHE = __PRECACHE__;')


def test_version_changes_with_any_asset_or_checklist(tmp_path: Path) -> None:
    make_static(tmp_path)
    checklists = library.load(ROOT / "checklists")
    first = assets.build(tmp_path, checklists)
    assert first.precache == ["/", "/manifest.webmanifest", "/static/js/app.js"]  # the API needs a session: never precached
    assert f'"{first.version}"' in first.worker and '"/static/js/app.js"' in first.worker
    assert assets.build(tmp_path, checklists).version == first.version
    (tmp_path / "index.html").write_text("<html><body></body></html>")
    second = assets.build(tmp_path, checklists)
    assert second.version != first.version
    assert assets.build(tmp_path, checklists[1:]).version != second.version


def test_real_worker_is_stamped() -> None:
    built = assets.build(assets.STATIC, library.load(ROOT / "checklists"))
    assert "__VERSION__" not in built.worker and "__PRECACHE__" not in built.worker
    for url in built.precache:
        if url.startswith("/static/"):
            assert (assets.STATIC / url.removeprefix("/static/")).is_file(), url
