"""Exports asked for on the dashboard, prepared in the background and offered when ready: their
state in the `exports` table, their files in a folder beside the store (`<store>-exports/`),
both gone a day later.

An export runs on a thread of the web process that was asked (`Runner`: one at a time per
process, at a lower CPU priority), not as a job of the job process. The job process renders
every PDF one at a time: an export of twenty thousand visits there would hold up every report
behind it for a minute or more, and its bounded line would fill and answer 503s. On a thread
here the requests keep their cores (the thread's priority is lower and web processes hand the
GIL over every millisecond), memory stays flat (the tables stream), and the page that follows
the export reads its progress from the table, whichever process serves it.

An export stopped with its server is marked interrupted at once; one that stops moving for
STALE (its process was killed) reads so; either way a new one can be asked for.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from . import access, db, jobs, memory
from .accounts import User
from .export import TABLES
from .export_files import SUFFIXES, save
from .filters import Filters
from .wording import clock

log = logging.getLogger("audit")
KEEP = timedelta(hours=24)
STALE = timedelta(minutes=10)
PROGRESS_SECONDS = 1.0  # at most one progress write a second
INTERRUPTED = "interrupted: the server stopped while preparing it; ask for it again"


class Stopped(RuntimeError):
    """The server is stopping: the export in hand is abandoned, its partial file removed."""


@dataclass(frozen=True)
class Export:
    id: str
    user_id: str
    format: str
    filters: Filters
    lang: str
    state: str  # queued, running, ready or failed
    done: int
    total: int
    error: str | None
    path: str | None  # the file's name in the exports folder
    created_at: str
    updated_at: str

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def visits(self) -> int:
        """How many visits it holds (known once it has started): each table counts them once."""
        return self.total // len(TABLES)

    @property
    def kept_until(self) -> str:
        """When it is removed, to the minute, in the organisation's time."""
        return clock(_stamp(datetime.fromisoformat(self.created_at) + KEEP))

    def file_name(self) -> str:
        """The name a download is saved under: what it holds and when it was made."""
        parts = ["audit", self.filters.period, self.filters.region, self.filters.site_type, self.filters.checklist]
        made = self.created_at[:10].replace("-", "")
        return "-".join(p for p in parts if p) + f"-{made}{SUFFIXES[self.format]}"


def folder(db_path: Path | str) -> Path:
    return Path(f"{db_path}-exports")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _dump(f: Filters) -> str:
    """The filters as resolved when asked, so that `last-12m` means the same months when the
    export runs, whatever the day."""
    return json.dumps({"period": f.period, "start": f.start.isoformat(), "end": f.end.isoformat(),
                       "region": f.region, "site_type": f.site_type, "checklist": f.checklist})


def _load(text: str) -> Filters:
    given = json.loads(text)
    return Filters(given["period"], date.fromisoformat(given["start"]), date.fromisoformat(given["end"]),
                   given["region"], given["site_type"], given["checklist"])


def _export(row: dict[str, Any]) -> Export:
    state, error = row["state"], row["error"]
    moved = datetime.fromisoformat(row["updated_at"])
    if state in ("queued", "running") and datetime.now(UTC) - moved > STALE:
        state, error = "failed", INTERRUPTED
    return Export(
        row["id"], row["user_id"], row["format"], _load(row["filters_json"]), row["lang"], state,
        row["done"], row["total"], error, row["path"], row["created_at"], row["updated_at"],
    )


def find(database: sqlite_utils.Database, person: User, export_id: str) -> Export | None:
    """The export, if this person may follow it (access.exports_where); None otherwise."""
    where, params = access.exports_where(person)
    cursor = database.execute(f"SELECT * FROM exports e WHERE e.id = ? AND {where}", [export_id, *params])
    row = cursor.fetchone()
    return _export(dict(zip([c[0] for c in cursor.description], row))) if row else None


def clean(database: sqlite_utils.Database, files: Path) -> None:
    """Removes exports asked for over KEEP ago, their files, and any file left in the folder
    that long (a partial one from a process that was killed)."""
    cutoff = datetime.now(UTC) - KEEP
    with db.writing(database):
        old = database.execute("SELECT path FROM exports WHERE created_at < ? AND path IS NOT NULL", [_stamp(cutoff)]).fetchall()
        database.execute("DELETE FROM exports WHERE created_at < ?", [_stamp(cutoff)])
    for (name,) in old:
        (files / name).unlink(missing_ok=True)
    if files.is_dir():
        for path in files.iterdir():
            if path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)


def ask(database: sqlite_utils.Database, files: Path, person: User, fmt: str, chosen: Filters, lang: str) -> str:
    """Records a new export for `person`, waiting for a thread; returns its id. Clears out
    those over a day old first, so the folder holds a day's exports at most."""
    clean(database, files)
    export_id = str(uuid.uuid4())
    stamp = db.now()
    with db.writing(database):
        database.execute(
            "INSERT INTO exports (id, user_id, format, filters_json, lang, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
            [export_id, person.id, fmt, _dump(chosen), lang, stamp, stamp],
        )
    return export_id


def _update(database: sqlite_utils.Database, export_id: str, **fields: Any) -> None:
    fields["updated_at"] = db.now()
    assignments = ", ".join(f"{name} = ?" for name in fields)
    with db.writing(database):
        database.execute(f"UPDATE exports SET {assignments} WHERE id = ?", [*fields.values(), export_id])


def run(db_path: Path | str, export_id: str, stop: threading.Event) -> None:
    """Prepares one export on this thread. Two connections: one holds the read snapshot the
    tables come from, the other writes progress (a write on the first would turn its read
    transaction into a write one and hold up every phone)."""
    status, reader = db.open_db(db_path), db.open_db(db_path)
    try:
        row = status.execute("SELECT format, filters_json, lang FROM exports WHERE id = ?", [export_id]).fetchone()
        fmt, chosen, lang = row[0], _load(row[1]), row[2]
        _update(status, export_id, state="running")
        files = folder(db_path)
        files.mkdir(exist_ok=True)
        name = f"{export_id}{SUFFIXES[fmt]}"
        written = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal written
            if stop.is_set():
                raise Stopped(export_id)
            if time.monotonic() - written >= PROGRESS_SECONDS:
                _update(status, export_id, done=done, total=total)
                written = time.monotonic()

        passes = save(reader, chosen, lang, fmt, files / name, progress) * len(TABLES)
        _update(status, export_id, state="ready", done=passes, total=passes, path=name, finished_at=db.now())
    except Stopped:
        _update(status, export_id, state="failed", error=INTERRUPTED, finished_at=db.now())
    except Exception as error:  # the thread's end: whatever went wrong is the export's state, for its page
        log.exception("export %s failed", export_id)
        _update(status, export_id, state="failed", error=f"{type(error).__name__}: {error}", finished_at=db.now())
    finally:
        reader.close()
        status.close()
        memory.give_back()


class Runner:
    """This process's exports, one at a time on a thread of lower priority."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = db_path
        self.files = folder(db_path)
        self._threads = jobs.background_threads(1, "exports")
        self._stop = threading.Event()
        self._waiting: set[str] = set()

    def start(self, export_id: str) -> None:
        self._waiting.add(export_id)
        self._threads.submit(self._run, export_id)

    def _run(self, export_id: str) -> None:
        self._waiting.discard(export_id)
        run(self.db_path, export_id, self._stop)

    def close(self) -> None:
        """Stops the export in hand at its next batch, and marks those still waiting as
        interrupted: no thread of this process will take them up."""
        self._stop.set()
        self._threads.shutdown(wait=True, cancel_futures=True)
        if self._waiting:
            database = db.open_db(self.db_path)
            try:
                for export_id in self._waiting:
                    _update(database, export_id, state="failed", error=INTERRUPTED, finished_at=db.now())
            finally:
                database.close()
