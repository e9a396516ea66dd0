"""An organisation file in CSV: one row per site under a header row, read into a Draft.

A spreadsheet is how many an HQ keeps its branches, so the CSV form holds everything the
YAML form does: names in other languages in columns like `site_name:en`, and rows without a
site for a branch without sites, a region without branches or a site type no site has yet.
Lines are rows, the header being row 1; fields are columns.
"""

from __future__ import annotations

import csv
import io
import re

from .model import Text
from .orgmodel import DEFAULT_LANGUAGE, At, Draft, Entry, bad_id
from .problems import Problem, ProblemsFound
from .schema import LANGUAGE_PATTERN
from .schema_errors import suggest
from .yamlsource import decode

COLUMNS = ("region", "region_name", "branch", "branch_name", "city", "site", "site_name", "site_type", "site_type_name")
NAME_COLUMNS = ("region_name", "branch_name", "site_name", "site_type_name")
MAX_BYTES = 16 * 1024 * 1024  # a CSV is read whole: some 50,000 sites


class _Rows:
    """Reads CSV rows into the draft. A row declares what its cells name: a site type (with
    its name), a region, a branch (in the row's region), a site (in the row's branch, of the
    row's site type); rows may repeat a region, branch or site type, naming it alike or not
    at all, so that every site can carry its whole path and a sheet can be sorted freely."""

    def __init__(self, draft: Draft, columns: dict[str, int]) -> None:
        self.draft = draft
        self.columns = columns
        self.seen: dict[str, dict[str, Entry]] = {"site type": {}, "region": {}, "branch": {}}
        self.stated: dict[tuple[str, str, str], At] = {}

    def at(self, row: int, column: str) -> At:
        return At(row, self.columns.get(column, 0) + 1, column, row=True)

    def add(self, row: int, column: str, message: str) -> None:
        self.draft.problems.append(self.at(row, column).problem(message))

    def ident(self, row: int, cells: dict[str, str], column: str) -> str:
        value = cells[column]
        trouble = bad_id(value) if value else None
        if trouble:
            self.add(row, column, trouble)
            return ""
        return value

    def name(self, cells: dict[str, str], column: str) -> Text:
        name = {DEFAULT_LANGUAGE: cells[column]} if cells[column] else {}
        prefix = f"{column}:"
        name.update({key.removeprefix(prefix): value for key, value in cells.items() if key.startswith(prefix) and value})
        return name

    def row(self, row: int, cells: dict[str, str]) -> None:
        names = {column: self.name(cells, column) for column in NAME_COLUMNS}
        for column, needs in (
            ("site", "branch"), ("site", "site_type"), ("branch", "region"),
            ("region_name", "region"), ("branch_name", "branch"), ("city", "branch"), ("site_name", "site"), ("site_type_name", "site_type"),
        ):
            given = names[column] if column in names else cells[column]
            if given and not cells[needs]:
                self.add(row, needs, f"empty, but the row gives a {column.replace('_', ' ')}")
        type_id, region, branch, site = (self.ident(row, cells, c) for c in ("site_type", "region", "branch", "site"))
        if type_id:
            self.declare(row, "site type", type_id, names["site_type_name"])
        if region:
            self.declare(row, "region", region, names["region_name"])
        if branch:
            self.declare(row, "branch", branch, names["branch_name"], region=region, city=cells["city"])
        if site:
            if not names["site_name"]:
                self.add(row, "site_name", "empty; every site needs a name")
            type_at = self.at(row, "site_type") if type_id else None
            self.draft.sites.append(Entry(site, self.at(row, "site"), names["site_name"], parent=branch, type=type_id, type_at=type_at))

    def declare(self, row: int, kind: str, ident: str, name: Text, *, region: str = "", city: str = "") -> None:
        """The first row that mentions an entry makes it; later rows may name it again, alike."""
        column = kind.replace(" ", "_")
        entry = self.seen[kind].get(ident)
        if entry is None:
            entry = self.seen[kind][ident] = Entry(ident, self.at(row, column), parent=region)
        elif region and entry.parent and region != entry.parent:
            self.add(row, "region", f"branch {ident!r} is in region {entry.parent!r} on {entry.at.place}; a branch is in one region")
        entry.parent = entry.parent or region
        if name and not entry.name:
            entry.name = name
            self.stated[(kind, ident, "name")] = self.at(row, f"{column}_name")
        elif name and name != entry.name:
            code = next(code for code in {**entry.name, **name} if entry.name.get(code) != name.get(code))
            named = f"{column}_name" if code == DEFAULT_LANGUAGE else f"{column}_name:{code}"
            self.add(row, named, f"{kind} {ident!r} is named otherwise on {self.stated[(kind, ident, 'name')].place}")
        if city and entry.city is None:
            entry.city = city
            self.stated[(kind, ident, "city")] = self.at(row, "city")
        elif city and city != entry.city:
            self.add(row, "city", f"branch {ident!r} is in {entry.city} on {self.stated[(kind, ident, 'city')].place}")

    def finish(self) -> None:
        """Entries no row names: a site type is then unknown (a typo, most often), a region or branch nameless."""
        named_types = [ident for ident, entry in self.seen["site type"].items() if entry.name]
        for kind, entries in self.seen.items():
            for entry in entries.values():
                if entry.name:
                    continue
                if kind == "site type":
                    message = f"unknown site type {entry.id!r}{suggest(entry.id, named_types)}: no row names it in site_type_name"
                    self.draft.problems.append(entry.at.problem(message))
                else:
                    self.add(entry.at.line, f"{kind}_name", f"empty on every row of {kind} {entry.id!r}; name it on one row at least")
        self.draft.site_types = list(self.seen["site type"].values())
        self.draft.regions = list(self.seen["region"].values())
        self.draft.branches = list(self.seen["branch"].values())


def _header(cells: list[str], draft: Draft) -> dict[str, int] | None:
    """Column positions by name, or None when a required column is missing."""
    columns: dict[str, int] = {}
    allowed = list(COLUMNS) + [f"{column}:en" for column in NAME_COLUMNS]
    for index, raw in enumerate(cells):
        name = raw.strip()
        at = At(1, index + 1, name or f"column {index + 1}", row=True)
        base, _, code = name.partition(":")
        if name in columns:
            draft.problems.append(at.problem(f"the header names this column twice (first in column {columns[name] + 1})"))
        elif not name:
            draft.problems.append(at.problem("the header leaves this column unnamed"))
        elif code and base in NAME_COLUMNS and code == DEFAULT_LANGUAGE:
            draft.problems.append(at.problem(f"{base} holds the default language, {DEFAULT_LANGUAGE}, already"))
        elif code and base in NAME_COLUMNS and not re.fullmatch(LANGUAGE_PATTERN, code):
            draft.problems.append(at.problem(f"{code!r} is not a language code like zh-Hans, zh-Hant or en"))
        elif name not in COLUMNS and not (code and base in NAME_COLUMNS):
            draft.problems.append(at.problem(f"unknown column{suggest(name, allowed)}; columns are {', '.join(COLUMNS)} and names in other languages like site_name:en"))
        else:
            columns[name] = index
    missing = [column for column in COLUMNS if column not in columns]
    for column in missing:
        draft.problems.append(At(1, 1, column, row=True).problem("missing from the header"))
    return None if missing else columns


def read(raw: bytes, draft: Draft) -> bool:
    """Fills the draft from CSV bytes; False when the file cannot be read as rows at all."""
    if len(raw) > MAX_BYTES:
        draft.problems.append(Problem(1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}"))
        return False
    try:
        text = decode(raw)
    except ProblemsFound as found:
        draft.problems.extend(found.problems)
        return False
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        draft.problems.append(Problem(reader.line_num, 1, f"not readable as CSV: {error}"))
        return False
    if not rows:
        draft.problems.append(Problem(1, 1, f"file is empty; its first row names the columns {', '.join(COLUMNS)}"))
        return False
    columns = _header(rows[0], draft)
    if columns is None:
        return False
    sheet = _Rows(draft, columns)
    width = len(rows[0])
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            draft.problems.append(At(number, width + 1, f"column {width + 1}", row=True).problem(f"the row has {len(cells)} cells, the header {width}"))
        values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
        if any(values.values()):
            sheet.row(number, values)
    sheet.finish()
    return True
