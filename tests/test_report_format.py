"""The report of a visit on a checklist that uses the format's later features: a case over
several days (each item led by the day it is due), graded thresholds (a partial-credit answer
is still a failure against its standard, and the report says what it earned), and recorded-only items (listed with what was
recorded, never with a tick, a cross or a limit)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

import pytest

from audit import db, demo, pages, report, sync, wording
from audit.branding import Branding
from audit.model import Checklist
from audit.validate import check_bytes

CASE = """\
id: after-sales-case
title: {zh-Hans: 售后个案, en: After-sales case}
language: zh-Hans
languages: [zh-Hans, en]
site_types: [supermarket]
case: {days: 10}
stages:
  after-sale:
    sections:
      - id: repair
        title: {zh-Hans: 报修, en: Repair}
        day: 1
        items:
          - {id: hotline, text: {zh-Hans: 热线接通, en: The hotline answers}, guidance: 计时, fix: 加派人手, type: timer, pass: {max: 30}, partial: {max: 60, score: 0.5}}
          - {id: queue, text: {zh-Hans: 排队人数, en: People queueing}, guidance: 数, fix: 无, type: number, unit: {zh-Hans: 人, en: people}, min: 0, max: 100, weight: 0}
          - {id: hold-music, text: {zh-Hans: 等待音乐, en: Hold music played}, guidance: 听, fix: 无, type: yes_no, weight: 0}
          - {id: callback-wait, text: {zh-Hans: 回电用时, en: Time to the callback}, guidance: 计时, fix: 无, type: timer, weight: 0, day: 2}
          - {id: visit-booked, text: {zh-Hans: 约定上门时间, en: A visit time is agreed}, guidance: 问, fix: 当场约定, type: yes_no, day: 3}
          - {id: fixed, text: {zh-Hans: 修好, en: The fault is fixed}, guidance: 看, fix: 带齐配件, type: yes_no, day: 10}
"""


def case_checklist() -> Checklist:
    result = check_bytes(CASE.encode("utf-8"), "case.yaml")
    assert result.checklist is not None, result.problems
    return result.checklist


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[report.Report, report.Report]:
    checklist = case_checklist()
    database = db.connect(tmp_path_factory.mktemp("case") / "audit.db")
    demo.build(database)
    db.record_checklists(database, [checklist])
    body = {
        "checklist_id": checklist.id,
        "checklist_hash": checklist.content_hash(),
        "site_id": "gz-tianhe-supermarket",
        "started_at": "2026-09-01T09:30:00+08:00",
        "answers": {
            "hotline": {"value": 45},
            "queue": {"value": 12},
            "hold-music": {"value": "no"},
            "callback-wait": {"value": 5400},
            "visit-booked": {"value": "yes"},
            "fixed": {"value": "no"},
        },
        "photos": [],
    }
    visit = "5eed5eed-0000-4000-8000-00000000ca5e"
    assert sync.put_visit(database, visit, body).status == 200
    built = report.build(database, visit, "en"), report.build(database, visit, "zh-Hans")
    database.close()
    return built


def test_a_partial_credit_answer_scores_its_credit_and_fails_its_standard(built: tuple[report.Report, report.Report]) -> None:
    en, _ = built
    assert en.score == pytest.approx(50)  # hotline 0.5, visit booked 1, fixed 0: (0.5 + 1 + 0) / 3
    assert [(f.item_id, f.answer, f.expected) for f in en.failures] == [
        ("hotline", "45 s", "at most 30 s"),
        ("fixed", "No", "Yes"),
    ]
    assert [(w.text, w.measured, w.limit, w.passed) for w in en.waits] == [("Day 1 · The hotline answers", "45 s", "at most 30 s", False)]
    assert [(f.item_id, f.credit) for f in en.failures] == [("hotline", 0.5), ("fixed", None)]  # the half it earned, said


def test_the_page_says_what_a_partly_met_answer_earned(built: tuple[report.Report, report.Report]) -> None:
    en, zh = built
    html_en, html_zh = (html.unescape(pages.web_html(r, Branding.load())) for r in (en, zh))
    assert html_en.count("partly met: 50% of its points earned") == 1
    assert html_zh.count("部分达标：得到该项 50% 的分") == 1


def test_recorded_items_show_what_was_recorded_and_no_verdict(built: tuple[report.Report, report.Report]) -> None:
    en, _ = built
    recorded = [phrase for stage in en.stages for section in stage.sections for phrase in section.recorded]
    assert recorded == [
        "Day 1 · People queueing (12 people)",
        "Day 1 · Hold music played (No)",
        "Day 2 · Time to the callback (90 min)",
    ]
    assert all(w.text != "Day 2 · Time to the callback" for w in en.waits), "a recorded time has no limit to pass"
    assert en.counts["scored"] == 3 and en.counts["failed"] == 2


def test_items_are_led_by_the_day_they_are_due(built: tuple[report.Report, report.Report]) -> None:
    en, zh = built
    assert [f.text for f in en.failures] == ["Day 1 · The hotline answers", "Day 10 · The fault is fixed"]
    assert [p for s in en.stages for sec in s.sections for p in sec.passed] == ["Day 3 · A visit time is agreed"]
    assert [f.text for f in zh.failures] == ["第 1 天 · 热线接通", "第 10 天 · 修好"]


def test_a_case_over_several_days_shows_the_day_it_ended() -> None:
    t = {"minutes": "{n} min", "days": "{n} days"}
    start = datetime(2026, 6, 15, 13, 27, tzinfo=timezone(timedelta(hours=8)))
    assert wording.span(start, start + timedelta(minutes=35), t) == "13:27–14:02 (35 min) UTC+08:00"
    assert wording.span(start, start + timedelta(days=9, minutes=35), t) == "13:27 – 2026-06-24 14:02 (10 days) UTC+08:00"
    assert wording.span(start, None, t) == "13:27 UTC+08:00"
