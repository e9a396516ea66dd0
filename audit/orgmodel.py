"""The organisation as plain records, and what a file declares before they are made.

Both kinds of organisation file (`orgfile.py` reads YAML, `orgcsv.py` CSV) put what they
read into a Draft, each entry with where it stood; the checks that need the whole file
(duplicate ids, site types no entry declares) run once here, for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Text
from .problems import Problem
from .schema import ID_PATTERN
from .schema_errors import ID_RULE, suggest

DEFAULT_LANGUAGE = "zh-Hans"


@dataclass(frozen=True)
class SiteType:
    id: str
    name: Text


@dataclass(frozen=True)
class Site:
    id: str
    name: Text
    type: str


@dataclass(frozen=True)
class Branch:
    id: str
    name: Text
    city: str | None
    sites: tuple[Site, ...]


@dataclass(frozen=True)
class Region:
    id: str
    name: Text
    branches: tuple[Branch, ...]


@dataclass(frozen=True)
class Organisation:
    site_types: tuple[SiteType, ...]
    regions: tuple[Region, ...]


@dataclass(frozen=True)
class At:
    """Where a value stood: its line (a CSV file's row), column and field."""

    line: int
    column: int
    field: str
    row: bool = False

    @property
    def place(self) -> str:
        return f"row {self.line}" if self.row else f"line {self.line}"

    def problem(self, message: str) -> Problem:
        return Problem(self.line, self.column, message, self.field)


@dataclass
class Entry:
    """A site type, region, branch or site the file declares, and where, before the checks
    that need the whole file (duplicate ids, site types that no entry declares)."""

    id: str
    at: At
    name: Text = field(default_factory=dict)
    parent: str = ""  # a branch's region, a site's branch
    city: str | None = None
    type: str = ""  # a site's site type
    type_at: At | None = None


@dataclass
class Draft:
    """What one file declares, and the problems found on the way."""

    problems: list[Problem] = field(default_factory=list)
    site_types: list[Entry] = field(default_factory=list)
    regions: list[Entry] = field(default_factory=list)
    branches: list[Entry] = field(default_factory=list)
    sites: list[Entry] = field(default_factory=list)


def bad_id(value: str) -> str | None:
    """Why a value is not an id, the checklists' rule; None when it is one."""
    return None if re.fullmatch(ID_PATTERN, value) else f"{value!r} {ID_RULE}"


def assemble(draft: Draft) -> Organisation | None:
    """The checks across the file, then the records nested as the file nests them."""
    kinds = (("site type", draft.site_types), ("region", draft.regions), ("branch", draft.branches), ("site", draft.sites))
    for kind, entries in kinds:
        first: dict[str, At] = {}
        for entry in entries:
            if entry.id in first:
                draft.problems.append(entry.at.problem(f"duplicate {kind} id {entry.id!r} (first on {first[entry.id].place})"))
            else:
                first[entry.id] = entry.at
    known = list(dict.fromkeys(entry.id for entry in draft.site_types))
    for site in draft.sites:
        if site.type_at is not None and site.type not in known:
            draft.problems.append(
                site.type_at.problem(f"unknown site type {site.type!r}{suggest(site.type, known)}; the file's site types are {', '.join(known) or 'none'}")
            )
    if draft.problems:
        return None
    sites = _children(draft.sites)
    branches = _children(draft.branches)
    return Organisation(
        tuple(SiteType(entry.id, entry.name) for entry in draft.site_types),
        tuple(
            Region(
                region.id,
                region.name,
                tuple(
                    Branch(branch.id, branch.name, branch.city, tuple(Site(s.id, s.name, s.type) for s in sites.get(branch.id, [])))
                    for branch in branches.get(region.id, [])
                ),
            )
            for region in draft.regions
        ),
    )


def _children(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.parent, []).append(entry)
    return grouped
