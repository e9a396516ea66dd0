"""On the phone, an item shown only at weekends (`when: {day: [weekend, holiday]}`, the
supermarket's weekend child-cart count) follows the date the visit was started on, read from
the phone's own clock: hidden on a working day, also on a Sunday made a working day (调休);
shown on a Saturday and on a weekday public holiday. Nobody is asked whether it is a weekend."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page

from .conftest import LiveServer
from .test_pwa_support import (
    WEEKEND,
    open_app,
    open_section,
    start_visit,
    stored_visit,
    wait_for_catalog,
)

pytestmark = pytest.mark.browser

COUNT = "#item-child-carts-weekend-free"
# At noon UTC, so that the day is the same wherever the browser's time zone is.
DAYS = [
    (datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc), False, "a Wednesday, a working day"),
    (WEEKEND, True, "a Saturday"),
    (datetime(2026, 9, 20, 12, 0, tzinfo=timezone.utc), False, "a Sunday made a working day by the 2026 notice"),
    (datetime(2026, 10, 1, 12, 0, tzinfo=timezone.utc), True, "a Thursday of the National Day holiday"),
]


def test_the_weekend_count_follows_the_day_the_visit_started(page: Page, live_server: LiveServer) -> None:
    assert page.viewport_size == {"width": 412, "height": 839}  # a phone
    page.clock.install(time=DAYS[0][0])
    open_app(page, live_server.url)
    wait_for_catalog(page)
    for moment, shown, day in DAYS:
        page.clock.set_system_time(moment)
        uuid = start_visit(page)
        visit = stored_visit(page, uuid)
        assert visit is not None and visit["started_at"][:10] == moment.date().isoformat(), day
        open_section(page, uuid, "entrance")
        page.wait_for_selector("#item-child-carts-available")
        assert page.locator(COUNT).is_visible() is shown, day
        assert page.locator("#item-weekend-visit").count() == 0  # the question is gone
