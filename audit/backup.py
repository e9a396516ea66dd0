"""A copy of the store that is whole whatever the server is doing.

SQLite's online backup API copies one consistent snapshot of the file, pages and all, while
other processes keep writing (in WAL mode a reader never blocks a writer). The copy is
written beside the target, checked, and only then put in its place, so a failed backup never
replaces a good one.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .db import BUSY_TIMEOUT_MS


@dataclass(frozen=True)
class Copied:
    pages: int
    rows: dict[str, int]


class BackupFailed(RuntimeError):
    pass


def copy(source: Path, target: Path) -> Copied:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(str(partial))
    try:
        src.backup(dst)  # all pages in one step: one snapshot, never restarted by a writer
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        verdict = [row[0] for row in dst.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise BackupFailed(f"the copy failed its integrity check: {'; '.join(verdict[:5])}")
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        tables = [row[0] for row in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {table: dst.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        src.close()
        dst.close()
    os.replace(partial, target)
    return Copied(pages, rows)
