"""Conditions on the visit's time (`when: {day: [...], hours: "..."}`): how a file says them
wrong, each named with its line and field, and the calendar of public holidays they read
(checklists/calendar.yaml), checked like a checklist. What they show on which visit is pinned
by the golden cases (tests/golden/answers.yaml), for the phone and the server alike."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest

from audit import demo, holidays, library
from audit.problems import Problem
from audit.validate import check_bytes

from .checklist_cases import BASE, item, with_items

LINE = BASE.count("\n") + 1  # the line of an item added after BASE


def problems(when: str) -> list[str]:
    text = with_items(item("later", f"type: yes_no, when: {when}"))
    return [p.format("c.yaml") for p in check_bytes(text.encode("utf-8"), "c.yaml").problems]


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ("{day: [weekends]}", "when day 'weekends' is not a kind of day (did you mean 'weekend'?); kinds are weekend, weekday, holiday"),
        ("{day: []}", "when day must list at least one of weekend, weekday, holiday"),
        ("{day: weekend}", "day must be a list"),
        ("{day: [weekend, weekend]}", "day lists 'weekend' more than once"),
        ("{day: [weekend, weekday, holiday]}", "when day lists every kind of day, so it always holds; leave it out"),
        ('{hours: "11-14"}', "when hours '11-14' must be two times of day, HH:MM-HH:MM"),
        ('{hours: "11:00-24:00"}', "when hours '11:00-24:00' must be two times of day"),
        ("{hours: 11:00}", 'YAML reads the unquoted 11:00 as the number 660; write it in quotes: "11:00"'),
        ('{hours: "11:00-11:00"}', "starts and ends at the same time"),
        ("{}", "when needs an item (with equals or in), a day or hours"),
        ("{equals: yes, day: [weekend]}", "when equals needs the item whose answer it names"),
        ("{item: carts, day: [weekend]}", "when needs exactly one of 'equals' or 'in'"),
        ("{days: [weekend]}", "unknown key 'days' (did you mean 'day'?)"),
    ],
)
def test_a_bad_time_condition_is_named_at_its_line(when: str, says: str) -> None:
    found = problems(when)
    assert any(f"c.yaml:{LINE}:" in p and "item 'later'" in p and says in p for p in found), found


def test_time_conditions_alone_or_with_an_answer_are_valid() -> None:
    for when in ("{day: [weekend]}", "{day: [weekday]}", "{day: [holiday]}", "{day: [weekend, holiday]}", '{hours: "11:00-14:00"}',
                 '{hours: "22:00-02:00"}', '{item: carts, equals: "yes", day: [weekend], hours: "11:00-14:00"}'):
        assert problems(when) == [], when


def test_only_a_checklist_that_names_a_day_kind_carries_the_calendar() -> None:
    def built(when: str) -> object:
        text = with_items(item("later", f"type: yes_no, when: {when}"))
        checklist = check_bytes(text.encode("utf-8"), "c.yaml").checklist
        assert checklist is not None
        return checklist.calendar

    assert built("{day: [weekend]}") == holidays.library_calendar()[0]
    assert built('{hours: "11:00-14:00"}') is None and built("{item: carts, equals: yes}") is None


def test_the_library_calendar_follows_the_state_councils_notices() -> None:
    calendar, found = holidays.library_calendar()
    assert found == () and calendar is not None
    by_year = {year: [d for d in calendar.holidays if d.startswith(year)] for year in ("2025", "2026", "2027")}
    assert (len(by_year["2025"]), len(by_year["2026"]), by_year["2027"]) == (28, 33, [])  # 2027: no notice yet
    assert {"2025-01-28", "2025-10-08", "2026-02-23", "2026-10-07"} <= set(calendar.holidays)
    assert all(datetime.date.fromisoformat(d).weekday() >= 5 for d in calendar.workdays)
    kinds = {d: holidays.day_kinds(datetime.date.fromisoformat(d), calendar) for d in ("2026-01-04", "2026-10-01", "2026-10-03", "2026-11-28")}
    assert kinds == {"2026-01-04": {"weekday"}, "2026-10-01": {"holiday"}, "2026-10-03": {"holiday", "weekend"}, "2026-11-28": {"weekend"}}


CALENDAR_CASES = [
    ("years:\n  2026:\n    holidays:\n      - {name: 元旦, from: 2026-01-32}\n", 4, "year 2026: holiday 元旦: from '2026-01-32' is not a date YYYY-MM-DD"),
    ("years:\n  2026:\n    holidays:\n      - {name: 元旦, from: 2025-12-31}\n", 4, "falls in another year"),
    ("years:\n  2026:\n    holidays:\n      - {name: 春节, from: 2026-02-23, to: 2026-02-15}\n", 4, "is not 1 to 10 days"),
    ("years:\n  2026:\n    holidays: []\n    workdays: [2026-01-05]\n", 4, "workday 2026-01-05 is a Monday; only a Saturday or Sunday"),
    ("years:\n  2026:\n    holidays:\n      - {name: 元旦, from: 2026-01-03}\n    workdays: [2026-01-03]\n", 2, "2026-01-03 is listed both as a holiday and as a workday"),
    ("years:\n  26:\n    holidays: []\n", 2, "years: '26' is not a year like 2026"),
    ("years:\n  2026:\n    holiday: []\n", 3, "year 2026: must be a mapping with holidays"),
    ("years:\n  2026:\n    holidays:\n      - {name: 元旦, start: 2026-01-01}\n", 4, "a holiday is {name: 春节, from: YYYY-MM-DD"),
    ("2026: []\n", 1, "the calendar must be a mapping with one key, years"),
]


@pytest.mark.parametrize(("text", "line", "says"), CALENDAR_CASES, ids=[c[2][:40] for c in CALENDAR_CASES])
def test_a_bad_calendar_is_named_at_its_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    calendar, found = holidays.read(path)
    assert calendar is None
    assert any(p.line == line and says in p.message for p in found), found


def test_audit_check_reports_a_broken_calendar_and_the_checklists_that_need_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = (None, (Problem(4, 9, "year 2026: holiday 元旦: from '2026-01-32' is not a date YYYY-MM-DD"),))
    monkeypatch.setattr(holidays, "library_calendar", lambda: broken)
    (tmp_path / "weekend.yaml").write_text(with_items(item("later", "type: yes_no, when: {day: [weekend]}")), encoding="utf-8")
    (tmp_path / "calendar.yaml").write_text("not: a checklist\n", encoding="utf-8")  # beside checklists, never read as one
    results = library.check([tmp_path])
    assert [r.path for r in results] == [str(tmp_path / "weekend.yaml"), str(holidays.CALENDAR)]
    assert "needs the calendar of public holidays" in results[0].problems[0].message
    assert results[1].problems == broken[1]


def test_audit_check_of_the_calendar_alone() -> None:
    """Named on its own, the calendar is checked (it is no checklist, and no usage error either)."""
    from click.testing import CliRunner

    from audit.cli import main

    result = CliRunner().invoke(main, ["check", str(holidays.CALENDAR)])
    assert result.exit_code == 0, result.output
    assert "calendar of public holidays has no problems" in result.output


def test_the_server_takes_a_weekend_answer_only_from_a_weekend_visit(tmp_path: Path) -> None:
    """The supermarket's weekend count, answered on a Saturday visit, is accepted and scored; the
    same answer on a Wednesday visit is refused, the item being hidden then, as on the phone."""
    from starlette.testclient import TestClient

    from audit.app import create_app
    from audit.startup import Settings

    from .conftest import ROOT, demo_database, sign_in

    supermarket = next(c for c in library.load(ROOT / "checklists") if c.id == "retail-supermarket")
    cst = datetime.timezone(datetime.timedelta(hours=8))
    saturday, _ = demo.visit_body(supermarket, "sh-xujiahui-supermarket", random.Random(1), quality=0.9, started=datetime.datetime(2026, 11, 28, 10, tzinfo=cst))
    wednesday, _ = demo.visit_body(supermarket, "sh-xujiahui-supermarket", random.Random(1), quality=0.9, started=datetime.datetime(2026, 11, 25, 10, tzinfo=cst))
    assert "child-carts-weekend-free" in saturday["answers"] and "child-carts-weekend-free" not in wednesday["answers"]
    for body in (saturday, wednesday):
        body["photos"] = []  # the bodies' photos are not sent: an answer's evidence is not at stake here
    wednesday["answers"]["child-carts-weekend-free"] = saturday["answers"]["child-carts-weekend-free"]
    with TestClient(create_app(Settings(db_path=demo_database(tmp_path / "audit.db")))) as client:
        sign_in(client, "inspector")
        refused = client.put("/api/visits/6f1c1c1e-2222-4aaa-8bbb-123456789abc", json=wednesday)
        assert refused.status_code == 422
        assert {"field": "answers.child-carts-weekend-free", "message": "answered, but hidden by its `when` condition"} in refused.json()["problems"]
        accepted = client.put("/api/visits/6f1c1c1e-3333-4aaa-8bbb-123456789abc", json=saturday)
        assert accepted.status_code == 200, accepted.text
