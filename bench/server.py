"""Benchmark of the server under load, as `audit serve` runs it (worker processes on one file).

Run:  .venv/bin/python bench/server.py [--visits N] [--workers N]

1. Ingest: 20 concurrent phones PUT 150-answer visits over HTTP (keep-alive); visits/s,
   latency p50/p95/p99, and every answer that was not a 200 (a "database is locked" would
   show here and in the server's log). Then the same rows written in this process with plain
   `executemany`, one transaction per visit, into a copy of the same store: the ceiling, and
   the ratio of the two.
2. Photos: 4 phones upload 12-megapixel JPEGs without pause while one probe asks /health
   every 20 ms and another PUTs a visit every 50 ms; their p95s.
3. PDFs: 30 first-time report requests at once; the peak memory (RSS) of all the server's
   processes together, sampled every 20 ms, and how long the last one waited.

Targets on two cores: >= 350 visits/s, p95 < 100 ms, 0 lock errors; /health p95 < 20 ms and
PUT p95 < 50 ms during photo uploads; < 300 MB peak for the 30 PDFs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from audit import accounts, db, demo, sessions, sync  # noqa: E402
from audit.model import Checklist  # noqa: E402
from bench.synthetic import synthetic_checklist, synthetic_yaml  # noqa: E402
from tests.browser import free_port, wait_until_up  # noqa: E402

SITE = "sh-xujiahui-supermarket"
TZ = timezone(timedelta(hours=8))
PHONES = 20


class Connection:
    """One phone's keep-alive HTTP/1.1 connection, as thin as a client can be, so that the two
    cores go to the server rather than to the load."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\n" if token else ""

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes = b"", kind: str = "application/json") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{self.auth}Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def server_rss(pid: int) -> int:
    """Resident bytes of the server's process and all its children."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                pids += [int(c) for c in children.read().split()]
        except FileNotFoundError:
            continue
    return total


class Server:
    def __init__(self, folder: Path, workers: int) -> None:
        self.db_path = folder / "bench.db"
        self.checklists = folder / "checklists"
        self.log = folder / "server.log"
        self.port = free_port()
        self.workers = workers

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "audit", "serve", "--db", str(self.db_path), "--port", str(self.port),
                 "--workers", str(self.workers), "--checklists", str(self.checklists)],
                cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
            )
        wait_until_up(f"http://127.0.0.1:{self.port}", timeout=60)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def lock_errors(self) -> int:
        return self.log.read_text(errors="replace").count("database is locked")


TOKENS: dict[str, str] = {}  # API tokens of the demo inspector and HQ, made by prepare()


def prepare(folder: Path) -> Checklist:
    (folder / "checklists").mkdir()
    (folder / "checklists" / "bench-150.yaml").write_bytes(synthetic_yaml())
    database = db.connect(folder / "bench.db")
    demo.build(database)
    demo.people(database)
    for username in ("inspector", "hq"):
        user = accounts.by_username(database, username)
        assert user is not None
        TOKENS[username] = sessions.issue_token(database, user, label="bench")[1]
    checklist = synthetic_checklist()
    db.record_checklists(database, [checklist])
    database.close()
    return checklist


def visit_bodies(checklist: Checklist, count: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    started = datetime(2026, 11, 1, 10, tzinfo=TZ)
    return [
        (str(uuid.uuid4()), demo.visit_body(checklist, SITE, rng, quality=0.8, started=started + timedelta(minutes=n))[0])
        for n in range(count)
    ]


async def ingest(port: int, bodies: list[tuple[str, bytes]]) -> tuple[float, list[float], dict[int, int]]:
    queue = list(reversed(bodies))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def phone() -> None:
        connection = Connection(port, TOKENS["inspector"])
        await connection.open()
        while queue:
            visit_id, body = queue.pop()
            started = time.perf_counter()
            status, _ = await connection.request("PUT", f"/api/visits/{visit_id}", body)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(phone() for _ in range(PHONES)))
    return len(bodies) / (time.perf_counter() - started), latencies, statuses


def ceiling(source: Path, checklist: Checklist, bodies: list[tuple[str, dict[str, Any]]]) -> float:
    """The same rows with plain executemany, one transaction per visit, on one thread: what
    SQLite itself allows, the storing path's overhead left out (rows made before the clock starts)."""
    target = source.with_name("ceiling.db")
    shutil.copy(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    prepared = []
    for n, (_, body) in enumerate(bodies):
        visit_id = str(uuid.uuid4())
        text = sync.canonical(body)
        visit = [visit_id, checklist.id, body["checklist_hash"], body["site_id"], body["started_at"], body["ended_at"],
                 body["narrative"], text, hashlib.sha256(text.encode()).hexdigest(), "2026-11-30T00:00:00+00:00"]
        derived = sync.derived_rows(visit_id, body, checklist)
        prepared.append((visit, {t: (list(rows[0]), [list(r.values()) for r in rows]) for t, rows in derived.items() if rows}))
    started = time.perf_counter()
    for visit, derived in prepared:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO visits (uuid, checklist_id, checklist_hash, site_id, started_at, ended_at, narrative, body, "
                     "body_hash, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visit)
        for table, (columns, rows) in derived.items():
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
        conn.execute("COMMIT")
    rate = len(prepared) / (time.perf_counter() - started)
    conn.close()
    return rate


def camera_jpeg() -> bytes:
    """A 12-megapixel JPEG with a camera's noise, about the size a phone writes."""
    rng = random.Random(12)
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image.paste((rng.randint(0, 255), 120, 90), (0, 0, 2000, 1500))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


async def photos_phase(port: int, checklist: Checklist, seconds: float) -> dict[str, Any]:
    raw = camera_jpeg()
    digest = hashlib.sha256(raw).hexdigest()
    item = next(i.id for i in checklist.items())
    probe_bodies = [(v, json.dumps(b).encode()) for v, b in visit_bodies(checklist, 400, seed=99)]
    health: list[float] = []
    puts: list[float] = []
    uploaded = 0

    # every body made before the clock starts: making one takes the client's loop for milliseconds
    uploads = []
    for visit_id, body in visit_bodies(checklist, 300, seed=7):
        photo_id = str(uuid.uuid4())
        body["photos"].append({"uuid": photo_id, "item_id": item, "taken_at": body["started_at"], "content_type": "image/jpeg", "sha256": digest})
        uploads.append((visit_id, photo_id, json.dumps(body).encode()))

    async def uploader() -> None:
        nonlocal uploaded
        connection = Connection(port, TOKENS["inspector"])
        await connection.open()
        while time.perf_counter() < stop and uploads:
            visit_id, photo_id, body = uploads.pop()
            status, text = await connection.request("PUT", f"/api/visits/{visit_id}", body)
            assert status == 200, text
            status, text = await connection.request("PUT", f"/api/visits/{visit_id}/photos/{photo_id}", raw, "image/jpeg")
            assert status == 200, text
            uploaded += 1
        connection.close()

    stop = time.perf_counter() + seconds

    async def health_probe() -> None:
        connection = Connection(port)
        await connection.open()
        await asyncio.sleep(1)  # the uploads are under way
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await connection.request("GET", "/health")
            health.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)
        connection.close()

    async def visit_probe() -> None:
        connection = Connection(port, TOKENS["inspector"])
        await connection.open()
        await asyncio.sleep(1)
        while time.perf_counter() < stop and probe_bodies:
            visit_id, body = probe_bodies.pop()
            started = time.perf_counter()
            status, _ = await connection.request("PUT", f"/api/visits/{visit_id}", body)
            puts.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)
        connection.close()

    await asyncio.gather(*(uploader() for _ in range(4)), health_probe(), visit_probe())
    return {"uploaded": uploaded, "health": health, "puts": puts, "photo_mb": len(raw) / 1e6}


async def pdf_phase(port: int, pid: int, visits: list[str]) -> dict[str, Any]:
    peak = baseline = server_rss(pid)
    done = False

    def sample() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, server_rss(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    times: list[float] = []
    statuses: dict[int, int] = {}

    async def fetch(visit_id: str) -> None:
        connection = Connection(port, TOKENS["hq"])
        await connection.open()
        started = time.perf_counter()
        status, data = await connection.request("GET", f"/visits/{visit_id}/report.pdf?lang=zh-Hans")
        times.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        assert status != 200 or data.startswith(b"%PDF")
        connection.close()

    await asyncio.gather(*(fetch(v) for v in visits))
    done = True
    sampler.join()
    return {"baseline": baseline, "peak": peak, "times": times, "statuses": statuses}


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=3000, help="visits in the ingest run")
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: audit serve's)")
    parser.add_argument("--photo-seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-server-") as name:
        folder = Path(name)
        checklist = prepare(folder)
        bodies = visit_bodies(checklist, args.visits, seed=1)
        encoded = [(v, json.dumps(b, ensure_ascii=False).encode()) for v, b in bodies]
        server = Server(folder, args.workers or min(4, len(os.sched_getaffinity(0))))
        server.start()
        try:
            rate, latencies, statuses = asyncio.run(ingest(server.port, encoded))
            photos = asyncio.run(photos_phase(server.port, checklist, args.photo_seconds))
            pdfs = asyncio.run(pdf_phase(server.port, server.process.pid, [v for v, _ in bodies[:30]]))
        finally:
            server.stop()
        locks = server.lock_errors()
        top = ceiling(server.db_path, checklist, bodies)
    bad = {status: n for status, n in statuses.items() if status != 200}
    print(f"{len(os.sched_getaffinity(0))} cores, {server.workers} server processes, {args.visits} visits of {len(list(checklist.items()))} answers, {PHONES} phones")
    print(f"ingest over HTTP    {rate:.0f} visits/s   p50 {ms(statistics.median(latencies))}, p95 {ms(percentile(latencies, 95))}, "
          f"p99 {ms(percentile(latencies, 99))}; not 200: {bad or 'none'}; 'database is locked' in the log: {locks}   "
          "(targets >= 350/s, p95 < 100 ms, 0)")
    print(f"ceiling executemany {top:.0f} visits/s   (same rows, one transaction each, one thread)")
    print(f"ratio               {rate / top:.2f}")
    print(f"during photo upload /health p95 {ms(percentile(photos['health'], 95))}, PUT visit p95 {ms(percentile(photos['puts'], 95))}   "
          f"({photos['uploaded']} photos of {photos['photo_mb']:.1f} MB, 12 MP, by 4 phones in {args.photo_seconds:.0f} s; "
          f"{len(photos['health'])} + {len(photos['puts'])} probes; targets < 20 ms, < 50 ms)")
    print(f"30 first-time PDFs  peak {pdfs['peak'] / 2**20:.0f} MB for all server processes (at rest {pdfs['baseline'] / 2**20:.0f} MB); "
          f"slowest answer {max(pdfs['times']):.1f} s; statuses {pdfs['statuses']}   (target < 300 MB)")


if __name__ == "__main__":
    main()
