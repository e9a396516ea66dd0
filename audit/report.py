"""A visit's report, assembled from the store in the reader's language.

One `Report` record feeds both the web page and the PDF (one set of templates, in
templates/), and its hash keys the PDF cache: everything the report shows is in the record,
so a change to any of it (a late visit that moves the branch's rank, a new photo, a new
template) makes a new PDF, and nothing else does.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

import sqlite_utils

from . import charts, findings, review
from .model import Checklist, Item, Section
from .pinned import latest_checklist, pinned_checklist
from .scoring import SectionScore, VisitScore, score_visit
from .visits import parse_time
from .wording import DISPLAY_ZONE, Words, language, span

TREND_POINTS = 12
STANDING_ROWS = 12
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")


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
    """A failed item, in full: the standard, what was found, the evidence, how to put it right.
    Never the item's guidance: that is the inspector's method, which the store must not learn."""

    item_id: str
    where: str
    text: str
    fix: str
    answer: str
    expected: str
    cap: float | None
    note: str
    photos: tuple[Photo, ...]
    note_lang: str = ""  # the note's language when it is not the reader's ...
    note_label: str = ""  # ... and then "inspector's note, in their words (Chinese)", else "inspector's note"
    voided: bool = False  # the store's dispute of it was accepted: the adjusted score leaves it out
    credit: float | None = None  # the share of its weight a failed answer still earned (a half-way choice, a graded limit)


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
class FindingLine:
    """A finding of the branch not yet closed, as the report lists it."""

    text: str
    site: str
    state: str
    due: str
    overdue: bool


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
    checklist: str
    version: str  # the day the checklist version came into use, in the reader's words
    inspector: str  # the pseudonym: the store never learns who the shopper was
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
    trend_chart: str  # the trend as SVG (a score axis, the pass line, the visits' dates); "" for a first visit
    standing: Standing
    counts: dict[str, int]
    adjusted: float | None = None  # the score after accepted disputes, when one changed it
    findings: tuple[FindingLine, ...] = ()
    narrative_lang: str = ""  # as Finding.note_lang and note_label; no label in the report's language
    narrative_label: str = ""

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


def band_tone(checklist: Checklist, band: str | None) -> str:
    """Colour of the band: the first band is good, the last bad, any between middling."""
    ids = [b.id for b in checklist.bands]
    if band not in ids:
        return "mid"
    return "good" if ids.index(band) == 0 else "bad" if ids.index(band) == len(ids) - 1 else "mid"


def written_in(text: str) -> str:
    """The language a note is written in as far as its script tells: "zh" with any Han
    character, "en" with Latin letters only, "" with neither. Phones send no language with a
    note, and the script is what a reader sees."""
    return "zh" if HAN.search(text) else "en" if LATIN.search(text) else ""


def their_words(t: dict[str, str], lang: str, text: str) -> tuple[str, str]:
    """(language, label) of the inspector's own words written in another language than the
    report's, so that nobody takes them for a translation; ("", "") in the report's language."""
    written = written_in(text)
    if not written or written == lang.split("-")[0]:
        return "", ""
    return written, t["their_words"].format(lang=t[f"lang_{written}"])


def pass_line(checklist: Checklist) -> float | None:
    """The lowest score that is not in the last (failing) band; None without bands to pass."""
    return checklist.bands[-2].min if len(checklist.bands) > 1 else None


def _trend_chart(points: list[TrendPoint], branch: str, checklist: Checklist, t: dict[str, str], lang: str) -> str:
    """The branch's scores as HQ's trend chart draws them (score axis 0-100, pass line), one
    point a visit, dated; a second visit on one day keeps its own place."""
    labels: list[str] = []
    for i, point in enumerate(points):
        labels.append(f"{point.short} ({i + 1})" if point.short in labels else point.short)
    series = charts.Series(branch, [(label, p.score, 1) for label, p in zip(labels, points)])
    return charts.trend([series], labels, pass_line=pass_line(checklist), labels={"title": t["trend"], "n": t["trend_n"], "pass": t["trend_pass"]}, lang=lang)


def _version_day(db: sqlite_utils.Database, content_hash: str, words: Words) -> str:
    """The day the checklist version came into use: first served, or its first visit's day for a
    version whose visits came in before it was served here (imported history, the demo)."""
    row = db.execute(
        "SELECT first_served_at, (SELECT started_at FROM visits WHERE checklist_hash = ? ORDER BY julianday(started_at) LIMIT 1) "
        "FROM checklist_versions WHERE hash = ?",
        [content_hash, content_hash],
    ).fetchone()
    return words.date(min(m for m in map(parse_time, row) if m is not None).astimezone(DISPLAY_ZONE))


def _history(db: sqlite_utils.Database, checklist_id: str, region_id: str, visit_uuid: str) -> list[dict[str, Any]]:
    """The region's released visits on the checklist (and this one), oldest first, each with
    its branch and stored score (after accepted disputes, as HQ counts it): a visit nobody has
    reviewed moves no branch's rank."""
    rows = []
    for row in db.query(
        "SELECT v.uuid, v.started_at, sites.branch_id, coalesce(s.adjusted, s.score) AS score FROM visits v JOIN sites ON sites.id = v.site_id "
        "JOIN branches b ON b.id = sites.branch_id LEFT JOIN visit_scores s ON s.visit_uuid = v.uuid "
        "WHERE v.checklist_id = ? AND b.region_id = ? AND (v.state = 'released' OR v.uuid = ?)",
        [checklist_id, region_id, visit_uuid],
    ):
        started = parse_time(row["started_at"])
        if started is not None:
            rows.append({**row, "started": started})
    return sorted(rows, key=lambda r: (r["started"], r["uuid"]))


def _upto(rows: list[dict[str, Any]], visit_uuid: str, started: datetime) -> list[dict[str, Any]]:
    """Visits up to this one: a visit's report never changes because later visits arrive."""
    return [r for r in rows if r["uuid"] == visit_uuid or (r["started"], r["uuid"]) < (started, visit_uuid)]


def _standing(names: dict[str, str], rows: list[dict[str, Any]], branch_id: str, region: str) -> Standing:
    """The branches of the region ranked by their latest score (ties share a rank)."""
    latest = {row["branch_id"]: row for row in rows}
    ranked = sorted(latest.values(), key=lambda r: (r["score"] is None, -(r["score"] or 0), names.get(r["branch_id"], "")))
    table: list[tuple[int | None, str, float | None, bool]] = []
    rank, previous = 0, None
    for index, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            rank, previous = index, row["score"]
        name = names.get(row["branch_id"], row["branch_id"])
        table.append((rank if row["score"] is not None else None, name, row["score"], row["branch_id"] == branch_id))
    own = next((row[0] for row in table if row[3]), None)
    if len(table) > STANDING_ROWS:
        table = table[: STANDING_ROWS - 2] + [row for row in table[STANDING_ROWS - 2 :] if row[3]]
    return Standing(region, own, sum(1 for r in ranked if r["score"] is not None), tuple(table))


def latest_visit(db: sqlite_utils.Database) -> str | None:
    row = next(db.query("SELECT uuid FROM visits ORDER BY julianday(started_at) DESC, uuid DESC LIMIT 1"), None)
    return row["uuid"] if row else None


def find_visit(db: sqlite_utils.Database, ident: str) -> str | None:
    """A visit by its UUID or a unique prefix of it (at least 8 characters)."""
    if len(ident) < 8:
        return None
    found = [row["uuid"] for row in db.query("SELECT uuid FROM visits WHERE uuid LIKE ? LIMIT 2", [ident.lower() + "%"])]
    return found[0] if len(found) == 1 else None


def _one(db: sqlite_utils.Database, table: str, key: str) -> dict[str, Any]:
    return next(db.query(f"SELECT * FROM {table} WHERE {'uuid' if table == 'visits' else 'id'} = ?", [key]), {})


@dataclass
class _Items:
    """The visit's items sorted into what the report shows: failures in full, the rest compact."""

    words: Words
    given: dict[str, dict[str, Any]]
    photos: dict[str, list[dict[str, Any]]]
    hidden: list[str]  # terms a reviewer hid from the store's reading of the notes
    critical: list[Finding] = field(default_factory=list)
    failures: list[Finding] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    other_photos: list[Photo] = field(default_factory=list)

    def photos_of(self, item: Item) -> tuple[Photo, ...]:
        caption = self.words.text(item.text)
        return tuple(
            Photo(row["uuid"], row["sha256"], caption, taken.strftime("%H:%M") if (taken := parse_time(row["taken_at"])) else "")
            for row in self.photos.get(item.id, [])
        )

    def label(self, item: Item) -> str:
        """The item's text, led by the day of the case it is due on, when it has one."""
        text = self.words.text(item.text)
        return text if item.day is None else self.words.t["on_day"].format(n=item.day, text=text)

    def section(self, where: str, section: Section, score: SectionScore, result: VisitScore) -> SectionPart:
        t, results = self.words.t, {r.item_id: r for r in score.items}
        groups: dict[str, list[str]] = {"passed": [], "na": [], "recorded": [], "unanswered": []}
        for item in section.items:
            outcome = results.get(item.id)
            if outcome is None:
                continue  # hidden by its `when` condition
            answer = self.given.get(item.id)
            shown = self.words.answer(item, answer, len(self.photos.get(item.id, [])))
            note = review.hide((answer or {}).get("note") or "", self.hidden)
            note_lang, note_label = their_words(t, self.words.lang, note)
            text = self.label(item)
            # a recorded time has no limit to be measured against: it is listed as recorded, below
            if item.type == "timer" and not item.recorded and shown not in (t["unanswered"], t["na"]):
                self.waits.append(Wait(text, shown, self.words.expected(item), not outcome.failed))
            if outcome.failed:
                finding = Finding(
                    item.id, where, text, self.words.text(item.fix), shown, self.words.expected(item),
                    item.critical_cap, note, self.photos_of(item), note_lang=note_lang, note_label=note_label or t["note"],
                    credit=outcome.score if outcome.score else None,
                )
                (self.critical if item.id in result.critical_failures else self.failures).append(finding)
                continue
            self.other_photos.extend(self.photos_of(item))
            said = f"{note_label}{t['label_sep']}{note}" if note_label else note
            # a passed yes/no says no more than its text; a recorded one says what was recorded
            detail = " — ".join(part for part in (shown if item.type != "yes_no" or item.recorded else "", said) if part)
            group = "na" if outcome.na else "passed" if outcome.score is not None else "recorded"
            group = "unanswered" if group == "recorded" and shown == t["unanswered"] else group
            groups[group].append(text + t["aside"].format(detail) if detail else text)
        return SectionPart(self.words.text(section.title), score.score, score.failed, *(tuple(g) for g in groups.values()))


def photo(db: sqlite_utils.Database, visit_uuid: str, photo_uuid: str) -> bytes | None:
    """A photo of the visit as stored at upload (upright, at most 1600 px, without EXIF), for
    the report's reader who opens a thumbnail; None when the visit has no such photo."""
    row = db.execute("SELECT data FROM photos WHERE visit_uuid = ? AND uuid = ?", [visit_uuid, photo_uuid]).fetchone()
    return row[0] if row and row[0] else None


def _pseudonym(db: sqlite_utils.Database, inspector_id: str | None) -> str:
    row = db.execute("SELECT pseudonym FROM users WHERE id = ?", [inspector_id]).fetchone() if inspector_id else None
    return row[0] if row else "—"


def _marked(db: sqlite_utils.Database, visit_uuid: str, failed: list[Finding]) -> tuple[Finding, ...]:
    """The failed items, those voided by an accepted dispute marked so."""
    voided = {row[0] for row in db.execute("SELECT item_id FROM voided_items WHERE visit_uuid = ?", [visit_uuid])}
    return tuple(replace(f, voided=True) if f.item_id in voided else f for f in failed)


def _findings(db: sqlite_utils.Database, branch_id: str, words: Words, today: date) -> tuple[FindingLine, ...]:
    """The branch's findings not yet closed, overdue first: what the store still owes."""
    sites = {row[0]: words.text(json.loads(row[1])) for row in db.execute("SELECT id, name FROM sites WHERE branch_id = ?", [branch_id])}
    lines = []
    for f in findings.of_branches(db, [branch_id], findings.ACTIVE):
        checklist = latest_checklist(db, f.checklist_id)
        item = next((i for i in checklist.items() if i.id == f.item_id), None) if checklist else None
        lines.append(FindingLine(words.text(item.text) if item else f.item_id, sites.get(f.site_id, f.site_id), words.t[f"finding_{f.state}"], f.due_on, f.overdue(today)))
    return tuple(sorted(lines, key=lambda line: (not line.overdue, line.due)))


def build(db: sqlite_utils.Database, visit_uuid: str, requested_lang: str | None = None, *, audience: str = "store") -> Report:
    """The report of one stored visit, in the requested language (or the checklist's default).
    For the store (every report page and PDF) the reviewer's hidden terms are hidden; "staff"
    (the reviewer's screen) reads the notes as written. The inspector is always the pseudonym."""
    visit = _one(db, "visits", visit_uuid)
    checklist = pinned_checklist(db, visit["checklist_hash"]) if visit else None
    if checklist is None:
        raise NotFound(visit_uuid)
    lang = language(requested_lang, checklist.language)
    words = Words(lang, checklist.language)
    body = json.loads(visit["body"])
    given: dict[str, dict[str, Any]] = body.get("answers", {})
    result = score_visit(checklist, given, body.get("started_at"))
    site = _one(db, "sites", visit["site_id"])
    branch = _one(db, "branches", site["branch_id"])
    region = _one(db, "regions", branch["region_id"])
    photos: dict[str, list[dict[str, Any]]] = {}
    declared = {p["uuid"] for p in body.get("photos", [])}  # a corrected version may have dropped some
    query = "SELECT uuid, item_id, taken_at, sha256 FROM photos WHERE visit_uuid = ? AND thumb IS NOT NULL ORDER BY taken_at, uuid"
    for row in db.query(query, [visit_uuid]):
        if row["uuid"] in declared:
            photos.setdefault(row["item_id"], []).append(row)
    hidden = review.hidden_terms(db, visit_uuid) if audience == "store" else []
    items = _Items(words, given, photos, hidden)
    stages = tuple(
        StagePart(
            stage.key,
            words.t[f"stage_{stage.key}"],
            stage_score.score,
            tuple(
                items.section(f"{words.t[f'stage_{stage.key}']} · {words.text(section.title)}", section, section_score, result)
                for section_score, section in zip(stage_score.sections, stage.sections)
            ),
        )
        for stage_score, stage in zip(result.stages, checklist.stages)
    )
    started, ended = parse_time(visit["started_at"]), parse_time(visit["ended_at"] or "")
    assert started is not None
    upto = _upto(_history(db, checklist.id, branch["region_id"], visit_uuid), visit_uuid, started)
    branches = db.query("SELECT id, name FROM branches WHERE region_id = ?", [branch["region_id"]])
    names = {row["id"]: words.text(json.loads(row["name"])) for row in branches}
    band = next((b for b in checklist.bands if b.id == result.band), None)
    narrative = review.hide((visit["narrative"] or "").strip(), hidden)
    narrative_lang, narrative_label = their_words(words.t, lang, narrative)
    trend = tuple(
        TrendPoint(words.date(r["started"]), words.date(r["started"], "short_date"), r["score"], r["uuid"] == visit_uuid)
        for r in [r for r in upto if r["branch_id"] == branch["id"]][-TREND_POINTS:]
    )
    scored = [r for r in result.items().values() if r.score is not None]
    return Report(
        lang=lang,
        visit_uuid=visit_uuid,
        site=words.text(json.loads(site["name"])),
        branch=names[branch["id"]],
        branch_id=branch["id"],
        region=words.text(json.loads(region["name"])),
        date=words.date(started),
        times=span(started, ended, words.t),
        iso_date=started.date().isoformat(),
        checklist=words.text(checklist.title),
        version=_version_day(db, visit["checklist_hash"], words),
        inspector=_pseudonym(db, visit["inspector_id"]),
        score=result.score,
        uncapped=result.uncapped,
        band=words.text(band.label) if band else "",
        band_tone=band_tone(checklist, result.band),
        stages=stages,
        critical=_marked(db, visit_uuid, items.critical),
        failures=_marked(db, visit_uuid, items.failures),
        waits=tuple(items.waits),
        other_photos=tuple(items.other_photos),
        narrative=narrative,
        narrative_lang=narrative_lang,
        narrative_label=narrative_label,
        trend=trend,
        trend_chart=_trend_chart(list(trend), names[branch["id"]], checklist, words.t, lang) if len(trend) > 1 else "",
        standing=_standing(names, upto, branch["id"], words.text(json.loads(region["name"]))),
        adjusted=next(iter(db.execute("SELECT adjusted FROM visit_scores WHERE visit_uuid = ?", [visit_uuid]).fetchone() or [None])),
        findings=_findings(db, branch["id"], words, date.today()),
        counts={
            "scored": len(scored),
            "passed": sum(1 for r in scored if not r.failed),
            "failed": len(result.failures),
            "critical": len(result.critical_failures),
            "photos": sum(len(rows) for rows in photos.values()),
        },
    )
