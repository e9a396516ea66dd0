"""The tables of an export, streamed: visits, answers, scores and reviews for the visits some
Filters choose, and a README that names and explains every column.

Rows come a visit at a time from cursors and from look-ups of a few hundred visits at once,
never gathered in a list, so an export of a hundred thousand visits holds no more memory than
one of ten (peers' exports time out at a few thousand submissions). Every query runs inside
one read transaction (`snapshot`): the tables agree with each other while phones keep writing,
and in WAL mode the reader neither waits for the writers nor holds them up.

Answers are read from each visit's body, the source of truth, in the order of the pinned
checklist version; each item's score and fail come from `scoring.score_visit`, the pure
function that made the stored visit, stage and section scores, which are read as stored.
The README's words live in templates/export-readme.json, in the three languages, and are the
one source of column names and their meanings for every format.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlite_utils

from .db import now
from .filters import Filters
from .model import Checklist
from .pinned import pinned_checklist
from .scoring import score_visit
from .wording import TEMPLATES, pick

README: dict[str, Any] = json.loads((TEMPLATES / "export-readme.json").read_text(encoding="utf-8"))
TABLES = tuple(README["tables"])  # visits, answers, scores, reviews: the order of every format
README_COLUMNS = ("topic", "name", "text")
BATCH = 500  # visits looked up at once: few enough that a batch's bodies are a few MB
PROGRESS_EVERY = 100  # visits between two calls of the progress callback

Row = dict[str, Any]
Progress = Callable[[int, int], None]
"""Called with (done, total) as the tables are written: each table goes through the chosen
visits once, so both count visits over all the tables (total = visits × len(TABLES)). It
may raise to stop the export."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]  # in the order of `columns`


def columns(table: str) -> tuple[str, ...]:
    return tuple(README["tables"][table]["columns"])


@contextmanager
def snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction for the whole export: its first read fixes the store as it then
    was for every query after it. A long one keeps the WAL from being reset until it ends."""
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.conn.rollback()


_FROM = "visits v JOIN sites s ON s.id = v.site_id JOIN branches b ON b.id = s.branch_id"
_ORDER = "v.started_at, v.uuid"


def _chosen(filters: Filters) -> tuple[str, list[Any]]:
    """The visits the filters choose, as a condition on `_FROM`: dates are the visit's own
    local date (the first ten characters of started_at), as filters.py defines them."""
    where = ["substr(v.started_at, 1, 10) >= ?", "substr(v.started_at, 1, 10) < ?"]
    params: list[Any] = [filters.start.isoformat(), filters.end.isoformat()]
    for column, value in (("b.region_id", filters.region), ("s.site_type", filters.site_type), ("v.checklist_id", filters.checklist)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(where), params


@dataclass(frozen=True)
class _Place:
    """Where an item stands in its checklist version, in the export's language."""

    stage: str
    section_id: str
    section: str
    item_id: str
    item: str


class Export:
    """One export's tables; run it inside `snapshot(db)`."""

    def __init__(self, db: sqlite_utils.Database, filters: Filters, lang: str) -> None:
        self.db, self.filters, self.lang = db, filters, lang
        self._where, self._params = _chosen(filters)
        self._places: dict[str, list[_Place]] = {}

    def count(self) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {_FROM} WHERE {self._where}", self._params).fetchone()[0])

    def readme(self, visits: int) -> list[tuple[str, str, str]]:
        """What the export holds and what every column means, as (topic, name, text) rows."""
        lang, words = self.lang, README["export"]
        last = self.filters.end - timedelta(days=1)
        facts = {
            "made_at": now(),
            "period": f"{self.filters.period} ({self.filters.start.isoformat()} – {last.isoformat()})",
            "region": self.filters.region or words["all"][lang],
            "site_type": self.filters.site_type or words["all"][lang],
            "checklist": self.filters.checklist or words["all"][lang],
            "language": lang,
            "visits": str(visits),
        }
        rows = [("about", "", README["intro"][lang]), ("about", "formats", README["formats"][lang])]
        rows += [("export", key, f"{words[key][lang]}: {value}") for key, value in facts.items()]
        for table, described in README["tables"].items():
            rows.append((table, "", described["about"][lang]))
            rows += [(table, column, meaning[lang]) for column, meaning in described["columns"].items()]
        return rows

    def tables(self, visits: int, progress: Progress) -> Iterator[Table]:
        """The tables in order, each counting its visits into `progress` as it is read."""
        total = visits * len(TABLES)
        readers: dict[str, Callable[[], Iterator[Row]]] = {
            "visits": self._visits, "answers": self._answers, "scores": self._scores, "reviews": self._reviews,
        }
        for index, name in enumerate(TABLES):
            rows = readers[name]()
            yield Table(name, columns(name), _counted(rows, columns(name), index * visits, total, progress))

    def _batches(self) -> Iterator[list[str]]:
        """The chosen visits' ids in the export's order, a batch at a time."""
        cursor = self._cursor("v.uuid")
        while batch := cursor.fetchmany(BATCH):
            yield [row[0] for row in batch]

    def _lookup(self, sql: str, ids: list[str]) -> list[tuple[Any, ...]]:
        marks = ", ".join("?" for _ in ids)
        return self.db.execute(sql.format(marks=marks), ids).fetchall()

    def _names(self, table: str) -> dict[str, str]:
        """Ids to names in the export's language; organisations are small enough to hold."""
        return {row[0]: pick(json.loads(row[1]), self.lang, "zh-Hans") for row in self.db.execute(f"SELECT id, name FROM {table}")}

    def _checklist(self, content_hash: str) -> Checklist:
        checklist = pinned_checklist(self.db, content_hash)
        if checklist is None:
            raise LookupError(f"checklist version {content_hash} is not in this store")
        return checklist

    def _text(self, checklist: Checklist, text: dict[str, str] | None) -> str:
        return pick(text, self.lang, checklist.language)

    def _layout(self, content_hash: str) -> list[_Place]:
        """Every item of a checklist version in order, with its stage and section: worked out
        once per version, not once per visit."""
        if content_hash not in self._places:
            checklist = self._checklist(content_hash)
            self._places[content_hash] = [
                _Place(stage.key, section.id, self._text(checklist, section.title), item.id, self._text(checklist, item.text))
                for stage in checklist.stages
                for section in stage.sections
                for item in section.items
            ]
        return self._places[content_hash]

    def _cursor(self, select: str, joins: str = "", order: str = "") -> sqlite3.Cursor:
        """A query over the chosen visits, in the export's order."""
        return self.db.execute(f"SELECT {select} FROM {_FROM} {joins} WHERE {self._where} ORDER BY {_ORDER}{order}", self._params)

    def _rows(self, select: str, joins: str = "", order: str = "") -> Iterator[Row]:
        """A query's rows as dicts keyed by the columns' names (or aliases)."""
        cursor = self._cursor(select, joins, order)
        names = [column[0] for column in cursor.description]
        return (dict(zip(names, values)) for values in cursor)

    def _visits(self) -> Iterator[Row]:
        regions, branches, sites = self._names("regions"), self._names("branches"), self._names("sites")
        rows = self._rows(
            "v.uuid AS visit_uuid, v.started_at, v.ended_at, b.region_id, s.branch_id, v.site_id, s.site_type, v.checklist_id, "
            "v.checklist_hash, u.username AS inspector_username, u.display_name AS inspector_name, v.state, v.version, "
            "v.received_at, v.updated_at, sc.score, sc.uncapped AS uncapped_score, sc.band, sc.failures, sc.critical_failures",
            "LEFT JOIN users u ON u.id = v.inspector_id LEFT JOIN visit_scores sc ON sc.visit_uuid = v.uuid",
        )
        for row in rows:
            checklist = self._checklist(row["checklist_hash"])
            band = next((b.label for b in checklist.bands if b.id == row["band"]), None)
            row.update(
                region=regions.get(row["region_id"], ""), branch=branches.get(row["branch_id"], ""), site=sites.get(row["site_id"], ""),
                checklist=self._text(checklist, checklist.title), band_name=self._text(checklist, band) if band else None,
            )
            yield row

    def _answers(self) -> Iterator[Row]:
        for ids in self._batches():
            bodies = {row[0]: row[1:] for row in self._lookup("SELECT uuid, checklist_hash, body FROM visits WHERE uuid IN ({marks})", ids)}
            for uuid in ids:
                content_hash, body = bodies[uuid]
                visit = json.loads(body)
                given: dict[str, dict[str, Any]] = visit.get("answers", {})
                result = score_visit(self._checklist(content_hash), given, visit.get("started_at"))
                outcomes, critical = result.items(), set(result.critical_failures)
                for place in self._layout(content_hash):
                    answer = given.get(place.item_id)
                    if answer is None:
                        continue
                    outcome = outcomes.get(place.item_id)  # None: hidden by its `when` condition
                    yield {
                        "visit_uuid": uuid, "stage": place.stage, "section_id": place.section_id, "section": place.section,
                        "item_id": place.item_id, "item": place.item, "value": answer.get("value"), "na": bool(answer.get("na")),
                        "note": answer.get("note") or "", "answered_at": answer.get("answered_at"),
                        "score": outcome.score if outcome else None, "failed": outcome.failed if outcome else False,
                        "critical": place.item_id in critical,
                    }

    def _scores(self) -> Iterator[Row]:
        for ids in self._batches():
            hashes = dict(self._lookup("SELECT uuid, checklist_hash FROM visits WHERE uuid IN ({marks})", ids))
            stages = {(u, k): s for u, k, s in self._lookup("SELECT visit_uuid, stage, score FROM stage_scores WHERE visit_uuid IN ({marks})", ids)}
            sections = {
                (u, k): (s, f)
                for u, k, s, f in self._lookup("SELECT visit_uuid, section_id, score, failures FROM section_scores WHERE visit_uuid IN ({marks})", ids)
            }
            for uuid in ids:
                checklist = self._checklist(hashes[uuid])
                for stage in checklist.stages:
                    yield {"visit_uuid": uuid, "stage": stage.key, "section_id": "", "section": "", "score": stages.get((uuid, stage.key)), "failures": None}
                    for section in stage.sections:
                        score, failures = sections.get((uuid, section.id), (None, None))
                        yield {
                            "visit_uuid": uuid, "stage": stage.key, "section_id": section.id, "section": self._text(checklist, section.title),
                            "score": score, "failures": failures,
                        }

    def _reviews(self) -> Iterator[Row]:
        return self._rows(
            "v.uuid AS visit_uuid, e.version, e.at, e.action, u.username AS actor_username, u.display_name AS actor_name, e.comment",
            "JOIN review_events e ON e.visit_uuid = v.uuid LEFT JOIN users u ON u.id = e.actor_id",
            ", e.id",
        )


def _counted(rows: Iterator[Row], names: tuple[str, ...], done: int, total: int, progress: Progress) -> Iterator[tuple[Any, ...]]:
    """The rows as tuples in column order, telling `progress` how many visits are done: every
    table's rows come visit by visit in the same order, so a new visit_uuid is one more done.
    At the end the table's visits are all done, those without rows (no reviews) included."""
    last, start = None, done
    for row in rows:
        if row["visit_uuid"] != last:
            last = row["visit_uuid"]
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress(done, total)
        yield tuple(row[name] for name in names)
    per_table = total // len(TABLES)
    progress(start + per_table, total)
