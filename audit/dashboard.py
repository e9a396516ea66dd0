"""What HQ's pages and the comparison PDF show, built once from compare.py's figures: the
tables, and the charts as SVG made here, so that the screen and the paper cannot disagree.

A build runs under a deadline: past it, SQLite is interrupted and the caller says that the
comparison timed out, never shows a partial figure or "no data".
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import sqlite_utils

from . import charts, compare, findings
from .filters import Filters
from .pinned import latest_checklist
from .schema import STAGES
from .wording import TEMPLATES, pick

TEXT: dict[str, dict[str, str]] = json.loads((TEMPLATES / "hq-text.json").read_text(encoding="utf-8"))
DEADLINE = 10.0  # seconds a page's queries may take before they are stopped
CHART_TOP, CHART_BOTTOM = 10, 20  # branches in the ranking chart when there are more than 30
TABLE_ROWS = 200  # rows of a ranking table on screen (the PDF shows fewer)
TREND_SERIES = 8
HEAT_ITEMS, HEAT_BRANCHES = 15, 25
FINDING_ROWS = 20  # branches in the findings table, the most overdue first


class TimedOut(RuntimeError):
    """The comparison's queries ran past their deadline and were stopped."""


@contextmanager
def deadline(db: sqlite_utils.Database, seconds: float = DEADLINE) -> Iterator[None]:
    """Interrupts any query of the block that is still running `seconds` after it began."""
    until = time.monotonic() + seconds
    db.conn.set_progress_handler(lambda: int(time.monotonic() > until), 20_000)
    try:
        yield
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise TimedOut(f"stopped after {seconds:g} s") from error
        raise
    finally:
        db.conn.set_progress_handler(None, 0)


@dataclass(frozen=True)
class Row:
    """A line of a ranking table, in the reader's words."""

    id: str
    name: str
    link: str
    standing: compare.Standing


@dataclass
class Page:
    lang: str
    filters: Filters
    title: str
    overall: compare.Standing
    by: str | None = None
    regions: list[Row] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # branches, or a branch's sites
    rows_total: int = 0
    charts: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    calibration: list[compare.Calibration] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    checklist: str = ""
    parents: list[tuple[str, str]] = field(default_factory=list)  # (name, path) above this page, for the crumbs
    findings: list[tuple[Row, dict[str, int]]] = field(default_factory=list)  # per branch, the most overdue first


def query(f: Filters, **changes: str | None) -> str:
    """A link's query string: the page's filters with some changed."""
    given = {**f.query(), **{k: v for k, v in changes.items() if v is not None}}
    return urlencode({k: v for k, v in given.items() if v})


def _labels(h: dict[str, str], title: str) -> dict[str, str]:
    return {
        "title": title, "n": h["visits"], "none": h["no_score"], "few": h["few"].format(n=compare.FEW),
        "pass": h["pass"], "beyond": h["beyond"],
    }


def _ranked_bars(rows: list[Row], by: str | None) -> list[charts.Ranked]:
    def figure(row: Row) -> compare.Figure:
        return row.standing.stages[by] if by else row.standing.score

    return [charts.Ranked(r.name, figure(r).mean, figure(r).n, figure(r).n < compare.FEW, r.standing.rank) for r in rows]


def _chart_rows(rows: list[Row]) -> list[Row]:
    """All of them when they fit a chart; else the highest and the lowest ranked."""
    if len(rows) <= CHART_TOP + CHART_BOTTOM:
        return rows
    ranked = [r for r in rows if r.standing.rank is not None]
    return ranked[:CHART_TOP] + ranked[-CHART_BOTTOM:]


def _checklist_title(db: sqlite_utils.Database, checklist_id: str, lang: str) -> tuple[str, Any]:
    checklist = latest_checklist(db, checklist_id)
    if checklist is None:
        return checklist_id, None
    return pick(checklist.title, lang, checklist.language), checklist


def _item_label(checklist: Any, item_id: str, lang: str) -> tuple[str, bool]:
    if checklist is None:
        return item_id, False
    item = next((i for i in checklist.items() if i.id == item_id), None)
    if item is None:
        return item_id, False
    return pick(item.text, lang, checklist.language), item.critical_cap is not None


def _items(figures: list[compare.ItemFigure], checklist: Any, lang: str) -> list[dict[str, Any]]:
    result = []
    for figure in figures:
        label, critical = _item_label(checklist, figure.item_id, lang)
        result.append({"figure": figure, "label": label, "critical": critical})
    return result


def overview(db: sqlite_utils.Database, f: Filters, lang: str, by: str | None = None, heat: tuple[int, int] = (HEAT_ITEMS, HEAT_BRANCHES)) -> Page:
    """The dashboard: the scope's figure, regions (when no region is chosen), branches ranked,
    the trend, the most-failed details, the heatmap (`heat`: its details and branches) and the
    inspectors' calibration."""
    h = TEXT[lang]
    by = by if by in STAGES else None
    summary = compare.summarize(db, f)  # one pass over the scope for every ranking and total below
    page = Page(lang, f, h["dashboard"], summary.overall(), by=by)
    if page.overall.visits == 0:
        return page
    if not f.region:
        page.regions = [
            Row(s.id, pick(s.name, lang, "zh-Hans"), "/hq?" + query(f, region=s.id), s)
            for s in summary.standings(db, "region", stage=by)
        ]
    branches = summary.standings(db, "branch", stage=by)
    rows = [Row(s.id, pick(s.name, lang, "zh-Hans"), f"/hq/branches/{s.id}?" + query(f), s) for s in branches]
    page.rows, page.rows_total = rows[:TABLE_ROWS], len(rows)
    shown = _chart_rows(rows)
    title = h["ranking_title"] + (f" · {h[by]}" if by else "")
    page.charts["ranking"] = charts.ranking(_ranked_bars(shown, by), labels=_labels(h, title), lang=lang)
    if len(shown) < len(rows):
        page.notes["ranking"] = h["ranking_some"].format(top=CHART_TOP, bottom=CHART_BOTTOM, all=len(rows))

    if page.regions:
        level, series_rows, trend_title = "region", page.regions[:TREND_SERIES], h["trend_regions"]
    else:
        ranked = [r for r in rows if r.standing.rank is not None]
        level, series_rows, trend_title = "branch", ranked[-TREND_SERIES:], h["trend_branches"]
    lines = compare.trend(db, f, level, [r.id for r in series_rows], stage=by)
    page.charts["trend"] = charts.trend(
        [charts.Series(r.name, [(m, fig.mean, fig.n) for m, fig in lines[r.id]]) for r in series_rows],
        f.months(), labels=_labels(h, trend_title), lang=lang,
    )

    checklist_id = f.checklist or summary.busiest()
    if checklist_id:
        name, checklist = _checklist_title(db, checklist_id, lang)
        page.checklist = name
        if not f.checklist:
            page.notes["checklist"] = h["checklist_chosen"].format(checklist=name)
        figures = compare.failing_items(db, f, checklist_id)
        page.items = _items(figures, checklist, lang)
        page.notes["failing"] = h["failing_note"].format(checklist=name)
        page.charts["failing"] = charts.bars(
            [charts.Rate(i["label"], i["figure"].rate, i["figure"].failed, i["figure"].observed) for i in page.items],
            labels=_labels(h, h["failing"]), lang=lang,
        )
        on_checklist = summary.standings(db, "branch", checklist=checklist_id) if not f.checklist else branches
        names = {r.id: r.name for r in rows}
        worst = [Row(s.id, names.get(s.id, s.id), "", s) for s in on_checklist if s.rank is not None][-heat[1]:][::-1]
        heat_items = page.items[: heat[0]]
        grid = compare.failure_grid(db, f, checklist_id, [r.id for r in worst], [i["figure"].key for i in heat_items])
        if worst and heat_items:
            cells = [
                [charts.Cell(*_rate(grid.get((r.id, i["figure"].key)))) for r in worst]
                for i in heat_items
            ]
            page.charts["heatmap"] = charts.heatmap(
                [i["label"] for i in heat_items], [r.name for r in worst], cells,
                labels={**_labels(h, h["heatmap"]), "none": h["not_observed"]}, lang=lang,
            )
            page.notes["heatmap"] = h["heatmap_note"].format(items=len(heat_items), branches=len(worst), checklist=name)

    tallies = findings.tally(db, [r.id for r in rows], date.today())
    page.findings = sorted(
        ((r, tallies[r.id]) for r in rows if r.id in tallies),
        key=lambda pair: (-pair[1]["overdue"], -pair[1]["open"], -pair[1]["failed-again"], pair[0].name),
    )[:FINDING_ROWS]
    page.calibration = compare.calibration(db, f)
    if page.calibration:
        page.charts["calibration"] = charts.spread(
            [charts.Deviation(c.name, c.deviation, c.compared) for c in page.calibration],
            threshold=compare.FAR, labels=_labels(h, h["calibration"]), lang=lang,
        )
    return page


def _rate(cell: tuple[int, int] | None) -> tuple[float | None, int]:
    if cell is None or cell[1] == 0:
        return None, 0
    return cell[0] / cell[1], cell[1]


def branch(db: sqlite_utils.Database, f: Filters, branch_id: str, lang: str) -> Page | None:
    """One branch: its figure, its sites ranked, its month-by-month line overall and per stage,
    and its own most-failed details."""
    h = TEXT[lang]
    found = db.execute("SELECT name FROM branches WHERE id = ?", [branch_id]).fetchone()
    if found is None:
        return None
    name = pick(json.loads(found[0]), lang, "zh-Hans")
    mine, checklist_id = compare.of_branch(db, f, branch_id)
    page = Page(lang, f, name, mine)
    sites = compare.standings(db, f, "site", branch=branch_id)
    page.rows = [Row(s.id, pick(s.name, lang, "zh-Hans"), f"/hq/sites/{s.id}?" + query(f), s) for s in sites]
    page.rows_total = len(page.rows)
    tally = findings.tally(db, [branch_id], date.today()).get(branch_id)
    if tally:
        page.findings = [(Row(branch_id, name, "", page.overall), tally)]
    if not mine.visits:
        return page
    overall_line = compare.trend(db, f, "branch", [branch_id])[branch_id]
    series = [charts.Series(h["overall"], [(m, fig.mean, fig.n) for m, fig in overall_line])]
    for stage in STAGES:
        line = compare.trend(db, f, "branch", [branch_id], stage=stage)[branch_id]
        if any(fig.n for _, fig in line):
            series.append(charts.Series(h[stage], [(m, fig.mean, fig.n) for m, fig in line]))
    page.charts["trend"] = charts.trend(series, f.months(), labels=_labels(h, h["trend_branch"]), lang=lang)
    checklist_id = f.checklist or checklist_id
    if checklist_id:
        title, checklist = _checklist_title(db, checklist_id, lang)
        page.checklist = title
        grid = compare.failure_grid(db, f, checklist_id, [branch_id])
        ids = compare.item_ids(db, [key for _, key in grid])
        figures = sorted(
            (compare.ItemFigure(key, ids[key], observed, failed, 0) for (_, key), (failed, observed) in grid.items() if failed),
            key=lambda i: (-i.rate, -i.failed, i.item_id),
        )[:20]
        page.items = _items(figures, checklist, lang)
        page.notes["failing"] = h["failing_note"].format(checklist=title)
        if page.items:
            page.charts["failing"] = charts.bars(
                [charts.Rate(i["label"], i["figure"].rate, i["figure"].failed, i["figure"].observed) for i in page.items],
                labels=_labels(h, h["failing_branch"]), lang=lang,
            )
    return page


def site(db: sqlite_utils.Database, f: Filters, site_id: str, lang: str) -> Page | None:
    """One site: its released visits in scope, each opening its report."""
    found = db.execute("SELECT name, branch_id FROM sites WHERE id = ?", [site_id]).fetchone()
    if found is None:
        return None
    sites = [s for s in compare.standings(db, f, "site", branch=found[1]) if s.id == site_id]
    page = Page(lang, f, pick(json.loads(found[0]), lang, "zh-Hans"), sites[0] if sites else compare.empty())
    parent = db.execute("SELECT name FROM branches WHERE id = ?", [found[1]]).fetchone()
    page.parents = [(pick(json.loads(parent[0]), lang, "zh-Hans"), f"/hq/branches/{found[1]}")]
    titles: dict[str, str] = {}
    for line in compare.visits_of_site(db, f, site_id):
        if line.checklist_id not in titles:
            titles[line.checklist_id] = _checklist_title(db, line.checklist_id, lang)[0]
        page.visits.append({"line": line, "checklist": titles[line.checklist_id], "link": f"/visits/{line.visit_uuid}/report?lang={lang}"})
    return page
