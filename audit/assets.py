"""The PWA's files and the service worker's version, stamped from their contents.

The version changes whenever any precached file or the checklists change, so a deploy
reaches every phone (and a reload fetches the new checklists); the worker's cache names carry
it, and old caches are dropped. Nothing under /api/ is precached: the API needs a session, so
the app fetches the catalog after sign-in and keeps it in IndexedDB.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .model import Checklist

STATIC = Path(__file__).resolve().parent.parent / "static"
WORKER = "sw.js"
MANIFEST = "manifest.webmanifest"
INDEX = "index.html"
NOT_PRECACHED = {WORKER, "README.md"}


@dataclass(frozen=True)
class Assets:
    version: str
    precache: list[str]
    worker: str


def static_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_PRECACHED)


def build(folder: Path, checklists: list[Checklist]) -> Assets:
    digest = hashlib.sha256()
    urls = ["/", f"/{MANIFEST}"]
    for path in static_files(folder):
        relative = path.relative_to(folder).as_posix()
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
        if relative not in (MANIFEST, INDEX):  # both are precached under their own URLs
            urls.append(f"/static/{relative}")
    for checklist in checklists:
        digest.update(checklist.content_hash().encode())
    worker_source = (folder / WORKER).read_text(encoding="utf-8") if (folder / WORKER).exists() else ""
    digest.update(worker_source.encode())
    version = digest.hexdigest()[:16]
    worker = worker_source.replace("__VERSION__", version).replace("__PRECACHE__", json.dumps(urls))
    return Assets(version=version, precache=urls, worker=worker)
