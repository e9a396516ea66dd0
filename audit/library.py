"""The checklist library: every checklist file under the given paths, checked together.

Ids must be unique across the library, which no single file can know, so that check lives here;
so does the calendar of public holidays (holidays.CALENDAR), which any checklist may use and
which lies beside them without being one (as does the coverage table, NOT_CHECKLISTS).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from . import holidays
from .model import Checklist
from .problems import Problem
from .validate import Result, check_file

SUFFIXES = (".yaml", ".yml")
CHECKLISTS = holidays.CHECKLISTS  # the library's folder, where the calendar lies too
# Files in the library's folder that are not checklists: the calendar, and the table from each
# detail of the domain brief to the items that cover it (read by the tests).
NOT_CHECKLISTS = {holidays.CALENDAR.name, "coverage.yaml"}


def find(paths: list[Path]) -> list[Path]:
    """Checklist files named directly, and those found (recursively) under named folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file() and p.name not in NOT_CHECKLISTS))
        elif path.resolve() != holidays.CALENDAR:
            found.append(path)
    return found


def check(paths: list[Path], *, site_types: Collection[str] | None = None) -> list[Result]:
    """Every file's verdict, and the calendar's when it has problems; with `site_types` (an
    organisation's), checklists may name only those."""
    results = [check_file(path, site_types=site_types) for path in find(paths)]
    calendar_problems = holidays.library_calendar()[1]
    if calendar_problems:
        results.append(Result(str(holidays.CALENDAR), None, calendar_problems))
    first: dict[str, str] = {}
    for index, result in enumerate(results):
        if result.checklist is None:
            continue
        ident = result.checklist.id
        if ident in first:
            problem = Problem(1, 1, f"checklist id {ident!r} is already used by {first[ident]}")
            results[index] = replace(result, checklist=None, problems=(problem,))
        else:
            first[ident] = result.path
    return results


def load(folder: Path) -> list[Checklist]:
    """The valid checklists of a folder; the server serves these (problems go to `audit check`)."""
    return [result.checklist for result in check([folder]) if result.checklist is not None]
