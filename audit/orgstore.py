"""The organisation file in the store: imported whole in one transaction, exported so that an
import reads it back to the same store.

The file is the whole organisation, so what it lacks is removed. What something still points
to (a site's visits, a branch's store managers, a region's or a site type's rows that must
stay) is never removed behind HQ's back: the import is refused, every such row named with
what points to it, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
import yaml

from . import facts
from .db import writing
from .model import Text
from .orgcsv import COLUMNS, NAME_COLUMNS
from .orgmodel import DEFAULT_LANGUAGE, Branch, Organisation, Region, Site, SiteType

TABLES = ("site_types", "regions", "branches", "sites")  # parents first
_NOUNS = {"site_types": "site type", "regions": "region", "branches": "branch", "sites": "site"}
_CHILDREN = {"site_types": ("sites", "site_type"), "regions": ("branches", "region_id"), "branches": ("sites", "branch_id")}
_POINTERS = {"visits": ("visit", "visits"), "user_branches": ("store manager", "store managers")}
_DERIVED = {"released_visits", "findings"}  # what released visits imply, counted as the visits already


@dataclass(frozen=True)
class Counts:
    added: int = 0
    changed: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.removed} removed"


@dataclass(frozen=True)
class Summary:
    """What an import did to each table."""

    tables: dict[str, Counts] = field(default_factory=dict)

    @property
    def total(self) -> Counts:
        counts = self.tables.values()
        return Counts(sum(c.added for c in counts), sum(c.changed for c in counts), sum(c.removed for c in counts))

    @property
    def changed(self) -> bool:
        return self.total != Counts()

    def lines(self) -> list[str]:
        same = "" if self.changed else " (the store held this organisation already)"
        return [f"{table.replace('_', ' ')}: {counts}" for table, counts in self.tables.items()] + [f"in all: {self.total}{same}"]


class Refused(Exception):
    """The file leaves out rows that something still points to; nothing was written."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _json(name: Text) -> str:
    return json.dumps(name, ensure_ascii=False)


def rows(org: Organisation) -> dict[str, list[dict[str, Any]]]:
    """The organisation as the rows of its four tables."""
    tables: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    tables["site_types"] = [{"id": t.id, "name": _json(t.name)} for t in org.site_types]
    for region in org.regions:
        tables["regions"].append({"id": region.id, "name": _json(region.name)})
        for branch in region.branches:
            tables["branches"].append({"id": branch.id, "region_id": region.id, "name": _json(branch.name), "city": branch.city})
            tables["sites"] += [
                {"id": site.id, "branch_id": branch.id, "name": _json(site.name), "site_type": site.type} for site in branch.sites
            ]
    return tables


def _same(wanted: dict[str, Any], held: dict[str, Any]) -> bool:
    """Names compare as mappings: the same words stored with other spacing or key order are no change."""
    return all(
        json.loads(held[column]) == json.loads(value) if column == "name" else held[column] == value
        for column, value in wanted.items()
    )


def _references(db: sqlite_utils.Database) -> dict[str, list[tuple[str, str]]]:
    """(table, column) of the foreign keys outside the organisation's tables, by the table
    they point at: visits at sites, store managers at branches, whatever comes later."""
    found: dict[str, list[tuple[str, str]]] = {}
    for other in db.table_names():
        if other not in TABLES and other not in _DERIVED:
            for key in db.table(other).foreign_keys:
                found.setdefault(key.other_table, []).append((other, str(key.column)))
    return found


def _blocked(db: sqlite_utils.Database, held: dict[str, dict[str, dict[str, Any]]], gone: dict[str, set[str]]) -> list[str]:
    """Why rows the file leaves out cannot be removed. A site that must stay keeps its branch,
    the branch its region, and the site its site type, so children are judged first."""
    references = _references(db)
    reasons: list[str] = []
    stays: dict[str, set[str]] = {table: set() for table in TABLES}
    for table in ("sites", "branches", "regions", "site_types"):
        for ident in sorted(gone[table]):
            found: list[tuple[int, str, str]] = []
            for other, column in references.get(table, []):
                count = db.execute(f"SELECT COUNT(*) FROM [{other}] WHERE [{column}] = ?", [ident]).fetchone()[0]
                if count:
                    found.append((count, *_POINTERS.get(other, (f"row of {other}", f"rows of {other}"))))
            if table in _CHILDREN:
                child, column = _CHILDREN[table]
                kept = sorted(c for c in stays[child] if held[child][c][column] == ident)
                if kept:
                    listed = ", ".join(kept)
                    found.append((len(kept), f"{_NOUNS[child]} that stays ({listed})", f"{child} that stay ({listed})"))
            if found:
                stays[table].add(ident)
                what = " and ".join(f"{count} {one if count == 1 else many}" for count, one, many in found)
                verb = "points" if sum(count for count, _, _ in found) == 1 else "point"
                reasons.append(f"{_NOUNS[table]} {ident} is not in the file but {what} {verb} to it; keep it in the file")
    return reasons


def import_org(db: sqlite_utils.Database, org: Organisation) -> Summary:
    """Makes the store's organisation the file's, in one transaction: rows added, changed and
    removed; raises Refused, having written nothing, when a removal would orphan anything."""
    wanted = rows(org)
    with writing(db):
        held = {table: {row["id"]: row for row in db.table(table).rows} for table in TABLES}
        gone = {table: set(held[table]) - {row["id"] for row in wanted[table]} for table in TABLES}
        reasons = _blocked(db, held, gone)
        if reasons:
            raise Refused(reasons)
        counts: dict[str, Counts] = {}
        for table in TABLES:
            added = [row for row in wanted[table] if row["id"] not in held[table]]
            changed = [row for row in wanted[table] if row["id"] in held[table] and not _same(row, held[table][row["id"]])]
            db.table(table).insert_all(added)
            for row in changed:
                db.table(table).update(row["id"], row)
            counts[table] = Counts(len(added), len(changed), len(gone[table]))
        for table in reversed(TABLES):
            for ident in gone[table]:
                db.table(table).delete(ident)
        summary = Summary(counts)
        if summary.changed:
            facts.refresh(db)  # the tallies are kept by region and site type, which may have moved
    return summary


def load_org(db: sqlite_utils.Database) -> Organisation:
    """The store's organisation, each level ordered by id."""
    sites: dict[str, list[Site]] = {}
    for row in db.table("sites").rows_where(order_by="id"):
        sites.setdefault(row["branch_id"], []).append(Site(row["id"], json.loads(row["name"]), row["site_type"]))
    branches: dict[str, list[Branch]] = {}
    for row in db.table("branches").rows_where(order_by="id"):
        branch = Branch(row["id"], json.loads(row["name"]), row["city"] or None, tuple(sites.get(row["id"], [])))
        branches.setdefault(row["region_id"], []).append(branch)
    return Organisation(
        tuple(SiteType(row["id"], json.loads(row["name"])) for row in db.table("site_types").rows_where(order_by="id")),
        tuple(
            Region(row["id"], json.loads(row["name"]), tuple(branches.get(row["id"], [])))
            for row in db.table("regions").rows_where(order_by="id")
        ),
    )


class _Names(dict[str, str]):
    """A name in several languages, written on one line: {zh-Hans: 超市, en: Supermarket}."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Names, lambda dumper, name: dumper.represent_mapping("tag:yaml.org,2002:map", name, flow_style=True))


def _plain(name: Text) -> str | _Names:
    """A name only in the default language is written as a plain string, as people write it."""
    return name[DEFAULT_LANGUAGE] if list(name) == [DEFAULT_LANGUAGE] else _Names(name)


def _yaml(org: Organisation) -> str:
    data = {
        "site_types": [{"id": t.id, "name": _plain(t.name)} for t in org.site_types],
        "regions": [
            {
                "id": region.id,
                "name": _plain(region.name),
                "branches": [
                    {
                        "id": branch.id,
                        "name": _plain(branch.name),
                        **({"city": branch.city} if branch.city else {}),
                        "sites": [{"id": s.id, "name": _plain(s.name), "type": s.type} for s in branch.sites],
                    }
                    for branch in region.branches
                ],
            }
            for region in org.regions
        ],
    }
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)


def _languages(names: list[Text]) -> list[str]:
    """Languages beyond the default that any of the names has, zh-Hant and en first."""
    found = {code for name in names for code in name} - {DEFAULT_LANGUAGE}
    return sorted(found, key=lambda code: (code not in ("zh-Hant", "en"), code != "zh-Hant", code))


def _csv(org: Organisation) -> str:
    """One row per site, each with its whole path; a branch without sites, a region without
    branches and a site type no site has get a row of their own, so nothing is lost."""
    types = {t.id: t.name for t in org.site_types}
    branches = [(region, branch) for region in org.regions for branch in region.branches]
    names = {
        "region_name": [r.name for r in org.regions],
        "branch_name": [b.name for _, b in branches],
        "site_name": [s.name for _, b in branches for s in b.sites],
        "site_type_name": list(types.values()),
    }
    languages = {column: _languages(names[column]) for column in NAME_COLUMNS}
    header = [f"{c}:{code}" if code else c for c in COLUMNS for code in [""] + languages.get(c, [])]

    def row(region: Region | None, branch: Branch | None, site: Site | None, site_type: str) -> list[str]:
        named = {
            "region_name": region.name if region else {},
            "branch_name": branch.name if branch else {},
            "site_name": site.name if site else {},
            "site_type_name": types[site_type] if site_type else {},
        }
        cells = {
            "region": region.id if region else "",
            "branch": branch.id if branch else "",
            "city": (branch.city or "") if branch else "",
            "site": site.id if site else "",
            "site_type": site_type,
        }
        for column, name in named.items():
            cells[column] = name.get(DEFAULT_LANGUAGE, "")
            for code in languages[column]:
                cells[f"{column}:{code}"] = name.get(code, "")
        return [cells[column] for column in header]

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    used = {s.type for _, b in branches for s in b.sites}
    for region in org.regions:
        if not region.branches:
            writer.writerow(row(region, None, None, ""))
        for branch in region.branches:
            if not branch.sites:
                writer.writerow(row(region, branch, None, ""))
            for site in branch.sites:
                writer.writerow(row(region, branch, site, site.type))
    for site_type in types:
        if site_type not in used:
            writer.writerow(row(None, None, None, site_type))
    return "\ufeff" + out.getvalue()  # the byte-order mark makes Excel read the Chinese as UTF-8


def export_org(db: sqlite_utils.Database, kind: str = "yaml") -> str:
    """The store's organisation as an organisation file's text, YAML or CSV."""
    org = load_org(db)
    return _csv(org) if kind == "csv" else _yaml(org)
