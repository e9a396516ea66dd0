"""The phone's item card says the day of a case an item is due ("Day 3"), and nothing for an
item without one; the items are the golden case's, whose checklist is a case over three days."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import LiveServer
from .golden_cases import answer_cases

CHECKLIST, _ = answer_cases()

BADGES = """async ({ items }) => {
    localStorage.setItem('audit.language', 'en');
    const { card } = await import('/static/js/ui/item.js');
    const ctx = { fallback: 'zh-Hans', visit: { answers: {}, recheck: [] }, change() {}, timer() {}, photoUrl() { return ''; } };
    return items.map((item) => card(item, ctx).el.querySelector('.badge.day')?.textContent ?? null);
}"""


@pytest.mark.browser
def test_an_item_of_a_case_shows_its_day(page: Page, live_server: LiveServer) -> None:
    items = {item["id"]: item for stage in CHECKLIST.as_dict()["stages"] for section in stage["sections"] for item in section["items"]}
    chosen = ["carts", "callback-promised", "hotline", "callback-made"]  # no day; its own day 1; its section's day 2; day 3
    page.goto(f"{live_server.url}/health")
    assert page.evaluate(BADGES, {"items": [items[i] for i in chosen]}) == [None, "Day 1", "Day 2", "Day 3"]
