"""The checklist library: every checklist file under the given paths, checked together.

Ids must be unique across the library, which no single file can know, so that check lives here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from .model import Checklist
from .problems import Problem
from .validate import Result, check_file

SUFFIXES = (".yaml", ".yml")
CHECKLISTS = Path(__file__).resolve().parent.parent / "checklists"


def find(paths: list[Path]) -> list[Path]:
    """Checklist files named directly, and those found (recursively) under named folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def check(paths: list[Path], *, site_types: Collection[str] | None = None) -> list[Result]:
    """Every file's verdict; with `site_types` (an organisation's), checklists may name only those."""
    results = [check_file(path, site_types=site_types) for path in find(paths)]
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
