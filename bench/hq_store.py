"""The store bench/hq.py measures: 1,000 branches in 10 regions, 24 released visits each over a
year, 150 items in 3 stages, 20 inspectors (two of them harsh), failure rates that vary by
branch, region and item (some details failing chain-wide, some at a few branches), a few N/A
answers and conditional items. Every visit goes through the real path: sync.put_visit, then
review.move approve, one at a time, so the stored rows are exactly what production writes.
The organisation comes in as a CSV through orgfile and orgstore."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import sys
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from audit import accounts, answers, db, demo, orgfile, orgstore, review, sync  # noqa: E402
from audit.model import Checklist, Item  # noqa: E402
from bench.synthetic import synthetic_checklist  # noqa: E402

TZ = timezone(timedelta(hours=8))
YEAR = 2025  # the last whole year before this benchmark was written: no visit dated in the future
REGIONS = 10
BRANCHES = 1000
SECOND_SITE_EVERY = 5  # every fifth branch also runs a convenience store
VISITS_PER_MONTH = 2
INSPECTORS = 20
SITE_TYPES = ("supermarket", "convenience-store")
PASSWORD = "bench-hq-password"


def checklist() -> Checklist:
    return synthetic_checklist(site_types=SITE_TYPES, na=True, conditional=True)


# --- the organisation and its people -------------------------------------------------------


def region_id(r: int) -> str:
    return f"r{r:02d}"


def branch_id(b: int) -> str:
    return f"b{b:04d}"


def organisation_csv(branches: int) -> bytes:
    """The chain as an organisation file in CSV, one row per site, as HQ would keep it."""
    per_region = -(-branches // REGIONS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", "region_name", "region_name:en", "branch", "branch_name", "branch_name:en", "city",
                     "site", "site_name", "site_name:en", "site_type", "site_type_name", "site_type_name:en"])
    kinds = {"supermarket": ("超市", "Supermarket", "sm"), "convenience-store": ("便利店", "Convenience store", "cv")}
    for b in range(branches):
        r = b // per_region
        for kind in SITE_TYPES if b % SECOND_SITE_EVERY == 0 else SITE_TYPES[:1]:
            zh, en, short = kinds[kind]
            writer.writerow([region_id(r), f"第{r + 1}区", f"Region {r + 1}", branch_id(b), f"{b}号店", f"Branch {b}", f"City {b % 97}",
                             f"{branch_id(b)}-{short}", f"{b}号店{zh}", f"Branch {b} {en.lower()}", kind, zh, en])
    return out.getvalue().encode("utf-8")


def import_organisation(database: sqlite_utils.Database, branches: int) -> None:
    """Through `audit org import`'s own path: the file read, then imported whole."""
    organisation, problems = orgfile.parse(organisation_csv(branches), "csv")
    if organisation is None:
        raise RuntimeError("; ".join(str(problem) for problem in problems[:5]))
    orgstore.import_org(database, organisation)


def people(database: sqlite_utils.Database) -> tuple[list[accounts.User], accounts.User]:
    """20 inspectors, a reviewer and an HQ analyst, all with one password hashed once."""
    hashed = accounts.hash_password(PASSWORD)
    inspectors = [
        accounts.add_hashed(database, f"inspector{n:02d}", "inspector", hashed, display_name=f"Inspector {n:02d}")
        for n in range(INSPECTORS)
    ]
    reviewer = accounts.add_hashed(database, "reviewer", "reviewer", hashed, display_name="Reviewer")
    accounts.add_hashed(database, "hq", "hq", hashed, display_name="HQ analyst")
    return inspectors, reviewer


# --- what the visits find ------------------------------------------------------------------


def _unit(*key: object) -> float:
    """A stable number in [0, 1) for a key: the same store whatever the order of generation."""
    return zlib.crc32("/".join(map(str, key)).encode()) / 2**32


def fail_model(items: list[Item], branches: int) -> tuple[dict[str, float], dict[str, set[int]]]:
    """Each item's extra chance of failing across the chain, and for the local problems the
    branches where it fails often. Eight items fail at 25-45% everywhere; twelve fail at
    about 50% at one branch in ten and normally elsewhere; the rest only by chance."""
    scored = [item for item in items if item.scored]
    rng = random.Random("items")
    chosen = rng.sample(scored, 20)
    chain = {item.id: rng.uniform(0.25, 0.45) for item in chosen[:8]}
    local = {item.id: {b for b in range(branches) if _unit(item.id, b) < 0.1} for item in chosen[8:]}
    return chain, local


def branch_quality(b: int, branches: int) -> float:
    """Chance an ordinary item passes at this branch: most between 0.84 and 0.97, one in
    twenty poor (0.70-0.80); regions differ by up to two points."""
    per_region = -(-branches // REGIONS)
    region_effect = (_unit("region", b // per_region) - 0.5) * 0.04
    if _unit("poor", b) < 0.05:
        return 0.70 + 0.10 * _unit("quality", b) + region_effect
    return 0.84 + 0.13 * _unit("quality", b) + region_effect


def inspector_bias(n: int) -> float:
    """Two inspectors are harsh (pass 8 points less often), the rest within two points."""
    return -0.08 if n in (3, 11) else (_unit("bias", n) - 0.5) * 0.04


def visit_answers(
    items: list[Item], rng: random.Random, quality: float, chain: dict[str, float], local: set[str], started: datetime
) -> dict[str, dict[str, Any]]:
    """Answers as the phone sends them (value, na, note, answered_at) for every shown item."""
    given: dict[str, dict[str, Any]] = {}
    moment = started
    for item in items:
        condition = item.when
        if condition is not None and (given.get(condition.item) or {}).get("value") not in condition.values:
            continue  # hidden: its condition's item is not answered so (our conditions point at yes/no items)
        moment += timedelta(seconds=rng.randint(5, 25))
        stamp = moment.isoformat(timespec="seconds")
        if item.na and rng.random() < 0.06:
            given[item.id] = {"value": None, "na": True, "note": "", "answered_at": stamp}
            continue
        chance = quality - chain.get(item.id, 0.0) - (0.45 if item.id in local else 0.0)
        answer = {"value": demo._value(item, rng, rng.random() < chance), "na": False, "note": "", "answered_at": stamp}
        if item.evidence_note in ("always", "on_fail") and (item.evidence_note == "always" or answers.failed(item, answer)):
            answer["note"] = "现场观察记录：店员未按标准执行，已提醒值班主管。"
        given[item.id] = answer
    return given


def plan(branches: int, year: int) -> list[tuple[datetime, int, str, int, str]]:
    """(started, branch, site, inspector, uuid) of every visit, oldest first, as a year of
    visits would arrive. Each region has two inspectors of its own who make four visits in
    five; the others come from anywhere, so every branch is seen by several inspectors."""
    per_region = -(-branches // REGIONS)
    result = []
    for b in range(branches):
        rng = random.Random(f"visits/{b}")
        region = b // per_region
        for month in range(1, 13):
            for k in range(VISITS_PER_MONTH):
                site = f"{branch_id(b)}-cv" if k == 1 and b % SECOND_SITE_EVERY == 0 else f"{branch_id(b)}-sm"
                day = rng.randint(1 + 14 * k, 14 + 14 * k)
                started = datetime(year, month, day, rng.randint(9, 20), rng.randint(0, 59), tzinfo=TZ)
                home = (2 * region + rng.randint(0, 1)) % INSPECTORS
                inspector = home if rng.random() < 0.8 else rng.randrange(INSPECTORS)
                result.append((started, b, site, inspector, str(uuid.UUID(int=rng.getrandbits(128), version=4))))
    return sorted(result)


# --- making the store ----------------------------------------------------------------------


def expected_visits(branches: int) -> int:
    return branches * 12 * VISITS_PER_MONTH


def holds_expected(path: Path, branches: int, year: int) -> tuple[bool, str]:
    if not path.exists():
        return False, "no file"
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT count(*) FROM branches").fetchone()[0]
        released = conn.execute(
            "SELECT count(*) FROM released_visits WHERE day >= ? AND day < ?", [f"{year}-01-01", f"{year + 1}-01-01"]
        ).fetchone()[0]
        visits = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    except sqlite3.Error as error:
        return False, str(error)
    finally:
        conn.close()
    wanted = expected_visits(branches)
    if (found, released, visits) == (branches, wanted, wanted):
        return True, f"{branches} branches, {released} released visits"
    return False, f"{found} branches, {visits} visits, {released} released in {year} (expected {branches}, {wanted}, {wanted})"


def generate(path: Path, branches: int, year: int) -> None:
    for suffix in ("", "-wal", "-shm", "-writer"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    database = db.connect(path)
    import_organisation(database, branches)
    model = checklist()
    db.record_checklists(database, [model])
    inspectors, reviewer = people(database)
    setup = time.perf_counter() - started
    items = list(model.items())
    chain, local = fail_model(items, branches)
    local_at: dict[int, set[str]] = {}
    for item_id, where in local.items():
        for b in where:
            local_at.setdefault(b, set()).add(item_id)
    visits = plan(branches, year)
    content_hash = model.content_hash()  # 20 ms: once, not per visit
    making = storing = releasing = 0.0
    began = time.perf_counter()
    for n, (when, b, site, inspector, visit_id) in enumerate(visits, start=1):
        t0 = time.perf_counter()
        rng = random.Random(visit_id)
        quality = branch_quality(b, branches) + inspector_bias(inspector) + 0.003 * (when.month - 1)
        body = {
            "checklist_id": model.id,
            "checklist_hash": content_hash,
            "site_id": site,
            "started_at": when.isoformat(),
            "ended_at": (when + timedelta(minutes=rng.randint(35, 80))).isoformat(),
            "narrative": "整体服务较好；收银排队时间偏长，部分细节需要改进。",
            "answers": visit_answers(items, rng, quality, chain, local_at.get(b, set()), when),
            "photos": [],
        }
        t1 = time.perf_counter()
        outcome = sync.put_visit(database, visit_id, body, inspector=inspectors[inspector].id)
        if outcome.status != 200:
            raise RuntimeError(f"visit {visit_id} refused: {outcome.body}")
        t2 = time.perf_counter()
        review.move(database, visit_id, reviewer, "approve")
        t3 = time.perf_counter()
        making, storing, releasing = making + t1 - t0, storing + t2 - t1, releasing + t3 - t2
        if n % 2000 == 0:
            print(f"  {n} visits, {n / (time.perf_counter() - began):.0f}/s", file=sys.stderr, flush=True)
    total = time.perf_counter() - began
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    print(f"generated {len(visits)} visits in {total:.0f} s ({len(visits) / total:.0f} visits/s; organisation and people {setup:.1f} s): "
          f"making bodies {making:.0f} s, sync.put_visit {storing:.0f} s ({len(visits) / storing:.0f}/s), "
          f"review.move approve {releasing:.0f} s ({len(visits) / releasing:.0f}/s), one visit at a time through the real path")
