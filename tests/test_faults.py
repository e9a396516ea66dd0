"""Whole or not at all: faults injected inside the write transactions, the doctor that finds
and rebuilds visits stored in part, and backups taken while the server writes."""

from __future__ import annotations

import json
import multiprocessing
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlite_utils
from starlette.testclient import TestClient

from audit import db, doctor, jobs, library
from audit.app import create_app
from audit.model import Checklist
from audit.startup import NeedsRepair, Settings, open_store

from .browser import free_port
from .conftest import ROOT, ServerProcess, bearer, demo_database, sign_in
from .test_sync import new_visit

DERIVED = ("visit_scores", "stage_scores", "section_scores")


@pytest.fixture(scope="module")
def supermarket() -> Checklist:
    return next(c for c in library.load(ROOT / "checklists") if c.id == "retail-supermarket")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path)), raise_server_exceptions=False) as client:
        yield sign_in(client, "inspector"), path


def rows_of(path: Path, visit_uuid: str) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        found = {t: conn.execute(f"SELECT count(*) FROM {t} WHERE visit_uuid = ?", [visit_uuid]).fetchone()[0] for t in DERIVED}
        found["visits"] = conn.execute("SELECT count(*) FROM visits WHERE uuid = ?", [visit_uuid]).fetchone()[0]
    return found


def whole(path: Path, visit_uuid: str, body: dict[str, Any], checklist: Checklist) -> bool:
    sections = sum(len(stage.sections) for stage in checklist.stages)
    expected = {"visits": 1, "visit_scores": 1, "stage_scores": len(checklist.stages), "section_scores": sections}
    return rows_of(path, visit_uuid) == expected


@pytest.mark.parametrize("table", DERIVED)
def test_a_write_failing_inside_the_transaction_stores_nothing(store: tuple[TestClient, Path], supermarket: Checklist, table: str) -> None:
    """A trigger makes the last (or any) insert of the visit's transaction fail: the visit row and
    every row before it roll back, the phone is told to retry (503), and the retry stores it whole."""
    client, path = store
    visit_id, body, _ = new_visit(supermarket, quality=0.4)
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TRIGGER injected BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    failed = client.put(f"/api/visits/{visit_id}", json=body)
    assert failed.status_code == 503, failed.text
    assert failed.json()["error"] == "unavailable"
    assert rows_of(path, visit_id) == dict.fromkeys([*DERIVED, "visits"], 0)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER injected")
    assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
    assert whole(path, visit_id, body, supermarket)


FACTS = ("released_visits", "released_items", "item_tallies", "findings", "finding_events")


def facts_of(path: Path, visit_uuid: str) -> tuple[str, int, int]:
    with sqlite3.connect(path) as conn:
        state = conn.execute("SELECT state FROM visits WHERE uuid = ?", [visit_uuid]).fetchone()[0]
        key = conn.execute("SELECT key FROM released_visits WHERE visit_uuid = ?", [visit_uuid]).fetchone()
        items = conn.execute("SELECT count(*) FROM released_items WHERE visit_key = ?", [key[0] if key else -1]).fetchone()[0]
        tallied = conn.execute("SELECT coalesce(sum(observed), 0) FROM item_tallies").fetchone()[0]
    return state, items, tallied


@pytest.mark.parametrize("table", FACTS)
def test_a_release_failing_inside_its_transaction_releases_nothing(store: tuple[TestClient, Path], supermarket: Checklist, table: str) -> None:
    """The approval, its review event and the figures HQ compares are one transaction: a write
    failing on any fact table leaves the visit waiting, with no event and no figures, and the
    reviewer's retry releases it with all of them."""
    client, path = store
    visit_id, body, _ = new_visit(supermarket, quality=0.4)
    assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
    reviewer = sign_in(TestClient(client.app, raise_server_exceptions=False), "reviewer")
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TRIGGER injected BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    approve = {"action": "approve", "csrf": reviewer.headers["X-CSRF-Token"]}
    failed = reviewer.post(f"/review/{visit_id}", data=approve, follow_redirects=False)
    assert failed.status_code == 503, failed.text
    assert facts_of(path, visit_id) == ("submitted", 0, 0)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM review_events WHERE visit_uuid = ?", [visit_id]).fetchone()[0] == 0
        conn.execute("DROP TRIGGER injected")
    assert reviewer.post(f"/review/{visit_id}", data=approve, follow_redirects=False).status_code == 303
    observed = sum(1 for a in body["answers"].values() if not a.get("na"))
    state, items, tallied = facts_of(path, visit_id)
    assert state == "released" and 0 < items <= observed and tallied == items


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "audit.db"
    db.connect(path).close()

    def half_done(database: sqlite_utils.Database) -> None:
        database.table("new_things").create({"id": int}, pk="id")
        database.execute("INSERT INTO new_things (id) VALUES (1)")
        raise RuntimeError("the migration failed half-way")

    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, half_done])
    with pytest.raises(RuntimeError, match="half-way"):
        db.connect(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'new_things'").fetchone()[0] == 0
        assert conn.execute("SELECT max(version) FROM migrations").fetchone()[0] == len(db.MIGRATIONS) - 1


def _half_store(path: Path, visit_uuid: str) -> None:
    """What a crash between the old code's separate commits left: the visit row and only some of the rest."""
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM section_scores WHERE visit_uuid = ?", [visit_uuid])
        conn.execute("DELETE FROM visit_scores WHERE visit_uuid = ?", [visit_uuid])


def _derived(path: Path, visit_uuid: str) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            "answers": conn.execute("SELECT * FROM answers WHERE visit_uuid = ? ORDER BY item_id", [visit_uuid]).fetchall(),
            "visit_scores": conn.execute(
                "SELECT score, uncapped, band, failures, critical_failures FROM visit_scores WHERE visit_uuid = ?", [visit_uuid]
            ).fetchall(),
            "stage_scores": conn.execute("SELECT * FROM stage_scores WHERE visit_uuid = ? ORDER BY stage", [visit_uuid]).fetchall(),
            "section_scores": conn.execute("SELECT * FROM section_scores WHERE visit_uuid = ? ORDER BY section_id", [visit_uuid]).fetchall(),
        }


def audit_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_doctor_finds_and_rebuilds_visits_stored_in_part(store: tuple[TestClient, Path], supermarket: Checklist) -> None:
    client, path = store
    stored = []
    for seed in range(3):
        visit_id, body, _ = new_visit(supermarket, seed=seed, quality=0.5)
        assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
        stored.append(visit_id)
    before = _derived(path, stored[1])
    _half_store(path, stored[1])
    with sqlite3.connect(path) as conn:  # a body nobody can read cannot be rebuilt: said, not guessed
        conn.execute("UPDATE visits SET body = 'garbage' WHERE uuid = ?", [stored[2]])

    found = audit_cli("doctor", "--db", str(path))
    assert found.returncode == 1, found.stderr
    assert "Traceback" not in found.stderr
    lines = found.stdout.splitlines()
    assert f"visit {stored[1]}: stored in part: visit_scores 0 of 1" in found.stdout
    assert f"visit {stored[2]}: its stored body is not JSON (cannot be rebuilt)" in lines
    assert len(lines) == 2

    repaired = audit_cli("doctor", "--db", str(path), "--repair")
    assert "1 visit(s) rebuilt" in repaired.stderr
    assert repaired.returncode == 1  # the unreadable one is still there, for a person to look at
    assert _derived(path, stored[1]) == before
    assert repaired.stdout.splitlines() == lines


def test_the_server_refuses_a_store_that_needs_repair(tmp_path: Path, supermarket: Checklist) -> None:
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path))) as client:
        sign_in(client, "inspector")
        visit_id, body, _ = new_visit(supermarket, quality=0.5)
        assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
    _half_store(path, visit_id)
    with pytest.raises(NeedsRepair, match="1 visit"):
        open_store(Settings(db_path=path))
    refused = audit_cli("serve", "--db", str(path), "--port", str(free_port()))
    assert refused.returncode == 1
    assert "stored in part" in refused.stderr and f"audit doctor --db {path} --repair" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert audit_cli("doctor", "--db", str(path), "--repair").returncode == 0
    open_store(Settings(db_path=path))[0].close()
    assert whole(path, visit_id, body, supermarket)


def test_backup_while_the_server_writes(tmp_path: Path, supermarket: Checklist) -> None:
    """Phones keep sending while the backup runs: the copy is one consistent snapshot that holds
    every visit acknowledged before it started, each whole, and serves again once restored."""
    server = ServerProcess(demo_database(tmp_path / "audit.db"))
    server.start()
    acknowledged: list[str] = []
    stop = threading.Event()

    headers = bearer(server.db_path, "inspector")
    deadline = time.monotonic() + 120

    def send() -> None:
        with httpx2.Client(base_url=server.url, timeout=30, headers=headers) as http:
            seed = 0
            while not stop.is_set() and time.monotonic() < deadline:
                visit_id, body, _ = new_visit(supermarket, seed=seed, quality=0.5)
                visit_id = str(uuid.uuid4())
                if http.put(f"/api/visits/{visit_id}", json=body).status_code == 200:
                    acknowledged.append(visit_id)
                seed += 1

    senders = [threading.Thread(target=send) for _ in range(3)]
    try:
        for thread in senders:
            thread.start()
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            stop.wait(0.05)
        before = list(acknowledged)
        copied = audit_cli("backup", "--db", str(server.db_path), "-o", str(tmp_path / "copy.db"))
        while len(acknowledged) < len(before) + 20 and time.monotonic() < deadline:  # the writes went on during the backup
            stop.wait(0.05)
    finally:
        stop.set()
        for thread in senders:
            thread.join()
        server.kill()
    assert copied.returncode == 0, copied.stderr
    assert "integrity ok" in copied.stdout
    restored = tmp_path / "restored.db"
    (tmp_path / "copy.db").rename(restored)
    database = db.connect(restored)
    in_copy = {row[0] for row in database.execute("SELECT uuid FROM visits")}
    assert set(before) <= in_copy <= set(acknowledged) | {row[0] for row in sqlite3.connect(server.db_path).execute("SELECT uuid FROM visits")}
    assert doctor.check(database).whole
    assert all(whole(restored, visit_id, json.loads(row[0]), supermarket) for visit_id in before for row in database.execute("SELECT body FROM visits WHERE uuid = ?", [visit_id]))
    database.close()
    again = ServerProcess(restored, workers=1)
    again.start()
    try:
        reader = bearer(restored, "hq")
        report = httpx2.get(f"{again.url}/visits/{before[0]}/report", timeout=30, headers=reader)
        assert report.status_code == 200
        printed = httpx2.get(f"{again.url}/visits/{before[0]}/report.pdf", timeout=60, headers=reader)  # rendered by the job process
        assert printed.status_code == 200 and printed.content.startswith(b"%PDF-")
    finally:
        again.kill()


def slow_job(n: int) -> tuple[int, float, float]:
    """A job for the queue test: a fifth of a second, with when it ran."""
    started = time.time()
    time.sleep(0.2)
    return n, started, time.time()


def serve_slow_jobs(address: str, key: bytes) -> None:
    """A job process that knows the test's job."""
    jobs.KINDS["slow"] = "tests.test_faults:slow_job"
    jobs.serve(address, key)


@pytest.mark.parametrize("remote", [False, True], ids=["in-process", "job-process"])
def test_jobs_wait_in_one_line_and_a_full_line_is_busy(monkeypatch: pytest.MonkeyPatch, remote: bool) -> None:
    """Four jobs asked for at once through a line that holds three: three run one after the
    other, in the order asked, and the fourth is refused at once. Through a real job process too."""
    import anyio

    monkeypatch.setitem(jobs.KINDS, "slow", "tests.test_faults:slow_job")
    process = None
    queue = jobs.Queue(waiting=3)
    if remote:
        address, key = f"audit-test-jobs-{uuid.uuid4().hex}", secrets.token_bytes(32)
        process = multiprocessing.get_context("spawn").Process(target=serve_slow_jobs, args=(address, key))
        process.start()
        queue = jobs.Queue(waiting=3, address=address, key=key)
        time.sleep(2)  # the job process is listening
    results: list[Any] = []

    async def submit(n: int) -> None:
        try:
            results.append(await queue.run("slow", n))
        except jobs.Busy:
            results.append("busy")

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for n in range(4):
                group.start_soon(submit, n)
                await anyio.sleep(0.01)

    try:
        # A thread of its own: once a browser test has run, Playwright's sync API keeps an
        # event loop running on the main thread for the rest of the session.
        runner = threading.Thread(target=anyio.run, args=(main,))
        runner.start()
        runner.join()
    finally:
        queue.close()
        if process is not None:
            process.kill()
            process.join()
    assert results[0] == "busy"
    ran = results[1:]
    assert [n for n, _, _ in ran] == [0, 1, 2]
    assert all(after[1] >= before[2] for before, after in zip(ran, ran[1:]))  # one at a time
