"""Every detail of the domain brief is covered by checklist items an inspector observes.

checklists/coverage.yaml maps each detail the brief lists (docs/domain.md, under its
three stage headings, one bullet with a bold title per detail) to the items that cover it,
quoting the brief's words for each part of a detail. The brief is kept in the repository
(docs/domain.md, a copy of the team's shared brief): this test reads its list of details and
the count the table keeps, so a detail added to the brief, words it does not use, or an item
renamed or removed, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from audit import library
from audit.schema import STAGES

from .conftest import ROOT

TABLE = ROOT / "checklists" / "coverage.yaml"
HEADINGS = {"pre-sale": "Pre-sale", "in-sale": "In-sale", "after-sale": "After-sale"}


def load_table(path: Path = TABLE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def brief_details(text: str) -> dict[str, dict[str, str]]:
    """The brief's details by stage: {stage: {bold title: the bullet's whole text}}."""
    found: dict[str, dict[str, str]] = {}
    stage: str | None = None
    current: list[str] | None = None
    for line in text.splitlines():
        heading = re.match(r"^## (.+)$", line)
        if heading:
            stage = next((key for key, word in HEADINGS.items() if heading.group(1).startswith(word + " ")), None)
            current = None
            continue
        if stage is None:
            continue
        bullet = re.match(r"^- \*\*(.+?)\*\*(.*)$", line)
        if bullet:
            current = [bullet.group(1), bullet.group(2)]
            found.setdefault(stage, {})[bullet.group(1)] = ""
        elif current is not None and line.startswith("  "):
            current.append(line.strip())
        else:
            current = None
            continue
        if current is not None:
            found[stage][current[0]] = " ".join(" ".join(current).split())
    return found


def problems(table: dict[str, Any], items: set[str], brief: str) -> list[str]:
    """Everything wrong with the table against the library's items and the brief's text."""
    found: list[str] = []
    coverage = table["coverage"]
    if list(coverage) != [stage for stage in STAGES if stage in coverage]:
        found.append(f"stages out of order or unknown: {list(coverage)}")
    listed = [detail for stage in coverage.values() for detail in stage]
    if len(listed) != table["details"]:
        found.append(f"{len(listed)} details listed, the brief has {table['details']}")
    ids = [detail["id"] for detail in listed]
    if len(set(ids)) != len(ids):
        found.append("a detail id is used twice")
    details = brief_details(brief)
    count = sum(len(stage) for stage in details.values())
    if count != table["details"]:
        found.append(f"the brief lists {count} details, the table says {table['details']}")
    for stage, entries in coverage.items():
        for detail in entries:
            where = f"{stage}/{detail['id']}"
            if not detail.get("parts"):
                found.append(f"{where}: no parts")
            bullet = details.get(stage, {}).get(detail["brief"])
            if bullet is None:
                found.append(f"{where}: the brief has no detail {detail['brief']!r} under {HEADINGS[stage]}")
            for part in detail.get("parts", []):
                if bullet is not None and " ".join(part["words"].split()) not in bullet:
                    found.append(f"{where}: {part['words']!r} are not the brief's words")
                if not part.get("items"):
                    found.append(f"{where}: {part['words']!r} is covered by no item")
                for ref in part.get("items", []):
                    if ref not in items:
                        found.append(f"{where}: no item {ref} in the library")
    named = {(stage, detail["brief"]) for stage, entries in coverage.items() for detail in entries}
    for stage, titles in details.items():
        for title in titles:
            if (stage, title) not in named:
                found.append(f"the brief's {HEADINGS[stage]} detail {title!r} is not in the table")
    return found


def library_items() -> set[str]:
    return {f"{checklist.id}/{item.id}" for checklist in library.load(library.CHECKLISTS) for item in checklist.items()}


def the_brief() -> str:
    return (ROOT / load_table()["brief"]).read_text(encoding="utf-8")


def test_every_detail_of_the_brief_is_covered_by_existing_items() -> None:
    found = problems(load_table(), library_items(), the_brief())
    assert not found, "\n".join(found)


def test_the_brief_is_read() -> None:
    details = brief_details(the_brief())
    assert set(details) == set(HEADINGS)
    assert "First-ask responsibility" in details["in-sale"]
    assert "the first employee a customer asks owns the problem" in details["in-sale"]["First-ask responsibility"]


def test_the_check_fails_on_a_gap() -> None:
    """The check itself: a renamed item, a detail left out and words the brief does not use."""
    table = load_table()
    items = library_items()
    brief = the_brief()
    assert not problems(table, items, brief)
    renamed = items - {"after-sales/freight-refunded"}
    assert any("no item after-sales/freight-refunded" in p for p in problems(table, renamed, brief))
    short = {**table, "coverage": {**table["coverage"], "after-sale": table["coverage"]["after-sale"][:-1]}}
    assert any("details listed" in p for p in problems(short, items, brief))
    assert any("Going past the request" in p for p in problems({**short, "details": 22}, items, brief))
    detail = table["coverage"]["pre-sale"][0]
    reworded = {**detail, "parts": [{**detail["parts"][0], "words": "a press door"}, *detail["parts"][1:]]}
    changed = {**table, "coverage": {**table["coverage"], "pre-sale": [reworded, *table["coverage"]["pre-sale"][1:]]}}
    assert any("are not the brief's words" in p for p in problems(changed, items, brief))
