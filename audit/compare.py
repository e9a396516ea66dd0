"""The comparisons HQ reads, from the facts stored at release (facts.py), never from answers.

One averaging rule everywhere: a group's score is the mean of its released visits' scores,
visits without a score (every item N/A) left out; a stage's score likewise from the visits'
stage scores. Every figure carries its number of visits, and a group with fewer than FEW scored
visits is shown but not ranked. The dashboard, the comparison PDF and the tests all read
these functions, so a figure cannot be computed two ways in two places.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from .facts import STAGE_COLUMNS
from .filters import Filters

FEW = 3  # scored visits below which a group is not ranked
FAR = 10.0  # points from colleagues on the same sites that mark an inspector for calibration
LEVELS = {"region": "r.region_id", "branch": "r.branch_id", "site": "r.site_id"}
NAMES = {"region": "regions", "branch": "branches", "site": "sites"}
SCOPE = "released_visits r"  # each row carries its branch, region and site type: no joins


@dataclass(frozen=True)
class Figure:
    """A mean of visit scores with the number of scored visits behind it."""

    mean: float | None
    n: int


@dataclass(frozen=True)
class Standing:
    id: str
    name: dict[str, str]
    visits: int  # released visits in scope, scored or not
    score: Figure
    stages: dict[str, Figure]
    critical_visits: int  # visits with at least one critical failure
    critical_failures: int
    rank: int | None  # None: too few visits, or no score

    @property
    def few(self) -> bool:
        return self.score.n < FEW


@dataclass(frozen=True)
class ItemFigure:
    key: int
    item_id: str
    observed: int
    failed: int
    critical_failed: int

    @property
    def rate(self) -> float:
        return self.failed / self.observed if self.observed else 0.0


@dataclass(frozen=True)
class Calibration:
    inspector_id: str
    name: str
    visits: int  # scored visits in scope
    compared: int  # of which on a site a colleague also scored
    deviation: float | None  # mean points above (+) or below (-) colleagues on the same sites
    sites: int

    @property
    def far(self) -> bool:
        return self.deviation is not None and self.compared >= FEW and abs(self.deviation) >= FAR


def scope(f: Filters) -> tuple[str, list[Any]]:
    """The WHERE condition on SCOPE for the filters."""
    where, params = ["r.day >= ?", "r.day < ?"], [f.start.isoformat(), f.end.isoformat()]
    for column, value in (("r.region_id", f.region), ("r.site_type", f.site_type), ("r.checklist_id", f.checklist)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(where), params


def _names(db: sqlite_utils.Database, level: str, ids: list[str]) -> dict[str, dict[str, str]]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {row[0]: json.loads(row[1]) for row in db.execute(f"SELECT id, name FROM {NAMES[level]} WHERE id IN ({marks})", ids)}


def ranked(rows: list[Standing], stage: str | None = None) -> list[Standing]:
    """Ranked by the overall or a stage's mean, ties sharing a rank (1, 2, 2, 4); groups with
    too few visits or no score follow, unranked."""

    def measure(row: Standing) -> Figure:
        return row.stages[stage] if stage else row.score

    fair = sorted((r for r in rows if measure(r).mean is not None and measure(r).n >= FEW), key=lambda r: (-(measure(r).mean or 0), r.id))
    fair_ids = {r.id for r in fair}
    rest = sorted((r for r in rows if r.id not in fair_ids), key=lambda r: (measure(r).mean is None, -(measure(r).mean or 0), r.id))
    result, rank, previous = [], 0, None
    for index, row in enumerate(fair, start=1):
        value = round(measure(row).mean or 0, 9)
        if value != previous:
            rank, previous = index, value
        result.append(_with_rank(row, rank))
    return result + [_with_rank(row, None) for row in rest]


def _with_rank(row: Standing, rank: int | None) -> Standing:
    return Standing(row.id, row.name, row.visits, row.score, row.stages, row.critical_visits, row.critical_failures, rank)


@dataclass
class Sums:
    """What adds up across visits: counts and totals, from which every mean follows, so that a
    region's figure is the mean of its visits, not a mean of its branches' means."""

    visits: int = 0
    totals: list[float] = field(default_factory=lambda: [0.0] * (1 + len(STAGE_COLUMNS)))  # the score, then each stage's
    counts: list[int] = field(default_factory=lambda: [0] * (1 + len(STAGE_COLUMNS)))
    critical_visits: int = 0
    critical_failures: int = 0

    def add(self, other: Sums) -> None:
        self.visits += other.visits
        self.totals = [a + b for a, b in zip(self.totals, other.totals)]
        self.counts = [a + b for a, b in zip(self.counts, other.counts)]
        self.critical_visits += other.critical_visits
        self.critical_failures += other.critical_failures

    def standing(self, key: str, name: dict[str, str]) -> Standing:
        figures = [Figure(total / n if n else None, n) for total, n in zip(self.totals, self.counts)]
        stages = dict(zip(STAGE_COLUMNS, figures[1:]))
        return Standing(key, name, self.visits, figures[0], stages, self.critical_visits, self.critical_failures, None)


_SUMS = (
    "count(*), "
    + ", ".join(f"total({c}), count({c})" for c in ("r.score", *(f"r.{s}" for s in STAGE_COLUMNS.values())))
    + ", sum(r.critical_failures > 0), sum(r.critical_failures)"
)


def _sums(row: Any) -> Sums:
    pairs = row[1:-2]
    return Sums(row[0], [float(v) for v in pairs[0::2]], list(pairs[1::2]), row[-2], row[-1])


@dataclass(frozen=True)
class Summary:
    """A scope's released visits summed by branch and checklist in one pass: the rankings of
    regions and branches, the scope's own figure and its busiest checklist all follow from it."""

    cells: dict[tuple[str, str], Sums]  # (branch, checklist) → sums
    regions: dict[str, str]  # branch → region

    def grouped(self, level: str, checklist: str | None = None) -> dict[str, Sums]:
        result: dict[str, Sums] = {}
        for (branch, cell_checklist), sums in self.cells.items():
            if checklist is None or cell_checklist == checklist:
                result.setdefault(self.regions[branch] if level == "region" else branch, Sums()).add(sums)
        return result

    def standings(self, db: sqlite_utils.Database, level: str, *, stage: str | None = None, checklist: str | None = None) -> list[Standing]:
        grouped = self.grouped(level, checklist)
        names = _names(db, level, list(grouped))
        return ranked([sums.standing(key, names.get(key, {})) for key, sums in grouped.items()], stage)

    def overall(self) -> Standing:
        total = Sums()
        for sums in self.cells.values():
            total.add(sums)
        return total.standing("", {})

    def busiest(self) -> str | None:
        visits: dict[str, int] = {}
        for (_, checklist), sums in self.cells.items():
            visits[checklist] = visits.get(checklist, 0) + sums.visits
        return min(visits, key=lambda c: (-visits[c], c)) if visits else None


def summarize(db: sqlite_utils.Database, f: Filters) -> Summary:
    where, params = scope(f)
    cells, regions = {}, {}
    for row in db.execute(f"SELECT r.branch_id, r.checklist_id, r.region_id, {_SUMS} FROM {SCOPE} WHERE {where} GROUP BY 1, 2, 3", params):
        cells[(row[0], row[1])] = _sums(row[3:])
        regions[row[0]] = row[2]
    return Summary(cells, regions)


def standings(db: sqlite_utils.Database, f: Filters, level: str, *, branch: str | None = None, stage: str | None = None) -> list[Standing]:
    """Regions, branches, or the sites of one branch, in scope, ranked."""
    if level != "site":
        return summarize(db, f).standings(db, level, stage=stage)
    where, params = scope(f)
    if branch:
        where += " AND r.branch_id = ?"
        params.append(branch)
    rows = db.execute(f"SELECT r.site_id, {_SUMS} FROM {SCOPE} WHERE {where} GROUP BY 1", params).fetchall()
    names = _names(db, "site", [row[0] for row in rows])
    return ranked([_sums(row[1:]).standing(row[0], names.get(row[0], {})) for row in rows], stage)


def of_branch(db: sqlite_utils.Database, f: Filters, branch_id: str) -> tuple[Standing, str | None]:
    """One branch's figure in scope and the checklist most of its visits used."""
    where, params = scope(f)
    rows = db.execute(f"SELECT r.checklist_id, {_SUMS} FROM {SCOPE} WHERE {where} AND r.branch_id = ? GROUP BY 1", [*params, branch_id]).fetchall()
    total = Sums()
    for row in rows:
        total.add(_sums(row[1:]))
    busiest = min(rows, key=lambda row: (-row[1], row[0]))[0] if rows else None
    return total.standing(branch_id, {}), busiest


def overall(db: sqlite_utils.Database, f: Filters) -> Standing:
    """The whole scope as one group: the chain's (or the region's) figure under the same rule."""
    return summarize(db, f).overall()


def empty() -> Standing:
    """The figure of a scope without released visits."""
    return Sums().standing("", {})


def trend(
    db: sqlite_utils.Database, f: Filters, level: str, ids: list[str], *, stage: str | None = None
) -> dict[str, list[tuple[str, Figure]]]:
    """Each group's mean per month of the period (a month without a scored visit has mean None),
    of the visit scores or of one stage's."""
    if not ids:
        return {}
    group = LEVELS[level]
    column = f"r.{STAGE_COLUMNS[stage]}" if stage else "r.score"
    where, params = scope(f)
    marks = ", ".join("?" for _ in ids)
    found: dict[tuple[str, str], Figure] = {}
    for key, month, mean, n in db.execute(
        f"SELECT {group}, substr(r.day, 1, 7), avg({column}), count({column}) FROM {SCOPE} WHERE {where} AND {group} IN ({marks}) "
        "GROUP BY 1, 2",
        [*params, *ids],
    ):
        found[(key, month)] = Figure(mean, n)
    return {key: [(month, found.get((key, month), Figure(None, 0))) for month in f.months()] for key in ids}


def busiest_checklist(db: sqlite_utils.Database, f: Filters) -> str | None:
    """The filter's checklist, or the one with most released visits in scope: items are compared
    within one checklist, since another checklist's items are other details."""
    return f.checklist or summarize(db, f).busiest()


def failing_items(db: sqlite_utils.Database, f: Filters, checklist_id: str, limit: int = 20) -> list[ItemFigure]:
    """The details that fail most often in scope (by failure rate among the visits that
    observed them, then by count), from the monthly tallies."""
    where, params = ["t.checklist_id = ?", "t.month >= ?", "t.month < ?"], [checklist_id, f.first_month, f.end.isoformat()[:7]]
    for column, value in (("t.region_id", f.region), ("t.site_type", f.site_type)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    rows = db.execute(
        "SELECT t.item_key, c.item_id, sum(t.observed), sum(t.failed), sum(t.critical_failed) FROM item_tallies t "
        f"JOIN checklist_items c ON c.key = t.item_key WHERE {' AND '.join(where)} GROUP BY t.item_key "
        "HAVING sum(t.failed) > 0 ORDER BY sum(t.failed) * 1.0 / sum(t.observed) DESC, sum(t.failed) DESC, c.item_id LIMIT ?",
        [*params, limit],
    )
    return [ItemFigure(*row) for row in rows]


def failure_grid(
    db: sqlite_utils.Database, f: Filters, checklist_id: str, branches: list[str], item_keys: list[int] | None = None
) -> dict[tuple[str, int], tuple[int, int]]:
    """(failed, observed) per branch and item (every item the branches' visits observed, when
    no keys are given), for the heatmap and a branch's own failing details."""
    if not branches or item_keys == []:
        return {}
    where, params = scope(f.narrowed(checklist=checklist_id))
    where += f" AND r.branch_id IN ({', '.join('?' for _ in branches)})"
    params += branches
    if item_keys is not None:
        where += f" AND i.item_key IN ({', '.join('?' for _ in item_keys)})"
        params += item_keys
    rows = db.execute(
        f"SELECT r.branch_id, i.item_key, sum(i.failed), count(*) FROM {SCOPE} JOIN released_items i ON i.visit_key = r.key "
        f"WHERE {where} GROUP BY 1, 2",
        params,
    )
    return {(branch, key): (failed, observed) for branch, key, failed, observed in rows}


def calibration(db: sqlite_utils.Database, f: Filters) -> list[Calibration]:
    """Each inspector's mean deviation from colleagues on the same sites and checklist: for each
    of their scored visits, its score minus the mean of the other inspectors' visits to that
    site in scope; visits to a site nobody else scored are not compared."""
    where, params = scope(f)
    groups = db.execute(
        f"SELECT r.site_id, r.checklist_id, r.inspector_id, total(r.score), count(*) FROM {SCOPE} WHERE {where} "
        "AND r.score IS NOT NULL AND r.inspector_id IS NOT NULL GROUP BY 1, 2, 3",
        params,
    ).fetchall()
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for site, checklist, _, total, count in groups:
        totals[(site, checklist)][0] += total
        totals[(site, checklist)][1] += count
    deviation_sums: dict[str, float] = defaultdict(float)
    compared: dict[str, int] = defaultdict(int)
    sites: dict[str, set[str]] = defaultdict(set)
    counted: dict[str, int] = defaultdict(int)
    for site, checklist, inspector, total, count in groups:
        counted[inspector] += count
        sites[inspector].add(site)
        everyone = totals[(site, checklist)]
        others = everyone[1] - count
        if others:  # the sum of this inspector's visits' deviations from the others' mean here
            deviation_sums[inspector] += total - count * (everyone[0] - total) / others
            compared[inspector] += count
    people = {row[0]: row[1] for row in db.execute("SELECT id, display_name FROM users")}
    result = [
        Calibration(
            inspector, people.get(inspector, inspector), counted[inspector], compared[inspector],
            deviation_sums[inspector] / compared[inspector] if compared[inspector] else None, len(sites[inspector]),
        )
        for inspector in counted
    ]
    return sorted(result, key=lambda c: (c.deviation is None, -abs(c.deviation or 0), c.name))


@dataclass(frozen=True)
class VisitLine:
    visit_uuid: str
    day: str
    checklist_id: str
    score: float | None
    critical_failures: int
    inspector: str


def item_ids(db: sqlite_utils.Database, keys: list[int]) -> dict[int, str]:
    marks = ", ".join("?" for _ in keys) or "NULL"
    return {row[0]: row[1] for row in db.execute(f"SELECT key, item_id FROM checklist_items WHERE key IN ({marks})", keys)}


def visits_of_site(db: sqlite_utils.Database, f: Filters, site_id: str) -> list[VisitLine]:
    where, params = scope(f)
    rows = db.execute(
        f"SELECT r.visit_uuid, r.day, r.checklist_id, r.score, r.critical_failures, coalesce(u.display_name, '') FROM {SCOPE} "
        f"LEFT JOIN users u ON u.id = r.inspector_id WHERE {where} AND r.site_id = ? ORDER BY r.day DESC, r.key DESC",
        [*params, site_id],
    )
    return [VisitLine(*row) for row in rows]
