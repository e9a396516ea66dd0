"""Benchmark of HQ's comparisons at chain scale: 1,000 branches, 24 visits each, 150 items.

Run:  .venv/bin/python bench/hq.py [--db PATH] [--rebuild] [--reps N]

Why: the dashboard and the comparison PDF read the facts stored when a visit is released
(audit/facts.py), never the visits' answers. With the old schema, at this scale, the branch
ranking took 43 ms for a quarter, the 20 most-failed details 365 ms for a quarter and 1.4 s
for a year (computed from answers), and the file was 1 GB, 40% of it visit bodies. This
measures the same questions on the facts.

1. The store: 10 regions of 100 branches, one supermarket per branch and a convenience store
   at every fifth (which takes one of the branch's two visits a month), 20 inspectors, the
   synthetic 150-item checklist of bench/synthetic.py (three stages, every scored type,
   critical items, N/A allowed on some items, a few items shown only on an earlier answer),
   and 24 visits per branch over the twelve months of one year (two a month), all released.
   Failure rates differ by branch (steady good and poor branches), by region, by item (a few
   details fail across the chain, some fail only at some branches), a little by inspector
   (two are harsh), and fall slowly over the year. Every visit goes through the real path,
   one at a time: `sync.put_visit` as the phone's PUT stores it (checks, scores, one write
   transaction), then `review.move(..., "approve")`, whose transaction writes the facts
   (`facts.release`). So the file holds exactly what production writes, rows in the order a
   year of visits would arrive. The store is kept (`--db`, default under /tmp) and reused
   when it holds the expected visits; `--rebuild` makes it again.
2. Every comparison query the dashboard runs (audit/compare.py), for a year and for its last
   quarter, chain-wide and for one region: one warm-up, then `--reps` runs on one open
   connection (page cache warm), p50/p95; then the same on a new connection each run (open
   included). A cold OS page cache is not reachable without dropping the kernel's caches
   (root), so it is not measured: a new connection only starts with SQLite's own cache empty.
   Then, when they exist: the whole model of each HQ page (audit/dashboard.py: `overview`,
   `branch`, `site`; queries, tables and SVG charts), and `audit compare` writing the
   comparison PDF end to end (three runs, wall time), with the PDF's two phases timed in one
   warm process (the page's HTML, then WeasyPrint).
3. The file's size after a WAL checkpoint, and the bytes of each table and index (dbstat).
4. The query plan of every query whose p95 for a year is over 100 ms.

Targets on two cores: every dashboard query p95 < 100 ms for a year, the comparison PDF
< 3 s, the file < 600 MB. The load average is printed with each table: on a machine shared
with other work every figure is slower and its p95 noisier.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from audit import (  # noqa: E402
    compare,
    db,
    filters,
)
from bench.hq_store import (  # noqa: E402
    BRANCHES,
    REGIONS,
    YEAR,
    expected_visits,
    generate,
    holds_expected,
    region_id,
)

TARGET_MS = 100.0
Query = Callable[[sqlite_utils.Database], Any]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def dashboard_queries(database: sqlite_utils.Database, f: filters.Filters) -> dict[str, Query]:
    """The compare.* calls the dashboard's overview makes for one scope (audit/dashboard.py),
    with the arguments it passes: the trend of 8 regions (of 8 branches when a region is
    chosen), the heatmap of the 25 lowest-ranked branches on the busiest checklist by its 15
    most-failed items; and the visits of one site (the site page)."""
    checklist_id = compare.busiest_checklist(database, f)
    assert checklist_id is not None
    branches = [s for s in compare.standings(database, f, "branch") if s.rank is not None]
    on_checklist = [s.id for s in compare.standings(database, f.narrowed(checklist=checklist_id), "branch") if s.rank is not None]
    item_keys = [i.key for i in compare.failing_items(database, f, checklist_id)][:15]
    if f.region:
        level, ids = "branch", [s.id for s in branches[-8:]]
    else:
        level, ids = "region", [s.id for s in compare.standings(database, f, "region")][:8]
    site = database.execute(
        "SELECT s.id FROM sites s JOIN branches b ON b.id = s.branch_id WHERE b.region_id = coalesce(?, b.region_id) ORDER BY s.id LIMIT 1",
        [f.region],
    ).fetchone()[0]
    return {
        "overall": lambda d: compare.overall(d, f),
        "standings region": lambda d: compare.standings(d, f, "region"),
        "standings branch": lambda d: compare.standings(d, f, "branch"),
        "standings branch, by in-sale": lambda d: compare.standings(d, f, "branch", stage="in-sale"),
        "trend, 8 regions (a region: 8 branches)": lambda d: compare.trend(d, f, level, ids),
        "busiest_checklist": lambda d: compare.busiest_checklist(d, f),
        "failing_items top 20": lambda d: compare.failing_items(d, f, checklist_id, 20),
        "standings branch, on the checklist": lambda d: compare.standings(d, f.narrowed(checklist=checklist_id), "branch"),
        "failure_grid 25 x 15": lambda d: compare.failure_grid(d, f, checklist_id, on_checklist[-25:], item_keys),
        "calibration": lambda d: compare.calibration(d, f),
        "visits_of_site": lambda d: compare.visits_of_site(d, f, site),
        "(ref) failing items from released_items": lambda d: from_items(d, f, checklist_id),
    }


def from_items(database: sqlite_utils.Database, f: filters.Filters, checklist_id: str) -> list[Any]:
    """Not on the dashboard: the 20 most-failed details counted from the per-visit item rows
    instead of the monthly tallies, to show what the tallies save."""
    where, params = compare.scope(f)
    return database.execute(
        f"SELECT i.item_key, sum(i.failed), count(*) FROM {compare.SCOPE} JOIN released_items i ON i.visit_key = r.key "
        f"WHERE {where} AND r.checklist_id = ? GROUP BY 1 HAVING sum(i.failed) > 0 ORDER BY sum(i.failed) * 1.0 / count(*) DESC LIMIT 20",
        [*params, checklist_id],
    ).fetchall()


def timed(run: Callable[[], Any], reps: int) -> list[float]:
    run()  # warm-up
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def on_fresh_connection(path: Path, query: Query) -> Callable[[], Any]:
    def run() -> Any:
        database = db.open_db(path)
        try:
            return query(database)
        finally:
            database.close()

    return run


def statements(database: sqlite_utils.Database, query: Query) -> list[str]:
    """The SQL a call runs, with its values bound in."""
    seen: list[str] = []
    database.conn.set_trace_callback(seen.append)
    try:
        query(database)
    finally:
        database.conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def shorten(sql: str) -> str:
    """A statement with its long lists of ids left out."""
    return re.sub(r"IN \(([^()]{120,})\)", lambda m: f"IN (... {m[1].count(',') + 1} values)", sql)


def query_plan(database: sqlite_utils.Database, sql: str) -> list[str]:
    rows = database.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def measure(path: Path, year: int, reps: int, region: str) -> dict[tuple[str, str], dict[str, list[float]]]:
    """{(period, scope): {query: times}} on one warm connection, then on fresh ones."""
    today = date(year, 12, 31)
    scopes = {
        ("year", "chain"): {"period": str(year)},
        ("year", "region"): {"period": str(year), "region": region},
        ("Q4", "chain"): {"period": f"{year}-Q4"},
        ("Q4", "region"): {"period": f"{year}-Q4", "region": region},
    }
    warm: dict[tuple[str, str], dict[str, list[float]]] = {}
    fresh: dict[tuple[str, str], dict[str, list[float]]] = {}
    slow: list[tuple[tuple[str, str], str, Query]] = []  # (period, scope), name, call
    db.connect(path).close()  # migrated to the current schema first, as the server does when it starts
    database = db.open_db(path)
    for key, given in scopes.items():
        f = filters.parse(given, today)
        queries = dashboard_queries(database, f)
        warm[key] = {name: timed(lambda: query(database), reps) for name, query in queries.items()}
        fresh[key] = {name: timed(on_fresh_connection(path, query), reps) for name, query in queries.items()}
        if key[0] == "year":
            for name, query in queries.items():
                if percentile(warm[key][name], 95) * 1000 > TARGET_MS:
                    slow.append((key, name, query))
    table("one open connection (SQLite's cache warm)", warm, reps)
    table("a new connection each run (open included; the OS page cache stays warm)", fresh, reps)
    if slow:
        print(f"\nthe queries over {TARGET_MS:.0f} ms (p95) for a year: each statement the call runs, the statement's own time "
              "(SQLite alone: execute and fetch, p50 of 5) and its plan; the rest of the call's time is Python")
        for key, name, query in slow:
            print(f"\n{name} ({key[1]}): the call p50 {ms(statistics.median(warm[key][name]))} ms")
            for sql in statements(database, query):
                took = statistics.median(timed(lambda sql=sql: database.execute(sql).fetchall(), 5))
                print(f"  {ms(took)} ms  {shorten(sql)}")
                print("\n".join("      " + line for line in query_plan(database, sql)))
    else:
        print(f"\nno dashboard query is over {TARGET_MS:.0f} ms (p95) for a year: no query plans to show")
    database.close()
    return warm


def load() -> str:
    """The machine is shared: other processes' load makes every figure slower and noisier."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {len(os.sched_getaffinity(0))} cores"


def table(title: str, results: dict[tuple[str, str], dict[str, list[float]]], reps: int) -> None:
    keys = list(results)
    names = list(results[keys[0]])
    width = max(len(n) for n in names) + 2
    print(f"\n{title}: p50 / p95 in ms over {reps} runs after one warm-up; ! = p95 over {TARGET_MS:.0f} ms; {load()} at the end")
    print(" " * width + "".join(f"{period + ' ' + scope:>22}" for period, scope in keys))
    for name in names:
        cells = []
        for key in keys:
            times = results[key][name]
            p95 = percentile(times, 95)
            flag = "!" if p95 * 1000 > TARGET_MS else " "
            cells.append(f"{ms(statistics.median(times)):>9} / {ms(p95):>7}{flag}")
        print(f"{name:<{width}}" + "".join(f"{c:>22}" for c in cells))
    dashboard = [n for n in names if not n.startswith("(ref)")]
    sums = [sum(statistics.median(results[key][n]) for n in dashboard) for key in keys]
    print(f"{'sum of the p50s above':<{width}}" + "".join(f"{ms(s):>20}  " for s in sums) + "  (the dashboard's queries, one after another)")


# --- what other modules may offer by now ---------------------------------------------------


def dashboard_pages(path: Path, year: int, reps: int, region: str) -> None:
    """The whole model of each HQ page (audit/dashboard.py: every query, the tables, the SVG
    charts), as the server builds it in a worker thread, on one warm connection."""
    try:
        dashboard = importlib.import_module("audit.dashboard")
    except ImportError:
        print("\ndashboard model: audit/dashboard.py does not exist; not measured")
        return
    build = getattr(dashboard, "build", None) or getattr(dashboard, "overview", None)
    if build is None:
        print("\ndashboard model: audit/dashboard.py has neither build() nor overview(); not measured")
        return
    database = db.open_db(path)
    today = date(year, 12, 31)
    branch = database.execute("SELECT id FROM branches WHERE region_id = ? ORDER BY id LIMIT 1", [region]).fetchone()[0]
    site = database.execute("SELECT id FROM sites WHERE branch_id = ? ORDER BY id LIMIT 1", [branch]).fetchone()[0]
    pages: dict[str, Callable[[], Any]] = {}
    for period in (str(year), f"{year}-Q4"):
        for scope in (None, region):
            f = filters.parse({"period": period, "region": scope}, today)
            label = f"{build.__name__} {period} {'region ' + scope if scope else 'chain'}"
            pages[label] = lambda f=f: build(database, f, "zh-Hans")
    pages[f"{build.__name__} {year} chain, by in-sale"] = lambda: build(database, filters.parse({"period": str(year)}, today), "zh-Hans", "in-sale")
    year_filters = filters.parse({"period": str(year)}, today)
    for name in ("branch", "site"):
        page = getattr(dashboard, name, None)
        if page is not None:
            pages[f"{name} {year} ({branch if name == 'branch' else site})"] = (
                lambda page=page, ident=(branch if name == "branch" else site): page(database, year_filters, ident, "zh-Hans")
            )
    print(f"\ndashboard pages (audit/dashboard.py, queries + tables + SVG charts), one warm connection, {reps} runs after one warm-up; {load()}")
    for label, run in pages.items():
        try:
            times = timed(run, reps)
        except Exception as error:  # the module is young: say what broke rather than stop the benchmark
            print(f"  {label:<44} failed: {type(error).__name__}: {error}")
            continue
        flag = "!" if percentile(times, 95) * 1000 > TARGET_MS else " "
        print(f"  {label:<44} p50 {ms(statistics.median(times)):>7} ms   p95 {ms(percentile(times, 95)):>7} ms {flag}")
    database.close()


def compare_pdf(path: Path, year: int, runs: int = 3) -> None:
    audit = ROOT / ".venv" / "bin" / "audit"
    probe = subprocess.run([str(audit), "compare", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        print("\ncomparison PDF: `audit compare` does not exist yet; not measured")
        return
    times, said = [], ""
    with tempfile.TemporaryDirectory(prefix="bench-hq-") as folder:
        out = Path(folder) / "compare.pdf"
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run([str(audit), "compare", "--db", str(path), "--period", str(year), "-o", str(out)],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            if done.returncode != 0:
                print(f"\ncomparison PDF: `audit compare` failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-600:]}")
                return
            said = done.stdout.strip().rpartition(" in ")[2]
        size = out.stat().st_size
    print(f"\ncomparison PDF, `audit compare --db PATH --period {year} -o FILE` end to end (a new process each, start-up included): "
          f"{', '.join(f'{t:.2f}' for t in times)} s; median {statistics.median(times):.2f} s "
          f"(the last run's own count, from opening the store to the file written: {said}); {size / 1e6:.2f} MB   (target < 3 s)")


def pdf_phases(path: Path, year: int, runs: int = 3) -> None:
    """Where the comparison PDF's time goes, in this process (imports done): the page's model
    and HTML (hq_views.printable: queries, tables, charts), then WeasyPrint (pdf.html_pdf)."""
    try:
        hq_views = importlib.import_module("audit.hq_views")
        pdf = importlib.import_module("audit.pdf")
        printable, render = hq_views.printable, pdf.html_pdf
    except (ImportError, AttributeError) as error:
        print(f"  (the PDF's phases not measured: {error})")
        return
    database = db.open_db(path)
    f = filters.parse({"period": str(year)}, date(year, 12, 31))
    html = ""

    def model() -> None:
        nonlocal html
        html = printable(database, f, "zh-Hans", None, "bench")[0]

    made = timed(model, runs)
    rendered = timed(lambda: render(html), runs)
    database.close()
    print(f"  in one warm process: hq_views.printable (queries, tables, charts, HTML) p50 {statistics.median(made):.2f} s; "
          f"pdf.html_pdf (WeasyPrint, {len(html) / 1000:.0f} kB of HTML) p50 {statistics.median(rendered):.2f} s; "
          "the rest of the wall time is the process starting and importing")


# --- where the bytes go --------------------------------------------------------------------


def sizes(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = path.stat().st_size
    print(f"\nfile {total / 1e6:.0f} MB after a WAL checkpoint (target < 600 MB); page size {conn.execute('PRAGMA page_size').fetchone()[0]}, "
          f"free pages {conn.execute('PRAGMA freelist_count').fetchone()[0]}")
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError as error:
        print(f"  no dbstat in this SQLite ({error}): bytes per table not shown")
        rows = []
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
    for name, size in rows:
        if size >= 0.001 * total:
            print(f"  {name:<44} {kinds.get(name, 'table'):<6} {size / 1e6:8.1f} MB  {100 * size / total:5.1f}%")
    rest = sum(size for _, size in rows if size < 0.001 * total)
    print(f"  {'the other ' + str(sum(1 for _, s in rows if s < 0.001 * total)) + ' tables and indexes':<51} {rest / 1e6:8.1f} MB")
    bodies = conn.execute("SELECT sum(length(CAST(body AS BLOB))), count(*) FROM visits").fetchone()
    print(f"  of the visits table: the bodies' text {bodies[0] / 1e6:.0f} MB ({bodies[0] / bodies[1] / 1000:.1f} KB a visit, "
          f"{100 * bodies[0] / total:.0f}% of the file)")
    conn.close()


def machine() -> str:
    available = "?"
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                available = f"{int(line.split()[1]) / 2**20:.1f} GB"
    return (f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {available} memory available, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "bench-hq.db", help="the store (made if need be)")
    parser.add_argument("--rebuild", action="store_true", help="make the store again even if it holds the expected visits")
    parser.add_argument("--branches", type=int, default=BRANCHES, help="branches (1,000 is the chain the targets are for)")
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--reps", type=int, default=30, help="timed runs of each query after one warm-up")
    args = parser.parse_args()
    print(machine())
    ready, found = holds_expected(args.db, args.branches, args.year)
    if ready and not args.rebuild:
        print(f"reusing {args.db}: {found} (--rebuild to make it again)")
    else:
        if args.db.exists() and not args.rebuild:
            sys.exit(f"{args.db} is not this benchmark's store ({found}); pass --rebuild to replace it, or another --db")
        print(f"making {args.db}: {args.branches} branches in {REGIONS} regions, {expected_visits(args.branches)} visits in {args.year}")
        generate(args.db, args.branches, args.year)
    per_region = -(-args.branches // REGIONS)
    region = region_id(0)
    print(load())
    print(f"scopes: the chain, and region {region} ({per_region} branches); year = {args.year}, Q4 = {args.year}-Q4")
    measure(args.db, args.year, args.reps, region)
    dashboard_pages(args.db, args.year, min(args.reps, 10), region)
    compare_pdf(args.db, args.year)
    pdf_phases(args.db, args.year)
    sizes(args.db)


if __name__ == "__main__":
    main()
