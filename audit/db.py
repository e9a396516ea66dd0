"""The one way into the SQLite file: connection settings, write transactions that take turns,
the connection pool, and running the migrations (migrations.py) a store lacks."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import queue
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .migrations import MIGRATIONS
from .model import Checklist


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


BUSY_TIMEOUT_MS = 10_000


class _Turns:
    """Writers of one store take turns without sleeping: the threads of a process queue on a
    lock, the processes on an flock of a file beside the store (`<file>-writer`). SQLite's own
    busy handler makes a writer that finds the lock taken sleep 1, 2, 5, ... up to 100 ms before
    it looks again, which under a burst of visits gave a tail of seconds; a waiter here wakes
    the moment the writer before it is done."""

    def __init__(self, path: str) -> None:
        self._threads = threading.Lock()
        self._fd = os.open(path + "-writer", os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def taken(self) -> Iterator[None]:
        with self._threads:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=None)
def _turns(path: str) -> _Turns:
    return _Turns(path)


_WRITERS: weakref.WeakKeyDictionary[sqlite_utils.Database, _Turns] = weakref.WeakKeyDictionary()


@contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, stored whole or not at all.

    It takes SQLite's write lock when it begins (BEGIN IMMEDIATE): a writer in another worker
    process then waits out the busy timeout, where a deferred transaction that reads first
    would fail with "database is locked" when its read had to become a write. Inside,
    sqlite-utils' `atomic()` holds a savepoint, so the library's own methods nest in it and
    any exception rolls everything back. Nested calls are savepoints of the outer transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    turns = _WRITERS.get(db)
    with turns.taken() if turns else contextlib.nullcontext():
        db.execute("BEGIN IMMEDIATE")
        try:
            with db.atomic():
                yield db
            db.execute("COMMIT")
        except BaseException:
            db.conn.rollback()
            raise


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Plain INSERTs of rows that share their keys, in one statement: no schema look-ups, which
    sqlite-utils' insert makes on every call and which cost more than the rows on the hot path."""
    if not rows:
        return
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    db.conn.executemany(sql, [[row[c] for c in columns] for row in rows])


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Applies the migrations this database lacks, each in its own write transaction; several
    server processes may start at once, so each looks again under the write lock."""
    with writing(db):
        db.table("migrations").create({"version": int, "applied_at": str}, pk="version", if_not_exists=True)
    applied = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        with writing(db):
            if db.execute("SELECT 1 FROM migrations WHERE version = ?", [version]).fetchone():
                continue
            migration(db)
            db.execute("INSERT INTO migrations (version, applied_at) VALUES (?, ?)", [version, now()])
        applied.append(version)
    return applied


def open_db(path: Path | str) -> sqlite_utils.Database:
    """A connection with the store's settings, usable from any one thread at a time."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
        _WRITERS[db] = _turns(str(Path(path).resolve()))
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def connect(path: Path | str) -> sqlite_utils.Database:
    """Opens (creating if need be) the database in WAL mode and brings its schema up to date."""
    db = open_db(path)
    migrate(db)
    return db


class Pool:
    """Connections for the worker threads that run every query: a SQLite connection serves one
    thread at a time, and the event loop must never wait on the disk or on another process's
    write lock. At most `size` are open (each keeps a page cache of its own); a thread beyond
    waits for one. Connections are made on demand and kept; a transaction left open is rolled back."""

    def __init__(self, path: Path | str, *, size: int = 6) -> None:
        self.path = path
        self._idle: queue.SimpleQueue[sqlite_utils.Database] = queue.SimpleQueue()
        self._free = threading.BoundedSemaphore(size)

    @contextmanager
    def connection(self) -> Iterator[sqlite_utils.Database]:
        with self._free:
            try:
                db = self._idle.get_nowait()
            except queue.Empty:
                db = open_db(self.path)
            try:
                yield db
            finally:
                if db.conn.in_transaction:
                    db.conn.rollback()
                self._idle.put(db)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def record_checklists(db: sqlite_utils.Database, checklists: list[Checklist]) -> None:
    """Keeps every version ever served, addressed by its content hash; old versions stay."""
    rows = [
        {
            "hash": checklist.content_hash(),
            "checklist_id": checklist.id,
            "title": json.dumps(checklist.title, ensure_ascii=False),
            "body": checklist.canonical_json(),
            "first_served_at": now(),
        }
        for checklist in checklists
    ]
    with writing(db):
        db.table("checklist_versions").insert_all(rows, ignore=True)
