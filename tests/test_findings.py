"""The findings' rules on fixed days: opened by a released visit's failures (due sooner when
critical), overdue by the clock, answered by the store (idempotently, within the dispute
window), judged by a reviewer or HQ (an accepted dispute recomputes the visit's figures, a
rejected one does not), closed only by a later visit's pass, reopened when a claimed fix
fails again; and who may move them."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from audit import accounts, compare, db, filters, findings, library, review, sync
from audit.accounts import User

from .test_compare import CHECKLIST

RELEASED = date(2026, 5, 5)
MAY = filters.parse({"period": "2026-05"}, date(2026, 11, 30))


class World:
    def __init__(self, folder: Path) -> None:
        (folder / "checklists").mkdir()
        (folder / "checklists" / "tiny.yaml").write_text(CHECKLIST, encoding="utf-8")
        self.checklist = library.load(folder / "checklists")[0]
        self.db = db.connect(folder / "audit.db")
        name = lambda text: json.dumps({"zh-Hans": text, "en": text}, ensure_ascii=False)  # noqa: E731
        with db.writing(self.db):
            self.db["site_types"].insert({"id": "supermarket", "name": name("超市")}, replace=True)
            self.db["regions"].insert({"id": "r1", "name": name("一区")})
            self.db["branches"].insert_all([{"id": b, "region_id": "r1", "name": name(b), "city": ""} for b in ("b1", "b2")])
            self.db["sites"].insert_all([{"id": f"{b}-s", "branch_id": b, "name": name(b), "site_type": "supermarket"} for b in ("b1", "b2")])
        db.record_checklists(self.db, [self.checklist])
        self.people = {
            "inspector": accounts.add(self.db, "inspector", "inspector", "a-long-password"),
            "reviewer": accounts.add(self.db, "reviewer", "reviewer", "a-long-password"),
            "hq": accounts.add(self.db, "hq", "hq", "a-long-password"),
            "manager": accounts.add(self.db, "manager", "store", "a-long-password", branches=("b1",)),
            "other": accounts.add(self.db, "other", "store", "a-long-password", branches=("b2",)),
        }

    def visit(self, day: str, marks: str, released_on: date = RELEASED, site: str = "b1-s") -> str:
        """A visit on `day` answering a, b, c with y / n / - (N/A), released on `released_on`."""
        answers = {item: ({"na": True} if m == "-" else {"value": "yes" if m == "y" else "no"}) for item, m in zip("abc", marks)}
        body = {
            "checklist_id": "tiny", "checklist_hash": self.checklist.content_hash(), "site_id": site,
            "started_at": f"{day}T10:00:00+08:00", "ended_at": f"{day}T10:30:00+08:00", "narrative": "", "answers": answers, "photos": [],
        }
        visit_id = str(uuid.uuid4())
        assert sync.put_visit(self.db, visit_id, body, inspector=self.people["inspector"].id).status == 200
        review.move(self.db, visit_id, self.people["reviewer"], "approve", today=released_on)
        return visit_id

    def finding(self, item: str, states: tuple[str, ...] = findings.STATES) -> findings.Finding:
        (found,) = [f for f in findings.of_branches(self.db, ["b1"], states) if f.item_id == item]
        return found

    def person(self, name: str) -> User:
        return self.people[name]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_a_release_opens_findings_due_by_severity_and_overdue_by_the_clock(world: World) -> None:
    first = world.visit("2026-05-02", "ynn")
    b, c = world.finding("b"), world.finding("c")
    assert (b.state, b.visit_uuid, b.opened_on, b.due_on, b.critical) == ("open", first, "2026-05-02", "2026-05-19", False)
    assert (c.due_on, c.critical) == ("2026-05-08", True)
    assert not c.overdue(date(2026, 5, 8)) and c.overdue(date(2026, 5, 9)) and not b.overdue(date(2026, 5, 9))
    assert findings.to_recheck(world.db, "b1-s", "tiny") == ["b", "c"]
    world.visit("2026-05-10", "ynn")  # fails again: no second finding for the same detail
    assert len(findings.of_branches(world.db, ["b1"])) == 2


def test_store_answers_are_idempotent_and_only_the_branch_s_manager_answers(world: World) -> None:
    world.visit("2026-05-02", "ynn")
    b = world.finding("b")
    for name in ("inspector", "reviewer", "other"):
        with pytest.raises(LookupError):
            findings.answer(world.db, b.id, world.person(name), "fixed", "补了购物车", client_id="x", today=RELEASED)
    with pytest.raises(findings.FindingError, match="say what was done"):
        findings.answer(world.db, b.id, world.person("manager"), "fixed", " ", client_id="a0", today=RELEASED)
    answer_id = str(uuid.uuid4())
    assert findings.answer(world.db, b.id, world.person("manager"), "fixed", "补了购物车", client_id=answer_id, today=RELEASED) == "fixed"
    assert findings.answer(world.db, b.id, world.person("manager"), "fixed", "补了购物车", client_id=answer_id, today=RELEASED) == "fixed"
    assert [e["action"] for e in findings.events(world.db, b.id)] == ["opened", "fixed"]
    with pytest.raises(findings.FindingError, match="already sent under this id"):
        findings.answer(world.db, b.id, world.person("manager"), "fixed", "另一句话", client_id=answer_id, today=RELEASED)
    with pytest.raises(findings.FindingError, match="cannot be answered now"):
        findings.answer(world.db, b.id, world.person("manager"), "dispute", "没有问题", client_id=str(uuid.uuid4()), today=RELEASED)
    c = world.finding("c")
    late = date(2026, 5, 5 + findings.DISPUTE_DAYS + 1)
    with pytest.raises(findings.FindingError, match="within 7 days"):
        findings.answer(world.db, c.id, world.person("manager"), "dispute", "当时在维修", client_id=str(uuid.uuid4()), today=late)


def score_of(world: World, visit_id: str) -> tuple[Any, ...]:
    stored = world.db.execute("SELECT score, adjusted FROM visit_scores WHERE visit_uuid = ?", [visit_id]).fetchone()
    released = world.db.execute("SELECT score, critical_failures FROM released_visits WHERE visit_uuid = ?", [visit_id]).fetchone()
    return (*stored, *released)


def test_an_accepted_dispute_recomputes_the_visit_and_a_rejected_one_does_not(world: World) -> None:
    first = world.visit("2026-05-02", "ynn")
    # pre-sale 50 (a yes, b no), in-sale 0 (c no, critical, cap 60): mean 25
    assert score_of(world, first) == (25.0, None, 25.0, 1)
    b, c = world.finding("b"), world.finding("c")
    for finding in (b, c):
        findings.answer(world.db, finding.id, world.person("manager"), "dispute", "当时收银台在维修", client_id=str(uuid.uuid4()), today=RELEASED)
    with pytest.raises(LookupError):
        findings.decide(world.db, c.id, world.person("manager"), True)
    assert findings.decide(world.db, b.id, world.person("reviewer"), False, "照片显示没有购物车") == "open"
    assert score_of(world, first) == (25.0, None, 25.0, 1)
    assert compare.overall(world.db, MAY).score == compare.Figure(25.0, 1)
    assert findings.decide(world.db, c.id, world.person("hq"), True, "维修有记录") == "void"
    # c now counts as N/A: in-sale has no score, no critical failure; pre-sale 50 alone
    assert score_of(world, first) == (25.0, 50.0, 50.0, 0)
    assert compare.overall(world.db, MAY).score == compare.Figure(50.0, 1)
    tallies = world.db.execute("SELECT sum(observed), sum(failed), sum(critical_failed) FROM item_tallies").fetchone()
    assert tallies == (2, 1, 0)
    with pytest.raises(findings.FindingError, match="not disputed"):
        findings.decide(world.db, c.id, world.person("reviewer"), False)
    assert findings.to_recheck(world.db, "b1-s", "tiny") == ["b"]


def test_only_a_later_visit_s_pass_closes_and_a_failed_fix_reopens(world: World) -> None:
    first = world.visit("2026-05-02", "ynn")
    b, c = world.finding("b"), world.finding("c")
    findings.answer(world.db, b.id, world.person("manager"), "fixed", "补了购物车", client_id=str(uuid.uuid4()), today=RELEASED)
    findings.answer(world.db, c.id, world.person("manager"), "fixed", "培训了收银员", client_id=str(uuid.uuid4()), today=RELEASED)
    world.visit("2026-04-20", "yyy", released_on=date(2026, 5, 6))  # an earlier visit released late proves nothing
    assert world.finding("b").state == "fixed" and world.finding("c").state == "fixed"
    later = world.visit("2026-06-01", "yyn", released_on=date(2026, 6, 3))
    closed = world.finding("b")
    assert (closed.state, closed.closed_by) == ("closed", later)
    reopened = world.finding("c")
    assert reopened.state == "open" and reopened.visit_uuid == first
    assert [e["action"] for e in findings.events(world.db, reopened.id)] == ["opened", "fixed", "failed-again"]
    counts = findings.tally(world.db, ["b1"], date(2026, 6, 10))["b1"]
    assert (counts["closed"], counts["open"], counts["overdue"], counts["failed-again"]) == (1, 1, 1, 1)
    assert findings.to_recheck(world.db, "b1-s", "tiny") == ["c"]
