"""What a comparison or an export is about: a period, and optionally a region, a site type and a
checklist. One parser for the dashboard's query string and the command line's options, so
`--period 2026-Q3` and `?period=2026-Q3` mean the same visits everywhere.

Dates are the visit's own local date as the phone wrote it (the first ten characters of
`started_at`), so a visit at 23:30 in Shanghai belongs to the day the shopper saw."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Mapping

PERIOD_HELP = (
    "a year (2026), a quarter (2026-Q3), a month (2026-05), a range of months (2026-01..2026-06) "
    "or the last N months (last-12m)"
)
DEFAULT_PERIOD = "last-12m"


class FilterError(ValueError):
    """A filter that names no period, region, site type or checklist we know; the message says which."""


@dataclass(frozen=True)
class Filters:
    period: str  # as written, for titles and file names
    start: date  # first day, inclusive
    end: date  # day after the last, exclusive
    region: str | None = None
    site_type: str | None = None
    checklist: str | None = None

    @property
    def first_month(self) -> str:
        return self.start.isoformat()[:7]

    def months(self) -> list[str]:
        """Every month of the period, oldest first, as YYYY-MM."""
        result, year, month = [], self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            result.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    def query(self) -> dict[str, str]:
        """The filters as query-string parameters (the ones set)."""
        given = {"period": self.period, "region": self.region, "site_type": self.site_type, "checklist": self.checklist}
        return {key: value for key, value in given.items() if value}

    def narrowed(self, **changes: Any) -> Filters:
        return replace(self, **changes)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period(text: str, today: date) -> tuple[date, date]:
    """The first day and the day after the last of a period written as PERIOD_HELP says."""
    value = text.strip()
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        return date(year, 1, 1), date(year + 1, 1, 1)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", value):
        year, quarter = int(m[1]), int(m[2])
        return _month_start(year, 3 * quarter - 2), _month_start(year, 3 * quarter + 1)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return _month_start(year, month), _month_start(year, month + 1)
    if m := re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})", value):
        first, last = (int(m[1]), int(m[2])), (int(m[3]), int(m[4]))
        if 1 <= first[1] <= 12 and 1 <= last[1] <= 12 and first <= last:
            return _month_start(*first), _month_start(last[0], last[1] + 1)
    if m := re.fullmatch(r"last-(\d{1,3})m", value):
        count = int(m[1])
        if count >= 1:
            return _month_start(today.year, today.month - count + 1), _month_start(today.year, today.month + 1)
    raise FilterError(f"period {text!r}: expected {PERIOD_HELP}")


def parse(given: Mapping[str, str | None], today: date, known: Mapping[str, set[str]] | None = None) -> Filters:
    """Filters from query parameters or command-line options. `known` maps "region",
    "site_type" and "checklist" to their ids in this store: an unknown one is an error that
    names it, never an empty comparison that looks like "no data"."""
    text = (given.get("period") or DEFAULT_PERIOD).strip()
    start, end = period(text, today)
    chosen: dict[str, str | None] = {}
    for field in ("region", "site_type", "checklist"):
        value = (given.get(field) or "").strip() or None
        if value is not None and known is not None and value not in known.get(field, set()):
            options = ", ".join(sorted(known.get(field, set()))) or "none"
            raise FilterError(f"{field.replace('_', ' ')} {value!r} is not in this store (there are: {options})")
        chosen[field] = value
    return Filters(text, start, end, **chosen)


def known(db: Any) -> dict[str, set[str]]:
    """The ids a filter may name in this store."""
    return {
        "region": {row[0] for row in db.execute("SELECT id FROM regions")},
        "site_type": {row[0] for row in db.execute("SELECT id FROM site_types")},
        "checklist": {row[0] for row in db.execute("SELECT DISTINCT checklist_id FROM checklist_versions")},
    }
