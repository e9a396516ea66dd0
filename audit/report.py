"""A visit's report, assembled from the store in the reader's language.

One `Report` record feeds both the web page and the PDF (one set of templates, in
templates/), and its hash keys the PDF cache: everything the report shows is in the record,
so a change to any of it (a late visit that moves the branch's rank, a new photo, a new
template) makes a new PDF, and nothing else does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from . import answers
from .model import Checklist, Item
from .scoring import VisitScore, score_visit
from .sync import pinned_checklist
from .visits import parse_time

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("zh-Hans", "zh-Hant", "en")
_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant"}
TEXT: dict[str, dict[str, str]] = json.loads((TEMPLATES / "report-text.json").read_text(encoding="utf-8"))
TREND_POINTS = 12
STANDING_ROWS = 12


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Photo:
    uuid: str
    sha256: str
    caption: str
    taken: str


@dataclass(frozen=True)
class Finding:
    """A failed item, in full: what was checked, what was found, the evidence, how to pass."""

    item_id: str
    where: str
    text: str
    guidance: str
    answer: str
    expected: str
    weight: float
    cap: float | None
    note: str
    photos: tuple[Photo, ...]


@dataclass(frozen=True)
class SectionPart:
    """A section's score, and its items that did not fail, compact: one phrase each."""

    title: str
    score: float | None
    failed: int
    passed: tuple[str, ...]
    na: tuple[str, ...]
    recorded: tuple[str, ...]
    unanswered: tuple[str, ...]


@dataclass(frozen=True)
class StagePart:
    key: str
    label: str
    score: float | None
    sections: tuple[SectionPart, ...]


@dataclass(frozen=True)
class Wait:
    text: str
    measured: str
    limit: str
    passed: bool


@dataclass(frozen=True)
class TrendPoint:
    date: str
    short: str
    score: float | None
    current: bool


@dataclass(frozen=True)
class Standing:
    region: str
    rank: int | None
    of: int
    rows: tuple[tuple[int | None, str, float | None, bool], ...]  # rank, branch, score, is this branch


@dataclass(frozen=True)
class Report:
    lang: str
    visit_uuid: str
    site: str
    branch: str
    branch_id: str
    region: str
    date: str
    times: str
    iso_date: str
    checklist_id: str
    checklist: str
    version: str
    score: float | None
    uncapped: float | None
    band: str
    band_tone: str  # "good" | "mid" | "bad"
    stages: tuple[StagePart, ...]
    critical: tuple[Finding, ...]
    failures: tuple[Finding, ...]
    waits: tuple[Wait, ...]
    other_photos: tuple[Photo, ...]
    narrative: str
    trend: tuple[TrendPoint, ...]
    standing: Standing
    counts: dict[str, int]

    def photo_ids(self) -> list[str]:
        found = [p.uuid for f in self.critical + self.failures for p in f.photos]
        return found + [p.uuid for p in self.other_photos]

    def digest(self, *extra: str) -> str:
        """Hash of everything shown, plus what else shapes the output (templates, branding)."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(canonical.encode("utf-8"))
        for part in extra:
            digest.update(b"\0" + part.encode("utf-8"))
        return digest.hexdigest()


def known_language(requested: str | None) -> str | None:
    """One of LANGUAGES for a code like zh-Hant, zh_hant or zh-TW; None if the report does not speak it."""
    if not requested:
        return None
    wanted = requested.strip().replace("_", "-").lower()
    return next((lang for lang in LANGUAGES if lang.lower() == wanted), None) or _ALIASES.get(wanted)


def language(requested: str | None, default: str) -> str:
    """The reader's language if the report speaks it, else the checklist's default."""
    return known_language(requested) or (default if default in LANGUAGES else "en")


def pick(text: dict[str, str] | None, lang: str, default: str) -> str:
    if not text:
        return ""
    return text.get(lang) or text.get(default) or next(iter(text.values()))


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def duration(seconds: float, t: dict[str, str]) -> str:
    whole = int(round(seconds))
    minutes, secs = divmod(whole, 60)
    if minutes == 0:
        return t["secs"].format(s=secs)
    if secs == 0:
        return t["mins"].format(m=minutes)
    return t["mins_secs"].format(m=minutes, s=f"{secs:02d}")


def _join(values: list[str], t: dict[str, str]) -> str:
    return t["list_sep"].join(values)


class _Words:
    """Turns answers and pass rules into the reader's words."""

    def __init__(self, lang: str, default: str) -> None:
        self.lang, self.default, self.t = lang, default, TEXT[lang]

    def text(self, value: dict[str, str] | None) -> str:
        return pick(value, self.lang, self.default)

    def answer(self, item: Item, answer: dict[str, Any] | None, photos: int) -> str:
        t = self.t
        if item.type == "photo":
            return t["photos_n"].format(n=photos) if photos else (t["na"] if answer and answer.get("na") else t["unanswered"])
        if not answers.answered(item, answer):
            return t["unanswered"]
        assert answer is not None
        if answer.get("na"):
            return t["na"]
        value = answer["value"]
        if item.type == "yes_no":
            return t["yes"] if value == "yes" else t["no"]
        if item.type == "scale":
            label = self.text(item.labels.get(str(value)) or item.labels.get(value))  # type: ignore[call-overload]
            shown = f"{value} / {_number(item.max or 0)}"
            return shown + t["aside"].format(label) if label else shown
        if item.type in ("choice", "multi_choice"):
            labels = {choice.id: self.text(choice.label) for choice in item.choices}
            chosen = value if isinstance(value, list) else [value]
            return _join([labels.get(v, str(v)) for v in chosen], t)
        if item.type == "number":
            unit = self.text(item.unit)
            return f"{_number(value)} {unit}".strip()
        if item.type == "timer":
            return duration(value, t)
        if item.type == "timestamp":
            parsed = parse_time(value)
            return parsed.strftime("%H:%M") if parsed else str(value)
        return str(value)

    def expected(self, item: Item) -> str:
        t = self.t
        if item.type in ("number", "timer"):
            show = (lambda v: duration(v, t)) if item.type == "timer" else (lambda v: f"{_number(v)} {self.text(item.unit)}".strip())
            if item.pass_min is not None and item.pass_max is not None:
                return t["between"].format(a=show(item.pass_min), b=show(item.pass_max))
            if item.pass_max is not None:
                return t["at_most"].format(a=show(item.pass_max))
            if item.pass_min is not None:
                return t["at_least"].format(a=show(item.pass_min))
            return ""
        if item.type == "yes_no":
            return t["yes"]
        if item.type == "scale" and item.min is not None and item.max is not None:
            need = item.min + (item.pass_score or 0.5) * (item.max - item.min)
            return t["at_least"].format(a=_number(need))
        if item.type in ("choice", "multi_choice"):
            good = [self.text(c.label) for c in item.choices if c.score >= (item.pass_score or 0.5) and not c.exclusive]
            return _join(good, t) if item.type == "choice" else ""
        return ""


def _local(value: str | None) -> datetime | None:
    return parse_time(value) if value else None


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date(moment: datetime, lang: str, key: str = "date") -> str:
    return TEXT[lang][key].format(y=moment.year, m=moment.month, d=moment.day, mon=MONTHS[moment.month - 1])


def _times(start: datetime, end: datetime | None, t: dict[str, str]) -> str:
    span = start.strftime("%H:%M") + (f"–{end.strftime('%H:%M')}" if end else "")
    offset = start.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
    minutes = f" ({t['minutes'].format(n=round((end - start).total_seconds() / 60))})" if end else ""
    return f"{span}{minutes} {zone}".strip()


def band_tone(checklist: Checklist, band: str | None) -> str:
    ids = [b.id for b in checklist.bands]
    if band not in ids:
        return "mid"
    index = ids.index(band)
    return "bad" if index == len(ids) - 1 else "good" if index == 0 else "mid"


def _photos(db: sqlite_utils.Database, visit_uuid: str) -> dict[str, list[dict[str, Any]]]:
    by_item: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(
        "SELECT uuid, item_id, taken_at, sha256 FROM photos WHERE visit_uuid = ? AND thumb IS NOT NULL ORDER BY taken_at, uuid",
        [visit_uuid],
    ):
        by_item.setdefault(row["item_id"], []).append(row)
    return by_item


def _photo(row: dict[str, Any], caption: str) -> Photo:
    taken = _local(row["taken_at"])
    return Photo(row["uuid"], row["sha256"], caption, taken.strftime("%H:%M") if taken else "")


def _history(db: sqlite_utils.Database, checklist_id: str, where: str, args: list[Any]) -> list[dict[str, Any]]:
    """Scored visits on the checklist, each with its branch and parsed start."""
    rows = []
    for row in db.query(
        "SELECT v.uuid, v.started_at, sites.branch_id, s.score FROM visits v "
        "JOIN sites ON sites.id = v.site_id JOIN branches b ON b.id = sites.branch_id "
        f"LEFT JOIN visit_scores s ON s.visit_uuid = v.uuid WHERE v.checklist_id = ? AND {where}",
        [checklist_id, *args],
    ):
        started = _local(row["started_at"])
        if started is not None:
            rows.append({**row, "started": started})
    rows.sort(key=lambda r: (r["started"], r["uuid"]))
    return rows


def _upto(rows: list[dict[str, Any]], visit_uuid: str, started: datetime) -> list[dict[str, Any]]:
    """Visits up to this one: the report of a visit never changes because later ones arrive."""
    return [r for r in rows if r["uuid"] == visit_uuid or r["started"] < started or (r["started"] == started and r["uuid"] < visit_uuid)]


def _trend(rows: list[dict[str, Any]], visit_uuid: str, lang: str) -> tuple[TrendPoint, ...]:
    return tuple(TrendPoint(_date(r["started"], lang), _date(r["started"], lang, "short_date"), r["score"], r["uuid"] == visit_uuid) for r in rows[-TREND_POINTS:])


def _standing(
    db: sqlite_utils.Database, rows: list[dict[str, Any]], branch_id: str, region: str, lang: str, default: str
) -> Standing:
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["branch_id"]] = row
    names = {
        r["id"]: pick(json.loads(r["name"]), lang, default)
        for r in db.query("SELECT id, name FROM branches WHERE region_id = (SELECT region_id FROM branches WHERE id = ?)", [branch_id])
    }
    ranked = sorted(latest.values(), key=lambda r: (-(r["score"] if r["score"] is not None else -1), names.get(r["branch_id"], "")))
    table: list[tuple[int | None, str, float | None, bool]] = []
    rank = 0
    previous: float | None = None
    for index, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            rank, previous = index, row["score"]
        table.append((rank if row["score"] is not None else None, names.get(row["branch_id"], row["branch_id"]), row["score"], row["branch_id"] == branch_id))
    mine = next((r[0] for r in table if r[3]), None)
    if len(table) > STANDING_ROWS:
        table = table[: STANDING_ROWS - 2] + [r for r in table[STANDING_ROWS - 2 :] if r[3]]
    return Standing(region, mine, sum(1 for r in ranked if r["score"] is not None), tuple(table))


def latest_visit(db: sqlite_utils.Database) -> str | None:
    row = next(db.query("SELECT uuid FROM visits ORDER BY julianday(started_at) DESC, uuid DESC LIMIT 1"), None)
    return row["uuid"] if row else None


def find_visit(db: sqlite_utils.Database, ident: str) -> str | None:
    """A visit by its UUID or a unique prefix of it (at least 8 characters)."""
    if len(ident) < 8:
        return None
    found = [row["uuid"] for row in db.query("SELECT uuid FROM visits WHERE uuid LIKE ? LIMIT 2", [ident.lower() + "%"])]
    return found[0] if len(found) == 1 else None


def build(db: sqlite_utils.Database, visit_uuid: str, requested_lang: str | None = None) -> Report:
    """The report of one stored visit, in the requested language (or the checklist's default)."""
    visit = next(db.query("SELECT * FROM visits WHERE uuid = ?", [visit_uuid]), None)
    if visit is None:
        raise NotFound(visit_uuid)
    checklist = pinned_checklist(db, visit["checklist_hash"])
    if checklist is None:
        raise NotFound(f"checklist version {visit['checklist_hash']}")
    lang = language(requested_lang, checklist.language)
    words = _Words(lang, checklist.language)
    t = words.t
    body = json.loads(visit["body"])
    given: dict[str, dict[str, Any]] = body.get("answers", {})
    result: VisitScore = score_visit(checklist, given)
    results = result.items()
    site = next(db.query("SELECT * FROM sites WHERE id = ?", [visit["site_id"]]))
    branch = next(db.query("SELECT * FROM branches WHERE id = ?", [site["branch_id"]]))
    region = next(db.query("SELECT * FROM regions WHERE id = ?", [branch["region_id"]]))
    photo_rows = _photos(db, visit_uuid)
    started = _local(visit["started_at"])
    assert started is not None
    ended = _local(visit["ended_at"])

    def photos_of(item: Item) -> tuple[Photo, ...]:
        caption = words.text(item.text)
        return tuple(_photo(row, caption) for row in photo_rows.get(item.id, []))

    critical: list[Finding] = []
    failures: list[Finding] = []
    waits: list[Wait] = []
    other_photos: list[Photo] = []
    stages: list[StagePart] = []
    for stage_score, stage in zip(result.stages, checklist.stages):
        stage_label = t[f"stage_{stage.key}"]
        sections: list[SectionPart] = []
        for section_score, section in zip(stage_score.sections, stage.sections):
            title = words.text(section.title)
            groups: dict[str, list[str]] = {"passed": [], "na": [], "recorded": [], "unanswered": []}
            for item in section.items:
                outcome = results.get(item.id)
                if outcome is None:
                    continue  # hidden by its `when` condition
                answer = given.get(item.id)
                count = len(photo_rows.get(item.id, []))
                shown = words.answer(item, answer, count)
                note = (answer or {}).get("note") or ""
                if item.type == "timer" and answers.answered(item, answer) and not outcome.na:
                    waits.append(Wait(words.text(item.text), shown, words.expected(item), not outcome.failed))
                if outcome.failed:
                    finding = Finding(
                        item.id, f"{stage_label} · {title}", words.text(item.text), words.text(item.guidance), shown,
                        words.expected(item), item.weight, item.critical_cap, note, photos_of(item),
                    )
                    (critical if item.id in result.critical_failures else failures).append(finding)
                    continue
                other_photos.extend(photos_of(item))
                phrase = words.text(item.text)
                detail = [part for part in (shown if item.type != "yes_no" else "", note) if part]
                if detail:
                    phrase += t["aside"].format(" — ".join(detail))
                group = "na" if outcome.na else "passed" if outcome.score is not None else "unanswered" if shown == t["unanswered"] else "recorded"
                groups[group].append(phrase)
            sections.append(
                SectionPart(
                    title, section_score.score, section_score.failed,
                    *(tuple(groups[key]) for key in ("passed", "na", "recorded", "unanswered")),
                )
            )
        stages.append(StagePart(stage.key, stage_label, stage_score.score, tuple(sections)))
    history = _history(db, checklist.id, "b.region_id = ?", [branch["region_id"]])
    upto = _upto(history, visit_uuid, started)
    region_name = pick(json.loads(region["name"]), lang, checklist.language)
    band = next((b for b in checklist.bands if b.id == result.band), None)
    scored = [r for r in results.values() if r.score is not None]
    return Report(
        lang=lang,
        visit_uuid=visit_uuid,
        site=pick(json.loads(site["name"]), lang, checklist.language),
        branch=pick(json.loads(branch["name"]), lang, checklist.language),
        branch_id=branch["id"],
        region=region_name,
        date=_date(started, lang),
        times=_times(started, ended, t),
        iso_date=started.date().isoformat(),
        checklist_id=checklist.id,
        checklist=words.text(checklist.title),
        version=visit["checklist_hash"][:12],
        score=result.score,
        uncapped=result.uncapped,
        band=words.text(band.label) if band else "",
        band_tone=band_tone(checklist, result.band),
        stages=tuple(stages),
        critical=tuple(critical),
        failures=tuple(failures),
        waits=tuple(waits),
        other_photos=tuple(other_photos),
        narrative=(visit["narrative"] or "").strip(),
        trend=_trend([r for r in upto if r["branch_id"] == branch["id"]], visit_uuid, lang),
        standing=_standing(db, upto, branch["id"], region_name, lang, checklist.language),
        counts={
            "scored": len(scored),
            "passed": sum(1 for r in scored if not r.failed),
            "failed": len(result.failures),
            "critical": len(result.critical_failures),
            "na": sum(1 for r in results.values() if r.na),
            "photos": sum(len(rows) for rows in photo_rows.values()),
        },
    )
