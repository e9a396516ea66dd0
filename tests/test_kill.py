"""Power cuts during a burst of visits: the server's processes are SIGKILLed at random moments
while phones send visits concurrently, twenty times over one database file. Every visit the
server acknowledged must be stored whole, none may be stored in part, and each phone's
replay of what was in flight must store it whole."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx2

from audit import db, demo, doctor, library

from .conftest import ROOT, ServerProcess, bearer, demo_database
from .test_faults import whole
from .test_sync import STARTED

ROUNDS = 20
VISITS_PER_ROUND = 400
PHONES = 12


def _visits(bodies: list[dict[str, Any]], rng: random.Random) -> dict[str, dict[str, Any]]:
    """A round's visits: phones' ids, contents drawn from a few made once (making each is slow)."""
    return {str(uuid.uuid4()): rng.choice(bodies) for _ in range(VISITS_PER_ROUND)}


def _burst(url: str, visits: dict[str, dict[str, Any]], answers: dict[str, int | None], headers: dict[str, str]) -> list[threading.Thread]:
    ids = list(visits)

    def phone(mine: list[str]) -> None:
        with httpx2.Client(base_url=url, timeout=30, headers=headers) as http:
            for visit_id in mine:
                try:
                    answers[visit_id] = http.put(f"/api/visits/{visit_id}", json=visits[visit_id]).status_code
                except httpx2.TransportError:
                    answers[visit_id] = None
                    return  # the phone keeps the rest in its outbox

    threads = [threading.Thread(target=phone, args=(ids[n::PHONES],)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    return threads


def test_sigkill_mid_burst_never_leaves_a_visit_in_part(tmp_path: Path) -> None:
    checklist = next(c for c in library.load(ROOT / "checklists") if c.id == "retail-supermarket")
    server = ServerProcess(demo_database(tmp_path / "audit.db"))
    headers = bearer(server.db_path, "inspector")
    rng = random.Random(20261130)
    bodies = [demo.visit_body(checklist, "sh-xujiahui-supermarket", rng, quality=rng.random(), started=STARTED)[0] for _ in range(12)]
    acknowledged: dict[str, dict[str, Any]] = {}
    in_flight: dict[str, dict[str, Any]] = {}
    interrupted = 0
    for _ in range(ROUNDS):
        with sqlite3.connect(server.db_path) as conn:
            before = conn.execute("SELECT coalesce(max(rowid), 0) FROM visits").fetchone()[0]
        server.start()
        visits = _visits(bodies, rng)
        answers: dict[str, int | None] = {}
        threads = _burst(server.url, visits, answers, headers)
        time.sleep(rng.uniform(0.3, 1.2))
        server.kill()
        for thread in threads:
            thread.join()
        assert set(answers.values()) <= {200, None}, answers
        now_acknowledged = {v: visits[v] for v, status in answers.items() if status == 200}
        acknowledged |= now_acknowledged
        in_flight |= {v: body for v, body in visits.items() if answers.get(v) != 200}
        interrupted += any(status is None for status in answers.values()) and any(s == 200 for s in answers.values())

        with sqlite3.connect(server.db_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        database = db.connect(server.db_path)
        checkup = doctor.check(database, since_rowid=before)  # every visit this round stored, acknowledged or not
        database.close()
        assert checkup.whole, checkup.broken
        assert all(whole(server.db_path, v, body, checklist) for v, body in now_acknowledged.items())

    assert interrupted >= ROUNDS // 2, f"only {interrupted} of {ROUNDS} kills fell inside a burst"
    server.start()
    replayed: dict[str, int | None] = {}
    try:
        for thread in _burst(server.url, in_flight, replayed, headers):
            thread.join()
    finally:
        server.kill()
    assert set(replayed.values()) == {200} and len(replayed) == len(in_flight)
    assert all(whole(server.db_path, v, body, checklist) for v, body in (acknowledged | in_flight).items())
