"""A demo organisation (`demo-org.yaml`, imported like any organisation file), its people,
and six months of visits.

It lives in the package so that `audit demo` and the tests build the same data. Running it
again changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
import uuid
import zlib
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import sqlite_utils
from PIL import Image, ImageDraw

from . import answers, orgfile, orgmodel, orgstore
from .model import Checklist, Item
from .report import band_tone
from .scoring import score_visit
from .wording import pick

CHINA = timezone(timedelta(hours=8))
ORG_FILE = "demo-org.yaml"


@functools.lru_cache(maxsize=1)
def organisation() -> orgmodel.Organisation:
    """The demo organisation file shipped in the package; its problems would be ours, so they raise."""
    org, problems = orgfile.parse(resources.files(__package__).joinpath(ORG_FILE).read_bytes(), "yaml")
    if org is None:
        raise RuntimeError("\n".join(problem.format(ORG_FILE) for problem in problems))
    return org


def sites() -> list[dict[str, Any]]:
    """The demo sites as rows of the sites table (id, branch_id, name, site_type)."""
    return orgstore.rows(organisation())["sites"]


def build(db: sqlite_utils.Database) -> dict[str, int]:
    """Imports the demo organisation; returns how many rows each of its tables holds afterwards."""
    orgstore.import_org(db, organisation())
    return {table: db.table(table).count for table in orgstore.TABLES}


DEMO_PASSWORD = "audit-demo"
STAFF = [
    ("inspector", "inspector", "李伟 Li Wei"),
    ("inspector2", "inspector", "王芳 Wang Fang"),
    ("inspector3", "inspector", "陈静 Chen Jing"),
    ("inspector4", "inspector", "刘洋 Liu Yang"),
    ("reviewer", "reviewer", "赵敏 Zhao Min"),
    ("hq", "hq", "总部 HQ analyst"),
    ("admin", "admin", "系统管理员 Admin"),
]


def manager_name(branch_id: str) -> str:
    return f"manager-{branch_id}"


def people(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """One user of every role and a store manager for every branch, all with DEMO_PASSWORD;
    those already there are left as they are. Returns (username, role) of everyone."""
    from . import accounts

    managers = [
        (manager_name(branch.id), "store", branch.name[orgmodel.DEFAULT_LANGUAGE] + "店长")
        for region in organisation().regions
        for branch in region.branches
    ]
    wanted = STAFF + managers
    missing = [entry for entry in wanted if accounts.by_username(db, entry[0]) is None]
    if missing:
        hashed = accounts.hash_password(DEMO_PASSWORD)  # one slow hash for all of them
        for username, role, name in missing:
            branches = (username.removeprefix("manager-"),) if role == "store" else ()
            accounts.add_hashed(db, username, role, hashed, display_name=name, branches=branches)
    return [(username, role) for username, role, _ in wanted]


def _value(item: Item, rng: random.Random, good: bool) -> Any:
    """A plausible answer: a passing one when `good`, a failing one otherwise (where one exists)."""
    kind = item.type
    if kind == "yes_no":
        return "yes" if good else "no"
    if kind == "scale":
        assert item.min is not None and item.max is not None
        low, high = int(item.min), int(item.max)
        middle = low + (high - low) // 2
        return rng.randint(max(middle, low + 1), high) if good else rng.randint(low, max(low, middle - 1))
    if kind in ("choice", "multi_choice"):
        threshold = item.pass_score if item.pass_score is not None else 0.5
        ranked = sorted(item.choices, key=lambda c: c.score, reverse=good)
        if kind == "choice":
            pool = [c for c in ranked if (c.score >= threshold) == good] or ranked
            return rng.choice(pool).id
        plain = [c for c in item.choices if not c.exclusive]
        if good:
            return [c.id for c in plain]
        exclusive = [c.id for c in item.choices if c.exclusive]
        return exclusive[:1] or [min(plain, key=lambda c: c.score).id]
    if kind in ("number", "timer"):
        floor = item.pass_min if item.pass_min is not None else (item.min or 0)
        ceiling = item.pass_max if item.pass_max is not None else (item.max if item.max is not None else floor + 100)
        if good:
            return round(rng.uniform(floor, ceiling), 1) if kind == "timer" else int(rng.uniform(floor, ceiling))
        outside = (item.pass_max or 0) * rng.uniform(1.2, 2.5) if item.pass_max is not None else (item.pass_min or 1) / 2
        return round(outside, 1) if kind == "timer" else int(outside)
    if kind == "timestamp":
        return f"{rng.randint(9, 20):02d}:{rng.randint(0, 59):02d}"
    if kind == "text":
        return rng.choice(["店员态度友好，说明清楚。", "Staff were helpful and explained clearly.", "现场较忙，但仍有人主动招呼。"])
    return None


# What a demo inspector writes, in the checklist's language, from the answers alone: a note
# never says more than the answer it sits on, and a summary never calls a failing visit good.
WRITING = {
    "zh-Hans": {
        "failed": "未达标：{item}。", "passed": "达标：{item}。", "quote": "“{}”", "sep": "、", "more": "等",
        "clean": "整体服务良好，所有检查项均达标。",
        "good": "整体服务良好；{n} 项未达标：{items}。",
        "poor": "整体服务有待改进：{n} 项未达标，包括{items}。",
        "critical": "关键项未达标 {n} 项：{items}，总分因此封顶，须立即整改。",
        "also": "另有 {n} 项一般问题。",
    },
    "zh-Hant": {
        "failed": "未達標：{item}。", "passed": "達標：{item}。", "quote": "「{}」", "sep": "、", "more": "等",
        "clean": "整體服務良好，所有檢查項均達標。",
        "good": "整體服務良好；{n} 項未達標：{items}。",
        "poor": "整體服務有待改進：{n} 項未達標，包括{items}。",
        "critical": "關鍵項未達標 {n} 項：{items}，總分因此封頂，須立即改善。",
        "also": "另有 {n} 項一般問題。",
    },
    "en": {
        "failed": "Not up to standard: {item}.", "passed": "Up to standard: {item}.", "quote": "“{}”", "sep": ", ", "more": " and more",
        "clean": "Good service overall: every detail checked was up to standard.",
        "good": "Good service overall; {n} details fell short: {items}.",
        "poor": "Service needs work: {n} details fell short, among them {items}.",
        "critical": "{n} critical details fell short: {items}; they cap the score and must be fixed first.",
        "also": " {n} other details fell short too.",
    },
}
SUMMARY_ITEMS = 3


def writing(checklist: Checklist) -> dict[str, str]:
    """The demo inspector's phrases in the checklist's language (Simplified Chinese if it has none here)."""
    return WRITING.get(checklist.language, WRITING["zh-Hans"])


def _item_text(checklist: Checklist, item: Item) -> str:
    return pick(item.text, checklist.language, checklist.language)


def note(checklist: Checklist, item: Item, failed: bool) -> str:
    """The inspector's note on an item: what the answer says, in the checklist's language."""
    return writing(checklist)["failed" if failed else "passed"].format(item=_item_text(checklist, item))


def narrative(checklist: Checklist, given: dict[str, dict[str, Any]], started_at: str) -> str:
    """The inspector's summary of a visit, from its scores: critical failures first, a visit
    called good only when its band is the best one."""
    words, result = writing(checklist), score_visit(checklist, given, started_at)
    texts = {item.id: _item_text(checklist, item) for item in checklist.items()}

    def listed(ids: tuple[str, ...]) -> str:
        shown = words["sep"].join(words["quote"].format(texts[i]) for i in ids[:SUMMARY_ITEMS])
        return shown + (words["more"] if len(ids) > SUMMARY_ITEMS else "")

    critical = result.critical_failures
    others = tuple(i for i in result.failures if i not in critical)
    if critical:
        said = words["critical"].format(n=len(critical), items=listed(critical))
        return said + (words["also"].format(n=len(others)) if others else "")
    if not others:
        return words["clean"]
    return words["good" if band_tone(checklist, result.band) == "good" else "poor"].format(n=len(others), items=listed(others))


def visit_answers(
    checklist: Checklist, rng: random.Random, quality: float, started_at: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Answers for every item shown on a visit started at `started_at`, each passing with
    probability `quality`, with the notes a failure calls for; and the ids of items that need a
    photo (photo items and failed evidence)."""
    given: dict[str, dict[str, Any]] = {}
    needs_photo: list[str] = []
    for item in checklist.items():
        if item.id not in answers.visible(checklist, given, started_at):
            continue
        if item.type == "photo":
            needs_photo.append(item.id)
            continue
        if item.na and rng.random() < 0.05:
            given[item.id] = {"na": True}
            continue
        answer: dict[str, Any] = {"value": _value(item, rng, rng.random() < quality)}
        failed = answers.failed(item, answer)
        if item.evidence_note == "always" or (item.evidence_note == "on_fail" and failed):
            answer["note"] = note(checklist, item, failed)
        given[item.id] = answer
        if item.evidence_photo == "always" or (item.evidence_photo == "on_fail" and failed):
            needs_photo.append(item.id)
    return given, needs_photo


def photo_bytes(label: str, *, size: tuple[int, int] = (1200, 900), seed: int = 0) -> bytes:
    """A JPEG that looks like a photo enough for reports: a gradient with the item's id."""
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    for y in range(0, size[1], 8):
        shade = tuple(max(0, c - y * 60 // size[1]) for c in top)
        draw.rectangle([0, y, size[0], y + 8], fill=shade)
    draw.rectangle([40, size[1] - 120, size[0] - 40, size[1] - 40], fill=(255, 255, 255))
    draw.text((60, size[1] - 100), label, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def visit_body(
    checklist: Checklist, site_id: str, rng: random.Random, *, quality: float, started: datetime
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A complete visit as a phone would send it, and the bytes of each photo it declares."""
    given, needs_photo = visit_answers(checklist, rng, quality, started.isoformat())
    photo_rows: list[dict[str, Any]] = []
    data: dict[str, bytes] = {}
    for index, item_id in enumerate(needs_photo):
        photo_id = str(uuid.uuid4())
        raw = photo_bytes(item_id, size=(800, 600), seed=rng.getrandbits(32))
        data[photo_id] = raw
        photo_rows.append(
            {
                "uuid": photo_id,
                "item_id": item_id,
                "taken_at": (started + timedelta(minutes=5 + index)).isoformat(),
                "content_type": "image/jpeg",
                "sha256": hashlib.sha256(raw).hexdigest(),
            }
        )
    body = {
        "checklist_id": checklist.id,
        "checklist_hash": checklist.content_hash(),
        "site_id": site_id,
        "started_at": started.isoformat(),
        # a case (a repair, a stay) runs over its days; a visit, under an hour or so
        "ended_at": (started + timedelta(days=(checklist.case_days or 1) - 1, minutes=rng.randint(25, 70))).isoformat(),
        "narrative": narrative(checklist, given, started.isoformat()),
        "answers": given,
        "photos": photo_rows,
    }
    return body, data


def _branch_quality(branch_id: str) -> float:
    """Some branches are steadily better than others, so rankings have something to show."""
    return 0.55 + (zlib.crc32(branch_id.encode()) % 40) / 100


def _stored(db: sqlite_utils.Database, site_id: str, checklist_id: str, started: datetime) -> bool:
    where = "site_id = ? AND checklist_id = ? AND started_at = ?"
    return bool(db.table("visits").count_where(where, [site_id, checklist_id, started.isoformat()]))


_RETURN_COMMENT = "请补充收银区的照片，并写明排队等候是从几点开始计时的。"


def build_visits(db: sqlite_utils.Database, checklists: list[Checklist], *, today: date, months: int = 6) -> int:
    """Visits every other month for every site (half the sites in odd months, half in even
    ones, so every month of the period has visits to compare), sent by the demo inspectors through the same
    path phones use (so scores are stored), improving over time, then reviewed: all but the
    latest month released, and of the latest month some released, some waiting for review and
    a few returned with a comment. Each visit's content derives from its site, checklist
    version and month, and a visit already stored for them is not made again; its id is
    random like every other id, so no report can be found by guessing. Returns how many visits
    the database holds."""
    from . import accounts, review, sync

    people(db)
    inspectors = [accounts.by_username(db, name) for name, role, _ in STAFF if role == "inspector"]
    reviewer = accounts.by_username(db, "reviewer")
    assert reviewer is not None and all(inspectors)

    for site in sites():
        for checklist in (c for c in checklists if site["site_type"] in c.site_types):
            for back in range(months - 1 - zlib.crc32(site["id"].encode()) % 2, -1, -2):
                month = today.replace(day=1) - timedelta(days=30 * back)
                key = f"{site['id']}/{checklist.content_hash()}/{month.isoformat()}"
                rng = random.Random(key)
                started = datetime(month.year, month.month, rng.randint(3, 25), rng.randint(9, 18), rng.randint(0, 59), tzinfo=CHINA)
                quality = min(0.97, _branch_quality(site["branch_id"]) + (months - back) * 0.03)
                if _stored(db, site["id"], checklist.id, started):
                    continue
                body, photo_data = visit_body(checklist, site["id"], rng, quality=quality, started=started)
                visit_id = str(uuid.uuid4())
                inspector = inspectors[zlib.crc32(key.encode()) % len(inspectors)]
                assert inspector is not None
                outcome = sync.put_visit(db, visit_id, body, inspector=inspector.id)
                if outcome.status != 200:
                    raise RuntimeError(f"demo visit {key} refused: {outcome.body}")
                for photo_id in outcome.body["photos_missing"]:
                    sync.put_photo(db, visit_id, photo_id, photo_data[photo_id], inspector=inspector.id)
                fate = rng.random() if back < 2 else 0.0  # the site's latest visit
                if fate < 0.7:
                    review.move(db, visit_id, reviewer, "approve")
                elif fate < 0.9:
                    continue  # waiting for review
                else:
                    review.move(db, visit_id, reviewer, "return", _RETURN_COMMENT)
    return db.table("visits").count
