"""The checklist model: the content hash follows what a checklist means, not how its file is
typed; the store's view of it holds none of the inspector's method."""

from __future__ import annotations

import json
import re

from audit.model import INSPECTOR_ONLY, LATER_FIELDS, Checklist, for_store, from_dict
from audit.validate import check_bytes

from .checklist_cases import BASE, as_case, item, with_items


def content_hash(text: str) -> str:
    result = check_bytes(text.encode("utf-8"), "case.yaml")
    assert result.checklist is not None, result.problems
    return result.checklist.content_hash()


REWRITTEN = """\
# the same checklist, written differently
languages:
  - zh-Hans
  - zh-Hant
  - en
id: "shop"
language: zh-Hans
site_types: [supermarket]
title:
  en: Shop
  zh-Hant: 門店
  zh-Hans: 门店
stages:
  pre-sale:
    weight: 1.0
    sections:
      - title: {zh-Hans: 入口}
        id: entrance
        items:
          - {type: yes_no, id: carts, text: 有儿童车, guidance: 看入口, fix: {zh-Hans: 入口保持有儿童车}, required: true, na: false, weight: 1}
"""


def test_same_meaning_same_hash() -> None:
    assert content_hash(BASE) == content_hash(REWRITTEN)


def test_hash_changes_with_meaning() -> None:
    base = content_hash(BASE)
    assert content_hash(BASE + "            weight: 2\n") != base
    assert content_hash(BASE.replace("看入口", "看出口")) != base
    assert content_hash(BASE.replace("入口保持有儿童车", "入口常备三辆儿童车")) != base
    assert content_hash(BASE + "            na: true\n") != base


def test_defaults_are_filled_in() -> None:
    result = check_bytes(BASE.encode(), "case.yaml")
    assert result.checklist is not None
    item = result.checklist.items()[0]
    assert (item.required, item.weight, item.na, item.critical_cap) == (True, 1, False, None)
    assert [band.id for band in result.checklist.bands] == ["excellent", "pass", "fail"]
    assert result.checklist.title == {"zh-Hans": "门店", "zh-Hant": "門店", "en": "Shop"}
    assert result.checklist.stages[0].sections[0].title == {"zh-Hans": "入口"}


def test_when_yes_is_read_as_the_answer_yes() -> None:
    text = BASE + "          - {id: n, text: t, guidance: g, fix: f, type: yes_no, when: {item: carts, in: [yes, no]}}\n"
    result = check_bytes(text.encode(), "case.yaml")
    assert result.checklist is not None, result.problems
    assert result.checklist.items()[1].when is not None
    assert result.checklist.items()[1].when.values == ("yes", "no")


def test_the_store_view_holds_no_inspector_only_text() -> None:
    text = BASE.replace("title: {zh-Hans: 门店", "description: 神秘顾客看入口\ntitle: {zh-Hans: 门店")
    result = check_bytes(text.encode(), "case.yaml")
    assert result.checklist is not None, result.problems
    assert set(INSPECTOR_ONLY) == {"description", "guidance"}
    store = json.dumps(for_store(result.checklist), ensure_ascii=False)
    assert "看入口" not in store and '"guidance"' not in store and '"description"' not in store
    assert "入口保持有儿童车" in store and "有儿童车" in store
    assert "看入口" in result.checklist.canonical_json(), "the inspector's app still gets the guidance"


def test_a_version_stored_before_items_had_a_fix_still_loads() -> None:
    """Visits pin the version they were filled against; old versions have no fix, and their
    reports then say nothing there, rather than fall back to the guidance."""
    result = check_bytes(BASE.encode(), "case.yaml")
    assert result.checklist is not None
    stored = json.loads(result.checklist.canonical_json())
    del stored["stages"][0]["sections"][0]["items"][0]["fix"]
    item = from_dict(stored).items()[0]
    assert item.fix == {} and item.guidance == {"zh-Hans": "看入口"}


def checklist_of(text: str) -> Checklist:
    result = check_bytes(text.encode("utf-8"), "case.yaml")
    assert result.checklist is not None, result.problems
    return result.checklist


def test_partial_credit_widens_pass_on_the_sides_it_names() -> None:
    """`partial: {max: 26}` under `pass: {min: 18, max: 24}` keeps 18 as its min: the model
    holds the whole range, so both ports test one range and never fall back themselves."""
    items = checklist_of(
        with_items(
            item("temp", "type: number, unit: ℃, pass: {min: 18, max: 24}, partial: {max: 26, score: 0.25}")
            + item("wait", "type: timer, pass: {max: 30}")
        )
    ).items()
    temp, wait = items[1], items[2]
    assert (temp.partial_min, temp.partial_max, temp.partial_score) == (18, 26, 0.25)
    assert (wait.partial_min, wait.partial_max, wait.partial_score) == (None, None, None)


def test_a_recorded_item_is_one_that_never_scores() -> None:
    items = checklist_of(
        with_items(item("count", "type: number, unit: 人, weight: 0") + item("words", "type: text") + item("wait", "type: timer, pass: {max: 30}"))
    ).items()
    assert [i.recorded for i in items] == [False, True, True, False]
    assert items[1].pass_min is None and items[1].pass_max is None


def test_days_come_from_the_item_else_its_section() -> None:
    text = as_case(BASE.replace("        title: 入口\n", "        title: 入口\n        day: 2\n"), days=10) + item("later", "type: yes_no, day: 9")
    checklist = checklist_of(text)
    assert checklist.case_days == 10
    assert [i.day for i in checklist.items()] == [2, 9]
    assert checklist_of(BASE).case_days is None and checklist_of(BASE).items()[0].day is None


def test_a_day_given_on_the_section_or_each_item_hashes_alike() -> None:
    on_section = as_case(BASE.replace("        title: 入口\n", "        title: 入口\n        day: 2\n"))
    on_item = as_case(BASE + "            day: 2\n")
    assert checklist_of(on_section).content_hash() == checklist_of(on_item).content_hash()


def test_a_checklist_that_uses_no_later_feature_keeps_its_hash() -> None:
    """BASE's hash before partial credit, days and cases existed: adding a field to the format
    must not make every checklist in every store a new version. If BASE itself changes, put
    its new hash here; if this fails otherwise, the new field belongs in LATER_FIELDS."""
    assert content_hash(BASE) == "f9bb52673a74b4ea67590f1e7c0c64739d2cbc2eb926c837cee243105f0315a0"
    assert not LATER_FIELDS & set(re.findall(r'"([a-z_]+)":', checklist_of(BASE).canonical_json()))
    timely = item("x", 'type: yes_no, when: {day: [weekend], hours: "11:00-14:00"}')
    used = checklist_of(as_case(with_items(item("w", "type: timer, day: 2, pass: {min: 10, max: 30}, partial: {max: 60, score: 0.5}") + timely)))
    assert LATER_FIELDS <= set(re.findall(r'"([a-z_]+)":', used.canonical_json())), "a used later field is part of the hash"


def test_versions_load_back_from_their_canonical_form_with_or_without_later_fields() -> None:
    """A stored version without LATER_FIELDS (stored before they existed, or not using them)
    loads with their defaults; one that uses them loads them back."""
    plain = from_dict(json.loads(checklist_of(BASE).canonical_json()))
    assert plain.case_days is None and plain.items()[0].partial_score is None and plain.items()[0].day is None
    timely = item("x", 'type: yes_no, when: {item: carts, equals: "yes", day: [weekend, holiday], hours: "22:00-02:00"}')
    used = checklist_of(as_case(with_items(item("w", "type: timer, day: 2, pass: {max: 30}, partial: {max: 60, score: 0.5}") + timely)))
    assert from_dict(json.loads(used.canonical_json())) == used
    assert used.calendar is not None and "2026-10-01" in used.calendar.holidays  # carried with the checklist, for the phone offline
