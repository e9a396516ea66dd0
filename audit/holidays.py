"""China's public holidays and adjusted working days, read from checklists/calendar.yaml.

A `when: {day: [...]}` condition shows an item on weekends, weekdays or public holidays
without asking the inspector, who would otherwise answer from a calendar anyway. Saturday
and Sunday alone cannot say which days are off in China: the State Council moves working
days onto weekends around the long holidays (调休), so a Sunday can be a working day. Those
dates are published once a year, so they are data kept beside the checklists, checked by
`audit check`, and copied into every checklist that uses them (the checklist's version then
records the calendar its visits were judged by, and the phone needs nothing else offline).
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from .problems import Problem, ProblemsFound
from .yamlsource import MAX_BYTES, Path, Source, load

CHECKLISTS = FilePath(__file__).resolve().parent.parent / "checklists"
CALENDAR = CHECKLISTS / "calendar.yaml"
DAY_KINDS = ("weekend", "weekday", "holiday")
"""`weekend`: a Saturday or Sunday that is not an adjusted working day; `holiday`: a day off of
a public holiday; `weekday`: any other day, i.e. a working day."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_LONGEST_HOLIDAY = 10  # days; the longest run of days off the notices have given is 9


@dataclass(frozen=True)
class Calendar:
    """Days off of public holidays and weekend days that are working days, as ISO dates, sorted."""

    holidays: tuple[str, ...]
    workdays: tuple[str, ...]


def day_kinds(date: datetime.date, calendar: Calendar | None) -> set[str]:
    """What kind of day a date is (both weekend and holiday on a holiday's Saturday). A date
    the calendar does not cover is a weekend by the week alone and never a holiday."""
    iso = date.isoformat()
    holidays, workdays = (calendar.holidays, calendar.workdays) if calendar else ((), ())
    kinds = set()
    if iso in holidays:
        kinds.add("holiday")
    if date.weekday() >= 5 and iso not in workdays:
        kinds.add("weekend")
    return kinds or {"weekday"}


class _Reader:
    """Checks the calendar file's shape and dates, collecting every problem with its line."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.holidays: set[str] = set()
        self.workdays: set[str] = set()

    def add(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(*self.source.position(path, key=key), message))

    def date(self, path: Path, value: Any, year: int, what: str) -> datetime.date | None:
        written = value if isinstance(value, str) else self.source.typed.get(path, repr(value))
        try:
            date = datetime.date.fromisoformat(value) if isinstance(value, str) and _DATE.match(value) else None
        except ValueError:
            date = None
        if date is None:
            self.add(path, f"year {year}: {what} {written!r} is not a date YYYY-MM-DD")
        elif date.year != year:
            self.add(path, f"year {year}: {what} {value} falls in another year")
            return None
        return date

    def year(self, key: str, data: Any) -> None:
        path: Path = ("years", key)
        if not re.fullmatch(r"20\d\d", key):
            self.add(path, f"years: {key!r} is not a year like 2026", key=True)
            return
        year = int(key)
        if not isinstance(data, dict) or set(data) - {"holidays", "workdays"} or "holidays" not in data:
            self.add(path, f"year {year}: must be a mapping with holidays (a list of {{name, from, to}}) and workdays (a list of dates)")
            return
        workdays = data.get("workdays", [])
        for index, holiday in enumerate(data["holidays"] if isinstance(data["holidays"], list) else [None]):
            self.holiday(path + ("holidays", index), holiday, year)
        for index, value in enumerate(workdays if isinstance(workdays, list) else [workdays]):
            at = path + ("workdays", index) if isinstance(workdays, list) else path + ("workdays",)
            date = self.date(at, value, year, "workday")
            if date is None:
                continue
            if date.weekday() < 5:
                self.add(at, f"year {year}: workday {date} is a {date:%A}; only a Saturday or Sunday can be made a working day")
            self.workdays.add(date.isoformat())

    def holiday(self, path: Path, holiday: Any, year: int) -> None:
        if not isinstance(holiday, dict) or not isinstance(holiday.get("name"), str) or "from" not in holiday or set(holiday) - {"name", "from", "to"}:
            self.add(path, f"year {year}: a holiday is {{name: 春节, from: YYYY-MM-DD, to: YYYY-MM-DD}} (to: the last day off, when not the first)")
            return
        name = holiday["name"]
        first = self.date(path + ("from",), holiday["from"], year, f"holiday {name}: from")
        last = self.date(path + ("to",), holiday["to"], year, f"holiday {name}: to") if "to" in holiday else first
        if first is None or last is None:
            return
        days = (last - first).days + 1
        if not 1 <= days <= _LONGEST_HOLIDAY:
            self.add(path + ("to",), f"year {year}: holiday {name}: from {first} to {last} is not 1 to {_LONGEST_HOLIDAY} days")
            return
        self.holidays.update((first + datetime.timedelta(days=n)).isoformat() for n in range(days))

    def read(self) -> Calendar | None:
        data = self.source.data
        years = data.get("years") if isinstance(data, dict) else None
        if not isinstance(data, dict) or set(data) != {"years"} or not isinstance(years, dict) or not years:
            self.add((), "the calendar must be a mapping with one key, years: a mapping from each year to its holidays and workdays")
            return None
        for key, value in years.items():
            self.year(key, value)
        for both in sorted(self.holidays & self.workdays):
            self.add(("years",), f"{both} is listed both as a holiday and as a workday")
        if self.problems:
            return None
        return Calendar(holidays=tuple(sorted(self.holidays)), workdays=tuple(sorted(self.workdays)))


def read(path: FilePath) -> tuple[Calendar | None, list[Problem]]:
    """The calendar of a file, or None and every problem found in it."""
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
        source, problems = load(raw)
    except OSError as error:
        return None, [Problem(1, 1, f"cannot read the calendar: {error.strerror}")]
    except ProblemsFound as found:
        return None, found.problems
    reader = _Reader(source)
    calendar = reader.read()
    problems = sorted(set(problems + reader.problems))
    return (None if problems else calendar), problems


@functools.cache
def library_calendar() -> tuple[Calendar | None, tuple[Problem, ...]]:
    """The calendar beside the checklist library, read once: every checklist that names a day
    kind copies it, wherever the checklist itself was read from."""
    calendar, problems = read(CALENDAR)
    return calendar, tuple(problems)
