"""Benchmark of exports: a store of 20,000 reviewed visits over the demo organisation, exported
as CSV, XLSX and JSON by `audit export`, each in a process of its own; the time and peak
memory (RSS) of each, beside what the `audit` command's imports alone take. The same for a
tenth of the visits first: an export streams, so its peak memory should not grow with the
visits (the time does).

Run:  .venv/bin/python bench/export.py [--visits N] [--synthetic]

The visits are those of the repository's checklists (15 to 27 items each) at every demo site
they fit, written straight into the tables as `audit serve` stores them (no photos, which
exports leave out), four in five approved. `--synthetic` uses the 150-item benchmark
checklist at the supermarkets instead: 3 million answers for 20,000 visits, past Excel's
rows per sheet (the workbook continues the answers on further sheets), and an XLSX export
of several minutes (openpyxl writes some 80,000 cells a second).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit import accounts, db, demo, library, sync
from audit.export_files import FORMATS, SUFFIXES
from audit.model import Checklist
from bench.synthetic import synthetic_checklist

CHINA = timezone(timedelta(hours=8))
BATCH = 1000


def _visit(checklist: Checklist, site_id: str, rng: random.Random, started: datetime) -> tuple[str, dict[str, Any]]:
    given, _ = demo.visit_answers(checklist, rng, rng.uniform(0.5, 0.97), started.isoformat())
    return str(uuid.uuid4()), {
        "checklist_id": checklist.id,
        "checklist_hash": checklist.content_hash(),
        "site_id": site_id,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=rng.randint(25, 70))).isoformat(),
        "narrative": "整体服务较好；收银排队时间偏长，部分细节需要改进。",
        "answers": given,
        "photos": [],
    }


def build(path: Path, count: int, checklists: list[Checklist]) -> None:
    """`count` visits through 2026, a thousand to a transaction, with their scores and reviews."""
    database = db.connect(path)
    demo.build(database)
    demo.people(database)
    db.record_checklists(database, checklists)
    inspectors = [accounts.by_username(database, name) for name, role, _ in demo.STAFF if role == "inspector"]
    reviewer = accounts.by_username(database, "reviewer")
    assert reviewer is not None and all(inspectors)
    pairs = [(site["id"], c) for site in demo.sites() for c in checklists if site["site_type"] in c.site_types]
    rng = random.Random(20)
    step = timedelta(days=360) / count
    stamp = db.now()
    for first in range(0, count, BATCH):
        rows: dict[str, list[dict[str, Any]]] = {"visits": [], "review_events": [], **{t: [] for t in sync.DERIVED_TABLES}}
        for n in range(first, min(first + BATCH, count)):
            site_id, checklist = pairs[n % len(pairs)]
            visit_id, body = _visit(checklist, site_id, rng, datetime(2026, 1, 1, 9, tzinfo=CHINA) + n * step)
            text = sync.canonical(body)
            released = rng.random() < 0.8
            inspector = inspectors[n % len(inspectors)]
            assert inspector is not None
            rows["visits"].append({
                "uuid": visit_id, "checklist_id": checklist.id, "checklist_hash": body["checklist_hash"], "site_id": site_id,
                "started_at": body["started_at"], "ended_at": body["ended_at"], "narrative": body["narrative"], "body": text,
                "body_hash": hashlib.sha256(text.encode()).hexdigest(), "received_at": stamp, "inspector_id": inspector.id,
                "state": "released" if released else "submitted", "version": 1, "updated_at": stamp,
            })
            for table, derived in sync.derived_rows(visit_id, body, checklist).items():
                rows[table] += derived
            if released:
                rows["review_events"].append(
                    {"visit_uuid": visit_id, "version": 1, "actor_id": reviewer.id, "action": "approve", "comment": "", "at": stamp}
                )
        with db.writing(database):
            for table, table_rows in rows.items():
                db.insert_rows(database, table, table_rows)
    database.close()


def run(command: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of a command in a process of its own."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{' '.join(command[2:])} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss * 1024


def export(path: Path, fmt: str, out: Path) -> tuple[float, int]:
    return run([sys.executable, "-m", "audit", "export", "--db", str(path), "--format", fmt, "--period", "2026", "-o", str(out)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--synthetic", action="store_true", help="the 150-item benchmark checklist instead of the library's")
    args = parser.parse_args()
    checklists = [synthetic_checklist()] if args.synthetic else library.load(library.CHECKLISTS)
    _, imports = run([sys.executable, "-c", "import audit.cli"])
    print(f"the audit command's imports alone: peak RSS {imports / 2**20:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        for count in (args.visits // 10, args.visits):
            path = Path(folder) / f"store-{count}.db"
            started = time.perf_counter()
            build(path, count, checklists)
            size = path.stat().st_size
            print(f"{count:,} visits: store built in {time.perf_counter() - started:.1f} s, {size / 2**20:.0f} MB")
            for fmt in FORMATS:
                out = Path(folder) / f"export-{count}{SUFFIXES[fmt]}"
                seconds, peak = export(path, fmt, out)
                print(f"  {fmt:5} {seconds:7.1f} s  peak RSS {peak / 2**20:5.0f} MB  file {out.stat().st_size / 2**20:7.1f} MB")
                out.unlink()


if __name__ == "__main__":
    main()
