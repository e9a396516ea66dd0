"""The organisation as a file: site types, regions, branches and sites, in YAML or CSV.

HQ keeps its organisation in a file it edits and reviews like its checklists, and imports it
whole (`audit/orgstore.py`). This module only reads one: it turns the bytes into plain
records (`orgmodel.py`), or into every problem the file has, each with its line (in a CSV
file its row, the header being row 1) and its field, so that one round of edits fixes them
all. YAML goes through the checklists' loader, so duplicate keys, YAML 1.1's unquoted `no`
and `on`, size bounds and positions behave as they do in a checklist; CSV is `orgcsv.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import orgcsv
from .model import Text
from .orgmodel import DEFAULT_LANGUAGE, At, Draft, Entry, Organisation, assemble, bad_id
from .problems import Problem, ProblemsFound
from .schema import LANGUAGE_PATTERN
from .schema_errors import suggest
from .yamlsource import Path as YamlPath
from .yamlsource import Source, load

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


@dataclass(frozen=True)
class Result:
    """What reading one organisation file found: the organisation when valid, its problems otherwise."""

    path: str
    organisation: Organisation | None
    problems: tuple[Problem, ...]


def _not_a_string(value: Any) -> str:
    if value is None:
        return "must not be empty"
    if isinstance(value, bool):
        return "must be a string, not true/false: YAML reads an unquoted yes, no, on or off as true/false, so put it in quotes"
    if isinstance(value, (int, float)):
        return "must be a string, not a number: put it in quotes"
    return f"must be a string, not a {'list' if isinstance(value, list) else 'mapping'}"


def _dotted(path: YamlPath) -> str:
    """A YAML path the way visits name fields: regions[0].branches[2].sites[1].type."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


class _Yaml:
    """Reads the loaded YAML into the draft, each value checked where it stands."""

    def __init__(self, source: Source, draft: Draft) -> None:
        self.source = source
        self.draft = draft

    def at(self, path: YamlPath, *, key: bool = False) -> At:
        line, column = self.source.position(path, key=key)
        return At(line, column, _dotted(path))

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
        trouble = bad_id(value) if value is not None else None
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
                    self.draft.site_types.append(Entry(ident, self.at(path + ("id",)), name))
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
            self.draft.regions.append(Entry(ident, self.at(path + ("id",)), name))
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
            self.draft.branches.append(Entry(ident, self.at(path + ("id",)), name, parent=region, city=city))
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
            self.draft.sites.append(Entry(ident, self.at(path + ("id",)), name, parent=branch, type=kind or "", type_at=type_at))


def _read_yaml(raw: bytes, draft: Draft) -> bool:
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
    draft = Draft()
    readable = (orgcsv.read if kind == "csv" else _read_yaml)(raw, draft)
    organisation = assemble(draft) if readable else None
    return organisation, sorted(set(draft.problems))


def read(path: Path) -> Result:
    """An organisation file, its kind told by its suffix (.yaml, .yml or .csv)."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        return Result(str(path), None, (Problem(1, 1, f"an organisation file ends in .yaml, .yml or .csv, not {path.suffix or 'nothing'!r}"),))
    try:
        with path.open("rb") as handle:
            raw = handle.read(orgcsv.MAX_BYTES + 1)
    except OSError as error:
        return Result(str(path), None, (Problem(1, 1, f"cannot read the file: {error.strerror}"),))
    organisation, problems = parse(raw, kind)
    return Result(str(path), organisation, tuple(problems))
