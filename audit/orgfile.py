"""The organisation as a file: site types, regions, branches and sites, in YAML or CSV.

HQ keeps its organisation in a file it edits and reviews like its checklists, and imports it
whole (`audit/orgstore.py`). This module only reads one: it turns the bytes into plain
records, or into every problem the file has, each with its line (in a CSV file its row, the
header being row 1) and its field, so that one round of edits fixes them all. YAML goes
through the checklists' loader, so duplicate keys, YAML 1.1's unquoted `no` and `on`, size
bounds and positions behave as they do in a checklist.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Text
from .problems import Problem, ProblemsFound
from .schema import ID_PATTERN, LANGUAGE_PATTERN
from .schema_errors import ID_RULE, suggest
from .yamlsource import Path as YamlPath
from .yamlsource import Source, decode, load

DEFAULT_LANGUAGE = "zh-Hans"
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
CSV_COLUMNS = ("region", "region_name", "branch", "branch_name", "city", "site", "site_name", "site_type", "site_type_name")
NAME_COLUMNS = ("region_name", "branch_name", "site_name", "site_type_name")
MAX_CSV_BYTES = 16 * 1024 * 1024  # a CSV is read whole: some 50,000 sites


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
class Result:
    """What reading one organisation file found: the organisation when valid, its problems otherwise."""

    path: str
    organisation: Organisation | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _At:
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
class _Entry:
    """A site type, region, branch or site the file declares, and where, before the checks
    that need the whole file (duplicate ids, site types that no entry declares)."""

    id: str
    at: _At
    name: Text = field(default_factory=dict)
    parent: str = ""  # a branch's region, a site's branch
    city: str | None = None
    type: str = ""  # a site's site type
    type_at: _At | None = None


@dataclass
class _Draft:
    problems: list[Problem] = field(default_factory=list)
    site_types: list[_Entry] = field(default_factory=list)
    regions: list[_Entry] = field(default_factory=list)
    branches: list[_Entry] = field(default_factory=list)
    sites: list[_Entry] = field(default_factory=list)


def _not_a_string(value: Any) -> str:
    if value is None:
        return "must not be empty"
    if isinstance(value, bool):
        return "must be a string, not true/false: YAML reads an unquoted yes, no, on or off as true/false, so put it in quotes"
    if isinstance(value, (int, float)):
        return "must be a string, not a number: put it in quotes"
    return f"must be a string, not a {'list' if isinstance(value, list) else 'mapping'}"


def _bad_id(value: str) -> str | None:
    return None if re.fullmatch(ID_PATTERN, value) else f"{value!r} {ID_RULE}"


def _assemble(draft: _Draft) -> Organisation | None:
    """The checks across the file, then the records nested as the file nests them."""
    kinds = (("site type", draft.site_types), ("region", draft.regions), ("branch", draft.branches), ("site", draft.sites))
    for kind, entries in kinds:
        first: dict[str, _At] = {}
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


def _children(entries: Iterable[_Entry]) -> dict[str, list[_Entry]]:
    grouped: dict[str, list[_Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.parent, []).append(entry)
    return grouped


def _dotted(path: YamlPath) -> str:
    """A YAML path the way visits name fields: regions[0].branches[2].sites[1].type."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


class _Yaml:
    """Reads the loaded YAML into the draft, each value checked where it stands."""

    def __init__(self, source: Source, draft: _Draft) -> None:
        self.source = source
        self.draft = draft

    def at(self, path: YamlPath, *, key: bool = False) -> _At:
        line, column = self.source.position(path, key=key)
        return _At(line, column, _dotted(path))

    def add(self, path: YamlPath, message: str, *, key: bool = False) -> None:
        self.draft.problems.append(self.at(path, key=key).problem(message))

    def record(self, path: YamlPath, value: Any, kind: str, keys: dict[str, bool]) -> dict[str, Any] | None:
        """A mapping of `keys` (each required or not): unknown and missing keys are problems."""
        wanted = ", ".join(keys)
        if not isinstance(value, dict):
            found = "empty" if value is None else f"a {'list' if isinstance(value, list) else 'single value'}"
            self.add(path, f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} is a mapping of {wanted}; this is {found}")
            return None
        for key in value:
            if key not in keys:
                self.add(path + (key,), f"unknown key{suggest(key, list(keys))}; {kind} keys are {wanted}", key=True)
        for key, required in keys.items():
            if required and key not in value:
                self.add(path + (key,), f"missing; {kind} keys are {wanted}")
        return value

    def listing(self, path: YamlPath, record: dict[str, Any]) -> list[Any]:
        """The list under the last key of path; left empty (`sites:`), no entries."""
        value = record.get(str(path[-1]))
        if isinstance(value, list) or value is None:
            return value or []
        self.add(path, f"must be a list, not {'a mapping' if isinstance(value, dict) else 'a single value'}")
        return []

    def string(self, path: YamlPath, value: Any) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(path, _not_a_string(None if isinstance(value, str) else value))
        return None

    def ident(self, path: YamlPath, record: dict[str, Any], key: str = "id") -> str | None:
        if key not in record:
            return None
        value = self.string(path + (key,), record[key])
        trouble = _bad_id(value) if value is not None else None
        if trouble:
            self.add(path + (key,), trouble)
            return None
        return value

    def name(self, path: YamlPath, record: dict[str, Any]) -> Text:
        """A string (the default language's) or a mapping from language code to string."""
        where = path + ("name",)
        value = record.get("name")
        if "name" not in record:
            return {}
        if not isinstance(value, dict):
            if isinstance(value, list):
                self.add(where, "must be a string or a mapping from language code to string, not a list")
                return {}
            text = self.string(where, value)
            return {DEFAULT_LANGUAGE: text} if text else {}
        if not value:
            self.add(where, "must not be empty")
        name: Text = {}
        for code, words in value.items():
            if not re.fullmatch(LANGUAGE_PATTERN, code):
                self.add(where + (code,), f"{code!r} is not a language code like zh-Hans, zh-Hant or en", key=True)
                continue
            text = self.string(where + (code,), words)
            if text:
                name[code] = text
        return name

    def read(self) -> None:
        top = self.record((), self.source.data, "organisation file", {"site_types": True, "regions": True})
        if top is None:
            return
        if "site_types" in top:
            for index, value in enumerate(self.listing(("site_types",), top)):
                path: YamlPath = ("site_types", index)
                record = self.record(path, value, "site type", {"id": True, "name": True})
                if record is None:
                    continue
                ident = self.ident(path, record)
                name = self.name(path, record)
                if ident:
                    self.draft.site_types.append(_Entry(ident, self.at(path + ("id",)), name))
        if "regions" in top:
            for index, value in enumerate(self.listing(("regions",), top)):
                self.region(("regions", index), value)

    def region(self, path: YamlPath, value: Any) -> None:
        record = self.record(path, value, "region", {"id": True, "name": True, "branches": True})
        if record is None:
            return
        ident = self.ident(path, record)
        name = self.name(path, record)
        if ident:
            self.draft.regions.append(_Entry(ident, self.at(path + ("id",)), name))
        if "branches" in record:
            for index, branch in enumerate(self.listing(path + ("branches",), record)):
                self.branch(path + ("branches", index), branch, ident or "")

    def branch(self, path: YamlPath, value: Any, region: str) -> None:
        record = self.record(path, value, "branch", {"id": True, "name": True, "city": False, "sites": True})
        if record is None:
            return
        ident = self.ident(path, record)
        name = self.name(path, record)
        city = self.string(path + ("city",), record["city"]) if record.get("city") is not None else None
        if ident:
            self.draft.branches.append(_Entry(ident, self.at(path + ("id",)), name, parent=region, city=city))
        if "sites" in record:
            for index, site in enumerate(self.listing(path + ("sites",), record)):
                self.site(path + ("sites", index), site, ident or "")

    def site(self, path: YamlPath, value: Any, branch: str) -> None:
        record = self.record(path, value, "site", {"id": True, "name": True, "type": True})
        if record is None:
            return
        ident = self.ident(path, record)
        name = self.name(path, record)
        kind = self.string(path + ("type",), record["type"]) if "type" in record else None
        if ident:
            type_at = self.at(path + ("type",)) if kind else None
            self.draft.sites.append(_Entry(ident, self.at(path + ("id",)), name, parent=branch, type=kind or "", type_at=type_at))


class _Csv:
    """Reads CSV rows into the draft. A row declares what its cells name: a site type (with
    its name), a region, a branch (in the row's region), a site (in the row's branch, of the
    row's site type); rows may repeat a region, branch or site type, naming it alike or not
    at all, so that every site can carry its whole path and a sheet can be sorted freely."""

    def __init__(self, draft: _Draft, columns: dict[str, int]) -> None:
        self.draft = draft
        self.columns = columns
        self.seen: dict[str, dict[str, _Entry]] = {"site type": {}, "region": {}, "branch": {}}
        self.stated: dict[tuple[str, str, str], _At] = {}

    def at(self, row: int, column: str) -> _At:
        return _At(row, self.columns.get(column, 0) + 1, column, row=True)

    def add(self, row: int, column: str, message: str) -> None:
        self.draft.problems.append(self.at(row, column).problem(message))

    def ident(self, row: int, cells: dict[str, str], column: str) -> str:
        value = cells[column]
        trouble = _bad_id(value) if value else None
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
            self.draft.sites.append(_Entry(site, self.at(row, "site"), names["site_name"], parent=branch, type=type_id, type_at=type_at))

    def declare(self, row: int, kind: str, ident: str, name: Text, *, region: str = "", city: str = "") -> None:
        """The first row that mentions an entry makes it; later rows may name it again, alike."""
        column = kind.replace(" ", "_")
        entry = self.seen[kind].get(ident)
        if entry is None:
            entry = self.seen[kind][ident] = _Entry(ident, self.at(row, column), parent=region)
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


def _header(cells: list[str], draft: _Draft) -> dict[str, int] | None:
    """Column positions by name, or None when a required column is missing."""
    columns: dict[str, int] = {}
    allowed = list(CSV_COLUMNS) + [f"{column}:en" for column in NAME_COLUMNS]
    for index, raw in enumerate(cells):
        name = raw.strip()
        at = _At(1, index + 1, name or f"column {index + 1}", row=True)
        base, _, code = name.partition(":")
        if name in columns:
            draft.problems.append(at.problem(f"the header names this column twice (first in column {columns[name] + 1})"))
        elif not name:
            draft.problems.append(at.problem("the header leaves this column unnamed"))
        elif code and base in NAME_COLUMNS and code == DEFAULT_LANGUAGE:
            draft.problems.append(at.problem(f"{base} holds the default language, {DEFAULT_LANGUAGE}, already"))
        elif code and base in NAME_COLUMNS and not re.fullmatch(LANGUAGE_PATTERN, code):
            draft.problems.append(at.problem(f"{code!r} is not a language code like zh-Hans, zh-Hant or en"))
        elif name not in CSV_COLUMNS and not (code and base in NAME_COLUMNS):
            draft.problems.append(at.problem(f"unknown column{suggest(name, allowed)}; columns are {', '.join(CSV_COLUMNS)} and names in other languages like site_name:en"))
        else:
            columns[name] = index
    missing = [column for column in CSV_COLUMNS if column not in columns]
    for column in missing:
        draft.problems.append(_At(1, 1, column, row=True).problem("missing from the header"))
    return None if missing else columns


def _read_csv(raw: bytes, draft: _Draft) -> bool:
    """Fills the draft from CSV bytes; False when the file cannot be read as rows at all."""
    if len(raw) > MAX_CSV_BYTES:
        draft.problems.append(Problem(1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_CSV_BYTES:,}"))
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
        draft.problems.append(Problem(1, 1, f"file is empty; its first row names the columns {', '.join(CSV_COLUMNS)}"))
        return False
    columns = _header(rows[0], draft)
    if columns is None:
        return False
    reader_of_rows = _Csv(draft, columns)
    width = len(rows[0])
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            draft.problems.append(_At(number, width + 1, f"column {width + 1}", row=True).problem(f"the row has {len(cells)} cells, the header {width}"))
        values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
        if any(values.values()):
            reader_of_rows.row(number, values)
    reader_of_rows.finish()
    return True


def _read_yaml(raw: bytes, draft: _Draft) -> bool:
    try:
        source, problems = load(raw)
    except ProblemsFound as found:
        draft.problems.extend(found.problems)
        return False
    draft.problems.extend(problems)
    _Yaml(source, draft).read()
    return True


def parse(raw: bytes, kind: str) -> tuple[Organisation | None, list[Problem]]:
    """The organisation in a file's bytes (kind "yaml" or "csv"), or every problem it has."""
    draft = _Draft()
    readable = (_read_csv if kind == "csv" else _read_yaml)(raw, draft)
    organisation = _assemble(draft) if readable else None
    return organisation, sorted(set(draft.problems))


def read(path: Path) -> Result:
    """An organisation file, its kind told by its suffix (.yaml, .yml or .csv)."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        return Result(str(path), None, (Problem(1, 1, f"an organisation file ends in .yaml, .yml or .csv, not {path.suffix or 'nothing'!r}"),))
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        return Result(str(path), None, (Problem(1, 1, f"cannot read the file: {error.strerror}"),))
    organisation, problems = parse(raw, kind)
    return Result(str(path), organisation, tuple(problems))
